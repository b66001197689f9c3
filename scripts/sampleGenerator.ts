/**
 * Seeded generator for Promocast's sample dataset (`public/samples/promotions.csv`).
 *
 * Pure and deterministic: no I/O, no `Math.random`, no clock. The same seed gives
 * the same bytes. `scripts/sample.ts` writes the files; tests import the ground
 * truth helpers from here to check that a trained model recovers the effects.
 *
 * ## Data contract (one row per date × category × segment)
 *
 * | column            | unit / meaning                                                                 |
 * |-------------------|--------------------------------------------------------------------------------|
 * | `date`            | `YYYY-MM-DD`, 730 consecutive days from 2023-01-01                             |
 * | `category`        | product category (`electronics`, `apparel`, `beauty`, `home`, `grocery`)       |
 * | `segment`         | user segment (`bargain_hunters`, `loyal_members`, `new_visitors`)              |
 * | `promo_type`      | `none`, `percent_off`, `spend_threshold` or `gift`                             |
 * | `discount_pct`    | percent, 0..50 (20 means 20 %); 0 when `promo_type` is `none`. `percent_off`: the price cut. `spend_threshold`: the effective discount `threshold_amount / threshold × 100`, rounded to 1 decimal. `gift`: the gift's value as a percent of the average order value |
 * | `threshold`       | ¥, minimum basket of a spend-threshold offer; 0 unless `spend_threshold`       |
 * | `threshold_amount`| ¥ off when the threshold is met; 0 unless `spend_threshold`                    |
 * | `ad_spend`        | ¥ per day, ≥ 0, two decimals                                                   |
 * | `is_holiday`      | 0/1: 618 (June 18), Double 11 (Nov 11), Chinese New Year, May Day 5/1–5/3, National Day 10/1–10/7 |
 * | `visitors`        | integer count of visitors that day                                             |
 * | `orders`          | integer count of orders, ≤ visitors                                            |
 * | `conversion_rate` | `orders / visitors`, a rate in [0, 1] with 6 decimals                          |
 * | `units`           | integer count of items sold, ≥ orders                                          |
 * | `revenue`         | ¥, net of price discounts (gift cost is not deducted), two decimals            |
 *
 * ## Ground truth (noise-free conversion probability)
 *
 * `logit(p) = base(category) + segmentOffset(segment)`
 * `         + weekly(day of week) + yearly(day of year) + holiday(date)`
 * `         + promoBeta(segment, promo_type) × (1 − exp(−discount_pct / discountScale))`
 * `         + adConversionLift(segment) × (1 − exp(−adStock / adSaturation(category)))`
 * `         − pullForward(discounts of the previous days, only on a day without promotion)`
 *
 * where `adStock_t = (1 − adstockDecay) × ad_spend_t + adstockDecay × adStock_{t−1}` (¥/day; a
 * normalised geometric adstock, so a constant spend S gives a steady-state ad stock of S).
 * Observed `orders ~ Binomial(visitors, p)`; visitors are negative-binomial (Gamma–Poisson)
 * around a level driven by season, weekday, holidays, trend, promotion and ad stock.
 */

import { mulberry32, type Rng } from '../src/lib/random';

// ---------------------------------------------------------------------------
// Vocabularies
// ---------------------------------------------------------------------------

/** Product categories, in the order rows are written within a date. */
export const CATEGORIES = ['electronics', 'apparel', 'beauty', 'home', 'grocery'] as const;
/** User segments, in the order rows are written within a date × category. */
export const SEGMENTS = ['bargain_hunters', 'loyal_members', 'new_visitors'] as const;
/** Promotion types; `none` means no promotion (discount_pct 0). */
export const PROMO_TYPES = ['none', 'percent_off', 'spend_threshold', 'gift'] as const;

/** A product category (string id as written in the CSV). */
export type Category = (typeof CATEGORIES)[number];
/** A user segment (string id as written in the CSV). */
export type Segment = (typeof SEGMENTS)[number];
/** A promotion type (string id as written in the CSV). */
export type PromoType = (typeof PROMO_TYPES)[number];
/** A promotion type other than `none`. */
export type ActivePromoType = Exclude<PromoType, 'none'>;

/** Named holidays; every day of these is flagged `is_holiday = 1`. */
export type HolidayName = 'cny' | 'may_day' | '618' | 'national_day' | 'double_11';

/** CSV header, columns in order. */
export const CSV_COLUMNS = [
  'date',
  'category',
  'segment',
  'promo_type',
  'discount_pct',
  'threshold',
  'threshold_amount',
  'ad_spend',
  'is_holiday',
  'visitors',
  'orders',
  'conversion_rate',
  'units',
  'revenue',
] as const;

