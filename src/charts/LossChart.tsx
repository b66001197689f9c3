import { ChartFrame } from './ChartFrame';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface LossPoint {
  readonly epoch: number;
  readonly train: number;
  readonly valid: number;
}

/** Training and validation loss per epoch (log scale when the range is wide). */
export function LossChart({ points, labels }: { points: readonly LossPoint[]; labels: { title: string; train: string; valid: string; epoch: string } }) {
  const values = points.flatMap((p) => [p.train, p.valid]).filter((v) => v > 0 && Number.isFinite(v));
  const log = values.length > 1 && Math.max(...values) / Math.min(...values) > 20;
  return (
    <ChartFrame title={labels.title}>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={points as LossPoint[]} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" />
          <XAxis dataKey="epoch" label={{ value: labels.epoch, position: 'insideBottomRight', offset: -4 }} allowDecimals={false} />
          <YAxis scale={log ? 'log' : 'auto'} domain={['auto', 'auto']} tickFormatter={(v: number) => v.toPrecision(2)} width={56} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toPrecision(4) : String(v))} />
          <Legend />
          <Line type="monotone" dataKey="train" name={labels.train} stroke="#748ffc" dot={false} isAnimationActive={false} />
          <Line type="monotone" dataKey="valid" name={labels.valid} stroke="#d9480f" dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}
