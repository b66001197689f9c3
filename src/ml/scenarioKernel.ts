import type { RawValue } from './features';
import type { FeatureSpec } from './types';
import { matvecWithMemory, type Matvec } from './simdMatvec';
import { addForecast, writePlanLevers, type PlanForecast, type PlanSpec } from './whatif';

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
 * 28 LSTM steps of one row per series, 0.3–0.4 ms here with a SIMD product
 * (see simdMatvec; `npm run bench -- --only whatif`, row "(a) numbers in the
 * UI from the kernel"), where a round trip to a busy worker can miss the frame.
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

/** Multiply-adds per plan: every LSTM step of every layer, inputs and recurrence, for all 4 gates. */
export function kernelWork(kernel: ScenarioKernel): number {
  let perStep = 0;
  kernel.layers.forEach((layer, l) => {
    const inputs = l === 0 ? kernel.features : kernel.layers[l - 1]!.units;
    perStep += (inputs + layer.units) * 4 * layer.units;
  });
  return perStep * kernelSteps(kernel.series.length, kernel.horizon, kernel.windowLength);
}

/** Whether `plan` is of the context `kernel` was built for. */
export function kernelFits(kernel: ScenarioKernel, plan: PlanSpec): boolean {
  return plan.startDay === kernel.startDay && plan.horizon === kernel.horizon && plan.series.length === kernel.series.length && plan.series.every((s, k) => s === kernel.series[k]);
}

/** Gate activations with tf.js's hard sigmoid where the layer has it. */
const hardSigmoid = (z: number): number => Math.max(0, Math.min(1, 0.2 * z + 0.5));
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** One cell step: gates from z (`[i, f, c, o]` pre-activations, at `zAt`), then c and h (at `hAt` of `f32`) in place. */
function cell(f32: Float32Array, zAt: number, hAt: number, c: Float64Array, units: number, hard: boolean): void {
  const act = hard ? hardSigmoid : sigmoid;
  for (let j = 0; j < units; j++) {
    const i = act(f32[zAt + j]!);
    const f = act(f32[zAt + units + j]!);
    const o = act(f32[zAt + 3 * units + j]!);
    // tanh(x) = 1 − 2 / (1 + e^2x): one exp, faster in V8 than Math.tanh (and as exact in double).
    const next = f * c[j]! + i * (1 - 2 / (1 + Math.exp(2 * f32[zAt + 2 * units + j]!)));
    c[j] = next;
    f32[hAt + j] = o * (1 - 2 / (1 + Math.exp(2 * next)));
  }
}

/**
 * A kernel laid out in the memory of a SIMD product (see simdMatvec):
 * weights once, then scratch for one series at a time. Offsets in floats.
 */
interface Runner {
  readonly mv: Matvec['mv'];
  readonly f32: Float32Array;
  readonly layers: readonly { readonly kernel: number; readonly recurrent: number; readonly h: number; readonly below: number }[];
  readonly z: number;
  readonly rows: number;
  readonly projected: number;
}

const runners = new WeakMap<ScenarioKernel, Runner | null>();

/** Whether the host can run `kernel`: WebAssembly SIMD, and layers of a multiple of 4 units (the product works in blocks of 16 gate values). */
export function kernelRunnable(kernel: ScenarioKernel): boolean {
  return runnerOf(kernel) !== null;
}

function runnerOf(kernel: ScenarioKernel): Runner | null {
  const known = runners.get(kernel);
  if (known !== undefined) return known;
  let runner: Runner | null = null;
  if (kernel.layers.every((l) => l.units % 4 === 0)) {
    let size = 0;
    const take = (n: number) => {
      const at = size;
      // 16-byte steps keep every array aligned for the vector loads.
      size += Math.ceil(n / 4) * 4;
      return at;
    };
    const { horizon, windowLength: L, features: F } = kernel;
    const inputs = kernel.layers.map((_, i) => (i === 0 ? F : kernel.layers[i - 1]!.units));
    const layout = kernel.layers.map((l, i) => ({ kernel: take(inputs[i]! * 4 * l.units), recurrent: take(l.units * 4 * l.units), h: take(l.units), below: take(L * l.units) }));
    const z = take(4 * Math.max(...kernel.layers.map((l) => l.units)));
    const rows = take(horizon * F);
    const projected = take(horizon * 4 * kernel.layers[0]!.units);
    const product = matvecWithMemory(size * 4);
    if (product) {
      const f32 = new Float32Array(product.memory.buffer);
      kernel.layers.forEach((l, i) => {
        f32.set(l.kernel, layout[i]!.kernel);
        f32.set(l.recurrent, layout[i]!.recurrent);
      });
      runner = { mv: product.mv, f32, layers: layout, z, rows, projected };
    }
  }
  runners.set(kernel, runner);
  return runner;
}

/**
 * The model's outputs (model space) for plan days 0..horizon−1 of one series,
 * whose plan-day inputs are in the runner's rows: per day its window runs from
 * its state after the history (or from zeros at its own first step, for
 * windows that lie inside the plan) to that day.
 */
function seriesOutputs(kernel: ScenarioKernel, runner: Runner, states: readonly (KernelState | null)[]): Float64Array {
  const { horizon, windowLength: L, features: F, layers } = kernel;
  const { mv, f32, z } = runner;
  const width0 = 4 * layers[0]!.units;
  // Layer 0's input projection (with its bias) per plan day: every window through that day shares it.
  for (let d = 0; d < horizon; d++) {
    const at = runner.projected + d * width0;
    f32.set(layers[0]!.bias, at);
    mv(at * 4, (runner.rows + d * F) * 4, runner.layers[0]!.kernel * 4, F, width0);
  }
  const out = new Float64Array(horizon);
  const c = layers.map((l) => new Float64Array(l.units));
  for (let d = 0; d < horizon; d++) {
    const from = Math.max(0, d - L + 1);
    const state = states[d] ?? null;
    for (let l = 0; l < layers.length; l++) {
      const layer = layers[l]!;
      const at = runner.layers[l]!;
      const units = layer.units;
      const width = 4 * units;
      const cl = c[l]!;
      if (state) {
        f32.set(state.h[l]!, at.h);
        cl.set(state.c[l]!);
      } else {
        f32.fill(0, at.h, at.h + units);
        cl.fill(0);
      }
      const hard = layer.gate === 'hardSigmoid';
      for (let t = from; t <= d; t++) {
        if (l === 0) f32.copyWithin(z, runner.projected + t * width, runner.projected + (t + 1) * width);
        else {
          const below = runner.layers[l - 1]!;
          const input = layers[l - 1]!.units;
          f32.set(layer.bias, z);
          mv(z * 4, (below.below + (t - from) * input) * 4, at.kernel * 4, input, width);
        }
        mv(z * 4, at.h * 4, at.recurrent * 4, units, width);
        cell(f32, z, at.h, cl, units, hard);
        if (l < layers.length - 1) f32.copyWithin(at.below + (t - from) * units, at.h, at.h + units);
      }
    }
    const last = runner.layers[layers.length - 1]!.h;
    let m = kernel.denseBias;
    for (let j = 0; j < kernel.dense.length; j++) m += f32[last + j]! * kernel.dense[j]!;
    out[d] = kernel.head === 'sigmoid' ? sigmoid(m) : m;
  }
  return out;
}

/**
 * Forecasts of `plans` (each of the kernel's context) with their 90 %
 * interval (`q90`: the conformal quantile in model space), as the worker's
 * whatIf gives them: float32 products and states, gates in double precision;
 * within 1e-5 of the worker's (src/workers/handlers/scenarioKernel.test.ts).
 */
export function kernelForecasts(kernel: ScenarioKernel, spec: FeatureSpec, q90: number, noPromotion: readonly Readonly<Record<string, RawValue>>[], seriesKeys: readonly (readonly string[])[], plans: readonly PlanSpec[]): PlanForecast[] {
  const { horizon, features: F } = kernel;
  const runner = runnerOf(kernel);
  if (!runner) throw new RangeError('This kernel cannot run on the host (no WebAssembly SIMD, or layers whose units are not a multiple of 4)');
  return plans.map((plan) => {
    if (!kernelFits(kernel, plan)) throw new RangeError('The plan is not of the context the kernel was built for');
    const n = plan.series.length * horizon;
    const forecast = { mean: new Float64Array(n), lower: new Float64Array(n), upper: new Float64Array(n) };
    plan.series.forEach((seriesIndex, k) => {
      const start = kernel.starts[k]!;
      const rows = runner.f32.subarray(runner.rows, runner.rows + horizon * F);
      rows.set(kernel.rows[k]!);
      const days = kernel.days[k]!;
      writePlanLevers(spec, kernel.exogCount, seriesKeys[seriesIndex] ?? [], noPromotion[seriesIndex] ?? {}, plan, start, start, start + horizon - 1, (u) => days[u - start]!, rows, F);
      const out = seriesOutputs(kernel, runner, kernel.states[k]!);
      for (let d = 0; d < horizon; d++) addForecast(spec, q90, out[d]!, forecast, k * horizon + d);
    });
    return forecast;
  });
}
