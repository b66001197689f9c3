import * as tf from '@tensorflow/tfjs';
import { lttb } from '../../charts/lttb';
import type { BackendName, BackendReport } from '../../ml/backends';
import { evaluate, fitLinearBaseline, naivePredictions, predictLinear, toOriginalUnits, type EvaluationReport, type ModelPredictions } from '../../ml/evaluate';
import { fromModelSpace, makeWindows } from '../../ml/features';
import { permutationImportance } from '../../ml/importance';
import { ADAM_EPSILON, buildLstmModel } from '../../ml/lstm';
import { toCsv, UTF8_BOM } from '../../lib/csv';
import { fail, ok, type Result } from '../../lib/result';
import { bundleFileName, compareSchema, createManifest, datasetFromBundle, loadBundleModel, modelCard, readBundle, writeBundle } from '../../ml/bundle';
import { regressionMetrics } from '../../ml/metrics';
import { calibrationShift, shiftOutput } from '../../ml/calibrate';
import { lossFor, meanLoss, predictValues, predictWindows, trainLoop, type EpochResult, type StopReason, type TrainSettings } from '../../ml/train';
import type { RoleMap } from '../../data/types';
import type { Dataset, Windows } from '../../ml/types';
import { actualsForPlan, addForecast, curvePlans, dayOfStep, planWindows, stepOfDay } from '../../ml/whatif';
import { kernelBuffers, scenarioKernelOf } from '../../ml/scenarioKernelOf';
import { PassStopped } from '../../ml/fastLstm';
import { joinResults, WhatIfChannel } from '../whatIfChannel';
import { CHECKPOINT_DATASET_KEY, CHECKPOINT_KEY } from '../storageKeys';
import { identifyLevers } from '../../ml/leverRoles';
import { checkConstraints } from '../../ml/optimize';
import { optimizeWithModel } from '../../ml/planOptimizer';
import { toWorkerError, type BackendChoice, type FeatureImportance, type MlRequest, type MlResponse, type PlanForecast, type SeriesForecast, type TrainEvent, type TrainFailure, type TrainResult, type UpdateResult, type UpdateScore, type WhatIfContext, type WhatIfRequest, type WhatIfResult } from '../protocol';

/** How the handler reaches tf.js backends: the worker wires the real ones, tests the cpu. */
export interface BackendEnv {
  /** Backends that initialise here, best guess first. */
  available(): Promise<BackendName[]>;
  /** Numerics against cpu and one timed training step at the real shapes. */
  selfTest(candidates: readonly BackendName[], shapes: { windowLength: number; featureCount: number; units: number; batchSize: number }): Promise<BackendReport[]>;
  use(backend: BackendName): Promise<void>;
  /** WASM threads in use (1 when single-threaded or not WASM). */
  threads(): number;
}

type Post = (message: MlResponse, transfer?: Transferable[]) => void;

interface Session {
  readonly dataset: Dataset;
  readonly settings: TrainSettings;
  readonly train: Windows;
  readonly valid: Windows;
  readonly test: Windows;
  /** Backends to try, in order; the first is in use. */
  ranking: BackendName[];
  model: tf.LayersModel | null;
  optimizer: tf.Optimizer | null;
  epochsDone: number;
  bestEpoch: number;
  bestValidLoss: number;
  stoppedBy: StopReason;
  /** Weights after the last completed epoch: survives a lost backend. */
  snapshot: { values: Float32Array; shape: number[] }[] | null;
  stopRequested: boolean;
  result: TrainResult | null;
  /** Every completed epoch, for the loss chart after a reload. */
  epochs: EpochResult[];
  /** The columns the model was trained on when it came from a bundle (a re-export keeps them); null: the page's. */
  readonly schema: BundleSchema | null;
}

/** Roles and column types a bundle was made from. */
interface BundleSchema {
  readonly roles: RoleMap;
  readonly summaries: readonly { readonly name: string; readonly type: string }[];
}

/** Where the handler keeps its checkpoint (IndexedDB in the worker; absent in tests). */
export interface CheckpointStore {
  save(key: string, value: unknown): Promise<{ readonly ok: boolean }>;
  load<T>(key: string): Promise<T | undefined>;
}

/** What is stored after every epoch: enough to rebuild the model and go on training. */
interface Checkpoint {
  readonly settings: TrainSettings;
  readonly epochsDone: number;
  readonly bestEpoch: number;
  readonly bestValidLoss: number;
  readonly stoppedBy: StopReason;
  readonly snapshot: { values: Float32Array; shape: number[] }[] | null;
  readonly epochs: EpochResult[];
  readonly result: TrainResult | null;
  readonly ranking: BackendName[];
  readonly schema?: BundleSchema | null;
}


