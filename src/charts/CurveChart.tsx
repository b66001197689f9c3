import { useRef } from 'react';
import { formatNumber } from '../lib/i18n';
import { useLocale } from '../state/i18n';
import { ChartFrame } from './ChartFrame';
import { linearScale, niceTicks, paddedDomain } from './scale';
import { Axes, bandPath, linePath, useWidth, type Plot } from './svgParts';

export interface CurvePoint {
  readonly label: string;
  readonly x: number;
  readonly mean: number;
  readonly band: [number, number];
  readonly error: [number, number];
}

const HEIGHT = 170;
const MARGIN = { top: 8, right: 12, bottom: 22, left: 58 };

/**
 * One lever's response curve: the outcome across the lever with its band (a
 * numeric lever) or a bar with error bars per value (a categorical one), the
 * current value marked, the extrapolated range shaded.
 *
 * Drawn as plain SVG, not with recharts: these charts redraw on every slider
 * answer, and a recharts chart costs 10–20 ms of main thread per update
 * (re-registering its axes and data in its store), several times what the
 * whole answer may take.
 */
export function CurveChart(props: {
  title: string;
  points: readonly CurvePoint[];
  categorical: boolean;
  current: number | string | null;
  extrapolateFrom: number | null;
  extrapolationLabel: string;
  formatValue: (v: number) => string;
}) {
  const { points, categorical, current, formatValue } = props;
  const locale = useLocale();
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  const plot: Plot = { left: MARGIN.left, right: Math.max(MARGIN.left + 40, width - MARGIN.right), top: MARGIN.top, bottom: HEIGHT - MARGIN.bottom };
  const [y0, y1] = paddedDomain(points.flatMap((p) => [p.band[0], p.band[1], p.mean]));
  const y = linearScale(y0, y1, plot.bottom, plot.top);
  const yTicks = niceTicks(y0, y1, 4).map((v) => ({ at: y(v), label: formatValue(v) }));

  const first = points[0]?.x ?? 0;
  const last = points.at(-1);
  const slot = (plot.right - plot.left) / Math.max(1, points.length);
  const xNumeric = linearScale(first, last?.x ?? 1, plot.left, plot.right);
  const xAt = (p: CurvePoint, k: number) => (categorical ? plot.left + slot * (k + 0.5) : xNumeric(p.x));
  const xTicks = categorical
    ? points.map((p, k) => ({ at: xAt(p, k), label: p.label }))
    : niceTicks(first, last?.x ?? 1, Math.max(2, Math.min(6, Math.floor((plot.right - plot.left) / 60)))).map((v) => ({ at: xNumeric(v), label: formatNumber(locale, v) }));

  let currentX: number | null = null;
  if (categorical && current !== null) {
    const k = points.findIndex((p) => p.label === String(current));
    if (k >= 0) currentX = xAt(points[k]!, k);
  } else if (typeof current === 'number' && points.length >= 2) currentX = xNumeric(current);
  // Points without a value (no interval: a model without validation residuals) are left out of the paths.
  const finite = points.filter((p) => Number.isFinite(p.mean));
  const banded = finite.filter((p) => Number.isFinite(p.band[0]) && Number.isFinite(p.band[1]));
  const extrapolation = !categorical && props.extrapolateFrom !== null && last && last.x > props.extrapolateFrom ? xNumeric(props.extrapolateFrom) : null;

  return (
    <ChartFrame title={props.title} className="curve">
      <div ref={box} className="chart-box">
        <svg width={width} height={HEIGHT} role="img" aria-label={props.title} className="chart-svg">
          {extrapolation !== null && (
            <g className="curve-extrapolation">
              <rect x={extrapolation} y={plot.top} width={Math.max(0, plot.right - extrapolation)} height={plot.bottom - plot.top} fill="#f1f3f5" fillOpacity={0.8} />
              <text x={(extrapolation + plot.right) / 2} y={plot.top + 11} textAnchor="middle" fontSize={10} fill="#868e96">
                {props.extrapolationLabel}
              </text>
            </g>
          )}
          <Axes plot={plot} xTicks={xTicks} yTicks={yTicks} xGrid={!categorical} inside={!categorical} />
          {categorical ? (
            <g className="curve-bars">
              {points.map((p, k) => {
                if (!Number.isFinite(p.mean)) return null;
                const cx = xAt(p, k);
                const w = Math.min(48, slot * 0.6);
                // Bars grow from 0 where the axis shows it, else from the axis' end nearer 0.
                const base = y(Math.min(y1, Math.max(y0, 0)));
                const top = y(p.mean);
                return (
                  <g key={p.label}>
                    <rect x={cx - w / 2} y={Math.min(top, base)} width={w} height={Math.abs(base - top)} fill="#748ffc" />
                    {Number.isFinite(p.band[0]) && Number.isFinite(p.band[1]) && <path d={`M${cx},${y(p.band[0])}V${y(p.band[1])}M${cx - 3},${y(p.band[0])}H${cx + 3}M${cx - 3},${y(p.band[1])}H${cx + 3}`} stroke="#495057" fill="none" />}
                  </g>
                );
              })}
            </g>
          ) : (
            <>
              <path className="curve-band" d={bandPath(banded.map((p) => [xNumeric(p.x), y(p.band[1])]), banded.map((p) => [xNumeric(p.x), y(p.band[0])]))} fill="#ffd8a8" fillOpacity={0.6} stroke="none" />
              <path className="curve-mean" d={linePath(finite.map((p) => [xNumeric(p.x), y(p.mean)]))} fill="none" stroke="#d9480f" strokeWidth={1.5} />
            </>
          )}
          {currentX !== null && <line className="curve-current" x1={currentX} x2={currentX} y1={plot.top} y2={plot.bottom} stroke="#1d2330" strokeWidth={1.5} />}
        </svg>
      </div>
    </ChartFrame>
  );
}
