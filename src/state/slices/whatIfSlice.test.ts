import { describe, expect, it } from 'vitest';
import type { PlanForecast, WhatIfResult } from '../../workers/protocol';
import { curveKey, withCurves, type Scenario } from './whatIfSlice';

const scenario: Scenario = { context: { kind: 'series', index: 0 }, startDay: 100, horizon: 7, promoStart: 0, promoDuration: 7, levers: { discount_pct: 10, ad_spend: 500, promo_type: 'gift' } };

describe('curveKey: what a response curve depends on', () => {
  it.each<[string, Partial<Scenario> | Record<string, unknown>, boolean]>([
    ['its own lever moves', { levers: { ...scenario.levers, discount_pct: 30 } }, true],
    ['another lever moves', { levers: { ...scenario.levers, ad_spend: 900 } }, false],
    ['the promotion type changes', { levers: { ...scenario.levers, promo_type: 'percent_off' } }, false],
    ['the plan starts later', { startDay: 101 }, false],
    ['the promotion is shorter', { promoDuration: 3 }, false],
    ['the context changes', { context: { kind: 'all' } }, false],
  ])('discount_pct curve when %s: reusable %s', (_, change, reusable) => {
    expect(curveKey({ ...scenario, ...change } as Scenario, 'discount_pct') === curveKey(scenario, 'discount_pct')).toBe(reusable);
  });
});

describe('withCurves', () => {
  const plan = (v: number): PlanForecast => ({ mean: Float64Array.of(v), lower: Float64Array.of(v - 1), upper: Float64Array.of(v + 1) });
  const numbers: WhatIfResult = { plans: [plan(1), plan(2)], actual: Float64Array.of(NaN), days: [100], inferenceMs: 1, windows: 2 };
  const layout = [
    { lever: 'discount_pct', values: [0, 50] },
    { lever: 'promo_type', values: ['a', 'b'] },
    { lever: 'ad_spend', values: [0, 9] },
  ];
  it.each<[string, [string, number[]][], number[], [string, number][]]>([
    ['every curve known, in layout order whatever the map order', [['ad_spend', [7, 8]], ['discount_pct', [3, 4]], ['promo_type', [5, 6]]], [1, 2, 3, 4, 5, 6, 7, 8], [['discount_pct', 2], ['promo_type', 4], ['ad_spend', 6]]],
    ['no curve yet', [], [1, 2], []],
    ['a gap: the curves after it wait', [['discount_pct', [3, 4]], ['ad_spend', [7, 8]]], [1, 2, 3, 4], [['discount_pct', 2]]],
  ])('%s', (_, known, means, firsts) => {
    const curves = new Map(known.map(([lever, values]) => [lever, values.map(plan)]));
    const { result, placement } = withCurves(numbers, layout, curves);
    expect(result.plans.map((p) => p.mean[0])).toEqual(means);
    expect(placement.map((c) => [c.lever, c.first])).toEqual(firsts);
  });
});