/** What a restored session tells the UI. */
export interface RestoredTraining {
  readonly settings: TrainSettings;
  readonly epochs: readonly EpochResult[];
  readonly result: TrainResult | null;
  readonly epochsDone: number;
  readonly backend: BackendName;
}

/** Feature groups shuffled together for permutation importance (one per source column). */
function importanceGroups(dataset: Dataset): { name: string; columns: number[] }[] {
  const groups = new Map<string, number[]>();
  dataset.spec.features.forEach((f, k) => {
    const s = f.source;
    const name =
      s.kind === 'numeric' || s.kind === 'onehot' || s.kind === 'static' || s.kind === 'eventMonth'
        ? s.column
        : s.kind === 'calendar'
          ? 'calendar'
          : `${dataset.spec.target.column} history`;
    const list = groups.get(name) ?? [];
    list.push(k);
    groups.set(name, list);
  });
  return Array.from(groups, ([name, columns]) => ({ name, columns }));
}

function disposeModel(session: Session): void {
  session.model?.dispose();
  session.optimizer?.dispose();
  session.model = null;
  session.optimizer = null;
}

/**
 * The ml worker's logic, free of `self`: trains the LSTM on the measured-best
 * backend with live events, falls back to the next backend from the last
 * completed epoch when one fails, then evaluates against the baselines.
 */
