import type { StateCreator } from 'zustand';
import type { RawValue } from '../../ml/features';
import { kernelForecasts, kernelRunnable, kernelWork, type ScenarioKernel } from '../../ml/scenarioKernel';
import { curvePlans, type CurveLevers, type PlanSpec } from '../../ml/whatif';
import { mlClient } from '../../workers/clients/mlClient';
import type { PlanForecast, WhatIfContext, WhatIfResult } from '../../workers/protocol';
import type { AppState } from '../store';

/** Points per numeric response curve in the UI (the bench also measures 41). */
export const CURVE_POINTS = 21;
/**
 * Points per numeric response curve while a slider is dragged (its inputs
 * less than DRAG_GAP_MS apart): a quarter of the model's work, so that the
 * curves keep up with the slider; the full curves follow when it rests.
 */
export const DRAG_CURVE_POINTS = 5;
export const DRAG_GAP_MS = 60;
/** A dragged slider rests after this long without input (or 1.25 × its pace, if slower): its full curves are asked for then. */
export const REST_MS = 40;
/** Numeric sliders reach this share of the observed range beyond its maximum (marked as extrapolation). */
export const EXTENSION_SHARE = 0.25;

/** Which series the what-if looks at: one, every series sharing a key value, or all. */
export type ContextChoice = { readonly kind: 'series'; readonly index: number } | { readonly kind: 'key'; readonly column: number; readonly value: string } | { readonly kind: 'all' };

export interface Scenario {
  readonly context: ContextChoice;
  readonly startDay: number;
  readonly horizon: number;
  readonly promoStart: number;
  readonly promoDuration: number;
  readonly levers: Readonly<Record<string, RawValue>>;
}

export interface SavedScenario {
  readonly name: string;
  readonly scenario: Scenario;
  readonly result: WhatIfResult;
}

export interface WhatIfSlice {
  whatIfContext: WhatIfContext | null;
  scenario: Scenario | null;
  /** The numbers of the last answer: the scenario and no promotion (the curves are in whatIfCharts). */
  whatIfResult: WhatIfResult | null;
  /** The scenario `whatIfResult` answers (the numbers on screen pair with it, not with sliders still in flight). */
  whatIfAnswered: Scenario | null;
  /** Input → numbers on screen, for the last update (ms). */
  whatIfLatencyMs: number | null;
  /** Input → response curves on screen, for the last update (ms). */
  whatIfCurvesMs: number | null;
  /**
   * What the charts draw: the last result with every curve, and the scenario it
   * answers. The charts change once per answered update, when its curves are
   * in, not on each input (a chart render would hold up the next numbers).
   */
  whatIfCharts: {
    readonly scenario: Scenario;
    readonly result: WhatIfResult;
    /** Every curve was kept (a step back, or prefetched): drawn at once with the numbers, not in a background render. */
    readonly instant?: boolean;
    /** Counts the inputs: the charts of a later input have a larger one. */
    readonly seq?: number;
    /** Where each curve is among the result's plans (some coarse while a slider is dragged); the full layout when absent. */
    readonly placement?: CurvePlacement;
    /** Some curve has DRAG_CURVE_POINTS only: the full ones follow. */
    readonly coarse?: boolean;
  } | null;
  /** Inputs so far (what-if changes): the charts answer input `whatIfCharts.seq`. */
  whatIfInputs: number;
  averageOrderValue: number | null;
  margin: number;
  savedScenarios: readonly SavedScenario[];
  loadWhatIfContext: () => Promise<void>;
  updateScenario: (change: Partial<Scenario>) => void;
  setLever: (lever: string, value: RawValue) => void;
  /** The model is about to change in place (training, an update): answers kept so far are forgotten. */
  forgetWhatIfAnswers: () => void;
  /** The slider of `lever` has the keyboard focus (null: none): its next arrow-key steps are answered ahead. */
  focusLever: (lever: string | null) => void;
  setKpiInputs: (change: { averageOrderValue?: number | null; margin?: number }) => void;
  saveScenario: (name: string) => void;
  removeScenario: (name: string) => void;
}

/** Series indices of a context choice. */
export function contextSeries(context: WhatIfContext, choice: ContextChoice): number[] {
  if (choice.kind === 'series') return [choice.index];
  if (choice.kind === 'all') return context.seriesLabels.map((_, i) => i);
  return context.seriesKeys.flatMap((keys, i) => (keys[choice.column] === choice.value ? [i] : []));
}

/** The series, start and horizon a scenario forecasts (what its kernel is for). */
function choiceKey(context: WhatIfContext, scenario: Scenario): string {
  return `${contextSeries(context, scenario.context).join(',')}|${scenario.startDay}|${scenario.horizon}`;
}

/** Slider range of a numeric lever: the observed range plus a marked extension. */
export function leverSliderRange(context: WhatIfContext, lever: string): { min: number; max: number; observedMax: number; step: number } | null {
  const range = context.leverRanges[lever];
  if (!range || range.kind !== 'numeric' || !Number.isFinite(range.min)) return null;
  const span = range.max - range.min;
  const max = range.max + span * EXTENSION_SHARE;
  const raw = (max - range.min) / 200;
  const magnitude = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  return { min: range.min, max, observedMax: range.max, step };
}

