import { chooseRidgeLambda, fitRidge, predictRidge, windowsToRidgeInputs, type RidgeModel } from './baselines';
import { conformalQuantile, intervalCoverage } from './conformal';
import { fromModelSpace } from './features';
import { classificationMetrics, perSeriesMetrics, regressionMetrics, rocCurve, type ClassificationMetrics, type RegressionMetrics, type RocPoint } from './metrics';
import type { Dataset, FeatureSpec, Windows } from './types';

/** The models compared on the test period. */
export type ModelName = 'lstm' | 'naive' | 'seasonal_naive' | 'linear';
export const MODEL_NAMES: readonly ModelName[] = ['lstm', 'naive', 'seasonal_naive', 'linear'];

export interface ModelScore {
  readonly model: ModelName;
  readonly regression: RegressionMetrics;
  /** Yes/no targets only. */
  readonly classification?: ClassificationMetrics;
}

export interface SegmentError {
  /** Series column (e.g. segment) and its value. */
  readonly column: string;
  readonly value: string;
  readonly count: number;
  readonly lstmWape: number;
  readonly linearWape: number;
  readonly naiveWape: number;
}

export interface HistogramBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/** What the Evaluate step shows; plain data. */
export interface EvaluationReport {
  readonly targetColumn: string;
  readonly targetKind: FeatureSpec['target']['kind'];
  readonly testCount: number;
  readonly scores: readonly ModelScore[];
  /** Share of test actuals inside the 90 % split-conformal interval. */
  readonly coverage90: number;
  /** Half-width of the 90 % interval in model space (from validation residuals). */
  readonly conformalQuantile90: number;
  readonly roc: readonly RocPoint[];
  readonly perSeries: readonly { readonly label: string; readonly count: number; readonly lstmWape: number; readonly naiveWape: number; readonly linearWape: number }[];
  readonly segments: readonly SegmentError[];
  /** LSTM test residuals (actual − predicted), original units. */
  readonly residualHistogram: readonly HistogramBin[];
}

/** Predictions of every model on one set of windows, original units. */
export interface ModelPredictions {
  readonly lstm: Float64Array;
  readonly naive: Float64Array;
  readonly seasonal_naive: Float64Array;
  readonly linear: Float64Array;
}

/** Model-space LSTM outputs → original units (probabilities stay probabilities). */
export function toOriginalUnits(spec: FeatureSpec, modelSpace: ArrayLike<number>): Float64Array {
  const out = new Float64Array(modelSpace.length);
  for (let i = 0; i < out.length; i++) out[i] = fromModelSpace(spec, modelSpace[i]!);
  return out;
}

/** The linear baseline: ridge on the same window features, penalty chosen on validation. */
export function fitLinearBaseline(train: Windows, valid: Windows): RidgeModel {
  const cols = 2 * train.featureCount;
  const trainX = windowsToRidgeInputs(train);
  if (valid.count === 0) return fitRidge(trainX, train.count, cols, train.y, 1);
  return chooseRidgeLambda(trainX, train.y, windowsToRidgeInputs(valid), valid.y, cols).model;
}

/** The linear baseline's predictions in original units (clipped to [0, 1] for yes/no). */
export function predictLinear(spec: FeatureSpec, model: RidgeModel, windows: Windows): Float64Array {
  const raw = predictRidge(model, windowsToRidgeInputs(windows), windows.count);
  const out = new Float64Array(windows.count);
  for (let i = 0; i < out.length; i++) {
    const m = raw[i]!;
    out[i] = spec.target.kind === 'binary' ? Math.min(1, Math.max(0, m)) : fromModelSpace(spec, m);
  }
  return out;
}

/** Naive forecasts with a fallback for windows that have no observed history. */
function withFallback(values: Float64Array, fallback: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! === values[i]! ? values[i]! : fallback;
  return out;
}

function histogram(values: ArrayLike<number>, bins = 30): HistogramBin[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) return Number.isFinite(lo) ? [{ from: lo, to: lo, count: values.length }] : [];
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]!++;
  }
  return counts.map((count, k) => ({ from: lo + k * width, to: lo + (k + 1) * width, count }));
}

