import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { calibrationShift, shiftOutput } from './calibrate';
import { buildLstmModel } from './lstm';
import { checkCpuBackendWithoutLeaks } from './tfTesting';
import { predictValues } from './train';
import { fromModelSpace, toModelSpace } from './features';
import type { FeatureSpec } from './types';

checkCpuBackendWithoutLeaks();

const specOf = (kind: string, transform: string, mean: number, std: number) => ({ target: { column: 't', kind, transform, mean, std } }) as unknown as FeatureSpec;
const rate = specOf('rate', 'logit', -3.2, 0.5);
const count = specOf('count', 'log1p', 4, 0.8);
const real = specOf('real', 'identity', 10, 2);

/** n windows whose actual values are the model's predictions after `shift`. */
function shifted(spec: FeatureSpec, shift: number, n = 200): { predicted: Float32Array; actual: Float64Array } {
  const predicted = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 1.5);
  const actual = Float64Array.from(predicted, (p) => fromModelSpace(spec, p + shift));
  return { predicted, actual };
}

describe('calibrationShift', () => {
  it.each([
    ['a rate', rate, 0.05],
    ['a rate', rate, -0.3],
    ['a count', count, 0.1],
    ['a real value', real, -0.4],
    ['a rate already calibrated', rate, 0],
  ])('%s: finds a shift of %#', (_, spec, shift) => {
    const { predicted, actual } = shifted(spec, shift);
    // Sums match exactly at the true shift for a linear inverse; close to it otherwise.
    expect(calibrationShift(spec, predicted, actual)).toBeCloseTo(shift, spec === real ? 6 : 1);
    const found = calibrationShift(spec, predicted, actual);
    const total = (d: number) => predicted.reduce((s, p) => s + fromModelSpace(spec, p + d), 0);
    expect(total(found)).toBeCloseTo(actual.reduce((s, a) => s + a, 0), 6);
  });

  it('shifts a logit model up when its rates average low (the retransformation bias)', () => {
    // Observed rates scatter around 4 %; the model predicts the mean of their logits, which is below 4 %.
    const observed = Array.from({ length: 400 }, (_, i) => 0.04 * (1 + 0.5 * Math.sin(i * 1.7)));
    const meanLogit = observed.reduce((s, r) => s + toModelSpace(rate, r), 0) / observed.length;
    const predicted = new Float32Array(observed.length).fill(meanLogit);
    const shift = calibrationShift(rate, predicted, Float64Array.from(observed));
    expect(shift).toBeGreaterThan(0);
    expect(fromModelSpace(rate, predicted[0]! + shift)).toBeCloseTo(observed.reduce((s, r) => s + r, 0) / observed.length, 8);
  });

  it.each([
    ['a yes/no target', specOf('binary', 'identity', 0, 1), 200, 0.2],
    ['fewer than 30 windows', rate, 29, 0.2],
    ['a shift beyond one standard deviation', rate, 200, 1.5],
  ])('leaves %s alone', (_, spec, n, shift) => {
    const { predicted, actual } = shifted(spec, shift, n);
    expect(calibrationShift(spec, predicted, actual)).toBe(0);
  });

  it('skips windows without an actual value', () => {
    const { predicted, actual } = shifted(rate, 0.1);
    actual[3] = NaN;
    predicted[7] = NaN;
    expect(calibrationShift(rate, predicted, actual)).toBeCloseTo(0.1, 1);
  });
});

describe('shiftOutput', () => {
  it('moves every output by the shift, through the fast passes too', async () => {
    const { model, optimizer } = buildLstmModel({ windowLength: 4, featureCount: 3, units: 5, layers: 1, dropout: 0, learningRate: 1e-3, seed: 3, output: 'regression' });
    try {
      const x = Float32Array.from({ length: 6 * 4 * 3 }, (_, i) => Math.cos(i));
      const before = await predictValues(model, x, 6, 4, 3);
      shiftOutput(model, 0.25);
      const after = await predictValues(model, x, 6, 4, 3);
      const shared = await predictValues(model, x, 6, 4, 3, { prefix: new Int32Array(6).fill(2), group: Int32Array.from([0, 1, 2, 3, 4, 5]) });
      for (let i = 0; i < 6; i++) {
        expect(after[i]! - before[i]!).toBeCloseTo(0.25, 5);
        expect(shared[i]!).toBeCloseTo(after[i]!, 5);
      }
    } finally {
      model.dispose();
      optimizer.dispose();
    }
  });

  it('refuses a model without a one-unit dense head', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    try {
      expect(() => shiftOutput(model, 0.1)).toThrow(/dense head/);
    } finally {
      model.dispose();
    }
  });
});
