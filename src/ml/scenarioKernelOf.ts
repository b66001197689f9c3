import type * as tf from '@tensorflow/tfjs';
import type { ScenarioKernel } from './scenarioKernel';
import { dataToken, holdsData } from './fastLstm';
import { fastView, prefixStatesOfWindows } from './train';
import type { Dataset } from './types';
import { actualsForPlan, dayOfStep, planWindows, stepOfDay, type PlanSpec } from './whatif';

/** Copies a variable's values to the host. */
const valuesOf = (v: tf.Variable): Float32Array => Float32Array.from(v.dataSync() as Float32Array);

/**
 * The kernel that forecasts any plan of `context` (its series, start day and
 * horizon; levers and promotion window free) on the host: see
 * {@link ScenarioKernel}. Null where the model has no fast path (its shape
 * needs the Layers API) or the data is a cross-section.
 */
export async function scenarioKernelOf(dataset: Dataset, model: tf.LayersModel, context: Pick<PlanSpec, 'series' | 'startDay' | 'horizon'>): Promise<ScenarioKernel | null> {
  const view = fastView(model);
  if (!view || dataset.spec.crossSection || context.series.length === 0) return null;
  const { spec, exogCount } = dataset;
  const L = spec.windowLength;
  const F = spec.features.length;
  const { series, startDay, horizon } = context;
  const plan: PlanSpec = { series, startDay, horizon, promoStart: 0, promoDuration: 0, levers: {} };
  const { x, count, layout, shared } = planWindows(dataset, [plan]);
  // The weights now, and the states computed from them: a training step meanwhile (the worker
  // answers while it trains or updates) would pair states and weights of different steps.
  const token = dataToken(view.variables);
  const layers = view.layers.map((layer) => ({ kernel: valuesOf(layer.kernel), recurrent: valuesOf(layer.recurrent), bias: valuesOf(layer.bias), units: layer.units, gate: layer.gate }));
  const dense = valuesOf(view.denseKernel);
  const denseBias = valuesOf(view.denseBias)[0]!;
  const states = await prefixStatesOfWindows(model, x, count, L, F, shared);
  if (!states || !holdsData(view.variables, token)) return null;
  const rows = series.map(() => new Float32Array(horizon * F));
  const kernelStates = series.map(() => new Array<ScenarioKernel['states'][number][number]>(horizon).fill(null));
  layout.forEach((where, w) => {
    const k = series.indexOf(where.series);
    // A window's last step is its plan day.
    rows[k]!.set(x.subarray((w * L + L - 1) * F, (w * L + L) * F), where.day * F);
    const state = states[w];
    // Copies: the kept prefix states stay in the worker's store, and these cross by transfer.
    kernelStates[k]![where.day] = state ? { h: state.h.map((a) => a.slice()), c: state.c.map((a) => a.slice()) } : null;
  });
  const starts = series.map((s) => stepOfDay(dataset, dataset.series[s]!, startDay));
  const days = series.map((s, k) => Array.from({ length: horizon }, (_, d) => dayOfStep(dataset, dataset.series[s]!, starts[k]! + d)));
  const actual = new Float64Array(series.length * horizon);
  series.forEach((s, k) => actual.set(actualsForPlan(dataset, s, startDay, horizon), k * horizon));
  return {
    series: [...series],
    startDay,
    horizon,
    windowLength: L,
    features: F,
    exogCount,
    layers,
    dense,
    denseBias,
    head: view.head,
    starts,
    rows,
    days,
    states: kernelStates,
    actual,
  };
}

/** Every buffer of `kernel`, for posting it by transfer (each array is the kernel's own). */
export function kernelBuffers(kernel: ScenarioKernel): ArrayBuffer[] {
  const arrays: (Float32Array | Float64Array)[] = [
    ...kernel.layers.flatMap((l) => [l.kernel, l.recurrent, l.bias]),
    kernel.dense,
    ...kernel.rows,
    ...kernel.states.flatMap((days) => days.flatMap((s) => (s ? [...s.h, ...s.c] : []))),
    kernel.actual,
  ];
  return arrays.map((a) => a.buffer as ArrayBuffer);
}
