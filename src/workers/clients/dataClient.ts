import type { IngestError, IngestProgress } from '../../data/ingest';
import type { RoleMap } from '../../data/types';
import type { DatasetError, DatasetOptions } from '../../ml/features';
import type { Dataset } from '../../ml/types';
import type { Result } from '../../lib/result';
import type { Analysis, AppendSummary, DataRequest, DataResponse, DatasetSummary, FileInput, UpdateDataError } from '../protocol';
import { expectReply, WorkerBridge } from './bridge';

export { WorkerFailure } from './bridge';

/**
 * The UI's typed bridge to the data worker, which holds the parsed table.
 * Calls return promises and take an AbortSignal; progress arrives by callback.
 */
export class DataClient {
  private readonly bridge: WorkerBridge<DataRequest, DataResponse>;

  constructor() {
    const worker = new Worker(new URL('../data.worker.ts', import.meta.url), { type: 'module', name: 'promocast-data' });
    this.bridge = new WorkerBridge(worker, ['progress']);
  }

  /** Parses a file in the worker; the worker keeps the table, the UI gets summaries. */
  async ingest(input: FileInput, options: { signal?: AbortSignal; onProgress?: (p: IngestProgress) => void } = {}): Promise<Result<DatasetSummary, IngestError>> {
    const { onProgress, signal } = options;
    const reply = await this.bridge.request((id) => ({ type: 'ingest', id, input }), {
      ...(onProgress ? { onProgress: (m: DataResponse) => m.type === 'progress' && onProgress(m.progress) } : {}),
      ...(signal ? { signal, cancel: (id: number) => ({ type: 'cancel', id }) as const } : {}),
    });
    return expectReply(reply, 'ingested').result;
  }

  /** Builds the panel under `roles` and returns the quality report. */
  async analyze(roles: RoleMap): Promise<Analysis> {
    return expectReply(await this.bridge.request((id) => ({ type: 'analyze', id, roles })), 'analyzed').analysis;
  }

  /**
   * Appends a newer file to the loaded table and encodes the whole with
   * `options.reuse` (Update with new data); with `options` null it only
   * appends (a reload re-applying a stored update).
   */
  async append(input: FileInput, roles: RoleMap, options: DatasetOptions): Promise<Result<{ dataset: Dataset; summary: AppendSummary }, UpdateDataError>>;
  async append(input: FileInput, roles: RoleMap, options: null): Promise<Result<{ dataset: null; summary: AppendSummary }, UpdateDataError>>;
  async append(input: FileInput, roles: RoleMap, options: DatasetOptions | null): Promise<Result<{ dataset: Dataset | null; summary: AppendSummary }, UpdateDataError>> {
    return expectReply(await this.bridge.request((id) => ({ type: 'append', id, input, roles, options })), 'appended').result;
  }

  /** Builds the model-ready data set (its buffers are transferred to this thread). */
  async dataset(roles: RoleMap, options: DatasetOptions): Promise<Result<Dataset, DatasetError>> {
    return expectReply(await this.bridge.request((id) => ({ type: 'dataset', id, roles, options })), 'dataset').result;
  }
}

let shared: DataClient | null = null;
/** The app's one data client, created on first use. */
export function dataClient(): DataClient {
  shared ??= new DataClient();
  return shared;
}
