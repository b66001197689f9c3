import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFrame } from './ChartFrame';

export interface DriftPoint {
  /** First day of the week (day number). */
  readonly day: number;
  readonly before: number;
  readonly after: number;
}

/** Error over time, one point per week, for the model before and after an update; the held-out days are shaded by a marker line. */
export function DriftChart({ points, holdoutFrom, formatDay, labels }: { points: readonly DriftPoint[]; holdoutFrom: number; formatDay: (day: number) => string; labels: { title: string; before: string; after: string } }) {
  const percent = (v: number) => `${(v * 100).toFixed(1)} %`;
  return (
    <ChartFrame title={labels.title}>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={points as DriftPoint[]} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" />
          <XAxis dataKey="day" type="number" domain={['dataMin', 'dataMax']} tickFormatter={formatDay} />
          <YAxis tickFormatter={percent} width={56} />
          <Tooltip labelFormatter={(d) => (typeof d === 'number' ? formatDay(d) : String(d))} formatter={(v) => (typeof v === 'number' ? percent(v) : String(v))} />
          <Legend />
          <Line type="monotone" dataKey="before" name={labels.before} stroke="#adb5bd" dot={false} isAnimationActive={false} />
          <Line type="monotone" dataKey="after" name={labels.after} stroke="#1c7ed6" dot={(p: { cx?: number; cy?: number; payload?: DriftPoint }) => (p.payload && p.payload.day + 6 >= holdoutFrom ? <circle key={p.payload.day} cx={p.cx} cy={p.cy} r={3} fill="#1c7ed6" /> : <g key={p.payload?.day} />)} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}
