/**
 * The plan optimizer: the best promotion per group (segment, category, …)
 * under an ad budget, a discount cap, allowed promotion types, a start
 * window and a minimum margin. It knows nothing about the model: the caller
 * passes `evaluate`, which scores a batch of candidate plans (one forward
 * pass on the UI path), and the search asks for a few large batches rather
 * than many small ones.
 *
 * The search, in batched phases (each one `evaluate` call; `phase` in the
 * progress reports):
 * 1. 'discount' — per group, every allowed promotion type × the discount
 *    grid 0, step, 2·step, …, maxDiscount (types other than the none-like one
 *    at 0 % too: a promotion without a discount, e.g. free shipping), at zero
 *    ad spend over the whole horizon, plus the group's no-promotion plan. The
 *    best (type, discount) that meets the minimum margin is kept; a group
 *    where nothing meets it gets no promotion at all (no ads either).
 * 2. 'spend' — per group, `spendLevels` ad spends per day from 0 to
 *    totalAdBudget / horizon at that (type, discount). The budget is then
 *    shared by marginal return (objective gained per currency unit), taken
 *    along each group's upper concave envelope of its piecewise-linear
 *    response, the limit of giving it out in ever smaller increments. The
 *    envelope, rather than the raw curve, keeps an S-shaped response (ads
 *    that pay only past a threshold) from being starved. A group gets no more
 *    once its marginal return is ≤ 0; the total never exceeds the budget; a
 *    spend level that breaks the minimum margin (and every level above it) is
 *    off limits.
 * 3. 'refine' — per group, discount ± one step × spend ± half a spend-grid
 *    step around the current plan; the combination of per-group moves with
 *    the best total objective within the budget is kept (an exact search over
 *    the groups' options, so money moves from one group to another only when
 *    that pays). `refineRounds` rounds (default 3), the spend step halving
 *    each round (½, ¼, ⅛ of a grid step): the grid alone can miss a small
 *    group's best spend by a whole step.
 * 4. 'timing' — per group, every start in startWindow × every duration that
 *    fits the horizon (plus "until the end of the horizon"), with the
 *    group's ad budget from phases 2–3 spread evenly over the promotion days
 *    (so the total is kept); the best per group wins.
 * Finally a group whose best plan scores no better than its no-promotion
 * plan (when that meets the margin) gets no promotion.
 *
 * The no-promotion plan of a group is { promoType: the none-like type (or
 * null), discountPct 0, adSpendPerDay 0, promoStart 0, promoDuration 0 }:
 * no promotion day at all. A candidate is sent to `evaluate` once; phases
 * that revisit it reuse its outcome, and `evaluated` counts distinct ones.
 *
 * Candidates whose objective is not finite, or whose margin share is below
 * `minMarginShare` (or unknown, when a minimum is set), are never chosen.
 */

import { fail, ok, type Result } from '../lib/result';

/**
 * One plan for one group, as `evaluate` receives it. The promotion (type,
 * discount, ad spend) runs on plan days promoStart … promoStart +
 * promoDuration − 1 (0-based offsets into the horizon); every other day is
 * "no promotion". Total ad spend = adSpendPerDay × promoDuration.
 */
export interface PlanCandidate {
  /** Index into `OptimizeOptions.groups`. */
  group: number;
  /** A promotion type from `allowedPromoTypes`; null where the data has no promo-type lever, or for "no promotion" when no none-like type is allowed. */
  promoType: string | null;
  /** Discount in percent (20 = 20 %). */
  discountPct: number;
  /** Ad spend per promotion day, currency units. */
  adSpendPerDay: number;
  /** First promotion day, offset from the plan's first day (0-based). */
  promoStart: number;
  /** Promotion days; 0 for the no-promotion plan. */
  promoDuration: number;
}

/** What `evaluate` reports for one candidate, over the whole horizon. */
export interface CandidateOutcome {
  /** What the optimizer maximises (revenue, profit, conversions, …; the caller's choice, in its units). */
  objective: number;
  /** Net revenue, currency units (null: unknown). */
  revenue: number | null;
  /** Profit, currency units (null: unknown). */
  profit: number | null;
  orders: number | null;
  /** Discount cost + ad spend over the horizon, currency units. */
  promoCost: number;
  /** profit / revenue (null: unknown). */
  marginShare: number | null;
  /** Interval of the objective, same units. */
  lower: number;
  upper: number;
}

