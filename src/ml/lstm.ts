/**
 * The sequence model: the seed article's LSTM (one layer of 64 units, Adam
 * lr 1e-3, MSE) as a tf.js Layers model with deterministic initial weights.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../lib/random';
import { DEFAULT_TRAIN_SETTINGS, type TrainSettings } from './settings';

/** What the model predicts: a standardised number, or a yes/no probability. */
export type ModelOutput = 'regression' | 'binary';

/** Architecture and optimiser settings for {@link buildLstmModel}. */
export interface LstmModelSettings {
  /** Time steps per input window (L). */
  readonly windowLength: number;
  /** Input features per time step. */
  readonly featureCount: number;
  /** Hidden units per LSTM layer. */
  readonly units: number;
  /** Stacked LSTM layers (≥ 1). */
  readonly layers: number;
  /** Dropout rate in [0, 1) after each LSTM layer; 0 adds no dropout layer. */
  readonly dropout: number;
  /** Adam learning rate. */
  readonly learningRate: number;
  /** Seed for the initial weights: the same seed gives the same weights on every backend. */
  readonly seed: number;
  /** `regression`: linear head, MSE. `binary`: sigmoid head, binary cross-entropy. */
  readonly output: ModelOutput;
}

/** Training settings the analyst starts from (the seed article's model plus early stopping). */
export type ModelDefaults = TrainSettings;

/** Defaults: {@link DEFAULT_TRAIN_SETTINGS} (the seed's model with dropout 0.1 and batches of 32). */
export const DEFAULT_MODEL_SETTINGS: ModelDefaults = DEFAULT_TRAIN_SETTINGS;

/** Adam's epsilon on every backend (tf.js would take 1e-4 on WebGL and 1e-7 elsewhere). */
export const ADAM_EPSILON = 1e-7;

/** The four LSTM gates in tf.js/Keras kernel column order: input, forget, cell, output. */
export const LSTM_GATES = 4;

/** A compiled model and its optimiser; dispose both (`model.dispose()` does not dispose an optimiser it was given). */
export interface LstmModel {
  readonly model: tf.LayersModel;
  readonly optimizer: tf.Optimizer;
}

/**
 * Builds and compiles the LSTM.
 *
 * Input `[batch, windowLength, featureCount]` (float32) → output `[batch, 1]`:
 * the target in model space (regression) or the probability of "yes" in
 * [0, 1] (binary).
 *
 * `layers` stacked LSTM layers of `units` (all but the last return
 * sequences), a Dropout layer after each when `dropout > 0`, and a Dense(1)
 * head. Initial weights depend only on `seed`: Glorot-uniform input kernels,
 * orthogonal recurrent kernels (one orthogonal `units × units` block per gate,
 * built in plain JS) and unit forget bias. Compiled with Adam(learningRate,
 * 0.9, 0.999, 1e-7) and MSE or binary cross-entropy.
 *
 * Creates tensors (the weights and two optimiser scalars): the caller owns
 * both `model` and `optimizer` and must dispose each.
 */
