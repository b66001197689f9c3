import type { StateCreator } from 'zustand';
import { planHorizon } from './whatIfSlice';
import type { Objective } from '../../ml/planOptimizer';
import type { PlanRow } from '../../ml/planOptimizer';
import { mlClient } from '../../workers/clients/mlClient';
import type { OptimizeResult } from '../../workers/protocol';
import type { AppState } from '../store';

export interface OptimizeSettings {
  readonly objective: Objective;
  readonly totalAdBudget: number;
  readonly maxDiscountPct: number;
  /** Promotion types the plan may use; null: all the data has. */
  readonly allowedPromoTypes: readonly string[] | null;
  readonly startWindow: readonly [number, number];
  readonly horizon: number;
  /** Minimum profit / revenue, or null for none. */
  readonly minMarginShare: number | null;
  /** Series column to plan by (index), -1 for one plan per series, null: the segment column if there is one. */
  readonly groupColumn: number | null;
  readonly serviceLevel: number;
}

export const DEFAULT_OPTIMIZE_SETTINGS: OptimizeSettings = {
  objective: 'profit',
  totalAdBudget: 50_000,
  maxDiscountPct: 30,
  allowedPromoTypes: null,
  startWindow: [0, 0],
  horizon: 7,
  minMarginShare: null,
  groupColumn: null,
  serviceLevel: 0.95,
};

const SEGMENT_WORDS = /segment|audience|cohort|persona|人群|客群|分群|用户群/i;

/** The series column to plan by: the analyst's choice, else one named like segment, else one plan per series. */
export function planGroupColumn(seriesColumns: readonly string[], choice: number | null): number {
  if (choice !== null) return choice < seriesColumns.length ? choice : -1;
  return seriesColumns.findIndex((c) => SEGMENT_WORDS.test(c));
}

export interface OptimizeSlice {
  optimizeSettings: OptimizeSettings;
  optimizeStatus: 'idle' | 'running' | 'done' | 'failed';
  optimizeProgress: { readonly evaluated: number; readonly phase: string; readonly plansPerSecond: number } | null;
  optimizeResult: OptimizeResult | null;
  optimizeError: string | null;
  setOptimizeSetting: <K extends keyof OptimizeSettings>(key: K, value: OptimizeSettings[K]) => void;
  optimize: () => Promise<void>;
  cancelOptimize: () => void;
  applyPlanRow: (row: PlanRow) => void;
}

export const createOptimizeSlice: StateCreator<AppState, [], [], OptimizeSlice> = (set, get) => ({
  optimizeSettings: DEFAULT_OPTIMIZE_SETTINGS,
  optimizeStatus: 'idle',
  optimizeProgress: null,
  optimizeResult: null,
  optimizeError: null,

  setOptimizeSetting: (key, value) => set({ optimizeSettings: { ...get().optimizeSettings, [key]: value } }),

  optimize: async () => {
    const { whatIfContext: context, scenario, optimizeSettings: o, averageOrderValue, margin } = get();
    if (!context) return;
    const promoLever = context.spec.levers.find((l) => context.leverRanges[l]?.kind === 'category');
    const promoRange = promoLever ? context.leverRanges[promoLever] : undefined;
    const allTypes = promoRange?.kind === 'category' ? promoRange.values : [];
    const allowed = o.allowedPromoTypes?.filter((t) => allTypes.includes(t)) ?? allTypes;
    const group = planGroupColumn(context.spec.seriesColumns, o.groupColumn);
    set({ optimizeStatus: 'running', optimizeError: null, optimizeProgress: null });
    const horizon = planHorizon(context, o.horizon);
    try {
      const result = await mlClient().optimize(
        {
          groupColumn: group < 0 ? null : group,
          startDay: scenario?.startDay ?? Math.max(...context.lastDay) + Math.max(1, context.spec.periodDays),
          objective: o.objective,
          constraints: {
            totalAdBudget: o.totalAdBudget,
            maxDiscountPct: o.maxDiscountPct,
            allowedPromoTypes: allTypes.length === 0 ? [null] : allowed,
            startWindow: [Math.min(o.startWindow[0], horizon - 1), Math.min(o.startWindow[1], horizon - 1)],
            horizon,
            minMarginShare: o.minMarginShare,
          },
          averageOrderValue,
          margin,
          serviceLevel: o.serviceLevel,
        },
        (e) => {
          if (e.kind === 'optimize') set({ optimizeProgress: { evaluated: e.evaluated, phase: e.phase, plansPerSecond: e.plansPerSecond } });
        },
      );
      if (result.ok) set({ optimizeStatus: 'done', optimizeResult: result.data });
      else set({ optimizeStatus: result.reason === 'cancelled' ? 'idle' : 'failed', optimizeError: result.reason === 'cancelled' ? null : result.reason });
    } catch (thrown) {
      set({ optimizeStatus: 'failed', optimizeError: thrown instanceof Error ? thrown.message : String(thrown) });
    }
  },

  cancelOptimize: () => mlClient().stop(),

  applyPlanRow: (row) => {
    const { whatIfContext: context, scenario, optimizeSettings: o } = get();
    if (!context || !scenario) return;
    const group = planGroupColumn(context.spec.seriesColumns, o.groupColumn);
    const choice = row.series.length === 1 ? ({ kind: 'series', index: row.series[0]! } as const) : group >= 0 ? ({ kind: 'key', column: group, value: row.label } as const) : ({ kind: 'all' } as const);
    get().updateScenario({
      context: choice,
      horizon: planHorizon(context, o.horizon),
      promoStart: row.candidate.promoStart,
      promoDuration: Math.max(1, row.candidate.promoDuration),
      levers: { ...scenario.levers, ...row.levers },
    });
  },
});
