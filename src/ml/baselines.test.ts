import { describe, expect, it } from 'vitest';
import { chooseRidgeLambda, fillNaive, fitRidge, predictRidge, windowsToRidgeInputs, type RidgeModel } from './baselines';
import type { Windows } from './types';

function expectNumbers(received: ArrayLike<number>, expected: readonly number[], digits = 9): void {
  expect(received.length).toBe(expected.length);
  expected.forEach((e, i) => {
    if (Number.isNaN(e)) expect(received[i]).toBeNaN();
    else expect(received[i]).toBeCloseTo(e, digits);
  });
}

/** Windows with only `x` meaningful; the other arrays are filler of the right length. */
function makeWindows(count: number, windowLength: number, featureCount: number, x: number[]): Windows {
  return {
    count,
    windowLength,
    featureCount,
    x: Float32Array.from(x),
    y: new Float32Array(count),
    actual: new Float64Array(count),
    series: new Int32Array(count),
    step: new Int32Array(count),
    horizon: new Int32Array(count).fill(1),
    naive: new Float64Array(count),
    seasonalNaive: new Float64Array(count),
  };
}

// One column: x = [0, 1, 2, 3], y = [1, 3, 2, 5]. x̄ 1.5, ȳ 2.75, Σxc² = 5, Σxc·yc = 5.5,
// so w = 5.5 / (5 + λ) and intercept = 2.75 − 1.5 w.
const oneX = [0, 1, 2, 3];
const oneY = [1, 3, 2, 5];

describe('fitRidge', () => {
  it.each<[string, number[], number, number, number[], number, number[], number]>([
    ['one column, λ = 0 is least squares', oneX, 4, 1, oneY, 0, [1.1], 1.1],
    ['one column, λ = 1', oneX, 4, 1, oneY, 1, [5.5 / 6], 2.75 - (1.5 * 5.5) / 6],
    ['one column, λ = 5', oneX, 4, 1, oneY, 5, [0.55], 1.925],
    [
      'rows with a NaN target or feature are left out',
      [...oneX, NaN, 9],
      6,
      1,
      [...oneY, 4, NaN],
      1,
      [5.5 / 6],
      2.75 - (1.5 * 5.5) / 6,
    ],
    // Centred columns are orthogonal: XᵀX = 4I, Xᵀyc = [−2, −4]; w = Xᵀyc / (4 + λ)
    ['two orthogonal columns, λ = 1', [1, 1, -1, 1, 1, -1, -1, -1], 4, 2, [1, 2, 3, 4], 1, [-0.4, -0.8], 2.5],
    // The intercept is not penalised: huge λ shrinks to the mean
    ['huge λ gives the mean', oneX, 4, 1, oneY, 1e12, [0], 2.75],
    // Constant column with λ = 0: singular, the tiny ridge gives it weight 0
    ['a constant column gets weight 0', [0, 7, 1, 7, 2, 7, 3, 7], 4, 2, oneY, 0, [1.1, 0], 1.1],
    // Duplicated column with λ = 0: the weight splits evenly
    ['a duplicated column shares the weight', [0, 0, 1, 1, 2, 2, 3, 3], 4, 2, oneY, 0, [0.55, 0.55], 1.1],
  ])('%s', (_name, x, rows, cols, y, lambda, weights, intercept) => {
    const model = fitRidge(Float64Array.from(x), rows, cols, y, lambda);
    expectNumbers(model.weights, weights, 6);
    expect(model.intercept).toBeCloseTo(intercept, 6);
    expect(model.lambda).toBe(lambda);
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });

  it('recovers an exact linear relation from float32 inputs', () => {
    // y = 2 + 3·a − b on a 3 × 3 grid
    const x: number[] = [];
    const y: number[] = [];
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        x.push(a, b);
        y.push(2 + 3 * a - b);
      }
    }
    const model = fitRidge(Float32Array.from(x), 9, 2, y, 0);
    expectNumbers(model.weights, [3, -1], 6);
    expect(model.intercept).toBeCloseTo(2, 6);
  });

  it.each<[string, () => unknown]>([
    ['x of the wrong length', () => fitRidge(new Float64Array(3), 2, 2, [1, 2])],
    ['y of the wrong length', () => fitRidge(new Float64Array(4), 2, 2, [1])],
    ['no usable row', () => fitRidge(Float64Array.from([NaN, 1]), 2, 1, [1, NaN])],
    ['negative λ', () => fitRidge(Float64Array.from([1, 2]), 2, 1, [1, 2], -1)],
  ])('throws on %s', (_name, call) => {
    expect(call).toThrow(RangeError);
  });
});

