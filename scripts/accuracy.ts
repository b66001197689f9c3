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
 * horizons); history: false (blank the target-history features);
 * plateau (multiply the learning rate by this after an epoch without a new best).
 */
import * as tf from '@tensorflow/tfjs';
import { registerBackends } from '../src/ml/backends';
import { buildDataset, fromModelSpace, makeWindows } from '../src/ml/features';
import { buildLstmModel } from '../src/ml/lstm';
import { DEFAULT_TRAIN_SETTINGS, type TrainSettings } from '../src/ml/settings';
import { loadPanel, readSample } from '../src/ml/testing';
import { predictWindows, trainLoop } from '../src/ml/train';
import type { Windows } from '../src/ml/types';
import { generateSampleRows } from './sampleGenerator';

interface Options extends TrainSettings {
  readonly horizonOne: boolean;
  readonly history: boolean;
  readonly plateau: number;
}

const options: Options = { ...DEFAULT_TRAIN_SETTINGS, horizonOne: false, history: true, plateau: 1, ...(JSON.parse(process.argv[2] ?? '{}') as Partial<Options>) };
await registerBackends({});
await tf.setBackend('wasm');
await tf.ready();

const { panel, summaries } = await loadPanel(readSample());
const built = buildDataset(panel, summaries, { windowLength: options.windowLength, seed: options.seed });
if (!built.ok) throw new Error(`the sample did not build: ${built.reason.code}`);
const dataset = built.data;
const train = makeWindows(dataset, options.horizonOne ? { split: 'train', horizon: 1 } : { split: 'train', horizon: 'mixed', seed: options.seed });
const valid = makeWindows(dataset, { split: 'validation', horizon: 1 });
const test = makeWindows(dataset, { split: 'test', horizon: 1 });
if (!options.history) {
  // The three target features (observed, not yet observed, recent level) follow the exogenous ones.
  const blank = (w: Windows) => {
    const F = w.featureCount;
    const at = dataset.exogCount;
    for (let k = 0; k < w.count * w.windowLength; k++) {
      w.x[k * F + at] = 0;
      w.x[k * F + at + 1] = 1;
      w.x[k * F + at + 2] = 0;
    }
  };
  [train, valid, test].forEach(blank);
}

const { model, optimizer } = buildLstmModel({ ...options, windowLength: train.windowLength, featureCount: train.featureCount, output: 'regression' });
const started = performance.now();
const outcome = await trainLoop({
  model,
  optimizer,
  loss: 'mse',
  train,
  valid,
  settings: options,
  onEpoch: (r) => {
    if (!r.best && options.plateau !== 1) (optimizer as unknown as { learningRate: number }).learningRate *= options.plateau;
    process.stderr.write(`epoch ${r.epoch}: train ${r.trainLoss.toFixed(4)}, validation ${r.validLoss.toFixed(4)}${r.best ? ' (best)' : ''}, ${Math.round(r.samplesPerSec)} samples/s\n`);
  },
});

// The truth: the noise-free conversion probability of each test row.
const truth = new Map(generateSampleRows().map((r) => [`${r.category} / ${r.segment}|${r.date}`, r.expectedConversionRate]));
const predicted = await predictWindows(model, test);
let modelError = 0;
let floorError = 0;
let total = 0;
for (let i = 0; i < test.count; i++) {
  const grid = dataset.series[test.series[i]!]!;
  const date = new Date(grid.times[test.step[i]!]! * 86_400_000).toISOString().slice(0, 10);
  const expected = truth.get(`${grid.label}|${date}`);
  if (expected === undefined) throw new Error(`no truth for ${grid.label} on ${date}`);
  const actual = test.actual[i]!;
  modelError += Math.abs(fromModelSpace(dataset.spec, predicted[i]!) - actual);
  floorError += Math.abs(expected - actual);
  total += Math.abs(actual);
}
model.dispose();
optimizer.dispose();
const wape = modelError / total;
const floor = floorError / total;
console.log(JSON.stringify({ options, wape, floor, ratio: wape / floor, bestEpoch: outcome.bestEpoch, epochs: outcome.epochsRun, seconds: Math.round((performance.now() - started) / 1000) }));
