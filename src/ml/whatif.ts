import { mulberry32 } from '../lib/random';
import { encodeStep, fromModelSpace, type RawValue } from './features';
import type { Dataset, FeatureSpec, SeriesGrid, SharedPrefixes } from './types';

/**
 * A promotion plan in one context. Days are day numbers (days since
 * 1970-01-01); levers hold the values during the promotion window in the
 * column's own units (discount_pct 20 = 20 %), categories as text.
 */
export interface PlanSpec {
  /** Series of the context: one, or several aggregated (e.g. all segments of a category). */
  readonly series: readonly number[];
  /** First day of the plan (the model conditions on history up to the day before). */
  readonly startDay: number;
  /** Plan length D in steps (1–28). */
  readonly horizon: number;
  /** Promotion window inside the horizon: first step offset and length. */
  readonly promoStart: number;
  readonly promoDuration: number;
  readonly levers: Readonly<Record<string, RawValue>>;
}

/** Per plan: per series × day (row-major, series in the plan's order) forecasts in target units. */
export interface PlanForecast {
  readonly mean: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/**
 * Adds the forecast of model output `m` (model space) to place `at` of
 * `target`: the value and its 90 % interval (`q90`, the conformal quantile in
 * model space; NaN bounds without one). Adds, so that a cross-section's rows
 * can be averaged into one place.
 */
export function addForecast(spec: FeatureSpec, q90: number, m: number, target: PlanForecast, at: number): void {
  target.mean[at]! += fromModelSpace(spec, m);
  target.lower[at]! += Number.isFinite(q90) ? fromModelSpace(spec, m - q90) : NaN;
  target.upper[at]! += Number.isFinite(q90) ? fromModelSpace(spec, m + q90) : NaN;
}

/** Response curves asked for compactly: per lever, the values it visits. */
export type CurveLevers = readonly { readonly lever: string; readonly values: readonly RawValue[] }[];

/** The plans of response curves: `base` with one lever at each of its values, lever by lever (everything else held). */
export function curvePlans(base: PlanSpec, curves: CurveLevers): PlanSpec[] {
  return curves.flatMap(({ lever, values }) => values.map((value) => ({ ...base, levers: { ...base.levers, [lever]: value } })));
}

/** Where each window of a batch belongs: plan `plan`, series `series`, plan step `day`. */
export interface PlanLayout {
  readonly plan: number;
  readonly series: number;
  readonly day: number;
}

/** Grid step of day `day` in a series (may lie beyond the data: future steps). */
export function stepOfDay(dataset: Dataset, grid: SeriesGrid, day: number): number {
  const first = grid.times[0]!;
  const period = Math.max(1, dataset.spec.periodDays);
  if (period >= 28) {
    const a = new Date(first * 86_400_000);
    const b = new Date(day * 86_400_000);
    return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  }
  return Math.round((day - first) / period);
}

/** Day number of grid step `step` (extrapolated past the data). */
export function dayOfStep(dataset: Dataset, grid: SeriesGrid, step: number): number {
  if (step >= 0 && step < grid.times.length) return grid.times[step]!;
  const period = Math.max(1, dataset.spec.periodDays);
  const first = grid.times[0]!;
  if (period >= 28) {
    const a = new Date(first * 86_400_000);
    return Date.UTC(a.getUTCFullYear(), a.getUTCMonth() + step, a.getUTCDate()) / 86_400_000;
  }
  return first + step * period;
}

/** Steps in one year on this grid (for "same day last year" covariates). */
function stepsPerYear(dataset: Dataset): number {
  const period = Math.max(1, dataset.spec.periodDays);
  return period >= 28 ? 12 : Math.round(364 / period);
}

/**
 * The step a year before step `u` whose covariates a future step takes: for
 * daily data the same calendar date (Double 11 and Christmas stay on their
 * dates; 29 February takes the 28th), otherwise the step a year of steps
 * earlier (52 weeks, 12 months).
 */
export function stepAYearBefore(dataset: Dataset, grid: SeriesGrid, u: number, day = dayOfStep(dataset, grid, u)): number {
  if (Math.max(1, dataset.spec.periodDays) !== 1) return u - stepsPerYear(dataset);
  const date = new Date(day * 86_400_000);
  const year = date.getUTCFullYear() - 1;
  const month = date.getUTCMonth();
  const lastOfMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return stepOfDay(dataset, grid, Date.UTC(year, month, Math.min(date.getUTCDate(), lastOfMonth)) / 86_400_000);
}

/** Which exogenous features are covariates and levers (see {@link leverFeaturesOf}). */
export interface PlanFeatureSets {
  readonly covariateFeatures: readonly number[];
  /** Features a lever sets (standardised value, one-hot), except covariates (history overwrites those). */
  readonly leverFeatures: readonly number[];
  /** A lever feature depends on the day (an event-month flag): encoded day by day. */
  readonly leverByDay: boolean;
}

/** What planExog reuses per data set: the feature sets, and "no promotion" stretches already encoded. */
interface PlanFeatures extends PlanFeatureSets {
  /** Exogenous rows with no promotion, per series and step range (a slider move changes levers only). */
  readonly bases: Map<string, Float32Array>;
  /** Values in `bases`. */
  kept: number;
}

/** Values of the stretches kept per data set (16 MB as float32); past this, the store starts again. */
const BASES_KEPT_VALUES = 4_000_000;
const planFeaturesOf = new WeakMap<Dataset, PlanFeatures>();
const featureSetsOf = new WeakMap<FeatureSpec, PlanFeatureSets>();

/** The covariate and lever features among the first `exogCount` of `spec` (kept per spec). */
export function leverFeaturesOf(spec: FeatureSpec, exogCount: number): PlanFeatureSets {
  const known = featureSetsOf.get(spec);
  if (known) return known;
  const covariateColumns = new Set(spec.covariates);
  const leverColumns = new Set(spec.levers);
  const covariateFeatures: number[] = [];
  const leverFeatures: number[] = [];
  let leverByDay = false;
  for (let k = 0; k < exogCount; k++) {
    const source = spec.features[k]!.source;
    if (source.kind !== 'numeric' && source.kind !== 'onehot' && source.kind !== 'eventMonth') continue;
    if (covariateColumns.has(source.column)) covariateFeatures.push(k);
    else if (leverColumns.has(source.column)) {
      leverFeatures.push(k);
      if (source.kind === 'eventMonth') leverByDay = true;
    }
  }
  const sets: PlanFeatureSets = { covariateFeatures, leverFeatures, leverByDay };
  featureSetsOf.set(spec, sets);
  return sets;
}

function planFeatures(dataset: Dataset): PlanFeatures {
  const known = planFeaturesOf.get(dataset);
  if (known) return known;
  const features: PlanFeatures = { ...leverFeaturesOf(dataset.spec, dataset.exogCount), bases: new Map(), kept: 0 };
  planFeaturesOf.set(dataset, features);
  return features;
}

/**
 * Sets `plan`'s lever features on the steps of its promotion window that lie
 * in [from, to] (the plan starts at step `planStartStep`): `out` holds one row
 * of `stride` values per step from `from` on, exogenous features first. A
 * lever the plan does not name keeps its "no promotion" value. `dayOf` gives
 * a step's day number (for levers encoded by day).
 */
export function writePlanLevers(spec: FeatureSpec, exogCount: number, keys: readonly string[], noPromotion: Readonly<Record<string, RawValue>>, plan: PlanSpec, planStartStep: number, from: number, to: number, dayOf: (step: number) => number, out: Float32Array, stride: number): void {
  const { leverFeatures, leverByDay } = leverFeaturesOf(spec, exogCount);
  const first = Math.max(planStartStep + Math.max(0, plan.promoStart), from, 0);
  const end = Math.min(planStartStep + plan.promoStart + plan.promoDuration - 1, to);
  if (first > end || leverFeatures.length === 0) return;
  const value = (column: string): RawValue => (column in plan.levers ? plan.levers[column]! : (noPromotion[column] ?? null));
  const row = new Float32Array(exogCount);
  for (let u = first; u <= end; u++) {
    // A lever's features do not depend on the day unless one is an event-month flag: encoded once then.
    if (u === first || leverByDay) encodeStep(spec, keys, dayOf(u), value, row, 0);
    const at = (u - from) * stride;
    for (const k of leverFeatures) out[at + k] = row[k]!;
  }
}

/**
 * Exogenous features of one series over steps [from, to] with no promotion:
 * inside the data (and before the plan) the observed history; later steps
 * get the "no promotion" values. Covariates of future steps come from a year
 * earlier when the data has it (holidays recur; see {@link stepAYearBefore}),
 * else from the last observed step.
 */
function noPromotionExog(dataset: Dataset, seriesIndex: number, from: number, to: number, planStartStep: number): Float32Array {
  const { spec, exogCount } = dataset;
  const { covariateFeatures } = planFeatures(dataset);
  const grid = dataset.series[seriesIndex]!;
  const last = grid.times.length - 1;
  const out = new Float32Array((to - from + 1) * exogCount);
  const noPromotion = dataset.noPromotion[seriesIndex] ?? {};
  const value = (column: string): RawValue => noPromotion[column] ?? null;
  for (let u = Math.max(0, from); u <= to; u++) {
    const at = (u - from) * exogCount;
    if (u < planStartStep && u <= last) {
      out.set(grid.exog.subarray(u * exogCount, (u + 1) * exogCount), at);
      continue;
    }
    const day = dayOfStep(dataset, grid, u);
    encodeStep(spec, grid.keys, day, value, out, at);
    // Covariates are context, not levers: observed when known, else last year's, else the latest.
    const before = u <= last ? u : stepAYearBefore(dataset, grid, u, day);
    const source = before >= 0 && before <= last ? before : last;
    if (source >= 0) for (const k of covariateFeatures) out[at + k] = grid.exog[source * exogCount + k]!;
  }
  return out;
}

/**
 * Exogenous features of one series over steps [from, to], for a plan: the
 * no-promotion stretch (see {@link noPromotionExog}, kept per data set), with
 * the plan's levers set on the steps of its promotion window. Steps before the
 * plan start are history every plan shares.
 */
function planExog(dataset: Dataset, seriesIndex: number, plan: PlanSpec, from: number, to: number, planStartStep: number): Float32Array {
  const { spec, exogCount } = dataset;
  const features = planFeatures(dataset);
  const key = `${seriesIndex}|${from}|${to}|${planStartStep}`;
  let base = features.bases.get(key);
  if (!base) {
    base = noPromotionExog(dataset, seriesIndex, from, to, planStartStep);
    if (features.kept + base.length > BASES_KEPT_VALUES) {
      features.bases.clear();
      features.kept = 0;
    }
    features.bases.set(key, base);
    features.kept += base.length;
  }
  const out = base.slice();
  const grid = dataset.series[seriesIndex]!;
  writePlanLevers(spec, exogCount, grid.keys, dataset.noPromotion[seriesIndex] ?? {}, plan, planStartStep, from, to, (u) => dayOfStep(dataset, grid, u), out, exogCount);
  return out;
}

/** Rows of a cross-section a plan is averaged over (a fixed random sample; all when fewer). */
export const CROSS_SECTION_ROWS = 400;

/**
 * A cross-section's plan windows: no time, so a plan's outcome is the model's
 * prediction averaged over the series' rows with the plan's levers set
 * (partial dependence: "what if every store ran promotion 2"), each row
 * keeping its own covariates. One window (one step) per plan and row.
 */
function crossSectionWindows(dataset: Dataset, plans: readonly PlanSpec[]): { x: Float32Array; count: number; layout: PlanLayout[]; shared: SharedPrefixes } {
  const { spec, exogCount } = dataset;
  const F = spec.features.length;
  const leverColumns = new Set(spec.levers);
  const leverFeatures: number[] = [];
  for (let k = 0; k < exogCount; k++) {
    const source = spec.features[k]!.source;
    if ((source.kind === 'numeric' || source.kind === 'onehot') && leverColumns.has(source.column)) leverFeatures.push(k);
  }
  // A seeded sample, not every k-th row: files sorted in a pattern (store by store) would alias with a stride.
  const sampled = new Map<number, number[]>();
  const rowsOf = (seriesIndex: number): number[] => {
    const known = sampled.get(seriesIndex);
    if (known) return known;
    const rows = sampleRows(seriesIndex);
    sampled.set(seriesIndex, rows);
    return rows;
  };
  function sampleRows(seriesIndex: number): number[] {
    const n = dataset.series[seriesIndex]!.times.length;
    const rows = Array.from({ length: n }, (_, i) => i);
    if (n <= CROSS_SECTION_ROWS) return rows;
    const random = mulberry32(seriesIndex + 1);
    for (let i = 0; i < CROSS_SECTION_ROWS; i++) {
      const j = i + Math.floor(random() * (n - i));
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    return rows.slice(0, CROSS_SECTION_ROWS).sort((a, b) => a - b);
  }
  let count = 0;
  for (const plan of plans) for (const s of plan.series) count += rowsOf(s).length;
  const x = new Float32Array(count * F);
  const layout: PlanLayout[] = [];
  const levers = new Float32Array(exogCount);
  let w = 0;
  plans.forEach((plan, p) => {
    for (const seriesIndex of plan.series) {
      const grid = dataset.series[seriesIndex]!;
      const noPromotion = dataset.noPromotion[seriesIndex] ?? {};
      const promo = plan.promoDuration > 0;
      encodeStep(spec, grid.keys, 0, (column) => (promo && column in plan.levers ? plan.levers[column]! : (noPromotion[column] ?? null)), levers, 0);
      for (const row of rowsOf(seriesIndex)) {
        const at = w * F;
        x.set(grid.exog.subarray(row * exogCount, (row + 1) * exogCount), at);
        for (const k of leverFeatures) x[at + k] = levers[k]!;
        layout.push({ plan: p, series: seriesIndex, day: 0 });
        w++;
      }
    }
  });
  return { x, count, layout, shared: { prefix: new Int32Array(count), group: new Int32Array(count) } };
}

/**
 * Model windows for a batch of plans: for every plan, every series of its
 * context and every plan step, one window ending at that step with targets
 * observed up to the day before the plan. All windows of all plans go into
 * one `[count, windowLength, features]` batch, so a D-day plan (and every
 * point of every response curve) is one forward pass, never a step-by-step
 * recursion. Several windows in one place (a cross-section's rows) are averaged by the caller.
 */
export function planWindows(dataset: Dataset, plans: readonly PlanSpec[]): { x: Float32Array; count: number; layout: PlanLayout[]; shared: SharedPrefixes } {
  if (dataset.spec.crossSection) return crossSectionWindows(dataset, plans);
  const { spec, exogCount } = dataset;
  const L = spec.windowLength;
  const F = spec.features.length;
  const hasTarget = F > exogCount;
  let count = 0;
  for (const plan of plans) count += plan.series.length * plan.horizon;
  const x = new Float32Array(count * L * F);
  const layout: PlanLayout[] = [];
  // The steps before the plan start are history (or "no promotion" up to it), the same for every plan of a series and start.
  const prefix = new Int32Array(count);
  const group = new Int32Array(count);
  const groups = new Map<string, number>();
  let w = 0;
  plans.forEach((plan, p) => {
    for (const seriesIndex of plan.series) {
      const grid = dataset.series[seriesIndex]!;
      const last = grid.times.length - 1;
      const planStart = stepOfDay(dataset, grid, plan.startDay);
      const origin = Math.min(planStart - 1, last);
      const from = planStart - L + 1;
      const to = planStart + plan.horizon - 1;
      // (The windows read the steps from `from` on: a plan far past the data does not encode the gap.)
      const exog = planExog(dataset, seriesIndex, plan, from, to, planStart);
      const base = from;
      let level = 0;
      if (hasTarget) {
        let sum = 0;
        let n = 0;
        for (let u = Math.max(0, origin - spec.levelSteps + 1); u <= origin; u++) {
          const v = grid.targetModel[u]!;
          if (v === v) {
            sum += v;
            n++;
          }
        }
        level = n > 0 ? sum / n : 0;
      }
      for (let d = 0; d < plan.horizon; d++) {
        const step = planStart + d;
        for (let s = 0; s < L; s++) {
          const u = step - L + 1 + s;
          const at = (w * L + s) * F;
          if (u >= 0) {
            // (A plain loop: a subarray per step cost more than the copy.)
            const src = (u - base) * exogCount;
            for (let k = 0; k < exogCount; k++) x[at + k] = exog[src + k]!;
          }
          if (hasTarget) {
            const v = u >= 0 && u <= origin ? grid.targetModel[u]! : NaN;
            x[at + exogCount] = v === v ? v : 0;
            x[at + exogCount + 1] = v === v ? 0 : 1;
            x[at + exogCount + 2] = level;
          }
        }
        layout.push({ plan: p, series: seriesIndex, day: d });
        prefix[w] = Math.max(0, L - 1 - d);
        const key = `${seriesIndex}|${planStart}|${d}`;
        let id = groups.get(key);
        if (id === undefined) groups.set(key, (id = groups.size));
        group[w] = id;
        w++;
      }
    }
  });
  return { x, count, layout, shared: { prefix, group } };
}

/** The observed target on each plan day of a series (NaN when not in the data). */
export function actualsForPlan(dataset: Dataset, seriesIndex: number, startDay: number, horizon: number): Float64Array {
  const grid = dataset.series[seriesIndex]!;
  const start = stepOfDay(dataset, grid, startDay);
  return Float64Array.from({ length: horizon }, (_, d) => grid.target[start + d] ?? NaN);
}

/** Whether a lever value lies outside what the series saw in training (the forecast is then an extrapolation). */
export function extrapolation(dataset: Dataset, seriesIndex: number, lever: string, value: RawValue): 'range' | 'unseen' | null {
  const range = dataset.seriesLeverRanges[seriesIndex]?.[lever] ?? dataset.leverRanges[lever];
  if (!range || value === null) return null;
  if (range.kind === 'category') return typeof value === 'string' && !range.values.includes(value) ? 'unseen' : null;
  return typeof value === 'number' && (value < range.min - 1e-9 || value > range.max + 1e-9) ? 'range' : null;
}