/** Default seed (618 in 2024): `generateSample()` with no argument reproduces the committed files. */
export const DEFAULT_SEED = 20240618;
/** First date of the data, `YYYY-MM-DD` (UTC calendar day). */
export const START_DATE = '2023-01-01';
/** Number of consecutive days in the data (2023-01-01 .. 2024-12-30). */
export const NUM_DAYS = 730;

// ---------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------

/**
 * All ground-truth parameters of the generator (JSON-serialisable; written into the truth file).
 * Logit terms are in log-odds of the per-visitor conversion probability; money is ¥; discount is percent.
 */
export interface GeneratorParams {
  /** Base conversion probability (0..1) per category, for bargain_hunters on an average weekday without promotion, ads or holiday. */
  baseConversion: Record<Category, number>;
  /** Additive logit offset per segment. */
  segmentLogitOffset: Record<Segment, number>;
  /** Additive logit per day of week, index 0 = Sunday … 6 = Saturday. */
  weekdayLogit: number[];
  /** Yearly conversion seasonality: logit += amplitude × cos(2π (dayOfYear − peakDay) / 365.25); dayOfYear is 1-based. */
  yearlyConversion: { amplitude: number; peakDay: number };
  /** Additive logit on holiday days, by holiday. */
  holidayLogit: Record<HolidayName, number>;
  /** Discount response scale in percent: response = 1 − exp(−discount_pct / discountScalePct) (0..1, diminishing returns). */
  discountScalePct: number;
  /** Logit lift at a saturated discount (response 1) per segment and promotion type: the personalisation signal. */
  promoBeta: Record<Segment, Record<ActivePromoType, number>>;
  /** Geometric adstock decay per day (0..1); adStock_t = (1 − decay) × spend_t + decay × adStock_{t−1}. */
  adstockDecay: number;
  /** Ad saturation scale per category in ¥/day: saturation = 1 − exp(−adStock / scale). */
  adSaturationYuan: Record<Category, number>;
  /** Logit lift at fully saturated ad stock, per segment. */
  adConversionLift: Record<Segment, number>;
  /** Pull-forward dip after deep discounts (applies only on days without a promotion). */
  pullForward: {
    /** Discounts above this (percent) count as deep. */
    deepFromPct: number;
    /** Depth of a discount d: min(1, max(0, d − deepFromPct) / spanPct). */
    spanPct: number;
    /** Logit penalty at depth 1, one day after. */
    maxLogit: number;
    /** Weight of the deep discount k days ago, k = 1..weights.length; the dip uses the max over k of depth × weight. */
    weights: number[];
  };
  /** Mean visitors per day per category (before segment share and multipliers). */
  baseVisitors: Record<Category, number>;
  /** Visitor share multiplier per segment. */
  segmentVisitorShare: Record<Segment, number>;
  /** Visitor multiplier per day of week, index 0 = Sunday. */
  weekdayVisitors: number[];
  /** Yearly visitor seasonality per category: × (1 + amplitude × cos(2π (dayOfYear − peakDay) / 365.25)). */
  yearlyVisitors: Record<Category, { amplitude: number; peakDay: number }>;
  /** Visitor multiplier on holiday days. */
  holidayVisitors: Record<HolidayName, number>;
  /** Visitor growth per year (fraction, compounding linearly in the exponent). */
  visitorTrendPerYear: number;
  /** Visitors × (1 + adVisitorLift × ad saturation). */
  adVisitorLift: number;
  /** Visitors × (1 + promoVisitorLift × discount response) on promotion days. */
  promoVisitorLift: number;
  /** Negative-binomial shape of visitors (Gamma–Poisson); larger = closer to Poisson. */
  visitorDispersionShape: number;
  /** Extra units per order (Poisson mean) by category; units = orders + Poisson(orders × extra). */
  extraUnitsPerOrder: Record<Category, number>;
  /** Extra units per order added by promotion type at full discount response. */
  promoExtraUnits: Record<ActivePromoType, number>;
  /** Average list price per unit in ¥ by category. */
  unitPriceYuan: Record<Category, number>;
  /** Log-normal sd of the day's realised price mix. */
  priceNoiseSd: number;
  /** Share of spend-threshold orders that reach the threshold (revenue loses discount_pct × share). */
  thresholdRedemptionShare: number;
  /** Spend thresholds (¥) offered per category. */
  thresholdsYuan: Record<Category, number[]>;
  /** Campaign scheduling: runs of minDays..maxDays, start probability per eligible day, minimum gap. */
  campaigns: { minDays: number; maxDays: number; startProbability: number; minGapDays: number; bigHolidayProbability: number };
  /** Base ad spend in ¥/day per category, times segment multiplier, times flight multiplier. */
  adBaseYuan: Record<Category, number>;
  /** Ad spend multiplier per segment. */
  adSegmentMultiplier: Record<Segment, number>;
  /** Flight multipliers (a flight lasts flightMinDays..flightMaxDays). */
  adFlights: { multipliers: number[]; minDays: number; maxDays: number; campaignBoost: number; dailyNoiseSd: number };
}

