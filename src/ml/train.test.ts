import { describe, expect, it } from 'vitest';
import { seededValues } from './backends';
import { releaseDisposedWeights } from './fastLstm';
import { buildLstmModel } from './lstm';
import { checkCpuBackendWithoutLeaks, onWasmBackend } from './tfTesting';
import * as tf from '@tensorflow/tfjs';
import { averagingDecay, evaluateLoss, lossFor, predictValues, prefixStatesOf, trainLoop, trainStep, type TrainSettings } from './train';
import type { FeatureSpec, SharedPrefixes, Windows } from './types';

checkCpuBackendWithoutLeaks();

/** `count` windows of 4 steps × 2 features; the target is twice the mean of feature 0. */
function problem(count: number, seed: number, weight?: (i: number) => number): Windows {
  const [L, F] = [4, 2];
  const x = Float32Array.from(seededValues(count * L * F, seed));
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (let t = 0; t < L; t++) sum += x[(i * L + t) * F]!;
    y[i] = (2 * sum) / L;
  }
  const zeros = () => new Int32Array(count);
  return {
    count, windowLength: L, featureCount: F, x, y, actual: Float64Array.from(y), series: zeros(), step: zeros(), horizon: zeros(),
    naive: new Float64Array(count), seasonalNaive: new Float64Array(count),
    ...(weight ? { weight: Float32Array.from({ length: count }, (_, i) => weight(i)) } : {}),
  };
}

const settings: TrainSettings = { windowLength: 4, units: 6, layers: 1, dropout: 0, learningRate: 0.01, batchSize: 16, epochs: 3, patience: 0, seed: 5 };

