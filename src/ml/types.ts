import type { SeriesKpiContext, TargetMeaning } from '../data/kpiContext';

/**
 * Shapes shared by the model code. Pure data: typed arrays and plain
 * objects that cross worker boundaries by structured clone / transfer.
 */

/** How the target is transformed before standardising. */
export type TargetTransform = 'logit' | 'log1p' | 'identity';

/** What kind of number the target is. */
export type TargetKind = 'rate' | 'count' | 'money' | 'binary' | 'real';

/** Where one model input feature comes from. */
export type FeatureSource =
  | { readonly kind: 'numeric'; readonly column: string }
  | { readonly kind: 'onehot'; readonly column: string; readonly value: string }
  | { readonly kind: 'calendar'; readonly part: 'dowSin' | 'dowCos' | 'doySin' | 'doyCos' }
  | { readonly kind: 'static'; readonly column: string; readonly value: string }
  /** 1 on a day when the 0/1 event column `column` is 1 and the month (0 = January, UTC) is `month`: tells one holiday from another. */
  | { readonly kind: 'eventMonth'; readonly column: string; readonly month: number }
  | { readonly kind: 'targetLag' }
  | { readonly kind: 'targetMask' }
  | { readonly kind: 'level' };

/** Standardisation of one numeric column, fitted on the training period. */
export interface Scaler {
  readonly mean: number;
  readonly std: number;
  /** Used for missing cells when the fill method is median (and before the first observation). */
  readonly median: number;
}

/**
 * Everything needed to turn raw rows into model inputs, fitted on the
 * training period only. Serialisable (goes into the model bundle).
 */
export interface FeatureSpec {
  readonly windowLength: number;
  /** Longest horizon (steps after the last observed target) trained for; 1 for a cross-section. */
  readonly horizonMax: number;
  readonly crossSection: boolean;
  readonly timeColumn: string | null;
  readonly seriesColumns: readonly string[];
  readonly target: {
    readonly column: string;
    readonly kind: TargetKind;
    readonly transform: TargetTransform;
    /** Mean and std of the transformed target on the training period (binary: 0 and 1). */
    readonly mean: number;
    readonly std: number;
  };
  readonly levers: readonly string[];
  readonly covariates: readonly string[];
  /** Input features in column order of the model's last axis. */
  readonly features: readonly { readonly name: string; readonly source: FeatureSource }[];
  readonly scalers: Readonly<Record<string, Scaler>>;
  /** Category values per categorical lever/covariate/series column (training period). */
  readonly vocabularies: Readonly<Record<string, readonly string[]>>;
  /** Days per step (1 daily, 7 weekly, 30 monthly; 0 for a cross-section) and the seasonal period in steps. */
  readonly periodDays: number;
  readonly seasonalPeriod: number;
  /** Steps of target history averaged into the `level` feature. */
  readonly levelSteps: number;
  /** Features that do not depend on the target (the first ones of `features`). */
  readonly exogCount: number;
  /** How each lever/covariate's missing values are filled (see data/quality FillMethod). */
  readonly fills: Readonly<Record<string, 'forward-fill within series' | 'zero' | 'median' | 'missing category' | 'row excluded from training targets' | 'row excluded' | 'own series' | 'not used'>>;
}

/**
 * One series laid on a regular time grid (gaps inserted as missing steps).
 * `exog` holds every feature that does not depend on the target:
 * [steps, exogCount] row-major, already standardised / one-hot.
 */
export interface SeriesGrid {
  readonly label: string;
  readonly keys: readonly string[];
  /** Day number per step (cross-section: the row index). */
  readonly times: Float64Array;
  /** Target in original units (rates as fractions); NaN where unknown. */
  readonly target: Float64Array;
  /** Target transformed and standardised (model space); NaN where unknown. */
  readonly targetModel: Float32Array;
  /** [steps × exogCount] exogenous features. */
  readonly exog: Float32Array;
}

/** What the training data shows of one lever: a numeric range or the categories seen. */
export type LeverRange = { readonly kind: 'numeric'; readonly min: number; readonly max: number } | { readonly kind: 'category'; readonly values: readonly string[] };

/** The windowable data set: a spec, the series grids and the time split. */
export interface Dataset {
  readonly spec: FeatureSpec;
  /** Features in `exog` (the first `exogCount` entries of spec.features). */
  readonly exogCount: number;
  readonly series: readonly SeriesGrid[];
  /** Steps with time < trainEnd are train; < validEnd validation; the rest test (day numbers; cross-section: row order). */
  readonly trainEnd: number;
  readonly validEnd: number;
  /** Per lever, over all series' training period. */
  readonly leverRanges: Readonly<Record<string, LeverRange>>;
  /** Per series, per lever, over its training period (extrapolation checks). */
  readonly seriesLeverRanges: readonly Readonly<Record<string, LeverRange>>[];
  /** Per series, the lever values of "no promotion" (a none-like category, 0 for spend/discount, else the median). */
  readonly noPromotion: readonly Readonly<Record<string, number | string | null>>[];
  /**
   * Typical companions: for each categorical lever and value, the training
   * median of every numeric lever on rows with that value (e.g. the usual
   * threshold of a spend-threshold promotion).
   */
  readonly typicalLevers: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, number>>>>>>;
  /** For each categorical lever and value, the training range of every numeric lever on rows with that value. */
  readonly leverSupport: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, { readonly min: number; readonly max: number }>>>>>>;
  /** What the target means for KPIs (conversion rate, orders, …). */
  readonly targetMeaning: TargetMeaning;
  /** Per series: visitors, order value and units per order from recent history (null where unknown). */
  readonly kpi: readonly SeriesKpiContext[];
}

export type SplitName = 'train' | 'validation' | 'test';

/**
 * Model-ready windows: `x` is [count, windowLength, featureCount] row-major,
 * `y` the target in model space. Each window predicts the target at step
 * `step` of series `series`, having observed targets up to `step - horizon`.
 */
export interface Windows {
  readonly count: number;
  readonly windowLength: number;
  readonly featureCount: number;
  readonly x: Float32Array;
  readonly y: Float32Array;
  /** Target in original units. */
  readonly actual: Float64Array;
  readonly series: Int32Array;
  readonly step: Int32Array;
  readonly horizon: Int32Array;
  /** Last observed target (original units) before the horizon: the naive forecast. NaN if none. */
  readonly naive: Float64Array;
  /** Target one season before `step` if observed by then, else the naive value: the seasonal-naive forecast. */
  readonly seasonalNaive: Float64Array;
  /** Loss weight per window (mean 1 over the split), or absent: all equal. */
  readonly weight?: Float32Array;
}

/**
 * Windows whose first steps are the same: window i's first `prefix[i]` steps
 * equal those of every window in its `group` (what-if plans of one series
 * and start share the history before the plan). 0: nothing shared.
 */
export interface SharedPrefixes {
  readonly prefix: Int32Array;
  readonly group: Int32Array;
}
