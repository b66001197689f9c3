import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../lib/random';
import { permutationImportance } from './importance';
import type { Windows } from './types';

/** Mean absolute error over all pairs (the fakes never produce NaN). */
function mae(actual: Float64Array, predicted: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(predicted[i]! - actual[i]!);
  return sum / actual.length;
}

/**
 * `count` windows of `steps` × 3 features: column 0 strong, column 1 ignored
 * by the fake model, column 2 weak. Values are deterministic and varied.
 */
function makeWindows(count: number, steps: number, actualOf: (i: number, x: Float32Array) => number): Windows {
  const features = 3;
  const x = new Float32Array(count * steps * features);
  const random = mulberry32(99);
  for (let k = 0; k < x.length; k++) x[k] = random() * 2 - 1;
  const actual = Float64Array.from({ length: count }, (_, i) => actualOf(i, x));
  return {
    count,
    windowLength: steps,
    featureCount: features,
    x,
    y: new Float32Array(count),
    actual,
    series: new Int32Array(count),
    step: Int32Array.from({ length: count }, (_, i) => i),
    horizon: new Int32Array(count).fill(1),
    naive: new Float64Array(count),
    seasonalNaive: new Float64Array(count),
  };
}

/** Fake model: Σ over steps of 2·x₀ + 0.2·x₂ (column 1 ignored). */
function linear(x: Float32Array, count: number, steps: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    for (let t = 0; t < steps; t++) {
      const base = (i * steps + t) * 3;
      out[i]! += 2 * x[base]! + 0.2 * x[base + 2]!;
    }
  }
  return out;
}

const groups = [
  { name: 'irrelevant', columns: [1] },
  { name: 'weak', columns: [2] },
  { name: 'important', columns: [0] },
];

describe('mulberry32', () => {
  it.each<[number, number[]]>([
    [1, [0.6270739405881613, 0.002735721180215478, 0.5274470399599522]],
    [42, [0.6011037519201636, 0.44829055899754167, 0.8524657934904099]],
  ])('seed %i gives the reference sequence', (seed, expected) => {
    const random = mulberry32(seed);
    expect(expected.map(() => random())).toEqual(expected);
  });
});

