import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ADAM_EPSILON, DEFAULT_MODEL_SETTINGS, LSTM_GATES, buildLstmModel, orthogonalGateBlocks, unitForgetBias, type LstmModelSettings } from './lstm';
import { checkCpuBackendWithoutLeaks } from './tfTesting';

const small: LstmModelSettings = { windowLength: 5, featureCount: 3, units: 8, layers: 1, dropout: 0, learningRate: 1e-3, seed: 7, output: 'regression' };

checkCpuBackendWithoutLeaks();

/** Runs `fn` on a fresh model and disposes model and optimizer afterwards. */
async function withModel<T>(settings: LstmModelSettings, fn: (model: tf.LayersModel, optimizer: tf.Optimizer) => T | Promise<T>): Promise<T> {
  const { model, optimizer } = buildLstmModel(settings);
  try {
    return await fn(model, optimizer);
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

async function weightValues(model: tf.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.getWeights().map(async (w) => Float32Array.from(await w.data())));
}

function seededInput(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed;
  for (let i = 0; i < count; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

describe('DEFAULT_MODEL_SETTINGS', () => {
  it('is the seed article model with our training defaults', () => {
    expect(DEFAULT_MODEL_SETTINGS).toEqual({ windowLength: 14, units: 64, layers: 1, dropout: 0.1, learningRate: 1e-3, batchSize: 32, epochs: 30, patience: 5, seed: 42 });
    expect(Object.isFrozen(DEFAULT_MODEL_SETTINGS)).toBe(true);
  });
});

describe('buildLstmModel', () => {
  it.each([
    ['regression, 1 layer', { ...small }],
    ['binary, 1 layer', { ...small, output: 'binary' as const }],
    ['regression, 2 layers with dropout', { ...small, layers: 2, dropout: 0.2 }],
    ['binary, 3 layers', { ...small, layers: 3, output: 'binary' as const }],
  ])('maps [batch, window, features] to [batch, 1] (%s)', async (_name, settings) => {
    await withModel(settings, async (model) => {
      expect(model.inputs[0]?.shape).toEqual([null, settings.windowLength, settings.featureCount]);
      expect(model.outputs[0]?.shape).toEqual([null, 1]);
      const x = tf.tensor3d(seededInput(6 * settings.windowLength * settings.featureCount, 1), [6, settings.windowLength, settings.featureCount]);
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([6, 1]);
      const values = await y.data();
      tf.dispose([x, y]);
      for (const v of values) {
        expect(Number.isFinite(v)).toBe(true);
        if (settings.output === 'binary') {
          expect(v).toBeGreaterThan(0);
          expect(v).toBeLessThan(1);
        }
      }
    });
  });

  it('stacks LSTM layers, all but the last returning sequences', async () => {
    await withModel({ ...small, layers: 3, dropout: 0.1 }, (model) => {
      const lstms = model.layers.filter((l) => l.getClassName() === 'LSTM');
      expect(lstms.map((l) => (l.getConfig() as { returnSequences: boolean }).returnSequences)).toEqual([true, true, false]);
      expect(model.layers.filter((l) => l.getClassName() === 'Dropout')).toHaveLength(3);
      expect(lstms.every((l) => (l.getConfig() as { units: number }).units === small.units)).toBe(true);
    });
    await withModel(small, (model) => {
      expect(model.layers.map((l) => l.getClassName())).toEqual(['LSTM', 'Dense']);
    });
  });

  it('uses a linear head for regression and a sigmoid head for yes/no', async () => {
    const activation = (model: tf.LayersModel) => (model.layers.at(-1)?.getConfig() as { activation: string }).activation;
    await withModel(small, (model) => expect(activation(model)).toBe('linear'));
    await withModel({ ...small, output: 'binary' }, (model) => expect(activation(model)).toBe('sigmoid'));
  });

  it('compiles with Adam (explicit epsilon 1e-7) and MSE or cross-entropy', async () => {
    await withModel({ ...small, learningRate: 0.005 }, (model, optimizer) => {
      expect(model.optimizer).toBe(optimizer);
      expect(optimizer.getClassName()).toBe('Adam');
      expect(optimizer.getConfig()).toMatchObject({ learningRate: 0.005, beta1: 0.9, beta2: 0.999, epsilon: ADAM_EPSILON });
      expect(ADAM_EPSILON).toBe(1e-7);
      expect(model.loss).toBe('meanSquaredError');
    });
    await withModel({ ...small, output: 'binary' }, (model) => expect(model.loss).toBe('binaryCrossentropy'));
  });

  it('gives the same initial weights for the same seed and different ones for another seed', async () => {
    const settings = { ...small, layers: 2 };
    const a = await withModel(settings, weightValues);
    const b = await withModel(settings, weightValues);
    const c = await withModel({ ...settings, seed: settings.seed + 1 }, weightValues);
    expect(b).toEqual(a);
    expect(a).toHaveLength(8);
    for (let i = 0; i < a.length; i++) {
      // Biases start at fixed values; every kernel depends on the seed.
      const isBias = a[i]?.length === LSTM_GATES * small.units || a[i]?.length === 1;
      if (!isBias) expect(c[i]).not.toEqual(a[i]);
    }
  });

  it('starts each gate of each recurrent kernel orthogonal, with unit forget bias', async () => {
    const units = 16;
    await withModel({ ...small, units, layers: 2 }, async (model) => {
      const lstms = model.layers.filter((l) => l.getClassName() === 'LSTM');
      expect(lstms).toHaveLength(2);
      for (const layer of lstms) {
        const [kernel, recurrent, bias] = layer.getWeights();
        expect(kernel?.shape[1]).toBe(LSTM_GATES * units);
        expect(recurrent?.shape).toEqual([units, LSTM_GATES * units]);
        const u = (await recurrent?.data()) as Float32Array;
        expectGateBlocksOrthogonal(u, units);
        expect(Array.from((await bias?.data()) ?? [])).toEqual(Array.from(unitForgetBias(units)));
      }
    });
  });

  it('learns: a few Adam steps on a small synthetic problem reduce the loss', async () => {
    const [count, windowLength, featureCount] = [64, 6, 2];
    const x = seededInput(count * windowLength * featureCount, 3);
    // Target: the mean of feature 0 over the window, scaled up.
    const y = new Float32Array(count);
    for (let n = 0; n < count; n++) {
      let sum = 0;
      for (let t = 0; t < windowLength; t++) sum += x[(n * windowLength + t) * featureCount] as number;
      y[n] = (2 * sum) / windowLength;
    }
    const xs = tf.tensor3d(x, [count, windowLength, featureCount]);
    const ys = tf.tensor2d(y, [count, 1]);
    try {
      await withModel({ ...small, windowLength, featureCount, units: 8, learningRate: 0.02 }, async (model) => {
        const first = (await model.trainOnBatch(xs, ys)) as number;
        let last = first;
        for (let step = 0; step < 40; step++) last = (await model.trainOnBatch(xs, ys)) as number;
        expect(Number.isFinite(first)).toBe(true);
        expect(last).toBeLessThan(first * 0.5);
      });
    } finally {
      tf.dispose([xs, ys]);
    }
  });

  it.each([
    ['windowLength', { windowLength: 0 }],
    ['featureCount', { featureCount: 1.5 }],
    ['units', { units: -1 }],
    ['layers', { layers: 0 }],
    ['dropout', { dropout: 1 }],
    ['learningRate', { learningRate: 0 }],
    ['seed', { seed: Number.NaN }],
  ])('rejects an invalid %s without creating tensors', (name, bad) => {
    expect(() => buildLstmModel({ ...small, ...bad })).toThrow(new RegExp(name));
  });
});

describe('orthogonalGateBlocks', () => {
  it.each([1, 3, 8, 64])('builds 4 orthogonal %i × %i blocks, deterministically', (units) => {
    const a = orthogonalGateBlocks(units, 42);
    expect(a).toHaveLength(units * LSTM_GATES * units);
    expectGateBlocksOrthogonal(a, units);
    expect(orthogonalGateBlocks(units, 42)).toEqual(a);
    if (units > 1) expect(orthogonalGateBlocks(units, 43)).not.toEqual(a);
  });

  it('gives each gate its own matrix', () => {
    const units = 4;
    const a = orthogonalGateBlocks(units, 1);
    const block = (g: number) => Array.from({ length: units * units }, (_, i) => a[Math.floor(i / units) * LSTM_GATES * units + g * units + (i % units)]);
    expect(block(0)).not.toEqual(block(1));
    expect(block(2)).not.toEqual(block(3));
  });
});

/** BᵀB ≈ I for each gate block B = U[:, g·units, (g+1)·units) of a row-major [units, 4·units] matrix. */
function expectGateBlocksOrthogonal(u: Float32Array, units: number): void {
  const width = LSTM_GATES * units;
  let worst = 0;
  for (let g = 0; g < LSTM_GATES; g++) {
    for (let i = 0; i < units; i++) {
      for (let j = 0; j < units; j++) {
        let dot = 0;
        for (let r = 0; r < units; r++) dot += (u[r * width + g * units + i] as number) * (u[r * width + g * units + j] as number);
        worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
      }
    }
  }
  expect(worst).toBeLessThan(1e-5);
}