/** The generator's parameters (the ground truth of the committed sample). */
export const DEFAULT_PARAMS: GeneratorParams = {
  baseConversion: { electronics: 0.018, apparel: 0.03, beauty: 0.036, home: 0.025, grocery: 0.05 },
  segmentLogitOffset: { bargain_hunters: 0, loyal_members: 0.55, new_visitors: -0.45 },
  weekdayLogit: [0.08, -0.03, -0.02, 0, 0, 0.03, 0.1],
  yearlyConversion: { amplitude: 0.1, peakDay: 320 },
  holidayLogit: { cny: 0.08, may_day: 0.15, '618': 0.5, national_day: 0.18, double_11: 0.65 },
  discountScalePct: 15,
  promoBeta: {
    bargain_hunters: { percent_off: 0.95, spend_threshold: 0.5, gift: 0.2 },
    loyal_members: { percent_off: 0.3, spend_threshold: 0.4, gift: 0.75 },
    new_visitors: { percent_off: 0.45, spend_threshold: 0.8, gift: 0.25 },
  },
  adstockDecay: 0.5,
  adSaturationYuan: { electronics: 1500, apparel: 1000, beauty: 900, home: 700, grocery: 500 },
  adConversionLift: { bargain_hunters: 0.2, loyal_members: 0.12, new_visitors: 0.4 },
  pullForward: { deepFromPct: 25, spanPct: 25, maxLogit: 0.45, weights: [1, 0.7, 0.45, 0.2] },
  baseVisitors: { electronics: 1300, apparel: 1600, beauty: 1200, home: 950, grocery: 1900 },
  segmentVisitorShare: { bargain_hunters: 1, loyal_members: 0.6, new_visitors: 1.1 },
  weekdayVisitors: [1.12, 0.95, 0.97, 1, 1, 1.03, 1.15],
  yearlyVisitors: {
    electronics: { amplitude: 0.1, peakDay: 320 },
    apparel: { amplitude: 0.15, peakDay: 280 },
    beauty: { amplitude: 0.08, peakDay: 40 },
    home: { amplitude: 0.1, peakDay: 100 },
    grocery: { amplitude: 0.12, peakDay: 20 },
  },
  holidayVisitors: { cny: 0.85, may_day: 1.15, '618': 1.7, national_day: 1.2, double_11: 2 },
  visitorTrendPerYear: 0.08,
  adVisitorLift: 0.6,
  promoVisitorLift: 0.25,
  visitorDispersionShape: 40,
  extraUnitsPerOrder: { electronics: 0.08, apparel: 0.6, beauty: 0.7, home: 0.5, grocery: 1.8 },
  promoExtraUnits: { percent_off: 0.15, spend_threshold: 0.5, gift: 0.1 },
  unitPriceYuan: { electronics: 620, apparel: 180, beauty: 140, home: 95, grocery: 38 },
  priceNoiseSd: 0.06,
  thresholdRedemptionShare: 0.7,
  thresholdsYuan: {
    electronics: [500, 1000, 2000],
    apparel: [200, 300, 400],
    beauty: [100, 200, 300],
    home: [100, 200, 300],
    grocery: [100, 150, 200],
  },
  campaigns: { minDays: 3, maxDays: 10, startProbability: 0.12, minGapDays: 2, bigHolidayProbability: 0.75 },
  adBaseYuan: { electronics: 1200, apparel: 800, beauty: 700, home: 500, grocery: 350 },
  adSegmentMultiplier: { bargain_hunters: 1, loyal_members: 0.6, new_visitors: 1.4 },
  adFlights: { multipliers: [0, 0, 0.25, 0.5, 0.75, 1, 1, 1.5, 2, 2.5], minDays: 5, maxDays: 20, campaignBoost: 1.3, dailyNoiseSd: 0.2 },
};

// ---------------------------------------------------------------------------
// Seeded random numbers (mulberry32 + hand-written samplers)
// ---------------------------------------------------------------------------



/** Mix integers into one 32-bit seed (for independent per-series, per-purpose streams). */
function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995) >>> 0;
    h ^= h >>> 15;
  }
  return h >>> 0;
}

