import type { StateCreator } from 'zustand';
import type { RawValue } from '../../ml/features';
import type { PlanSpec } from '../../ml/whatif';
import { mlClient } from '../../workers/clients/mlClient';
import type { PlanForecast, WhatIfContext, WhatIfResult } from '../../workers/protocol';
import type { AppState } from '../store';

/** Points per numeric response curve in the UI (the bench also measures 41). */
export const CURVE_POINTS = 21;
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
  whatIfCharts: { readonly scenario: Scenario; readonly result: WhatIfResult } | null;
  averageOrderValue: number | null;
  margin: number;
  savedScenarios: readonly SavedScenario[];
  loadWhatIfContext: () => Promise<void>;
  updateScenario: (change: Partial<Scenario>) => void;
  setLever: (lever: string, value: RawValue) => void;
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

/**
 * The plans of one update: [scenario, no promotion, ...every point of every
 * lever's response curve]. The first two are answered first, in a small pass
 * of their own; the curves follow in batched passes of a few levers each (see
 * curveChunks).
 */
export function buildPlans(context: WhatIfContext, scenario: Scenario, points = CURVE_POINTS): { plans: PlanSpec[]; curves: { lever: string; values: RawValue[]; first: number }[] } {
  const plans: PlanSpec[] = scenarioPlans(context, scenario);
  const base = plans[0]!;
  const curves: { lever: string; values: RawValue[]; first: number }[] = [];
  for (const lever of context.spec.levers) {
    const values = curveValues(context, lever, points);
    curves.push({ lever, values, first: plans.length });
    for (const value of values) plans.push({ ...base, levers: { ...scenario.levers, [lever]: value } });
  }
  return { plans, curves };
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

/** What a lever's response curve depends on: the scenario without that lever's own value. */
export function curveKey(scenario: Scenario, lever: string): string {
  return JSON.stringify({ ...scenario, levers: { ...scenario.levers, [lever]: null } });
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
 * then every curve's points from `curves` (lever → plans) in `layout` order;
 * a curve not known yet leaves the list there (the view draws the curves
 * before it).
 */
export function withCurves(numbers: WhatIfResult, layout: readonly { lever: string }[], curves: ReadonlyMap<string, readonly PlanForecast[]>): WhatIfResult {
  const plans = [...numbers.plans.slice(0, 2)];
  for (const { lever } of layout) {
    const known = curves.get(lever);
    if (!known) break;
    plans.push(...known);
  }
  return { ...numbers, plans };
}

export const createWhatIfSlice: StateCreator<AppState, [], [], WhatIfSlice> = (set, get) => {
  // Coalesce input: at most one request in flight; the latest scenario wins.
  let inFlight = false;
  let dirty = false;
  let inputAt = 0;
  // Response curves answered so far, per lever, with the scenario key they answer (see curveKey).
  let curves = new Map<string, { key: string; plans: readonly PlanForecast[] }>();
  let curvesContext: WhatIfContext | null = null;

  const run = async (): Promise<void> => {
    const { whatIfContext: context, scenario } = get();
    if (!context || !scenario) return;
    inFlight = true;
    dirty = false;
    const started = inputAt;
    if (curvesContext !== context) {
      curves = new Map();
      curvesContext = context;
    }
    try {
      // 1. The numbers: the scenario and no promotion, a small pass answered first (sent
      // before the curves' plans are even built).
      const numbers = await mlClient().whatIf({ plans: scenarioPlans(context, scenario) });
      // Another model or data set arrived meanwhile: this answer is not for it.
      if (get().whatIfContext !== context) return;
      // The numbers alone: only the charts draw curves, from whatIfCharts.
      set({ whatIfResult: numbers, whatIfAnswered: scenario, whatIfCurvesMs: null });
      // Measured to the next frame: the DOM has the new numbers by then.
      requestAnimationFrame(() => set({ whatIfLatencyMs: performance.now() - started }));
      // A newer input goes first; these curves would be stale.
      if (dirty) return;
      // 2. The curves, a few levers' points per batched pass: every lever except one whose
      // curve's inputs did not change (dragging a lever leaves its own curve as it was).
      // Between passes a newer input goes first, so while the analyst drags, the numbers
      // wait for at most one pass, and the curves catch up when the drag pauses.
      const { plans, curves: layout } = buildPlans(context, scenario);
      const missing = layout.filter((c) => curves.get(c.lever)?.key !== curveKey(scenario, c.lever));
      let windows = numbers.windows;
      for (const chunk of curveChunks(missing)) {
        const answer = await mlClient().whatIf({ plans: chunk.flatMap((c) => plans.slice(c.first, c.first + c.values.length)) });
        if (get().whatIfContext !== context) return;
        windows += answer.windows;
        let at = 0;
        for (const c of chunk) {
          curves.set(c.lever, { key: curveKey(scenario, c.lever), plans: answer.plans.slice(at, at + c.values.length) });
          at += c.values.length;
        }
        if (dirty) return;
      }
      const answered = new Map([...curves].map(([lever, c]) => [lever, c.plans]));
      set({ whatIfCharts: { scenario, result: { ...withCurves(numbers, layout, answered), windows } } });
      requestAnimationFrame(() => set({ whatIfCurvesMs: performance.now() - started }));
    } catch (thrown) {
      set({ trainError: { kind: 'bug', details: { name: 'Error', message: thrown instanceof Error ? thrown.message : String(thrown) } } });
    } finally {
      inFlight = false;
      if (dirty) schedule();
    }
  };

  // The first input posts at once (before React re-renders the curves); inputs
  // that arrive while a request is in flight collapse into one, sent when it returns.
  const schedule = (): void => {
    dirty = true;
    if (inFlight) return;
    void run();
  };

  const change = (next: Scenario): void => {
    inputAt = performance.now();
    set({ scenario: next });
    schedule();
  };

  return {
    whatIfContext: null,
    scenario: null,
    whatIfResult: null,
    whatIfAnswered: null,
    whatIfLatencyMs: null,
    whatIfCurvesMs: null,
    whatIfCharts: null,
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
      change({ ...scenario, levers: { ...scenario.levers, [lever]: value } });
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
