import { describe, expect, it } from 'vitest';
import { aggregateForecasts, horizonTarget, incrementalRoi, planKpis, seriesWeights, type DayForecast, type DayPlan, type KpiContext, type PlanKpis, type SeriesForecast, type TargetMeaning } from './kpi';

/** Compares numbers to 9 decimals and nulls exactly, field by field. */
function expectKpis(got: PlanKpis, expected: Partial<Record<keyof PlanKpis, number | null>>): void {
  for (const [key, want] of Object.entries(expected)) {
    const value = got[key as keyof PlanKpis];
    if (want === null) expect(value, key).toBeNull();
    else expect(value, key).toBeCloseTo(want, 9);
  }
}

const full: KpiContext = { visitorsPerDay: 1000, averageOrderValue: 50, unitsPerOrder: 2, margin: 0.4 };
// Day 1: 20 % off and 10 of ads; day 2: nothing.
const days: DayPlan[] = [
  { discountPct: 20, adSpend: 10 },
  { discountPct: 0, adSpend: 0 },
];
const fc = (...triples: [number, number, number][]): DayForecast[] => triples.map(([target, lower, upper]) => ({ target, lower, upper }));

// Every case below describes the same two days: 50 then 30 orders of 2 units at a list price of 50 per order,
// so gross 2500 + 1500 = 4000, discount cost 2500 × 20 % = 500, net 3500,
// profit (2500 × 0.4 − 500 − 10) + 1500 × 0.4 = 490 + 600 = 1090.
const money = { orders: 80, units: 160, grossRevenue: 4000, discountCost: 500, revenue: 3500, profit: 1090, adSpend: 10, roi: null };
const noMoney = { orders: null, units: null, grossRevenue: null, discountCost: null, revenue: null, profit: null, adSpend: 10, roi: null };

