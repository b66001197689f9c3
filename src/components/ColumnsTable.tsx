import { Sparkline } from '../charts/Sparkline';
import { ROLES, type ColumnSummary, type Role } from '../data/types';
import { formatDay, formatNumber, formatPercent, type Locale } from '../lib/i18n';
import { useLocale, useT } from '../state/i18n';
import { useAppStore } from '../state/store';

function formatValue(locale: Locale, summary: ColumnSummary, v: number): string {
  if (summary.type === 'date') return formatDay(locale, v);
  if (summary.type === 'percent') return formatPercent(locale, v);
  return formatNumber(locale, v);
}

/** One row per column: name, inferred type, role (editable), missing share, distinct values, range. */
export function ColumnsTable() {
  const t = useT();
  const locale = useLocale();
  const dataset = useAppStore((s) => s.dataset);
  const roles = useAppStore((s) => s.roles);
  const setRole = useAppStore((s) => s.setRole);
  const resetRoles = useAppStore((s) => s.resetRoles);
  if (!dataset) return null;

  const values = (s: ColumnSummary) => {
    if (s.min !== undefined && s.max !== undefined && s.type !== 'boolean') {
      return (
        <>
          {t('columns.range', { min: formatValue(locale, s, s.min), max: formatValue(locale, s, s.max) })}
          {s.mean !== undefined && s.type !== 'date' && <span className="muted"> · {t('columns.mean', { mean: formatValue(locale, s, s.mean) })}</span>}
        </>
      );
    }
    const shown = s.topValues.slice(0, 4);
    const rest = s.distinctCount - shown.length;
    return (
      <>
        {shown.map((v) => v.value).join(', ')}
        {rest > 0 && <span className="muted"> {t('columns.more', { count: rest })}</span>}
      </>
    );
  };

  return (
    <div className="table-wrap">
      <div className="table-head">
        <p className="muted small">{t('data.rolesHint')}</p>
        <button type="button" className="button small" onClick={resetRoles}>
          {t('data.resetRoles')}
        </button>
      </div>
      <table className="columns">
        <caption>{t('columns.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('columns.name')}</th>
            <th scope="col">{t('columns.type')}</th>
            <th scope="col">{t('columns.role')}</th>
            <th scope="col">{t('columns.missing')}</th>
            <th scope="col">{t('columns.distinct')}</th>
            <th scope="col">{t('columns.values')}</th>
            <th scope="col">{t('columns.distribution')}</th>
          </tr>
        </thead>
        <tbody>
          {dataset.summaries.map((s) => {
            const role = roles[s.name] ?? 'ignore';
            return (
              <tr key={s.name} className={`role-${role}`}>
                <th scope="row">
                  {s.name}
                  {s.originalName !== undefined && <div className="muted small">{t('columns.renamedFrom', { from: s.originalName })}</div>}
                </th>
                <td>
                  <span className={`type type-${s.type}`}>{t(`type.${s.type}`)}</span>
                  {s.dateFormat !== undefined && <div className="muted small">{s.dateFormat}</div>}
                </td>
                <td>
                  <select aria-label={t('columns.roleFor', { column: s.name })} value={role} onChange={(e) => setRole(s.name, e.target.value as Role)}>
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {t(`role.${r}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td className={s.missingShare > 0.2 ? 'warn num' : 'num'}>{formatPercent(locale, s.missingShare)}</td>
                <td className="num">
                  {formatNumber(locale, s.distinctCount)}
                  {s.distinctCapped ? '+' : ''}
                </td>
                <td className="values">{values(s)}</td>
                <td>
                  <Sparkline bins={s.histogram} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
