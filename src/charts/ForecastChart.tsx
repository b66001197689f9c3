import { useMemo } from 'react';
import { ChartFrame } from './ChartFrame';
import { Area, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface ForecastPoint {
  readonly time: number;
  readonly actual: number | null;
  readonly predicted: number | null;
  /** [lower, upper] of the interval band. */
  readonly band: [number, number] | null;
  /** A comparison line (e.g. no promotion). */
  readonly noPromotion?: number | null;
}

const MARGIN = { top: 8, right: 16, bottom: 8, left: 8 };
const X_DOMAIN = ['dataMin', 'dataMax'];
const Y_DOMAIN = ['auto', 'auto'];

interface FixedProps {
  readonly formatTime: (t: number) => string;
  readonly formatValue: (v: number) => string;
  readonly actual: string;
  readonly predicted: string;
  readonly interval: string;
  readonly noPromotion: string | undefined;
}

function FixedParts({ formatTime, formatValue, actual, predicted, interval, noPromotion }: FixedProps) {
  return (
    <>
      <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" />
      <XAxis dataKey="time" type="number" domain={X_DOMAIN} tickFormatter={formatTime} scale="linear" />
      <YAxis tickFormatter={formatValue} width={64} domain={Y_DOMAIN} />
      <Tooltip labelFormatter={(t) => formatTime(Number(t))} formatter={(v) => (Array.isArray(v) ? v.map((x) => formatValue(Number(x))).join(' – ') : formatValue(Number(v)))} />
      <Legend />
      <Area dataKey="band" name={interval} stroke="none" fill="#ffd8a8" fillOpacity={0.6} isAnimationActive={false} />
      <Line dataKey="actual" name={actual} stroke="#495057" dot={false} strokeWidth={1} isAnimationActive={false} />
      <Line dataKey="predicted" name={predicted} stroke="#d9480f" dot={false} strokeWidth={1.5} isAnimationActive={false} />
      {noPromotion !== undefined && <Line dataKey="noPromotion" name={noPromotion} stroke="#868e96" strokeDasharray="5 4" dot={false} isAnimationActive={false} />}
    </>
  );
}

/** Actual vs predicted over time with the interval band and the split boundaries marked. */
export function ForecastChart(props: {
  points: readonly ForecastPoint[];
  markers: readonly { readonly time: number; readonly label: string }[];
  formatTime: (t: number) => string;
  formatValue: (v: number) => string;
  labels: { title: string; actual: string; predicted: string; interval: string; noPromotion?: string };
  height?: number;
}) {
  const { points, markers, formatTime, formatValue, labels } = props;
  // Axes, legend and series stay the same elements from one update to the next
  // (recharts re-registers each in its store whenever it renders).
  const { actual, predicted, interval, noPromotion } = labels;
  const fixed = useMemo(() => <FixedParts formatTime={formatTime} formatValue={formatValue} actual={actual} predicted={predicted} interval={interval} noPromotion={noPromotion} />, [formatTime, formatValue, actual, predicted, interval, noPromotion]);
  return (
    <ChartFrame title={labels.title}>
      <ResponsiveContainer width="100%" height={props.height ?? 260}>
        <ComposedChart data={points as ForecastPoint[]} margin={MARGIN}>
          {fixed}
          {markers.map((m) => (
            <ReferenceLine key={m.label} x={m.time} stroke="#868e96" strokeDasharray="4 4" label={{ value: m.label, position: 'insideTopLeft', fontSize: 11 }} />
          ))}
        </ComposedChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}
