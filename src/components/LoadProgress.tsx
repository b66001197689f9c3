import { formatBytes, formatNumber } from '../lib/i18n';
import { useLocale, useT } from '../state/i18n';
import { useAppStore } from '../state/store';

/** Bytes and rows read so far, with Cancel. */
export function LoadProgress() {
  const t = useT();
  const locale = useLocale();
  const status = useAppStore((s) => s.loadStatus);
  const file = useAppStore((s) => s.loadingFile);
  const progress = useAppStore((s) => s.progress);
  const cancel = useAppStore((s) => s.cancelLoad);
  if (status !== 'loading' || file === null) return null;
  const total = progress?.totalBytes ?? 0;
  const read = progress?.bytesRead ?? 0;
  return (
    <div className="progress-box" aria-live="polite">
      <label>
        {t('data.progress', { file })}
        <progress max={total || 1} value={read} aria-label={t('data.progress', { file })} />
      </label>
      <span className="muted">
        {t('data.progressDetail', {
          read: formatBytes(locale, read),
          total: formatBytes(locale, total),
          rows: formatNumber(locale, progress?.rows ?? 0),
        })}
      </span>
      <button type="button" className="button" onClick={cancel}>
        {t('data.cancel')}
      </button>
    </div>
  );
}