/** Standard normal draw (Box–Muller; uses two uniforms). */
function normal(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape ≥ 1, scale 1) draw (Marsaglia–Tsang). */
function gamma(rng: Rng, shape: number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Poisson draw (Knuth's product method, in chunks of mean ≤ 200 so exp() never underflows). */
function poisson(rng: Rng, mean: number): number {
  let total = 0;
  let rest = mean;
  while (rest > 0) {
    const lam = Math.min(rest, 200);
    rest -= lam;
    const limit = Math.exp(-lam);
    let k = 0;
    let prod = rng();
    while (prod > limit) {
      k++;
      prod *= rng();
    }
    total += k;
  }
  return total;
}

/** Binomial(n, p) draw as a sum of n Bernoulli trials (exact; n is at most a few tens of thousands). */
function binomial(rng: Rng, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (rng() < p) k++;
  return k;
}

/** Uniform integer in [lo, hi]. */
function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** Uniform pick from a non-empty array. */
function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick from empty array');
  return item;
}

// ---------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------

const DAY_MS = 86_400_000;

/** Date string `YYYY-MM-DD` of day index `i` (0 = START_DATE), UTC calendar. */
export function dateOfDay(i: number): string {
  return new Date(Date.parse(`${START_DATE}T00:00:00Z`) + i * DAY_MS).toISOString().slice(0, 10);
}

/** Day index (0 = START_DATE) of a `YYYY-MM-DD` date; may be outside 0..NUM_DAYS−1. */
export function dayIndexOf(date: string): number {
  return Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${START_DATE}T00:00:00Z`)) / DAY_MS);
}

/** Day of week of a `YYYY-MM-DD` date, 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** 1-based day of year of a `YYYY-MM-DD` date. */
export function dayOfYear(date: string): number {
  const y = date.slice(0, 4);
  return Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${y}-01-01T00:00:00Z`)) / DAY_MS) + 1;
}

/** Chinese New Year public-holiday spans (inclusive) for the years covered. */
const CNY_SPANS: ReadonlyArray<readonly [string, string]> = [
  ['2023-01-21', '2023-01-27'],
  ['2024-02-10', '2024-02-17'],
  ['2025-01-28', '2025-02-04'],
];

/**
 * The holiday a date falls on, or null. 618 = June 18, Double 11 = November 11, May Day = May 1–3,
 * National Day = October 1–7, Chinese New Year = the official spans for 2023–2025.
 */
export function holidayOf(date: string): HolidayName | null {
  const md = date.slice(5);
  if (md === '06-18') return '618';
  if (md === '11-11') return 'double_11';
  if (md >= '05-01' && md <= '05-03') return 'may_day';
  if (md >= '10-01' && md <= '10-07') return 'national_day';
  for (const [from, to] of CNY_SPANS) if (date >= from && date <= to) return 'cny';
  return null;
}

// ---------------------------------------------------------------------------
// Ground-truth response functions
// ---------------------------------------------------------------------------

/** Logistic sigmoid. */
function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Log-odds of a probability in (0, 1). */
function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/** Discount response in [0, 1): 1 − exp(−discountPct / discountScalePct); discountPct in percent. */
export function discountResponse(discountPct: number, params: GeneratorParams = DEFAULT_PARAMS): number {
  return 1 - Math.exp(-Math.max(0, discountPct) / params.discountScalePct);
}

/** Ad saturation in [0, 1): 1 − exp(−adStock / adSaturationYuan[category]); adStock in ¥/day. */
export function adSaturation(category: Category, adStock: number, params: GeneratorParams = DEFAULT_PARAMS): number {
  return 1 - Math.exp(-Math.max(0, adStock) / params.adSaturationYuan[category]);
}

/**
 * Normalised geometric adstock of a daily spend series (¥/day in, ¥/day out):
 * `stock_t = (1 − decay) × spend_t + decay × stock_{t−1}`, starting from `initial` (default: the first
 * day's spend, i.e. as if that spend had run forever). A constant spend S gives stock S.
 */
export function adstock(spend: readonly number[], decay: number = DEFAULT_PARAMS.adstockDecay, initial?: number): number[] {
  const out: number[] = [];
  let stock = initial ?? spend[0] ?? 0;
  for (const s of spend) {
    stock = (1 - decay) * s + decay * stock;
    out.push(stock);
  }
  return out;
}

/**
 * Pull-forward penalty in logit units (≥ 0, to subtract) on a day, given the discounts (percent) of the
 * preceding days, most recent first (`previousDiscountsPct[0]` = yesterday's discount_pct, 0 if no promotion).
 * Returns 0 when a promotion is active today (`todayPromo !== 'none'`).
 */
export function pullForwardPenalty(
  todayPromo: PromoType,
  previousDiscountsPct: readonly number[],
  params: GeneratorParams = DEFAULT_PARAMS,
): number {
  if (todayPromo !== 'none') return 0;
  const pf = params.pullForward;
  let worst = 0;
  pf.weights.forEach((w, k) => {
    const d = previousDiscountsPct[k] ?? 0;
    const depth = Math.min(1, Math.max(0, d - pf.deepFromPct) / pf.spanPct);
    worst = Math.max(worst, depth * w);
  });
  return pf.maxLogit * worst;
}

/** Where and when: a series (category × segment) on a calendar day (`YYYY-MM-DD`). */
export interface ConversionContext {
  category: Category;
  segment: Segment;
  /** `YYYY-MM-DD`; drives day of week, day of year and holiday. */
  date: string;
}

