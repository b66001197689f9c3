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
  return (
    <ChartFrame title={labels.title}>
      <ResponsiveContainer width="100%" height={props.height ?? 260}>
        <ComposedChart data={points as ForecastPoint[]} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" />
          <XAxis dataKey="time" type="number" domain={['dataMin', 'dataMax']} tickFormatter={formatTime} scale="linear" />
          <YAxis tickFormatter={formatValue} width={64} domain={['auto', 'auto']} />
          <Tooltip labelFormatter={(t) => formatTime(Number(t))} formatter={(v) => (Array.isArray(v) ? v.map((x) => formatValue(Number(x))).join(' – ') : formatValue(Number(v)))} />
          <Legend />
          <Area dataKey="band" name={labels.interval} stroke="none" fill="#ffd8a8" fillOpacity={0.6} isAnimationActive={false} />
          <Line dataKey="actual" name={labels.actual} stroke="#495057" dot={false} strokeWidth={1} isAnimationActive={false} />
          <Line dataKey="predicted" name={labels.predicted} stroke="#d9480f" dot={false} strokeWidth={1.5} isAnimationActive={false} />
          {labels.noPromotion !== undefined && <Line dataKey="noPromotion" name={labels.noPromotion} stroke="#868e96" strokeDasharray="5 4" dot={false} isAnimationActive={false} />}
          {markers.map((m) => (
            <ReferenceLine key={m.label} x={m.time} stroke="#868e96" strokeDasharray="4 4" label={{ value: m.label, position: 'insideTopLeft', fontSize: 11 }} />
          ))}
        </ComposedChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}