describe('planKpis', () => {
  it.each<[string, TargetMeaning, KpiContext, DayForecast[], Partial<Record<keyof PlanKpis, number | null>>]>([
    ['conversion rate: orders = rate × visitors, target is the mean rate', 'conversionRate', full, fc([0.05, 0.04, 0.06], [0.03, 0.02, 0.04]), { ...money, target: 0.04, targetLower: 0.03, targetUpper: 0.05 }],
    ['orders: target summed', 'orders', full, fc([50, 40, 60], [30, 20, 40]), { ...money, target: 80, targetLower: 60, targetUpper: 100 }],
    ['units: orders = units / units per order', 'units', full, fc([100, 80, 120], [60, 40, 80]), { ...money, target: 160, targetLower: 120, targetUpper: 200 }],
    ['revenue: net target, gross = net / (1 − d)', 'revenue', full, fc([2000, 1800, 2200], [1500, 1400, 1600]), { ...money, target: 3500, targetLower: 3200, targetUpper: 3800 }],
    ['other: only the summed target and ad spend', 'other', full, fc([5, 4, 6], [3, 2, 4]), { ...noMoney, target: 8, targetLower: 6, targetUpper: 10 }],
    ['conversion rate without visitors: no counts, no money', 'conversionRate', { ...full, visitorsPerDay: null }, fc([0.05, 0.04, 0.06], [0.03, 0.02, 0.04]), { ...noMoney, target: 0.04 }],
    ['orders without order value: counts only', 'orders', { ...full, averageOrderValue: null }, fc([50, 40, 60], [30, 20, 40]), { ...noMoney, orders: 80, units: 160 }],
    ['orders without units per order', 'orders', { ...full, unitsPerOrder: null }, fc([50, 40, 60], [30, 20, 40]), { ...money, units: null }],
    ['units without units per order: no orders, no money', 'units', { ...full, unitsPerOrder: 0 }, fc([100, 80, 120], [60, 40, 80]), { ...noMoney, units: 160 }],
    ['revenue without order value: money but no counts', 'revenue', { ...full, averageOrderValue: null }, fc([2000, 1800, 2200], [1500, 1400, 1600]), { ...money, orders: null, units: null }],
    ['margin outside [0, 1] is clamped', 'orders', { ...full, margin: 1.5 }, fc([50, 40, 60], [30, 20, 40]), { ...money, profit: 2500 - 500 - 10 + 1500 }],
    ['unknown margin falls back to 30 %', 'orders', { ...full, margin: NaN }, fc([50, 40, 60], [30, 20, 40]), { ...money, profit: 2500 * 0.3 - 510 + 1500 * 0.3 }],
  ])('%s', (_name, meaning, context, forecast, expected) => {
    expectKpis(planKpis(meaning, context, days, forecast), expected);
  });

  it.each<[string, DayPlan[], Partial<Record<keyof PlanKpis, number | null>>]>([
    // Net 3000 at 100 % off has no list price: money unknown, the net stays.
    ['a 100 % discount day on a revenue target leaves gross unknown', [{ discountPct: 100, adSpend: 0 }], { revenue: 3000, grossRevenue: null, discountCost: null, profit: null, orders: null }],
    ['a discount above 100 % is clamped to 100 %', [{ discountPct: 120, adSpend: 0 }], { revenue: 3000, grossRevenue: null }],
    ['a negative discount is clamped to 0', [{ discountPct: -10, adSpend: 5 }], { revenue: 3000, grossRevenue: 3000, discountCost: 0, orders: 60, profit: 3000 * 0.4 - 5 }],
  ])('%s', (_name, plan, expected) => {
    expectKpis(planKpis('revenue', full, plan, fc([3000, 2900, 3100])), expected);
  });

  it('fills roi against the no-promotion KPIs when given them', () => {
    const base = planKpis('orders', full, [{ discountPct: 0, adSpend: 0 }, { discountPct: 0, adSpend: 0 }], fc([40, 30, 50], [30, 20, 40]));
    const plan = planKpis('orders', full, days, fc([50, 40, 60], [30, 20, 40]), base);
    // base profit (2000 + 1500) × 0.4 = 1400; extra cost 500 + 10
    expect(plan.roi).toBeCloseTo((1090 - 1400) / 510, 12);
  });

  it('rejects plan and forecast of different lengths', () => {
    expect(() => planKpis('orders', full, days, fc([1, 1, 1]))).toThrow(RangeError);
  });
});

describe('incrementalRoi', () => {
  const kpis = (profit: number | null, discountCost: number | null, adSpend: number): PlanKpis => ({
    orders: null, units: null, revenue: null, grossRevenue: null, roi: null, target: 0, targetLower: 0, targetUpper: 0, profit, discountCost, adSpend,
  });
  it.each<[string, PlanKpis, PlanKpis, number | null]>([
    ['extra profit per extra cost', kpis(1090, 500, 10), kpis(800, 0, 0), 290 / 510],
    ['a losing promotion has a negative ROI', kpis(700, 100, 100), kpis(800, 0, 0), -0.5],
    ['costs measured against the baseline’s own costs', kpis(1000, 300, 100), kpis(900, 100, 100), 0.5],
    ['no extra cost: undefined', kpis(1000, 0, 0), kpis(800, 0, 0), null],
    ['cheaper than the baseline: undefined', kpis(1000, 0, 0), kpis(800, 50, 0), null],
    ['unknown profit', kpis(null, 500, 10), kpis(800, 0, 0), null],
    ['unknown baseline profit', kpis(1090, 500, 10), kpis(null, 0, 0), null],
    ['unknown discount cost', kpis(1090, null, 10), kpis(800, 0, 0), null],
  ])('%s', (_name, plan, base, expected) => {
    const got = incrementalRoi(plan, base);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(expected, 12);
  });
});