/** Values a lever's response curve visits. */
export function curveValues(context: WhatIfContext, lever: string, points = CURVE_POINTS): RawValue[] {
  const range = context.leverRanges[lever];
  if (!range) return [];
  if (range.kind === 'category') return [...range.values];
  const slider = leverSliderRange(context, lever);
  if (!slider) return [];
  return Array.from({ length: points }, (_, k) => slider.min + ((slider.max - slider.min) * k) / (points - 1));
}

/** The scenario's own two plans: the scenario, and the same context without a promotion. */
export function scenarioPlans(context: WhatIfContext, scenario: Scenario): [PlanSpec, PlanSpec] {
  const base: PlanSpec = {
    series: contextSeries(context, scenario.context),
    startDay: scenario.startDay,
    horizon: scenario.horizon,
    promoStart: scenario.promoStart,
    promoDuration: scenario.promoDuration,
    levers: scenario.levers,
  };
  return [base, { ...base, promoDuration: 0 }];
}

/** The response curves of a scenario: per lever, the values it visits (in the context's lever order). */
export function curveLayout(context: WhatIfContext, points = CURVE_POINTS): CurveLevers {
  return context.spec.levers.map((lever) => ({ lever, values: curveValues(context, lever, points) }));
}

/** Where each response curve's points are among a result's plans. */
export type CurvePlacement = readonly { readonly lever: string; readonly values: readonly RawValue[]; readonly first: number }[];

/** The response curves of a result: per lever, its values and where its points start among the plans (after the scenario's own two). */
export function curvePlacement(context: WhatIfContext, points = CURVE_POINTS): { lever: string; values: readonly RawValue[]; first: number }[] {
  let first = 2;
  return curveLayout(context, points).map((c) => {
    const at = first;
    first += c.values.length;
    return { ...c, first: at };
  });
}

/**
 * The plans of one update: [scenario, no promotion, ...every point of every
 * lever's response curve], and where each curve's points start. The first
 * two are answered first, in a small pass of their own; the curves follow,
 * sent compact (the worker builds their plans with curvePlans).
 */
export function buildPlans(context: WhatIfContext, scenario: Scenario, points = CURVE_POINTS): { plans: PlanSpec[]; curves: { lever: string; values: readonly RawValue[]; first: number }[] } {
  const own = scenarioPlans(context, scenario);
  return { plans: [...own, ...curvePlans(own[0], curveLayout(context, points))], curves: curvePlacement(context, points) };
}

/** The last day with data in any series (day number). */
export function dataEndDay(context: WhatIfContext): number {
  return Math.max(...context.lastDay.filter(Number.isFinite));
}

/** Where a new plan starts: the step after the data ends. */
export function defaultStartDay(context: WhatIfContext): number {
  return dataEndDay(context) + Math.max(1, context.spec.periodDays);
}

/** Plan length in steps: a cross-section has no time, so a plan is one outcome (not a sum over days). */
export function planHorizon(context: WhatIfContext, horizon: number): number {
  return context.spec.crossSection ? 1 : horizon;
}

/** A first scenario: the first series, the day after the data ends, a week (one step for a cross-section), the most common promotion. */
export function defaultScenario(context: WhatIfContext): Scenario {
  const levers: Record<string, RawValue> = {};
  for (const lever of context.spec.levers) {
    const range = context.leverRanges[lever];
    const none = context.noPromotion[0]?.[lever] ?? null;
    if (range?.kind === 'category') levers[lever] = range.values.find((v) => v !== none) ?? none;
    else levers[lever] = none;
  }
  const horizon = planHorizon(context, 7);
  return { context: { kind: 'series', index: 0 }, startDay: defaultStartDay(context), horizon, promoStart: 0, promoDuration: horizon, levers };
}

/** Where a scenario's numbers are kept. */
function numbersKey(scenario: Scenario): string {
  return JSON.stringify(scenario);
}

/** What a lever's response curve depends on: the scenario without that lever's own value. */
export function curveKey(scenario: Scenario, lever: string, points = CURVE_POINTS): string {
  return `${points}|${JSON.stringify({ ...scenario, levers: { ...scenario.levers, [lever]: null } })}`;
}

/** Points a lever's curve has when `points` are asked for: a categorical lever has its values either way. */
function pointsOf(context: WhatIfContext, lever: string, points: number): number {
  return context.leverRanges[lever]?.kind === 'category' ? CURVE_POINTS : points;
}

/** Plans per curve pass at most (a curve longer than this is a pass of its own). */
export const CURVE_CHUNK_PLANS = 32;

/** Consecutive curves grouped into passes of at most {@link CURVE_CHUNK_PLANS} plans. */
export function curveChunks<C extends { readonly values: readonly unknown[] }>(curves: readonly C[]): C[][] {
  const chunks: C[][] = [];
  let size = 0;
  for (const c of curves) {
    const last = chunks.at(-1);
    if (last && size + c.values.length <= CURVE_CHUNK_PLANS) {
      last.push(c);
      size += c.values.length;
    } else {
      chunks.push([c]);
      size = c.values.length;
    }
  }
  return chunks;
}

/**
 * The scenario's result: its own two plans (the scenario and no promotion),
 * then every curve's points from `curves` (lever → plans) in `layout` order,
 * and where each curve starts; a curve not known yet leaves the list there
 * (the view draws the curves before it).
 */
