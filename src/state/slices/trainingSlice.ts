import type { StateCreator } from 'zustand';
import type { BackendName, BackendReport } from '../../ml/backends';
import type { DatasetError } from '../../ml/features';
import type { BatchProgress, EpochResult, TrainSettings } from '../../ml/train';
import { DEFAULT_TRAIN_SETTINGS } from '../../ml/settings';
import { dataClient, WorkerFailure } from '../../workers/clients/dataClient';
import { mlClient } from '../../workers/clients/mlClient';
import type { BackendChoice, SeriesForecast, TrainEvent, TrainFailure, TrainResult, WorkerError } from '../../workers/protocol';
import type { AppState } from '../store';

export { DEFAULT_TRAIN_SETTINGS };

export type TrainStatus = 'idle' | 'preparing' | 'training' | 'evaluating' | 'done' | 'stopped' | 'failed';

export type TrainError =
  | { readonly kind: 'dataset'; readonly error: DatasetError }
  | { readonly kind: 'training'; readonly error: TrainFailure }
  | { readonly kind: 'bug'; readonly details: WorkerError };

export interface TrainingSlice {
  trainSettings: TrainSettings;
  backendChoice: BackendChoice;
  trainStatus: TrainStatus;
  backendReports: readonly BackendReport[];
  activeBackend: BackendName | null;
  wasmThreads: number;
  epochs: readonly EpochResult[];
  batch: (BatchProgress & { readonly epochs: number; readonly trainCount: number }) | null;
  trainStartedAt: number | null;
  fallbackNotice: { readonly from: BackendName; readonly to: BackendName; readonly reason: string; readonly epoch: number } | null;
  trainResult: TrainResult | null;
  trainError: TrainError | null;
  forecast: SeriesForecast | null;
  forecastSeries: number;
  setTrainSetting: <K extends keyof TrainSettings>(key: K, value: TrainSettings[K]) => void;
  setBackendChoice: (choice: BackendChoice) => void;
  train: () => Promise<void>;
  stopTraining: () => void;
  resumeTraining: () => Promise<void>;
  loadForecast: (series: number) => Promise<void>;
}

function bug(thrown: unknown): TrainError {
  if (thrown instanceof WorkerFailure) return { kind: 'bug', details: thrown.details };
  const e = thrown instanceof Error ? thrown : new Error(String(thrown));
  return { kind: 'bug', details: { name: e.name, message: e.message, ...(e.stack === undefined ? {} : { stack: e.stack }) } };
}

export const createTrainingSlice: StateCreator<AppState, [], [], TrainingSlice> = (set, get) => {
  const onEvent = (e: TrainEvent): void => {
    switch (e.kind) {
      case 'phase':
        if (e.phase === 'evaluating') set({ trainStatus: 'evaluating' });
        else if (e.phase === 'training') set({ trainStatus: 'training' });
        return;
      case 'backends':
        set({ backendReports: e.reports, activeBackend: e.chosen, wasmThreads: e.threads });
        return;
      case 'batch':
        set({ batch: { ...e.progress, epochs: e.epochs, trainCount: e.trainCount } });
        return;
      case 'epoch':
        set({ epochs: [...get().epochs, e.result] });
        return;
      case 'storage':
        set({ storageProblem: e.problem });
        return;
      case 'optimize':
        return;
      case 'fallback':
        set({ activeBackend: e.to, fallbackNotice: { from: e.from, to: e.to, reason: e.reason, epoch: e.epoch } });
        return;
    }
  };

  const settle = async (run: Promise<Awaited<ReturnType<ReturnType<typeof mlClient>['train']>>>): Promise<void> => {
    try {
      const result = await run;
      if (!result.ok) {
        set({ trainStatus: 'failed', trainError: { kind: 'training', error: result.reason } });
        return;
      }
      const stopped = result.data.stoppedBy === 'stopped';
      set({ trainStatus: stopped ? 'stopped' : 'done', trainResult: result.data, activeBackend: result.data.backend });
      await get().loadWhatIfContext();
      await get().loadForecast(Math.min(get().forecastSeries, result.data.seriesLabels.length - 1));
    } catch (thrown) {
      set({ trainStatus: 'failed', trainError: bug(thrown) });
    }
  };

  return {
    trainSettings: DEFAULT_TRAIN_SETTINGS,
    backendChoice: 'auto',
    trainStatus: 'idle',
    backendReports: [],
    activeBackend: null,
    wasmThreads: 1,
    epochs: [],
    batch: null,
    trainStartedAt: null,
    fallbackNotice: null,
    trainResult: null,
    trainError: null,
    forecast: null,
    forecastSeries: 0,

    setTrainSetting: (key, value) => set({ trainSettings: { ...get().trainSettings, [key]: value } }),
    setBackendChoice: (backendChoice) => set({ backendChoice }),

    train: async () => {
      const { roles, trainSettings, backendChoice } = get();
      // A new model: the last update's before/after no longer describes it.
      set({ trainStatus: 'preparing', trainError: null, trainResult: null, epochs: [], batch: null, fallbackNotice: null, forecast: null, trainStartedAt: Date.now(), updateStatus: 'idle', updateError: null, updateSummary: null, updateResult: null, updateProgress: null });
      try {
        const dataset = await dataClient().dataset(roles, { windowLength: trainSettings.windowLength, seed: trainSettings.seed });
        if (!dataset.ok) {
          set({ trainStatus: 'failed', trainError: { kind: 'dataset', error: dataset.reason } });
          return;
        }
        get().forgetWhatIfAnswers();
        await settle(mlClient().train(dataset.data, trainSettings, backendChoice, onEvent));
      } catch (thrown) {
        set({ trainStatus: 'failed', trainError: bug(thrown) });
      }
    },

    stopTraining: () => mlClient().stop(),

    resumeTraining: async () => {
      set({ trainStatus: 'training', trainError: null });
      get().forgetWhatIfAnswers();
      await settle(mlClient().resume(onEvent));
    },

    loadForecast: async (series) => {
      set({ forecastSeries: series });
      try {
        const forecast = await mlClient().forecast(series);
        if (get().forecastSeries === series) set({ forecast });
      } catch (thrown) {
        set({ trainError: bug(thrown) });
      }
    },
  };
};
