/**
 * KPI arithmetic for a promotion plan over a horizon of D days: from the
 * model's daily forecast of the target (whatever the target means) and a
 * little context about the series (visitors, order value, margin) to orders,
 * units, revenue, discount cost, ad spend, profit and ROI.
 *
 * Money model, per day, with d = discountPct / 100:
 *   grossRevenue = orders × averageOrderValue        (at list price)
 *   discountCost = grossRevenue × d
 *   revenue      = grossRevenue − discountCost       (net, what is cashed)
 *   profit       = grossRevenue × margin − discountCost − adSpend
 * `margin` is the gross margin share of list-price revenue, so a discount
 * comes straight out of profit. Plan totals are sums over the days. A KPI is
 * null when the context it needs is unknown; nothing is guessed.
 */

/**
 * What the analyst knows about one series, from recent history; the analyst
 * may edit `averageOrderValue` and `margin`.
 */
export interface KpiContext {
  /** Typical visitors per day (null: unknown). */
  visitorsPerDay: number | null;
  /** Revenue per order at list price, in currency units (null: unknown). */
  averageOrderValue: number | null;
  /** Units per order (null: unknown). */
  unitsPerOrder: number | null;
  /** Gross margin share of list-price revenue, in [0, 1]; {@link DEFAULT_MARGIN} when not known. */
  margin: number;
}

/** Gross margin share used when the data says nothing better (30 %). */
export const DEFAULT_MARGIN = 0.3;

/** What the model's target is, which decides how KPIs are derived from it. */
export type TargetMeaning = 'conversionRate' | 'orders' | 'units' | 'revenue' | 'other';

/** The levers of one plan day: discount in percent (20 = 20 %), ad spend in currency units for that day. */
export interface DayPlan {
  discountPct: number;
  adSpend: number;
}

/**
 * The model's forecast of the target for one day, with its interval, in the
 * target's own units (a rate in [0, 1], a count per day, or currency per day).
 */
export interface DayForecast {
  target: number;
  lower: number;
  upper: number;
}

/**
 * KPIs of a plan over its horizon. Counts and money are totals over the D
 * days, in orders, units and currency units; null when the context needed is
 * unknown (or the target means 'other').
 */
export interface PlanKpis {
  orders: number | null;
  units: number | null;
  /** Net revenue (after discount), currency units. */
  revenue: number | null;
  /** Revenue at list price, currency units. */
  grossRevenue: number | null;
  /** Revenue given away by the discount (gross − net), currency units. */
  discountCost: number | null;
  /** Ad spend over the horizon, currency units (always known: it is the plan's own). */
  adSpend: number;
  /** grossRevenue × margin − discountCost − adSpend, currency units. */
  profit: number | null;
  /**
   * Incremental ROI against "no promotion" ({@link incrementalRoi}) when
   * `planKpis` was given the no-promotion KPIs, else null.
   */
  roi: number | null;
  /**
   * The target over the plan: the mean daily rate for a conversion rate
   * (in [0, 1]), else the sum over the days in the target's units.
   */
  target: number;
  /** Same aggregation of the daily lower bounds. */
  targetLower: number;
  /** Same aggregation of the daily upper bounds. */
  targetUpper: number;
}

/** x when it is a finite number ≥ 0 (> 0 when `positive`), else null. */
function known(x: number | null, positive = false): number | null {
  if (x === null || !Number.isFinite(x)) return null;
  return positive ? (x > 0 ? x : null) : x >= 0 ? x : null;
}

function marginOf(context: KpiContext): number {
  return Number.isFinite(context.margin) ? Math.min(1, Math.max(0, context.margin)) : DEFAULT_MARGIN;
}

/** Sum of per-day values; null as soon as one day is unknown. */
function sumKnown(values: readonly (number | null)[]): number | null {
  let total = 0;
  for (const v of values) {
    if (v === null) return null;
    total += v;
  }
  return total;
}

/**
 * KPIs of a plan of D days (`days[i]` the levers of day i, `forecast[i]` the
 * model's target for it; both of length D, else a RangeError).
 *
 * How each target meaning is read (per day, then summed):
 * - conversionRate: orders = rate × visitorsPerDay; `target` is the mean
 *   daily rate (visitor-weighted, which is the plain mean because visitors
 *   per day are one number per context);
 * - orders: orders = target;
 * - units: units = target, orders = units / unitsPerOrder when known;
 * - revenue: revenue (net) = target, grossRevenue = revenue / (1 − d), and
 *   orders = grossRevenue / averageOrderValue when known (a 100 % discount
 *   day leaves gross revenue, hence the money KPIs, unknown);
 * - other: only `target` (the sum) and `adSpend`; every other KPI is null.
 * Units = orders × unitsPerOrder and grossRevenue = orders × averageOrderValue
 * when not given by the target. Discounts are clamped to [0, 100] %, the
 * margin to [0, 1]. `noPromotion`, when given, fills `roi`
 * ({@link incrementalRoi} of this plan against it); otherwise `roi` is null.
 */