describe('aggregateForecasts', () => {
  const a: SeriesForecast = { context: { visitorsPerDay: 1000, averageOrderValue: 50, unitsPerOrder: 2, margin: 0.4 }, forecast: fc([0.05, 0.04, 0.06], [0.03, 0.02, 0.04]) };
  const b: SeriesForecast = { context: { visitorsPerDay: 3000, averageOrderValue: 100, unitsPerOrder: 1, margin: 0.2 }, forecast: fc([0.01, 0.005, 0.015], [0.01, 0.005, 0.015]) };
  const counts = (s: SeriesForecast, scale: number): SeriesForecast => ({ context: s.context, forecast: s.forecast.map((f) => ({ target: f.target * scale, lower: f.lower * scale, upper: f.upper * scale })) });

  // Orders: a 80 (50 + 30), b 60 (30 + 30). Order value (80·50 + 60·100) / 140, units per order (80·2 + 60·1) / 140,
  // margin weighted by list-price revenue 4000 and 6000: (0.4·4000 + 0.2·6000) / 10000 = 0.28.
  const pooledContext: KpiContext = { visitorsPerDay: 4000, averageOrderValue: 10_000 / 140, unitsPerOrder: 220 / 140, margin: 0.28 };
  it.each<[string, TargetMeaning, SeriesForecast[], DayForecast[], KpiContext]>([
    // (1000·0.05 + 3000·0.01) / 4000 = 0.02; lower (40 + 15) / 4000; upper (60 + 45) / 4000
    ['rates are visitor-weighted', 'conversionRate', [a, b], fc([0.02, 55 / 4000, 105 / 4000], [60 / 4000, 35 / 4000, 85 / 4000]), pooledContext],
    ['counts are summed', 'orders', [counts(a, 1000), counts(b, 3000)], fc([80, 55, 105], [60, 35, 85]), pooledContext],
    ['money is summed; margin weighted by revenue', 'revenue', [counts(a, 1000), counts(b, 3000)], fc([80, 55, 105], [60, 35, 85]), // orders from revenue / order value: 80 / 50 = 1.6 and 60 / 100 = 0.6
      { visitorsPerDay: 4000, averageOrderValue: 140 / 2.2, unitsPerOrder: 3.8 / 2.2, margin: (0.4 * 80 + 0.2 * 60) / 140 }],
    [
      'unknown visitors: plain mean of rates, no visitors, plain means of context',
      'conversionRate',
      [a, { ...b, context: { ...b.context, visitorsPerDay: null } }],
      fc([0.03, 0.0225, 0.0375], [0.02, 0.0125, 0.0275]),
      { visitorsPerDay: null, averageOrderValue: 75, unitsPerOrder: 1.5, margin: 0.3 },
    ],
    ['one series without order value: none for the whole', 'orders', [counts(a, 1000), { ...counts(b, 3000), context: { ...b.context, averageOrderValue: null } }], fc([80, 55, 105], [60, 35, 85]), { ...pooledContext, averageOrderValue: null, margin: 0.3 }],
    ['a single series is itself', 'conversionRate', [a], a.forecast, a.context],
  ])('%s', (_name, meaning, series, forecast, context) => {
    const got = aggregateForecasts(meaning, series);
    expect(got.forecast).toHaveLength(forecast.length);
    got.forecast.forEach((f, i) => {
      expect(f.target).toBeCloseTo(forecast[i]!.target, 12);
      expect(f.lower).toBeCloseTo(forecast[i]!.lower, 12);
      expect(f.upper).toBeCloseTo(forecast[i]!.upper, 12);
    });
    for (const key of ['visitorsPerDay', 'averageOrderValue', 'unitsPerOrder', 'margin'] as const) {
      const want = context[key];
      if (want === null) expect(got.context[key], key).toBeNull();
      else expect(got.context[key], key).toBeCloseTo(want, 12);
    }
  });

  it.each<[TargetMeaning, number, number]>([
    ['conversionRate', 1, 1],
    ['orders', 1000, 3000],
    ['units', 2000, 3000],
  ])('KPIs of the %s aggregate add up to those of its series when the mix is steady', (meaning, scaleA, scaleB) => {
    // Same share of each series every day, so order-weighted context is exact day by day.
    const steadyA = counts({ ...a, forecast: fc([0.04, 0.03, 0.05], [0.02, 0.01, 0.03]) }, scaleA);
    const steadyB = counts({ ...b, forecast: fc([0.02, 0.01, 0.03], [0.01, 0.005, 0.015]) }, scaleB);
    const pooled = aggregateForecasts(meaning, [steadyA, steadyB]);
    const whole = planKpis(meaning, pooled.context, days, pooled.forecast);
    const parts = [steadyA, steadyB].map((s) => planKpis(meaning, s.context, days, s.forecast));
    for (const key of ['orders', 'units', 'grossRevenue', 'discountCost', 'revenue'] as const) {
      expect(whole[key], key).toBeCloseTo(parts[0]![key]! + parts[1]![key]!, 8);
    }
    // The plan's ad spend is paid once, not once per series.
    expect(whole.profit).toBeCloseTo(parts[0]!.profit! + parts[1]!.profit! + whole.adSpend, 8);
  });

  it.each<[string, SeriesForecast[]]>([
    ['no series', []],
    ['forecasts of different lengths', [a, { ...b, forecast: b.forecast.slice(0, 1) }]],
  ])('rejects %s', (_name, series) => {
    expect(() => aggregateForecasts('orders', series)).toThrow(RangeError);
  });
});

