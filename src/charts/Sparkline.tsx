import type { HistogramBin } from '../data/types';

/** A tiny bar histogram for a table cell; decorative (the numbers are in the row). */
export function Sparkline({ bins, width = 96, height = 24 }: { bins: readonly HistogramBin[]; width?: number; height?: number }) {
  if (bins.length === 0) return null;
  const max = Math.max(...bins.map((b) => b.count), 1);
  const w = width / bins.length;
  return (
    <svg width={width} height={height} aria-hidden="true" className="sparkline">
      {bins.map((b, k) => {
        const h = b.count === 0 ? 0 : Math.max(1, (b.count / max) * height);
        return <rect key={k} x={k * w + 0.5} y={height - h} width={Math.max(1, w - 1)} height={h} />;
      })}
    </svg>
  );
}