/** The analyst's levers for one day. */
export interface LeverSetting {
  promoType: PromoType;
  /** Percent 0..50 (20 = 20 %); ignored when promoType is `none`. For spend_threshold: the effective discount. */
  discountPct: number;
  /** Ad spend in ¥/day. In `trueConversionRate` this is held on every day (steady state ad stock = adSpend). */
  adSpend: number;
}

/**
 * Noise-free conversion log-odds for a context, levers and state:
 * `adStock` is the day's adstocked spend (¥/day), `pullForwardLogit` the penalty from `pullForwardPenalty` (≥ 0).
 */
export function conversionLogit(
  context: ConversionContext,
  levers: LeverSetting,
  state: { adStock: number; pullForwardLogit: number },
  params: GeneratorParams = DEFAULT_PARAMS,
): number {
  const { category, segment, date } = context;
  let z = logit(params.baseConversion[category]) + params.segmentLogitOffset[segment];
  z += params.weekdayLogit[dayOfWeek(date)] ?? 0;
  const yc = params.yearlyConversion;
  z += yc.amplitude * Math.cos((2 * Math.PI * (dayOfYear(date) - yc.peakDay)) / 365.25);
  const hol = holidayOf(date);
  if (hol) z += params.holidayLogit[hol];
  if (levers.promoType !== 'none') {
    z += params.promoBeta[segment][levers.promoType] * discountResponse(levers.discountPct, params);
  }
  z += params.adConversionLift[segment] * adSaturation(category, state.adStock, params);
  z -= state.pullForwardLogit;
  return z;
}

/**
 * Expected conversion rate (noise-free probability, 0..1) — THE quantity the truth grid reports.
 *
 * Definition: the probability that one visitor of `context.segment` in `context.category` orders on
 * `context.date`, when the levers `levers` (promotion type, discount_pct, ad_spend ¥/day) have been in
 * place on that day AND on every earlier day (steady state). Consequences: the ad stock equals
 * `levers.adSpend` (carry-over fully built up) and there is no pull-forward dip (a dip only follows
 * deep discounts on days without a promotion). The calendar (weekday, yearly season, holiday) is that
 * of `context.date`. It equals E[orders / visitors | visitors] for such a day; it does not depend on
 * the visitor count. With `promoType: 'none'` the discount is ignored; with any type a discount of 0
 * gives the same rate as `none`.
 *
 * To compare a model's what-if to it, run a plan that holds these levers for at least 7 days ending
 * on `context.date` (the ad-stock carry-over left after 7 days is 0.5^7 < 1 %) and read that day.
 */
export function trueConversionRate(
  context: ConversionContext,
  levers: LeverSetting,
  params: GeneratorParams = DEFAULT_PARAMS,
): number {
  return sigmoid(conversionLogit(context, levers, { adStock: levers.adSpend, pullForwardLogit: 0 }, params));
}

/**
 * The best promotion type for a segment under the truth: the active type with the largest logit lift
 * `promoBeta[segment][type]`. Since all types share the same discount response curve, this type gives the
 * highest expected conversion at every positive discount, in every context.
 */
export function bestPromoType(segment: Segment, params: GeneratorParams = DEFAULT_PARAMS): ActivePromoType {
  const betas = params.promoBeta[segment];
  let best: ActivePromoType = 'percent_off';
  for (const t of ['percent_off', 'spend_threshold', 'gift'] as const) if (betas[t] > betas[best]) best = t;
  return best;
}

// ---------------------------------------------------------------------------
// Truth file
// ---------------------------------------------------------------------------

/** Discount grid of the truth file, percent. */
export const TRUTH_DISCOUNTS_PCT = [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50] as const;
/** Ad-spend grid of the truth file, ¥/day held on every day (steady-state ad stock). */
export const TRUTH_AD_SPEND_YUAN = [0, 500, 1000, 2000, 4000] as const;

/** Contexts of the truth grid: three non-holiday days in the last 60 days of the data, plus Double 11. */
export const TRUTH_CONTEXTS: readonly ConversionContext[] = [
  { category: 'electronics', segment: 'bargain_hunters', date: '2024-12-10' },
  { category: 'beauty', segment: 'loyal_members', date: '2024-12-14' },
  { category: 'grocery', segment: 'new_visitors', date: '2024-11-20' },
  { category: 'apparel', segment: 'bargain_hunters', date: '2024-11-11' },
];

/** One grid cell of the truth: levers and the expected conversion rate (see `trueConversionRate`). */
export interface TruthGridPoint {
  promoType: PromoType;
  /** Percent, 0..50. */
  discountPct: number;
  /** ¥/day, held on every day (steady-state ad stock). */
  adSpend: number;
  /** Noise-free conversion probability 0..1, rounded to 8 decimals (`trueConversionRate`). */
  expectedConversionRate: number;
}

