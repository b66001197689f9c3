import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { create } from 'zustand';
import type * as KernelModule from '../../ml/scenarioKernel';
import { kernelSteps } from '../../ml/scenarioKernel';
import type { PlanSpec } from '../../ml/whatif';
import type { PlanForecast, WhatIfContext, WhatIfRequest, WhatIfResult } from '../../workers/protocol';
import type { AppState } from '../store';
import { CURVE_CHUNK_PLANS, CURVE_POINTS, CURVES_BEHIND_MAX, createWhatIfSlice, DRAG_CURVE_POINTS, DRAG_GAP_MS, curveChunks, Kept, keyboardStep } from './whatIfSlice';

// The ml worker, faked: every plan's forecast is 1000 × the request's number + its index in it; `hold` keeps answers back.
// With `shared`, the client has a shared channel: numbers come within the frame (unless `late`), and a curve pass of an
// older generation answers null (it stopped).
const worker = vi.hoisted(() => ({ inferenceMs: 1, kernel: null as unknown, kernelAsks: 0, requests: [] as WhatIfRequest[], held: [] as (() => void)[], hold: false, context: null as unknown, shared: false, late: false, curvesLate: false, failNext: false, generation: 0, clock: 0, tick: 100 }));
vi.mock('../../workers/clients/mlClient', async () => {
  const { curvePlans } = await import('../../ml/whatif');
  const answer = (request: WhatIfRequest, n: number): WhatIfResult => {
    const plans = [...request.plans, ...(request.curves ? curvePlans(request.curves.base, request.curves.levers) : [])];
    return {
      plans: plans.map((p, i): PlanForecast => ({ mean: new Float64Array(p.horizon).fill(1000 * n + i), lower: new Float64Array(p.horizon), upper: new Float64Array(p.horizon) })),
      actual: new Float64Array(7).fill(NaN),
      days: [],
      inferenceMs: worker.inferenceMs,
      windows: plans.length * 7,
    };
  };
  const whatIf = (request: WhatIfRequest): Promise<WhatIfResult | null> => {
    const n = worker.requests.push(request) - 1;
    const reply = () => (request.generation !== undefined && request.generation !== worker.generation ? null : answer(request, n));
    const settleWith = (resolve: (r: WhatIfResult | null) => void, reject: (e: Error) => void) => {
      if (worker.failNext) {
        worker.failNext = false;
        reject(new Error('the worker failed'));
      } else resolve(reply());
    };
    if (!worker.hold) return new Promise(settleWith);
    return new Promise((resolve, reject) => worker.held.push(() => settleWith(resolve, reject)));
  };
  return {
    mlClient: () => ({
      context: async () => worker.context,
      scenarioKernel: async (context: { series: readonly number[]; horizon: number }) => {
        worker.kernelAsks++;
        return worker.kernel === null ? null : { ...(worker.kernel as object), series: context.series, horizon: context.horizon };
      },
      whatIf,
      get channel() {
        return worker.shared ? { bump: () => ++worker.generation } : null;
      },
      whatIfWithin: (request: WhatIfRequest, _budget: number, _withCurves: number, meanwhile?: () => void) => {
        const n = worker.requests.length;
        const reply = whatIf(request);
        meanwhile?.();
        if (worker.late) return { answer: null, complete: false, reply };
        const whole = answer(request, n);
        // `curvesLate`: the numbers come in the frame, the curves with them only by message.
        if (worker.curvesLate && request.curves) return { answer: { ...whole, plans: whole.plans.slice(0, request.plans.length) }, complete: false, reply };
        return { answer: whole, complete: true, reply };
      },
    }),
  };
});

// The host kernel's forecasts, faked (their arithmetic is tested in src/ml/scenarioKernel.test.ts): 7000 + the
// plan's discount_pct with a promotion, 6000 without.
vi.mock('../../ml/scenarioKernel', async (importOriginal) => ({
  ...(await importOriginal<typeof KernelModule>()),
  kernelRunnable: () => true,
  // The seed's model: 24,064 multiply-adds per LSTM step (30 features, 64 units).
  kernelWork: (k: { series: readonly number[]; horizon: number }) => kernelSteps(k.series.length, k.horizon, 14) * 24_064,
  kernelForecasts: (_kernel: unknown, _spec: unknown, _q90: number, _none: unknown, _keys: unknown, plans: readonly PlanSpec[]) =>
    plans.map((p) => ({ mean: new Float64Array(p.horizon).fill(p.promoDuration > 0 ? 7000 + Number(p.levers['discount_pct'] ?? 0) : 6000), lower: new Float64Array(p.horizon), upper: new Float64Array(p.horizon) })),
}));
/** What the slice reads of a kernel (the rest goes to the faked kernelForecasts). */
const fakeKernel = () => ({ actual: new Float64Array(7).fill(NaN), days: [[1, 2, 3, 4, 5, 6, 7]] });

