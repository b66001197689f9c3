/**
 * Baselines trained on the same split as the LSTM, so the analyst sees
 * whether the sequence model earns its keep:
 * - naive and seasonal naive: already computed per window
 *   (`Windows.naive`, `Windows.seasonalNaive`); {@link fillNaive} patches
 *   the windows that have no history;
 * - a ridge regression ("linear model on the same features") on a summary
 *   of each window ({@link windowsToRidgeInputs}).
 *
 * Pure TypeScript; all linear algebra in float64.
 */
import type { Windows } from './types';

/**
 * A fitted ridge regression, plain JSON: ŷ = intercept + Σ weights[j] · x[j].
 * Units of ŷ are those of the `y` it was fitted on (model space when fitted
 * on `Windows.y`).
 */
export interface RidgeModel {
  /** One weight per input column. */
  weights: number[];
  /** Unpenalised intercept. */
  intercept: number;
  /** Penalty the model was fitted with. */
  lambda: number;
}

/** Validation score of one candidate penalty. */
export interface RidgeLambdaScore {
  readonly lambda: number;
  /** Mean squared error on the validation rows with a finite target and prediction; NaN if none. */
  readonly mse: number;
}

/** Sufficient statistics of a centred design: XcᵀXc, Xcᵀyc and the means. */
interface Gram {
  readonly cols: number;
  /** Rows used (finite target and features). */
  readonly rows: number;
  /** [cols × cols] row-major. */
  readonly xtx: Float64Array;
  readonly xty: Float64Array;
  readonly xMean: Float64Array;
  readonly yMean: number;
}

/**
 * Ridge regression in closed form: w = (XcᵀXc + λI)⁻¹ Xcᵀyc on centred
 * columns and target, so the intercept ȳ − Σ wⱼ x̄ⱼ is not penalised; solved
 * by Cholesky in float64.
 *
 * - `x`: [rows × cols] row-major; `y`: length `rows`.
 * - Rows whose target or any feature is not finite are left out.
 * - The penalty acts on the scale of the columns, so pass standardised
 *   features (the windows' features are).
 * - With λ = 0 and collinear or constant columns the system is singular; a
 *   tiny ridge (relative 1e-10 of the mean diagonal, growing if needed) is
 *   added so a minimum-norm-like answer still comes out.
 *
 * Throws (a bug in the caller) when the sizes disagree or no row is usable.
 */
export function fitRidge(x: Float32Array | Float64Array, rows: number, cols: number, y: ArrayLike<number>, lambda = 1): RidgeModel {
  return solveRidge(centredGram(x, rows, cols, y), lambda);
}

/**
 * Predictions of a ridge model for `rows` rows of `x` ([rows × cols]
 * row-major, cols = `model.weights.length`), in the units of the target it
 * was fitted on. A row with a non-finite feature predicts NaN.
 */
export function predictRidge(model: RidgeModel, x: Float32Array | Float64Array, rows: number): Float64Array {
  const cols = model.weights.length;
  if (x.length !== rows * cols) throw new RangeError(`predictRidge: ${x.length} values for ${rows} rows × ${cols} columns`);
  const w = Float64Array.from(model.weights);
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = model.intercept;
    const base = r * cols;
    for (let c = 0; c < cols; c++) s += w[c]! * x[base + c]!;
    out[r] = s;
  }
  return out;
}

/**
 * Picks the ridge penalty with the lowest validation MSE among
 * `candidates` (the first one wins a tie; a candidate whose MSE is NaN never
 * wins unless all are NaN, then the first is kept). `trainX`/`validX` are
 * [rows × cols] row-major, row counts taken from their lengths. Returns the
 * chosen penalty, the model fitted on the training rows only (refit on
 * train + validation if wanted), and every candidate's score. XᵀX is built
 * once and reused for every candidate.
 */
