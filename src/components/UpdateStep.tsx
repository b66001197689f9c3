import { DriftChart } from '../charts/DriftChart';
import { formatDay, formatNumber, formatPercent, type MessageKey } from '../lib/i18n';
import { useLocale, useT } from '../state/i18n';
import { useAppStore } from '../state/store';
import { FileButton } from './FileButton';

/** Update with new data: append a newer CSV, fine-tune, compare before and after on the newest days. */
export function UpdateStep() {
  const t = useT();
  const locale = useLocale();
  const ready = useAppStore((s) => s.whatIfContext !== null && s.trainResult !== null && (s.trainStatus === 'done' || s.trainStatus === 'stopped'));
  const status = useAppStore((s) => s.updateStatus);
  const fileName = useAppStore((s) => s.updateFileName);
  const error = useAppStore((s) => s.updateError);
  const summary = useAppStore((s) => s.updateSummary);
  const result = useAppStore((s) => s.updateResult);
  const progress = useAppStore((s) => s.updateProgress);
  const periodDays = useAppStore((s) => s.whatIfContext?.spec.periodDays ?? 1);
  const update = useAppStore((s) => s.updateWithNewData);
  if (!ready) return null;
  const running = status === 'running';
  const day = (d: number) => formatDay(locale, d);

  return (
    <section
      className="step"
      aria-labelledby="update-heading"
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        e.preventDefault();
        e.stopPropagation();
        const file = e.dataTransfer.files[0];
        if (file && !running) void update(file);
      }}
    >
      <h2 id="update-heading">{t('update.heading')}</h2>
      <p className="muted">{t('update.intro')}</p>
      <p>
        <span className="muted">{t('update.drop')} </span>
        <FileButton label={t('update.input')} accept=".csv,.tsv,.txt,text/csv" disabled={running} onFile={(file) => void update(file)} />
      </p>
      {running && (
        <p role="status">
          {progress ? <progress aria-label={t('update.heading')} max={1} value={progress.fraction} /> : <progress aria-label={t('update.heading')} />}{' '}
          {progress ? t('update.fineTuning', { file: fileName ?? '', epoch: progress.epoch, epochs: progress.epochs }) : t('update.running', { file: fileName ?? '' })}
        </p>
      )}
      {summary && (
        <p role="status">
          {t('update.appended', { file: summary.fileName, appended: formatNumber(locale, summary.appended, 0), overlaps: formatNumber(locale, summary.overlaps, 0), rows: formatNumber(locale, summary.rowCount, 0) })}
          {summary.ignoredColumns.length > 0 && ` ${t('update.ignored', { columns: summary.ignoredColumns.join(', ') })}`}
        </p>
      )}
      {error && (
        <div role="alert" className="alert error">
          <p>{t(error.key as MessageKey, error.params)}</p>
        </div>
      )}
      {result && (
        <>
          <p>
            {t('update.holdout', {
              span: t(periodDays >= 28 ? 'update.span.months' : periodDays >= 7 ? 'update.span.weeks' : 'update.span.days', { n: result.holdoutDates }),
              from: day(result.holdoutFrom),
              to: day(result.holdoutTo),
              count: formatNumber(locale, result.holdoutCount, 0),
              epochs: result.epochs,
              seconds: formatNumber(locale, result.seconds, 1),
            })}
          </p>
          <table aria-label={t('update.table')}>
            <thead>
              <tr>
                <th scope="col">{t('update.model')}</th>
                <th scope="col">MAE</th>
                <th scope="col">WAPE</th>
              </tr>
            </thead>
            <tbody>
              {(
                [
                  ['update.before', result.before],
                  ['update.after', result.after],
                ] as const
              ).map(([key, score]) => (
                <tr key={key}>
                  <th scope="row">{t(key)}</th>
                  <td>{formatNumber(locale, score.mae, 5)}</td>
                  <td>{formatPercent(locale, score.wape)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">{t(result.kept === 'fineTuned' ? 'update.keptFineTuned' : 'update.keptPrevious')}</p>
          {result.drift.length > 1 && <DriftChart points={result.drift} holdoutFrom={result.holdoutFrom} formatDay={day} labels={{ title: t('update.drift'), before: t('update.before'), after: t('update.after') }} />}
        </>
      )}
    </section>
  );
}
