import { describe, expect, it } from 'vitest';
import { seededValues } from './backends';
import { buildLstmModel } from './lstm';
import { checkCpuBackendWithoutLeaks } from './tfTesting';
import { averagingDecay, evaluateLoss, trainLoop, type TrainSettings } from './train';
import type { Windows } from './types';

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