async function train(averaging: number, data = problem(96, 3)): Promise<{ weights: Float32Array[]; kept: number; reported: number }> {
  const { model, optimizer } = buildLstmModel({ ...settings, featureCount: 2, output: 'regression' });
  const valid = problem(40, 9);
  try {
    const outcome = await trainLoop({ model, optimizer, loss: 'mse', train: data, valid, settings, averaging });
    const weights = await Promise.all(model.getWeights().map(async (w) => Float32Array.from(await w.data())));
    return { weights, kept: await evaluateLoss(model, valid, 'mse'), reported: outcome.bestValidLoss };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

describe('averagingDecay', () => {
  it.each([
    [0, 0.995, 0.1],
    [8, 0.995, 0.5],
    [90, 0.995, 0.91],
    [10_000, 0.995, 0.995],
    [10_000, 0.9, 0.9],
  ])('step %i, decay %f → %f', (step, decay, expected) => {
    expect(averagingDecay(step, decay)).toBeCloseTo(expected, 10);
  });
});

describe('trainLoop', () => {
  it('keeps the weights it validated: the kept model scores the reported best loss, with and without averaging', async () => {
    for (const averaging of [0, 0.9]) {
      const { kept, reported } = await train(averaging);
      expect(kept).toBeCloseTo(reported, 6);
    }
  });

  it('keeps averaged weights, not the last raw ones', async () => {
    const raw = await train(0);
    const averaged = await train(0.9);
    const differs = raw.weights.some((w, i) => w.some((v, j) => Math.abs(v - averaged.weights[i]![j]!) > 1e-4));
    expect(differs).toBe(true);
    expect(averaged.reported).toBeLessThan(2);
  });

  it('weights the loss per window: zero-weight windows do not move the model', async () => {
    // Half the windows get weight 0; replacing their targets by garbage must not change training.
    const clean = problem(96, 3, (i) => (i % 2 === 0 ? 2 : 0));
    const garbled = problem(96, 3, (i) => (i % 2 === 0 ? 2 : 0));
    for (let i = 1; i < garbled.count; i += 2) garbled.y[i] = 100;
    const a = await train(0, clean);
    const b = await train(0, garbled);
    a.weights.forEach((w, i) => w.forEach((v, j) => expect(b.weights[i]![j]!).toBeCloseTo(v, 5)));
    // Without weights the garbage does move it.
    const { weight: _, ...withoutWeights } = garbled;
    const unweighted = await train(0, withoutWeights);
    expect(unweighted.weights.some((w, i) => w.some((v, j) => Math.abs(v - a.weights[i]![j]!) > 1e-3))).toBe(true);
  });
});

describe('predictValues with shared prefixes', () => {
  const [L, F] = [6, 3];
  /** 9 windows in 3 groups; a group's windows share their first `p` steps (p = 4, 2, 0), the rest differs. */
  function windows(): { x: Float32Array; shared: SharedPrefixes } {
    const count = 9;
    const x = Float32Array.from(seededValues(count * L * F, 41));
    const prefix = new Int32Array(count);
    const group = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const g = Math.floor(i / 3);
      const p = [4, 2, 0][g]!;
      prefix[i] = p;
      group[i] = g;
      const first = g * 3;
      x.copyWithin(i * L * F, first * L * F, first * L * F + p * F);
    }
    return { x, shared: { prefix, group } };
  }

  /** tf.js's default LSTM (hard-sigmoid gates): how bundles saved before the gates became sigmoid run. */
  const hardSigmoid = () => {
    const model = tf.sequential({ layers: [tf.layers.lstm({ units: 5, inputShape: [L, F], returnSequences: true }), tf.layers.lstm({ units: 4 }), tf.layers.dense({ units: 1 })] });
    return { model, optimizer: tf.train.adam(1e-3) };
  };
  const lstm = (layers: number, output: 'regression' | 'binary') => () => buildLstmModel({ windowLength: L, featureCount: F, units: 5, layers, dropout: 0, learningRate: 1e-3, seed: 2, output });
  const cases = [
    ['1 layer', lstm(1, 'regression')],
    ['2 layers', lstm(2, 'regression')],
    ['1 layer, yes/no', lstm(1, 'binary')],
    ['3 layers, yes/no', lstm(3, 'binary')],
    ['2 layers, hard-sigmoid gates', hardSigmoid],
  ] as const;

  const checks = () =>
    it.each(cases)('%s: runs each prefix once and gives what the whole windows give', async (_, build) => {
      const { model, optimizer } = build();
      try {
        const { x, shared } = windows();
        const whole = await predictValues(model, x, 9, L, F);
        const split = await predictValues(model, x, 9, L, F, shared);
        for (let i = 0; i < 9; i++) expect(split[i]).toBeCloseTo(whole[i]!, 5);
        // A prefix that is not really shared changes the answer (the shared path is the one being run).
        const lying = { prefix: new Int32Array(9).fill(4), group: new Int32Array(9) };
        const wrong = await predictValues(model, x, 9, L, F, lying);
        expect(Array.from(wrong).some((v, i) => Math.abs(v - whole[i]!) > 1e-4)).toBe(true);
      } finally {
        model.dispose();
        optimizer.dispose();
      }
    });
  checks();

  it.each(cases)('%s: keeps the prefix states for the same weights, and drops them when the weights change', async (_, build) => {
    const { model, optimizer } = build();
    try {
      const { x, shared } = windows();
      await predictValues(model, x, 9, L, F, shared);
      const store = prefixStatesOf(model)!;
      expect([store.size, store.hits, store.misses]).toEqual([2, 0, 2]);
      // The same histories with other plan steps (a slider move): the kept states answer, as the whole windows do.
      const moved = x.slice();
      for (let i = 0; i < 9; i++) for (let t = shared.prefix[i]!; t < L; t++) moved[(i * L + t) * F]! += 0.5;
      const whole = await predictValues(model, moved, 9, L, F);
      const again = await predictValues(model, moved, 9, L, F, shared);
      expect([store.size, store.hits, store.misses]).toEqual([2, 2, 2]);
      for (let i = 0; i < 9; i++) expect(again[i]).toBeCloseTo(whole[i]!, 5);
      // New weights (an optimiser step assigns new data): the kept states go, and the answer follows the new weights.
      const scaled = model.getWeights().map((w) => tf.mul(w, 1.1));
      model.setWeights(scaled);
      tf.dispose(scaled);
      const after = await predictValues(model, moved, 9, L, F, shared);
      const afterWhole = await predictValues(model, moved, 9, L, F);
      expect(prefixStatesOf(model)).toBe(store);
      expect([store.size, store.hits, store.misses]).toEqual([2, 0, 2]);
      for (let i = 0; i < 9; i++) expect(after[i]).toBeCloseTo(afterWhole[i]!, 5);
      expect(Array.from(after).some((v, i) => Math.abs(v - again[i]!) > 1e-4)).toBe(true);
    } finally {
      model.dispose();
      optimizer.dispose();
    }
  });

  it('keeps the gate weights between calls, rebuilds them for new weights, and frees them once the model is gone', async () => {
    const before = tf.memory().numTensors;
    const { model, optimizer } = lstm(2, 'regression')();
    const { x, shared } = windows();
    await predictValues(model, x, 9, L, F, shared);
    const kept = tf.memory().numTensors;
    await predictValues(model, x, 9, L, F, shared);
    expect(tf.memory().numTensors).toBe(kept);
    // New weights: the old gate weights go, the answer is the new model's.
    tf.tidy(() => model.weights.forEach((w) => w.write(tf.mul(w.read(), 0.5))));
    const split = await predictValues(model, x, 9, L, F, shared);
    const whole = await predictValues(model, x, 9, L, F);
    for (let i = 0; i < 9; i++) expect(split[i]).toBeCloseTo(whole[i]!, 5);
    expect(tf.memory().numTensors).toBe(kept);
    model.dispose();
    optimizer.dispose();
    expect(releaseDisposedWeights()).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('does not keep states computed with weights that changed while they were read back', async () => {
    const { model, optimizer } = lstm(1, 'regression')();
    try {
      const { x, shared } = windows();
      const pending = predictValues(model, x, 9, L, F, shared); // runs the prefixes, then waits for their read-back
      const scaled = model.getWeights().map((w) => tf.mul(w, 1.1));
      model.setWeights(scaled);
      tf.dispose(scaled);
      await predictValues(model, x, 0, L, F, { prefix: new Int32Array(0), group: new Int32Array(0) }); // sees the new weights
      await pending;
      expect(prefixStatesOf(model)!.size).toBe(0);
      const whole = await predictValues(model, x, 9, L, F);
      const split = await predictValues(model, x, 9, L, F, shared);
      for (let i = 0; i < 9; i++) expect(split[i]).toBeCloseTo(whole[i]!, 5);
    } finally {
      model.dispose();
      optimizer.dispose();
    }
  });

  // The app runs it on WASM (tanh as 2·sigmoid(2x) − 1, other kernels).
  describe('on the wasm backend', () => {
    onWasmBackend();
    checks();
  });

  it('refuses groups whose windows claim different prefixes, and prefixes that leave no step', async () => {
    const { model, optimizer } = buildLstmModel({ windowLength: L, featureCount: F, units: 5, layers: 1, dropout: 0, learningRate: 1e-3, seed: 2, output: 'regression' });
    try {
      const { x } = windows();
      await expect(predictValues(model, x, 2, L, F, { prefix: Int32Array.of(3, 2), group: Int32Array.of(0, 0) })).rejects.toThrow(RangeError);
      await expect(predictValues(model, x, 1, L, F, { prefix: Int32Array.of(L), group: Int32Array.of(0) })).rejects.toThrow(RangeError);
    } finally {
      model.dispose();
      optimizer.dispose();
    }
  });
});

describe('trainStep', () => {
  it('weights the loss the same way on the autodiff path (a model the fast pass does not take), zero weights included', async () => {
    const model = tf.sequential({ layers: [tf.layers.gru({ units: 3, inputShape: [4, 2] }), tf.layers.dense({ units: 1 })] });
    const optimizer = tf.train.sgd(0);
    try {
      const data = problem(6, 5, (i) => (i % 3 === 0 ? 0 : i));
      const predicted = await predictValues(model, data.x, 6, 4, 2);
      let expected = 0;
      for (let i = 0; i < 6; i++) expected += data.weight![i]! * (predicted[i]! - data.y[i]!) ** 2;
      const cost = trainStep(model, optimizer, 'mse', data.x, data.y, 6, 4, 2, data.weight);
      expect((await cost.data())[0]).toBeCloseTo(expected / 6, 5);
      cost.dispose();
    } finally {
      model.dispose();
      optimizer.dispose();
    }
  });

  it('answers no windows with no values on the shared-prefix path', async () => {
    const { model, optimizer } = buildLstmModel({ windowLength: 4, featureCount: 2, units: 3, layers: 1, dropout: 0, learningRate: 1e-3, seed: 2, output: 'regression' });
    try {
      expect(await predictValues(model, new Float32Array(0), 0, 4, 2, { prefix: new Int32Array(0), group: new Int32Array(0) })).toHaveLength(0);
    } finally {
      model.dispose();
      optimizer.dispose();
    }
  });
});

describe('lossFor', () => {
  const specOf = (kind: string, transform: string) => ({ target: { column: 't', kind, transform, mean: -3.1, std: 0.4 } }) as unknown as FeatureSpec;
  it.each([
    ['binary', 'identity', 'binaryCrossentropy'],
    ['rate', 'logit', { kind: 'rateDeviance', mean: -3.1, std: 0.4 }],
    ['count', 'log1p', 'mse'],
    ['money', 'log1p', 'mse'],
    ['real', 'identity', 'mse'],
  ])('a %s target (%s) trains on %j', (kind, transform, expected) => {
    expect(lossFor(specOf(kind, transform))).toEqual(expected);
  });
});
