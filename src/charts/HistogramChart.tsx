import { ChartFrame } from './ChartFrame';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

/** Vertical histogram of binned values. */
export function HistogramChart(props: { title: string; bins: readonly { from: number; to: number; count: number }[]; formatValue: (v: number) => string; countLabel: string }) {
  const rows = props.bins.map((b) => ({ mid: (b.from + b.to) / 2, count: b.count, range: `${props.formatValue(b.from)} – ${props.formatValue(b.to)}` }));
  return (
    <ChartFrame title={props.title}>
      <ResponsiveContainer width="100%" height={200}>
        <BarChart data={rows} margin={{ top: 4, right: 16, bottom: 4, left: 8 }} barCategoryGap={1}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" vertical={false} />
          <XAxis dataKey="mid" tickFormatter={(v: number) => props.formatValue(v)} />
          <YAxis allowDecimals={false} width={48} />
          <Tooltip labelFormatter={(_, payload) => String(payload?.[0]?.payload?.range ?? '')} formatter={(v) => [String(v), props.countLabel]} />
          <Bar dataKey="count" fill="#748ffc" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}