describe('predictRidge', () => {
  const model: RidgeModel = { weights: [2, -1], intercept: 0.5, lambda: 1 };
  it.each<[string, number[], number, number[]]>([
    ['two rows', [1, 1, 0, 2], 2, [1.5, -1.5]],
    ['a NaN feature predicts NaN', [Number.NaN, 0], 1, [Number.NaN]],
    ['no rows', [], 0, []],
  ])('%s', (_name, x, rows, expected) => {
    expectNumbers(predictRidge(model, Float32Array.from(x), rows), expected);
  });
});

describe('chooseRidgeLambda', () => {
  // Candidates [0, 1, 5] on the one-column data predict at x = 4:
  // λ 0 → 1.1 + 4.4 = 5.5; λ 1 → 1.375 + 3.6667 = 5.0417; λ 5 → 1.925 + 2.2 = 4.125.
  const predictionAt4 = [5.5, 1.375 + (4 * 5.5) / 6, 4.125];
  it.each<[string, number, number[], number]>([
    ['validation favours no penalty', 5.5, [0, 1, 5], 0],
    ['validation favours λ = 1', 5.0, [0, 1, 5], 1],
    ['validation favours heavy shrinkage', 4.125, [0, 1, 5], 5],
    ['a tie keeps the first candidate', 5.5, [0, 0], 0],
    ['all scores NaN: the first candidate', Number.NaN, [5, 1, 0], 5],
  ])('%s', (_name, validY, candidates, expected) => {
    const chosen = chooseRidgeLambda(Float64Array.from(oneX), oneY, Float64Array.from([4]), [validY], 1, candidates);
    expect(chosen.lambda).toBe(expected);
    expect(chosen.model.lambda).toBe(expected);
    expect(chosen.scores.map((s) => s.lambda)).toEqual(candidates);
    chosen.scores.forEach((s) => {
      const predicted = predictionAt4[[0, 1, 5].indexOf(s.lambda)]!;
      if (Number.isNaN(validY)) expect(s.mse).toBeNaN();
      else expect(s.mse).toBeCloseTo((predicted - validY) ** 2, 9);
    });
  });

  it('uses the default candidates', () => {
    const chosen = chooseRidgeLambda(Float64Array.from(oneX), oneY, Float64Array.from([4, 5]), [5.5, 6.6], 1);
    expect(chosen.scores.map((s) => s.lambda)).toEqual([0.01, 0.1, 1, 10, 100]);
    expect(chosen.lambda).toBe(0.01);
  });
});

describe('windowsToRidgeInputs', () => {
  it.each<[string, number, number, number, number[], number[]]>([
    [
      'last step then window mean, per window',
      2,
      3,
      2,
      // window 0 steps (1,10) (2,20) (3,30); window 1 steps (4,NaN) (5,50) (6,60)
      [1, 10, 2, 20, 3, 30, 4, NaN, 5, 50, 6, 60],
      [3, 30, 2, 20, 6, 60, 5, 55],
    ],
    ['window of one step: both halves equal', 2, 1, 2, [1, 2, 3, 4], [1, 2, 1, 2, 3, 4, 3, 4]],
    ['a feature never finite has a NaN mean', 1, 2, 1, [NaN, NaN], [NaN, NaN]],
    ['no windows', 0, 4, 3, [], []],
  ])('%s', (_name, count, steps, features, x, expected) => {
    const out = windowsToRidgeInputs(makeWindows(count, steps, features, x));
    expect(out).toBeInstanceOf(Float32Array);
    expectNumbers(out, expected, 5);
  });
});

describe('fillNaive', () => {
  it.each<[string, number[], number, number[], number]>([
    ['NaN and infinities take the fallback', [1, NaN, 3, Infinity], 2, [1, 2, 3, 2], 2],
    ['nothing to fill', [0.1, 0.2], 9, [0.1, 0.2], 0],
    ['empty', [], 1, [], 0],
  ])('%s', (_name, pred, fallback, values, filled) => {
    const input = Float64Array.from(pred);
    const result = fillNaive(input, fallback);
    expectNumbers(result.values, values);
    expect(result.filled).toBe(filled);
    expectNumbers(input, pred);
  });
});
