/**
 * `npm run accuracy -- '{"dropout":0.2}'`: trains the LSTM on the sample with
 * the app's code (wasm backend in Node) and prints its test WAPE against the
 * sample's noise floor (the truth's own WAPE on the same test days). The
 * experiments behind the accuracy figures in the issue notes; one JSON line
 * on stdout, epochs on stderr.
 *
 * Options (JSON, all optional): units, layers, dropout, learningRate,
 * batchSize, epochs, patience, seed (training settings, defaults the app's);
 * horizonOne (train on next-step targets only, not the app's mixed
 * horizons); history: false (blank the target-history features); lags:
 * false (blank the per-step observed targets, keep the recent level);
 * plateau (multiply the learning rate by this after an epoch without a new
 * best); averaging (weight-average decay, 0 = off); weighting (loss weight
 * visitors × p(1 − p)); truthTargets (train on the noise-free rates: what
 * the model could reach without noise); refit (after early stopping, train a
 * fresh model on training + validation days for the best epoch count);
 * ensemble (train this many models, seeds seed, seed + 1, …, and average
 * their outputs in model space); levelSteps (steps in the recent level).
 *
 * Besides the ratio it prints the error against the truth, the prediction
 * bias, the ratio after a validation-fitted scale, and (stderr) the test
 * dates with the largest share of the error.
 */
import * as tf from '@tensorflow/tfjs';
import { registerBackends } from '../src/ml/backends';
import { buildDataset, fromModelSpace, makeWindows, toModelSpace } from '../src/ml/features';
import { calibrationShift, shiftOutput } from '../src/ml/calibrate';
import type { FastLoss } from '../src/ml/fastLstm';
import { buildLstmModel } from '../src/ml/lstm';
import { DEFAULT_TRAIN_SETTINGS, type TrainSettings } from '../src/ml/settings';
import { loadPanel, readSample } from '../src/ml/testing';
import { AVERAGING_DECAY, lossFor, predictWindows, trainLoop } from '../src/ml/train';
import type { Windows } from '../src/ml/types';
import { generateSampleRows } from './sampleGenerator';

interface Options extends TrainSettings {
  readonly horizonOne: boolean;
  readonly history: boolean;
  /** false: blank the per-step observed targets but keep the recent level. */
  readonly lags: boolean;
  readonly plateau: number;
  readonly truthTargets: boolean;
  /** After early stopping, train a fresh model on training + validation days for the best epoch count. */
  readonly refit: boolean;
  /**
   * Loss weight per training window (p: the series' mean rate): true or
   * 'information', its row's binomial information visitors × p(1 − p); 'rate',
   * (p(1 − p))², the logit's scale in rate units (the metric's units).
   */
  readonly weighting: boolean | 'information' | 'rate';
  /** Polyak averaging decay per step (0: off; default the app's). */
  readonly averaging: number;
  /** Models to train (seeds seed, seed + 1, …) and average in model space. */
  readonly ensemble: number;
  /** Steps of observed target averaged into the recent-level feature (default the app's, 28). */
  readonly levelSteps?: number;
  /**
   * Distillation: after the model (or ensemble) is trained, train one fresh
   * model (seed + 100) on targets blended as distill × the first models'
   * outputs + (1 − distill) × the observed targets (0: off). Its outputs are
   * the ones measured.
   */
  readonly distill: number;
  /** The training loss: the app's (lossFor), 'mse' of the standardised logit, or 'deviance' (the rate's binomial deviance, see RateDeviance). */
  readonly loss: 'app' | 'mse' | 'deviance';
  /** Shift the output level to match the validation days' total, as the app does (calibrationShift). */
  readonly calibrate: boolean;
}

const options: Options = { ...DEFAULT_TRAIN_SETTINGS, horizonOne: false, history: true, lags: true, plateau: 1, truthTargets: false, refit: false, weighting: false, averaging: AVERAGING_DECAY, ensemble: 1, distill: 0, loss: 'app', calibrate: true, ...(JSON.parse(process.argv[2] ?? '{}') as Partial<Options>) };
await registerBackends({});
await tf.setBackend('wasm');
await tf.ready();

