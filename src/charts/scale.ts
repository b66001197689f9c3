/**
 * Axis arithmetic for the charts drawn as plain SVG (the live what-if
 * curves): "nice" tick values and a linear map from data to pixels.
 */

/** Round tick values (1, 2, 2.5 or 5 × 10^k apart) inside [min, max], as close to `count` of them as such steps allow. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min > max) [min, max] = [max, min];
  if (min === max) return [min];
  const magnitude = Math.floor(Math.log10((max - min) / Math.max(1, count - 1)));
  const fits = (step: number) => Math.floor(max / step + 1e-9) - Math.ceil(min / step - 1e-9) + 1;
  let best = 0;
  for (const k of [magnitude - 1, magnitude, magnitude + 1]) {
    for (const m of [1, 2, 2.5, 5]) {
      const step = m * 10 ** k;
      // Closest count wins; on a tie, the wider step (fewer labels to crowd the axis).
      if (best === 0 || Math.abs(fits(step) - count) <= Math.abs(fits(best) - count)) best = step;
    }
  }
  const first = Math.ceil(min / best - 1e-9);
  const last = Math.floor(max / best + 1e-9);
  const ticks: number[] = [];
  for (let i = first; i <= last; i++) {
    const tick = Number((i * best).toPrecision(12));
    // A span tiny against the values' size rounds neighbours together: one tick for them.
    if (tick !== ticks.at(-1)) ticks.push(tick);
  }
  return ticks;
}

/** A domain padded by `share` of its span on each side (a flat series gets ±`share` of its magnitude, or ±1). */
export function paddedDomain(values: readonly number[], share = 0.05): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  const span = hi - lo || Math.abs(hi) || 1;
  return [lo - span * share, hi + span * share];
}

/** The linear map taking [d0, d1] onto [r0, r1] (a zero-width domain maps to the range's middle). */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0;
  if (span === 0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / span;
  return (v) => r0 + (v - d0) * k;
}