/** Ground truth of a generated sample (written as `public/samples/promotions.truth.json`). */
export interface SampleTruth {
  /** Seed the sample was generated with. */
  seed: number;
  /** Row count of the CSV (excluding the header). */
  rows: number;
  /** First and last date, `YYYY-MM-DD`, and the number of days. */
  dates: { start: string; end: string; days: number };
  categories: Category[];
  segments: Segment[];
  promoTypes: PromoType[];
  columns: string[];
  /** Every holiday date in the data with its name (is_holiday = 1 on exactly these dates). */
  holidays: Array<{ date: string; name: HolidayName }>;
  /** How the columns and the expected conversion are defined, in words. */
  notes: string[];
  /** All generator parameters. */
  params: GeneratorParams;
  /** Per segment, the promotion type with the highest expected conversion (any positive discount, any context). */
  bestPromoTypeBySegment: Record<Segment, ActivePromoType>;
  /** Expected conversion rate over promo_type × discount_pct × ad_spend, per context. */
  contexts: Array<ConversionContext & { isHoliday: boolean; grid: TruthGridPoint[] }>;
}

// ---------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------

/** One generated row (numbers exactly as written to the CSV) plus the noise-free probability behind it. */
export interface SampleRow {
  date: string;
  category: Category;
  segment: Segment;
  promoType: PromoType;
  /** Percent, rounded to 1 decimal. */
  discountPct: number;
  /** ¥, 0 unless spend_threshold. */
  threshold: number;
  /** ¥ off, 0 unless spend_threshold. */
  thresholdAmount: number;
  /** ¥/day, rounded to 2 decimals. */
  adSpend: number;
  isHoliday: 0 | 1;
  visitors: number;
  orders: number;
  units: number;
  /** ¥, rounded to 2 decimals. */
  revenue: number;
  /** Not in the CSV: the noise-free conversion probability of this row given its actual lever history. */
  expectedConversionRate: number;
  /** Not in the CSV: the adstocked spend of this row, ¥/day. */
  adStock: number;
}

interface DayPlan {
  promoType: PromoType;
  discountPct: number;
  threshold: number;
  thresholdAmount: number;
}

const NO_PROMO: DayPlan = { promoType: 'none', discountPct: 0, threshold: 0, thresholdAmount: 0 };

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Draw the promotion offered on every day of one campaign. */
function drawOffer(rng: Rng, category: Category, params: GeneratorParams): DayPlan {
  const type = pick(rng, ['percent_off', 'spend_threshold', 'gift'] as const);
  if (type === 'percent_off') return { promoType: type, discountPct: 5 * randInt(rng, 1, 10), threshold: 0, thresholdAmount: 0 };
  if (type === 'gift') return { promoType: type, discountPct: 5 * randInt(rng, 1, 6), threshold: 0, thresholdAmount: 0 };
  const threshold = pick(rng, params.thresholdsYuan[category]);
  const rate = pick(rng, [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.33]);
  const amount = Math.max(5, Math.round((threshold * rate) / 5) * 5);
  return { promoType: type, discountPct: round1((amount / threshold) * 100), threshold, thresholdAmount: amount };
}

/** Campaign calendar of one series: a promotion plan per day, promos in runs of several days. */
function scheduleCampaigns(rng: Rng, category: Category, params: GeneratorParams): DayPlan[] {
  const cp = params.campaigns;
  const plan: DayPlan[] = new Array<DayPlan>(NUM_DAYS).fill(NO_PROMO);
  const busy: boolean[] = new Array<boolean>(NUM_DAYS).fill(false);
  // Big shopping festivals first: most series run a campaign leading into 618 and Double 11.
  for (let i = 0; i < NUM_DAYS; i++) {
    const hol = holidayOf(dateOfDay(i));
    if ((hol === '618' || hol === 'double_11') && rng() < cp.bigHolidayProbability) {
      const from = Math.max(0, i - randInt(rng, 2, 6));
      const to = Math.min(NUM_DAYS - 1, i + randInt(rng, 0, 2));
      const offer = drawOffer(rng, category, params);
      for (let d = from; d <= to; d++) {
        plan[d] = offer;
        busy[d] = true;
      }
    }
  }
  // Then campaigns of minDays..maxDays with a gap of at least minGapDays between any two.
  let i = 0;
  while (i < NUM_DAYS) {
    if (busy[i]) {
      i++;
      continue;
    }
    const freeAfterGap = (d: number) => !busy.slice(Math.max(0, d - cp.minGapDays), d).some(Boolean);
    if (!freeAfterGap(i) || rng() >= cp.startProbability) {
      i++;
      continue;
    }
    let len = randInt(rng, cp.minDays, cp.maxDays);
    // Stop short of the next planned campaign, keeping the gap.
    let room = 0;
    while (i + room < NUM_DAYS && room < len && !busy.slice(i + room, i + room + cp.minGapDays + 1).some(Boolean)) room++;
    len = Math.min(len, room);
    if (len < cp.minDays) {
      i++;
      continue;
    }
    const offer = drawOffer(rng, category, params);
    for (let d = i; d < i + len; d++) {
      plan[d] = offer;
      busy[d] = true;
    }
    i += len;
  }
  return plan;
}

