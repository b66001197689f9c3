/**
 * Pieces of the charts drawn as plain SVG (the what-if charts, which redraw
 * on every slider answer): the measured width, axes with grid lines, and
 * paths for a line and a band.
 */
import { useLayoutEffect, useState, type RefObject } from 'react';

/** Width before the first measurement (and in a test DOM without layout). */
const FALLBACK_WIDTH = 360;

/** The element's content width, kept current with a ResizeObserver. */
export function useWidth(ref: RefObject<HTMLElement | null>): number {
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

/** The plot area inside the SVG, in pixels. */
export interface Plot {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

export interface Tick {
  /** Pixel position along the axis. */
  readonly at: number;
  readonly label: string;
}

/**
 * Both axes with their tick labels and dashed grid lines (vertical ones only
 * when `xGrid`); `inside` keeps an x label near either end of the axis inside
 * the chart (off for category labels, which sit in the middle of their slots).
 */
// Ticks are keyed by their place in the list: a new domain moves the same elements instead of making new ones.
export function Axes({ plot, xTicks, yTicks, xGrid, inside = true, fontSize = 11 }: { plot: Plot; xTicks: readonly Tick[]; yTicks: readonly Tick[]; xGrid: boolean; inside?: boolean; fontSize?: number }) {
  return (
    <>
      <g className="chart-grid-lines" stroke="#e9ecef" strokeDasharray="3 3">
        {yTicks.map((t, k) => (
          <line key={`y${k}`} x1={plot.left} x2={plot.right} y1={t.at} y2={t.at} />
        ))}
        {xGrid &&
          xTicks.map((t, k) => (
            <line key={`x${k}`} x1={t.at} x2={t.at} y1={plot.top} y2={plot.bottom} />
          ))}
      </g>
      <g className="chart-axis" fontSize={fontSize} fill="#666">
        <line x1={plot.left} x2={plot.right} y1={plot.bottom} y2={plot.bottom} stroke="#666" />
        <line x1={plot.left} x2={plot.left} y1={plot.top} y2={plot.bottom} stroke="#666" />
        {yTicks.map((t, k) => (
          <text key={`y${k}`} x={plot.left - 4} y={t.at} textAnchor="end" dominantBaseline="middle">
            {t.label}
          </text>
        ))}
        {xTicks.map((t, k) => (
          <text key={`x${k}`} x={t.at} y={plot.bottom + fontSize + 3} textAnchor={inside && t.at > plot.right - 20 ? 'end' : inside && t.at < plot.left + 20 ? 'start' : 'middle'}>
            {t.label}
          </text>
        ))}
      </g>
    </>
  );
}

/** An SVG path through the points (x, y), skipping none. */
export function linePath(points: readonly (readonly [number, number])[]): string {
  return points.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`).join('');
}

/** A closed SVG path between an upper and a lower line over the same x positions. */
export function bandPath(upper: readonly (readonly [number, number])[], lower: readonly (readonly [number, number])[]): string {
  if (upper.length === 0) return '';
  const back = [...lower].reverse().map(([x, y]) => `L${x.toFixed(1)},${y.toFixed(1)}`).join('');
  return `${linePath(upper)}${back}Z`;
}
