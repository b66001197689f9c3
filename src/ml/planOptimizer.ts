import { planKpis, type DayForecast, type DayPlan, type KpiContext, type PlanKpis } from './kpi';
import { optimizePlan, type CandidateOutcome, type GroupPlan, type OptimizeConstraints, type PlanCandidate } from './optimize';
import type { RawValue } from './features';
import type { Dataset } from './types';
import type { PlanSpec } from './whatif';

/** What the optimizer maximises over the horizon. */
export type Objective = 'revenue' | 'profit' | 'orders';

/** Which levers the optimizer sets: a promotion-type category, a discount (percent) and daily ad spend. */
export interface OptimizerLevers {
  readonly promoType: string | null;
  readonly discount: string | null;
  /** Multiply the optimizer's percent by this to get the lever's units (0.01 when the lever holds fractions). */
  readonly discountScale: number;
  readonly adSpend: string | null;
}

export interface OptimizeRequest {
  /** Group the plan by this series column (index into spec.seriesColumns); null: one plan per series. */
  readonly groupColumn: number | null;
  readonly startDay: number;
  readonly objective: Objective;
  readonly constraints: OptimizeConstraints;
  readonly averageOrderValue: number | null;
  readonly margin: number;
  /** Service level for the suggested stock (e.g. 0.95). */
  readonly serviceLevel: number;
}

export interface PlanRow extends GroupPlan {
  readonly series: readonly number[];
  /** Predicted units over the plan and the stock that covers demand at the service level (null without units). */
  readonly units: number | null;
  readonly stock: number | null;
  /** The plan's lever values (for "apply to what-if"). */
  readonly levers: Readonly<Record<string, RawValue>>;
}

/** Model outputs for a batch of plans: per plan, per series × day, in target units. */
export type PredictPlans = (plans: readonly PlanSpec[]) => Promise<readonly { readonly mean: Float64Array; readonly lower: Float64Array; readonly upper: Float64Array }[]>;

/** z of the standard normal at probability p (Acklam's approximation, |error| < 1e-8). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const q = Math.min(1 - 1e-12, Math.max(1e-12, p));
  const low = 0.02425;
  if (q < low) {
    const r = Math.sqrt(-2 * Math.log(q));
    return (((((c[0]! * r + c[1]!) * r + c[2]!) * r + c[3]!) * r + c[4]!) * r + c[5]!) / ((((d[0]! * r + d[1]!) * r + d[2]!) * r + d[3]!) * r + 1);
  }
  if (q > 1 - low) return -normalQuantile(1 - q);
  const r = q - 0.5;
  const s = r * r;
  return ((((((a[0]! * s + a[1]!) * s + a[2]!) * s + a[3]!) * s + a[4]!) * s + a[5]!) * r) / (((((b[0]! * s + b[1]!) * s + b[2]!) * s + b[3]!) * s + b[4]!) * s + 1);
}

/**
 * Finds the best plan per group with the trained model: turns optimizer
 * candidates into what-if plans (the group's series, the candidate's levers
 * inside its promotion window, typical companions for other levers),
 * forecasts them in batches, and scores them with the KPI maths.
 */
