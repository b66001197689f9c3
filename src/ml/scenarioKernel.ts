import { fromModelSpace, type RawValue } from './features';
import type { FeatureSpec } from './types';
import { writePlanLevers, type PlanSpec } from './whatif';

/** One LSTM layer's weights as the host holds them (tf.js layout: gates i, f, c, o in blocks of `units`). */
export interface KernelLayer {
  /** `[inputs × 4·units]`, row by row. */
  readonly kernel: Float32Array;
  /** `[units × 4·units]`, row by row. */
  readonly recurrent: Float32Array;
  /** `[4·units]`. */
  readonly bias: Float32Array;
  readonly units: number;
  readonly gate: 'sigmoid' | 'hardSigmoid';
}

/** A series' LSTM state (every layer's h and c) after a window's history. */
export interface KernelState {
  readonly h: readonly Float32Array[];
  readonly c: readonly Float32Array[];
}

/**
 * What it takes to forecast any plan of one context (its series, start day
 * and horizon) without the worker: the model's weights, each plan day's
 * inputs with no promotion, and each window's LSTM state after the history
 * before the plan (the worker runs those; a slider never changes them). A
 * plan then costs only its own days' steps: for the seed's shapes and 7 days,
 * 28 LSTM steps of one row per series, about a millisecond of plain
 * arithmetic, where a round trip to a busy worker can miss the frame.
 */
export interface ScenarioKernel {
  readonly series: readonly number[];
  readonly startDay: number;
  readonly horizon: number;
  readonly windowLength: number;
  /** Features per step, and how many of them are exogenous (the rest describe the target's history). */
  readonly features: number;
  readonly exogCount: number;
  readonly layers: readonly KernelLayer[];
  /** Dense head: `[units]` of the last layer, its bias and activation. */
  readonly dense: Float32Array;
  readonly denseBias: number;
  readonly head: 'linear' | 'sigmoid';
  /** Per series: the grid step of the plan's first day. */
  readonly starts: readonly number[];
  /** Per series: the plan days' inputs with no promotion, `horizon × features`. */
  readonly rows: readonly Float32Array[];
  /** Per series: each plan day's day number (levers encoded by day need it). */
  readonly days: readonly (readonly number[])[];
  /** Per series and plan day: the state its window starts from (null: its window holds no history, it starts from zeros). */
  readonly states: readonly (readonly (KernelState | null)[])[];
  /** The observed target per series × plan day (NaN beyond the data), as the worker's answers carry it. */
  readonly actual: Float64Array;
}

/** LSTM steps the kernel runs per plan: the windows of every series, each from the plan's first day (or its own first step) to its day. */
export function kernelSteps(seriesCount: number, horizon: number, windowLength: number): number {
  let steps = 0;
  for (let d = 0; d < horizon; d++) steps += Math.min(d + 1, windowLength);
  return steps * seriesCount;
}

/** Whether `plan` is of the context `kernel` was built for. */
export function kernelFits(kernel: ScenarioKernel, plan: PlanSpec): boolean {
  return plan.startDay === kernel.startDay && plan.horizon === kernel.horizon && plan.series.length === kernel.series.length && plan.series.every((s, k) => s === kernel.series[k]);
}

/** z[0..width) += x[xAt..xAt+n) · w (`[n × width]`) for an input row; zero inputs (one-hot features) are skipped. */
function addInput(z: Float64Array, x: Float32Array, xAt: number, n: number, w: Float32Array, width: number): void {
  for (let k = 0; k < n; k++) {
    const v = x[xAt + k]!;
    if (v === 0) continue;
    const row = k * width;
    for (let g = 0; g < width; g++) z[g] = z[g]! + v * w[row + g]!;
  }
}

/**
 * z[0..width) += h[hAt..hAt+n) · w for a hidden state (kept apart from
 * addInput: one element type per loop keeps V8's loads monomorphic, 3× faster).
 */
function addHidden(z: Float64Array, h: Float64Array, hAt: number, n: number, w: Float32Array, width: number): void {
  for (let k = 0; k < n; k++) {
    const v = h[hAt + k]!;
    const row = k * width;
    for (let g = 0; g < width; g++) z[g] = z[g]! + v * w[row + g]!;
  }
}

/** One cell step: gates from z (`[i, f, c, o]` pre-activations), then c and h in place. */
function cell(z: Float64Array, h: Float64Array, c: Float64Array, units: number, hard: boolean): void {
  for (let j = 0; j < units; j++) {
    const zi = z[j]!;
    const zf = z[units + j]!;
    const zo = z[3 * units + j]!;
    const i = hard ? Math.max(0, Math.min(1, 0.2 * zi + 0.5)) : 1 / (1 + Math.exp(-zi));
    const f = hard ? Math.max(0, Math.min(1, 0.2 * zf + 0.5)) : 1 / (1 + Math.exp(-zf));
    const o = hard ? Math.max(0, Math.min(1, 0.2 * zo + 0.5)) : 1 / (1 + Math.exp(-zo));
    const next = f * c[j]! + i * Math.tanh(z[2 * units + j]!);
    c[j] = next;
    h[j] = o * Math.tanh(next);
  }
}

