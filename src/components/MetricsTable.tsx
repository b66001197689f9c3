import { MODEL_NAMES } from '../ml/evaluate';
import { formatNumber, formatPercent } from '../lib/i18n';
import { useLocale, useT } from '../state/i18n';
import { useAppStore } from '../state/store';

/** One row per model (LSTM first), one column per test metric. */
export function MetricsTable() {
  const t = useT();
  const locale = useLocale();
  const result = useAppStore((s) => s.trainResult);
  if (!result) return null;
  const e = result.evaluation;
  const binary = e.targetKind === 'binary';
  const num = (v: number) => formatNumber(locale, v, Math.abs(v) >= 100 ? 1 : 4);
  const pct = (v: number) => (Number.isFinite(v) ? formatPercent(locale, v) : '—');
  const columns: { header: string; value: (m: (typeof e.scores)[number]) => string }[] = binary
    ? [
        { header: 'ROC-AUC', value: (m) => num(m.classification?.rocAuc ?? NaN) },
        { header: 'Accuracy', value: (m) => pct(m.classification?.accuracy ?? NaN) },
        { header: 'Precision', value: (m) => pct(m.classification?.precision ?? NaN) },
        { header: 'Recall', value: (m) => pct(m.classification?.recall ?? NaN) },
        { header: 'F1', value: (m) => num(m.classification?.f1 ?? NaN) },
        { header: 'MAE', value: (m) => num(m.regression.mae) },
        { header: 'RMSE', value: (m) => num(m.regression.rmse) },
      ]
    : [
        { header: 'MAE', value: (m) => num(m.regression.mae) },
        { header: 'RMSE', value: (m) => num(m.regression.rmse) },
        { header: 'MAPE', value: (m) => pct(m.regression.mape) },
        { header: 'WAPE', value: (m) => pct(m.regression.wape) },
        { header: 'sMAPE', value: (m) => pct(m.regression.smape) },
        { header: 'R²', value: (m) => num(m.regression.r2) },
      ];
  return (
    <table className="data-table metrics">
      <caption>{t('eval.metrics')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('eval.model')}</th>
          {columns.map((c) => (
            <th scope="col" key={c.header}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {MODEL_NAMES.map((name) => {
          const m = e.scores.find((s) => s.model === name)!;
          return (
            <tr key={name} className={name === 'lstm' ? 'chosen' : ''}>
              <th scope="row">{t(`eval.${name}`)}</th>
              {columns.map((c) => (
                <td className="num" key={c.header}>
                  {c.value(m)}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
