import { describe, expect, it } from 'vitest';
import { absoluteResiduals, conformalBounds, conformalQuantile, intervalCoverage } from './conformal';

describe('conformalQuantile', () => {
  const ten = [0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 1.0, 0.4, 0.8, 0.6];
  const nine = [0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 0.4, 0.8, 0.6];
  // 1..24 in a scrambled order
  const twentyFour = Array.from({ length: 24 }, (_, i) => ((i * 5) % 24) + 1);
  it.each<[string, number[], number | undefined, number]>([
    // n = 10: ⌈11 · 0.9⌉ = 10 → the largest
    ['90 % of ten residuals is the 10th smallest', ten, undefined, 1.0],
    // ⌈11 · 0.5⌉ = 6
    ['50 % of ten residuals is the 6th smallest', ten, 0.5, 0.6],
    // ⌈10 · 0.9⌉ = 9 exactly: no rounding up past it
    ['nine residuals at 90 % is the 9th smallest', nine, 0.9, 0.9],
    // ⌈25 · 0.28⌉ = 7 (25 · 0.28 is 7.000000000000001 in floating point)
    ['floating-point product does not bump the rank', twentyFour, 0.28, 7],
    // ⌈9 · 0.9⌉ = 9 > 8
    ['too few residuals: unbounded', nine.slice(0, 8), 0.9, Infinity],
    ['no residual: unbounded', [], 0.9, Infinity],
    // NaN and Infinity skipped: n = 3, ⌈4 · 0.5⌉ = 2; negatives taken as |r|
    ['non-finite skipped, signs dropped', [NaN, -0.3, Infinity, 0.1, 0.2], 0.5, 0.2],
    // ⌈3 · 0.1⌉ = 1
    ['low coverage takes the smallest', [0.4, 0.2], 0.1, 0.2],
  ])('%s', (_name, residuals, coverage, expected) => {
    expect(conformalQuantile(residuals, coverage)).toBe(expected);
  });

  it.each([0, 1, -0.1, 1.5, NaN])('rejects coverage %s', (coverage) => {
    expect(() => conformalQuantile([1, 2, 3], coverage)).toThrow(RangeError);
  });
});

describe('absoluteResiduals and conformalBounds', () => {
  it.each<[number[], number[], number[]]>([
    [[1, 2, 3], [1.5, 1, NaN], [0.5, 1, NaN]],
    [[], [], []],
  ])('|%j − %j| = %j', (actual, predicted, expected) => {
    expect(Array.from(absoluteResiduals(actual, predicted))).toEqual(expected);
  });

  it.each<[number[], number, number[], number[]]>([
    [[0, 1.5], 0.5, [-0.5, 1], [0.5, 2]],
    [[2], Infinity, [-Infinity], [Infinity]],
  ])('%j ± %s', (predicted, q, lower, upper) => {
    const b = conformalBounds(predicted, q);
    expect(Array.from(b.lower)).toEqual(lower);
    expect(Array.from(b.upper)).toEqual(upper);
  });
});

describe('intervalCoverage', () => {
  it.each<[string, number[], number[], number[], number]>([
    ['bounds are inclusive', [1, 2, 3, 4], [1, 0, 3.5, 0], [2, 2, 4, 3], 0.5],
    ['infinite bounds cover everything', [5, -5], [-Infinity, -Infinity], [Infinity, Infinity], 1],
    ['non-finite actuals and NaN bounds are skipped', [1, NaN, 2, 3], [0, 0, NaN, 4], [2, 2, 3, 5], 0.5],
    ['nothing to score', [NaN], [0], [1], NaN],
  ])('%s', (_name, actual, lower, upper, expected) => {
    const got = intervalCoverage(actual, lower, upper);
    if (Number.isNaN(expected)) expect(got).toBeNaN();
    else expect(got).toBeCloseTo(expected, 12);
  });

  it('calibrates: the validation quantile covers at least the nominal share of the validation set', () => {
    const residuals = Array.from({ length: 99 }, (_, i) => ((i * 37) % 99) / 10);
    const q = conformalQuantile(residuals, 0.9);
    const predicted = new Array<number>(residuals.length).fill(0);
    const { lower, upper } = conformalBounds(predicted, q);
    expect(intervalCoverage(residuals, lower, upper)).toBeGreaterThanOrEqual(0.9);
  });
});