export async function optimizeWithModel(input: {
  readonly dataset: Pick<Dataset, 'spec' | 'noPromotion' | 'kpi' | 'targetMeaning' | 'leverRanges'> & { readonly seriesKeys: readonly (readonly string[])[]; readonly seriesLabels: readonly string[]; readonly typicalLevers: Dataset['typicalLevers']; readonly leverSupport: Dataset['leverSupport'] };
  readonly levers: OptimizerLevers;
  readonly request: OptimizeRequest;
  readonly predict: PredictPlans;
  readonly onProgress?: (p: { evaluated: number; phase: string; plansPerSecond: number }) => void;
  readonly signal?: AbortSignal;
}): Promise<{ rows: PlanRow[]; totalAdSpend: number; evaluated: number; seconds: number }> {
  const { dataset, levers, request } = input;
  const horizon = request.constraints.horizon;
  const groups: { label: string; series: number[] }[] = [];
  if (request.groupColumn === null) dataset.seriesLabels.forEach((label, i) => groups.push({ label, series: [i] }));
  else {
    const column = request.groupColumn;
    const values = Array.from(new Set(dataset.seriesKeys.map((k) => k[column] ?? ''))).sort();
    for (const value of values) groups.push({ label: value, series: dataset.seriesKeys.flatMap((k, i) => (k[column] === value ? [i] : [])) });
  }
  const context = (si: number): KpiContext => {
    const base = dataset.kpi[si] ?? { visitorsPerDay: null, averageOrderValue: null, unitsPerOrder: null, margin: request.margin };
    return { ...base, averageOrderValue: request.averageOrderValue ?? base.averageOrderValue, margin: request.margin };
  };

  const leverValues = (c: PlanCandidate, perSeriesSpend: number): Record<string, RawValue> => {
    const out: Record<string, RawValue> = {};
    const companions = levers.promoType && c.promoType !== null ? dataset.typicalLevers[levers.promoType]?.[c.promoType] : undefined;
    if (companions) Object.assign(out, companions);
    if (levers.promoType) out[levers.promoType] = c.promoType;
    if (levers.discount) out[levers.discount] = c.discountPct * levers.discountScale;
    if (levers.adSpend) out[levers.adSpend] = perSeriesSpend;
    return out;
  };
  const planOf = (c: PlanCandidate): PlanSpec => {
    const series = groups[c.group]!.series;
    return {
      series,
      startDay: request.startDay,
      horizon,
      promoStart: c.promoStart,
      promoDuration: c.promoDuration,
      levers: leverValues(c, c.adSpendPerDay / series.length),
    };
  };
  const dayPlans = (c: PlanCandidate, nSeries: number): DayPlan[] =>
    Array.from({ length: horizon }, (_, d) => {
      const on = d >= c.promoStart && d < c.promoStart + c.promoDuration;
      return { discountPct: on ? c.discountPct : 0, adSpend: on ? c.adSpendPerDay / nSeries : 0 };
    });
  const kpisOf = (c: PlanCandidate, f: { readonly mean: Float64Array; readonly lower: Float64Array; readonly upper: Float64Array }, pick: 'mean' | 'lower' | 'upper'): PlanKpis[] => {
    const series = groups[c.group]!.series;
    return series.map((si, k) => {
      const forecast: DayForecast[] = Array.from({ length: horizon }, (_, d) => {
        const v = f[pick][k * horizon + d]!;
        return { target: v, lower: f.lower[k * horizon + d]!, upper: f.upper[k * horizon + d]! };
      });
      return planKpis(dataset.targetMeaning, context(si), dayPlans(c, series.length), forecast);
    });
  };
  const sum = (list: PlanKpis[], key: 'revenue' | 'profit' | 'orders' | 'units' | 'discountCost'): number | null => (list.every((k) => k[key] !== null) ? list.reduce((s, k) => s + (k[key] ?? 0), 0) : null);
  const objectiveOf = (list: PlanKpis[]): number => {
    const value = request.objective === 'orders' ? sum(list, 'orders') : sum(list, request.objective);
    // Without the columns KPIs need, the target itself (summed) is the objective.
    return value ?? list.reduce((s, k) => s + k.target, 0);
  };
  const lastForecasts = new Map<string, { readonly mean: Float64Array; readonly lower: Float64Array; readonly upper: Float64Array }>();
  const keyOf = (c: PlanCandidate) => JSON.stringify(c);

  /**
   * A discount the data never showed with this promotion type (e.g. percent_off
   * at 0 %) is not a plan the model can judge: the optimizer does not extrapolate.
   */
  const supported = (c: PlanCandidate): boolean => {
    if (!levers.promoType || !levers.discount || c.promoType === null || c.promoDuration === 0) return true;
    const range = dataset.leverSupport[levers.promoType]?.[c.promoType]?.[levers.discount];
    if (!range) return true;
    const d = c.discountPct * levers.discountScale;
    return d >= range.min - 1e-9 && d <= range.max + 1e-9;
  };

  const evaluate = async (candidates: readonly PlanCandidate[]): Promise<CandidateOutcome[]> => {
    const ok = candidates.filter(supported);
    const predicted = ok.length > 0 ? await input.predict(ok.map(planOf)) : [];
    const forecastOf = new Map(ok.map((c, i) => [c, predicted[i]!]));
    return candidates.map((c) => {
      const f = forecastOf.get(c);
      if (!f) return { objective: -Infinity, revenue: null, profit: null, orders: null, promoCost: 0, marginShare: null, lower: -Infinity, upper: -Infinity };
      lastForecasts.set(keyOf(c), f);
      const mean = kpisOf(c, f, 'mean');
      const lower = kpisOf(c, f, 'lower');
      const upper = kpisOf(c, f, 'upper');
      const revenue = sum(mean, 'revenue');
      const profit = sum(mean, 'profit');
      const discountCost = sum(mean, 'discountCost') ?? 0;
      const lo = objectiveOf(lower);
      const hi = objectiveOf(upper);
      return {
        objective: objectiveOf(mean),
        revenue,
        profit,
        orders: sum(mean, 'orders'),
        promoCost: discountCost + c.adSpendPerDay * c.promoDuration,
        marginShare: revenue !== null && profit !== null && revenue > 0 ? profit / revenue : null,
        lower: Math.min(lo, hi),
        upper: Math.max(lo, hi),
      };
    });
  };

  const result = await optimizePlan({
    groups: groups.map((g) => g.label),
    constraints: request.constraints,
    evaluate,
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const z = normalQuantile(request.serviceLevel);
  const rows = result.plans.map((plan): PlanRow => {
    const series = groups[plan.group]!.series;
    const f = lastForecasts.get(keyOf(plan.candidate));
    let units: number | null = null;
    let stock: number | null = null;
    if (f) {
      const mean = sum(kpisOf(plan.candidate, f, 'mean'), 'units');
      const lower = sum(kpisOf(plan.candidate, f, 'lower'), 'units');
      const upper = sum(kpisOf(plan.candidate, f, 'upper'), 'units');
      if (mean !== null && lower !== null && upper !== null) {
        units = mean;
        // The 90 % interval spans ±1.645σ under a normal reading of it.
        const sigma = Math.abs(upper - lower) / (2 * 1.6449);
        stock = Math.ceil(Math.max(mean, mean + z * sigma));
      }
    }
    return { ...plan, series, units, stock, levers: planOf(plan.candidate).levers };
  });
  return { rows, totalAdSpend: result.totalAdSpend, evaluated: result.evaluated, seconds: result.seconds };
}