export function withCurves(numbers: WhatIfResult, layout: CurveLevers, curves: ReadonlyMap<string, readonly PlanForecast[]>): { result: WhatIfResult; placement: CurvePlacement } {
  const plans = [...numbers.plans.slice(0, 2)];
  const placement: { lever: string; values: readonly RawValue[]; first: number }[] = [];
  for (const { lever, values } of layout) {
    const known = curves.get(lever);
    if (!known) break;
    placement.push({ lever, values, first: plans.length });
    plans.push(...known);
  }
  return { result: { ...numbers, plans }, placement };
}

/** Charts this many inputs behind the slider let the curve pass in flight finish (see frame). */
export const CURVES_BEHIND_MAX = 6;
/** How long a frame waits for the numbers on the shared channel before it paints without them (ms). */
export const NUMBERS_WAIT_MS = 8;
/** While a slider is dragged, how long the frame waits for the coarse curves that come after the numbers (ms from the request). */
export const DRAG_WAIT_MS = 10;

/**
 * Multiply-adds per plan that the UI runs itself from the context's kernel
 * (see ScenarioKernel, kernelWork), instead of asking the worker for the
 * numbers: the seed's model (64 units, 30 features) over one series and 7
 * days is 28 LSTM steps, 0.7 M (~0.3 ms here); over all 15 series of the
 * sample, 10.1 M (~4 ms). Larger contexts or models go to the worker.
 */
export const HOST_WORK_MAX = 11_000_000;
/**
 * While a slider is dragged, the UI computes the coarse curves from the kernel
 * too when all their plans take at most this many multiply-adds (the seed's
 * model over one series and 7 days: 16–19 plans, 11–13 M, 5–7 ms here): the
 * frame then waits for nothing, and the worker stays free. Larger contexts or
 * models get them from the worker.
 */
export const HOST_CURVE_WORK_MAX = 16_000_000;
/** Kernels kept per context (its latest series, start and horizon choices: going back needs no new one). */
export const KERNELS_KEPT = 4;
/** Worker time of a coarse curve pass (ms) past which a drag's curves are pipelined (0.7 × DRAG_WAIT_MS: the wait also pays for messaging). */
export const PIPELINE_MS = 7;

/** Forecast values kept for answers already seen (about 32 MB as float64): a step back, or a prefetched step, needs no model call. */
export const KEPT_VALUES = 4_000_000;

/** A map that keeps its most recently used entries while their weights sum to at most `limit`. */
export class Kept<V> {
  private readonly entries = new Map<string, { value: V; weight: number }>();
  private total = 0;
  constructor(
    private readonly limit: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }
  has(key: string): boolean {
    return this.entries.has(key);
  }
  set(key: string, value: V): void {
    this.delete(key);
    const weight = this.weigh(value);
    this.entries.set(key, { value, weight });
    this.total += weight;
    while (this.total > this.limit && this.entries.size > 0) this.delete(this.entries.keys().next().value!);
  }
  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.total -= entry.weight;
  }
}

/** Values a list of forecasts holds (mean, lower, upper). */
const forecastValues = (plans: readonly PlanForecast[]): number => plans.reduce((n, p) => n + 3 * p.mean.length, 0);

/**
 * The value a numeric lever's slider takes one arrow-key step from `value`
 * (`direction` ±1), as the browser reports it; null past either end.
 */
export function keyboardStep(context: WhatIfContext, lever: string, value: number, direction: 1 | -1): number | null {
  const slider = leverSliderRange(context, lever);
  if (!slider) return null;
  // The browser steps in decimal: 0.1 + 0.2 is "0.3", and so is this.
  const next = Number((value + direction * slider.step).toPrecision(12));
  return next < slider.min - 1e-9 || next > slider.max + 1e-9 ? null : next;
}

