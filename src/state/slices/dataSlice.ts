import type { StateCreator } from 'zustand';
import type { IngestError, IngestProgress } from '../../data/ingest';
import { applyRoleOverrides } from '../../data/roleOverrides';
import { suggestRoles } from '../../data/roles';
import type { Role, RoleMap } from '../../data/types';
import { dataClient, WorkerFailure } from '../../workers/clients/dataClient';
import type { Analysis, DatasetSummary, FileInput, WorkerError } from '../../workers/protocol';
import type { AppState } from '../store';
import { deleteValue, saveValue, type StorageFailure } from '../../workers/storage';
import { CHECKPOINT_DATASET_KEY, CHECKPOINT_KEY, UPDATES_KEY } from '../../workers/storageKeys';

export type DataError = { readonly kind: 'ingest'; readonly error: IngestError } | { readonly kind: 'bug'; readonly details: WorkerError };

export interface DataSlice {
  loadStatus: 'idle' | 'loading';
  loadingFile: string | null;
  progress: IngestProgress | null;
  dataset: DatasetSummary | null;
  suggestedRoles: RoleMap;
  roles: RoleMap;
  analysis: Analysis | null;
  dataError: DataError | null;
  /** Set when the browser refused to store the session (e.g. quota). */
  storageProblem: StorageFailure | null;
  /** The analyst's role choices per file layout (column names), kept across loads. */
  rolesBySchema: Record<string, RoleMap>;
  /** Reads a file; `keepSession` (a reload) keeps the stored model checkpoint. */
  loadFile: (input: FileInput, options?: { readonly keepSession?: boolean }) => Promise<void>;
  cancelLoad: () => void;
  setRole: (column: string, role: Role) => void;
  /** Recomputes the quality report under the current roles. */
  reanalyze: () => Promise<void>;
  resetRoles: () => void;
}

/** The key under which role choices are kept: the column names in order. */
export function schemaKey(columns: readonly string[]): string {
  return columns.join('\u001f');
}

/** Applies a role choice, keeping at most one time and one target column (see {@link applyRoleOverrides}). */
export function withRole(roles: RoleMap, column: string, role: Role): RoleMap {
  return applyRoleOverrides(roles, [{ column, role }]);
}

let abort: AbortController | null = null;

/** Where the loaded file is kept for a reload. */
export const FILE_KEY = 'file';

/** Training, what-if and optimize state of a fresh data set. */
export const FRESH_MODEL_STATE = {
  trainStatus: 'idle',
  trainResult: null,
  trainError: null,
  epochs: [],
  batch: null,
  backendReports: [],
  activeBackend: null,
  fallbackNotice: null,
  forecast: null,
  whatIfContext: null,
  scenario: null,
  whatIfResult: null,
  whatIfAnswered: null,
  whatIfCharts: null,
  savedScenarios: [],
  optimizeStatus: 'idle',
  optimizeResult: null,
  optimizeError: null,
  optimizeProgress: null,
  updateStatus: 'idle',
  updateFileName: null,
  updateError: null,
  updateSummary: null,
  updateResult: null,
} as const;

function asDataError(thrown: unknown): DataError {
  if (thrown instanceof WorkerFailure) return { kind: 'bug', details: thrown.details };
  const e = thrown instanceof Error ? thrown : new Error(String(thrown));
  return { kind: 'bug', details: { name: e.name, message: e.message, ...(e.stack === undefined ? {} : { stack: e.stack }) } };
}

export const createDataSlice: StateCreator<AppState, [], [], DataSlice> = (set, get) => {
  const analyze = async (roles: RoleMap): Promise<void> => {
    try {
      const analysis = await dataClient().analyze(roles);
      if (get().roles === roles) set({ analysis });
    } catch (thrown) {
      set({ dataError: asDataError(thrown) });
    }
  };

  return {
    loadStatus: 'idle',
    loadingFile: null,
    progress: null,
    dataset: null,
    suggestedRoles: {},
    roles: {},
    analysis: null,
    dataError: null,
    storageProblem: null,
    rolesBySchema: {},

    loadFile: async (input, options = {}) => {
      abort?.abort();
      const controller = new AbortController();
      abort = controller;
      const name = input.kind === 'file' ? input.file.name : input.name;
      set({ loadStatus: 'loading', loadingFile: name, progress: null, dataError: null });
      try {
        const result = await dataClient().ingest(input, {
          signal: controller.signal,
          onProgress: (progress) => {
            if (abort === controller) set({ progress });
          },
        });
        if (abort !== controller) return;
        if (!result.ok) {
          set({ loadStatus: 'idle', loadingFile: null, progress: null, dataError: { kind: 'ingest', error: result.reason } });
          return;
        }
        const dataset = result.data;
        const suggestedRoles = suggestRoles(dataset.summaries);
        const kept = get().rolesBySchema[schemaKey(dataset.summaries.map((s) => s.name))];
        const roles = kept ?? suggestedRoles;
        // A new file starts a new analysis: results of the old data no longer apply.
        set({ loadStatus: 'idle', loadingFile: null, progress: null, dataset, suggestedRoles, roles, analysis: null, ...FRESH_MODEL_STATE });
        // Kept for a reload: the file itself (re-reading it is faster than storing every column).
        const saved = await saveValue(FILE_KEY, input);
        if (!saved.ok) set({ storageProblem: saved.reason });
        if (!options.keepSession) await Promise.all([deleteValue(CHECKPOINT_KEY), deleteValue(CHECKPOINT_DATASET_KEY), deleteValue(UPDATES_KEY)]);
        await analyze(roles);
      } catch (thrown) {
        if (abort === controller) set({ loadStatus: 'idle', loadingFile: null, progress: null, dataError: asDataError(thrown) });
      } finally {
        if (abort === controller) abort = null;
      }
    },

    reanalyze: () => analyze(get().roles),

    cancelLoad: () => {
      abort?.abort();
    },

    setRole: (column, role) => {
      const { dataset, rolesBySchema } = get();
      if (!dataset) return;
      const roles = withRole(get().roles, column, role);
      const key = schemaKey(dataset.summaries.map((s) => s.name));
      set({ roles, rolesBySchema: { ...rolesBySchema, [key]: roles } });
      void analyze(roles);
    },

    resetRoles: () => {
      const { dataset, suggestedRoles, rolesBySchema } = get();
      if (!dataset) return;
      const key = schemaKey(dataset.summaries.map((s) => s.name));
      const { [key]: _dropped, ...rest } = rolesBySchema;
      void _dropped;
      set({ roles: suggestedRoles, rolesBySchema: rest });
      void analyze(suggestedRoles);
    },
  };
};