export function buildLstmModel(settings: LstmModelSettings): LstmModel {
  const { windowLength, featureCount, units, layers, dropout, learningRate, seed, output } = settings;
  assertPositiveInteger('windowLength', windowLength);
  assertPositiveInteger('featureCount', featureCount);
  assertPositiveInteger('units', units);
  assertPositiveInteger('layers', layers);
  if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`dropout must be in [0, 1), got ${dropout}`);
  if (!(learningRate > 0)) throw new RangeError(`learningRate must be > 0, got ${learningRate}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);

  const model = tf.sequential();
  const lstmLayers: tf.layers.Layer[] = [];
  for (let i = 0; i < layers; i++) {
    const lstm = tf.layers.lstm({
      units,
      returnSequences: i < layers - 1,
      // The seed's (and PyTorch's) logistic gates, not tf.js's default hard sigmoid.
      recurrentActivation: 'sigmoid',
      ...(i === 0 ? { inputShape: [windowLength, featureCount] } : {}),
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 101 * (i + 1) }),
      // Both overwritten below: tf.js's orthogonal initializer takes 17–30 s
      // on WebGL, and its unitForgetBias initializer leaks 4 tensors per layer.
      recurrentInitializer: 'zeros',
      biasInitializer: 'zeros',
    });
    model.add(lstm);
    lstmLayers.push(lstm);
    if (dropout > 0) model.add(tf.layers.dropout({ rate: dropout }));
  }
  model.add(
    tf.layers.dense({
      units: 1,
      activation: output === 'binary' ? 'sigmoid' : 'linear',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 7919 }),
      biasInitializer: 'zeros',
    }),
  );

  lstmLayers.forEach((layer, i) => {
    writeWeight(layer, 'recurrent_kernel', tf.tensor2d(orthogonalGateBlocks(units, seed + 1009 * (i + 1)), [units, LSTM_GATES * units]));
    writeWeight(layer, 'bias', tf.tensor1d(unitForgetBias(units)));
  });

  const optimizer = tf.train.adam(learningRate, 0.9, 0.999, ADAM_EPSILON);
  model.compile({ optimizer, loss: output === 'binary' ? 'binaryCrossentropy' : 'meanSquaredError' });
  return { model, optimizer };
}

/** Writes `value` into the layer weight whose name ends in `/${suffix}`, then disposes `value`. */
function writeWeight(layer: tf.layers.Layer, suffix: string, value: tf.Tensor): void {
  try {
    const weight = layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`));
    if (weight === undefined) throw new Error(`layer ${layer.name} has no weight named ${suffix}`);
    weight.write(value);
  } finally {
    // The variable holds its own reference to the data.
    value.dispose();
  }
}

/** LSTM bias `[4 × units]`: 1 for the forget gate, 0 elsewhere (Jozefowicz et al. 2015). */
export function unitForgetBias(units: number): Float32Array {
  const bias = new Float32Array(LSTM_GATES * units);
  bias.fill(1, units, 2 * units);
  return bias;
}

/**
 * The recurrent kernel values: `[units, 4 × units]` row-major, each gate's
 * `units × units` column block an independent orthogonal matrix (QᵀQ = I),
 * from modified Gram–Schmidt on a seeded Gaussian matrix. Pure JS, no tensors.
 */
export function orthogonalGateBlocks(units: number, seed: number): Float32Array {
  assertPositiveInteger('units', units);
  const random = gaussian(seed);
  const width = LSTM_GATES * units;
  const out = new Float32Array(units * width);
  for (let gate = 0; gate < LSTM_GATES; gate++) {
    const q = orthogonal(units, random);
    for (let r = 0; r < units; r++) {
      for (let c = 0; c < units; c++) out[r * width + gate * units + c] = q[c * units + r] as number;
    }
  }
  return out;
}

/**
 * An n × n orthogonal matrix as n orthonormal columns (column c at
 * [c·n, (c+1)·n)). Gram–Schmidt gives R a positive diagonal, so Q is the
 * uniformly (Haar) distributed one, like the Keras initializer.
 */
function orthogonal(n: number, random: () => number): Float64Array {
  const q = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    // A near-dependent column (probability ~0 for Gaussian draws) is redrawn.
    for (let attempt = 0; ; attempt++) {
      for (let r = 0; r < n; r++) q[c * n + r] = random();
      const before = norm(q, c * n, n);
      // Modified Gram–Schmidt, twice, for orthogonality to float precision.
      for (let pass = 0; pass < 2; pass++) {
        for (let k = 0; k < c; k++) {
          let dot = 0;
          for (let r = 0; r < n; r++) dot += (q[k * n + r] as number) * (q[c * n + r] as number);
          for (let r = 0; r < n; r++) q[c * n + r] = (q[c * n + r] as number) - dot * (q[k * n + r] as number);
        }
      }
      const after = norm(q, c * n, n);
      if (after > 1e-6 * before || attempt >= 10) {
        for (let r = 0; r < n; r++) q[c * n + r] = (q[c * n + r] as number) / after;
        break;
      }
    }
  }
  return q;
}

function norm(values: Float64Array, start: number, length: number): number {
  let sum = 0;
  for (let i = start; i < start + length; i++) sum += (values[i] as number) ** 2;
  return Math.sqrt(sum);
}

/** Standard normal draws from a seeded mulberry32 stream (Box–Muller). */
function gaussian(seed: number): () => number {
  const uniform = mulberry32(Math.trunc(seed) ^ 0x9e3779b9);
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const u = 1 - uniform();
    const v = uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
}

function assertPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive whole number, got ${value}`);
}
