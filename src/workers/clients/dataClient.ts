import type { IngestError, IngestProgress } from '../../data/ingest';
import type { RoleMap } from '../../data/types';
import type { Result } from '../../lib/result';
import type { Analysis, DataRequest, DataResponse, DatasetSummary, FileInput, WorkerError } from '../protocol';

/** A bug inside the worker, carried across as a plain error. */
export class WorkerFailure extends Error {
  readonly details: WorkerError;
  constructor(details: WorkerError) {
    super(details.message);
    this.name = details.name;
    this.details = details;
  }
}

type Pending = {
  resolve: (message: DataResponse) => void;
  reject: (error: Error) => void;
  onProgress?: (progress: IngestProgress) => void;
};

/**
 * The UI's typed bridge to the data worker. It owns the worker; calls
 * return promises, take an AbortSignal, and progress arrives by callback.
 */
export class DataClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor() {
    this.worker = new Worker(new URL('../data.worker.ts', import.meta.url), { type: 'module', name: 'promocast-data' });
    this.worker.onmessage = (event: MessageEvent<DataResponse>) => this.route(event.data);
    this.worker.onerror = (event) => {
      const error = new WorkerFailure({ name: 'WorkerError', message: event.message || 'The data worker stopped' });
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
  }

  private route(message: DataResponse): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'progress') {
      pending.onProgress?.(message.progress);
      return;
    }
    this.pending.delete(message.id);
    if (message.type === 'error') pending.reject(new WorkerFailure(message.error));
    else pending.resolve(message);
  }

  private request(build: (id: number) => DataRequest, extra: { signal?: AbortSignal; onProgress?: (p: IngestProgress) => void } = {}): Promise<DataResponse> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(extra.onProgress ? { onProgress: extra.onProgress } : {}) });
      extra.signal?.addEventListener('abort', () => this.worker.postMessage({ type: 'cancel', id } satisfies DataRequest), { once: true });
      this.worker.postMessage(build(id));
    });
  }

  /** Parses a file in the worker; the worker keeps the table, the UI gets summaries. */
  async ingest(input: FileInput, options: { signal?: AbortSignal; onProgress?: (p: IngestProgress) => void } = {}): Promise<Result<DatasetSummary, IngestError>> {
    const message = await this.request((id) => ({ type: 'ingest', id, input }), options);
    if (message.type !== 'ingested') throw new Error(`Unexpected reply ${message.type}`);
    return message.result;
  }

  /** Builds the panel under `roles` and returns the quality report. */
  async analyze(roles: RoleMap): Promise<Analysis> {
    const message = await this.request((id) => ({ type: 'analyze', id, roles }));
    if (message.type !== 'analyzed') throw new Error(`Unexpected reply ${message.type}`);
    return message.analysis;
  }
}

let shared: DataClient | null = null;
/** The app's one data client, created on first use. */
export function dataClient(): DataClient {
  shared ??= new DataClient();
  return shared;
}