/**
 * The model's outputs (model space) for plan days 0..horizon−1 of one series,
 * whose plan-day inputs are `rows`: per day its window runs from its state
 * after the history (or from zeros at its own first step, for windows that
 * lie inside the plan) to that day.
 */
function seriesOutputs(kernel: ScenarioKernel, rows: Float32Array, states: readonly (KernelState | null)[]): Float64Array {
  const { horizon, windowLength: L, features: F, layers } = kernel;
  const first = layers[0]!;
  const width0 = 4 * first.units;
  // Layer 0's input projection (with its bias) per plan day: every window through that day shares it.
  const projected = new Float64Array(horizon * width0);
  const z = new Float64Array(4 * Math.max(...layers.map((l) => l.units)));
  for (let d = 0; d < horizon; d++) {
    for (let g = 0; g < width0; g++) z[g] = first.bias[g]!;
    addInput(z, rows, d * F, F, first.kernel, width0);
    projected.set(z.subarray(0, width0), d * width0);
  }
  const out = new Float64Array(horizon);
  const h = layers.map((l) => new Float64Array(l.units));
  const c = layers.map((l) => new Float64Array(l.units));
  // A stacked layer reads the one below's outputs, step by step (at most L of them).
  const below = layers.map((l) => new Float64Array(L * l.units));
  for (let d = 0; d < horizon; d++) {
    const from = Math.max(0, d - L + 1);
    const state = states[d] ?? null;
    for (let l = 0; l < layers.length; l++) {
      const layer = layers[l]!;
      const units = layer.units;
      const width = 4 * units;
      const hl = h[l]!;
      const cl = c[l]!;
      if (state) {
        hl.set(state.h[l]!);
        cl.set(state.c[l]!);
      } else {
        hl.fill(0);
        cl.fill(0);
      }
      const hard = layer.gate === 'hardSigmoid';
      for (let t = from; t <= d; t++) {
        if (l === 0) for (let g = 0; g < width; g++) z[g] = projected[t * width + g]!;
        else {
          for (let g = 0; g < width; g++) z[g] = layer.bias[g]!;
          const input = layers[l - 1]!.units;
          addHidden(z, below[l - 1]!, (t - from) * input, input, layer.kernel, width);
        }
        addHidden(z, hl, 0, units, layer.recurrent, width);
        cell(z, hl, cl, units, hard);
        if (l < layers.length - 1) below[l]!.set(hl, (t - from) * units);
      }
    }
    const last = h[layers.length - 1]!;
    let m = kernel.denseBias;
    for (let j = 0; j < last.length; j++) m += last[j]! * kernel.dense[j]!;
    out[d] = kernel.head === 'sigmoid' ? 1 / (1 + Math.exp(-m)) : m;
  }
  return out;
}

/** A plan's forecast per series × day (series in the plan's order), as the worker's whatIf gives it. */
export interface KernelForecast {
  readonly mean: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/**
 * Forecasts of `plans` (each of the kernel's context) with their 90 %
 * interval (`q90`: the conformal quantile in model space), the same
 * arithmetic as the worker's pass in double precision: they agree to about
 * 1e-6 of the value.
 */
export function kernelForecasts(kernel: ScenarioKernel, spec: FeatureSpec, q90: number, noPromotion: readonly Readonly<Record<string, RawValue>>[], seriesKeys: readonly (readonly string[])[], plans: readonly PlanSpec[]): KernelForecast[] {
  const { horizon, features: F } = kernel;
  return plans.map((plan) => {
    if (!kernelFits(kernel, plan)) throw new RangeError('The plan is not of the context the kernel was built for');
    const n = plan.series.length * horizon;
    const forecast = { mean: new Float64Array(n), lower: new Float64Array(n), upper: new Float64Array(n) };
    plan.series.forEach((seriesIndex, k) => {
      const start = kernel.starts[k]!;
      const rows = kernel.rows[k]!.slice();
      const days = kernel.days[k]!;
      writePlanLevers(spec, kernel.exogCount, seriesKeys[seriesIndex] ?? [], noPromotion[seriesIndex] ?? {}, plan, start, start, start + horizon - 1, (u) => days[u - start]!, rows, F);
      const out = seriesOutputs(kernel, rows, kernel.states[k]!);
      for (let d = 0; d < horizon; d++) {
        const m = out[d]!;
        forecast.mean[k * horizon + d] = fromModelSpace(spec, m);
        forecast.lower[k * horizon + d] = Number.isFinite(q90) ? fromModelSpace(spec, m - q90) : NaN;
        forecast.upper[k * horizon + d] = Number.isFinite(q90) ? fromModelSpace(spec, m + q90) : NaN;
      }
    });
    return forecast;
  });
}
