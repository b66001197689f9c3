import { memo } from 'react';
import { LineChart, Line, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatDay, formatNumber, formatPercent } from '../lib/i18n';
import { useLocale, useT } from '../state/i18n';
import { useAppStore } from '../state/store';
import { scenarioView } from '../state/whatIfView';
import { ChartFrame } from '../charts/ChartFrame';
import { downloadCsv } from '../charts/exportChart';

const COLORS = ['#d9480f', '#1971c2', '#2b8a3e', '#862e9c', '#e67700', '#495057'];

/** Saved scenarios side by side: a table of their settings and KPIs, and their forecasts overlaid. Memoised: a slider move does not redraw it. */
export const ScenarioCompare = memo(function ScenarioCompare() {
  const t = useT();
  const locale = useLocale();
  const context = useAppStore((s) => s.whatIfContext);
  const saved = useAppStore((s) => s.savedScenarios);
  const remove = useAppStore((s) => s.removeScenario);
  const aov = useAppStore((s) => s.averageOrderValue);
  const margin = useAppStore((s) => s.margin);
  if (!context || saved.length === 0) return null;
  const rate = context.spec.target.kind === 'rate';
  const format = (v: number | null) => (v === null || !Number.isFinite(v) ? '—' : rate ? formatPercent(locale, v) : formatNumber(locale, v, 2));
  const views = saved.map((s) => ({ saved: s, view: scenarioView(context, s.scenario, s.result, { averageOrderValue: aov, margin }) }));
  const horizon = Math.max(...views.map((v) => v.view.forecast.length));
  const chart = Array.from({ length: horizon }, (_, d) => Object.fromEntries([['day', d + 1], ...views.map((v) => [v.saved.name, v.view.forecast[d]?.target ?? null])]));
  return (
    <div className="scenarios">
      <table className="data-table">
        <caption>{t('scenario.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('scenario.name')}</th>
            <th scope="col">{t('whatif.context')}</th>
            <th scope="col">{t('whatif.start')}</th>
            <th scope="col">{t('scenario.levers')}</th>
            <th scope="col">{context.spec.target.column}</th>
            <th scope="col">{t('kpi.orders')}</th>
            <th scope="col">{t('kpi.profit')}</th>
            <th scope="col">{t('kpi.roi')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('scenario.remove')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {views.map(({ saved: s, view }) => (
            <tr key={s.name}>
              <th scope="row">{s.name}</th>
              <td>{s.scenario.context.kind === 'series' ? context.seriesLabels[s.scenario.context.index] : s.scenario.context.kind === 'all' ? t('whatif.allSeries') : s.scenario.context.value}</td>
              <td>
                {formatDay(locale, s.scenario.startDay)} · {s.scenario.horizon}d
              </td>
              <td className="small">
                {Object.entries(s.scenario.levers)
                  .map(([k, v]) => `${k}=${typeof v === 'number' ? formatNumber(locale, v) : v}`)
                  .join(', ')}
              </td>
              <td className="num">{format(view.kpis.target)}</td>
              <td className="num">{view.kpis.orders === null ? '—' : formatNumber(locale, view.kpis.orders, 0)}</td>
              <td className="num">{view.kpis.profit === null ? '—' : formatNumber(locale, view.kpis.profit, 0)}</td>
              <td className="num">{view.roi === null ? '—' : formatPercent(locale, view.roi)}</td>
              <td>
                <button type="button" className="button small" aria-label={t('scenario.removeNamed', { name: s.name })} onClick={() => remove(s.name)}>
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button
        type="button"
        className="button small"
        onClick={() => {
          const levers = context.spec.levers;
          const rows = views.map(({ saved: s, view }) => [s.name, s.scenario.context.kind === 'series' ? context.seriesLabels[s.scenario.context.index] : s.scenario.context.kind === 'all' ? 'all' : s.scenario.context.value, new Date(s.scenario.startDay * 86_400_000).toISOString().slice(0, 10), s.scenario.horizon, s.scenario.promoStart + 1, s.scenario.promoDuration, ...levers.map((l) => s.scenario.levers[l] ?? null), view.kpis.target, view.kpis.targetLower, view.kpis.targetUpper, view.kpis.orders, view.kpis.revenue, view.kpis.profit, view.roi]);
          downloadCsv('promocast-scenarios.csv', ['scenario', 'context', 'start', 'horizon', 'promo_start_day', 'promo_days', ...levers, context.spec.target.column, 'lower_90', 'upper_90', 'orders', 'revenue', 'profit', 'roi'], rows);
        }}
      >
        {t('export.scenarios')}
      </button>
      <ChartFrame title={t('scenario.chart')}>
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={chart} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e9ecef" />
            <XAxis dataKey="day" />
            <YAxis tickFormatter={(v: number) => format(v)} width={64} domain={['auto', 'auto']} />
            <Tooltip formatter={(v) => format(Number(v))} />
            <Legend />
            {views.map((v, k) => (
              <Line key={v.saved.name} dataKey={v.saved.name} stroke={COLORS[k % COLORS.length]!} dot={false} isAnimationActive={false} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </ChartFrame>
    </div>
  );
});
