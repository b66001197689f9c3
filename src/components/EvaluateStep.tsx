import { BarsChart } from '../charts/BarsChart';
import { ForecastChart } from '../charts/ForecastChart';
import { HistogramChart } from '../charts/HistogramChart';
import { RocChart } from '../charts/RocChart';
import { MODEL_NAMES, type ModelName } from '../ml/evaluate';
import { formatDay, formatNumber, formatPercent, type Locale } from '../lib/i18n';
import { useLocale, useT } from '../state/i18n';
import { useAppStore } from '../state/store';
import { MetricsTable } from './MetricsTable';
import { downloadBlob } from '../charts/exportChart';
import { mlClient } from '../workers/clients/mlClient';

function valueFormatter(locale: Locale, kind: string): (v: number) => string {
  return kind === 'rate' || kind === 'binary' ? (v) => formatPercent(locale, v) : (v) => formatNumber(locale, v, Math.abs(v) < 10 ? 3 : 1);
}

/** Step 3: test metrics for the LSTM and baselines, and the charts that explain them. */
export function EvaluateStep() {
  const t = useT();
  const locale = useLocale();
  const result = useAppStore((s) => s.trainResult);
  const forecast = useAppStore((s) => s.forecast);
  const hasTime = useAppStore((s) => s.analysis?.frequency !== 'none');
  const forecastSeries = useAppStore((s) => s.forecastSeries);
  const loadForecast = useAppStore((s) => s.loadForecast);
  if (!result) return null;
  const e = result.evaluation;
  const binary = e.targetKind === 'binary';
  const formatValue = valueFormatter(locale, e.targetKind);
  const score = (m: ModelName) => e.scores.find((s) => s.model === m)!;
  const baselines = MODEL_NAMES.filter((m) => m !== 'lstm');

  let verdict: string;
  if (binary) {
    const best = baselines.reduce((a, b) => ((score(b).classification?.rocAuc ?? 0) > (score(a).classification?.rocAuc ?? 0) ? b : a));
    verdict = t('eval.verdictAuc', {
      lstm: formatNumber(locale, score('lstm').classification?.rocAuc ?? NaN, 3),
      baseline: formatNumber(locale, score(best).classification?.rocAuc ?? NaN, 3),
      name: t(`eval.${best}`),
    });
  } else {
    const best = baselines.reduce((a, b) => (score(b).regression.wape < score(a).regression.wape ? b : a));
    const lstm = score('lstm').regression.wape;
    const base = score(best).regression.wape;
    verdict =
      lstm <= base
        ? t('eval.verdictBetter', { gain: formatPercent(locale, 1 - lstm / base), baseline: t(`eval.${best}`) })
        : t('eval.verdictWorse', { gain: formatPercent(locale, lstm / base - 1), baseline: t(`eval.${best}`) });
  }
  const mapeSkipped = score('lstm').regression.mapeSkipped;

  return (
    <section className="step" aria-labelledby="eval-heading">
      <h2 id="eval-heading">{t('eval.heading')}</h2>
      <p className="muted">{t('eval.intro')}</p>
      <MetricsTable />
      <button type="button" className="button small" disabled={result.evaluation.testCount === 0 || result.trainCount === 0} onClick={() => void mlClient().predictionsCsv().then((csv) => downloadBlob(new Blob([csv], { type: 'text/csv' }), `${e.targetColumn}-test-predictions.csv`))}>
        {t('export.predictions')}
      </button>
      <p className="verdict">{verdict}</p>
      <p className="muted small">
        {t('eval.testRows', { count: e.testCount })} {!binary && Number.isFinite(e.coverage90) && t('eval.coverage', { coverage: formatPercent(locale, e.coverage90) })}{' '}
        {!binary && mapeSkipped > 0 && t('eval.mapeSkipped', { count: mapeSkipped })}
      </p>
      <div className="chart-grid">
        {binary && e.roc.length > 0 && <RocChart title={t('eval.roc')} points={e.roc} labels={{ fpr: t('eval.fpr'), tpr: t('eval.tpr') }} />}
        {hasTime && !binary && (
          <div className="wide">
            {result.seriesLabels.length > 1 && (
              <label className="inline">
                {t('eval.series')}{' '}
                <select value={forecastSeries} onChange={(ev) => void loadForecast(Number(ev.target.value))}>
                  {result.seriesLabels.map((label, i) => (
                    <option key={label} value={i}>
                      {label}
                    </option>
                  ))}
                </select>
              </label>
            )}
            {forecast && !binary && hasTime && (
              <ForecastChart
                points={Array.from(forecast.times, (time, i) => ({
                  time,
                  actual: Number.isFinite(forecast.actual[i]!) ? forecast.actual[i]! : null,
                  predicted: Number.isFinite(forecast.predicted[i]!) ? forecast.predicted[i]! : null,
                  band: Number.isFinite(forecast.lower[i]!) ? [forecast.lower[i]!, forecast.upper[i]!] : null,
                }))}
                markers={[
                  { time: forecast.validStart, label: t('eval.validation') },
                  { time: forecast.testStart, label: t('eval.test') },
                ]}
                formatTime={(d) => formatDay(locale, d)}
                formatValue={formatValue}
                labels={{ title: `${t('eval.forecast')} — ${forecast.label}`, actual: t('eval.actual'), predicted: t('eval.predicted'), interval: t('eval.interval') }}
              />
            )}
          </div>
        )}
        <HistogramChart title={t('eval.residuals')} bins={e.residualHistogram} formatValue={formatValue} countLabel={t('eval.count')} />
        {e.segments.length > 0 && (
          <BarsChart
            title={t('eval.segments')}
            rows={e.segments.map((s) => ({ name: `${s.column}: ${s.value}`, lstm: s.lstmWape, linear: s.linearWape, naive: s.naiveWape }))}
            categoryKey="name"
            bars={[
              { key: 'lstm', name: t('eval.lstm'), color: '#d9480f' },
              { key: 'linear', name: t('eval.linear'), color: '#748ffc' },
              { key: 'naive', name: t('eval.naive'), color: '#adb5bd' },
            ]}
            formatValue={(v) => formatPercent(locale, v)}
          />
        )}
        {result.importance.length > 0 && (
          <BarsChart
            title={t('eval.importance')}
            rows={result.importance.slice(0, 15).map((f) => ({ name: f.name, increase: Math.max(0, f.increase) }))}
            categoryKey="name"
            bars={[{ key: 'increase', name: 'MAE', color: '#d9480f' }]}
            formatValue={formatValue}
          />
        )}
      </div>
    </section>
  );
}