const { panel, summaries } = await loadPanel(readSample());
const built = buildDataset(panel, summaries, { windowLength: options.windowLength, seed: options.seed, ...(options.levelSteps ? { levelSteps: options.levelSteps } : {}) });
if (!built.ok) throw new Error(`the sample did not build: ${built.reason.code}`);
const dataset = built.data;
const train = makeWindows(dataset, options.horizonOne ? { split: 'train', horizon: 1 } : { split: 'train', horizon: 'mixed', seed: options.seed });
const valid = makeWindows(dataset, { split: 'validation', horizon: 1 });
const test = makeWindows(dataset, { split: 'test', horizon: 1 });
if (!options.history || !options.lags) {
  // The three target features (observed, not yet observed, recent level) follow the exogenous ones.
  const blank = (w: Windows) => {
    const F = w.featureCount;
    const at = dataset.exogCount;
    for (let k = 0; k < w.count * w.windowLength; k++) {
      w.x[k * F + at] = 0;
      w.x[k * F + at + 1] = 1;
      if (!options.history) w.x[k * F + at + 2] = 0;
    }
  };
  [train, valid, test].forEach(blank);
}

const sampleRows = generateSampleRows();
// The truth: the noise-free conversion probability of each row.
const sampleKey = (r: { category: string; segment: string; date: string }) => `${r.category} / ${r.segment}|${r.date}`;
/** The window's target row as the generator names it: "series label|YYYY-MM-DD". */
const rowKey = (w: Windows, i: number) => {
  const grid = dataset.series[w.series[i]!]!;
  return `${grid.label}|${new Date(grid.times[w.step[i]!]! * 86_400_000).toISOString().slice(0, 10)}`;
};
const truth = new Map(sampleRows.map((r) => [sampleKey(r), r.expectedConversionRate]));
const truthOf = (w: Windows, i: number) => {
  const expected = truth.get(rowKey(w, i));
  if (expected === undefined) throw new Error(`no truth for ${rowKey(w, i)}`);
  return expected;
};
if (options.weighting) {
  const visitors = new Map(sampleRows.map((r) => [sampleKey(r), r.visitors]));
  for (const w of [train]) {
    const rate = new Map<number, { sum: number; n: number }>();
    for (let i = 0; i < w.count; i++) {
      const m = rate.get(w.series[i]!) ?? { sum: 0, n: 0 };
      m.sum += w.actual[i]!;
      m.n++;
      rate.set(w.series[i]!, m);
    }
    const weight = new Float32Array(w.count);
    let sum = 0;
    for (let i = 0; i < w.count; i++) {
      const m = rate.get(w.series[i]!)!;
      const p = m.sum / m.n;
      weight[i] = options.weighting === 'rate' ? (p * (1 - p)) ** 2 : (visitors.get(rowKey(w, i)) ?? 0) * p * (1 - p);
      sum += weight[i]!;
    }
    for (let i = 0; i < w.count; i++) weight[i] = (weight[i]! * w.count) / sum;
    (w as { weight?: Float32Array }).weight = weight;
  }
}
if (options.truthTargets) for (const w of [train, valid]) for (let i = 0; i < w.count; i++) w.y[i] = toModelSpace(dataset.spec, truthOf(w, i));