/** Daily ad spend of one series, ¥/day rounded to 2 decimals: flights of varying intensity, boosted during campaigns. */
function scheduleAdSpend(rng: Rng, category: Category, segment: Segment, plan: readonly DayPlan[], params: GeneratorParams): number[] {
  const af = params.adFlights;
  const base = params.adBaseYuan[category] * params.adSegmentMultiplier[segment];
  const out: number[] = [];
  let mult = 1;
  let left = 0;
  for (let i = 0; i < NUM_DAYS; i++) {
    if (left <= 0) {
      mult = pick(rng, af.multipliers);
      left = randInt(rng, af.minDays, af.maxDays);
    }
    left--;
    const boost = plan[i]?.promoType !== 'none' ? af.campaignBoost : 1;
    const noise = Math.exp(af.dailyNoiseSd * normal(rng) - (af.dailyNoiseSd * af.dailyNoiseSd) / 2);
    out.push(mult === 0 ? 0 : round2(base * mult * boost * noise));
  }
  return out;
}

/**
 * Generate all rows (sorted by date, then category, then segment in vocabulary order) with the
 * noise-free probability behind each. Deterministic in `seed`.
 */
export function generateSampleRows(seed: number = DEFAULT_SEED, params: GeneratorParams = DEFAULT_PARAMS): SampleRow[] {
  const bySeries: SampleRow[][] = [];
  CATEGORIES.forEach((category, ci) => {
    SEGMENTS.forEach((segment, si) => {
      const planRng = mulberry32(mixSeed(seed, ci, si, 1));
      const adRng = mulberry32(mixSeed(seed, ci, si, 2));
      const noiseRng = mulberry32(mixSeed(seed, ci, si, 3));
      const plan = scheduleCampaigns(planRng, category, params);
      const spend = scheduleAdSpend(adRng, category, segment, plan, params);
      const stock = adstock(spend, params.adstockDecay);
      const rows: SampleRow[] = [];
      for (let i = 0; i < NUM_DAYS; i++) {
        const date = dateOfDay(i);
        const day = plan[i] ?? NO_PROMO;
        const adSpend = spend[i] ?? 0;
        const adStock = stock[i] ?? 0;
        const prev: number[] = [];
        for (let k = 1; k <= params.pullForward.weights.length; k++) prev.push(plan[i - k]?.discountPct ?? 0);
        const ctx: ConversionContext = { category, segment, date };
        const levers: LeverSetting = { promoType: day.promoType, discountPct: day.discountPct, adSpend };
        const pf = pullForwardPenalty(day.promoType, prev, params);
        const p = sigmoid(conversionLogit(ctx, levers, { adStock, pullForwardLogit: pf }, params));

        // Visitors: negative binomial around a level set by season, weekday, holiday, trend, promo and ads.
        const hol = holidayOf(date);
        const yv = params.yearlyVisitors[category];
        const response = day.promoType === 'none' ? 0 : discountResponse(day.discountPct, params);
        let level = params.baseVisitors[category] * params.segmentVisitorShare[segment];
        level *= params.weekdayVisitors[dayOfWeek(date)] ?? 1;
        level *= 1 + yv.amplitude * Math.cos((2 * Math.PI * (dayOfYear(date) - yv.peakDay)) / 365.25);
        if (hol) level *= params.holidayVisitors[hol];
        level *= Math.exp((params.visitorTrendPerYear * i) / 365);
        level *= 1 + params.adVisitorLift * adSaturation(category, adStock, params);
        level *= 1 + params.promoVisitorLift * response;
        const shape = params.visitorDispersionShape;
        const visitors = Math.max(1, poisson(noiseRng, (level * gamma(noiseRng, shape)) / shape));
        const orders = binomial(noiseRng, visitors, p);

        // Units and revenue.
        let extra = params.extraUnitsPerOrder[category];
        if (day.promoType !== 'none') extra += params.promoExtraUnits[day.promoType] * response;
        const units = orders + poisson(noiseRng, orders * extra);
        const priceMix = Math.exp(params.priceNoiseSd * normal(noiseRng) - (params.priceNoiseSd * params.priceNoiseSd) / 2);
        let netShare = 1;
        if (day.promoType === 'percent_off') netShare = 1 - day.discountPct / 100;
        else if (day.promoType === 'spend_threshold') netShare = 1 - (day.discountPct / 100) * params.thresholdRedemptionShare;
        const revenue = round2(units * params.unitPriceYuan[category] * priceMix * netShare);

        rows.push({
          date,
          category,
          segment,
          promoType: day.promoType,
          discountPct: day.discountPct,
          threshold: day.threshold,
          thresholdAmount: day.thresholdAmount,
          adSpend,
          isHoliday: hol ? 1 : 0,
          visitors,
          orders,
          units,
          revenue,
          expectedConversionRate: p,
          adStock,
        });
      }
      bySeries.push(rows);
    });
  });
  const out: SampleRow[] = [];
  for (let i = 0; i < NUM_DAYS; i++) for (const series of bySeries) out.push(series[i] as SampleRow);
  return out;
}

