import { describe, expect, it } from 'vitest';
import {
  checkConstraints,
  defaultDurations,
  discountGrid,
  isNoneLikePromoType,
  noneLikePromoType,
  optimizePlan,
  type CandidateOutcome,
  type OptimizeConstraints,
  type OptimizeOptions,
  type PlanCandidate,
} from './optimize';

/**
 * A synthetic market whose best plan is known by hand. Per group, for a
 * candidate with total ad spend T = adSpendPerDay × promoDuration:
 *   objective = base + promo + a·ln(1 + T/k) − T + timing
 *   promo     = lift(type) + W·d·(2·d*(type) − d)     (best at d = d*, worth lift + W·d*²)
 *   timing    = −2·|start − start*| − |duration − duration*|   (when promoting)
 * The ad part is what a profit objective looks like: the money is spent.
 * With budget B binding, the ads optimum is a_g / (k_g + T_g) = λ for all g, so
 * T_g = a_g / λ − k_g and λ = Σa / (B + Σk).
 * Margin share = 0.4 − d / 100, so a minimum margin caps the discount.
 */
interface Market {
  a: number;
  k: number;
  base: number;
  lift: Readonly<Record<string, number>>;
  bestDiscount: Readonly<Record<string, number>>;
  bestStart: number;
  bestDuration: number;
}
const W = 0.05;

// Group A: coupon at 20 % is worth 60 + 20 = 80, flash at 30 % 25 + 45 = 70 → coupon.
// Group B: flash at 25 % is worth 30 + 31.25 = 61.25, coupon at 10 % 10 + 5 = 15 → flash.
// "promo" stands for the one promotion of data without a promo-type lever (null).
const marketA: Market = { a: 300, k: 20, base: 1000, lift: { coupon: 60, flash: 25, promo: 50 }, bestDiscount: { coupon: 20, flash: 30, promo: 20 }, bestStart: 2, bestDuration: 5 };
const marketB: Market = { a: 100, k: 20, base: 500, lift: { coupon: 10, flash: 30, promo: 50 }, bestDiscount: { coupon: 10, flash: 25, promo: 20 }, bestStart: 5, bestDuration: 7 };
// Group D: a small one (ads saturate early); coupon at 15 % is worth 30 + 11.25, flash at 10 % 5 + 5.
const marketD: Market = { a: 50, k: 5, base: 400, lift: { coupon: 30, flash: 5, promo: 0 }, bestDiscount: { coupon: 15, flash: 10, promo: 0 }, bestStart: 4, bestDuration: 9 };
// Group C loses money on every promotion and on ads (a / k < 1).
const marketC: Market = { a: 10, k: 20, base: 300, lift: { coupon: -40, flash: -40, promo: -40 }, bestDiscount: { coupon: 0, flash: 0, promo: 0 }, bestStart: 0, bestDuration: 14 };

function outcomeOf(m: Market, c: PlanCandidate): CandidateOutcome {
  const spend = c.adSpendPerDay * c.promoDuration;
  const promoting = c.promoDuration > 0;
  const type = c.promoType === null ? 'promo' : c.promoType;
  const lift = m.lift[type] ?? 0;
  const dStar = m.bestDiscount[type] ?? 0;
  const promo = promoting ? lift + W * c.discountPct * (2 * dStar - c.discountPct) : 0;
  const timing = promoting ? -2 * Math.abs(c.promoStart - m.bestStart) - Math.abs(c.promoDuration - m.bestDuration) : 0;
  const objective = m.base + promo + m.a * Math.log1p(spend / m.k) - spend + timing;
  const revenue = m.base * 3 + 10 * c.discountPct;
  return { objective, revenue, profit: objective, orders: revenue / 50, promoCost: spend + 2 * c.discountPct, marginShare: 0.4 - c.discountPct / 100, lower: objective - 5, upper: objective + 5 };
}

/** An evaluate over `markets` that records every batch it is given. */
function market(markets: readonly Market[]): { evaluate: OptimizeOptions['evaluate']; batches: PlanCandidate[][] } {
  const batches: PlanCandidate[][] = [];
  return {
    batches,
    evaluate: (candidates) => {
      batches.push([...candidates]);
      return Promise.resolve(candidates.map((c) => outcomeOf(markets[c.group]!, c)));
    },
  };
}

