import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { create } from 'zustand';
import type { PlanForecast, WhatIfContext, WhatIfRequest, WhatIfResult } from '../../workers/protocol';
import type { AppState } from '../store';
import { CURVE_CHUNK_PLANS, CURVE_POINTS, createWhatIfSlice, curveChunks } from './whatIfSlice';

// The ml worker, faked: every plan's forecast is 1000 × the request's number + its index in it; `hold` keeps answers back.
const worker = vi.hoisted(() => ({ requests: [] as WhatIfRequest[], held: [] as (() => void)[], hold: false, context: null as unknown }));
vi.mock('../../workers/clients/mlClient', () => ({
  mlClient: () => ({
    context: async () => worker.context,
    whatIf: (request: WhatIfRequest): Promise<WhatIfResult> => {
      const n = worker.requests.push(request) - 1;
      const answer = (): WhatIfResult => ({
        plans: request.plans.map((p, i): PlanForecast => ({ mean: new Float64Array(p.horizon).fill(1000 * n + i), lower: new Float64Array(p.horizon), upper: new Float64Array(p.horizon) })),
        actual: new Float64Array(7).fill(NaN),
        days: [],
        inferenceMs: 1,
        windows: request.plans.length * 7,
      });
      if (!worker.hold) return Promise.resolve(answer());
      return new Promise((resolve) => worker.held.push(() => resolve(answer())));
    },
  }),
}));

function context(): WhatIfContext {
  return {
    spec: { levers: ['promo_type', 'discount_pct', 'ad_spend'], crossSection: false, periodDays: 1, target: { kind: 'rate' } },
    leverRanges: { promo_type: { kind: 'category', values: ['gift', 'none', 'percent_off'] }, discount_pct: { kind: 'numeric', min: 0, max: 50 }, ad_spend: { kind: 'numeric', min: 0, max: 1000 } },
    seriesLeverRanges: [],
    noPromotion: [{ promo_type: 'none', discount_pct: 0, ad_spend: 0 }],
    seriesLabels: ['a'],
    seriesKeys: [['a']],
    lastDay: [100],
    firstDay: [0],
  } as unknown as WhatIfContext;
}

const store = () => create<AppState>()((...a) => ({ ...createWhatIfSlice(...a) }) as AppState);
/** Lets the fake worker's answers and the slice's follow-up requests run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
const CURVE_PLANS = 3 + 2 * CURVE_POINTS;
/** A store with the context loaded and its first update (numbers and curves) answered. */
async function loaded(): Promise<ReturnType<typeof store>> {
  const s = store();
  await s.getState().loadWhatIfContext();
  await settle();
  return s;
}