function wapeOf(actual: ArrayLike<number>, predicted: ArrayLike<number>, keep: (i: number) => boolean): { wape: number; count: number } {
  let err = 0;
  let tot = 0;
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    if (!keep(i)) continue;
    const y = actual[i]!;
    const p = predicted[i]!;
    if (!Number.isFinite(y) || !Number.isFinite(p)) continue;
    err += Math.abs(y - p);
    tot += Math.abs(y);
    count++;
  }
  return { wape: tot > 0 ? err / tot : NaN, count };
}

/**
 * Scores the LSTM and the baselines on the test windows (horizon 1), builds
 * the 90 % split-conformal interval from validation residuals (model space,
 * mapped back so rates stay in [0, 1]) and its test coverage, and the
 * per-series / per-segment breakdowns.
 */
export function evaluate(input: {
  readonly dataset: Dataset;
  readonly test: Windows;
  readonly testPredictions: ModelPredictions;
  /** LSTM validation outputs in model space, for the conformal quantile. */
  readonly validModelSpace: Float32Array;
  readonly valid: Windows;
  /** LSTM test outputs in model space. */
  readonly testModelSpace: Float32Array;
}): EvaluationReport {
  const { dataset, test, testPredictions: p } = input;
  const spec = dataset.spec;
  const binary = spec.target.kind === 'binary';
  const scores: ModelScore[] = MODEL_NAMES.map((model) => ({
    model,
    regression: regressionMetrics(test.actual, p[model]),
    ...(binary ? { classification: classificationMetrics(test.actual, p[model]) } : {}),
  }));

  const residuals = new Float64Array(input.valid.count);
  for (let i = 0; i < residuals.length; i++) residuals[i] = Math.abs(input.valid.y[i]! - input.validModelSpace[i]!);
  const q90 = binary ? NaN : conformalQuantile(residuals, 0.9);
  let coverage90 = NaN;
  if (!binary && Number.isFinite(q90)) {
    const lower = new Float64Array(test.count);
    const upper = new Float64Array(test.count);
    for (let i = 0; i < test.count; i++) {
      lower[i] = fromModelSpace(spec, input.testModelSpace[i]! - q90);
      upper[i] = fromModelSpace(spec, input.testModelSpace[i]! + q90);
    }
    coverage90 = intervalCoverage(test.actual, lower, upper);
  }

  const labels = dataset.series.map((s) => s.label);
  const lstmSeries = perSeriesMetrics(test.actual, p.lstm, test.series, labels);
  const naiveSeries = perSeriesMetrics(test.actual, p.naive, test.series, labels);
  const linearSeries = perSeriesMetrics(test.actual, p.linear, test.series, labels);
  const perSeries = lstmSeries
    .filter((s) => s.count > 0)
    .map((s) => ({ label: s.label, count: s.count, lstmWape: s.wape, naiveWape: naiveSeries[s.group]?.wape ?? NaN, linearWape: linearSeries[s.group]?.wape ?? NaN }));

  const segments: SegmentError[] = [];
  spec.seriesColumns.forEach((column, c) => {
    const values = Array.from(new Set(dataset.series.map((s) => s.keys[c] ?? ''))).sort();
    for (const value of values) {
      const keep = (i: number) => dataset.series[test.series[i]!]?.keys[c] === value;
      const lstm = wapeOf(test.actual, p.lstm, keep);
      if (lstm.count === 0) continue;
      segments.push({ column, value, count: lstm.count, lstmWape: lstm.wape, linearWape: wapeOf(test.actual, p.linear, keep).wape, naiveWape: wapeOf(test.actual, p.naive, keep).wape });
    }
  });

  const residualValues = new Float64Array(test.count);
  for (let i = 0; i < test.count; i++) residualValues[i] = test.actual[i]! - p.lstm[i]!;

  return {
    targetColumn: spec.target.column,
    targetKind: spec.target.kind,
    testCount: test.count,
    scores,
    coverage90,
    conformalQuantile90: q90,
    roc: binary ? rocCurve(test.actual, p.lstm) : [],
    perSeries,
    segments,
    residualHistogram: histogram(residualValues),
  };
}

/** Naive and seasonal-naive forecasts with the training mean where a window has no history. */
export function naivePredictions(windows: Windows, trainMean: number): { naive: Float64Array; seasonal_naive: Float64Array } {
  return { naive: withFallback(windows.naive, trainMean), seasonal_naive: withFallback(windows.seasonalNaive, trainMean) };
}
