/**
 * The one source of message types between the UI and the workers.
 * Requests and responses are tagged unions matched by `id`; progress arrives
 * unprompted with the id of the request it belongs to. Errors cross as plain
 * `{ name, message, stack }`.
 */
import type { AppendError } from '../data/append';
import type { IngestError, IngestProgress, ReadFacts } from '../data/ingest';
import type { ColumnSummary, Frequency, QualityReport, RoleMap } from '../data/types';
import type { Result } from '../lib/result';
import type { DatasetError, DatasetOptions } from '../ml/features';
import type { EvaluationReport } from '../ml/evaluate';
import type { BatchProgress, EpochResult, StopReason, TrainSettings } from '../ml/train';
import type { BackendName, BackendReport } from '../ml/backends';
import type { Dataset } from '../ml/types';
import type { CurveLevers, PlanForecast, PlanSpec } from '../ml/whatif';
import type { ScenarioKernel } from '../ml/scenarioKernel';
import type { OptimizeRequest, OptimizerLevers, PlanRow } from '../ml/planOptimizer';
import type { RestoredTraining } from './handlers/mlHandler';
import type { BundleColumn, BundleError } from '../ml/bundle';

/** Where the data worker reads a file from. */
export type FileInput = { readonly kind: 'file'; readonly file: File } | { readonly kind: 'url'; readonly url: string; readonly name: string };

export type DataRequest =
  | { readonly type: 'ingest'; readonly id: number; readonly input: FileInput }
  | DatasetRequest
  | { readonly type: 'analyze'; readonly id: number; readonly roles: RoleMap }
  | AppendRequest
  | { readonly type: 'cancel'; readonly id: number };

/**
 * Update with new data: append a newer file to the loaded table and encode it
 * with the trained model's spec; `options` null only appends (a reload
 * re-applying a stored update) and the reply has no data set.
 */
export type AppendRequest = { readonly type: 'append'; readonly id: number; readonly input: FileInput; readonly roles: RoleMap; readonly options: DatasetOptions | null };

/** Why an update file was refused, by the stage that refused it: reading it, appending it, or encoding the result. */
export type UpdateDataError = { readonly stage: 'read'; readonly error: IngestError } | { readonly stage: 'append'; readonly error: AppendError } | { readonly stage: 'dataset'; readonly error: DatasetError };

/** What appending a file did. */
export interface AppendSummary {
  readonly fileName: string;
  /** Rows in the table now. */
  readonly rowCount: number;
  readonly appended: number;
  readonly overlaps: number;
  readonly ignoredColumns: readonly string[];
  readonly newFrom: number | null;
  readonly newTo: number | null;
}

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
  | DatasetResponse
  | { readonly type: 'appended'; readonly id: number; readonly result: Result<{ readonly dataset: Dataset | null; readonly summary: AppendSummary }, UpdateDataError> }
  | { readonly type: 'error'; readonly id: number; readonly error: WorkerError };

/** Turns anything thrown into a plain error that survives structured clone. */
export function toWorkerError(thrown: unknown): WorkerError {
  if (thrown instanceof Error) {
    return { name: thrown.name, message: thrown.message, ...(thrown.stack === undefined ? {} : { stack: thrown.stack }) };
  }
  return { name: 'Error', message: String(thrown) };
}

// ---------------------------------------------------------------------------
// ML worker


/** Which backend to train on: measured ('auto') or the analyst's choice. */
export type BackendChoice = 'auto' | BackendName;

export type DatasetRequest = { readonly type: 'dataset'; readonly id: number; readonly roles: RoleMap; readonly options: DatasetOptions };
export type DatasetResponse = { readonly type: 'dataset'; readonly id: number; readonly result: Result<Dataset, DatasetError> };

export interface FeatureImportance {
  readonly name: string;
  /** Increase of the test MAE when the feature group is shuffled (target units). */
  readonly increase: number;
  readonly relativeIncrease: number;
}

/** What the UI learns from an imported bundle. */
export interface ImportedModel {
  readonly name: string;
  readonly result: TrainResult;
  readonly roles: RoleMap;
  readonly columns: readonly BundleColumn[];
  readonly settings: TrainSettings;
  /** How the loaded data differs from the model's training schema (empty: it matches, or no data loaded). */
  readonly differences: readonly string[];
}

