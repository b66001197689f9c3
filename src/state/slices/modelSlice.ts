import type { StateCreator } from 'zustand';
import type { BundleError } from '../../ml/bundle';
import { holdoutStart } from '../../data/append';
import { dataClient } from '../../workers/clients/dataClient';
import { mlClient } from '../../workers/clients/mlClient';
import type { AppendSummary, FileInput, UpdateDataError, UpdateResult } from '../../workers/protocol';
import { loadValue, saveValue } from '../../workers/storage';
import { UPDATES_KEY } from '../../workers/storageKeys';
import type { AppState } from '../store';
import { dataEndDay, defaultStartDay } from './whatIfSlice';

/** Fine-tuning epochs on an update. */
const UPDATE_EPOCHS = 3;

/** Message key prefix per stage of an update that can refuse the file. */
const STAGE_MESSAGES: Record<UpdateDataError['stage'], string> = { read: 'error.', append: 'update.', dataset: 'train.error.' };

/** The message for an update file the data worker refused, naming the file. */
function refusal(file: string, { stage, error }: UpdateDataError): UpdateMessage {
  return { key: `${STAGE_MESSAGES[stage]}${error.code}`, params: { file, ...(error.params as Record<string, string | number>) } };
}

/** A message key and its parameters (the catalog has a key per failure). */
export interface UpdateMessage {
  readonly key: string;
  readonly params: Readonly<Record<string, string | number>>;
}


export interface ModelSlice {
  importError: BundleError | null;
  /** Schema differences between an imported model and the loaded data. */
  importDifferences: readonly string[];
  importedName: string | null;
  /** The trained model as a bundle file (bytes and name), for the page to download. */
  exportModel: () => Promise<{ bytes: Uint8Array; fileName: string } | null>;
  importModel: (file: Blob) => Promise<void>;
  updateStatus: 'idle' | 'running' | 'done' | 'failed';
  updateFileName: string | null;
  updateError: UpdateMessage | null;
  updateSummary: AppendSummary | null;
  updateResult: UpdateResult | null;
  /** Fine-tuning progress of a running update (0..1), null before it starts training. */
  updateProgress: { readonly fraction: number; readonly epoch: number; readonly epochs: number } | null;
  /** Update with new data: append `file` to the data, fine-tune, compare on the newest days. */
  updateWithNewData: (file: File) => Promise<void>;
  /** After a reload: appends the stored update files to the re-read data again (the model's checkpoint already has them). */
  reapplyUpdates: () => Promise<void>;
}

