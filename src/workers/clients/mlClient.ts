import type { Dataset } from '../../ml/types';
import type { ScenarioKernel } from '../../ml/scenarioKernel';
import type { PlanSpec } from '../../ml/whatif';
import type { TrainSettings } from '../../ml/train';
import type { Result } from '../../lib/result';
import { datasetTransfer } from '../handlers/datasetTransfer';
import type { RestoredTraining } from '../handlers/mlHandler';
import type { OptimizeRequest } from '../../ml/planOptimizer';
import type { BundleError } from '../../ml/bundle';
import type { ColumnSummary, RoleMap } from '../../data/types';
import type { BackendChoice, ImportedModel, MlRequest, MlResponse, OptimizeResult, SeriesForecast, TrainEvent, TrainFailure, TrainResult, UpdateResult, WhatIfContext, WhatIfRequest, WhatIfResult } from '../protocol';
import { expectReply, WorkerBridge } from './bridge';
import { joinResults, WhatIfChannel } from '../whatIfChannel';

/** Room for a numbers answer in the shared channel (a larger one comes by message). */
const CHANNEL_BYTES = 1 << 20;

/** The UI's typed bridge to the ml worker, which holds the model and the windows. */
export class MlClient {
  private readonly bridge: WorkerBridge<MlRequest, MlResponse>;
  /** Shared memory with the worker for answers within the frame; null without cross-origin isolation. */
  readonly channel: WhatIfChannel | null;

  constructor() {
    const worker = new Worker(new URL('../ml.worker.ts', import.meta.url), { type: 'module', name: 'promocast-ml' });
    this.bridge = new WorkerBridge(worker, ['event']);
    this.channel = WhatIfChannel.create(CHANNEL_BYTES);
    if (this.channel) this.bridge.send({ type: 'channel', id: this.bridge.newId, buffer: this.channel.buffer });
  }

  private static events(onEvent: (e: TrainEvent) => void) {
    return (m: MlResponse) => {
      if (m.type === 'event') onEvent(m.event);
    };
  }

  /** Trains on `dataset` (moved to the worker, not copied) with live events. */
  async train(dataset: Dataset, settings: TrainSettings, backend: BackendChoice, onEvent: (e: TrainEvent) => void): Promise<Result<TrainResult, TrainFailure>> {
    const reply = await this.bridge.request((id) => ({ type: 'train', id, dataset, settings, backend }), { onProgress: MlClient.events(onEvent), transfer: datasetTransfer(dataset) });
    return expectReply(reply, 'trained').result;
  }

  /** Continues a stopped run from its last completed epoch. */
  async resume(onEvent: (e: TrainEvent) => void): Promise<Result<TrainResult, TrainFailure>> {
    return expectReply(await this.bridge.request((id) => ({ type: 'resume', id }), { onProgress: MlClient.events(onEvent) }), 'trained').result;
  }

  /** Asks a running training to stop after the current batch. */
  stop(): void {
    this.bridge.send({ type: 'stop', id: this.bridge.newId });
  }

  /** Forecasts a batch of plans (scenario, no promotion, curve points) in one forward pass; null when the pass stopped as stale (see WhatIfRequest.generation). */
  async whatIf(request: WhatIfRequest): Promise<WhatIfResult | null> {
    return expectReply(await this.bridge.request((id) => ({ type: 'whatif', id, request })), 'whatif').result;
  }

  /**
   * Posts `request` and waits up to `budgetMs` on the shared channel for its
   * answer (blocking: for the few milliseconds of a small pass, inside an
   * animation frame). A request with plans and curves is answered in two
   * parts, the numbers then the curves: `answer` then has the curves too if
   * they came within `withCurvesMs` of the start (`complete`). `answer` is
   * null when the numbers did not come in time (or there is no channel);
   * `reply` is the whole answer by message either way. `meanwhile` runs
   * after the request is posted, before the wait.
   */
  whatIfWithin(request: WhatIfRequest, budgetMs: number, withCurvesMs = budgetMs, meanwhile?: () => void): { answer: WhatIfResult | null; complete: boolean; reply: Promise<WhatIfResult | null> } {
    let sent = 0;
    const reply = this.bridge.request((id) => ((sent = id), { type: 'whatif', id, request: { ...request, shared: this.channel !== null } })).then((m) => expectReply(m, 'whatif').result);
    const started = performance.now();
    // Work of the UI's own (the numbers on the host) runs while the worker computes; the budgets count from the request.
    meanwhile?.();
    const numbers = this.channel?.waitFor(sent, Math.max(0, started + budgetMs - performance.now())) ?? null;
    const parts = request.curves && request.plans.length > 0;
    const curves = numbers && parts ? (this.channel?.waitFor(sent, Math.max(0, started + withCurvesMs - performance.now()), undefined, 1) ?? null) : null;
    const answer = numbers && curves ? joinResults(numbers, curves) : numbers;
    const complete = answer !== null && (!parts || curves !== null);
    // Answered here: the message that follows has nothing left to say (nor an error to report twice).
    if (complete) reply.catch(() => undefined);
    return { answer, complete, reply };
  }