describe('the what-if update: numbers first, then the curves that changed', () => {
  beforeEach(() => {
    worker.requests = [];
    worker.held = [];
    worker.hold = false;
    worker.context = context();
    vi.stubGlobal('requestAnimationFrame', (callback: (t: number) => void) => setTimeout(() => callback(0), 0));
  });
  afterEach(() => vi.unstubAllGlobals());

  it('asks for the scenario and no promotion, then every curve; then only the curves a lever move changed', async () => {
    const s = await loaded();
    // The curves in passes of at most CURVE_CHUNK_PLANS plans: promo_type and discount_pct, then ad_spend.
    expect(worker.requests.map((r) => r.plans.length)).toEqual([2, 3 + CURVE_POINTS, CURVE_POINTS]);
    let state = s.getState();
    expect(state.whatIfAnswered).toBe(state.scenario);
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
    expect(state.whatIfResult?.plans).toHaveLength(2);
    expect(state.whatIfCharts?.result.plans).toHaveLength(2 + CURVE_PLANS);

    s.getState().setLever('discount_pct', 20);
    await settle();
    // discount_pct's own curve holds everything but discount_pct: it is reused.
    expect(worker.requests.slice(3).map((r) => r.plans.length)).toEqual([2, CURVE_PLANS - CURVE_POINTS]);
    expect(worker.requests[4]!.plans.every((p) => p.levers['discount_pct'] === 20)).toBe(true);
    state = s.getState();
    expect(state.whatIfCharts?.result.plans).toHaveLength(2 + CURVE_PLANS);
    // Each curve in its place: promo_type's from the new answer, discount_pct's kept from the first, ad_spend's new.
    const means = state.whatIfCharts!.result.plans.map((p) => p.mean[0]);
    expect(means.slice(2, 5)).toEqual([4000, 4001, 4002]);
    expect(means.slice(5, 5 + CURVE_POINTS)).toEqual(Array.from({ length: CURVE_POINTS }, (_, k) => 1003 + k));
    expect(means.slice(5 + CURVE_POINTS)).toEqual(Array.from({ length: CURVE_POINTS }, (_, k) => 4003 + k));
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
  });

  it('keeps the charts on the last complete answer until the new curves are in', async () => {
    const s = await loaded();
    const before = s.getState().whatIfCharts;
    worker.hold = true;
    s.getState().setLever('ad_spend', 500);
    worker.held.shift()!(); // the numbers
    await settle();
    let state = s.getState();
    expect(state.whatIfAnswered).toBe(state.scenario);
    expect(state.whatIfCharts).toBe(before); // the curves are pending
    expect(state.whatIfCharts?.scenario).not.toBe(state.scenario);
    expect(state.whatIfCurvesMs).toBeNull();
    worker.held.shift()!(); // the curves
    await settle();
    state = s.getState();
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
  });

  it('drops an answer for the model before and answers the new one', async () => {
    const s = await loaded();
    worker.hold = true;
    s.getState().setLever('discount_pct', 30);
    worker.context = context(); // a re-trained model: a new context
    await s.getState().loadWhatIfContext();
    expect(s.getState().whatIfAnswered).toBeNull();
    expect(s.getState().whatIfCharts).toBeNull();
    worker.held.shift()!(); // the old model's numbers: dropped
    await settle();
    expect(s.getState().whatIfAnswered).toBeNull();
    worker.hold = false;
    worker.held.splice(0).forEach((release) => release());
    await settle();
    const state = s.getState();
    expect(state.whatIfContext).toBe(worker.context);
    expect(state.whatIfAnswered).toBe(state.scenario);
    // A new context: no curve is reused.
    expect(worker.requests.slice(-2).map((r) => r.plans.length)).toEqual([3 + CURVE_POINTS, CURVE_POINTS]);
  });

  it('answers a newer input after the curve pass in flight, not after all the curves', async () => {
    const s = await loaded();
    worker.hold = true;
    const sent = worker.requests.length;
    s.getState().setLever('promo_type', 'percent_off'); // from gift
    worker.held.shift()!(); // the numbers for percent_off
    await settle();
    s.getState().setLever('promo_type', 'none'); // arrives during the first curve pass
    worker.hold = false;
    worker.held.shift()!(); // that pass
    await settle();
    // percent_off: numbers and one curve pass (discount_pct), then straight to none's numbers and curves; no ad_spend pass for percent_off.
    expect(worker.requests.slice(sent).map((r) => [r.plans.length, r.plans[0]!.levers['promo_type']])).toEqual([
      [2, 'percent_off'],
      [CURVE_POINTS, 'percent_off'],
      [2, 'none'],
      [CURVE_POINTS, 'none'],
      [CURVE_POINTS, 'none'],
    ]);
    const state = s.getState();
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
    expect(state.whatIfCharts?.result.plans).toHaveLength(2 + CURVE_PLANS);
  });

  it.each([
    [[3, 21, 21], [[3, 21], [21]]],
    [[21, 21, 21], [[21], [21], [21]]],
    [[4, 4, 4, 21, 40], [[4, 4, 4], [21], [40]]],
    [[], []],
  ])('groups curves of %j plans into passes %j', (sizes, expected) => {
    const chunks = curveChunks(sizes.map((n) => ({ values: new Array<number>(n).fill(0) })));
    expect(chunks.map((chunk) => chunk.map((c) => c.values.length))).toEqual(expected);
    for (const chunk of chunks) if (chunk.length > 1) expect(chunk.reduce((n, c) => n + c.values.length, 0)).toBeLessThanOrEqual(CURVE_CHUNK_PLANS);
  });

  it('skips the curves when a newer input arrived during the numbers', async () => {
    const s = await loaded();
    worker.hold = true;
    const sent = worker.requests.length;
    s.getState().setLever('ad_spend', 100);
    s.getState().setLever('ad_spend', 200);
    worker.hold = false;
    worker.held.shift()!();
    await settle();
    // The numbers for 100, then the numbers and curves for 200: no curves for 100.
    expect(worker.requests.slice(sent).map((r) => [r.plans.length, r.plans[0]!.levers['ad_spend']])).toEqual([[2, 100], [2, 200], [CURVE_PLANS - CURVE_POINTS, 200]]);
  });
});
