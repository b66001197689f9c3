import type { QualityItem } from '../data/types';
import { formatNumber, formatPercent, type Locale, type MessageKey, type MessageParams } from '../lib/i18n';
import { useLocale, useT } from '../state/i18n';
import { useAppStore } from '../state/store';

type Translate = (key: MessageKey, params?: MessageParams) => string;

/** Params as the analyst reads them: shares as percents, codes as words. */
function displayParams(item: QualityItem, locale: Locale, t: Translate): MessageParams {
  const out: Record<string, string | number> = { count: item.count };
  for (const [name, value] of Object.entries(item.params)) {
    if (name === 'share' && typeof value === 'number') out[name] = formatPercent(locale, value);
    else if (name === 'fill') out[name] = t(`fill.${value}` as MessageKey);
    else if (name === 'type') out[name] = t(`type.${value}` as MessageKey);
    else if (name === 'frequency') out[name] = t(`freq.${value}` as MessageKey);
    else if (typeof value === 'number') out[name] = formatNumber(locale, value);
    else out[name] = value === '' ? '—' : value;
  }
  return out;
}

function messageKey(item: QualityItem): MessageKey {
  const variant = item.params['variant'];
  return (variant === undefined ? `quality.${item.kind}` : `quality.${item.kind}.${variant}`) as MessageKey;
}

/** Every cleaning step and finding, with counts and example rows. Nothing is dropped silently. */
export function QualityReportView() {
  const t = useT();
  const locale = useLocale();
  const analysis = useAppStore((s) => s.analysis);
  if (!analysis) return null;
  const items = analysis.report.items;
  return (
    <section className="quality" aria-labelledby="quality-heading">
      <h3 id="quality-heading">{t('quality.heading')}</h3>
      {items.length === 0 ? (
        <p>{t('quality.none')}</p>
      ) : (
        <ul aria-labelledby="quality-heading">
          {items.map((item, k) => (
            <li key={`${item.kind}-${item.column ?? ''}-${k}`} className={`quality-item ${item.severity}`}>
              <span className={`badge ${item.severity}`}>{t(`severity.${item.severity}`)}</span> {t(messageKey(item), displayParams(item, locale, t))}
              {item.examples.length > 0 && (
                <span className="muted small">
                  {' '}
                  ({t('quality.examples')}: {item.examples.map((e) => `${t('quality.row', { row: e.row })}${e.value ? ` “${e.value}”` : ''}`).join('; ')})
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