/** Deterministic formatting of a 1-decimal percent: `20`, `16.7`, `0`. */
function formatPct(x: number): string {
  return String(Number(x.toFixed(1)));
}

/** Render rows as CSV text: header first, `\n` line endings, trailing newline, fixed number formats. */
export function rowsToCsv(rows: readonly SampleRow[]): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      [
        r.date,
        r.category,
        r.segment,
        r.promoType,
        formatPct(r.discountPct),
        String(r.threshold),
        String(r.thresholdAmount),
        r.adSpend.toFixed(2),
        String(r.isHoliday),
        String(r.visitors),
        String(r.orders),
        (r.orders / r.visitors).toFixed(6),
        String(r.units),
        r.revenue.toFixed(2),
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

/** Build the ground-truth object for a seed (no rows needed: the truth is a function of the parameters). */
export function buildTruth(seed: number = DEFAULT_SEED, params: GeneratorParams = DEFAULT_PARAMS): SampleTruth {
  const holidays: SampleTruth['holidays'] = [];
  for (let i = 0; i < NUM_DAYS; i++) {
    const date = dateOfDay(i);
    const name = holidayOf(date);
    if (name) holidays.push({ date, name });
  }
  const best = {} as Record<Segment, ActivePromoType>;
  for (const s of SEGMENTS) best[s] = bestPromoType(s, params);
  return {
    seed,
    rows: NUM_DAYS * CATEGORIES.length * SEGMENTS.length,
    dates: { start: dateOfDay(0), end: dateOfDay(NUM_DAYS - 1), days: NUM_DAYS },
    categories: [...CATEGORIES],
    segments: [...SEGMENTS],
    promoTypes: [...PROMO_TYPES],
    columns: [...CSV_COLUMNS],
    holidays,
    notes: [
      'discount_pct is a percent 0..50 (20 = 20 %), 0 when promo_type = none.',
      'spend_threshold: threshold = minimum basket in ¥, threshold_amount = ¥ off; discount_pct = threshold_amount / threshold × 100 rounded to 1 decimal (the effective discount).',
      'gift: discount_pct = value of the gift as a percent of the average order value; revenue is not reduced by gifts.',
      'ad_spend is ¥ per day; its effect carries over through a normalised geometric adstock (decay params.adstockDecay) and saturates as 1 − exp(−adStock / params.adSaturationYuan[category]).',
      'expectedConversionRate = noise-free probability that a visitor orders on the context date (its weekday, yearly season and holiday), with the grid levers held on that day and every earlier day: ad stock = ad_spend, no pull-forward dip. With promo_type = none the discount is ignored.',
      'Observed conversion_rate = orders / visitors with orders ~ Binomial(visitors, p); compare a model to the grid with a plan holding the levers for >= 7 days ending on the date.',
      'After a deep discount (discount_pct > 25) conversion dips on the following days without promotion (pull-forward), for up to 4 days.',
    ],
    params,
    bestPromoTypeBySegment: best,
    contexts: TRUTH_CONTEXTS.map((ctx) => {
      const grid: TruthGridPoint[] = [];
      for (const promoType of PROMO_TYPES) {
        for (const discountPct of TRUTH_DISCOUNTS_PCT) {
          for (const adSpend of TRUTH_AD_SPEND_YUAN) {
            const p = trueConversionRate(ctx, { promoType, discountPct, adSpend }, params);
            grid.push({ promoType, discountPct, adSpend, expectedConversionRate: Number(p.toFixed(8)) });
          }
        }
      }
      return { ...ctx, isHoliday: holidayOf(ctx.date) !== null, grid };
    }),
  };
}

/**
 * Generate the sample: the CSV text (header + 730 × 5 × 3 rows, `\n` endings, trailing newline) and
 * its ground truth. Deterministic: the default seed reproduces `public/samples/promotions.csv` byte for byte.
 */
export function generateSample(seed: number = DEFAULT_SEED): { csv: string; truth: SampleTruth } {
  const rows = generateSampleRows(seed, DEFAULT_PARAMS);
  return { csv: rowsToCsv(rows), truth: buildTruth(seed, DEFAULT_PARAMS) };
}

/** Serialise a truth object exactly as written to `promotions.truth.json` (2-space JSON, trailing newline). */
export function truthToJson(truth: SampleTruth): string {
  return JSON.stringify(truth, null, 2) + '\n';
}