const horizon = 14;
const base: OptimizeConstraints = { totalAdBudget: 200, maxDiscountPct: 50, allowedPromoTypes: ['none', 'coupon', 'flash'], startWindow: [0, 6], horizon, minMarginShare: null };

/** Analytic optimum of Σ a_g ln(1 + T_g / k_g) − T_g under Σ T_g ≤ budget. */
function analyticSpends(markets: readonly Market[], budget: number): number[] {
  const free = markets.map((m) => Math.max(0, m.a - m.k));
  if (free.reduce((x, y) => x + y, 0) <= budget) return free;
  const lambda = markets.reduce((x, m) => x + m.a, 0) / (budget + markets.reduce((x, m) => x + m.k, 0));
  return markets.map((m) => m.a / lambda - m.k);
}

const spendOf = (c: PlanCandidate): number => c.adSpendPerDay * c.promoDuration;

describe('optimizePlan on a market with a known optimum', () => {
  it.each<[string, Market[], number, number[], string[], number[], [number, number][]]>([
    // λ = 400 / 240: A 160, B 40
    ['two groups, a tight budget', [marketA, marketB], 200, [160, 40], ['coupon', 'flash'], [20, 25], [[2, 5], [5, 7]]],
    // λ = 400 / 340: A 235, B 65
    ['two groups, a larger budget', [marketA, marketB], 300, [235, 65], ['coupon', 'flash'], [20, 25], [[2, 5], [5, 7]]],
    // λ = 450 / 345: A 210, B 56.7, D 33.3
    ['three groups, one small', [marketA, marketB, marketD], 300, [210, 57, 33], ['coupon', 'flash', 'coupon'], [20, 25, 15], [[2, 5], [5, 7], [4, 9]]],
    // Free optimum a − k: 280 + 80 = 360 ≤ 500, so the budget is not all spent.
    ['a budget larger than what pays', [marketA, marketB], 500, [280, 80], ['coupon', 'flash'], [20, 25], [[2, 5], [5, 7]]],
  ])('%s: best type, discount within a step, budget split within 10 %%, best timing', async (_name, markets, budget, expectedSpends, types, discounts, timing) => {
    expect(analyticSpends(markets, budget).map((x) => Math.round(x))).toEqual(expectedSpends);
    const { evaluate } = market(markets);
    const labels = markets.map((_m, g) => `group ${g}`);
    const result = await optimizePlan({ groups: labels, constraints: { ...base, totalAdBudget: budget }, evaluate });
    expect(result.plans.map((p) => p.label)).toEqual(labels);
    expect(result.plans.map((p) => p.candidate.promoType)).toEqual(types);
    result.plans.forEach((p, g) => {
      expect(Math.abs(p.candidate.discountPct - discounts[g]!)).toBeLessThanOrEqual(5);
      const optimum = analyticSpends(markets, budget)[g]!;
      expect(spendOf(p.candidate)).toBeGreaterThanOrEqual(optimum * 0.9);
      expect(spendOf(p.candidate)).toBeLessThanOrEqual(optimum * 1.1);
      expect([p.candidate.promoStart, p.candidate.promoDuration]).toEqual(timing[g]);
      // No promotion: the base, nothing spent.
      expect(p.noPromotion.objective).toBe(markets[g]!.base);
      expect(p.uplift).toBeCloseTo(p.outcome.objective - markets[g]!.base, 9);
      expect(p.uplift).toBeGreaterThan(0);
      // The market's no-promotion plan costs nothing, its profit is the objective.
      expect(p.roi).toBeCloseTo(p.uplift / p.outcome.promoCost, 9);
    });
    expect(result.totalAdSpend).toBeLessThanOrEqual(budget * (1 + 1e-12));
    expect(result.totalAdSpend).toBeCloseTo(
      result.plans.reduce((x, p) => x + spendOf(p.candidate), 0),
      9,
    );
    expect(result.evaluated).toBeGreaterThan(0);
    expect(result.seconds).toBeGreaterThanOrEqual(0);
  });

  it('asks for one batch per phase and refinement round, never a candidate outside the limits', async () => {
    const { evaluate, batches } = market([marketA, marketB]);
    const result = await optimizePlan({ groups: ['A', 'B'], constraints: { ...base, maxDiscountPct: 30 }, evaluate });
    expect(batches).toHaveLength(6);
    const all = batches.flat();
    expect(all).toHaveLength(result.evaluated);
    for (const c of all) {
      expect(['none', 'coupon', 'flash']).toContain(c.promoType);
      expect(c.discountPct).toBeGreaterThanOrEqual(0);
      expect(c.discountPct).toBeLessThanOrEqual(30);
      expect(spendOf(c)).toBeLessThanOrEqual(200 * (1 + 1e-12));
      expect(c.promoStart + c.promoDuration).toBeLessThanOrEqual(horizon);
    }
    // Every batch is for all groups at once.
    for (const batch of batches) expect(new Set(batch.map((c) => c.group))).toEqual(new Set([0, 1]));
    // The same plan is never scored twice.
    expect(new Set(all.map((c) => JSON.stringify(c))).size).toBe(all.length);
  });

  it.each<[string, Partial<OptimizeConstraints>, (string | null)[], number[]]>([
    ['max discount caps the discount', { maxDiscountPct: 10 }, ['coupon', 'flash'], [10, 10]],
    // Off the 5 % grid: 12 itself is tried.
    ['an off-grid max discount is tried itself', { maxDiscountPct: 12 }, ['coupon', 'flash'], [12, 12]],
    // Without coupons, A's best is flash at 30 % (worth 70).
    ['only allowed types are used', { allowedPromoTypes: ['none', 'flash'] }, ['flash', 'flash'], [30, 25]],
    // Margin 0.4 − d / 100 ≥ 0.25 allows 15 % at most; coupon at 15 % is still A's best (78.75 vs 58.75).
    ['a minimum margin caps the discount', { minMarginShare: 0.25 }, ['coupon', 'flash'], [15, 15]],
    ['data without a promo-type lever', { allowedPromoTypes: [null] }, [null, null], [20, 20]],
    ['an empty type list reads as no promo-type lever', { allowedPromoTypes: [] }, [null, null], [20, 20]],
  ])('%s', async (_name, overrides, types, discounts) => {
    const { evaluate } = market([marketA, marketB]);
    const constraints = { ...base, ...overrides };
    const result = await optimizePlan({ groups: ['A', 'B'], constraints, evaluate });
    expect(result.plans.map((p) => p.candidate.promoType)).toEqual(types);
    expect(result.plans.map((p) => p.candidate.discountPct)).toEqual(discounts);
    for (const p of result.plans) {
      if (constraints.minMarginShare !== null) expect(p.outcome.marginShare).toBeGreaterThanOrEqual(constraints.minMarginShare);
    }
    expect(result.totalAdSpend).toBeLessThanOrEqual(200 * (1 + 1e-12));
  });

  it.each<[string, Partial<OptimizeConstraints>]>([
    ['a minimum margin no plan meets', { minMarginShare: 0.5 }],
    ['no allowed promotion and no budget', { allowedPromoTypes: ['none'], maxDiscountPct: 0, totalAdBudget: 0 }],
  ])('%s: no promotion anywhere', async (_name, overrides) => {
    const { evaluate } = market([marketA, marketB]);
    const result = await optimizePlan({ groups: ['A', 'B'], constraints: { ...base, ...overrides }, evaluate });
    for (const p of result.plans) {
      expect(p.candidate).toEqual({ group: p.group, promoType: 'none', discountPct: 0, adSpendPerDay: 0, promoStart: 0, promoDuration: 0 });
      expect(p.uplift).toBe(0);
      expect(p.roi).toBeNull();
    }
    expect(result.totalAdSpend).toBe(0);
  });

  it('gives a group that loses on every promotion and on ads nothing', async () => {
    const { evaluate } = market([marketA, marketC]);
    const result = await optimizePlan({ groups: ['A', 'C'], constraints: base, evaluate });
    const [a, c] = result.plans;
    expect(c!.candidate).toMatchObject({ promoType: 'none', discountPct: 0, adSpendPerDay: 0, promoDuration: 0 });
    expect(c!.uplift).toBe(0);
    // A alone takes what pays: its free optimum a − k = 280 is above the budget, so all of it.
    expect(a!.candidate.promoType).toBe('coupon');
    expect(spendOf(a!.candidate)).toBeGreaterThan(180);
    expect(result.totalAdSpend).toBeLessThanOrEqual(200 * (1 + 1e-12));
  });

  it('with a budget of 0 spends nothing, and still picks types, discounts and timing', async () => {
    const { evaluate, batches } = market([marketA, marketB]);
    const result = await optimizePlan({ groups: ['A', 'B'], constraints: { ...base, totalAdBudget: 0 }, evaluate });
    expect(batches.flat().every((c) => c.adSpendPerDay === 0)).toBe(true);
    expect(result.totalAdSpend).toBe(0);
    expect(result.plans.map((p) => [p.candidate.promoType, p.candidate.discountPct, p.candidate.promoStart, p.candidate.promoDuration])).toEqual([
      ['coupon', 20, 2, 5],
      ['flash', 25, 5, 7],
    ]);
  });

  it.each<[string, readonly [number, number], readonly number[] | undefined]>([
    ['a window after the best starts', [8, 10], undefined],
    ['a one-day window', [9, 9], undefined],
    // Start 12 leaves 2 days: only "until the end" fits.
    ['a window near the end', [12, 13], undefined],
    ['given durations', [0, 6], [4, 6]],
  ])('keeps the start in %s', async (_name, startWindow, durations) => {
    const { evaluate } = market([marketA, marketB]);
    const constraints: OptimizeConstraints = durations === undefined ? { ...base, startWindow } : { ...base, startWindow, durations };
    const result = await optimizePlan({ groups: ['A', 'B'], constraints, evaluate });
    for (const p of result.plans) {
      expect(p.candidate.promoDuration).toBeGreaterThan(0);
      expect(p.candidate.promoStart).toBeGreaterThanOrEqual(startWindow[0]);
      expect(p.candidate.promoStart).toBeLessThanOrEqual(startWindow[1]);
      expect(p.candidate.promoStart + p.candidate.promoDuration).toBeLessThanOrEqual(horizon);
      if (durations !== undefined) expect([...durations, horizon - p.candidate.promoStart]).toContain(p.candidate.promoDuration);
    }
    expect(result.totalAdSpend).toBeLessThanOrEqual(200 * (1 + 1e-12));
  });

  it('reports progress with the phase and the rate', async () => {
    const { evaluate } = market([marketA, marketB]);
    const reports: { evaluated: number; phase: string; plansPerSecond: number }[] = [];
    const result = await optimizePlan({ groups: ['A', 'B'], constraints: base, evaluate, onProgress: (p) => reports.push(p) });
    expect(reports.map((r) => r.phase)).toEqual(['discount', 'spend', 'refine', 'refine', 'refine', 'timing']);
    for (let i = 1; i < reports.length; i++) expect(reports[i]!.evaluated).toBeGreaterThan(reports[i - 1]!.evaluated);
    expect(reports.at(-1)!.evaluated).toBe(result.evaluated);
    for (const r of reports) {
      expect(Number.isFinite(r.plansPerSecond)).toBe(true);
      expect(r.plansPerSecond).toBeGreaterThanOrEqual(0);
    }
  });

  it('rejects when the signal is already aborted, without evaluating', async () => {
    const { evaluate, batches } = market([marketA, marketB]);
    const controller = new AbortController();
    controller.abort(new Error('stopped by the analyst'));
    await expect(optimizePlan({ groups: ['A', 'B'], constraints: base, evaluate, signal: controller.signal })).rejects.toThrow('stopped by the analyst');
    expect(batches).toHaveLength(0);
  });

  it('rejects when aborted during a batch, and asks for no more', async () => {
    const controller = new AbortController();
    let calls = 0;
    const evaluate: OptimizeOptions['evaluate'] = (candidates) => {
      calls++;
      controller.abort();
      return Promise.resolve(candidates.map((c) => outcomeOf(marketA, c)));
    };
    await expect(optimizePlan({ groups: ['A'], constraints: base, evaluate, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(calls).toBe(1);
  });

  it('rejects an evaluate that returns the wrong number of outcomes', async () => {
    const evaluate: OptimizeOptions['evaluate'] = (candidates) => Promise.resolve(candidates.slice(1).map((c) => outcomeOf(marketA, c)));
    await expect(optimizePlan({ groups: ['A'], constraints: base, evaluate })).rejects.toThrow(/outcomes for/);
  });

  it('rejects constraints that checkConstraints refuses', async () => {
    const { evaluate } = market([marketA]);
    await expect(optimizePlan({ groups: ['A'], constraints: { ...base, totalAdBudget: -1 }, evaluate })).rejects.toThrow(RangeError);
  });

  it('with no groups, evaluates nothing', async () => {
    const { evaluate, batches } = market([]);
    const result = await optimizePlan({ groups: [], constraints: base, evaluate });
    expect(result).toMatchObject({ plans: [], totalAdSpend: 0, evaluated: 0 });
    expect(batches).toHaveLength(0);
  });
});

describe('optimizer helpers', () => {
  it.each<[string | null, boolean]>([
    ['none', true],
    ['None', true],
    [' NO ', true],
    ['无', true],
    ['0', true],
    ['FALSE', true],
    ['no promo', true],
    ['no_promotion', true],
    ['无促销', true],
    ['coupon', false],
    ['nonexistent', false],
    ['10', false],
    [null, false],
  ])('isNoneLikePromoType(%j) is %s', (name, expected) => {
    expect(isNoneLikePromoType(name)).toBe(expected);
  });

  it.each<[(string | null)[], string | null]>([
    [['coupon', 'None', 'flash'], 'None'],
    [['coupon', 'flash'], null],
    [[null], null],
    [[], null],
  ])('noneLikePromoType(%j) is %j', (allowed, expected) => {
    expect(noneLikePromoType(allowed)).toBe(expected);
  });

  it.each<[number, number, number[]]>([
    [20, 5, [0, 5, 10, 15, 20]],
    [12, 5, [0, 5, 10, 12]],
    [0, 5, [0]],
    [0.9, 0.3, [0, 0.3, 0.6, 0.9]],
    [3, 5, [0, 3]],
  ])('discountGrid(%s, %s) is %j', (max, step, expected) => {
    expect(discountGrid(max, step)).toEqual(expected);
  });

  it.each<[number, number[]]>([
    [14, [3, 5, 7, 9, 11, 13, 14]],
    [7, [3, 5, 7]],
    [3, [3]],
    [2, [2]],
    [1, [1]],
  ])('defaultDurations(%s) is %j', (h, expected) => {
    expect(defaultDurations(h)).toEqual(expected);
  });

  it.each<[string, Partial<OptimizeConstraints>, RegExp | null]>([
    ['the defaults', {}, null],
    ['a negative budget', { totalAdBudget: -5 }, /ad budget/],
    ['an infinite budget', { totalAdBudget: Infinity }, /ad budget/],
    ['a discount over 100 %', { maxDiscountPct: 120 }, /highest discount/],
    ['a zero discount step', { discountStepPct: 0 }, /discount step/],
    ['a reversed start window', { startWindow: [5, 2] }, /start window/],
    ['a start after the horizon', { startWindow: [14, 20] }, /after the 14-day plan/],
    ['a fractional horizon', { horizon: 7.5 }, /horizon/],
    ['no usable duration', { durations: [0] }, /duration/],
    ['a NaN minimum margin', { minMarginShare: NaN }, /minimum margin/],
  ])('checkConstraints: %s', (_name, overrides, reason) => {
    const got = checkConstraints({ ...base, ...overrides });
    if (reason === null) expect(got.ok).toBe(true);
    else expect(got.ok ? '' : got.reason).toMatch(reason);
  });
});
