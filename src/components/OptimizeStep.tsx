import type { Objective } from '../ml/planOptimizer';
import { formatNumber, formatPercent } from '../lib/i18n';
import { useLocale, useT } from '../state/i18n';
import { planGroupColumn } from '../state/slices/optimizeSlice';
import { useAppStore } from '../state/store';
import { useScenarioView } from '../state/useScenarioView';
import { downloadCsv } from '../charts/exportChart';

const OBJECTIVES: Objective[] = ['profit', 'revenue', 'orders'];

/** Step 5: the best plan per segment under a budget, against no promotion and the current scenario. */
export function OptimizeStep() {
  const t = useT();
  const locale = useLocale();
  const context = useAppStore((s) => s.whatIfContext);
  const settings = useAppStore((s) => s.optimizeSettings);
  const set = useAppStore((s) => s.setOptimizeSetting);
  const status = useAppStore((s) => s.optimizeStatus);
  const progress = useAppStore((s) => s.optimizeProgress);
  const result = useAppStore((s) => s.optimizeResult);
  const error = useAppStore((s) => s.optimizeError);
  const optimize = useAppStore((s) => s.optimize);
  const cancel = useAppStore((s) => s.cancelOptimize);
  const apply = useAppStore((s) => s.applyPlanRow);
  if (!context) return null;

  const promoLever = context.spec.levers.find((l) => context.leverRanges[l]?.kind === 'category');
  const promoRange = promoLever ? context.leverRanges[promoLever] : undefined;
  const types = promoRange?.kind === 'category' ? promoRange.values : [];
  const allowed = settings.allowedPromoTypes ?? types;
  const group = planGroupColumn(context.spec.seriesColumns, settings.groupColumn);
  const money = (v: number | null) => (v === null || !Number.isFinite(v) ? '—' : formatNumber(locale, v, 0));
  const objectiveValue = (o: { objective: number; lower: number; upper: number }) =>
    `${money(o.objective)} (${money(o.lower)} – ${money(o.upper)})`;
  const totals = result
    ? {
        plan: result.rows.reduce((s, r) => s + r.outcome.objective, 0),
        none: result.rows.reduce((s, r) => s + r.noPromotion.objective, 0),
      }
    : null;

  return (
    <section className="step" aria-labelledby="optimize-heading">
      <h2 id="optimize-heading">{t('opt.heading')}</h2>
      <p className="muted">{t('opt.intro')}</p>
      <fieldset className="settings" disabled={status === 'running'}>
        <legend>{t('opt.constraints')}</legend>
        <label>
          <span>{t('opt.objective')}</span>
          <select value={settings.objective} onChange={(e) => set('objective', e.target.value as Objective)}>
            {OBJECTIVES.map((o) => (
              <option key={o} value={o}>
                {t(`opt.objective.${o}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('opt.budget')}</span>
          <input type="number" min={0} step={1000} value={settings.totalAdBudget} onChange={(e) => set('totalAdBudget', Math.max(0, Number(e.target.value) || 0))} />
        </label>
        <label>
          <span>{t('opt.maxDiscount')}</span>
          <input type="number" min={0} max={100} step={5} value={settings.maxDiscountPct} onChange={(e) => set('maxDiscountPct', Math.min(100, Math.max(0, Number(e.target.value) || 0)))} />
        </label>
        {/* A cross-section has no time: a plan is one outcome, with no horizon or start to choose. */}
        {!context?.spec.crossSection && (
          <>
            <label>
              <span>{t('opt.horizon')}</span>
              <input type="number" min={1} max={28} value={settings.horizon} onChange={(e) => set('horizon', Math.min(28, Math.max(1, Math.round(Number(e.target.value) || 1))))} />
            </label>
            <label>
              <span>{t('opt.startFrom')}</span>
              <input type="number" min={1} max={settings.horizon} value={settings.startWindow[0] + 1} onChange={(e) => set('startWindow', [Math.max(0, Number(e.target.value) - 1), Math.max(settings.startWindow[1], Number(e.target.value) - 1)])} />
            </label>
            <label>
              <span>{t('opt.startTo')}</span>
              <input type="number" min={settings.startWindow[0] + 1} max={settings.horizon} value={settings.startWindow[1] + 1} onChange={(e) => set('startWindow', [settings.startWindow[0], Math.max(settings.startWindow[0], Number(e.target.value) - 1)])} />
            </label>
          </>
        )}
        <label>
          <span>{t('opt.minMargin')}</span>
          <input type="number" min={0} max={100} placeholder={t('opt.none')} value={settings.minMarginShare === null ? '' : Math.round(settings.minMarginShare * 100)} onChange={(e) => set('minMarginShare', e.target.value === '' ? null : Math.min(1, Math.max(0, Number(e.target.value) / 100)))} />
        </label>
        <label>
          <span>{t('opt.planBy')}</span>
          <select value={group} onChange={(e) => set('groupColumn', Number(e.target.value))}>
            <option value={-1}>{t('opt.eachSeries')}</option>
            {context.spec.seriesColumns.map((c, i) => (
              <option key={c} value={i}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('opt.serviceLevel')}</span>
          <input type="number" min={50} max={99.9} step={0.5} value={Math.round(settings.serviceLevel * 1000) / 10} onChange={(e) => set('serviceLevel', Math.min(0.999, Math.max(0.5, Number(e.target.value) / 100)))} />
        </label>
        {types.length > 0 && (
          <div className="checks" role="group" aria-label={t('opt.allowedTypes')}>
            <span>{t('opt.allowedTypes')}</span>
            {types.map((type) => (
              <label key={type} className="check">
                <input
                  type="checkbox"
                  checked={allowed.includes(type)}
                  onChange={(e) => set('allowedPromoTypes', e.target.checked ? [...allowed, type] : allowed.filter((x) => x !== type))}
                />
                {type}
              </label>
            ))}
          </div>
        )}
      </fieldset>
      <div className="actions">
        <button type="button" className="button primary" disabled={status === 'running'} onClick={() => void optimize()}>
          {t('opt.optimize')}
        </button>
        {status === 'running' && (
          <button type="button" className="button" onClick={cancel}>
            {t('data.cancel')}
          </button>
        )}
        {status === 'running' && (
          <span aria-live="polite">{progress ? t('opt.progress', { evaluated: progress.evaluated, phase: t(`opt.phase.${progress.phase}` as 'opt.phase.discount'), speed: formatNumber(locale, progress.plansPerSecond, 0) }) : t('opt.starting')}</span>
        )}
      </div>
      {error && (
        <div role="alert" className="alert error">
          <p>{error}</p>
        </div>
      )}
      {result && (
        <>
          <table className="data-table plan">
            <caption>{t('opt.plan')}</caption>
            <thead>
              <tr>
                <th scope="col">{group >= 0 ? context.spec.seriesColumns[group] : t('eval.series')}</th>
                {result.levers.promoType && <th scope="col">{result.levers.promoType}</th>}
                {result.levers.discount && <th scope="col">{t('opt.discount')}</th>}
                {result.levers.adSpend && <th scope="col">{t('opt.spendPerDay')}</th>}
                <th scope="col">{t('opt.timing')}</th>
                <th scope="col">{t(`opt.objective.${settings.objective}`)}</th>
                <th scope="col">{t('opt.uplift')}</th>
                <th scope="col">{t('kpi.roi')}</th>
                <th scope="col">{t('opt.units')}</th>
                <th scope="col">{t('opt.stock', { level: formatPercent(locale, settings.serviceLevel) })}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('opt.apply')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {result.rows.map((row) => (
                <tr key={row.label}>
                  <th scope="row">{row.label}</th>
                  {result.levers.promoType && <td>{row.candidate.promoType ?? '—'}</td>}
                  {result.levers.discount && <td className="num">{formatNumber(locale, row.candidate.discountPct, 1)} %</td>}
                  {result.levers.adSpend && <td className="num">{money(row.candidate.adSpendPerDay)}</td>}
                  <td>{row.candidate.promoDuration === 0 ? t('opt.noPromotion') : t('opt.days', { from: row.candidate.promoStart + 1, to: row.candidate.promoStart + row.candidate.promoDuration })}</td>
                  <td className="num">{objectiveValue(row.outcome)}</td>
                  <td className="num">{`${row.uplift >= 0 ? '+' : ''}${money(row.uplift)}`}</td>
                  <td className="num">{row.roi === null ? '—' : formatPercent(locale, row.roi)}</td>
                  <td className="num">{row.units === null ? '—' : money(row.units)}</td>
                  <td className="num">{row.stock === null ? '—' : money(row.stock)}</td>
                  <td>
                    <button
                      type="button"
                      className="button small"
                      aria-label={t('opt.applyNamed', { name: row.label })}
                      onClick={() => {
                        apply(row);
                        document.getElementById('whatif-heading')?.scrollIntoView({ behavior: 'smooth' });
                      }}
                    >
                      {t('opt.apply')}
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
              const rows = result.rows.map((r) => [
                r.label,
                r.candidate.promoType,
                r.candidate.discountPct,
                r.candidate.adSpendPerDay,
                r.candidate.promoStart + 1,
                r.candidate.promoDuration,
                r.outcome.objective,
                r.outcome.lower,
                r.outcome.upper,
                r.noPromotion.objective,
                r.uplift,
                r.roi,
                r.units,
                r.stock,
              ]);
              downloadCsv('promocast-plan.csv', ['group', 'promo_type', 'discount_pct', 'ad_spend_per_day', 'start_day', 'duration_days', settings.objective, 'lower_90', 'upper_90', 'no_promotion', 'uplift', 'roi', 'units', 'stock'], rows);
            }}
          >
            {t('export.plan')}
          </button>
          {totals && (
            <p className="verdict">
              {t('opt.summary', {
                plan: money(totals.plan),
                none: money(totals.none),
                spend: money(result.totalAdSpend),
                budget: money(settings.totalAdBudget),
                evaluated: result.evaluated,
                seconds: formatNumber(locale, result.seconds, 1),
              })}
              <CurrentObjective objective={settings.objective} money={money} />
            </p>
          )}
        </>
      )}
    </section>
  );
}

/**
 * The analyst's current what-if scenario on the objective, after the plan
 * summary. Its own component: it follows every slider move, the step does not.
 */
function CurrentObjective({ objective, money }: { objective: Objective; money: (v: number | null) => string }) {
  const t = useT();
  const current = useScenarioView();
  const value = current ? (objective === 'orders' ? current.kpis.orders : objective === 'revenue' ? current.kpis.revenue : current.kpis.profit) : null;
  return value !== null ? ` ${t('opt.current', { value: money(value) })}` : null;
}