export function planKpis(meaning: TargetMeaning, context: KpiContext, days: readonly DayPlan[], forecast: readonly DayForecast[], noPromotion?: PlanKpis): PlanKpis {
  if (days.length !== forecast.length) throw new RangeError(`planKpis: ${days.length} plan days but ${forecast.length} forecast days`);
  const visitors = known(context.visitorsPerDay);
  const aov = known(context.averageOrderValue);
  const unitsPerOrder = known(context.unitsPerOrder, true);
  const margin = marginOf(context);

  const orders: (number | null)[] = [];
  const units: (number | null)[] = [];
  const gross: (number | null)[] = [];
  const net: (number | null)[] = [];
  const discountCost: (number | null)[] = [];
  const profit: (number | null)[] = [];
  let adSpend = 0;
  let target = 0;
  let lower = 0;
  let upper = 0;

  for (let i = 0; i < days.length; i++) {
    const day = days[i]!;
    const f = forecast[i]!;
    const share = Math.min(1, Math.max(0, day.discountPct / 100));
    adSpend += day.adSpend;
    target += f.target;
    lower += f.lower;
    upper += f.upper;
    if (meaning === 'other') continue;

    let o: number | null;
    let u: number | null = null;
    let g: number | null = null;
    switch (meaning) {
      case 'conversionRate':
        o = visitors === null ? null : f.target * visitors;
        break;
      case 'orders':
        o = f.target;
        break;
      case 'units':
        u = f.target;
        o = unitsPerOrder === null ? null : f.target / unitsPerOrder;
        break;
      case 'revenue':
        g = share < 1 ? f.target / (1 - share) : null;
        o = g === null || aov === null || aov === 0 ? null : g / aov;
        break;
    }
    if (u === null && o !== null && unitsPerOrder !== null) u = o * unitsPerOrder;
    if (meaning !== 'revenue' && o !== null && aov !== null) g = o * aov;
    const cost = g === null ? null : g * share;
    orders.push(o);
    units.push(u);
    gross.push(g);
    discountCost.push(cost);
    net.push(meaning === 'revenue' ? f.target : g === null || cost === null ? null : g - cost);
    profit.push(g === null || cost === null ? null : g * margin - cost - day.adSpend);
  }

  const rate = meaning === 'conversionRate';
  const n = days.length;
  const kpis: PlanKpis = {
    orders: meaning === 'other' ? null : sumKnown(orders),
    units: meaning === 'other' ? null : sumKnown(units),
    revenue: meaning === 'other' ? null : sumKnown(net),
    grossRevenue: meaning === 'other' ? null : sumKnown(gross),
    discountCost: meaning === 'other' ? null : sumKnown(discountCost),
    adSpend,
    profit: meaning === 'other' ? null : sumKnown(profit),
    roi: null,
    target: rate ? target / n : target,
    targetLower: rate ? lower / n : lower,
    targetUpper: rate ? upper / n : upper,
  };
  if (noPromotion !== undefined) kpis.roi = incrementalRoi(kpis, noPromotion);
  return kpis;
}

/**
 * Incremental return on the promotion's cost, as a ratio (1.5: every extra
 * currency unit of discount and ads brings 1.5 units of extra profit; profit
 * is already net of those costs, so 0 is break-even):
 *   (profit − profit₀) / (discountCost + adSpend − discountCost₀ − adSpend₀).
 * Null when either profit or discount cost is unknown, or when the plan costs
 * nothing more than no promotion (the ratio would be undefined or
 * meaningless).
 */
export function incrementalRoi(plan: PlanKpis, noPromotion: PlanKpis): number | null {
  if (plan.profit === null || noPromotion.profit === null || plan.discountCost === null || noPromotion.discountCost === null) return null;
  const extraCost = plan.discountCost + plan.adSpend - noPromotion.discountCost - noPromotion.adSpend;
  if (!(extraCost > 0)) return null;
  return (plan.profit - noPromotion.profit) / extraCost;
}

/** One series' forecast over the plan days and its KPI context. */
export interface SeriesForecast {
  forecast: DayForecast[];
  context: KpiContext;
}

/** Total orders of one series over the forecast (≥ 0), or null when they cannot be told. */
function seriesOrders(meaning: TargetMeaning, s: SeriesForecast): number | null {
  const total = s.forecast.reduce((acc, f) => acc + Math.max(0, f.target), 0);
  const visitors = known(s.context.visitorsPerDay);
  const unitsPerOrder = known(s.context.unitsPerOrder, true);
  const aov = known(s.context.averageOrderValue, true);
  switch (meaning) {
    case 'conversionRate':
      return visitors === null ? null : total * visitors;
    case 'orders':
      return total;
    case 'units':
      return unitsPerOrder === null ? null : total / unitsPerOrder;
    case 'revenue':
      return aov === null ? null : total / aov;
    case 'other':
      return null;
  }
}

/**
 * Mean of `values` weighted by `weights` when every weight is known and they
 * add up to more than 0; the plain mean otherwise. Null when a value is null.
 */