/** What the analyst allows. */
export interface OptimizeConstraints {
  /** Ad budget over the horizon, all groups together, currency units (≥ 0). */
  totalAdBudget: number;
  /** Highest discount, percent (0–100). */
  maxDiscountPct: number;
  /** Promotion types a plan may use; [null] when the data has no promo-type lever ([] is read as [null]). */
  allowedPromoTypes: readonly (string | null)[];
  /** Allowed promoStart offsets, inclusive, 0-based days into the horizon. */
  startWindow: readonly [number, number];
  /** Plan length D in days (≥ 1). */
  horizon: number;
  /** Minimum profit / revenue of a chosen plan, or null for no minimum. */
  minMarginShare: number | null;
  /** Discount grid step, percent (> 0; default 5). */
  discountStepPct?: number;
  /** Promotion durations to try, days (default: 3, 5, 7, …, horizon). */
  durations?: readonly number[];
}

/** Inputs of {@link optimizePlan}. */
export interface OptimizeOptions {
  /** Group labels; a candidate's `group` indexes this list. */
  groups: readonly string[];
  constraints: OptimizeConstraints;
  /** Scores candidates: one outcome per candidate, same order. Called once per phase (and refinement round). */
  evaluate: (candidates: readonly PlanCandidate[]) => Promise<CandidateOutcome[]>;
  /** Called after each batch: candidates evaluated so far, the phase ('discount' | 'spend' | 'refine' | 'timing'), and the rate since the start. */
  onProgress?: (p: { evaluated: number; phase: string; plansPerSecond: number }) => void;
  /** Checked before and after every batch; an abort rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Ad spend levels per group in phase 2, including 0 (default 9; at least 2). */
  spendLevels?: number;
  /** Refinement rounds in phase 3 (default 3; 0 skips it), each one batch. */
  refineRounds?: number;
}

/** The chosen plan of one group. */
export interface GroupPlan {
  group: number;
  label: string;
  candidate: PlanCandidate;
  outcome: CandidateOutcome;
  /** The group's no-promotion plan (no discount, no ads, promoDuration 0) and its outcome. */
  noPromotion: CandidateOutcome;
  /** outcome.objective − noPromotion.objective. */
  uplift: number;
  /** (profit − profit₀) / (promoCost − promoCost₀); null when profit is unknown or the plan costs nothing extra. */
  roi: number | null;
}

/** What {@link optimizePlan} resolves to. */
export interface OptimizeResult {
  /** One plan per group, in the order of `groups`. */
  plans: GroupPlan[];
  /** Σ adSpendPerDay × promoDuration over the plans, currency units (≤ totalAdBudget). */
  totalAdSpend: number;
  /** Candidates evaluated. */
  evaluated: number;
  /** Wall-clock seconds the search took. */
  seconds: number;
}

/** Default discount grid step, percent. */
export const DEFAULT_DISCOUNT_STEP_PCT = 5;
/** Default number of ad spend levels per group. */
export const DEFAULT_SPEND_LEVELS = 9;
/** Default number of refinement rounds. */
export const DEFAULT_REFINE_ROUNDS = 3;

const NONE_LIKE = /^(none|no|无|0|false|no[\s_-]?promo(tion)?|无促销)$/i;

/** Whether a promotion type name means "no promotion" (none, no, 无, 0, false, no promo…; case-insensitive, trimmed). */
export function isNoneLikePromoType(name: string | null): boolean {
  return name !== null && NONE_LIKE.test(name.trim());
}

/** The first allowed type whose name means "no promotion", else null. */
export function noneLikePromoType(allowed: readonly (string | null)[]): string | null {
  return allowed.find((t): t is string => isNoneLikePromoType(t)) ?? null;
}

