import { clearSession, loadValue, saveValue } from '../workers/storage';
import { mlClient } from '../workers/clients/mlClient';
import type { FileInput } from '../workers/protocol';
import { FILE_KEY } from './slices/dataSlice';
import type { AppState } from './store';

/** The part of the app state a reload brings back (the table is re-read from the stored file; the model comes from the worker's checkpoint). */
const SAVED_KEYS = [
  'roles',
  'trainSettings',
  'backendChoice',
  'trainStatus',
  'trainResult',
  'epochs',
  'backendReports',
  'activeBackend',
  'wasmThreads',
  'scenario',
  'savedScenarios',
  'averageOrderValue',
  'margin',
  'optimizeSettings',
  'optimizeResult',
  'forecastSeries',
  'updateFileName',
  'updateSummary',
  'updateResult',
] as const satisfies readonly (keyof AppState)[];

type SavedUi = Pick<AppState, (typeof SAVED_KEYS)[number]>;

/** Results of finished work (training, an update, an optimisation, a saved scenario): saved without the debounce. */
const SAVED_AT_ONCE = ['trainStatus', 'trainResult', 'optimizeResult', 'savedScenarios', 'updateResult'] as const satisfies readonly (typeof SAVED_KEYS)[number][];

export const UI_KEY = 'ui';
const AUTOSAVE_MS = 400;

interface StoreApi {
  getState(): AppState;
  setState(partial: Partial<AppState>): void;
  subscribe(listener: (state: AppState, previous: AppState) => void): () => void;
}

function pick(state: AppState): SavedUi {
  return Object.fromEntries(SAVED_KEYS.map((k) => [k, state[k]])) as SavedUi;
}

/**
 * Saves the session shortly after every change (debounced); a refused write
 * becomes a message. A change still waiting when the page is hidden or goes
 * away (reload, tab closed) is written at once.
 */
export function startAutosave(store: StoreApi): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const save = () => {
    timer = null;
    void saveValue(UI_KEY, pick(store.getState())).then((r) => {
      if (!r.ok) store.setState({ storageProblem: r.reason });
    });
  };
  const flush = () => {
    if (timer === null) return;
    clearTimeout(timer);
    save();
  };
  const unsubscribe = store.subscribe((state, previous) => {
    if (state.restoring || SAVED_KEYS.every((k) => state[k] === previous[k])) return;
    if (timer) clearTimeout(timer);
    // A finished piece of work is written at once: a write started while the page
    // unloads may not complete, and a slider dragged just after would keep postponing it.
    if (SAVED_AT_ONCE.some((k) => state[k] !== previous[k])) save();
    else timer = setTimeout(save, AUTOSAVE_MS);
  });
  const hidden = () => {
    if (document.visibilityState === 'hidden') flush();
  };
  addEventListener('pagehide', flush);
  document.addEventListener('visibilitychange', hidden);
  return () => {
    unsubscribe();
    removeEventListener('pagehide', flush);
    document.removeEventListener('visibilitychange', hidden);
  };
}

const TRAINING = new Set(['preparing', 'training', 'evaluating']);

/**
 * Brings the last session back: re-reads the stored file, reapplies the
 * roles, restores the model from the worker's checkpoint, and resumes a
 * training that a reload interrupted.
 */
export async function restoreSession(store: StoreApi): Promise<void> {
  const [file, ui] = await Promise.all([loadValue<FileInput>(FILE_KEY), loadValue<SavedUi>(UI_KEY)]);
  if (!file) {
    // A session opened from a model bundle alone: bring the model back.
    const restored = await mlClient().restore();
    if (restored?.result) {
      store.setState({ trainResult: restored.result, trainStatus: 'done', trainSettings: restored.settings, activeBackend: restored.backend, ...(ui ? { scenario: ui.scenario, savedScenarios: ui.savedScenarios, margin: ui.margin, averageOrderValue: ui.averageOrderValue } : {}) });
      await store.getState().loadWhatIfContext();
    }
    return;
  }
  store.setState({ restoring: true });
  try {
    await store.getState().loadFile(file, { keepSession: true });
    if (!store.getState().dataset || !ui) return;
    store.setState({ roles: ui.roles, trainSettings: ui.trainSettings, backendChoice: ui.backendChoice, averageOrderValue: ui.averageOrderValue, margin: ui.margin, optimizeSettings: ui.optimizeSettings });
    await store.getState().reapplyUpdates();
    await store.getState().reanalyze();
    const restored = await mlClient().restore();
    if (!restored) return;
    const interrupted = TRAINING.has(ui.trainStatus) || (restored.result === null && ui.trainStatus !== 'stopped');
    store.setState({
      trainSettings: restored.settings,
      epochs: restored.epochs,
      backendReports: ui.backendReports,
      activeBackend: restored.backend,
      wasmThreads: ui.wasmThreads,
      trainResult: restored.result ?? ui.trainResult,
      trainStatus: interrupted ? 'stopped' : ui.trainStatus,
      scenario: ui.scenario,
      savedScenarios: ui.savedScenarios,
      optimizeResult: ui.optimizeResult,
      forecastSeries: ui.forecastSeries,
      // (Sessions saved before updates were kept have none of these.)
      ...(store.getState().updateStatus === 'failed'
        ? {}
        : { updateStatus: ui.updateResult ? 'done' : 'idle', updateFileName: ui.updateFileName ?? null, updateSummary: ui.updateSummary ?? null, updateResult: ui.updateResult ?? null }),
    });
    store.setState({ restoring: false });
    if (interrupted) {
      await store.getState().resumeTraining();
      return;
    }
    if (restored.result) {
      await store.getState().loadWhatIfContext();
      await store.getState().loadForecast(ui.forecastSeries);
    }
  } finally {
    store.setState({ restoring: false });
  }
}

/** Forgets the whole session (stored file, model checkpoint, settings) and reloads the page. */
export async function startOver(): Promise<void> {
  await clearSession();
  location.reload();
}
