/**
 * Split-conformal prediction intervals: the absolute residuals of a
 * calibration set (the validation split, never seen in training) give a
 * half-width q such that, for exchangeable data, a new point falls in
 * [ŷ − q, ŷ + q] with probability at least `coverage`.
 *
 * Space: residuals may be computed in model space (transformed and
 * standardised target) or in original units — the caller chooses and must
 * build the bounds in the same space. Promocast computes them in model
 * space and maps ŷ ± q back through the inverse target transform, so the
 * intervals of rates stay in [0, 1] and those of counts stay ≥ 0 (and are
 * asymmetric in original units, as they should be).
 */

/**
 * Absolute residuals |actual − predicted| (same length, same space). A pair
 * with a non-finite value gives NaN, which {@link conformalQuantile} skips.
 */
export function absoluteResiduals(actual: ArrayLike<number>, predicted: ArrayLike<number>): Float64Array {
  if (actual.length !== predicted.length) {
    throw new RangeError(`absoluteResiduals: ${actual.length} actuals but ${predicted.length} predictions`);
  }
  const out = new Float64Array(actual.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.abs(actual[i]! - predicted[i]!);
  return out;
}

/**
 * The split-conformal half-width: the ⌈(n + 1) · coverage⌉-th smallest of
 * the n finite absolute residuals (values are taken as |r|; NaN and ±Infinity
 * are skipped and not counted in n). +Infinity when n is too small for that
 * rank to exist (n < coverage / (1 − coverage), e.g. fewer than 9 residuals
 * at 90 %): an honest "unbounded" rather than an interval that under-covers.
 * `coverage` must lie strictly between 0 and 1. Units: those of the residuals.
 */
export function conformalQuantile(absResiduals: ArrayLike<number>, coverage = 0.9): number {
  if (!(coverage > 0 && coverage < 1)) throw new RangeError(`conformalQuantile: coverage ${coverage} is not in (0, 1)`);
  const finite: number[] = [];
  for (let i = 0; i < absResiduals.length; i++) {
    const r = absResiduals[i]!;
    if (Number.isFinite(r)) finite.push(Math.abs(r));
  }
  const n = finite.length;
  // The epsilon keeps e.g. (9 + 1) · 0.7 = 7.000000000000001 at rank 7, not 8.
  const rank = Math.max(1, Math.ceil((n + 1) * coverage - 1e-9));
  if (rank > n) return Infinity;
  const sorted = Float64Array.from(finite).sort();
  return sorted[rank - 1]!;
}

/**
 * Symmetric bounds prediction ± halfWidth, element-wise, in the space of
 * `predicted` (map them through the inverse transform afterwards when that
 * is model space; the transforms are monotone so the order is kept).
 */
export function conformalBounds(predicted: ArrayLike<number>, halfWidth: number): { lower: Float64Array; upper: Float64Array } {
  const lower = new Float64Array(predicted.length);
  const upper = new Float64Array(predicted.length);
  for (let i = 0; i < predicted.length; i++) {
    lower[i] = predicted[i]! - halfWidth;
    upper[i] = predicted[i]! + halfWidth;
  }
  return { lower, upper };
}

/**
 * Share of actuals inside their interval, lower ≤ actual ≤ upper (a fraction
 * in [0, 1]; bounds may be ±Infinity). Points with a non-finite actual or a
 * NaN bound are skipped; NaN when none is left. The reported test coverage
 * is a metric in its own right: it should be near the nominal coverage.
 */
export function intervalCoverage(actual: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>): number {
  if (lower.length !== actual.length || upper.length !== actual.length) {
    throw new RangeError(`intervalCoverage: ${actual.length} actuals, ${lower.length} lower and ${upper.length} upper bounds`);
  }
  let used = 0;
  let inside = 0;
  for (let i = 0; i < actual.length; i++) {
    const y = actual[i]!;
    const lo = lower[i]!;
    const hi = upper[i]!;
    if (!Number.isFinite(y) || Number.isNaN(lo) || Number.isNaN(hi)) continue;
    used++;
    if (lo <= y && y <= hi) inside++;
  }
  return used > 0 ? inside / used : NaN;
}
