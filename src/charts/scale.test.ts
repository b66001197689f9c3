import { describe, expect, it } from 'vitest';
import { linearScale, niceTicks, paddedDomain } from './scale';

describe('niceTicks', () => {
  it.each<[number, number, number, number[]]>([
    [0, 50, 5, [0, 10, 20, 30, 40, 50]],
    [0, 62.5, 5, [0, 20, 40, 60]],
    [0.0231, 0.0318, 5, [0.024, 0.026, 0.028, 0.03]],
    [-3, 7, 6, [-2, 0, 2, 4, 6]],
    [0, 1, 3, [0, 0.5, 1]],
    [5, 5, 5, [5]],
    [10, 0, 3, [0, 5, 10]],
    [NaN, 1, 5, []],
    [1e6, 1e6 + 1e-6, 5, [1e6]],
  ])('[%d, %d] in about %d ticks → %j', (min, max, count, expected) => {
    expect(niceTicks(min, max, count)).toEqual(expected);
  });

  it('stays inside the domain and evenly spaced', () => {
    for (const [min, max] of [[0.013, 0.019], [120, 4830], [-0.7, 0.2]] as const) {
      const ticks = niceTicks(min, max, 5);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks[0]!).toBeGreaterThanOrEqual(min);
      expect(ticks.at(-1)!).toBeLessThanOrEqual(max);
      const steps = ticks.slice(1).map((t, k) => t - ticks[k]!);
      for (const s of steps) expect(s).toBeCloseTo(steps[0]!, 9);
    }
  });
});

describe('paddedDomain', () => {
  it.each<[number[], number, [number, number]]>([
    [[1, 3, 2], 0.05, [0.9, 3.1]],
    [[2, 2], 0.05, [1.9, 2.1]],
    [[0, 0], 0.1, [-0.1, 0.1]],
    [[NaN, 4, Infinity, 6], 0, [4, 6]],
    [[], 0.05, [0, 1]],
  ])('%j padded by %d → %j', (values, share, [lo, hi]) => {
    const [a, b] = paddedDomain(values, share);
    expect(a).toBeCloseTo(lo, 12);
    expect(b).toBeCloseTo(hi, 12);
  });
});

describe('linearScale', () => {
  it.each<[[number, number, number, number], number, number]>([
    [[0, 10, 0, 100], 5, 50],
    [[0, 10, 100, 0], 2, 80],
    [[-1, 1, 10, 30], 1, 30],
    [[3, 3, 10, 30], 3, 20],
  ])('%j maps %d to %d', ([d0, d1, r0, r1], v, expected) => {
    expect(linearScale(d0, d1, r0, r1)(v)).toBeCloseTo(expected, 12);
  });
});