  /** The host-side kernel of one what-if context (see ScenarioKernel); null where the model has none. */
  async scenarioKernel(context: Pick<PlanSpec, 'series' | 'startDay' | 'horizon'>): Promise<ScenarioKernel | null> {
    return expectReply(await this.bridge.request((id) => ({ type: 'scenarioKernel', id, context })), 'scenarioKernel').kernel;
  }

  /** Lever ranges, "no promotion" values and series of the trained model; null before training. */
  async context(): Promise<WhatIfContext | null> {
    return expectReply(await this.bridge.request((id) => ({ type: 'context', id })), 'context').context;
  }

  /** Finds the best plan per group under the constraints, with progress events; `stop()` cancels. */
  async optimize(request: OptimizeRequest, onEvent: (e: TrainEvent) => void): Promise<Result<OptimizeResult, string>> {
    return expectReply(await this.bridge.request((id) => ({ type: 'optimize', id, request }), { onProgress: MlClient.events(onEvent) }), 'optimized').result;
  }

  /** Test-period predictions as CSV: series, date, actual, predicted, 90 % interval. */
  async predictionsCsv(): Promise<string> {
    return expectReply(await this.bridge.request((id) => ({ type: 'predictionsCsv', id })), 'csv').csv;
  }

  /** The trained model as a `.promocast.zip` bundle. */
  async exportBundle(meta: { name: string; roles: RoleMap; summaries: readonly { name: string; type: string }[] }): Promise<{ bytes: Uint8Array; fileName: string }> {
    const reply = expectReply(await this.bridge.request((id) => ({ type: 'export', id, meta })), 'exported');
    return { bytes: reply.bytes, fileName: reply.fileName };
  }

  /** Opens a bundle in the worker (ready for what-if); a bad bundle is a value. */
  async importBundle(bytes: Uint8Array, current: { roles: RoleMap; summaries: readonly ColumnSummary[] } | null, onEvent: (e: TrainEvent) => void = () => undefined): Promise<Result<ImportedModel, BundleError>> {
    return expectReply(await this.bridge.request((id) => ({ type: 'import', id, bytes, current }), { transfer: [bytes.buffer as ArrayBuffer], onProgress: MlClient.events(onEvent) }), 'imported').result;
  }

  /** Rebuilds the model from the last checkpoint (after a reload); null when there is none. */
  async restore(): Promise<RestoredTraining | null> {
    return expectReply(await this.bridge.request((id) => ({ type: 'restore', id })), 'restored').restored;
  }

  /** One-step-ahead predictions and actuals for one series. */
  /** Fine-tunes the model on `dataset` (the old data plus new rows), holding out the days from `holdoutFrom`. */
  async update(dataset: Dataset, holdoutFrom: number, epochs: number, onEvent: (event: TrainEvent) => void): Promise<Result<UpdateResult, string>> {
    const reply = await this.bridge.request((id) => ({ type: 'update', id, dataset, holdoutFrom, epochs }), {
      transfer: datasetTransfer(dataset),
      onProgress: MlClient.events(onEvent),
    });
    return expectReply(reply, 'updated').result;
  }

  async forecast(series: number): Promise<SeriesForecast> {
    return expectReply(await this.bridge.request((id) => ({ type: 'forecast', id, series })), 'forecast').forecast;
  }
}

let shared: MlClient | null = null;
/** The app's one ml client, created on first use. */
export function mlClient(): MlClient {
  shared ??= new MlClient();
  return shared;
}
