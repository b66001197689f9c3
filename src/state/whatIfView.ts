import { aggregateForecasts, horizonTarget, incrementalRoi, planKpis, seriesWeights, type DayForecast, type DayPlan, type KpiContext, type PlanKpis } from '../ml/kpi';
import type { RawValue } from '../ml/features';
import { identifyLevers } from '../ml/leverRoles';
import type { PlanForecast, WhatIfContext, WhatIfResult } from '../workers/protocol';
import { contextSeries, curvePlacement, type CurvePlacement, type Scenario } from './slices/whatIfSlice';

const moneyLeversOf = new WeakMap<WhatIfContext, { discount: string | null; adSpend: string | null; discountScale: number }>();

/** The numeric lever that is the discount (in percent) and the one that is daily ad spend, if any (worked out once per context). */
export function moneyLevers(context: WhatIfContext): { discount: string | null; adSpend: string | null; discountScale: number } {
  let known = moneyLeversOf.get(context);
  if (!known) {
    const { discount, adSpend, discountScale } = identifyLevers(context.spec, context.leverRanges);
    known = { discount, adSpend, discountScale };
    moneyLeversOf.set(context, known);
  }
  return known;
}


function num(v: RawValue | undefined): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** Discount (percent) and ad spend per plan day: lever values inside the promotion window, "no promotion" outside. */
export function dayPlans(context: WhatIfContext, scenario: Scenario, seriesIndex: number, promotion: boolean): DayPlan[] {
  const { discount, adSpend, discountScale } = moneyLevers(context);
  const none = context.noPromotion[seriesIndex] ?? {};
  // Discounts stored as fractions (≤ 1) are costed as percents.
  const scale = 1 / discountScale;
  return Array.from({ length: scenario.horizon }, (_, d) => {
    const inPromo = promotion && d >= scenario.promoStart && d < scenario.promoStart + scenario.promoDuration;
    const source = inPromo ? scenario.levers : none;
    return { discountPct: discount ? num(source[discount]) * scale : 0, adSpend: adSpend ? num(source[adSpend]) : 0 };
  });
}

function seriesForecast(forecast: PlanForecast, k: number, horizon: number): DayForecast[] {
  return Array.from({ length: horizon }, (_, d) => ({ target: forecast.mean[k * horizon + d]!, lower: forecast.lower[k * horizon + d]!, upper: forecast.upper[k * horizon + d]! }));
}

export interface ScenarioView {
  /** Aggregated forecast per day: the scenario and no promotion. */
  readonly forecast: readonly DayForecast[];
  readonly noPromotion: readonly DayForecast[];
  readonly actual: readonly (number | null)[];
  readonly days: readonly number[];
  readonly kpis: PlanKpis;
  readonly noPromotionKpis: PlanKpis;
  readonly roi: number | null;
  readonly curves: readonly { readonly lever: string; readonly points: readonly { readonly value: RawValue; readonly mean: number; readonly lower: number; readonly upper: number }[] }[];
}

/**
 * Turns a what-if batch into what the analyst reads: per-day forecasts of
 * the context (series aggregated), KPIs against no promotion, and one
 * response curve per lever (the horizon's target, everything else held).
 */
export function scenarioView(context: WhatIfContext, scenario: Scenario, result: WhatIfResult, overrides: { averageOrderValue: number | null; margin: number }, placement?: CurvePlacement): ScenarioView {
  const series = contextSeries(context, scenario.context);
  const meaning = context.targetMeaning;
  const kpiContext = (i: number): KpiContext => {
    const base = context.kpi[i] ?? { visitorsPerDay: null, averageOrderValue: null, unitsPerOrder: null, margin: overrides.margin };
    return { ...base, averageOrderValue: overrides.averageOrderValue ?? base.averageOrderValue, margin: overrides.margin };
  };
  const combine = (forecast: PlanForecast, promotion: boolean) => {
    const parts = series.map((si, k) => ({ forecast: seriesForecast(forecast, k, scenario.horizon), context: kpiContext(si) }));
    const aggregated = aggregateForecasts(meaning, parts);
    // Costs add up over series; so do KPIs computed per series.
    const perSeries = series.map((si, k) => planKpis(meaning, kpiContext(si), dayPlans(context, scenario, si, promotion), parts[k]!.forecast));
    return { aggregated, perSeries };
  };
  const main = combine(result.plans[0]!, true);
  const none = combine(result.plans[1]!, false);
  const sumKpis = (list: PlanKpis[], aggregatedTarget: { target: number; lower: number; upper: number }): PlanKpis => {
    const add = (key: 'orders' | 'units' | 'revenue' | 'grossRevenue' | 'discountCost' | 'profit') => (list.every((k) => k[key] !== null) ? list.reduce((s, k) => s + (k[key] ?? 0), 0) : null);
    return {
      orders: add('orders'),
      units: add('units'),
      revenue: add('revenue'),
      grossRevenue: add('grossRevenue'),
      discountCost: add('discountCost'),
      adSpend: list.reduce((s, k) => s + k.adSpend, 0),
      profit: add('profit'),
      roi: null,
      target: aggregatedTarget.target,
      targetLower: aggregatedTarget.lower,
      targetUpper: aggregatedTarget.upper,
    };
  };
  // The horizon's target of a plan, straight from the model's arrays (as for every curve point).
  const weights = seriesWeights(meaning, series.map(kpiContext));
  const kpis = sumKpis(main.perSeries, horizonTarget(meaning, weights, result.plans[0]!, scenario.horizon));
  const noPromotionKpis = sumKpis(none.perSeries, horizonTarget(meaning, weights, result.plans[1]!, scenario.horizon));
  // The numbers alone (two plans) have no curves: no layout to build on the slider's path.
  const curves = placement ?? (result.plans.length > 2 ? curvePlacement(context) : []);
  return {
    forecast: main.aggregated.forecast,
    noPromotion: none.aggregated.forecast,
    actual: Array.from({ length: scenario.horizon }, (_, d) => {
      const values = series.map((_, k) => result.actual[k * scenario.horizon + d]!);
      return values.every(Number.isFinite) ? (meaning === 'conversionRate' ? values.reduce((a, b) => a + b, 0) / values.length : values.reduce((a, b) => a + b, 0)) : null;
    }),
    days: result.days,
    kpis,
    noPromotionKpis,
    roi: incrementalRoi(kpis, noPromotionKpis),
    // The curves the result has answered so far (they follow the numbers).
    curves: curves
      .filter((c) => c.first + c.values.length <= result.plans.length)
      .map((c) => ({
        lever: c.lever,
        points: c.values.map((value, k) => {
          const s = horizonTarget(meaning, weights, result.plans[c.first + k]!, scenario.horizon);
          return { value, mean: s.target, lower: s.lower, upper: s.upper };
        }),
      })),
  };
}
