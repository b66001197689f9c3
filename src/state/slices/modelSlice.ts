import type { StateCreator } from 'zustand';
import type { BundleError } from '../../ml/bundle';
import { mlClient } from '../../workers/clients/mlClient';
import type { AppState } from '../store';

export interface ModelSlice {
  importError: BundleError | null;
  /** Schema differences between an imported model and the loaded data. */
  importDifferences: readonly string[];
  importedName: string | null;
  /** The trained model as a bundle file (bytes and name), for the page to download. */
  exportModel: () => Promise<{ bytes: Uint8Array; fileName: string } | null>;
  importModel: (file: Blob) => Promise<void>;
}

export const createModelSlice: StateCreator<AppState, [], [], ModelSlice> = (set, get) => ({
  importError: null,
  importDifferences: [],
  importedName: null,

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
    const result = await mlClient().importBundle(bytes, dataset ? { roles, summaries: dataset.summaries } : null);
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