describe('horizonTarget', () => {
  const ctx = (visitorsPerDay: number | null): KpiContext => ({ visitorsPerDay, averageOrderValue: 50, unitsPerOrder: 1, margin: 0.3 });
  const series = (values: [number, number, number][][]) => values.map((days) => fc(...days));
  // Per series × day, row-major, as the model answers.
  const packed = (perSeries: DayForecast[][]) => ({
    mean: perSeries.flatMap((f) => f.map((d) => d.target)),
    lower: perSeries.flatMap((f) => f.map((d) => d.lower)),
    upper: perSeries.flatMap((f) => f.map((d) => d.upper)),
  });
  it.each<[string, TargetMeaning, (number | null)[], [number, number, number][][]]>([
    ['one series, a rate', 'conversionRate', [1000], [[[0.05, 0.04, 0.06], [0.03, 0.02, 0.05], [0.01, 0, 0.02]]]],
    ['two series, rates weighted by visitors', 'conversionRate', [1000, 3000], [[[0.05, 0.04, 0.06], [0.03, 0.02, 0.04]], [[0.01, 0.005, 0.015], [0.02, 0.01, 0.03]]]],
    ['two series, a visitor count unknown: plain mean', 'conversionRate', [1000, null], [[[0.05, 0.04, 0.06], [0.03, 0.02, 0.04]], [[0.01, 0.005, 0.015], [0.02, 0.01, 0.03]]]],
    ['three series of orders: summed', 'orders', [null, 10, 20], [[[5, 4, 6]], [[7, 6, 9]], [[1, 0, 2]]]],
  ])('%s: what planKpis makes of aggregateForecasts', (_name, meaning, visitors, values) => {
    const perSeries = series(values);
    const contexts = visitors.map(ctx);
    const horizon = perSeries[0]!.length;
    const aggregated = aggregateForecasts(meaning, perSeries.map((forecast, k) => ({ forecast, context: contexts[k]! })));
    const kpis = planKpis(meaning, aggregated.context, aggregated.forecast.map(() => ({ discountPct: 0, adSpend: 0 })), aggregated.forecast);
    expect(horizonTarget(meaning, seriesWeights(meaning, contexts), packed(perSeries), horizon)).toEqual({ target: kpis.target, lower: kpis.targetLower, upper: kpis.targetUpper });
  });
});