export const createModelSlice: StateCreator<AppState, [], [], ModelSlice> = (set, get) => ({
  importError: null,
  importDifferences: [],
  importedName: null,
  updateStatus: 'idle',
  updateFileName: null,
  updateError: null,
  updateSummary: null,
  updateResult: null,
  updateProgress: null,

  updateWithNewData: async (file) => {
    const { whatIfContext: context, roles, trainSettings } = get();
    if (!context || get().updateStatus === 'running') return;
    set({ updateStatus: 'running', updateFileName: file.name, updateError: null, updateSummary: null, updateResult: null, updateProgress: null });
    const failWith = (key: string, params: Record<string, string | number> = {}) => set({ updateStatus: 'failed', updateError: { key, params: { file: file.name, ...params } } });
    try {
      const appended = await dataClient().append({ kind: 'file', file }, roles, {
        windowLength: context.spec.windowLength,
        seed: trainSettings.seed,
        reuse: { spec: context.spec, trainEnd: context.trainEnd, validEnd: context.validEnd },
      });
      if (!appended.ok) {
        set({ updateStatus: 'failed', updateError: refusal(file.name, appended.reason) });
        return;
      }
      const { dataset, summary } = appended.data;
      const dataEnd = dataEndDay(context);
      set({ updateSummary: summary, dataset: get().dataset ? { ...get().dataset!, rowCount: summary.rowCount } : null });
      if (summary.newTo === null || !(summary.newTo > dataEnd)) {
        failWith('update.noNewDays', { end: new Date(dataEnd * 86_400_000).toISOString().slice(0, 10) });
        return;
      }
      const firstNew = Math.max(dataEnd + 1, summary.newFrom ?? dataEnd + 1);
      // The model changes in place (and may go back): answers kept from before or during the update are forgotten.
      get().forgetWhatIfAnswers();
      const updated = await mlClient()
        .update(dataset, holdoutStart(firstNew, summary.newTo), UPDATE_EPOCHS, (event) => {
          if (event.kind === 'storage') set({ storageProblem: event.problem });
          if (event.kind !== 'batch') return;
          const { epoch, batch, batches } = event.progress;
          set({ updateProgress: { fraction: (epoch - 1 + batch / batches) / event.epochs, epoch, epochs: event.epochs } });
        })
        .finally(() => get().forgetWhatIfAnswers());
      if (!updated.ok) {
        failWith(`update.${updated.reason}`);
        return;
      }
      // Another file was loaded meanwhile: this update belongs to data that is gone.
      if (get().whatIfContext !== context) return;
      // The model's checkpoint has the new rows now: a reload appends the file to the re-read data again.
      const files = (await loadValue<FileInput[]>(UPDATES_KEY)) ?? [];
      const saved = await saveValue(UPDATES_KEY, [...files, { kind: 'file', file }]);
      if (!saved.ok) set({ storageProblem: saved.reason });
      const wasDefaultStart = get().scenario?.startDay === defaultStartDay(context);
      try {
        await get().loadWhatIfContext();
        // A plan that started the day after the old data now starts the day after the new rows.
        const next = get().whatIfContext;
        if (wasDefaultStart && next) get().updateScenario({ startDay: defaultStartDay(next) });
      } finally {
        // Last, and whatever the what-if did: the update is in the model and its checkpoint. The
        // result is saved at once, and the plan's new start with it (a scenario change alone waits
        // for the autosave's debounce, and a reload just after would lose it).
        set({ updateStatus: 'done', updateResult: updated.data, forecast: null, optimizeResult: null });
      }
    } catch (thrown) {
      failWith('error.unexpected', { message: thrown instanceof Error ? thrown.message : String(thrown) });
    }
  },

  reapplyUpdates: async () => {
    const files = (await loadValue<FileInput[]>(UPDATES_KEY)) ?? [];
    for (const input of files) {
      const name = input.kind === 'file' ? input.file.name : input.name;
      const appended = await dataClient().append(input, get().roles, null);
      if (!appended.ok) {
        set({ updateStatus: 'failed', updateFileName: name, updateError: refusal(name, appended.reason) });
        return;
      }
      const dataset = get().dataset;
      if (dataset) set({ dataset: { ...dataset, rowCount: appended.data.summary.rowCount } });
    }
  },

  exportModel: async () => {
    const { trainResult, roles, dataset } = get();
    if (!trainResult) return null;
    const target = trainResult.evaluation.targetColumn;
    const name = `${target}-${new Date().toISOString().slice(0, 10)}`;
    return mlClient().exportBundle({ name, roles, summaries: (dataset?.summaries ?? []).map((s) => ({ name: s.name, type: s.type })) });
  },

  importModel: async (file) => {
    set({ importError: null, importDifferences: [] });
    const bytes = new Uint8Array(await file.arrayBuffer());
    const { dataset, roles } = get();
    const result = await mlClient().importBundle(bytes, dataset ? { roles, summaries: dataset.summaries } : null, (event) => {
      if (event.kind === 'storage') set({ storageProblem: event.problem });
    });
    if (!result.ok) {
      set({ importError: result.reason });
      return;
    }
    const imported = result.data;
    set({
      importedName: imported.name,
      importDifferences: imported.differences,
      trainResult: imported.result,
      trainStatus: 'done',
      trainSettings: imported.settings,
      epochs: [],
      backendReports: [],
      activeBackend: imported.result.backend,
      forecast: null,
      optimizeResult: null,
    });
    await get().loadWhatIfContext();
  },
});