function weightedMean(values: readonly (number | null)[], weights: readonly (number | null)[]): number | null {
  if (values.some((v) => v === null)) return null;
  const vs = values as readonly number[];
  const total = weights.every((w) => w !== null) ? (weights as readonly number[]).reduce((a, b) => a + b, 0) : 0;
  if (total > 0) return vs.reduce((acc, v, i) => acc + v * weights[i]!, 0) / total;
  return vs.reduce((a, b) => a + b, 0) / vs.length;
}

/**
 * How each series counts in the sum of several (see aggregateForecasts): a
 * conversion rate is weighted by visitors (equally when one is unknown), so
 * the weights sum to 1; anything else adds up (weight 1 each).
 */
export function seriesWeights(meaning: TargetMeaning, contexts: readonly KpiContext[]): number[] {
  if (meaning !== 'conversionRate') return contexts.map(() => 1);
  const visitors = contexts.map((c) => known(c.visitorsPerDay));
  const total = sumKnown(visitors);
  const raw = total !== null && total > 0 ? (visitors as number[]) : contexts.map(() => 1);
  const sum = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / sum);
}

/**
 * The horizon's target of a plan over several series, straight from the
 * model's per series × day arrays (row-major, `horizon` days per series):
 * what planKpis(aggregateForecasts(…)) gives as target and bounds (a rate's
 * mean over the days, else the sum), without building either.
 */
export function horizonTarget(meaning: TargetMeaning, weights: readonly number[], plan: { readonly mean: ArrayLike<number>; readonly lower: ArrayLike<number>; readonly upper: ArrayLike<number> }, horizon: number): { target: number; lower: number; upper: number } {
  let target = 0;
  let lower = 0;
  let upper = 0;
  for (let d = 0; d < horizon; d++) {
    let t = 0;
    let l = 0;
    let u = 0;
    weights.forEach((w, k) => {
      t += w * plan.mean[k * horizon + d]!;
      l += w * plan.lower[k * horizon + d]!;
      u += w * plan.upper[k * horizon + d]!;
    });
    target += t;
    lower += l;
    upper += u;
  }
  const n = meaning === 'conversionRate' ? horizon : 1;
  return { target: target / n, lower: lower / n, upper: upper / n };
}

/**
 * Combines the forecasts and contexts of several series (e.g. every segment
 * of a category) into one, so that {@link planKpis} can score the whole.
 * All forecasts must have the same length D, and there must be at least one
 * series (else a RangeError).
 *
 * Per day: a conversion rate is the visitor-weighted mean of the series'
 * rates (plain mean when a series' visitors are unknown); counts, money and
 * 'other' are summed. Bounds are combined the same way, which assumes the
 * series' errors move together: a conservative (wide) interval.
 *
 * Context: visitors are summed (null when one is unknown); average order
 * value and units per order are order-weighted means (exact: total revenue /
 * total orders), with orders taken from the forecast (for a revenue target,
 * net revenue / order value); margin is the list-price-revenue-weighted mean
 * (exact for total profit; net revenue stands in for a revenue target), the
 * plain mean where weights cannot be told. Order value and units per order are null when
 * one series lacks them.
 */
export function aggregateForecasts(meaning: TargetMeaning, perSeries: readonly SeriesForecast[]): SeriesForecast {
  const first = perSeries[0];
  if (first === undefined) throw new RangeError('aggregateForecasts: no series to aggregate');
  const days = first.forecast.length;
  for (const s of perSeries) {
    if (s.forecast.length !== days) throw new RangeError(`aggregateForecasts: forecasts of ${days} and ${s.forecast.length} days`);
  }

  const visitorsTotal = sumKnown(perSeries.map((s) => known(s.context.visitorsPerDay)));
  const weights = seriesWeights(meaning, perSeries.map((s) => s.context));

  const forecast: DayForecast[] = [];
  for (let i = 0; i < days; i++) {
    let target = 0;
    let lower = 0;
    let upper = 0;
    perSeries.forEach((s, k) => {
      const f = s.forecast[i]!;
      const w = weights[k]!;
      target += w * f.target;
      lower += w * f.lower;
      upper += w * f.upper;
    });
    forecast.push({ target, lower, upper });
  }

  const orders = perSeries.map((s) => seriesOrders(meaning, s));
  const aovs = perSeries.map((s) => known(s.context.averageOrderValue));
  const grossWeights = perSeries.map((s, k) => {
    if (meaning === 'revenue') return s.forecast.reduce((acc, f) => acc + Math.max(0, f.target), 0);
    const o = orders[k]!;
    const aov = aovs[k]!;
    return o === null || aov === null ? null : o * aov;
  });
  return {
    forecast,
    context: {
      visitorsPerDay: visitorsTotal,
      averageOrderValue: weightedMean(aovs, orders),
      unitsPerOrder: weightedMean(
        perSeries.map((s) => known(s.context.unitsPerOrder, true)),
        orders,
      ),
      margin: weightedMean(
        perSeries.map((s) => marginOf(s.context)),
        grossWeights,
      )!,
    },
  };
}