/** Plans a request asks for: its own and its curves' points. */
const planCount = (r: WhatIfRequest) => r.plans.length + (r.curves?.levers.reduce((n, c) => n + c.values.length, 0) ?? 0);
/** The value of `lever` in a request's first plan. */
const leverOf = (r: WhatIfRequest, lever: string) => (r.plans[0] ?? r.curves!.base).levers[lever];

function context(): WhatIfContext {
  return {
    spec: { levers: ['promo_type', 'discount_pct', 'ad_spend'], crossSection: false, periodDays: 1, windowLength: 14, target: { kind: 'rate' } },
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
/** Lets the first held answer go, and the slice's follow-up requests run. */
const releaseNext = async () => {
  worker.held.shift()!();
  await settle();
};
/** Stops holding the fake worker's answers back and lets every held one go. */
const releaseAll = () => {
  worker.hold = false;
  worker.held.splice(0).forEach((release) => release());
};
/** Waits until a dragged slider counts as resting (its full curves are asked for then). */
const rest = () => new Promise((resolve) => setTimeout(resolve, DRAG_GAP_MS + 10));
/** Lets the animation frame an input asked for run (requests go out in it). */
const nextFrame = () => new Promise((resolve) => setTimeout(resolve, 1));
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
    worker.kernel = null;
    worker.kernelAsks = 0;
    worker.inferenceMs = 1;
    worker.shared = false;
    worker.late = false;
    worker.curvesLate = false;
    worker.failNext = false;
    worker.generation = 0;
    vi.stubGlobal('requestAnimationFrame', (callback: (t: number) => void) => setTimeout(() => callback(0), 0));
    // A clock that moves `tick` ms per reading: inputs far apart (no drag) unless a test says otherwise.
    worker.clock = 0;
    worker.tick = 100;
    vi.spyOn(performance, 'now').mockImplementation(() => (worker.clock += worker.tick));
  });
  afterEach(async () => {
    // A store's rest timer may still be armed (a drag's full curves wait for the slider to rest):
    // let it fire now, the slider long at rest, so that it asks nothing in the next test.
    worker.tick = 1000;
    await new Promise((resolve) => setTimeout(resolve, 2 * DRAG_GAP_MS));
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('asks for the scenario and no promotion, then every curve; then only the curves a lever move changed', async () => {
    const s = await loaded();
    // The curves in passes of at most CURVE_CHUNK_PLANS plans: promo_type and discount_pct, then ad_spend.
    expect(worker.requests.map((r) => planCount(r))).toEqual([2, 3 + CURVE_POINTS, CURVE_POINTS]);
    let state = s.getState();
    expect(state.whatIfAnswered).toBe(state.scenario);
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
    expect(state.whatIfResult?.plans).toHaveLength(2);
    expect(state.whatIfCharts?.result.plans).toHaveLength(2 + CURVE_PLANS);

    s.getState().setLever('discount_pct', 20);
    await settle();
    // discount_pct's own curve holds everything but discount_pct: it is reused.
    expect(worker.requests.slice(3).map((r) => planCount(r))).toEqual([2, CURVE_PLANS - CURVE_POINTS]);
    expect(worker.requests[4]!.curves!.base.levers['discount_pct'] === 20).toBe(true);
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
    await nextFrame();
    await releaseNext(); // the numbers
    let state = s.getState();
    expect(state.whatIfAnswered).toBe(state.scenario);
    expect(state.whatIfCharts).toBe(before); // the curves are pending
    expect(state.whatIfCharts?.scenario).not.toBe(state.scenario);
    expect(state.whatIfCurvesMs).toBeNull();
    await releaseNext(); // the curves
    state = s.getState();
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
  });

  it('drops an answer for the model before and answers the new one', async () => {
    const s = await loaded();
    worker.hold = true;
    s.getState().setLever('discount_pct', 30);
    await nextFrame();
    worker.context = context(); // a re-trained model: a new context
    await s.getState().loadWhatIfContext();
    expect(s.getState().whatIfAnswered).toBeNull();
    expect(s.getState().whatIfCharts).toBeNull();
    await releaseNext(); // the old model's numbers: dropped
    expect(s.getState().whatIfAnswered).toBeNull();
    releaseAll();
    await settle();
    const state = s.getState();
    expect(state.whatIfContext).toBe(worker.context);
    expect(state.whatIfAnswered).toBe(state.scenario);
    // A new context: no curve is reused.
    expect(worker.requests.slice(-2).map((r) => planCount(r))).toEqual([3 + CURVE_POINTS, CURVE_POINTS]);
  });

  it.each([false, true])('answers a new model whose frame came while the old model\'s numbers were out (shared channel: %s)', async (shared) => {
    worker.shared = shared;
    const s = await loaded();
    worker.hold = true;
    worker.late = true; // with the channel: the numbers miss the frame and come by message
    s.getState().setLever('discount_pct', 30);
    await nextFrame();
    worker.context = context(); // a re-trained model
    await s.getState().loadWhatIfContext();
    await nextFrame(); // its frame: the old numbers are still out
    worker.late = false;
    releaseAll(); // the old model's numbers: dropped
    await settle();
    const state = s.getState();
    expect(state.whatIfContext).toBe(worker.context);
    expect(state.whatIfAnswered).toBe(state.scenario);
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
  });

  it('draws kept curves at once, even with a pass out, and an older pass never covers them', async () => {
    const s = await loaded(); // no channel: curves in passes
    const first = s.getState().scenario!;
    worker.hold = true;
    s.getState().setLever('discount_pct', 10);
    await nextFrame();
    await releaseNext(); // 10's numbers
    expect(worker.held).toHaveLength(1); // 10's curve pass (promo_type and ad_spend: one pass)
    s.getState().setLever('discount_pct', first.levers['discount_pct']!); // back: numbers and curves kept
    await nextFrame();
    let state = s.getState();
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
    expect(state.whatIfCharts?.instant).toBe(true);
    await releaseNext(); // 10's pass, complete but older
    state = s.getState();
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
  });

  it('after a failed request, still answers the input that came meanwhile', async () => {
    const s = await loaded();
    worker.hold = true;
    s.getState().setLever('ad_spend', 100);
    await nextFrame();
    s.getState().setLever('ad_spend', 200);
    await nextFrame();
    worker.failNext = true;
    releaseAll();
    await settle();
    const state = s.getState();
    expect(state.trainError).not.toBeNull();
    expect(state.whatIfAnswered).toBe(state.scenario);
    expect(state.whatIfAnswered?.levers['ad_spend']).toBe(200);
  });

  it('answers a newer input after the curve pass in flight, not after all the curves', async () => {
    const s = await loaded();
    worker.hold = true;
    const sent = worker.requests.length;
    s.getState().setLever('promo_type', 'percent_off'); // from gift
    await nextFrame();
    await releaseNext(); // the numbers for percent_off
    s.getState().setLever('promo_type', 'none'); // arrives during the first curve pass
    await nextFrame();
    releaseAll(); // that pass, then none's numbers
    await settle();
    // percent_off: numbers and one curve pass (discount_pct), then straight to none's numbers and curves; no ad_spend pass for percent_off.
    expect(worker.requests.slice(sent).map((r) => [planCount(r), leverOf(r, 'promo_type')])).toEqual([
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

  it('asks once for inputs within one frame, and skips the curves of an input overtaken during its numbers', async () => {
    const s = await loaded();
    const sent = worker.requests.length;
    s.getState().setLever('ad_spend', 50);
    s.getState().setLever('ad_spend', 100); // the same frame: only the latest goes out
    worker.hold = true;
    await nextFrame();
    s.getState().setLever('ad_spend', 200); // while 100's numbers are out
    await nextFrame();
    worker.hold = false;
    await releaseNext();
    // The numbers for 100, then the numbers and curves for 200: no curves for 100.
    expect(worker.requests.slice(sent).map((r) => [planCount(r), leverOf(r, 'ad_spend')])).toEqual([[2, 100], [2, 200], [CURVE_PLANS - CURVE_POINTS, 200]]);
    expect(s.getState().whatIfCharts?.scenario).toBe(s.getState().scenario);
  });

  it('with the shared channel: draws the numbers in the input\'s frame, asks for every curve in one pass, and a stale pass makes way', async () => {
    worker.shared = true;
    const s = await loaded();
    // One curve pass for every curve, for the generation of the input it answers.
    expect(worker.requests.map((r) => [planCount(r), r.generation])).toEqual([[2, undefined], [CURVE_PLANS, 1]]);
    const sent = worker.requests.length;
    worker.hold = true;
    s.getState().setLever('discount_pct', 10);
    await nextFrame();
    // In the frame: the numbers are on screen, though their message is still held back.
    let state = s.getState();
    expect(state.whatIfAnswered).toBe(state.scenario);
    expect(state.whatIfLatencyMs).not.toBeNull();
    await settle();
    await releaseNext(); // the numbers' message: nothing more to do
    expect(worker.requests.slice(sent).map((r) => [planCount(r), leverOf(r, 'discount_pct'), r.generation])).toEqual([[2, 10, undefined], [CURVE_PLANS - CURVE_POINTS, 10, 2]]);
    s.getState().setLever('discount_pct', 20); // the pass for 10 is stale now
    await nextFrame();
    releaseAll(); // 10's pass (stopped: null), 20's numbers
    await settle();
    state = s.getState();
    expect(worker.requests.slice(sent + 2).map((r) => [planCount(r), leverOf(r, 'discount_pct'), r.generation])).toEqual([[2, 20, undefined], [CURVE_PLANS - CURVE_POINTS, 20, 3]]);
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
    expect(state.whatIfCharts?.result.plans).toHaveLength(2 + CURVE_PLANS);
  });

  it('with the shared channel: a curve pass that finishes before the next frame is drawn, a frame behind the slider', async () => {
    worker.shared = true;
    const s = await loaded();
    worker.hold = true;
    s.getState().setLever('discount_pct', 10);
    await nextFrame(); // 10's numbers (in the frame); its curve pass is out
    s.getState().setLever('discount_pct', 20); // the input: its frame has not come yet
    worker.held.shift()!(); // 10's numbers by message: nothing to do
    worker.held.shift()!(); // 10's curves: not stopped (no frame asked for the worker since)
    await Promise.resolve();
    await Promise.resolve();
    let state = s.getState();
    expect(state.whatIfCharts?.scenario.levers['discount_pct']).toBe(10);
    expect(state.whatIfCharts?.scenario).not.toBe(state.scenario); // drawn, and busy
    worker.hold = false;
    await settle();
    state = s.getState();
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
    expect(state.whatIfCharts?.scenario.levers['discount_pct']).toBe(20);
  });

  it('with the shared channel: a frame stops the curve pass out, unless the charts have fallen too far behind', async () => {
    worker.shared = true;
    const s = await loaded();
    worker.hold = true;
    const generations: number[] = [];
    for (let k = 1; k <= CURVES_BEHIND_MAX + 2; k++) {
      s.getState().setLever('ad_spend', 10 * k);
      await nextFrame();
      generations.push(worker.generation);
    }
    // Each frame stopped the pass before it while the charts were fewer than CURVES_BEHIND_MAX inputs behind; then the pass out is left to finish.
    const stops = generations.map((g, k) => g - (generations[k - 1] ?? 1));
    expect(stops).toEqual([...new Array<number>(CURVES_BEHIND_MAX - 1).fill(1), 0, 0, 0]);
    releaseAll();
    await settle();
    const state = s.getState();
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
  });

  it('with the shared channel, while a slider is dragged: coarse curves with the numbers in the frame, then the full ones', async () => {
    worker.shared = true;
    const s = await loaded();
    const sent = worker.requests.length;
    worker.tick = 5; // inputs a few ms apart: a drag
    worker.hold = true;
    s.getState().setLever('ad_spend', 90);
    s.getState().setLever('ad_spend', 100); // 5 ms after the one before, in the same frame
    await nextFrame();
    // One pass for the numbers and the coarse curves (promo_type has its values either way; ad_spend's own curve is kept).
    expect(worker.requests.slice(sent).map((r) => [r.plans.length, planCount(r)])).toEqual([[2, 2 + 3 + DRAG_CURVE_POINTS]]);
    // The curves part stops when a newer frame needs the worker.
    expect(worker.requests[sent]!.generation).toBe(worker.generation);
    let state = s.getState();
    expect(state.whatIfAnswered).toBe(state.scenario);
    expect(state.whatIfResult?.plans).toHaveLength(2);
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
    expect(state.whatIfCharts?.instant).toBe(true);
    expect(state.whatIfCharts?.coarse).toBe(true);
    expect(state.whatIfCharts?.placement?.map((c) => c.values.length)).toEqual([3, DRAG_CURVE_POINTS, CURVE_POINTS]);
    // The full curves once the slider rests (a pass while it moves would be stopped by the next frame).
    worker.tick = 100;
    await rest();
    expect(worker.requests.slice(sent + 1).map((r) => [r.plans.length, planCount(r)])).toEqual([[0, CURVE_POINTS]]);
    releaseAll();
    await settle();
    state = s.getState();
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
    expect(state.whatIfCharts?.coarse).toBe(false);
    expect(state.whatIfCharts?.placement?.map((c) => c.values.length)).toEqual([3, CURVE_POINTS, CURVE_POINTS]);
  });

  it('while a slider is dragged, the numbers are drawn in the frame even when the coarse curves with them come later', async () => {
    worker.shared = true;
    const s = await loaded();
    worker.tick = 5;
    worker.hold = true;
    worker.curvesLate = true;
    s.getState().setLever('ad_spend', 90);
    s.getState().setLever('ad_spend', 100);
    await nextFrame();
    let state = s.getState();
    expect(state.whatIfAnswered).toBe(state.scenario);
    expect(state.whatIfCharts?.scenario).not.toBe(state.scenario);
    const sent = worker.requests.length;
    await releaseNext(); // the whole answer by message: its coarse curves kept and drawn
    state = s.getState();
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
    expect(state.whatIfCharts?.coarse).toBe(true);
    // No second coarse pass: only the full discount_pct curve was asked for, once the slider rests.
    expect(worker.requests.slice(sent)).toEqual([]);
    worker.tick = 100;
    await rest();
    expect(worker.requests.slice(sent).map(planCount)).toEqual([CURVE_POINTS]);
  });

  it('with the shared channel: no full curve pass while a slider is dragged, one when it rests', async () => {
    worker.shared = true;
    const s = await loaded();
    await settle();
    const full = (r: WhatIfRequest) => r.plans.length === 0 && (r.curves?.levers.some((c) => c.values.length === CURVE_POINTS) ?? false);
    worker.tick = 1; // the clock barely moves: inputs a frame apart, the slider never rests
    // The first input is not known to be a drag yet: its full curves are asked for (and stopped).
    s.getState().setLever('ad_spend', 5);
    await nextFrame();
    await settle();
    const sent = worker.requests.length;
    for (let v = 10; v <= 150; v += 10) {
      s.getState().setLever('ad_spend', v);
      await nextFrame();
      await settle();
    }
    await rest();
    expect(worker.requests.slice(sent).filter(full)).toEqual([]);
    expect(s.getState().whatIfCharts?.coarse).toBe(true);
    worker.tick = 100; // now it rests
    await rest();
    await settle();
    expect(worker.requests.slice(sent).filter(full)).toHaveLength(1);
    expect(s.getState().whatIfCharts?.coarse).toBe(false);
  });

  it('while a slider is dragged, coarse curves already kept are drawn at once', async () => {
    worker.shared = true;
    const s = await loaded();
    worker.tick = 5;
    worker.hold = true;
    s.getState().setLever('ad_spend', 90);
    s.getState().setLever('ad_spend', 100);
    await nextFrame(); // 100: numbers and coarse curves; its full pass is out
    s.getState().setLever('ad_spend', 120); // stops it
    await nextFrame();
    const sent = worker.requests.length;
    s.getState().setLever('ad_spend', 100); // back: numbers and coarse curves kept
    await nextFrame();
    const state = s.getState();
    expect(state.whatIfAnswered).toBe(state.scenario);
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
    expect(state.whatIfCharts?.coarse).toBe(true);
    // Nothing asked for it but (once the pass out is done) its full curves.
    expect(worker.requests.slice(sent).filter((r) => r.plans.length > 0)).toEqual([]);
  });

  it('with the shared channel: a new model\'s first frame stops the old model\'s curve pass', async () => {
    worker.shared = true;
    const s = await loaded();
    worker.hold = true;
    s.getState().setLever('ad_spend', 300);
    await nextFrame(); // its curve pass is out
    const before = worker.generation;
    worker.context = context();
    await s.getState().loadWhatIfContext(); // the charts go
    await nextFrame();
    expect(worker.generation).toBe(before + 1);
    releaseAll();
    await settle();
    const state = s.getState();
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
  });

  it('with the shared channel: numbers that miss the frame come by message', async () => {
    worker.shared = true;
    const s = await loaded();
    worker.late = true;
    worker.hold = true;
    s.getState().setLever('discount_pct', 10);
    await nextFrame();
    expect(s.getState().whatIfAnswered).not.toBe(s.getState().scenario);
    releaseAll();
    await settle();
    const state = s.getState();
    expect(state.whatIfAnswered).toBe(state.scenario);
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
  });

  it('with the shared channel and a slider in focus: answers the next arrow-key step ahead, and draws it in the step\'s frame', async () => {
    worker.shared = true;
    const s = await loaded();
    const sent = worker.requests.length;
    s.getState().focusLever('discount_pct');
    await settle();
    // The step up (0.5): its numbers and the curves that depend on discount_pct; the step down from 0 is past the end.
    expect(worker.requests.slice(sent).map((r) => [r.plans.length, planCount(r), leverOf(r, 'discount_pct')])).toEqual([[2, CURVE_PLANS - CURVE_POINTS + 2, 0.5]]);
    const asked = worker.requests.length;
    worker.hold = true; // nothing may be needed from the worker now
    s.getState().setLever('discount_pct', 0.5);
    await nextFrame();
    const state = s.getState();
    expect(state.whatIfAnswered).toBe(state.scenario);
    expect(state.whatIfCharts?.scenario).toBe(state.scenario);
    expect(state.whatIfCharts?.instant).toBe(true);
    expect(state.whatIfCurvesMs).not.toBeNull();
    // The only request since: the next step up (1), prefetched in turn; back down to 0 is kept.
    expect(worker.requests.slice(asked).map((r) => leverOf(r, 'discount_pct'))).toEqual([1]);
    releaseAll();
    await settle();
    // A step back (no slider in focus now: nothing prefetched) is kept too: no request at all.
    s.getState().focusLever(null);
    const before = worker.requests.length;
    s.getState().setLever('discount_pct', 0);
    await settle();
    expect(s.getState().whatIfCharts?.instant).toBe(true);
    expect(s.getState().whatIfCharts?.scenario).toBe(s.getState().scenario);
    expect(worker.requests.length).toBe(before);
  });
  describe('a small context: the numbers computed in the UI from the worker\'s kernel', () => {
    /** Drags discount_pct to 30 then 31 within one frame (answers held); returns how many requests went before. */
    const dragDiscount = async (s: ReturnType<typeof store>): Promise<number> => {
      const sent = worker.requests.length;
      worker.tick = 5;
      worker.hold = true;
      s.getState().setLever('discount_pct', 30);
      s.getState().setLever('discount_pct', 31);
      await nextFrame();
      return sent;
    };

    it('asks for the kernel once, then computes the numbers without the worker (the curves still go to it)', async () => {
      worker.kernel = fakeKernel();
      const s = await loaded();
      expect(worker.kernelAsks).toBe(1);
      const sent = worker.requests.length;
      s.getState().setLever('discount_pct', 20);
      await nextFrame();
      const state = s.getState();
      expect(state.whatIfAnswered).toBe(state.scenario);
      expect(state.whatIfResult?.plans.map((p) => p.mean[0])).toEqual([7020, 6000]);
      // Only curves went to the worker: no request with plans of its own.
      await settle();
      const after = worker.requests.slice(sent);
      expect(after.length).toBeGreaterThan(0);
      expect(after.every((r) => r.plans.length === 0 && r.curves !== undefined)).toBe(true);
      expect(worker.kernelAsks).toBe(1);
    });

    it('with the shared channel, while a slider is dragged over one series: its coarse curves are computed in the UI too, and the frame asks the worker for nothing', async () => {
      worker.kernel = fakeKernel();
      worker.shared = true;
      const s = await loaded();
      await settle();
      const sent = await dragDiscount(s);
      const state = s.getState();
      expect(state.whatIfResult?.plans[0]?.mean[0]).toBe(7031);
      expect(worker.requests.slice(sent)).toEqual([]);
      expect(state.whatIfCharts?.scenario).toBe(state.scenario);
      expect(state.whatIfCharts?.coarse).toBe(true);
      expect(state.whatIfCharts?.placement?.map((c) => c.values.length)).toEqual([3, CURVE_POINTS, DRAG_CURVE_POINTS]);
      // The coarse ad_spend curve answers the scenario (discount 31 on every point: 7031).
      const adSpend = state.whatIfCharts!.placement!.find((c) => c.lever === 'ad_spend')!;
      expect(state.whatIfCharts!.result.plans[adSpend.first]?.mean[0]).toBe(7031);
      releaseAll();
    });

    it('with the shared channel, while a slider is dragged over 14 days (coarse curves past HOST_CURVE_WORK_MAX): they are asked of the worker in the frame, with no plans', async () => {
      worker.kernel = fakeKernel();
      worker.shared = true;
      const s = await loaded();
      s.getState().updateScenario({ horizon: 14, promoDuration: 14 });
      await nextFrame();
      await settle();
      await settle();
      const sent = await dragDiscount(s);
      const state = s.getState();
      expect(state.whatIfResult?.plans[0]?.mean[0]).toBe(7031);
      expect(worker.requests.slice(sent).map((r) => [r.plans.length, planCount(r)])).toEqual([[0, 3 + DRAG_CURVE_POINTS]]);
      expect(worker.requests[sent]!.generation).toBe(worker.generation);
      expect(state.whatIfCharts?.scenario).toBe(state.scenario);
      expect(state.whatIfCharts?.coarse).toBe(true);
      releaseAll();
    });

    /** A 14-day context (its coarse curves go to the worker), whose passes take the worker `ms` and miss the frame. */
    const slowCurves = async (ms: number): Promise<ReturnType<typeof store>> => {
      worker.kernel = fakeKernel();
      worker.shared = true;
      const s = await loaded();
      s.getState().updateScenario({ horizon: 14, promoDuration: 14 });
      await nextFrame();
      await settle();
      await settle();
      worker.late = true;
      worker.inferenceMs = ms;
      return s;
    };

    it('with the shared channel: coarse curves that take the worker longer than a frame are let finish, drawn a pass behind, and frames ask for no more meanwhile', async () => {
      const s = await slowCurves(30);
      const sent = await dragDiscount(s); // 31: its coarse curves miss the frame
      worker.tick = 1; // the clock barely moves from here: the slider never rests (a rest timer firing late asks nothing)
      const generation = worker.generation;
      s.getState().setLever('discount_pct', 32);
      await nextFrame();
      // The pass for 31 is not stopped, and 32 asks for none of its own yet (its numbers are in).
      expect(worker.generation).toBe(generation);
      expect(worker.requests.slice(sent).map((r) => leverOf(r, 'discount_pct'))).toEqual([31]);
      expect(s.getState().whatIfResult?.plans[0]?.mean[0]).toBe(7032);
      await releaseNext(); // it took 30 ms
      let state = s.getState();
      // Drawn for 31 (a pass behind, busy), then 32's coarse curves are asked for.
      expect(state.whatIfCharts?.scenario.levers['discount_pct']).toBe(31);
      expect(state.whatIfCharts?.coarse).toBe(true);
      expect(worker.requests.slice(sent).map((r) => [leverOf(r, 'discount_pct'), planCount(r)])).toEqual([
        [31, 3 + DRAG_CURVE_POINTS],
        [32, 3 + DRAG_CURVE_POINTS],
      ]);
      // Still pipelined: the next input's frame leaves 32's pass to finish.
      s.getState().setLever('discount_pct', 33);
      await nextFrame();
      expect(worker.generation).toBe(generation);
      expect(worker.requests.slice(sent)).toHaveLength(2);
      await releaseNext();
      state = s.getState();
      expect(state.whatIfCharts?.scenario.levers['discount_pct']).toBe(32);
      releaseAll();
    });

    it('with the shared channel: coarse passes the worker answers within PIPELINE_MS are stopped by the next frame again, as is a pass for another start day', async () => {
      const s = await slowCurves(2);
      await dragDiscount(s); // 31 misses its frame: pipelined until a pass says how long it took
      worker.tick = 1; // the slider never rests
      const generation = worker.generation;
      s.getState().setLever('discount_pct', 32);
      await nextFrame();
      expect(worker.generation).toBe(generation);
      await releaseNext(); // 2 ms: the frames ask (and stop) again
      s.getState().setLever('discount_pct', 33);
      await nextFrame();
      expect(worker.generation).toBe(generation + 1);
      // Slow passes again, then another start day: its frame stops the pass out.
      worker.inferenceMs = 30;
      releaseAll();
      await settle();
      worker.hold = true;
      s.getState().setLever('discount_pct', 34);
      await nextFrame();
      const before = worker.generation;
      s.getState().setLever('discount_pct', 35);
      await nextFrame();
      expect(worker.generation).toBe(before); // pipelined: 34's pass is out
      s.getState().updateScenario({ startDay: s.getState().scenario!.startDay + 1 });
      await nextFrame();
      expect(worker.generation).toBe(before + 1);
      releaseAll();
    });

    it('leaves a context past HOST_WORK_MAX (all of 20 series) to the worker, keeps the kernels of recent choices, and asks again for a new model\'s', async () => {
      worker.kernel = fakeKernel();
      const many = context();
      const n = 20;
      worker.context = { ...many, seriesLabels: Array.from({ length: n }, (_, i) => `s${i}`), seriesKeys: Array.from({ length: n }, (_, i) => [`s${i}`]), lastDay: Array(n).fill(100), firstDay: Array(n).fill(0), noPromotion: Array(n).fill(many.noPromotion[0]) };
      const s = await loaded();
      expect(worker.kernelAsks).toBe(1);
      const sent = worker.requests.length;
      s.getState().updateScenario({ context: { kind: 'all' } }); // 20 series × 28 steps: 13.5 M multiply-adds
      await nextFrame();
      await settle();
      s.getState().setLever('discount_pct', 5); // the kernel has come, and is too large
      await nextFrame();
      await settle();
      expect(worker.kernelAsks).toBe(2);
      expect(worker.requests.slice(sent).filter((r) => r.plans.length === 2).map((r) => r.plans[0]?.series.length)).toEqual([n, n]);
      s.getState().updateScenario({ context: { kind: 'series', index: 0 } });
      await nextFrame();
      await settle();
      expect(worker.kernelAsks).toBe(2); // the first choice's kernel is kept
      expect(s.getState().whatIfResult?.plans[0]?.mean[0]).toBe(7005);
      s.getState().forgetWhatIfAnswers();
      s.getState().setLever('discount_pct', 6);
      await nextFrame();
      await settle();
      expect(worker.kernelAsks).toBe(3);
    });

    it('asks for no full curve pass while a slider is dragged at a slower pace (inputs 45 ms apart), one when it rests', async () => {
      worker.kernel = fakeKernel();
      worker.shared = true;
      const s = await loaded();
      await settle();
      vi.mocked(performance.now).mockRestore(); // real time: the pace is what is tested
      const full = (r: WhatIfRequest) => r.plans.length === 0 && (r.curves?.levers.some((c) => c.values.length === CURVE_POINTS) ?? false);
      s.getState().setLever('ad_spend', 5);
      await new Promise((resolve) => setTimeout(resolve, 45));
      const sent = worker.requests.length;
      for (let v = 10; v <= 150; v += 10) {
        s.getState().setLever('ad_spend', v);
        await new Promise((resolve) => setTimeout(resolve, 45));
      }
      // With the rest at a fixed 40 ms, every one of these 15 inputs started a full pass; a loaded machine may stretch a few gaps.
      expect(worker.requests.slice(sent).filter(full).length).toBeLessThanOrEqual(5);
      await new Promise((resolve) => setTimeout(resolve, 120));
      await settle();
      expect(worker.requests.slice(sent).filter(full).length).toBeGreaterThanOrEqual(1);
      expect(s.getState().whatIfCharts?.coarse).toBe(false);
    });
  });
});

describe('keyboardStep', () => {
  // discount_pct: observed 0–50, the slider to 62.5 in steps of 0.5; ad_spend: 0–1,250 in steps of 10.
  it.each([
    ['discount_pct', 10, 1, 10.5],
    ['discount_pct', 0.5, -1, 0],
    ['discount_pct', 0, -1, null],
    ['discount_pct', 62.5, 1, null],
    ['discount_pct', 62, 1, 62.5],
    ['ad_spend', 20, 1, 30],
    ['ad_spend', 0.1 + 0.2, 1, 10.3],
    ['promo_type', 1, 1, null],
  ] as const)('%s from %s by %i is %s', (lever, value, direction, expected) => {
    expect(keyboardStep(context(), lever, value, direction)).toBe(expected);
  });
});

describe('Kept', () => {
  it('keeps the most recently used entries', () => {
    const kept = new Kept<number>(2);
    kept.set('a', 1);
    kept.set('b', 2);
    expect(kept.get('a')).toBe(1); // a is now newer than b
    kept.set('c', 3);
    expect([kept.has('a'), kept.has('b'), kept.has('c')]).toEqual([true, false, true]);
    kept.set('a', 4);
    kept.set('d', 5);
    expect([kept.get('a'), kept.has('c'), kept.get('d')]).toEqual([4, false, 5]);
  });
});
