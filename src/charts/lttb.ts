/**
 * Largest-Triangle-Three-Buckets downsampling (S. Steinarsson, "Downsampling
 * Time Series for Visual Representation", 2013): keeps the points that
 * carry a line chart's shape — peaks, dips, turns — so a long series can be
 * drawn with a few hundred points. Pure TypeScript, no React.
 */

/**
 * Indices of the points to keep, increasing, so that `xs[i]`, `ys[i]` over
 * the result draw nearly the same line as the full series.
 *
 * - `xs`, `ys`: same length n, `xs` non-decreasing (e.g. day numbers).
 * - `threshold`: how many points to keep (floored). The first and last
 *   points are always kept; the n − 2 inner points are split into
 *   threshold − 2 buckets and from each the point forming the largest
 *   triangle with the previously kept point and the next bucket's mean is
 *   kept. The result has exactly `threshold` indices.
 * - threshold ≥ n, or threshold < 3: every index 0..n−1 (nothing to gain).
 * - A NaN y never wins its bucket unless the whole bucket is NaN (then the
 *   bucket's first point is kept), so gaps do not crowd out real points.
 */
export function lttb(xs: ArrayLike<number>, ys: ArrayLike<number>, threshold: number): Int32Array {
  const n = xs.length;
  if (ys.length !== n) throw new RangeError(`lttb: ${n} x values but ${ys.length} y values`);
  const keep = Math.floor(threshold);
  if (!(keep < n) || keep < 3) {
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }

  const out = new Int32Array(keep);
  const bucketSize = (n - 2) / (keep - 2);
  let a = 0;
  out[0] = 0;
  for (let bucket = 0; bucket < keep - 2; bucket++) {
    // Mean of the next bucket (the last point when this is the last bucket).
    const nextStart = Math.floor((bucket + 1) * bucketSize) + 1;
    const nextEnd = Math.min(Math.floor((bucket + 2) * bucketSize) + 1, n);
    let meanX = 0;
    let meanY = 0;
    let finite = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      const y = ys[j]!;
      if (!Number.isFinite(y)) continue;
      meanX += xs[j]!;
      meanY += y;
      finite++;
    }
    if (finite > 0) {
      meanX /= finite;
      meanY /= finite;
    } else {
      // A bucket of gaps: aim level from the kept point, at the bucket's first x.
      meanX = xs[Math.min(nextStart, n - 1)]!;
      meanY = Number.isFinite(ys[a]!) ? ys[a]! : 0;
    }

    const start = Math.floor(bucket * bucketSize) + 1;
    const end = Math.floor((bucket + 1) * bucketSize) + 1;
    const ax = xs[a]!;
    // A kept gap is treated as level with the target, so real points still compete.
    const ay = Number.isFinite(ys[a]!) ? ys[a]! : meanY;
    let chosen = start;
    let largest = -1;
    for (let j = start; j < end; j++) {
      // Twice the triangle's area; the factor ½ does not change the winner.
      const area = Math.abs((ax - meanX) * (ys[j]! - ay) - (ax - xs[j]!) * (meanY - ay));
      if (area > largest) {
        largest = area;
        chosen = j;
      }
    }
    out[bucket + 1] = chosen;
    a = chosen;
  }
  out[keep - 1] = n - 1;
  return out;
}
