import { formatNumber } from '../lib/i18n';
import { useLocale, useT } from '../state/i18n';
import { useAppStore } from '../state/store';

/** The measured self-test: each backend's correctness against cpu and its speed on the real shapes. */
export function BackendTable() {
  const t = useT();
  const locale = useLocale();
  const reports = useAppStore((s) => s.backendReports);
  const active = useAppStore((s) => s.activeBackend);
  if (reports.length === 0) return null;
  return (
    <table className="data-table">
      <caption>{t('train.backendTable')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('train.backendCol')}</th>
          <th scope="col">{t('train.correct')}</th>
          <th scope="col">{t('train.msPerStep')}</th>
          <th scope="col">{t('train.samplesPerSec')}</th>
        </tr>
      </thead>
      <tbody>
        {reports.map((r) => (
          <tr key={r.backend} className={r.backend === active ? 'chosen' : ''}>
            <th scope="row">
              {r.backend}
              {r.backend === active && <span className="badge info">{t('train.chosen')}</span>}
            </th>
            <td>{r.error ? r.error : r.correct ? t('train.yes') : `${t('train.no')} (${r.maxAbsError.toExponential(1)})`}</td>
            <td className="num">{formatNumber(locale, r.msPerStep, 1)}</td>
            <td className="num">{formatNumber(locale, r.samplesPerSec, 0)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
