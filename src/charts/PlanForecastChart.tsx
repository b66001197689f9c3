import { useRef } from 'react';
import { ChartFrame } from './ChartFrame';
import type { ForecastPoint } from './ForecastChart';
import { linearScale, niceTicks, paddedDomain } from './scale';
import { Axes, bandPath, linePath, useWidth, type Plot } from './svgParts';

const MARGIN = { top: 8, right: 16, bottom: 24, left: 64 };
/** Pixels per date label at least. */
const LABEL_WIDTH = 110;

interface Labels {
  readonly title: string;
  readonly actual: string;
  readonly predicted: string;
  readonly interval: string;
  readonly noPromotion: string;
}

/** Runs of consecutive points with a finite value (a line breaks where the value is missing). */
function segments(xs: readonly number[], ys: readonly (number | null | undefined)[]): [number, number][][] {
  const out: [number, number][][] = [];
  let run: [number, number][] = [];
  ys.forEach((v, k) => {
    if (v === null || v === undefined || !Number.isFinite(v)) {
      if (run.length > 0) out.push(run);
      run = [];
    } else run.push([xs[k]!, v]);
  });
  if (run.length > 0) out.push(run);
  return out;
}

/**
 * A plan's forecast per day: the prediction with its 90 % band, no promotion
 * dashed, and the actual values where the plan lies inside the data. Plain
 * SVG like the response curves (it redraws with every slider answer); each
 * day's values are in a tooltip on its point.
 */
export function PlanForecastChart({ points, formatTime, formatValue, labels, height = 220 }: { points: readonly ForecastPoint[]; formatTime: (t: number) => string; formatValue: (v: number) => string; labels: Labels; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  const plot: Plot = { left: MARGIN.left, right: Math.max(MARGIN.left + 40, width - MARGIN.right), top: MARGIN.top, bottom: height - MARGIN.bottom };
  const values = points.flatMap((p) => [p.predicted, p.actual, p.noPromotion, ...(p.band ?? [])]).filter((v): v is number => typeof v === 'number');
  const [y0, y1] = paddedDomain(values);
  const y = linearScale(y0, y1, plot.bottom, plot.top);
  const x = linearScale(points[0]?.time ?? 0, points.at(-1)?.time ?? 1, plot.left, plot.right);
  const every = Math.max(1, Math.ceil(points.length / Math.max(1, Math.floor((plot.right - plot.left) / LABEL_WIDTH))));
  const xTicks = points.filter((_, k) => k % every === 0).map((p) => ({ at: x(p.time), label: formatTime(p.time) }));
  const yTicks = niceTicks(y0, y1, 5).map((v) => ({ at: y(v), label: formatValue(v) }));
  const xs = points.map((p) => x(p.time));
  const line = (values: readonly (number | null | undefined)[]) =>
    segments(xs, values.map((v) => (typeof v === 'number' ? y(v) : null)))
      .map((run) => linePath(run))
      .join('');
  const banded = points.filter((p) => p.band !== null && Number.isFinite(p.band[0]) && Number.isFinite(p.band[1]));
  const tip = (p: ForecastPoint) =>
    [
      formatTime(p.time),
      `${labels.predicted}: ${p.predicted === null ? '—' : formatValue(p.predicted)}${p.band && Number.isFinite(p.band[0]) ? ` (${labels.interval} ${formatValue(p.band[0])} – ${formatValue(p.band[1])})` : ''}`,
      ...(p.noPromotion !== null && p.noPromotion !== undefined ? [`${labels.noPromotion}: ${formatValue(p.noPromotion)}`] : []),
      ...(p.actual !== null && Number.isFinite(p.actual) ? [`${labels.actual}: ${formatValue(p.actual)}`] : []),
    ].join('\n');
  const legend = [
    { key: 'interval', label: labels.interval, style: { background: '#ffd8a8' } },
    { key: 'predicted', label: labels.predicted, style: { background: '#d9480f', height: 2 } },
    { key: 'none', label: labels.noPromotion, style: { borderTop: '2px dashed #868e96', height: 0 } },
    ...(points.some((p) => p.actual !== null && Number.isFinite(p.actual)) ? [{ key: 'actual', label: labels.actual, style: { background: '#495057', height: 2 } }] : []),
  ];
  return (
    <ChartFrame title={labels.title}>
      <div ref={box} className="chart-box">
        <svg width={width} height={height} role="img" aria-label={labels.title} className="chart-svg">
          <Axes plot={plot} xTicks={xTicks} yTicks={yTicks} xGrid fontSize={12} />
          <path className="forecast-band" d={bandPath(banded.map((p) => [x(p.time), y(p.band![1])]), banded.map((p) => [x(p.time), y(p.band![0])]))} fill="#ffd8a8" fillOpacity={0.6} stroke="none" />
          <path className="forecast-none" d={line(points.map((p) => p.noPromotion))} fill="none" stroke="#868e96" strokeDasharray="5 4" />
          <path className="forecast-actual" d={line(points.map((p) => p.actual))} fill="none" stroke="#495057" />
          <path className="forecast-predicted" d={line(points.map((p) => p.predicted))} fill="none" stroke="#d9480f" strokeWidth={1.5} />
          {points.map((p) =>
            p.predicted === null || !Number.isFinite(p.predicted) ? null : (
              <circle key={p.time} cx={x(p.time)} cy={y(p.predicted)} r={points.length > 14 ? 2 : 3} fill="#d9480f">
                <title>{tip(p)}</title>
              </circle>
            ),
          )}
        </svg>
      </div>
      <ul className="chart-legend" aria-hidden="true">
        {legend.map((l) => (
          <li key={l.key}>
            <span className="swatch" style={l.style} />
            {l.label}
          </li>
        ))}
      </ul>
    </ChartFrame>
  );
}
