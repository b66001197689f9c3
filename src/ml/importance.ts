/**
 * Permutation feature importance on the hold-out, model-agnostic: shuffle
 * one group of input features across windows (breaking its link with the
 * target while keeping its distribution), re-predict, and measure how much
 * the error grows. Works with any `predict` — the LSTM, the ridge baseline
 * or a test fake — because it only touches the input tensor's values.
 */
import { mulberry32 } from '../lib/random';
import type { Windows } from './types';

/** How much the error grows when one feature group is shuffled. */
export interface FeatureImportance {
  /** The group's name, as passed in. */
  readonly name: string;
  /** Mean over repeats of metric(shuffled) − metric(baseline), in the metric's units (e.g. MAE in target units). May be slightly negative by chance. */
  readonly increase: number;
  /** `increase` / baseline metric (0.25 = error 25 % higher); NaN when the baseline is 0 or not finite. */
  readonly relativeIncrease: number;
}

/** Inputs of {@link permutationImportance}. */
export interface PermutationImportanceOptions {
  /** Hold-out windows: `x` is [count, windowLength, featureCount]; `actual` is the target in original units. */
  readonly windows: Windows;
  /**
   * Features shuffled together, e.g. every one-hot column of "promotion
   * type" as one group. `columns` index the last (feature) axis of `x`.
   */
  readonly featureGroups: readonly { readonly name: string; readonly columns: readonly number[] }[];
  /**
   * Predictions in original units for `count` windows of `x` ([count,
   * windowLength, featureCount]), one per window. `x` is reused between
   * calls: read it before the promise resolves, never keep, change or
   * transfer (detach) it — copy first when sending it to a worker.
   */
  readonly predict: (x: Float32Array, count: number) => Promise<Float64Array>;
  /** Error of predictions against actuals, lower is better (e.g. MAE from regressionMetrics). */
  readonly metric: (actual: Float64Array, predicted: Float64Array) => number;
  /** Shuffles per group, averaged (default 1). */
  readonly repeats?: number;
  /** Seed of the shuffles (default 1): the same seed gives the same result. */
  readonly seed?: number;
  /** At most this many windows are used, spread evenly over the hold-out (default 2000). */
  readonly maxWindows?: number;
  /** Checked between predictions; aborting rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called after each prediction: `done` of `total` (= 1 + groups × repeats). */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Permutation importance of each feature group, sorted by `increase`
 * descending (NaN last). For each group and repeat, the group's columns are
 * shuffled across windows with one seeded permutation — every time step of
 * a window moves together, so a window's lever history stays coherent — and
 * the windows are re-predicted. Only windows with a finite `actual` are
 * used, subsampled evenly to `maxWindows`. Calls `predict` 1 + groups ×
 * repeats times, each on the same number of windows.
 */
export async function permutationImportance(options: PermutationImportanceOptions): Promise<FeatureImportance[]> {
  const { windows, featureGroups, predict, metric, signal, onProgress } = options;
  const repeats = Math.max(1, Math.floor(options.repeats ?? 1));
  const maxWindows = Math.max(1, Math.floor(options.maxWindows ?? 2000));
  const { windowLength: steps, featureCount: features } = windows;
  const stride = steps * features;
  if (windows.x.length !== windows.count * stride) {
    throw new RangeError(`permutationImportance: x has ${windows.x.length} values for ${windows.count} × ${steps} × ${features}`);
  }
  for (const group of featureGroups) {
    for (const c of group.columns) {
      if (!Number.isInteger(c) || c < 0 || c >= features) {
        throw new RangeError(`permutationImportance: group "${group.name}" names column ${c}; there are ${features}`);
      }
    }
  }

  const picked = evenSubsample(finiteIndices(windows.actual), maxWindows);
  const count = picked.length;
  const x = new Float32Array(count * stride);
  const actual = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const w = picked[i]!;
    x.set(windows.x.subarray(w * stride, (w + 1) * stride), i * stride);
    actual[i] = windows.actual[w]!;
  }

  const total = 1 + featureGroups.length * repeats;
  let done = 0;
  const score = async (input: Float32Array): Promise<number> => {
    signal?.throwIfAborted();
    const predicted = await predict(input, count);
    if (predicted.length !== count) throw new RangeError(`permutationImportance: predict returned ${predicted.length} values for ${count} windows`);
    done++;
    onProgress?.(done, total);
    return metric(actual, predicted);
  };

  const baseline = await score(x);
  const random = mulberry32(options.seed ?? 1);
  const shuffled = new Float32Array(x.length);
  const order = new Int32Array(count);
  const results: FeatureImportance[] = [];
  for (const group of featureGroups) {
    const sum = new Float64Array(1);
    for (let r = 0; r < repeats; r++) {
      shuffleInPlace(order, random);
      shuffled.set(x);
      for (let i = 0; i < count; i++) {
        const to = i * stride;
        const from = order[i]! * stride;
        for (let t = 0; t < steps; t++) {
          const offset = t * features;
          for (const c of group.columns) shuffled[to + offset + c] = x[from + offset + c]!;
        }
      }
      sum[0]! += (await score(shuffled)) - baseline;
    }
    const increase = sum[0]! / repeats;
    results.push({
      name: group.name,
      increase,
      relativeIncrease: baseline > 0 && Number.isFinite(baseline) ? increase / baseline : NaN,
    });
  }
  return results.sort(byIncreaseDescending);
}


// ---------------------------------------------------------------------------
// Helpers

function byIncreaseDescending(a: FeatureImportance, b: FeatureImportance): number {
  const an = Number.isNaN(a.increase);
  const bn = Number.isNaN(b.increase);
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return b.increase - a.increase;
}

function finiteIndices(values: Float64Array): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) out.push(i);
  return Int32Array.from(out);
}

/** At most `max` entries at evenly spaced positions (first kept; all when short enough). */
function evenSubsample(indices: Int32Array, max: number): Int32Array {
  if (indices.length <= max) return indices;
  const out = new Int32Array(max);
  for (let k = 0; k < max; k++) out[k] = indices[Math.floor((k * indices.length) / max)]!;
  return out;
}

/** Fisher–Yates: `order` becomes a fresh random permutation of 0..n−1. */
function shuffleInPlace(order: Int32Array, random: () => number): void {
  for (let i = 0; i < order.length; i++) order[i] = i;
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
}
