import { useLayoutEffect, useRef, useState } from 'react';
import { ChartFrame } from './ChartFrame';
import { linearScale, niceTicks, paddedDomain } from './scale';

export interface CurvePoint {
  readonly label: string;
  readonly x: number;
  readonly mean: number;
  readonly band: [number, number];
  readonly error: [number, number];
}

const HEIGHT = 170;
const MARGIN = { top: 8, right: 12, bottom: 22, left: 58 };
/** Width before the first measurement (and in a test DOM without layout). */
const FALLBACK_WIDTH = 360;
const leverFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 3 });

/** The element's content width, kept current with a ResizeObserver. */
function useWidth(ref: React.RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(FALLBACK_WIDTH);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === 'undefined') return;
    const measure = (w: number) => {
      if (w > 0) setWidth(Math.round(w));
    };
    measure(element.clientWidth);
    const observer = new ResizeObserver((entries) => measure(entries[0]?.contentRect.width ?? 0));
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

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
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  const plotRight = Math.max(MARGIN.left + 40, width - MARGIN.right);
  const plotBottom = HEIGHT - MARGIN.bottom;
  const [y0, y1] = paddedDomain(points.flatMap((p) => [p.band[0], p.band[1], p.mean]));
  const y = linearScale(y0, y1, plotBottom, MARGIN.top);
  const yTicks = niceTicks(y0, y1, 4);

  let xAt: (p: CurvePoint, k: number) => number;
  let xTicks: { at: number; label: string }[];
  let slot = 0;
  if (categorical) {
    slot = (plotRight - MARGIN.left) / Math.max(1, points.length);
    xAt = (_, k) => MARGIN.left + slot * (k + 0.5);
    xTicks = points.map((p, k) => ({ at: xAt(p, k), label: p.label }));
  } else {
    const first = points[0]?.x ?? 0;
    const last = points.at(-1)?.x ?? 1;
    const x = linearScale(first, last, MARGIN.left, plotRight);
    xAt = (p) => x(p.x);
    xTicks = niceTicks(first, last, Math.max(2, Math.min(6, Math.floor((plotRight - MARGIN.left) / 60)))).map((v) => ({ at: x(v), label: leverFormat.format(v) }));
  }

  const currentX = (() => {
    if (current === null) return null;
    if (categorical) {
      const k = points.findIndex((p) => p.label === String(current));
      return k < 0 ? null : xAt(points[k]!, k);
    }
    if (typeof current !== 'number' || points.length < 2) return null;
    return linearScale(points[0]!.x, points.at(-1)!.x, MARGIN.left, plotRight)(current);
  })();
  const last = points.at(-1);
  const extrapolation = !categorical && props.extrapolateFrom !== null && last && last.x > props.extrapolateFrom ? linearScale(points[0]!.x, last.x, MARGIN.left, plotRight)(props.extrapolateFrom) : null;

  const line = points.map((p, k) => `${k === 0 ? 'M' : 'L'}${xAt(p, k).toFixed(1)},${y(p.mean).toFixed(1)}`).join('');
  const band = `${points.map((p, k) => `${k === 0 ? 'M' : 'L'}${xAt(p, k).toFixed(1)},${y(p.band[1]).toFixed(1)}`).join('')}${points
    .map((p, k) => ({ p, k }))
    .reverse()
    .map(({ p, k }) => `L${xAt(p, k).toFixed(1)},${y(p.band[0]).toFixed(1)}`)
    .join('')}Z`;

  return (
    <ChartFrame title={props.title} className="curve">
      <div ref={box} className="curve-box">
        <svg width={width} height={HEIGHT} role="img" aria-label={props.title} className="chart-svg curve-svg">
          {extrapolation !== null && (
            <g className="curve-extrapolation">
              <rect x={extrapolation} y={MARGIN.top} width={Math.max(0, plotRight - extrapolation)} height={plotBottom - MARGIN.top} fill="#f1f3f5" fillOpacity={0.8} />
              <text x={(extrapolation + plotRight) / 2} y={MARGIN.top + 11} textAnchor="middle" fontSize={10} fill="#868e96">
                {props.extrapolationLabel}
              </text>
            </g>
          )}
          <g className="curve-grid-lines" stroke="#e9ecef" strokeDasharray="3 3">
            {yTicks.map((v) => (
              <line key={`y${v}`} x1={MARGIN.left} x2={plotRight} y1={y(v)} y2={y(v)} />
            ))}
            {!categorical &&
              xTicks.map((t) => (
                <line key={`x${t.at}`} x1={t.at} x2={t.at} y1={MARGIN.top} y2={plotBottom} />
              ))}
          </g>
          <g className="curve-axis" fontSize={11} fill="#666">
            <line x1={MARGIN.left} x2={plotRight} y1={plotBottom} y2={plotBottom} stroke="#666" />
            <line x1={MARGIN.left} x2={MARGIN.left} y1={MARGIN.top} y2={plotBottom} stroke="#666" />
            {yTicks.map((v) => (
              <text key={`y${v}`} x={MARGIN.left - 4} y={y(v)} textAnchor="end" dominantBaseline="middle">
                {formatValue(v)}
              </text>
            ))}
            {xTicks.map((t) => (
              // A label at either end of the axis stays inside the chart.
              <text key={`x${t.at}`} x={t.at} y={plotBottom + 14} textAnchor={!categorical && t.at > plotRight - 20 ? 'end' : 'middle'}>
                {t.label}
              </text>
            ))}
          </g>
          {categorical ? (
            <g className="curve-bars">
              {points.map((p, k) => {
                const cx = xAt(p, k);
                const w = Math.min(48, slot * 0.6);
                const top = y(Math.max(p.mean, y0));
                return (
                  <g key={p.label}>
                    <rect x={cx - w / 2} y={top} width={w} height={Math.max(0, plotBottom - top)} fill="#748ffc" />
                    <path d={`M${cx},${y(p.band[0])}V${y(p.band[1])}M${cx - 3},${y(p.band[0])}H${cx + 3}M${cx - 3},${y(p.band[1])}H${cx + 3}`} stroke="#495057" fill="none" />
                  </g>
                );
              })}
            </g>
          ) : (
            <>
              <path className="curve-band" d={band} fill="#ffd8a8" fillOpacity={0.6} stroke="none" />
              <path className="curve-mean" d={line} fill="none" stroke="#d9480f" strokeWidth={1.5} />
            </>
          )}
          {currentX !== null && <line className="curve-current" x1={currentX} x2={currentX} y1={MARGIN.top} y2={plotBottom} stroke="#1d2330" strokeWidth={1.5} />}
        </svg>
      </div>
    </ChartFrame>
  );
}