/** Rounds away floating-point dust (0.30000000000000004 → 0.3) so equal discounts compare equal. */
const tidy = (x: number): number => Math.round(x * 1e9) / 1e9;

/** Discounts tried, percent: 0, step, 2·step, … ≤ max, and max itself when it is off the grid. */
export function discountGrid(maxDiscountPct: number, stepPct: number): number[] {
  const grid: number[] = [];
  const count = Math.floor(maxDiscountPct / stepPct + 1e-9);
  for (let k = 0; k <= count; k++) grid.push(tidy(k * stepPct));
  if (maxDiscountPct - grid[grid.length - 1]! > 1e-9) grid.push(maxDiscountPct);
  return grid;
}

/** Default durations, days: 3, 5, 7, … up to the horizon, and the horizon itself. */
export function defaultDurations(horizon: number): number[] {
  const out: number[] = [];
  for (let d = 3; d < horizon; d += 2) out.push(d);
  out.push(horizon);
  return out;
}

/**
 * Checks constraints before a search; the reason is written for the analyst.
 * {@link optimizePlan} throws a RangeError with the same reason when given
 * constraints that fail here, so callers should check first.
 */
export function checkConstraints(c: OptimizeConstraints): Result<OptimizeConstraints> {
  if (!Number.isInteger(c.horizon) || c.horizon < 1) return fail(`The plan horizon must be a whole number of days, 1 or more (it is ${c.horizon}).`);
  if (!Number.isFinite(c.totalAdBudget) || c.totalAdBudget < 0) return fail(`The ad budget must be a number, 0 or more (it is ${c.totalAdBudget}).`);
  if (!Number.isFinite(c.maxDiscountPct) || c.maxDiscountPct < 0 || c.maxDiscountPct > 100) return fail(`The highest discount must be between 0 and 100 % (it is ${c.maxDiscountPct}).`);
  const step = c.discountStepPct ?? DEFAULT_DISCOUNT_STEP_PCT;
  if (!Number.isFinite(step) || step <= 0) return fail(`The discount step must be more than 0 % (it is ${step}).`);
  const [from, to] = c.startWindow;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < from) return fail(`The start window must be whole days with 0 ≤ first ≤ last (it is ${from}–${to}).`);
  if (from >= c.horizon) return fail(`The earliest start (day ${from + 1}) lies after the ${c.horizon}-day plan: choose an earlier start or a longer plan.`);
  if (c.minMarginShare !== null && !Number.isFinite(c.minMarginShare)) return fail('The minimum margin must be a number, or left empty.');
  if (c.durations !== undefined && !c.durations.some((d) => Number.isInteger(d) && d >= 1)) return fail('Give at least one promotion duration of 1 day or more.');
  return ok(c);
}

/** (profit − profit₀) / (promoCost − promoCost₀), or null (see {@link GroupPlan.roi}). */
function outcomeRoi(plan: CandidateOutcome, base: CandidateOutcome): number | null {
  if (plan.profit === null || base.profit === null) return null;
  const extra = plan.promoCost - base.promoCost;
  return extra > 0 ? (plan.profit - base.profit) / extra : null;
}

/** Vertices of the upper concave envelope of points sorted by x (slopes strictly decreasing). */
function upperEnvelope(points: readonly { x: number; y: number }[]): { x: number; y: number }[] {
  const hull: { x: number; y: number }[] = [];
  for (const p of points) {
    while (hull.length >= 2) {
      const a = hull[hull.length - 2]!;
      const b = hull[hull.length - 1]!;
      // Drop b when it lies on or under the chord a → p.
      if ((b.y - a.y) * (p.x - a.x) <= (p.y - a.y) * (b.x - a.x)) hull.pop();
      else break;
    }
    hull.push(p);
  }
  return hull;
}

/** The state of one group during the search. */
interface GroupState {
  /** No plan meets the margin: no promotion, excluded from the later phases. */
  fixed: boolean;
  promoType: string | null;
  discountPct: number;
  /** Ad spend per day over the full horizon (phases 1–3), in whole spend units (see `unit`). */
  spendUnits: number;
  /** Phase 1's pick (no ads): feasible, so always a safe choice. */
  fallback: { candidate: PlanCandidate; outcome: CandidateOutcome } | null;
}

