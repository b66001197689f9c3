/**
 * Evaluation metrics for the hold-out: regression errors (MAE, RMSE, MAPE,
 * WAPE, sMAPE, R²), yes/no classification scores (accuracy, precision,
 * recall, F1, ROC-AUC, ROC curve) and errors per series. Pure functions of
 * plain arrays; sums are accumulated in float64.
 *
 * Conventions shared by every function here:
 * - Values are in whatever units the caller passes (normally original
 *   units: rates as fractions in [0, 1], counts, money).
 * - A pair whose actual or prediction is not finite (NaN, ±Infinity) is
 *   skipped; `count` says how many pairs were used.
 * - Percent-like metrics are fractions: 0.1 means 10 %.
 * - A metric that is undefined for the data (e.g. R² of a constant series)
 *   is NaN, never a made-up number; the UI shows NaN as "—".
 */

/** Regression errors of predictions against actuals, over `count` finite pairs. */
export interface RegressionMetrics {
  /** Pairs used (both actual and prediction finite). */
  readonly count: number;
  /** Mean absolute error, in the units of the target. */
  readonly mae: number;
  /** Root mean squared error, in the units of the target. */
  readonly rmse: number;
  /** Mean of |e| / |y| over pairs with a non-zero actual (fraction); NaN when every actual is 0. */
  readonly mape: number;
  /** Pairs left out of MAPE because their actual is 0. */
  readonly mapeSkipped: number;
  /** Σ|e| / Σ|y| (fraction); NaN when Σ|y| = 0. */
  readonly wape: number;
  /** Mean of 2|e| / (|y| + |ŷ|) (fraction in [0, 2]); a pair with y = ŷ = 0 counts as 0. */
  readonly smape: number;
  /** 1 − SSE / SST; NaN when the actuals are constant (SST = 0), including count < 2. */
  readonly r2: number;
}

/**
 * Regression metrics of `predicted` against `actual` (same length, same
 * units). Pairs with a non-finite actual or prediction are skipped. With no
 * usable pair every field but `count` and `mapeSkipped` is NaN; otherwise
 * `mae` and `rmse` are always finite numbers.
 */
export function regressionMetrics(actual: ArrayLike<number>, predicted: ArrayLike<number>): RegressionMetrics {
  checkSameLength(actual, predicted, 'regressionMetrics');
  const n = actual.length;
  // [count, Σ|e|, Σe², Σ|e|/|y|, mapeCount, Σ|y|, Σ sMAPE term, Σy]
  const acc = new Float64Array(8);
  for (let i = 0; i < n; i++) {
    const y = actual[i]!;
    const p = predicted[i]!;
    if (!Number.isFinite(y) || !Number.isFinite(p)) continue;
    const e = p - y;
    const ae = Math.abs(e);
    const ay = Math.abs(y);
    acc[0]! += 1;
    acc[1]! += ae;
    acc[2]! += e * e;
    if (y !== 0) {
      acc[3]! += ae / ay;
      acc[4]! += 1;
    }
    acc[5]! += ay;
    const denom = ay + Math.abs(p);
    if (denom > 0) acc[6]! += (2 * ae) / denom;
    acc[7]! += y;
  }
  const count = acc[0]!;
  const mapeCount = acc[4]!;
  if (count === 0) {
    return { count: 0, mae: NaN, rmse: NaN, mape: NaN, mapeSkipped: 0, wape: NaN, smape: NaN, r2: NaN };
  }
  // Second pass for SST around the mean: Σ(y − ȳ)² is exact where Σy² − nȳ² cancels.
  const meanY = acc[7]! / count;
  const sst = new Float64Array(1);
  for (let i = 0; i < n; i++) {
    const y = actual[i]!;
    const p = predicted[i]!;
    if (!Number.isFinite(y) || !Number.isFinite(p)) continue;
    const d = y - meanY;
    sst[0]! += d * d;
  }
  const sse = acc[2]!;
  return {
    count,
    mae: acc[1]! / count,
    rmse: Math.sqrt(sse / count),
    mape: mapeCount > 0 ? acc[3]! / mapeCount : NaN,
    mapeSkipped: count - mapeCount,
    wape: acc[5]! > 0 ? acc[1]! / acc[5]! : NaN,
    smape: acc[6]! / count,
    r2: sst[0]! > 0 ? 1 - sse / sst[0]! : NaN,
  };
}

