import { ChartFrame } from './ChartFrame';
import { Area, Bar, CartesianGrid, ComposedChart, ErrorBar, Line, ReferenceArea, ReferenceLine, ResponsiveContainer, XAxis, YAxis } from 'recharts';

export interface CurvePoint {
  readonly label: string;
  readonly x: number;
  readonly mean: number;
  readonly band: [number, number];
  readonly error: [number, number];
}

/** One lever's response curve: the outcome across the lever with its band, the current value marked. */
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
  const data = points.map((p) => ({ ...p, error: [p.mean - p.band[0], p.band[1] - p.mean] }));
  const last = points.at(-1);
  return (
    <ChartFrame title={props.title} className="curve">
      <ResponsiveContainer width="100%" height={170}>
        <ComposedChart data={data} margin={{ top: 6, right: 10, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" />
          {categorical ? <XAxis dataKey="label" tick={{ fontSize: 11 }} interval={0} /> : <XAxis dataKey="x" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 11 }} tickFormatter={(v: number) => v.toLocaleString()} />}
          <YAxis tickFormatter={formatValue} width={56} tick={{ fontSize: 11 }} domain={['auto', 'auto']} />
          {categorical ? (
            <Bar dataKey="mean" fill="#748ffc" isAnimationActive={false}>
              <ErrorBar dataKey="error" width={6} stroke="#495057" />
            </Bar>
          ) : (
            <>
              <Area dataKey="band" stroke="none" fill="#ffd8a8" fillOpacity={0.6} isAnimationActive={false} />
              <Line dataKey="mean" stroke="#d9480f" dot={false} strokeWidth={1.5} isAnimationActive={false} />
            </>
          )}
          {!categorical && props.extrapolateFrom !== null && last && last.x > props.extrapolateFrom && (
            <ReferenceArea x1={props.extrapolateFrom} x2={last.x} fill="#f1f3f5" fillOpacity={0.8} label={{ value: props.extrapolationLabel, fontSize: 10, position: 'insideTop' }} />
          )}
          {current !== null && <ReferenceLine x={current} stroke="#1d2330" strokeWidth={1.5} />}
        </ComposedChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}