export function chooseRidgeLambda(
  trainX: Float32Array | Float64Array,
  trainY: ArrayLike<number>,
  validX: Float32Array | Float64Array,
  validY: ArrayLike<number>,
  cols: number,
  candidates: readonly number[] = [0.01, 0.1, 1, 10, 100],
): { lambda: number; model: RidgeModel; scores: RidgeLambdaScore[] } {
  if (candidates.length === 0) throw new RangeError('chooseRidgeLambda: no candidate penalty');
  const trainRows = rowCount(trainX, cols, 'trainX');
  const validRows = rowCount(validX, cols, 'validX');
  if (validY.length !== validRows) throw new RangeError(`chooseRidgeLambda: ${validY.length} validation targets for ${validRows} rows`);
  const gram = centredGram(trainX, trainRows, cols, trainY);
  const scores: RidgeLambdaScore[] = [];
  let best: { lambda: number; model: RidgeModel; mse: number } | null = null;
  for (const lambda of candidates) {
    const model = solveRidge(gram, lambda);
    const mse = meanSquaredError(validY, predictRidge(model, validX, validRows));
    scores.push({ lambda, mse });
    if (best === null || (!(best.mse <= mse) && !Number.isNaN(mse))) best = { lambda, model, mse };
  }
  // `best` is set on the first iteration; the non-null assertion is for the compiler.
  return { lambda: best!.lambda, model: best!.model, scores };
}

/**
 * The ridge baseline's inputs from model windows: per window, the features
 * at the last step followed by each feature's mean over the window, i.e.
 * [count × (2 · featureCount)] row-major float32. Flattening the whole
 * window ([count × windowLength · featureCount]) would give the linear model
 * far too many columns for long windows; last + mean keeps the current
 * levers and calendar plus a summary of the recent history (ad stock, past
 * discounts, lags). Column j < featureCount is feature j at the last step;
 * column featureCount + j is feature j's window mean, skipping non-finite
 * values (NaN if none is finite). With windowLength 1 the two halves are
 * equal, which the ridge penalty copes with.
 */
export function windowsToRidgeInputs(w: Windows): Float32Array {
  const { count, windowLength: steps, featureCount: f } = w;
  if (w.x.length !== count * steps * f) {
    throw new RangeError(`windowsToRidgeInputs: x has ${w.x.length} values for ${count} × ${steps} × ${f}`);
  }
  const out = new Float32Array(count * 2 * f);
  const sum = new Float64Array(f);
  const seen = new Float64Array(f);
  for (let i = 0; i < count; i++) {
    sum.fill(0);
    seen.fill(0);
    const windowBase = i * steps * f;
    for (let t = 0; t < steps; t++) {
      const stepBase = windowBase + t * f;
      for (let j = 0; j < f; j++) {
        const v = w.x[stepBase + j]!;
        if (Number.isFinite(v)) {
          sum[j]! += v;
          seen[j]! += 1;
        }
      }
    }
    const lastBase = windowBase + (steps - 1) * f;
    const outBase = i * 2 * f;
    for (let j = 0; j < f; j++) {
      out[outBase + j] = steps > 0 ? w.x[lastBase + j]! : NaN;
      out[outBase + f + j] = seen[j]! > 0 ? sum[j]! / seen[j]! : NaN;
    }
  }
  return out;
}

/**
 * A copy of `pred` (e.g. `Windows.naive`, original units) with every
 * non-finite entry (NaN, ±Infinity: windows with no earlier observation)
 * replaced by `fallback` (the training mean of the target), and how many
 * entries were replaced. The input is not modified.
 */
export function fillNaive(pred: Float64Array, fallback: number): { values: Float64Array; filled: number } {
  const values = new Float64Array(pred.length);
  let filled = 0;
  for (let i = 0; i < pred.length; i++) {
    const v = pred[i]!;
    if (Number.isFinite(v)) values[i] = v;
    else {
      values[i] = fallback;
      filled++;
    }
  }
  return { values, filled };
}

// ---------------------------------------------------------------------------
// Linear algebra

function rowCount(x: Float32Array | Float64Array, cols: number, name: string): number {
  if (!(cols > 0) || x.length % cols !== 0) throw new RangeError(`chooseRidgeLambda: ${name} has ${x.length} values, not a multiple of ${cols} columns`);
  return x.length / cols;
}

function rowUsable(x: Float32Array | Float64Array, base: number, cols: number, y: number): boolean {
  if (!Number.isFinite(y)) return false;
  for (let c = 0; c < cols; c++) if (!Number.isFinite(x[base + c]!)) return false;
  return true;
}