/** The whole result of a training run. */
export interface TrainResult {
  readonly backend: BackendName;
  readonly stoppedBy: StopReason;
  readonly bestEpoch: number;
  readonly epochsRun: number;
  readonly trainCount: number;
  readonly validCount: number;
  readonly evaluation: EvaluationReport;
  readonly importance: readonly FeatureImportance[];
  readonly seriesLabels: readonly string[];
  readonly featureNames: readonly string[];
}

/** Predicted vs actual for one series (one step ahead), downsampled for the chart. */
export interface SeriesForecast {
  readonly label: string;
  readonly times: Float64Array;
  readonly actual: Float64Array;
  readonly predicted: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** First time of the validation and test periods. */
  readonly validStart: number;
  readonly testStart: number;
}

/** Plans to forecast in one batched forward pass: [scenario, no promotion, ...curve points]. */
export interface WhatIfRequest {
  readonly plans: readonly PlanSpec[];
  /**
   * Response curves, sent compact: `base` with one lever at each of its
   * values (see curvePlans). Their plans follow `plans` in the answer.
   */
  readonly curves?: { readonly base: PlanSpec; readonly levers: CurveLevers };
  /** With the shared channel: the pass stops, answering null, once the UI's generation moves past this one. */
  readonly generation?: number;
  /** With the shared channel: the answer is also written there (the UI waits for it in the frame). */
  readonly shared?: boolean;
}

export type { PlanForecast } from '../ml/whatif';

export interface WhatIfResult {
  readonly plans: readonly PlanForecast[];
  /** Observed target for the first plan's series × days (NaN where the plan lies beyond the data). */
  readonly actual: Float64Array;
  /** Day number of each plan step (first series of the first plan). */
  readonly days: readonly number[];
  /** Model time for the batch, in ms. */
  readonly inferenceMs: number;
  readonly windows: number;
}

/** What the what-if controls need to know about the trained model's data. */
export interface WhatIfContext {
  readonly spec: Dataset['spec'];
  readonly leverRanges: Dataset['leverRanges'];
  readonly seriesLeverRanges: Dataset['seriesLeverRanges'];
  readonly noPromotion: Dataset['noPromotion'];
  readonly seriesLabels: readonly string[];
  readonly seriesKeys: readonly (readonly string[])[];
  /** Last observed day per series (day numbers). */
  readonly lastDay: readonly number[];
  readonly firstDay: readonly number[];
  readonly conformalQuantile90: number;
  /** The model's split (day numbers): what Update with new data encodes with. */
  readonly trainEnd: number;
  readonly validEnd: number;
  readonly targetMeaning: Dataset['targetMeaning'];
  readonly kpi: Dataset['kpi'];
  readonly typicalLevers: Dataset['typicalLevers'];
  readonly leverSupport: Dataset['leverSupport'];
}

export type MlRequest =
  | { readonly type: 'train'; readonly id: number; readonly dataset: Dataset; readonly settings: TrainSettings; readonly backend: BackendChoice }
  | { readonly type: 'whatif'; readonly id: number; readonly request: WhatIfRequest }
  | { readonly type: 'channel'; readonly id: number; readonly buffer: SharedArrayBuffer }
  | { readonly type: 'context'; readonly id: number }
  /** The host-side kernel of one what-if context (see ScenarioKernel). */
  | { readonly type: 'scenarioKernel'; readonly id: number; readonly context: Pick<PlanSpec, 'series' | 'startDay' | 'horizon'> }
  | { readonly type: 'optimize'; readonly id: number; readonly request: OptimizeRequest }
  | { readonly type: 'restore'; readonly id: number }
  | { readonly type: 'predictionsCsv'; readonly id: number }
  | { readonly type: 'export'; readonly id: number; readonly meta: { readonly name: string; readonly roles: RoleMap; readonly summaries: readonly { readonly name: string; readonly type: string }[] } }
  | { readonly type: 'import'; readonly id: number; readonly bytes: Uint8Array; readonly current: { readonly roles: RoleMap; readonly summaries: readonly ColumnSummary[] } | null }
  | { readonly type: 'resume'; readonly id: number }
  | { readonly type: 'stop'; readonly id: number }
  | { readonly type: 'forecast'; readonly id: number; readonly series: number }
  | { readonly type: 'update'; readonly id: number; readonly dataset: Dataset; readonly holdoutFrom: number; readonly epochs: number };