export function createMlHandler(post: Post, env: BackendEnv, store?: CheckpointStore): (request: MlRequest) => Promise<void> {
  let session: Session | null = null;
  let optimizing: AbortController | null = null;
  // Shared memory with the UI, where it has one (cross-origin isolated): see WhatIfChannel.
  let channel: WhatIfChannel | null = null;

  const event = (id: number, e: TrainEvent) => post({ type: 'event', id, event: e });

  /**
   * Stores the checkpoint (and, with `withDataset`, the session's data set); a
   * refused write is a 'storage' event on request `id`.
   */
  const checkpoint = async (id: number, s: Session, withDataset = false): Promise<void> => {
    if (!store) return;
    if (withDataset) {
      const saved = await store.save(CHECKPOINT_DATASET_KEY, s.dataset);
      if (!saved.ok) event(id, { kind: 'storage', problem: 'quota' });
    }
    const value: Checkpoint = {
      settings: s.settings,
      epochsDone: s.epochsDone,
      bestEpoch: s.bestEpoch,
      bestValidLoss: s.bestValidLoss,
      stoppedBy: s.stoppedBy,
      snapshot: s.snapshot,
      epochs: s.epochs,
      result: s.result,
      ranking: s.ranking,
      schema: s.schema,
    };
    const saved = await store.save(CHECKPOINT_KEY, value);
    if (!saved.ok) event(id, { kind: 'storage', problem: 'quota' });
  };

  const buildModel = (s: Session): void => {
    disposeModel(s);
    const { model, optimizer } = buildLstmModel({
      windowLength: s.train.windowLength,
      featureCount: s.train.featureCount,
      units: s.settings.units,
      layers: s.settings.layers,
      dropout: s.settings.dropout,
      learningRate: s.settings.learningRate,
      seed: s.settings.seed,
      output: s.dataset.spec.target.kind === 'binary' ? 'binary' : 'regression',
    });
    if (s.snapshot) restoreSnapshot(model, s.snapshot);
    s.model = model;
    s.optimizer = optimizer;
  };

  const snapshot = async (model: tf.LayersModel) =>
    Promise.all(model.getWeights().map(async (w) => ({ values: (await w.data()) as Float32Array, shape: w.shape.slice() })));
  /** Puts a {@link snapshot}'s weights back into `model`. */
  const restoreSnapshot = (model: tf.LayersModel, saved: Awaited<ReturnType<typeof snapshot>>) => {
    const weights = saved.map((w) => tf.tensor(w.values, w.shape));
    model.setWeights(weights);
    tf.dispose(weights);
  };

  /** Trains until done, falling back along the ranking when a backend fails. */
  const runTraining = async (id: number, s: Session): Promise<TrainFailure | null> => {
    for (;;) {
      const backend = s.ranking[0];
      if (backend === undefined) return { code: 'noBackend', params: {} };
      try {
        await env.use(backend);
        if (!s.model) buildModel(s);
        event(id, { kind: 'phase', phase: 'training' });
        const startEpoch = s.epochsDone;
        const outcome = await trainLoop({
          model: s.model!,
          optimizer: s.optimizer!,
          loss: lossFor(s.dataset.spec),
          train: s.train,
          valid: s.valid,
          settings: s.settings,
          startEpoch,
          bestValidLoss: s.bestValidLoss,
          shouldStop: () => s.stopRequested,
          onBatch: (progress) => event(id, { kind: 'batch', progress, epochs: s.settings.epochs, trainCount: s.train.count }),
          onEpoch: async (result) => {
            s.epochsDone = result.epoch;
            if (result.best) {
              s.bestValidLoss = result.validLoss;
              s.bestEpoch = result.epoch;
              s.snapshot = await snapshot(s.model!);
            }
            s.epochs.push(result);
            event(id, { kind: 'epoch', result });
            await checkpoint(id, s);
          },
        });
        s.stoppedBy = outcome.stoppedBy;
        if (outcome.stoppedBy === 'nonFinite') {
          return { code: 'nonFinite', params: { epoch: s.epochsDone + 1, learningRate: s.settings.learningRate } };
        }
        // The loop restored its best weights; a resumed run that found no better epoch goes back to the earlier best.
        if (outcome.bestEpoch <= startEpoch && startEpoch > 0 && s.snapshot) restoreSnapshot(s.model!, s.snapshot);
        return null;
      } catch (thrown) {
        const failed = s.ranking.shift()!;
        const next = s.ranking[0];
        if (next === undefined) throw thrown;
        // Rebuild on the next backend from the best completed epoch.
        s.model = null;
        s.optimizer = null;
        event(id, { kind: 'fallback', from: failed, to: next, reason: thrown instanceof Error ? thrown.message : String(thrown), epoch: s.epochsDone });
      }
    }
  };

  /**
   * Update with new data: the model's error on the newest days (held out)
   * before and after fine-tuning on everything before them, from the current
   * weights; keeps the fine-tuned weights unless they do worse there.
   */
  const updateModel = async (id: number, s: Session, dataset: Dataset, holdoutFrom: number, epochs: number): Promise<Result<UpdateResult, string>> => {
    const model = s.model!;
    const spec = dataset.spec;
    const split: Dataset = { ...dataset, trainEnd: holdoutFrom, validEnd: holdoutFrom };
    const train = makeWindows(split, { split: 'train', horizon: 'mixed', seed: s.settings.seed });
    const holdout = makeWindows(split, { split: 'test', horizon: 1 });
    if (holdout.count === 0 || train.count === 0) return fail('noNewTargets');
    const timeline = [makeWindows(split, { split: 'train', horizon: 1 }), holdout];
    const score = async (): Promise<{ score: UpdateScore; timeline: Float64Array[] }> => {
      const predicted = toOriginalUnits(spec, await predictWindows(model, holdout));
      let abs = 0;
      let total = 0;
      for (let i = 0; i < holdout.count; i++) {
        abs += Math.abs(predicted[i]! - holdout.actual[i]!);
        total += Math.abs(holdout.actual[i]!);
      }
      const all = await Promise.all(timeline.map(async (w) => toOriginalUnits(spec, await predictWindows(model, w))));
      return { score: { mae: abs / holdout.count, wape: total > 0 ? abs / total : NaN }, timeline: all };
    };
    const before = await score();
    const previous = await snapshot(model);
    const started = performance.now();
    const optimizer = tf.train.adam(s.settings.learningRate, 0.9, 0.999, ADAM_EPSILON);
    try {
      event(id, { kind: 'phase', phase: 'training' });
      await trainLoop({
        model,
        optimizer,
        loss: lossFor(spec),
        train,
        // No validation: a fixed number of epochs, judged afterwards on the held-out days.
        valid: { ...holdout, count: 0 },
        settings: { ...s.settings, epochs, patience: 0 },
        onBatch: (progress) => event(id, { kind: 'batch', progress, epochs, trainCount: train.count }),
        onEpoch: (result) => event(id, { kind: 'epoch', result }),
      });
    } finally {
      optimizer.dispose();
    }
    // Fine-tuning moves the level the calibration set: set it again, on the newest fifth of the
    // training days (the held-out days are for the score).
    // Only those windows are predicted (score() predicts them all once more, after the shift).
    const fitted = timeline[0]!;
    const fittedDays = Float64Array.from({ length: fitted.count }, (_, i) => dataset.series[fitted.series[i]!]!.times[fitted.step[i]!]!);
    const cut = Float64Array.from(fittedDays).sort()[Math.floor(0.8 * fitted.count)] ?? -Infinity;
    const newest: number[] = [];
    fittedDays.forEach((day, i) => day >= cut && newest.push(i));
    const stride = fitted.windowLength * fitted.featureCount;
    const newestX = new Float32Array(newest.length * stride);
    newest.forEach((i, k) => newestX.set(fitted.x.subarray(i * stride, (i + 1) * stride), k * stride));
    const newestOut = await predictWindows(model, { ...fitted, x: newestX, count: newest.length });
    const shift = calibrationShift(spec, newestOut, newest.map((i) => fitted.actual[i]!));
    if (shift !== 0) shiftOutput(model, shift);
    const seconds = (performance.now() - started) / 1000;
    const after = await score();
    const kept = after.score.wape <= before.score.wape || !(before.score.wape === before.score.wape) ? 'fineTuned' : 'previous';
    if (kept === 'previous') restoreSnapshot(model, previous);
    // Error over time, per week of target days.
    const weeks = new Map<number, { day: number; abs: [number, number]; total: number }>();
    timeline.forEach((w, k) => {
      for (let i = 0; i < w.count; i++) {
        const grid = dataset.series[w.series[i]!]!;
        const day = grid.times[w.step[i]!]!;
        const week = Math.floor((day - 4) / 7) * 7 + 4;
        const entry = weeks.get(week) ?? { day: week, abs: [0, 0], total: 0 };
        const actual = w.actual[i]!;
        entry.abs[0] += Math.abs(before.timeline[k]![i]! - actual);
        entry.abs[1] += Math.abs(after.timeline[k]![i]! - actual);
        entry.total += Math.abs(actual);
        weeks.set(week, entry);
      }
    });
    const drift = [...weeks.values()].sort((a, b) => a.day - b.day).filter((e) => e.total > 0).map((e) => ({ day: e.day, before: e.abs[0] / e.total, after: e.abs[1] / e.total }));
    // The merged data is the session's data from now on: what-if plans start after the new rows.
    session = { ...s, dataset, snapshot: await snapshot(model) };
    await checkpoint(id, session, true);
    // The held-out dates as the data has them (weekly data: the Mondays after the cut, not the cut's day).
    const dates = new Set<number>();
    for (let i = 0; i < holdout.count; i++) dates.add(dataset.series[holdout.series[i]!]!.times[holdout.step[i]!]!);
    const held = [...dates];
    return ok({ before: before.score, after: after.score, kept, holdoutFrom: Math.min(...held), holdoutTo: Math.max(...held), holdoutDates: held.length, holdoutCount: holdout.count, epochs, seconds, drift });
  };

  const finish = async (id: number, s: Session): Promise<TrainResult> => {
    event(id, { kind: 'phase', phase: 'evaluating' });
    const model = s.model!;
    const spec = s.dataset.spec;
    // The level on the validation days: the head's bias takes the shift that makes the
    // predictions sum to the actual values there (see calibrationShift). Kept in the
    // snapshot, so a reload or a resume starts from the calibrated model.
    const validOut = await predictWindows(model, s.valid);
    const shift = calibrationShift(spec, validOut, s.valid.actual);
    if (shift !== 0) {
      shiftOutput(model, shift);
      // The head is linear: the calibrated model's outputs are these plus the shift.
      for (let i = 0; i < validOut.length; i++) validOut[i]! += shift;
      s.snapshot = await snapshot(model);
      // A resume compares its epochs with the model it starts from: the calibrated one.
      s.bestValidLoss = meanLoss(lossFor(spec), s.valid.y, validOut, s.valid.count);
    }
    const testOut = await predictWindows(model, s.test);
    let trainMean = 0;
    for (let i = 0; i < s.train.count; i++) trainMean += s.train.actual[i]!;
    trainMean /= Math.max(1, s.train.count);
    const linear = fitLinearBaseline(s.train, s.valid);
    const predictions: ModelPredictions = {
      lstm: toOriginalUnits(spec, testOut),
      ...naivePredictions(s.test, trainMean),
      linear: predictLinear(spec, linear, s.test),
    };
    const evaluation = evaluate({ dataset: s.dataset, test: s.test, testPredictions: predictions, validModelSpace: validOut, valid: s.valid, testModelSpace: testOut });
    const importance: FeatureImportance[] = s.test.count === 0 ? [] : await permutationImportance({
      windows: s.test,
      featureGroups: importanceGroups(s.dataset),
      predict: async (x, count) => toOriginalUnits(spec, await predictWindows(model, { ...s.test, x, count })),
      metric: (a, p) => regressionMetrics(a, p).mae,
      maxWindows: 2000,
      seed: s.settings.seed,
    });
    return {
      backend: s.ranking[0]!,
      stoppedBy: s.stoppedBy,
      bestEpoch: s.bestEpoch,
      epochsRun: s.epochsDone,
      trainCount: s.train.count,
      validCount: s.valid.count,
      evaluation,
      importance,
      seriesLabels: s.dataset.series.map((g) => g.label),
      featureNames: spec.features.map((f) => f.name),
    };
  };

  const trainAndReport = async (id: number, s: Session): Promise<void> => {
    s.stopRequested = false;
    const failure = await runTraining(id, s);
    if (failure) {
      post({ type: 'trained', id, result: { ok: false, reason: failure } });
      return;
    }
    const result = await finish(id, s);
    s.result = result;
    await checkpoint(id, s);
    post({ type: 'trained', id, result: { ok: true, data: result } });
  };

  const forecast = async (seriesIndex: number): Promise<SeriesForecast> => {
    const s = session;
    if (!s?.model) throw new Error('No trained model');
    const grid = s.dataset.series[seriesIndex];
    if (!grid) throw new Error(`No series ${seriesIndex}`);
    const one = { ...s.dataset, series: [grid] };
    const parts = (['train', 'validation', 'test'] as const).map((split) => makeWindows(one, { split, horizon: 1 }));
    const count = parts.reduce((n, w) => n + w.count, 0);
    const times = new Float64Array(count);
    const actual = new Float64Array(count);
    const predicted = new Float64Array(count);
    const lower = new Float64Array(count);
    const upper = new Float64Array(count);
    const q = s.result?.evaluation.conformalQuantile90 ?? NaN;
    const forecast = { mean: predicted, lower, upper };
    let at = 0;
    for (const w of parts) {
      const out = await predictWindows(s.model, w);
      for (let i = 0; i < w.count; i++) {
        times[at] = grid.times[w.step[i]!]!;
        actual[at] = w.actual[i]!;
        addForecast(s.dataset.spec, q, out[i]!, forecast, at);
        at++;
      }
    }
    const order = Array.from(times.keys()).sort((a, b) => times[a]! - times[b]!);
    const pick = (a: Float64Array) => Float64Array.from(order, (k) => a[k]!);
    const [t, y, p, lo, hi] = [pick(times), pick(actual), pick(predicted), pick(lower), pick(upper)];
    // Long series are downsampled (LTTB on the actuals) so the chart stays fast.
    const keep = lttb(t, y, 600);
    const sub = (a: Float64Array) => Float64Array.from(keep, (k) => a[k]!);
    return { label: grid.label, times: sub(t), actual: sub(y), predicted: sub(p), lower: sub(lo), upper: sub(hi), validStart: s.dataset.trainEnd, testStart: s.dataset.validEnd };
  };

  return async (request) => {
    try {
      switch (request.type) {
        case 'channel':
          channel = new WhatIfChannel(request.buffer);
          post({ type: 'done', id: request.id });
          return;
        case 'stop':
          if (session) session.stopRequested = true;
          optimizing?.abort();
          post({ type: 'done', id: request.id });
          return;
        case 'train': {
          if (session) disposeModel(session);
          const { dataset, settings } = request;
          event(request.id, { kind: 'phase', phase: 'windows' });
          const train = makeWindows(dataset, { split: 'train', horizon: 'mixed', seed: settings.seed });
          const valid = makeWindows(dataset, { split: 'validation', horizon: 1 });
          const test = makeWindows(dataset, { split: 'test', horizon: 1 });
          if (train.count < 2 * Math.min(settings.batchSize, 32) || test.count === 0) {
            post({ type: 'trained', id: request.id, result: { ok: false, reason: { code: 'tooFewWindows', params: { train: train.count, test: test.count } } } });
            return;
          }
          event(request.id, { kind: 'phase', phase: 'backends' });
          const ranking = await rankBackends(request.backend, env, { windowLength: train.windowLength, featureCount: train.featureCount, units: settings.units, batchSize: settings.batchSize }, (reports, chosen) =>
            event(request.id, { kind: 'backends', reports, chosen, threads: env.threads() }),
          );
          session = { dataset, settings, train, valid, test, ranking, model: null, optimizer: null, epochsDone: 0, bestEpoch: 0, bestValidLoss: Infinity, stoppedBy: 'epochs', snapshot: null, stopRequested: false, result: null, epochs: [], schema: null };
          if (store) {
            const saved = await store.save(CHECKPOINT_DATASET_KEY, dataset);
            if (!saved.ok) event(request.id, { kind: 'storage', problem: 'quota' });
          }
          await trainAndReport(request.id, session);
          return;
        }
        case 'resume': {
          if (!session || !session.model) {
            post({ type: 'trained', id: request.id, result: { ok: false, reason: { code: 'notTrained', params: {} } } });
            return;
          }
          await trainAndReport(request.id, session);
          return;
        }
        case 'restore': {
          const saved = store ? await store.load<Checkpoint>(CHECKPOINT_KEY) : undefined;
          const dataset = store ? await store.load<Dataset>(CHECKPOINT_DATASET_KEY) : undefined;
          if (!saved || !dataset || !saved.snapshot) {
            post({ type: 'restored', id: request.id, restored: null });
            return;
          }
          const available = await env.available();
          const ranking = saved.ranking.filter((b) => available.includes(b));
          if (!ranking.includes('cpu')) ranking.push('cpu');
          if (session) disposeModel(session);
          const { settings } = saved;
          session = {
            dataset,
            settings,
            train: makeWindows(dataset, { split: 'train', horizon: 'mixed', seed: settings.seed }),
            valid: makeWindows(dataset, { split: 'validation', horizon: 1 }),
            test: makeWindows(dataset, { split: 'test', horizon: 1 }),
            ranking,
            model: null,
            optimizer: null,
            epochsDone: saved.epochsDone,
            bestEpoch: saved.bestEpoch,
            bestValidLoss: saved.bestValidLoss,
            stoppedBy: saved.stoppedBy,
            snapshot: saved.snapshot,
            stopRequested: false,
            result: saved.result,
            epochs: saved.epochs,
            schema: saved.schema ?? null,
          };
          await env.use(ranking[0]!);
          buildModel(session);
          post({ type: 'restored', id: request.id, restored: { settings, epochs: saved.epochs, result: saved.result, epochsDone: saved.epochsDone, backend: ranking[0]! } });
          return;
        }
        case 'export': {
          const s = session;
          if (!s?.model || !s.result) throw new Error('No trained model');
          // A model opened from a bundle keeps that bundle's columns, whatever the page has loaded since.
          const schema = s.schema ?? request.meta;
          const manifest = createManifest({
            name: request.meta.name,
            createdAt: new Date().toISOString(),
            roles: schema.roles,
            summaries: schema.summaries,
            dataset: s.dataset,
            report: s.result.evaluation,
            trainingSettings: s.settings,
            trainingOutcome: { stoppedBy: s.stoppedBy, bestEpoch: s.bestEpoch, bestValidLoss: s.bestValidLoss, epochsRun: s.epochsDone },
            backend: s.ranking[0] ?? 'cpu',
          });
          const bytes = await writeBundle({ model: s.model, manifest, modelCard: modelCard(manifest) });
          post({ type: 'exported', id: request.id, bytes, fileName: bundleFileName(request.meta.name) }, [bytes.buffer as ArrayBuffer]);
          return;
        }
        case 'import': {
          const read = readBundle(request.bytes);
          if (!read.ok) {
            post({ type: 'imported', id: request.id, result: { ok: false, reason: read.reason } });
            return;
          }
          const { manifest, artifacts } = read.data;
          const available = await env.available();
          let model: tf.LayersModel;
          try {
            model = await loadBundleModel(artifacts);
          } catch (thrown) {
            post({ type: 'imported', id: request.id, result: { ok: false, reason: { code: 'corrupt', params: { detail: thrown instanceof Error ? thrown.message : String(thrown) } } } });
            return;
          }
          if (session) disposeModel(session);
          const dataset = datasetFromBundle(manifest);
          const settings = manifest.trainingSettings;
          const ranking: BackendName[] = available.includes('cpu') ? [...available] : [...available, 'cpu'];
          const empty = makeWindows({ ...dataset, series: [] }, { split: 'test', horizon: 1 });
          const evaluation: EvaluationReport = {
            targetColumn: manifest.spec.target.column,
            targetKind: manifest.spec.target.kind,
            testCount: manifest.evaluation.testCount,
            scores: manifest.metrics,
            coverage90: manifest.evaluation.coverage90,
            conformalQuantile90: manifest.conformalQuantile90 ?? NaN,
            roc: [],
            perSeries: manifest.evaluation.perSeries,
            segments: manifest.evaluation.segments,
            residualHistogram: [],
          };
          const result: TrainResult = {
            backend: (manifest.backend as BackendName) ?? 'cpu',
            stoppedBy: manifest.trainingOutcome?.stoppedBy ?? 'epochs',
            bestEpoch: manifest.trainingOutcome?.bestEpoch ?? 0,
            epochsRun: manifest.trainingOutcome?.epochsRun ?? 0,
            trainCount: 0,
            validCount: 0,
            evaluation,
            importance: [],
            seriesLabels: dataset.series.map((g) => g.label),
            featureNames: manifest.featureNames,
          };
          // The optimizer state is not in the bundle: a fresh one serves further training.
          const optimizer = tf.train.adam(settings.learningRate, 0.9, 0.999, ADAM_EPSILON);
          session = {
            dataset,
            settings,
            train: empty,
            valid: empty,
            test: empty,
            ranking,
            model,
            optimizer,
            epochsDone: result.epochsRun,
            bestEpoch: result.bestEpoch,
            bestValidLoss: manifest.trainingOutcome?.bestValidLoss ?? Infinity,
            stoppedBy: result.stoppedBy,
            snapshot: null,
            stopRequested: false,
            result,
            epochs: [],
            schema: { roles: manifest.roles, summaries: manifest.columns },
          };
          session.snapshot = await snapshot(model);
          await checkpoint(request.id, session, true);
          const differences = request.current ? compareSchema(manifest, request.current) : [];
          post({ type: 'imported', id: request.id, result: { ok: true, data: { result, roles: manifest.roles, name: manifest.name, columns: manifest.columns, settings, differences } } });
          return;
        }
        case 'predictionsCsv': {
          const s = session;
          if (!s?.model || s.test.count === 0) throw new Error('No test predictions');
          const out = await predictWindows(s.model, s.test);
          const q = s.result?.evaluation.conformalQuantile90 ?? NaN;
          const spec = s.dataset.spec;
          const iso = (day: number) => (spec.crossSection ? '' : new Date(day * 86_400_000).toISOString().slice(0, 10));
          const rows = Array.from({ length: s.test.count }, (_, i) => {
            const grid = s.dataset.series[s.test.series[i]!]!;
            const m = out[i]!;
            return [
              grid.label,
              iso(grid.times[s.test.step[i]!]!),
              s.test.actual[i]!,
              fromModelSpace(spec, m),
              Number.isFinite(q) ? fromModelSpace(spec, m - q) : null,
              Number.isFinite(q) ? fromModelSpace(spec, m + q) : null,
            ];
          });
          const csv = UTF8_BOM + toCsv(['series', spec.timeColumn ?? 'date', `actual_${spec.target.column}`, 'predicted', 'lower_90', 'upper_90'], rows);
          post({ type: 'csv', id: request.id, csv });
          return;
        }
        case 'context': {
          post({ type: 'context', id: request.id, context: session?.model ? whatIfContext(session.dataset, session.result?.evaluation.conformalQuantile90 ?? NaN) : null });
          return;
        }
        case 'whatif': {
          const s = session;
          if (!s?.model) throw new Error('No trained model');
          const { plans, curves, generation, shared } = request.request;
          const open = channel;
          const q90 = s.result?.evaluation.conformalQuantile90 ?? NaN;
          // A curve pass for an input the UI has moved past stops at its next step.
          const stale = open && generation !== undefined ? () => open.generation() !== generation : undefined;
          const run = async (part: WhatIfRequest): Promise<WhatIfResult | null> => {
            try {
              return stale?.() ? null : await whatIf(s.dataset, s.model!, q90, part, stale);
            } catch (thrown) {
              if (thrown instanceof PassStopped) return null;
              throw thrown;
            }
          };
          let result: WhatIfResult | null;
          if (shared && open && curves && plans.length > 0) {
            // The numbers first, into the channel's first slot (never stopped), then the curves
            // with them into its second: the UI draws the numbers even when the curves come late.
            const numbers = await whatIf(s.dataset, s.model, q90, { plans });
            open.write(request.id, numbers, 0);
            // Stopped or failed curves leave the numbers their answer (a failure shows again when
            // the curves are asked for on their own).
            const rest = await run({ plans: [], curves }).catch(() => null);
            if (rest) open.write(request.id, rest, 1);
            else open.skip(request.id, 1);
            result = rest ? joinResults(numbers, rest) : numbers;
          } else {
            result = await run(request.request);
            if (result && shared) open?.write(request.id, result);
          }
          post({ type: 'whatif', id: request.id, result }, result ? result.plans.flatMap((p) => [p.mean.buffer, p.lower.buffer, p.upper.buffer] as ArrayBuffer[]) : []);
          return;
        }
        case 'scenarioKernel': {
          const s = session;
          const kernel = s?.model ? await scenarioKernelOf(s.dataset, s.model, request.context) : null;
          post({ type: 'scenarioKernel', id: request.id, kernel }, kernel ? kernelBuffers(kernel) : []);
          return;
        }
        case 'optimize': {
          const s = session;
          if (!s?.model) throw new Error('No trained model');
          const model = s.model;
          const q90 = s.result?.evaluation.conformalQuantile90 ?? NaN;
          const context = whatIfContext(s.dataset, q90);
          const levers = identifyLevers(s.dataset.spec, s.dataset.leverRanges);
          const checked = checkConstraints(request.request.constraints);
          if (!checked.ok) {
            post({ type: 'optimized', id: request.id, result: { ok: false, reason: checked.reason } });
            return;
          }
          optimizing?.abort();
          const controller = new AbortController();
          optimizing = controller;
          try {
            const out = await optimizeWithModel({
              dataset: { ...s.dataset, seriesKeys: context.seriesKeys, seriesLabels: context.seriesLabels },
              levers,
              request: request.request,
              predict: async (plans) => (await whatIf(s.dataset, model, q90, { plans })).plans,
              onProgress: (p) => event(request.id, { kind: 'optimize', ...p }),
              signal: controller.signal,
            });
            post({ type: 'optimized', id: request.id, result: { ok: true, data: { ...out, levers } } });
          } catch (thrown) {
            if (controller.signal.aborted) post({ type: 'optimized', id: request.id, result: { ok: false, reason: 'cancelled' } });
            else throw thrown;
          } finally {
            if (optimizing === controller) optimizing = null;
          }
          return;
        }
        case 'update': {
          const s = session;
          if (!s?.model) throw new Error('No trained model');
          post({ type: 'updated', id: request.id, result: await updateModel(request.id, s, request.dataset, request.holdoutFrom, request.epochs) });
          return;
        }
        case 'forecast': {
          const f = await forecast(request.series);
          post({ type: 'forecast', id: request.id, forecast: f }, [f.times.buffer, f.actual.buffer, f.predicted.buffer, f.lower.buffer, f.upper.buffer]);
          return;
        }
      }
    } catch (thrown) {
      post({ type: 'error', id: request.id, error: toWorkerError(thrown) });
    }
  };
}

