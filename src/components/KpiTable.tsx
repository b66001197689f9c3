import { memo } from 'react';
import { formatNumber, formatPercent } from '../lib/i18n';
import { useLocale, useT } from '../state/i18n';
import type { ScenarioView } from '../state/whatIfView';

/** Orders, revenue, discount cost, ad spend, profit and ROI: the plan against no promotion. Memoised: a slider input re-renders the step, not this table (its view changes with the answer). */
export const KpiTable = memo(function KpiTable({ view }: { view: ScenarioView }) {
  const t = useT();
  const locale = useLocale();
  const money = (v: number | null) => (v === null ? '—' : formatNumber(locale, v, 0));
  const rows: { key: string; label: string; plan: number | null; none: number | null; format: (v: number | null) => string }[] = [
    { key: 'orders', label: t('kpi.orders'), plan: view.kpis.orders, none: view.noPromotionKpis.orders, format: money },
    { key: 'revenue', label: t('kpi.revenue'), plan: view.kpis.revenue, none: view.noPromotionKpis.revenue, format: money },
    { key: 'discountCost', label: t('kpi.discountCost'), plan: view.kpis.discountCost, none: view.noPromotionKpis.discountCost, format: money },
    { key: 'adSpend', label: t('kpi.adSpend'), plan: view.kpis.adSpend, none: view.noPromotionKpis.adSpend, format: money },
    { key: 'profit', label: t('kpi.profit'), plan: view.kpis.profit, none: view.noPromotionKpis.profit, format: money },
  ].filter((r) => r.plan !== null);
  return (
    <table className="data-table kpis">
      <caption>{t('kpi.caption')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('kpi.metric')}</th>
          <th scope="col">{t('kpi.plan')}</th>
          <th scope="col">{t('kpi.none')}</th>
          <th scope="col">{t('kpi.difference')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <th scope="row">{r.label}</th>
            <td className="num">{r.format(r.plan)}</td>
            <td className="num">{r.format(r.none)}</td>
            <td className="num">{r.plan !== null && r.none !== null ? `${r.plan - r.none >= 0 ? '+' : ''}${r.format(r.plan - r.none)}` : '—'}</td>
          </tr>
        ))}
        <tr>
          <th scope="row">{t('kpi.roi')}</th>
          <td className="num" colSpan={3}>
            {view.roi === null ? '—' : formatPercent(locale, view.roi)}
          </td>
        </tr>
      </tbody>
    </table>
  );
});