/**
 * Searches the best plan per group (see the module comment for the phases)
 * and resolves to one plan per group, the total ad spend, the number of
 * candidates evaluated and the seconds taken. Rejects with the signal's
 * reason when aborted, with a RangeError for constraints that
 * {@link checkConstraints} refuses, and with an Error when `evaluate`
 * returns the wrong number of outcomes.
 */
export async function optimizePlan(options: OptimizeOptions): Promise<OptimizeResult> {
  const { groups, constraints: c, evaluate, onProgress, signal } = options;
  const checked = checkConstraints(c);
  if (!checked.ok) throw new RangeError(checked.reason);
  signal?.throwIfAborted();

  const started = performance.now();
  const horizon = c.horizon;
  const step = c.discountStepPct ?? DEFAULT_DISCOUNT_STEP_PCT;
  const levels = Math.max(2, Math.floor(options.spendLevels ?? DEFAULT_SPEND_LEVELS));
  const rounds = Math.max(0, Math.floor(options.refineRounds ?? DEFAULT_REFINE_ROUNDS));
  const types = c.allowedPromoTypes.length === 0 ? [null] : [...new Set(c.allowedPromoTypes)];
  const noneType = noneLikePromoType(types);
  const grid = discountGrid(c.maxDiscountPct, step);
  const budgetPerDay = c.totalAdBudget / horizon;
  // Spend is counted in whole units, the finest refinement step, so that budget sums are exact:
  // a spend-grid step is 2^rounds units and the budget per day is `budgetUnits` units.
  const unitsPerLevel = 2 ** rounds;
  const budgetUnits = (levels - 1) * unitsPerLevel;
  const unit = budgetPerDay / budgetUnits;
  // The top level is the budget itself, not budgetUnits × unit, which may round above it.
  const perDay = (units: number): number => (units >= budgetUnits ? budgetPerDay : units * unit);
  const minMargin = c.minMarginShare;
  let evaluated = 0;

  const feasible = (o: CandidateOutcome): boolean => Number.isFinite(o.objective) && (minMargin === null || (o.marginShare !== null && o.marginShare >= minMargin));
  const isNoPromotion = (type: string | null, discount: number, spend: number): boolean => type === noneType && discount === 0 && spend === 0;
  /** The no-promotion type may carry a discount only when it is itself allowed. */
  const discountable = (type: string | null): boolean => types.includes(type);

  const noPromotionCandidate = (group: number): PlanCandidate => ({ group, promoType: noneType, discountPct: 0, adSpendPerDay: 0, promoStart: 0, promoDuration: 0 });
  const fullHorizon = (group: number, promoType: string | null, discountPct: number, adSpendPerDay: number): PlanCandidate =>
    isNoPromotion(promoType, discountPct, adSpendPerDay) ? noPromotionCandidate(group) : { group, promoType, discountPct, adSpendPerDay, promoStart: 0, promoDuration: horizon };

  // A candidate is evaluated once; later phases that revisit it (a spend level, the current plan) reuse the outcome.
  const seen = new Map<string, CandidateOutcome>();
  const keyOf = (p: PlanCandidate): string => `${p.group}\u0000${p.promoType}\u0000${p.promoType === null}\u0000${p.discountPct}\u0000${p.adSpendPerDay}\u0000${p.promoStart}\u0000${p.promoDuration}`;

  /** Evaluates the candidates not seen yet in one batch; outcomes for all, in order. */
  async function run(phase: string, candidates: readonly PlanCandidate[]): Promise<CandidateOutcome[]> {
    signal?.throwIfAborted();
    const fresh = new Map<string, PlanCandidate>();
    for (const p of candidates) {
      const key = keyOf(p);
      if (!seen.has(key)) fresh.set(key, p);
    }
    if (fresh.size > 0) {
      const batch = [...fresh.values()];
      const outcomes = await evaluate(batch);
      signal?.throwIfAborted();
      if (outcomes.length !== batch.length) throw new Error(`optimizePlan: evaluate returned ${outcomes.length} outcomes for ${batch.length} candidates`);
      [...fresh.keys()].forEach((key, i) => seen.set(key, outcomes[i]!));
      evaluated += batch.length;
      const seconds = (performance.now() - started) / 1000;
      onProgress?.({ evaluated, phase, plansPerSecond: seconds > 0 ? evaluated / seconds : 0 });
    }
    return candidates.map((p) => seen.get(keyOf(p))!);
  }

  /** Picks the feasible candidate with the highest objective (the first on ties), or null. */
  function best<T extends { outcome: CandidateOutcome }>(tried: readonly T[]): T | null {
    let top: T | null = null;
    for (const o of tried) if (feasible(o.outcome) && (top === null || o.outcome.objective > top.outcome.objective)) top = o;
    return top;
  }

  // Phase 1: promotion type × discount, no ads, whole horizon; plus no promotion.
  const phase1: PlanCandidate[] = [];
  groups.forEach((_label, g) => {
    phase1.push(noPromotionCandidate(g));
    for (const t of types) for (const d of grid) if (!isNoPromotion(t, d, 0)) phase1.push(fullHorizon(g, t, d, 0));
  });
  const out1 = await run('discount', phase1);
  const noPromotion: CandidateOutcome[] = [];
  const state: GroupState[] = groups.map(() => ({ fixed: true, promoType: noneType, discountPct: 0, spendUnits: 0, fallback: null }));
  {
    let k = 0;
    groups.forEach((_label, g) => {
      const start = k;
      while (k < phase1.length && phase1[k]!.group === g) k++;
      const tried = phase1.slice(start, k).map((candidate, i) => ({ candidate, outcome: out1[start + i]! }));
      noPromotion[g] = tried[0]!.outcome;
      const top = best(tried);
      if (top !== null) state[g] = { fixed: false, promoType: top.candidate.promoType, discountPct: top.candidate.discountPct, spendUnits: 0, fallback: top };
    });
  }
  const active = state.flatMap((s, g) => (s.fixed ? [] : [g]));

  // Phase 2: ad spend levels, then the budget by marginal return along each group's envelope.
  if (budgetPerDay > 0 && active.length > 0) {
    const phase2: PlanCandidate[] = [];
    for (const g of active) {
      const s = state[g]!;
      for (let i = 1; i < levels; i++) phase2.push(fullHorizon(g, s.promoType, s.discountPct, perDay(i * unitsPerLevel)));
    }
    const out2 = await run('spend', phase2);
    const segments: { group: number; from: number; to: number; slope: number }[] = [];
    active.forEach((g, a) => {
      const points = [{ x: 0, y: state[g]!.fallback!.outcome.objective }];
      for (let i = 1; i < levels; i++) {
        const o = out2[a * (levels - 1) + i - 1]!;
        if (!feasible(o)) break;
        points.push({ x: i * unitsPerLevel, y: o.objective });
      }
      const hull = upperEnvelope(points);
      for (let i = 1; i < hull.length; i++) {
        const p = hull[i - 1]!;
        const q = hull[i]!;
        segments.push({ group: g, from: p.x, to: q.x, slope: (q.y - p.y) / (q.x - p.x) });
      }
    });
    // Envelope slopes fall within a group, so the global order keeps each group's segments in sequence.
    segments.sort((p, q) => q.slope - p.slope);
    let left = budgetUnits;
    for (const seg of segments) {
      if (!(seg.slope > 0) || left <= 0) break;
      const s = state[seg.group]!;
      if (s.spendUnits !== seg.from) continue;
      const take = Math.min(seg.to - seg.from, left);
      s.spendUnits += take;
      left -= take;
    }
  }

  // Phase 3: discount ± one step × spend ± half a step, best combination within the budget.
  for (let round = 1; round <= rounds && active.length > 0; round++) {
    const h = budgetPerDay > 0 ? unitsPerLevel / 2 ** round : 0;
    type Option = { candidate: PlanCandidate; units: number; outcome: CandidateOutcome };
    const tries: Omit<Option, 'outcome'>[] = [];
    for (const g of active) {
      const s = state[g]!;
      const discounts = discountable(s.promoType) ? [s.discountPct - step, s.discountPct, s.discountPct + step].map(tidy).filter((d) => d >= 0 && d <= c.maxDiscountPct) : [s.discountPct];
      const spends = [...new Set([Math.max(0, s.spendUnits - h), s.spendUnits, Math.min(budgetUnits, s.spendUnits + h)])];
      for (const d of discounts) for (const units of spends) tries.push({ candidate: fullHorizon(g, s.promoType, d, perDay(units)), units });
    }
    const out3 = await run(
      'refine',
      tries.map((t) => t.candidate),
    );
    // Phase 1's pick is always an option, so a group whose every move fails the margin stays feasible.
    const optionsOf = new Map<number, Option[]>(active.map((g) => [g, [{ ...state[g]!.fallback!, units: 0 }]]));
    tries.forEach((t, i) => {
      const outcome = out3[i]!;
      if (feasible(outcome)) optionsOf.get(t.candidate.group)!.push({ ...t, outcome });
    });
    // Exact multiple-choice knapsack over the groups, kept as a Pareto frontier of (spend, objective).
    type Pick = { spend: number; value: number; choice: Option | null; prev: Pick | null };
    let frontier: Pick[] = [{ spend: 0, value: 0, choice: null, prev: null }];
    for (const g of active) {
      const next: Pick[] = [];
      for (const f of frontier) {
        for (const o of optionsOf.get(g)!) {
          const spend = f.spend + o.units;
          if (spend <= budgetUnits) next.push({ spend, value: f.value + o.outcome.objective, choice: o, prev: f });
        }
      }
      next.sort((p, q) => p.spend - q.spend || q.value - p.value);
      frontier = [];
      for (const p of next) if (frontier.length === 0 || p.value > frontier[frontier.length - 1]!.value) frontier.push(p);
    }
    // The frontier's values rise with spend: its last point is the best.
    for (let p: Pick | null = frontier[frontier.length - 1] ?? null; p !== null && p.choice !== null; p = p.prev) {
      const { candidate, units } = p.choice;
      const s = state[candidate.group]!;
      s.promoType = candidate.promoType;
      s.discountPct = candidate.discountPct;
      s.spendUnits = units;
    }
  }

  // Phase 4: timing within the start window, the group's ad budget kept.
  const lastStart = Math.min(c.startWindow[1], horizon - 1);
  const durations = (c.durations ?? defaultDurations(horizon)).filter((d) => Number.isInteger(d) && d >= 1);
  const phase4: PlanCandidate[] = [];
  for (const g of active) {
    const s = state[g]!;
    if (isNoPromotion(s.promoType, s.discountPct, s.spendUnits)) continue;
    const total = perDay(s.spendUnits) * horizon;
    for (let start = c.startWindow[0]; start <= lastStart; start++) {
      const fits = new Set(durations.filter((d) => d <= horizon - start));
      fits.add(horizon - start);
      for (const d of [...fits].sort((p, q) => p - q)) phase4.push({ group: g, promoType: s.promoType, discountPct: s.discountPct, adSpendPerDay: total / d, promoStart: start, promoDuration: d });
    }
  }
  const out4 = await run('timing', phase4);

  const plans: GroupPlan[] = groups.map((label, g) => {
    const base = noPromotion[g]!;
    let pick = { candidate: noPromotionCandidate(g), outcome: base };
    const timed = best(phase4.flatMap((candidate, i) => (candidate.group === g ? [{ candidate, outcome: out4[i]! }] : [])));
    if (timed !== null && !(feasible(base) && base.objective >= timed.outcome.objective)) pick = timed;
    return { group: g, label, candidate: pick.candidate, outcome: pick.outcome, noPromotion: base, uplift: pick.outcome.objective - base.objective, roi: outcomeRoi(pick.outcome, base) };
  });
  const totalAdSpend = plans.reduce((acc, p) => acc + p.candidate.adSpendPerDay * p.candidate.promoDuration, 0);
  return { plans, totalAdSpend, evaluated, seconds: (performance.now() - started) / 1000 };
}