/** What the what-if controls need from a data set; `conformalQuantile90` is the model's interval half-width (model space). */
export function whatIfContext(d: Dataset, conformalQuantile90: number): WhatIfContext {
  return {
    spec: d.spec,
    leverRanges: d.leverRanges,
    seriesLeverRanges: d.seriesLeverRanges,
    noPromotion: d.noPromotion,
    seriesLabels: d.series.map((g) => g.label),
    seriesKeys: d.series.map((g) => g.keys),
    lastDay: d.series.map((g) => g.times[g.times.length - 1] ?? NaN),
    firstDay: d.series.map((g) => g.times[0] ?? NaN),
    conformalQuantile90,
    trainEnd: d.trainEnd,
    validEnd: d.validEnd,
    targetMeaning: d.targetMeaning,
    kpi: d.kpi,
    typicalLevers: d.typicalLevers,
    leverSupport: d.leverSupport,
  };
}

/**
 * Forecasts a batch of plans in one forward pass: per plan, per series and
 * day, the prediction with its 90 % split-conformal interval.
 */
export async function whatIf(dataset: Dataset, model: tf.LayersModel, q90: number, request: WhatIfRequest, stop?: () => boolean): Promise<WhatIfResult> {
  const started = performance.now();
  const specs = request.curves ? [...request.plans, ...curvePlans(request.curves.base, request.curves.levers)] : request.plans;
  const { x, count, layout, shared } = planWindows(dataset, specs);
  const spec = dataset.spec;
  const L = spec.windowLength;
  const F = spec.features.length;
  const out = await predictValues(model, x, count, L, F, shared, stop);
  const inferenceMs = performance.now() - started;
  const plans: PlanForecast[] = specs.map((p) => {
    const n = p.series.length * p.horizon;
    return { mean: new Float64Array(n), lower: new Float64Array(n), upper: new Float64Array(n) };
  });
  // One window per place, or (a cross-section) many rows averaged into it.
  const counts = specs.map((p) => new Int32Array(p.series.length * p.horizon));
  layout.forEach((where, i) => {
    const plan = specs[where.plan]!;
    const at = plan.series.indexOf(where.series) * plan.horizon + where.day;
    addForecast(spec, q90, out[i]!, plans[where.plan]!, at);
    counts[where.plan]![at]!++;
  });
  plans.forEach((target, p) =>
    counts[p]!.forEach((n, at) => {
      if (n <= 1) return;
      target.mean[at]! /= n;
      target.lower[at]! /= n;
      target.upper[at]! /= n;
    }),
  );
  const first = specs[0];
  const actual = new Float64Array(first ? first.series.length * first.horizon : 0);
  first?.series.forEach((si, k) => actual.set(actualsForPlan(dataset, si, first.startDay, first.horizon), k * first.horizon));
  const grid = first ? dataset.series[first.series[0]!] : undefined;
  const days = first && grid ? Array.from({ length: first.horizon }, (_, d) => dayOfStep(dataset, grid, stepOfDay(dataset, grid, first.startDay) + d)) : [];
  return { plans, actual, days, inferenceMs, windows: count };
}

/**
 * The order to try backends in: measured ('auto': fastest correct first, the
 * rest after by speed, cpu last) or the analyst's choice then the measured rest.
 */
async function rankBackends(
  choice: BackendChoice,
  env: BackendEnv,
  shapes: { windowLength: number; featureCount: number; units: number; batchSize: number },
  report: (reports: BackendReport[], chosen: BackendName) => void,
): Promise<BackendName[]> {
  const available = await env.available();
  const reports = await env.selfTest(available, shapes);
  const correct = reports.filter((r) => r.correct).sort((a, b) => a.msPerStep - b.msPerStep);
  let ranking = correct.map((r) => r.backend);
  if (!ranking.includes('cpu')) ranking.push('cpu');
  if (choice !== 'auto' && available.includes(choice)) ranking = [choice, ...ranking.filter((b) => b !== choice)];
  report(reports, ranking[0]!);
  return ranking;
}