/** Error of one model on the held-out newest days. */
export interface UpdateScore {
  readonly mae: number;
  readonly wape: number;
}

/** The outcome of fine-tuning on new data. */
export interface UpdateResult {
  readonly before: UpdateScore;
  readonly after: UpdateScore;
  /** 'fineTuned' when the fine-tuned weights were kept; 'previous' when they did worse and the model was left as it was. */
  readonly kept: 'fineTuned' | 'previous';
  /** First and last held-out date (day numbers), how many dates (time steps) and targets (windows) they hold. */
  readonly holdoutFrom: number;
  readonly holdoutTo: number;
  readonly holdoutDates: number;
  readonly holdoutCount: number;
  readonly epochs: number;
  readonly seconds: number;
  /** Error over time, per week (first day of the week): WAPE of one-step-ahead predictions before and after. */
  readonly drift: readonly { readonly day: number; readonly before: number; readonly after: number }[];
}

export type TrainEvent =
  | { readonly kind: 'phase'; readonly phase: 'backends' | 'windows' | 'training' | 'evaluating' }
  | { readonly kind: 'backends'; readonly reports: readonly BackendReport[]; readonly chosen: BackendName; readonly threads: number }
  | { readonly kind: 'batch'; readonly progress: BatchProgress; readonly epochs: number; readonly trainCount: number }
  | { readonly kind: 'epoch'; readonly result: EpochResult }
  | { readonly kind: 'fallback'; readonly from: BackendName; readonly to: BackendName; readonly reason: string; readonly epoch: number }
  | { readonly kind: 'optimize'; readonly evaluated: number; readonly phase: string; readonly plansPerSecond: number }
  | { readonly kind: 'storage'; readonly problem: 'quota' };

/** The optimizer's answer: one plan per group, with the levers it set. */
export interface OptimizeResult {
  readonly rows: readonly PlanRow[];
  readonly levers: OptimizerLevers;
  readonly totalAdSpend: number;
  readonly evaluated: number;
  readonly seconds: number;
}

export type TrainFailure = { readonly code: 'nonFinite' | 'noBackend' | 'tooFewWindows' | 'notTrained'; readonly params: Readonly<Record<string, string | number>> };

export type MlResponse =
  | { readonly type: 'event'; readonly id: number; readonly event: TrainEvent }
  | { readonly type: 'trained'; readonly id: number; readonly result: Result<TrainResult, TrainFailure> }
  | { readonly type: 'forecast'; readonly id: number; readonly forecast: SeriesForecast }
  /** null: the pass stopped, a newer input made it stale. */
  | { readonly type: 'whatif'; readonly id: number; readonly result: WhatIfResult | null }
  | { readonly type: 'context'; readonly id: number; readonly context: WhatIfContext | null }
  /** null: the model or data has no host-side kernel (its shape needs the Layers API, or a cross-section). */
  | { readonly type: 'scenarioKernel'; readonly id: number; readonly kernel: ScenarioKernel | null }
  | { readonly type: 'optimized'; readonly id: number; readonly result: Result<OptimizeResult, string> }
  | { readonly type: 'restored'; readonly id: number; readonly restored: RestoredTraining | null }
  | { readonly type: 'csv'; readonly id: number; readonly csv: string }
  | { readonly type: 'exported'; readonly id: number; readonly bytes: Uint8Array; readonly fileName: string }
  | { readonly type: 'imported'; readonly id: number; readonly result: Result<ImportedModel, BundleError> }
  | { readonly type: 'updated'; readonly id: number; readonly result: Result<UpdateResult, string> }
  | { readonly type: 'done'; readonly id: number }
  | { readonly type: 'error'; readonly id: number; readonly error: WorkerError };
