import { describe, expect, it } from 'vitest';
import { lttb } from './lttb';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('lttb', () => {
  it.each<[string, number[], number[], number, number[]]>([
    ['threshold ≥ n keeps everything', [0, 1, 2], [5, 6, 7], 3, [0, 1, 2]],
    ['threshold above n keeps everything', [0, 1, 2], [5, 6, 7], 10, [0, 1, 2]],
    ['threshold < 3 keeps everything', range(5), [1, 2, 3, 4, 5], 2, [0, 1, 2, 3, 4]],
    ['empty series', [], [], 3, []],
    // One bucket {1, 2, 3} aimed at (4, 0): area ∝ 4·|y| → the peak at 3
    ['one bucket keeps the peak', range(5), [0, 1, 0, 5, 0], 3, [0, 3, 4]],
    // Buckets {1, 2} and {3, 4}. First: from (0, 0) towards mean (3.5, −1.5), areas 8.5 and 3 → 1.
    // Second: from (1, 2) towards (5, 0), areas 4 and 14 → 4.
    ['two buckets, hand-computed', range(6), [0, 2, 0, 0, -3, 0], 4, [0, 1, 4, 5]],
    ['a fractional threshold is floored', range(6), [0, 2, 0, 0, -3, 0], 4.9, [0, 1, 4, 5]],
    // The NaN at 1 never wins its bucket
    ['gaps do not win', range(5), [0, NaN, 1, 0, 0], 3, [0, 2, 4]],
    // Uneven x spacing is honoured: same shape, areas scale with the gaps
    ['uneven x', [0, 1, 10, 11, 20], [0, 1, 0, 5, 0], 3, [0, 3, 4]],
  ])('%s', (_name, xs, ys, threshold, expected) => {
    const kept = lttb(xs, ys, threshold);
    expect(kept).toBeInstanceOf(Int32Array);
    expect(Array.from(kept)).toEqual(expected);
  });

  // A slow wave with a spike up at 500 and a dip down at 700.
  const n = 1000;
  const xs = Float64Array.from(range(n));
  const ys = Float64Array.from(range(n), (i) => Math.sin(i / 50) + (i === 500 ? 100 : 0) + (i === 700 ? -100 : 0));

  it.each([5, 10, 50, 200, 999])('threshold %i: exact length, increasing, ends and both spike extremes kept', (threshold) => {
    const kept = Array.from(lttb(xs, ys, threshold));
    expect(kept).toHaveLength(threshold);
    expect(kept[0]).toBe(0);
    expect(kept[threshold - 1]).toBe(n - 1);
    for (let i = 1; i < kept.length; i++) expect(kept[i]!).toBeGreaterThan(kept[i - 1]!);
    expect(kept).toContain(500);
    expect(kept).toContain(700);
  });

  it('rejects x and y of different lengths', () => {
    expect(() => lttb([0, 1], [0], 3)).toThrow(RangeError);
  });
});