const lossOf = (): FastLoss => (options.loss === 'app' ? lossFor(dataset.spec) : options.loss === 'deviance' ? { kind: 'rateDeviance', mean: dataset.spec.target.mean, std: dataset.spec.target.std } : 'mse');
const started = performance.now();
/** One model (seed `seed`), trained as the options say; its test and validation outputs in model space. */
async function fit(seed: number, trainSet: Windows = train): Promise<{ test: Float32Array; valid: Float32Array; train: Float32Array | null; bestEpoch: number; epochsRun: number }> {
  const settings = { ...options, seed };
  const { model, optimizer } = buildLstmModel({ ...settings, windowLength: train.windowLength, featureCount: train.featureCount, output: 'regression' });
  const outcome = await trainLoop({
    model,
    optimizer,
    loss: lossOf(),
    train: trainSet,
    valid,
    settings,
    averaging: options.averaging,
    onEpoch: (r) => {
      if (!r.best && options.plateau !== 1) (optimizer as unknown as { learningRate: number }).learningRate *= options.plateau;
      process.stderr.write(`seed ${seed}, epoch ${r.epoch}: train ${r.trainLoss.toFixed(4)}, validation ${r.validLoss.toFixed(4)}${r.best ? ' (best)' : ''}, ${Math.round(r.samplesPerSec)} samples/s\n`);
    },
  });
  let final = model;
  if (options.refit) {
    const all = makeWindows({ ...dataset, trainEnd: dataset.validEnd }, { split: 'train', horizon: 'mixed', seed: options.seed });
    const fresh = buildLstmModel({ ...settings, windowLength: train.windowLength, featureCount: train.featureCount, output: 'regression' });
    await trainLoop({ model: fresh.model, optimizer: fresh.optimizer, loss: lossOf(), train: all, valid: { ...valid, count: 0 }, settings: { ...settings, epochs: Math.max(1, outcome.bestEpoch), patience: 0 }, averaging: options.averaging });
    fresh.optimizer.dispose();
    final = fresh.model;
  }
  if (options.calibrate) {
    const shift = calibrationShift(dataset.spec, await predictWindows(final, valid), valid.actual);
    process.stderr.write(`seed ${seed}: calibration shift ${shift.toFixed(4)}\n`);
    if (shift !== 0) shiftOutput(final, shift);
  }
  const out = { test: await predictWindows(final, test), valid: await predictWindows(final, valid), train: options.distill > 0 && trainSet === train ? await predictWindows(final, train) : null, bestEpoch: outcome.bestEpoch, epochsRun: outcome.epochsRun };
  model.dispose();
  if (final !== model) final.dispose();
  optimizer.dispose();
  return out;
}
const members: Awaited<ReturnType<typeof fit>>[] = [];
for (let k = 0; k < Math.max(1, options.ensemble); k++) members.push(await fit(options.seed + k));
const mean = (part: 'test' | 'valid') => Float32Array.from(members[0]![part], (_, i) => members.reduce((s, m) => s + m[part][i]!, 0) / members.length);
if (options.distill > 0) {
  const a = options.distill;
  const y = Float32Array.from(train.y, (v, i) => a * (members.reduce((s, m) => s + m.train![i]!, 0) / members.length) + (1 - a) * v);
  const student = await fit(options.seed + 100, { ...train, y });
  members.splice(0, members.length, student);
}
const predicted = mean('test');
const outcome = { bestEpoch: members.map((m) => m.bestEpoch).join('/'), epochsRun: members.map((m) => m.epochsRun).join('/') };
let modelError = 0;
let floorError = 0;
let truthError = 0;
let total = 0;
for (let i = 0; i < test.count; i++) {
  const expected = truthOf(test, i);
  const actual = test.actual[i]!;
  const value = fromModelSpace(dataset.spec, predicted[i]!);
  modelError += Math.abs(value - actual);
  truthError += Math.abs(value - expected);
  floorError += Math.abs(expected - actual);
  total += Math.abs(actual);
}
// Retransformation bias: the ratio of actual to predicted sums on the validation days, applied to the test predictions.
const validPredicted = mean('valid');
let validActual = 0;
let validSum = 0;
for (let i = 0; i < valid.count; i++) {
  validActual += valid.actual[i]!;
  validSum += fromModelSpace(dataset.spec, validPredicted[i]!);
}
const scale = validActual / validSum;
let scaledError = 0;
let predictedSum = 0;
let truthSum = 0;
for (let i = 0; i < test.count; i++) {
  const value = fromModelSpace(dataset.spec, predicted[i]!);
  predictedSum += value;
  truthSum += truthOf(test, i);
  scaledError += Math.abs(value * scale - test.actual[i]!);
}
// Where the error against the truth sits: by date (top 8).
const byDate = new Map<string, number>();
for (let i = 0; i < test.count; i++) {
  const date = rowKey(test, i).split('|')[1]!;
  byDate.set(date, (byDate.get(date) ?? 0) + Math.abs(fromModelSpace(dataset.spec, predicted[i]!) - truthOf(test, i)) / truthError);
}
process.stderr.write(`error share by date: ${JSON.stringify([...byDate].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([d, v]) => `${d} ${(100 * v).toFixed(1)}%`))}\n`);
// A test row per line (the sample's row with the prediction) for analysis elsewhere: ACCURACY_DUMP=path.
if (process.env.ACCURACY_DUMP) {
  const rows = new Map(sampleRows.map((r) => [sampleKey(r), r]));
  const lines = Array.from({ length: test.count }, (_, i) => JSON.stringify({ ...rows.get(rowKey(test, i)), predicted: fromModelSpace(dataset.spec, predicted[i]!), actual: test.actual[i] }));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(process.env.ACCURACY_DUMP, `${lines.join('\n')}\n`);
}
const wape = modelError / total;
const floor = floorError / total;
console.log(JSON.stringify({ options, wape, floor, ratio: wape / floor, modelVsTruth: truthError / total, bias: predictedSum / total, truthBias: truthSum / total, scale, scaledRatio: scaledError / floorError, bestEpoch: outcome.bestEpoch, epochs: outcome.epochsRun, seconds: Math.round((performance.now() - started) / 1000) }));
