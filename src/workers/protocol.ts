/**
 * The one source of message types between the UI and the workers.
 * Requests and responses are tagged unions matched by `id`; progress arrives
 * unprompted with the id of the request it belongs to. Errors cross as plain
 * `{ name, message, stack }`.
 */
import type { IngestError, IngestProgress, ReadFacts } from '../data/ingest';
import type { ColumnSummary, Frequency, QualityReport, RoleMap } from '../data/types';
import type { Result } from '../lib/result';

/** Where the data worker reads a file from. */
export type FileInput = { readonly kind: 'file'; readonly file: File } | { readonly kind: 'url'; readonly url: string; readonly name: string };

export type DataRequest =
  | { readonly type: 'ingest'; readonly id: number; readonly input: FileInput }
  | { readonly type: 'analyze'; readonly id: number; readonly roles: RoleMap }
  | { readonly type: 'cancel'; readonly id: number };

/** What the UI holds of a loaded file: summaries, never the table. */
export interface DatasetSummary {
  readonly fileName: string;
  readonly rowCount: number;
  readonly summaries: readonly ColumnSummary[];
  readonly facts: ReadFacts;
  readonly parseMs: number;
}

/** The panel view of the data under the current roles. */
export interface Analysis {
  readonly report: QualityReport;
  readonly frequency: Frequency;
  readonly seriesCount: number;
  readonly timeSteps: number;
  readonly gapCount: number;
}

export interface WorkerError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export type DataResponse =
  | { readonly type: 'progress'; readonly id: number; readonly progress: IngestProgress }
  | { readonly type: 'ingested'; readonly id: number; readonly result: Result<DatasetSummary, IngestError> }
  | { readonly type: 'analyzed'; readonly id: number; readonly analysis: Analysis }
  | { readonly type: 'error'; readonly id: number; readonly error: WorkerError };

/** Turns anything thrown into a plain error that survives structured clone. */
export function toWorkerError(thrown: unknown): WorkerError {
  if (thrown instanceof Error) {
    return { name: thrown.name, message: thrown.message, ...(thrown.stack === undefined ? {} : { stack: thrown.stack }) };
  }
  return { name: 'Error', message: String(thrown) };
}