/** Scores of yes/no predictions at one threshold, plus the threshold-free ROC-AUC. */
export interface ClassificationMetrics {
  /** Pairs used (actual and probability both finite). */
  readonly count: number;
  /** Actual positives among the used pairs. */
  readonly positives: number;
  /** Probability at or above which a prediction counts as "yes". */
  readonly threshold: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly trueNegatives: number;
  readonly falseNegatives: number;
  /** (TP + TN) / count; NaN when count = 0. */
  readonly accuracy: number;
  /** TP / (TP + FP); NaN when nothing is predicted positive. */
  readonly precision: number;
  /** TP / (TP + FN); NaN when there is no actual positive. */
  readonly recall: number;
  /** 2TP / (2TP + FP + FN); NaN when there is neither an actual nor a predicted positive. */
  readonly f1: number;
  /** Area under the ROC curve (rank-based, ties get their average rank); NaN when one class is absent. */
  readonly rocAuc: number;
}

/**
 * Classification scores of `probability` (in [0, 1]) against `actual01`
 * (0 or 1; any value ≥ 0.5 counts as 1). A probability ≥ `threshold` is a
 * "yes". Pairs with a non-finite actual or probability are skipped.
 */
export function classificationMetrics(
  actual01: ArrayLike<number>,
  probability: ArrayLike<number>,
  threshold = 0.5,
): ClassificationMetrics {
  checkSameLength(actual01, probability, 'classificationMetrics');
  const { labels, scores } = finitePairs(actual01, probability);
  const count = labels.length;
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < count; i++) {
    const positive = labels[i] === 1;
    const predictedPositive = scores[i]! >= threshold;
    if (positive && predictedPositive) tp++;
    else if (positive) fn++;
    else if (predictedPositive) fp++;
    else tn++;
  }
  const positives = tp + fn;
  return {
    count,
    positives,
    threshold,
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: tn,
    falseNegatives: fn,
    accuracy: count > 0 ? (tp + tn) / count : NaN,
    precision: tp + fp > 0 ? tp / (tp + fp) : NaN,
    recall: positives > 0 ? tp / positives : NaN,
    f1: 2 * tp + fp + fn > 0 ? (2 * tp) / (2 * tp + fp + fn) : NaN,
    rocAuc: rankAuc(labels, scores),
  };
}

/** One point of a ROC curve: rates in [0, 1] when predicting "yes" at probability ≥ `threshold`. */
export interface RocPoint {
  /** False-positive rate FP / negatives. */
  readonly fpr: number;
  /** True-positive rate TP / positives. */
  readonly tpr: number;
  /** Probability cut-off of this point; +Infinity for the (0, 0) start. */
  readonly threshold: number;
}

/**
 * ROC curve of `probability` against `actual01` (same conventions as
 * {@link classificationMetrics}): one point per distinct probability, from
 * (0, 0) at threshold +Infinity to (1, 1) at the smallest probability,
 * fpr and tpr non-decreasing. Longer curves are downsampled evenly by
 * index to `maxPoints` (≥ 2), keeping both ends. Empty when one class is
 * absent (the curve is undefined, as ROC-AUC is NaN).
 */
export function rocCurve(actual01: ArrayLike<number>, probability: ArrayLike<number>, maxPoints = 101): RocPoint[] {
  checkSameLength(actual01, probability, 'rocCurve');
  const { labels, scores } = finitePairs(actual01, probability);
  const n = labels.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i]!;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return [];

  const order = sortedOrder(scores, 'descending');
  const points: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n; ) {
    const cut = scores[order[k]!]!;
    // Every pair tied at this probability flips to "yes" together.
    while (k < n && scores[order[k]!]! === cut) {
      if (labels[order[k]!] === 1) tp++;
      else fp++;
      k++;
    }
    points.push({ fpr: fp / negatives, tpr: tp / positives, threshold: cut });
  }
  return downsampleEvenly(points, Math.max(2, Math.floor(maxPoints)));
}

/** Errors of one series (or segment, category) on the hold-out. */
export interface SeriesMetrics {
  /** Position in `groupLabels`. */
  readonly group: number;
  readonly label: string;
  /** Pairs used (both finite). */
  readonly count: number;
  /** Mean absolute error, target units; NaN when count = 0. */
  readonly mae: number;
  /** Root mean squared error, target units; NaN when count = 0. */
  readonly rmse: number;
  /** Σ|e| / Σ|y| (fraction); NaN when Σ|y| = 0. */
  readonly wape: number;
  /** Mean of 2|e| / (|y| + |ŷ|) (fraction); NaN when count = 0. */
  readonly smape: number;
  /** Mean of ŷ − y: positive means over-prediction, target units; NaN when count = 0. */
  readonly bias: number;
  /** Mean actual, target units; NaN when count = 0. */
  readonly meanActual: number;
}

