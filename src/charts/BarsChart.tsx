import { ChartFrame } from './ChartFrame';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface BarSeries {
  readonly key: string;
  readonly name: string;
  readonly color: string;
}

/** Horizontal bars per category: feature importance, error by segment. */
export function BarsChart(props: { title: string; rows: readonly Record<string, string | number>[]; categoryKey: string; bars: readonly BarSeries[]; formatValue: (v: number) => string }) {
  const { title, rows, categoryKey, bars, formatValue } = props;
  const height = Math.max(140, 28 * rows.length + 60);
  return (
    <ChartFrame title={title}>
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={rows as Record<string, string | number>[]} layout="vertical" margin={{ top: 4, right: 16, bottom: 4, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" horizontal={false} />
          <XAxis type="number" tickFormatter={formatValue} />
          <YAxis type="category" dataKey={categoryKey} width={150} tick={{ fontSize: 12 }} />
          <Tooltip formatter={(v) => formatValue(Number(v))} />
          {bars.length > 1 && <Legend />}
          {bars.map((b) => (
            <Bar key={b.key} dataKey={b.key} name={b.name} fill={b.color} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}
