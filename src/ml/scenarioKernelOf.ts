import type * as tf from '@tensorflow/tfjs';
import type { ScenarioKernel } from './scenarioKernel';
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
  const states = await prefixStatesOfWindows(model, x, count, L, F, shared);
  if (!states) return null;
  const rows = series.map(() => new Float32Array(horizon * F));
  const kernelStates = series.map(() => new Array<ScenarioKernel['states'][number][number]>(horizon).fill(null));
  layout.forEach((where, w) => {
    const k = series.indexOf(where.series);
    // A window's last step is its plan day.
    rows[k]!.set(x.subarray((w * L + L - 1) * F, (w * L + L) * F), where.day * F);
    const state = states[w];
    kernelStates[k]![where.day] = state ? { h: state.h, c: state.c } : null;
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
    layers: view.layers.map((layer) => ({ kernel: valuesOf(layer.kernel), recurrent: valuesOf(layer.recurrent), bias: valuesOf(layer.bias), units: layer.units, gate: layer.gate })),
    dense: valuesOf(view.denseKernel),
    denseBias: valuesOf(view.denseBias)[0]!,
    head: view.head,
    starts,
    rows,
    days,
    states: kernelStates,
    actual,
  };
}
