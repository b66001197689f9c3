import { ChartFrame } from './ChartFrame';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

/** ROC curve with the chance diagonal. */
export function RocChart(props: { title: string; points: readonly { fpr: number; tpr: number }[]; labels: { fpr: string; tpr: string } }) {
  const data = props.points.map((p) => ({ fpr: p.fpr, tpr: p.tpr, chance: p.fpr }));
  return (
    <ChartFrame title={props.title}>
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 16, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" />
          <XAxis dataKey="fpr" type="number" domain={[0, 1]} label={{ value: props.labels.fpr, position: 'insideBottom', offset: -8 }} />
          <YAxis domain={[0, 1]} label={{ value: props.labels.tpr, angle: -90, position: 'insideLeft' }} />
          <Tooltip formatter={(v) => Number(v).toFixed(3)} />
          <Line dataKey="chance" stroke="#adb5bd" strokeDasharray="4 4" dot={false} isAnimationActive={false} />
          <Line dataKey="tpr" stroke="#d9480f" dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}