export const createWhatIfSlice: StateCreator<AppState, [], [], WhatIfSlice> = (set, get) => {
  // Input is coalesced into animation frames; in a frame the latest scenario's
  // numbers are asked for (one request in flight at most) and, with the shared
  // channel, drawn before the browser paints. Then its curves (one pass in flight).
  let frameRequested = false;
  let inputAt = -Infinity;
  /** Time between the latest input and the one before: a dragged slider sends them a frame or two apart. */
  let inputGap = Infinity;
  /** Counts inputs: an answer for an older one is stale. */
  let inputs = 0;
  /**
   * The channel's generation (with a channel only): bumped when a frame asks for new numbers, which
   * stops the curve pass or prefetch in flight (not at the input itself: until
   * the frame, a pass for the previous input may still finish and be drawn, so
   * the curves keep moving, a frame behind, while the slider is dragged).
   */
  let generation = 0;
  let numbersPending = false;
  /** A frame came while the numbers were pending: ask for the latest once they are in. */
  let numbersAgain = false;
  /** A curve pass (or a prefetch) is in flight. */
  let curvesPending = false;
  /** Newer numbers came while a curve pass was pending: their curves follow it. */
  let curvesAgain = false;
  /** The input time of the scenario the numbers on screen answer. */
  let answeredInputAt = 0;
  /** The scenario whose coarse curves missed its frame and are on their way by message. */
  let lateCurvesFor: Scenario | null = null;
  /** The scenario of the curve pass in flight (curvesPending) when it is of coarse curves. */
  let coarsePassFor: Scenario | null = null;
  /** Worker time of the last coarse curve pass (ms): longer than PIPELINE_MS, a drag's curves are pipelined (see pipelined). */
  let lastCoarseMs = 0;
  /** A full curve pass waits until the dragged slider rests (see requestCurves). */
  let restTimer: ReturnType<typeof setTimeout> | null = null;
  /**
   * Kernels of the context's latest series, start and horizon choices (up to
   * KERNELS_KEPT, most recent last), each fetched once from the worker; `value`
   * is null until it comes (or where the model has none, or it is too large for
   * the frame). `none`: its no-promotion forecast, which no slider changes.
   */
  type KernelEntry = { value: ScenarioKernel | null; none: PlanForecast | null };
  let kernels = new Map<string, KernelEntry>();
  let kernelsContext: WhatIfContext | null = null;
  /** The lever whose slider has the keyboard focus, and which way it last moved: its next step is prefetched. */
  let focusedLever: string | null = null;
  let lastDirection: 1 | -1 = 1;
  // Answers kept for this context: numbers per scenario, and each curve's points per curveKey.
  const newKeptNumbers = () => new Kept<WhatIfResult>(KEPT_VALUES / 4, (r) => forecastValues(r.plans));
  const newKeptCurves = () => new Kept<readonly PlanForecast[]>(KEPT_VALUES, forecastValues);
  let keptNumbers = newKeptNumbers();
  let keptCurves = newKeptCurves();
  let keptContext: WhatIfContext | null = null;
  const keepFor = (context: WhatIfContext) => {
    if (keptContext === context) return;
    keptNumbers = newKeptNumbers();
    keptCurves = newKeptCurves();
    keptContext = context;
  };

  const failed = (thrown: unknown) => set({ trainError: { kind: 'bug', details: { name: 'Error', message: thrown instanceof Error ? thrown.message : String(thrown) } } });

  /** Ends a curve pass or prefetch: the curves asked for meanwhile go next. */
  const curvesDone = (): void => {
    curvesPending = false;
    if (curvesAgain) {
      curvesAgain = false;
      void requestCurves();
    }
  };

  /** Where the kept curve of `lever` at `points` is kept. */
  const keyOf = (context: WhatIfContext, scenario: Scenario, lever: string, points: number) => curveKey(scenario, lever, pointsOf(context, lever, points));

  /** The levers whose curves (at `points`; the full ones do too) are not kept yet. */
  const missingCurves = (context: WhatIfContext, scenario: Scenario, points: number): CurveLevers =>
    curveLayout(context, points).filter((c) => !keptCurves.has(keyOf(context, scenario, c.lever, CURVE_POINTS)) && !keptCurves.has(keyOf(context, scenario, c.lever, points)));

  /**
   * Draws the curves of `scenario` (answered at input count `asked`) from the
   * kept ones, full where kept, else (`coarse`) the coarse ones, unless the
   * charts already show a newer input's, or this input's full ones.
   */
  const drawCurves = (context: WhatIfContext, scenario: Scenario, numbers: WhatIfResult, asked: number, windows: number, instant: boolean, started: number, coarse: boolean): void => {
    const shown = get().whatIfCharts;
    if ((shown?.seq ?? -1) > asked || (shown?.seq === asked && coarse && !shown.coarse)) return;
    const layout: { lever: string; values: readonly RawValue[] }[] = [];
    const answered = new Map<string, readonly PlanForecast[]>();
    let someCoarse = false;
    for (const lever of context.spec.levers) {
      const full = keptCurves.get(keyOf(context, scenario, lever, CURVE_POINTS));
      const points = full || !coarse ? CURVE_POINTS : DRAG_CURVE_POINTS;
      const plans = full ?? (coarse ? keptCurves.get(keyOf(context, scenario, lever, DRAG_CURVE_POINTS)) : undefined);
      layout.push({ lever, values: curveValues(context, lever, points) });
      if (!plans) continue;
      answered.set(lever, plans);
      someCoarse ||= pointsOf(context, lever, points) !== CURVE_POINTS;
    }
    const { result, placement } = withCurves(numbers, layout, answered);
    set({ whatIfCharts: { scenario, result: { ...result, windows }, instant, seq: asked, placement, coarse: someCoarse } });
    if (instant) set({ whatIfCurvesMs: performance.now() - started });
    else requestAnimationFrame(() => set({ whatIfCurvesMs: performance.now() - started }));
  };

  /**
   * The curves of the scenario on screen, when its numbers are in: every
   * lever whose curve's inputs changed. While a slider is dragged, coarse
   * curves first (DRAG_CURVE_POINTS per numeric lever), then the full ones.
   */
  const requestCurves = async (): Promise<void> => {
    const { whatIfContext: context, whatIfAnswered: scenario, whatIfResult: numbers } = get();
    if (!context || !scenario || !numbers || scenario !== get().scenario) return;
    keepFor(context);
    const asked = inputs;
    const started = answeredInputAt;
    const full = missingCurves(context, scenario, CURVE_POINTS);
    if (full.length === 0) {
      // Every curve kept: drawn now, with the numbers, in the frame of the input.
      drawCurves(context, scenario, numbers, asked, numbers.windows, true, started, false);
      void prefetch();
      return;
    }
    const client = mlClient();
    // Dragged (and not drawn coarse for this input yet): the coarse curves, kept ones at once.
    const dragged = client.channel !== null && inputGap < DRAG_GAP_MS && get().whatIfCharts?.seq !== asked;
    const coarse = dragged ? missingCurves(context, scenario, DRAG_CURVE_POINTS) : [];
    if (dragged && coarse.length === 0) drawCurves(context, scenario, numbers, asked, numbers.windows, true, started, true);
    // Coarse curves that missed their frame are on their way: they are drawn when they land, and
    // then this is asked again (for the latest input).
    if (coarse.length > 0 && lateCurvesFor !== null) return;
    const sinceInput = performance.now() - inputAt;
    // At rest: no input for REST_MS, or for longer than the drag's own pace (inputs up to DRAG_GAP_MS apart).
    const restAfter = Math.max(REST_MS, 1.25 * inputGap);
    if (coarse.length === 0 && client.channel !== null && inputGap < DRAG_GAP_MS && sinceInput < restAfter) {
      // While the slider moves, the worker stays free for the next frame's request; the full
      // curves follow when it rests (a pass started now would be stopped by the next frame).
      if (restTimer === null) {
        restTimer = setTimeout(
          () => {
            restTimer = null;
            void requestCurves();
          },
          Math.max(1, restAfter - sinceInput),
        );
      }
      return;
    }
    if (curvesPending) {
      // The pass in flight is for an older scenario (with the channel it stops at the next frame).
      curvesAgain = true;
      return;
    }
    const points = coarse.length > 0 ? DRAG_CURVE_POINTS : CURVE_POINTS;
    const missing = coarse.length > 0 ? coarse : full;
    const pass = generation;
    // With the channel a stale pass stops itself, so one pass asks for every curve; without it,
    // passes of a few levers each, so that a newer input waits for one pass at most.
    const passes = client.channel ? [missing] : curveChunks(missing);
    const base = scenarioPlans(context, scenario)[0];
    curvesPending = true;
    coarsePassFor = points !== CURVE_POINTS ? scenario : null;
    let drawn = false;
    try {
      let windows = numbers.windows;
      for (const [k, levers] of passes.entries()) {
        const answer = await client.whatIf({ plans: [], curves: { base, levers }, ...(client.channel ? { generation: pass } : {}) });
        if (!answer || get().whatIfContext !== context) return;
        if (points !== CURVE_POINTS) lastCoarseMs = answer.inferenceMs;
        windows += answer.windows;
        keepCurves(context, scenario, levers, answer, 0, points);
        // A newer input goes before the remaining passes; its own curves follow. A complete
        // answer is drawn even so (marked busy: it is for the scenario before).
        if (asked !== inputs && k < passes.length - 1) return;
      }
      drawCurves(context, scenario, numbers, asked, windows, false, started, points !== CURVE_POINTS);
      drawn = asked === inputs;
    } catch (thrown) {
      failed(thrown);
    } finally {
      coarsePassFor = null;
      // After coarse curves, the full ones (unless a newer input came: its own curves follow).
      if (drawn && points !== CURVE_POINTS) curvesAgain = true;
      curvesDone();
    }
    if (drawn && points === CURVE_POINTS) void prefetch();
  };

  /** Keeps the curves `pass` (at `points`) of `scenario` from `answer`, whose plans from `first` on are theirs, lever by lever. */
  const keepCurves = (context: WhatIfContext, scenario: Scenario, pass: CurveLevers, answer: WhatIfResult, first: number, points = CURVE_POINTS): void => {
    let at = first;
    for (const c of pass) {
      keptCurves.set(keyOf(context, scenario, c.lever, points), answer.plans.slice(at, at + c.values.length));
      // The full curve replaces the coarse one.
      if (points === CURVE_POINTS && pointsOf(context, c.lever, DRAG_CURVE_POINTS) !== CURVE_POINTS) keptCurves.delete(keyOf(context, scenario, c.lever, DRAG_CURVE_POINTS));
      at += c.values.length;
    }
  };

  /**
   * Keeps an answer to the plans `own` of `scenario` and, after them, to the
   * curves `levers` at `points` (when they came: a newer frame may have
   * stopped them). Returns its numbers, which count their own windows (every
   * plan of a request has the same series and horizon: as many windows each).
   */
  const keepAnswer = (context: WhatIfContext, scenario: Scenario, own: readonly PlanSpec[], answer: WhatIfResult, levers: CurveLevers, points: number): WhatIfResult => {
    const joined = answer.plans.length > own.length;
    const numbers = joined ? { ...answer, plans: answer.plans.slice(0, own.length), windows: (answer.windows * own.length) / answer.plans.length } : answer;
    keptNumbers.set(numbersKey(scenario), numbers);
    if (joined) keepCurves(context, scenario, levers, answer, own.length, points);
    return numbers;
  };

  /**
   * With a lever's slider in focus and the screen up to date: the numbers and
   * curves one arrow-key step away (the last move's way first), kept, so that
   * the step draws them in its own frame. Stops at the next input.
   */
  const prefetch = async (): Promise<void> => {
    const client = mlClient();
    const { whatIfContext: context, scenario, whatIfCharts: charts } = get();
    const lever = focusedLever;
    if (!client.channel || !context || !scenario || !lever || curvesPending || charts?.scenario !== scenario) return;
    const value = scenario.levers[lever];
    if (typeof value !== 'number') return;
    keepFor(context);
    const asked = inputs;
    const pass = generation;
    curvesPending = true;
    try {
      for (const direction of [lastDirection, -lastDirection as 1 | -1]) {
        const next = keyboardStep(context, lever, value, direction);
        if (next === null) continue;
        const neighbour: Scenario = { ...scenario, levers: { ...scenario.levers, [lever]: next } };
        const missing = missingCurves(context, neighbour, CURVE_POINTS);
        if (keptNumbers.has(numbersKey(neighbour)) && missing.length === 0) continue;
        const own = scenarioPlans(context, neighbour);
        const answer = await client.whatIf({ plans: own, curves: { base: own[0], levers: missing }, generation: pass });
        if (!answer || get().whatIfContext !== context) return;
        keepAnswer(context, neighbour, own, answer, missing, CURVE_POINTS);
        if (asked !== inputs) return;
      }
    } catch (thrown) {
      failed(thrown);
    } finally {
      curvesDone();
    }
  };

  /** Shows the numbers of `scenario` (input at `started`); `now`: drawn in the input's frame. */
  const showNumbers = (scenario: Scenario, numbers: WhatIfResult, started: number, now: boolean): void => {
    answeredInputAt = started;
    if (now) set({ whatIfResult: numbers, whatIfAnswered: scenario, whatIfCurvesMs: null, whatIfLatencyMs: performance.now() - started });
    else {
      set({ whatIfResult: numbers, whatIfAnswered: scenario, whatIfCurvesMs: null });
      // Measured to the next frame: the DOM has the new numbers by then.
      requestAnimationFrame(() => set({ whatIfLatencyMs: performance.now() - started }));
    }
  };

  /**
   * The context's kernel when the UI may run `scenario`'s numbers itself (a
   * small context and model: see HOST_WORK_MAX), else null. The first call for a context
   * asks the worker for it; until it comes the worker answers the numbers.
   */
  const kernelFor = (context: WhatIfContext, scenario: Scenario): KernelEntry | null => {
    if (context.spec.crossSection) return null;
    const series = contextSeries(context, scenario.context);
    if (series.length === 0) return null;
    if (kernelsContext !== context) {
      kernels = new Map();
      kernelsContext = context;
    }
    const key = choiceKey(context, scenario);
    const known = kernels.get(key);
    if (known) {
      kernels.delete(key);
      kernels.set(key, known);
      return known;
    }
    const entry: KernelEntry = { value: null, none: null };
    kernels.set(key, entry);
    if (kernels.size > KERNELS_KEPT) kernels.delete(kernels.keys().next().value!);
    mlClient()
      .scenarioKernel({ series, startDay: scenario.startDay, horizon: scenario.horizon })
      .then(
        // A model or context too large for the frame (HOST_WORK_MAX) keeps to the worker.
        (value) => (entry.value = value && kernelRunnable(value) && kernelWork(value) <= HOST_WORK_MAX ? value : null),
        // The worker answers the numbers then (and reports its own failures there).
        (thrown: unknown) => console.error('The what-if kernel could not be built; the worker answers instead', thrown),
      );
    return entry;
  };

  /** `scenario`'s numbers from the kernel, computed here (the no-promotion plan once per kernel). */
  const hostNumbers = (context: WhatIfContext, scenario: Scenario, entry: KernelEntry, value: ScenarioKernel): WhatIfResult => {
    const started = performance.now();
    const [own, none] = scenarioPlans(context, scenario);
    const forecast = (plan: PlanSpec) => kernelForecasts(value, context.spec, context.conformalQuantile90, context.noPromotion, context.seriesKeys, [plan])[0]!;
    const computedNone = entry.none === null;
    entry.none ??= forecast(none);
    const plans = [forecast(own), entry.none];
    const windows = own.series.length * own.horizon * (computedNone ? 2 : 1);
    return { plans, actual: value.actual, days: value.days[0] ?? [], inferenceMs: performance.now() - started, windows };
  };

  /**
   * Keeps the coarse curves `levers` of `scenario` (input `asked`, at `started`)
   * when they come by message (they missed the frame) and draws them, marked
   * busy if a newer input came meanwhile; then the curves of the latest input.
   */
  const awaitLateCurves = (context: WhatIfContext, scenario: Scenario, levers: CurveLevers, reply: Promise<WhatIfResult | null>, asked: number, started: number): void => {
    lateCurvesFor = scenario;
    reply
      .then((late) => {
        if (!late || get().whatIfContext !== context) return;
        lastCoarseMs = late.inferenceMs;
        keepCurves(context, scenario, levers, late, 0, DRAG_CURVE_POINTS);
        const numbers = keptNumbers.get(numbersKey(scenario));
        if (numbers) drawCurves(context, scenario, numbers, asked, numbers.windows + late.windows, false, started, true);
      })
      // A failure shows when the curves are asked for on their own.
      .catch(() => undefined)
      .finally(() => {
        if (lateCurvesFor === scenario) lateCurvesFor = null;
        if (curvesPending) curvesAgain = true;
        else void requestCurves();
      });
  };

  /**
   * While a slider is dragged over a context whose coarse curves take the
   * worker longer than a frame can wait (several series), the pass in flight
   * finishes, and the frames do not ask for more meanwhile: the curves follow
   * the slider a pass behind. (Stopping the pass at each frame starved them.)
   * Below PIPELINE_MS of worker time (an in-frame wait also costs messaging) the
   * frames ask again, and stop the pass out.
   */
  const pipelined = (context: WhatIfContext, scenario: Scenario): boolean => {
    const out = lateCurvesFor ?? coarsePassFor;
    // Only within a drag, and for the same series, start and horizon (another choice stops the pass).
    return out !== null && inputGap < DRAG_GAP_MS && lastCoarseMs > PIPELINE_MS && choiceKey(context, out) === choiceKey(context, scenario);
  };

  /**
   * The numbers of `scenario` computed here from the context's kernel, drawn in
   * this frame. While a slider is dragged, its coarse curves too: computed here
   * when they are few (HOST_CURVE_WORK_MAX), else asked of the worker first and
   * computed there meanwhile (the frame waits for them up to DRAG_WAIT_MS).
   * False when the kernel failed (the worker answers then).
   */
  const showHostNumbers = (context: WhatIfContext, scenario: Scenario, entry: KernelEntry, value: ScenarioKernel, started: number): boolean => {
    const client = mlClient();
    const base = scenarioPlans(context, scenario)[0];
    const coarse = client.channel && inputGap < DRAG_GAP_MS ? missingCurves(context, scenario, DRAG_CURVE_POINTS) : [];
    const coarsePlanCount = coarse.reduce((n, c) => n + c.values.length, 0);
    const curvesHere = coarsePlanCount * kernelWork(value) <= HOST_CURVE_WORK_MAX;
    let numbers: WhatIfResult | null = null;
    let error: unknown = null;
    const compute = () => {
      try {
        numbers = hostNumbers(context, scenario, entry, value);
      } catch (thrown) {
        error = thrown;
      }
    };
    if (coarse.length > 0 && curvesHere) {
      compute();
      if (numbers !== null) {
        try {
          const at = performance.now();
          const plans = kernelForecasts(value, context.spec, context.conformalQuantile90, context.noPromotion, context.seriesKeys, curvePlans(base, coarse));
          const windows = coarsePlanCount * base.series.length * base.horizon;
          keepCurves(context, scenario, coarse, { plans, actual: value.actual, days: value.days[0] ?? [], inferenceMs: performance.now() - at, windows }, 0, DRAG_CURVE_POINTS);
        } catch (thrown) {
          numbers = null;
          error = thrown;
        }
      }
    } else if (coarse.length > 0 && !pipelined(context, scenario)) {
      const within = client.whatIfWithin({ plans: [], curves: { base, levers: coarse }, generation }, DRAG_WAIT_MS, DRAG_WAIT_MS, compute);
      if (within.answer) {
        lastCoarseMs = within.answer.inferenceMs;
        keepCurves(context, scenario, coarse, within.answer, 0, DRAG_CURVE_POINTS);
      } else {
        // Missed the frame: taken as a pass longer than the wait until one that comes says how long it took.
        lastCoarseMs = Math.max(lastCoarseMs, DRAG_WAIT_MS + 1);
        awaitLateCurves(context, scenario, coarse, within.reply, inputs, started);
      }
    } else compute();
    if (numbers === null) {
      // Not expected (the kernel fits the context by construction): the worker takes over.
      entry.value = null;
      console.error('The what-if kernel failed; the worker answers instead', error);
      return false;
    }
    keptNumbers.set(numbersKey(scenario), numbers);
    showNumbers(scenario, numbers, started, true);
    void requestCurves();
    return true;
  };

  /** The numbers (the scenario and no promotion) of the latest scenario. */
  const requestNumbers = async (): Promise<void> => {
    const { whatIfContext: context, scenario } = get();
    if (!context || !scenario) return;
    keepFor(context);
    const asked = inputs;
    const started = inputAt;
    const kept = keptNumbers.get(numbersKey(scenario));
    if (kept) {
      showNumbers(scenario, kept, started, true);
      void requestCurves();
      return;
    }
    // A small context's numbers are computed here, from the kernel (the worker's once it has come).
    const entry = kernelFor(context, scenario);
    if (entry?.value && showHostNumbers(context, scenario, entry, entry.value, started)) return;
    const client = mlClient();
    numbersPending = true;
    let shown = false;
    try {
      const own = scenarioPlans(context, scenario);
      // While a slider is dragged the coarse curves come with the numbers, in the same pass and frame.
      const coarse = client.channel && inputGap < DRAG_GAP_MS ? missingCurves(context, scenario, DRAG_CURVE_POINTS) : [];
      // (The curves part stops when a newer frame needs the worker; the numbers never do.)
      const request = { plans: own, ...(coarse.length > 0 ? { curves: { base: own[0], levers: coarse }, generation } : {}) };
      const keep = (answer: WhatIfResult): WhatIfResult => keepAnswer(context, scenario, own, answer, coarse, DRAG_CURVE_POINTS);
      let answer: WhatIfResult | null = null;
      if (client.channel) {
        // In the frame: the answer drawn now is painted with the moved slider. One that does not
        // come in time (the worker busy with other work) comes by message, and frames meanwhile
        // do not wait (see numbersAgain). The coarse curves have until DRAG_WAIT_MS; later ones
        // are kept from the message.
        const within = client.whatIfWithin(request, NUMBERS_WAIT_MS, DRAG_WAIT_MS);
        if (within.answer) {
          if (get().whatIfContext !== context) {
            within.reply.catch(() => undefined);
            return;
          }
          showNumbers(scenario, keep(within.answer), started, true);
          if (!within.complete) {
            // The coarse curves come by message, soon: kept before the curves are asked for.
            const late = await within.reply;
            if (late && get().whatIfContext === context) keep(late);
          }
        } else answer = await within.reply;
      } else answer = await client.whatIf(request);
      if (answer) {
        // Another model or data set arrived meanwhile: this answer is not for it.
        if (get().whatIfContext !== context) return;
        showNumbers(scenario, keep(answer), started, false);
      }
      shown = true;
    } catch (thrown) {
      failed(thrown);
    } finally {
      numbersPending = false;
      // A frame came meanwhile (or another model): its numbers now, whatever became of these.
      if (numbersAgain) {
        numbersAgain = false;
        void requestNumbers();
      } else if (shown && asked === inputs) void requestCurves();
    }
  };

  const frame = (): void => {
    frameRequested = false;
    // The numbers need the worker now: a pass in flight (for an older input) stops at its next step,
    // unless the charts have fallen CURVES_BEHIND_MAX inputs behind: then it finishes first (the
    // numbers wait for it, mostly still within the frame), so a long drag cannot starve the curves.
    const seq = get().whatIfCharts?.seq;
    const behind = seq === undefined ? 0 : inputs - seq;
    const channel = mlClient().channel;
    // With the numbers computed here (they need no worker), a pipelined coarse pass finishes too.
    const { whatIfContext: context, scenario } = get();
    const host = context !== null && scenario !== null && kernelFor(context, scenario)?.value != null;
    if (channel && !(curvesPending && behind >= CURVES_BEHIND_MAX) && !(host && pipelined(context, scenario))) generation = channel.bump();
    if (numbersPending) numbersAgain = true;
    else void requestNumbers();
  };

  const change = (next: Scenario): void => {
    const now = performance.now();
    inputGap = now - inputAt;
    inputAt = now;
    inputs++;
    set({ scenario: next, whatIfInputs: inputs });
    if (frameRequested) return;
    frameRequested = true;
    requestAnimationFrame(frame);
  };

  return {
    whatIfContext: null,
    scenario: null,
    whatIfResult: null,
    whatIfAnswered: null,
    whatIfLatencyMs: null,
    whatIfCurvesMs: null,
    whatIfCharts: null,
    whatIfInputs: 0,
    averageOrderValue: null,
    margin: 0.3,
    savedScenarios: [],

    loadWhatIfContext: async () => {
      const context = await mlClient().context();
      if (!context) {
        set({ whatIfContext: null, scenario: null, whatIfResult: null, whatIfAnswered: null, whatIfCharts: null });
        return;
      }
      const previous = get().scenario;
      const keep = previous && context.spec.levers.every((l) => l in previous.levers) && contextSeries(context, previous.context).length > 0;
      // The answers on screen are the old model's: nothing is answered for the new one yet.
      set({ whatIfContext: context, whatIfAnswered: null, whatIfCharts: null });
      change(keep ? previous : defaultScenario(context));
    },

    updateScenario: (partial) => {
      const scenario = get().scenario;
      if (!scenario) return;
      const next = { ...scenario, ...partial };
      const horizon = Math.min(28, Math.max(1, Math.round(next.horizon)));
      const promoStart = Math.min(horizon - 1, Math.max(0, Math.round(next.promoStart)));
      const promoDuration = Math.min(horizon - promoStart, Math.max(1, Math.round(next.promoDuration)));
      change({ ...next, horizon, promoStart, promoDuration });
    },

    setLever: (lever, value) => {
      const scenario = get().scenario;
      if (!scenario) return;
      const before = scenario.levers[lever];
      if (typeof before === 'number' && typeof value === 'number' && value !== before) lastDirection = value > before ? 1 : -1;
      change({ ...scenario, levers: { ...scenario.levers, [lever]: value } });
    },

    forgetWhatIfAnswers: () => {
      keptContext = null;
      kernels = new Map();
    },

    focusLever: (lever) => {
      focusedLever = lever;
      if (lever) void prefetch();
    },

    setKpiInputs: (inputs) => set(inputs),

    saveScenario: (name) => {
      // The answered scenario with its answer (a slider still in flight has no numbers yet).
      const { whatIfAnswered: scenario, whatIfResult, savedScenarios } = get();
      if (!scenario || !whatIfResult || name.trim() === '') return;
      const trimmed = name.trim();
      set({ savedScenarios: [...savedScenarios.filter((s) => s.name !== trimmed), { name: trimmed, scenario, result: whatIfResult }] });
    },

    removeScenario: (name) => set({ savedScenarios: get().savedScenarios.filter((s) => s.name !== name) }),
  };
};
