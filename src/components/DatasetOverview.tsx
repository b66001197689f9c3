import { formatBytes, formatNumber } from '../lib/i18n';
import { useLocale, useT } from '../state/i18n';
import { useAppStore } from '../state/store';

const DELIMITER_NAMES: Record<string, string> = { ',': ',', ';': ';', '\t': 'TAB', '|': '|' };

/** The loaded file at a glance: rows, columns, how it was read, and its panel shape. */
export function DatasetOverview() {
  const t = useT();
  const locale = useLocale();
  const dataset = useAppStore((s) => s.dataset);
  const analysis = useAppStore((s) => s.analysis);
  if (!dataset) return null;
  const { facts } = dataset;
  return (
    <div className="overview">
      <p className="overview-main">
        <strong>{t('data.rows', { count: dataset.rowCount })}</strong> · {t('data.columnsCount', { count: dataset.summaries.length })}
      </p>
      <p className="muted small">
        {t('data.fileFacts', {
          file: facts.fileName,
          size: formatBytes(locale, facts.bytes),
          encoding: facts.encoding.toUpperCase(),
          delimiter: DELIMITER_NAMES[facts.delimiter] ?? facts.delimiter,
          seconds: formatNumber(locale, dataset.parseMs / 1000, 2),
        })}
      </p>
      {analysis && (
        analysis.frequency === 'none' ? (
          <p className="notice">{t('data.crossSection')}</p>
        ) : (
          <dl className="facts">
            <div>
              <dt>{t('data.frequency')}</dt>
              <dd>{t(`freq.${analysis.frequency}`)}</dd>
            </div>
            <div>
              <dt>{t('data.series')}</dt>
              <dd>{formatNumber(locale, analysis.seriesCount)}</dd>
            </div>
            <div>
              <dt>{t('data.timeSteps')}</dt>
              <dd>{formatNumber(locale, analysis.timeSteps)}</dd>
            </div>
            <div>
              <dt>{t('data.gaps')}</dt>
              <dd>{formatNumber(locale, analysis.gapCount)}</dd>
            </div>
          </dl>
        )
      )}
    </div>
  );
}