describe('permutationImportance', () => {
  it.each<[string, number, number, number, number]>([
    // [name, windows, steps, repeats, seed]
    ['one repeat', 300, 4, 1, 1],
    ['three repeats, other seed', 300, 4, 3, 7],
    ['one-step windows', 200, 1, 2, 3],
  ])('%s: the important feature ranks first, the ignored one adds nothing', async (_name, count, steps, repeats, seed) => {
    // Actual = model output + 0.1 alternating, so the baseline MAE is exactly 0.1.
    const windows = makeWindows(count, steps, (i) => (i % 2 === 0 ? 0.1 : -0.1));
    const truth = linear(windows.x, count, steps);
    const actual = Float64Array.from(windows.actual, (noise, i) => truth[i]! + noise);
    const result = await permutationImportance({
      windows: { ...windows, actual },
      featureGroups: groups,
      predict: (x, n) => Promise.resolve(linear(x, n, steps)),
      metric: mae,
      repeats,
      seed,
    });
    expect(result.map((r) => r.name)).toEqual(['important', 'weak', 'irrelevant']);
    const [important, weak, irrelevant] = result;
    expect(irrelevant!.increase).toBeCloseTo(0, 6);
    expect(irrelevant!.relativeIncrease).toBeCloseTo(0, 5);
    expect(important!.increase).toBeGreaterThan(10 * weak!.increase);
    expect(weak!.increase).toBeGreaterThan(0);
    expect(important!.relativeIncrease).toBeCloseTo(important!.increase / 0.1, 4);
  });

  it('is deterministic for a seed', async () => {
    const windows = makeWindows(100, 3, () => 0);
    const run = (seed: number) =>
      permutationImportance({ windows, featureGroups: groups, predict: (x, n) => Promise.resolve(linear(x, n, 3)), metric: mae, seed });
    expect(await run(5)).toEqual(await run(5));
    expect(await run(5)).not.toEqual(await run(6));
  });

  it('moves whole windows: every step of a group comes from one source window, other columns stay', async () => {
    const count = 50;
    const steps = 3;
    const windows = makeWindows(count, steps, () => 1);
    const seen: Float32Array[] = [];
    await permutationImportance({
      windows,
      featureGroups: [{ name: 'levers', columns: [0, 2] }],
      predict: (x, n) => {
        seen.push(x.slice());
        return Promise.resolve(new Float64Array(n));
      },
      metric: mae,
    });
    expect(seen).toHaveLength(2);
    const [original, shuffled] = seen as [Float32Array, Float32Array];
    expect(original).toEqual(windows.x);
    const stride = steps * 3;
    const sources = new Set<number>();
    for (let i = 0; i < count; i++) {
      // Find the window whose column 0 at step 0 moved here; it must match at every step, for both columns.
      const source = Array.from({ length: count }, (_, j) => j).find((j) => original[j * stride] === shuffled[i * stride]);
      expect(source).toBeDefined();
      sources.add(source!);
      for (let t = 0; t < steps; t++) {
        const to = i * stride + t * 3;
        const from = source! * stride + t * 3;
        expect(shuffled[to]).toBe(original[from]);
        expect(shuffled[to + 2]).toBe(original[from + 2]);
        expect(shuffled[to + 1]).toBe(original[to + 1]);
      }
    }
    expect(sources.size).toBe(count);
  });

  it.each<[string, number, number[], number, number]>([
    // [name, windows, NaN-actual windows, maxWindows, windows predicted]
    ['subsampled to maxWindows', 100, [], 10, 10],
    ['windows without an actual are left out', 20, [3, 4, 5], 2000, 17],
    ['fewer windows than the cap', 8, [], 2000, 8],
  ])('%s', async (_name, count, missing, maxWindows, expected) => {
    const windows = makeWindows(count, 2, (i) => (missing.includes(i) ? NaN : i));
    const counts: number[] = [];
    const progress: [number, number][] = [];
    const result = await permutationImportance({
      windows,
      featureGroups: groups,
      predict: (x, n) => {
        counts.push(n);
        expect(x).toHaveLength(n * 2 * 3);
        return Promise.resolve(new Float64Array(n));
      },
      metric: (actual) => {
        expect(actual.every(Number.isFinite)).toBe(true);
        return 1;
      },
      repeats: 2,
      maxWindows,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(counts).toEqual(new Array<number>(1 + groups.length * 2).fill(expected));
    expect(progress.at(-1)).toEqual([7, 7]);
    expect(result.every((r) => r.increase === 0)).toBe(true);
  });

  it.each<[string, { name: string; columns: number[] }[]]>([
    ['a column past the last feature', [{ name: 'bad', columns: [3] }]],
    ['a negative column', [{ name: 'bad', columns: [-1] }]],
  ])('rejects %s', async (_name, featureGroups) => {
    const windows = makeWindows(4, 2, () => 0);
    await expect(
      permutationImportance({ windows, featureGroups, predict: (_x, n) => Promise.resolve(new Float64Array(n)), metric: mae }),
    ).rejects.toThrow(RangeError);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    const windows = makeWindows(10, 2, () => 0);
    const run = permutationImportance({
      windows,
      featureGroups: groups,
      predict: (_x, n) => {
        controller.abort(new Error('stopped by the analyst'));
        return Promise.resolve(new Float64Array(n));
      },
      metric: mae,
      signal: controller.signal,
    });
    await expect(run).rejects.toThrow('stopped by the analyst');
  });

  it('a zero baseline gives NaN relative increases', async () => {
    const windows = makeWindows(10, 1, () => 0);
    const result = await permutationImportance({
      windows,
      featureGroups: [{ name: 'none', columns: [] }],
      predict: (_x, n) => Promise.resolve(new Float64Array(n)),
      metric: mae,
    });
    expect(result).toEqual([{ name: 'none', increase: 0, relativeIncrease: NaN }]);
  });
});