/**
 * Regression errors per group (series, segment or category). `groupIndex[i]`
 * is the position in `groupLabels` of pair i; pairs whose index is outside
 * the labels (e.g. −1) or whose values are not finite are skipped. Returns
 * one entry per label, in label order, including groups with count 0 (NaN
 * metrics) so rows line up with the labels; filter on `count` to hide them.
 */
export function perSeriesMetrics(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  groupIndex: Int32Array,
  groupLabels: readonly string[],
): SeriesMetrics[] {
  checkSameLength(actual, predicted, 'perSeriesMetrics');
  if (groupIndex.length !== actual.length) {
    throw new RangeError(`perSeriesMetrics: ${groupIndex.length} group indices for ${actual.length} values`);
  }
  const groups = groupLabels.length;
  const count = new Float64Array(groups);
  const sumAbs = new Float64Array(groups);
  const sumSq = new Float64Array(groups);
  const sumAbsY = new Float64Array(groups);
  const sumSmape = new Float64Array(groups);
  const sumErr = new Float64Array(groups);
  const sumY = new Float64Array(groups);
  for (let i = 0; i < actual.length; i++) {
    const g = groupIndex[i]!;
    if (g < 0 || g >= groups) continue;
    const y = actual[i]!;
    const p = predicted[i]!;
    if (!Number.isFinite(y) || !Number.isFinite(p)) continue;
    const e = p - y;
    const ae = Math.abs(e);
    const denom = Math.abs(y) + Math.abs(p);
    count[g]! += 1;
    sumAbs[g]! += ae;
    sumSq[g]! += e * e;
    sumAbsY[g]! += Math.abs(y);
    if (denom > 0) sumSmape[g]! += (2 * ae) / denom;
    sumErr[g]! += e;
    sumY[g]! += y;
  }
  return groupLabels.map((label, g) => {
    const n = count[g]!;
    return {
      group: g,
      label,
      count: n,
      mae: n > 0 ? sumAbs[g]! / n : NaN,
      rmse: n > 0 ? Math.sqrt(sumSq[g]! / n) : NaN,
      wape: sumAbsY[g]! > 0 ? sumAbs[g]! / sumAbsY[g]! : NaN,
      smape: n > 0 ? sumSmape[g]! / n : NaN,
      bias: n > 0 ? sumErr[g]! / n : NaN,
      meanActual: n > 0 ? sumY[g]! / n : NaN,
    };
  });
}

// ---------------------------------------------------------------------------
// Helpers

function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>, where: string): void {
  if (a.length !== b.length) throw new RangeError(`${where}: ${a.length} actuals but ${b.length} predictions`);
}

/** Finite (label, score) pairs; labels as 0/1 (≥ 0.5 is positive). */
function finitePairs(actual01: ArrayLike<number>, probability: ArrayLike<number>): { labels: Uint8Array; scores: Float64Array } {
  let n = 0;
  for (let i = 0; i < actual01.length; i++) {
    if (Number.isFinite(actual01[i]!) && Number.isFinite(probability[i]!)) n++;
  }
  const labels = new Uint8Array(n);
  const scores = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < actual01.length; i++) {
    const y = actual01[i]!;
    const p = probability[i]!;
    if (!Number.isFinite(y) || !Number.isFinite(p)) continue;
    labels[k] = y >= 0.5 ? 1 : 0;
    scores[k] = p;
    k++;
  }
  return { labels, scores };
}

function sortedOrder(values: Float64Array, direction: 'ascending' | 'descending'): Uint32Array {
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const sign = direction === 'ascending' ? 1 : -1;
  order.sort((a, b) => sign * (values[a]! - values[b]!));
  return order;
}

/** Mann–Whitney AUC: (Σ ranks of positives − P(P+1)/2) / (P·N), tied scores sharing their average rank. */
function rankAuc(labels: Uint8Array, scores: Float64Array): number {
  const n = labels.length;
  const order = sortedOrder(scores, 'ascending');
  let positives = 0;
  const rankSum = new Float64Array(1);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]!] === scores[order[start]!]) end++;
    // Ranks start + 1 .. end (1-based) share their mean.
    const averageRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        rankSum[0]! += averageRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum[0]! - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** `maxPoints` items at evenly spaced indices, first and last included. */
function downsampleEvenly<T>(items: readonly T[], maxPoints: number): T[] {
  if (items.length <= maxPoints) return items.slice();
  const out: T[] = [];
  const last = items.length - 1;
  for (let k = 0; k < maxPoints; k++) out.push(items[Math.round((k * last) / (maxPoints - 1))]!);
  return out;
}