/** Two passes: means, then the centred cross products (no Σx² − n·x̄² cancellation). */
function centredGram(x: Float32Array | Float64Array, rows: number, cols: number, y: ArrayLike<number>): Gram {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 1) {
    throw new RangeError(`fitRidge: bad shape ${rows} × ${cols}`);
  }
  if (x.length !== rows * cols) throw new RangeError(`fitRidge: ${x.length} values for ${rows} rows × ${cols} columns`);
  if (y.length !== rows) throw new RangeError(`fitRidge: ${y.length} targets for ${rows} rows`);

  const usable = new Uint8Array(rows);
  const xMean = new Float64Array(cols);
  const ySum = new Float64Array(1);
  let used = 0;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    if (!rowUsable(x, base, cols, y[r]!)) continue;
    usable[r] = 1;
    used++;
    ySum[0]! += y[r]!;
    for (let c = 0; c < cols; c++) xMean[c]! += x[base + c]!;
  }
  if (used === 0) throw new RangeError('fitRidge: no row with a finite target and finite features');
  for (let c = 0; c < cols; c++) xMean[c]! /= used;
  const yMean = ySum[0]! / used;

  const xtx = new Float64Array(cols * cols);
  const xty = new Float64Array(cols);
  const centred = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    if (usable[r] === 0) continue;
    const base = r * cols;
    for (let c = 0; c < cols; c++) centred[c] = x[base + c]! - xMean[c]!;
    const yc = y[r]! - yMean;
    for (let a = 0; a < cols; a++) {
      const va = centred[a]!;
      if (va === 0) continue;
      xty[a]! += va * yc;
      const rowA = a * cols;
      // Upper triangle only; mirrored below.
      for (let b = a; b < cols; b++) xtx[rowA + b]! += va * centred[b]!;
    }
  }
  for (let a = 0; a < cols; a++) for (let b = 0; b < a; b++) xtx[a * cols + b] = xtx[b * cols + a]!;
  return { cols, rows: used, xtx, xty, xMean, yMean };
}

function solveRidge(gram: Gram, lambda: number): RidgeModel {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`fitRidge: lambda ${lambda} must be a finite number ≥ 0`);
  const { cols, xtx, xty, xMean, yMean } = gram;
  let meanDiagonal = 0;
  for (let c = 0; c < cols; c++) meanDiagonal += xtx[c * cols + c]!;
  meanDiagonal /= cols;
  const scale = meanDiagonal > 0 ? meanDiagonal : 1;

  let jitter = 0;
  let weights: Float64Array | null = null;
  for (let attempt = 0; attempt < 12 && weights === null; attempt++) {
    const a = xtx.slice();
    for (let c = 0; c < cols; c++) a[c * cols + c]! += lambda + jitter;
    weights = choleskySolve(a, cols, xty);
    jitter = jitter === 0 ? scale * 1e-10 : jitter * 100;
  }
  if (weights === null) weights = new Float64Array(cols);

  let intercept = yMean;
  for (let c = 0; c < cols; c++) intercept -= weights[c]! * xMean[c]!;
  return { weights: Array.from(weights), intercept, lambda };
}

/**
 * Solves A w = b for symmetric positive-definite A ([n × n] row-major,
 * overwritten by its Cholesky factor). Null when A is not (numerically)
 * positive definite.
 */
function choleskySolve(a: Float64Array, n: number, b: Float64Array): Float64Array | null {
  let maxDiagonal = 0;
  for (let i = 0; i < n; i++) maxDiagonal = Math.max(maxDiagonal, a[i * n + i]!);
  const tiny = maxDiagonal * 1e-13;
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= a[j * n + k]! ** 2;
    if (!(d > tiny)) return null;
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = s / l;
    }
  }
  // L z = b, then Lᵀ w = z.
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= a[i * n + k]! * z[k]!;
    z[i] = s / a[i * n + i]!;
  }
  const w = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < n; k++) s -= a[k * n + i]! * w[k]!;
    w[i] = s / a[i * n + i]!;
  }
  return w;
}

function meanSquaredError(actual: ArrayLike<number>, predicted: Float64Array): number {
  const acc = new Float64Array(2);
  for (let i = 0; i < predicted.length; i++) {
    const e = predicted[i]! - actual[i]!;
    if (!Number.isFinite(e)) continue;
    acc[0]! += e * e;
    acc[1]! += 1;
  }
  return acc[1]! > 0 ? acc[0]! / acc[1]! : NaN;
}
