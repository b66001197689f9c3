import type { TrainSettings } from '../ml/train';
import { LossChart } from '../charts/LossChart';
import { formatNumber, type MessageKey } from '../lib/i18n';
import { useLocale, useT } from '../state/i18n';
import { useAppStore } from '../state/store';
import { BackendTable } from './BackendTable';
import { TrainErrorAlert } from './TrainErrorAlert';
import type { BackendChoice } from '../workers/protocol';

const FIELDS: { key: keyof TrainSettings; label: MessageKey; min: number; max: number; step: number }[] = [
  { key: 'windowLength', label: 'train.windowLength', min: 1, max: 90, step: 1 },
  { key: 'units', label: 'train.units', min: 4, max: 256, step: 4 },
  { key: 'layers', label: 'train.layers', min: 1, max: 3, step: 1 },
  { key: 'dropout', label: 'train.dropout', min: 0, max: 0.8, step: 0.05 },
  { key: 'learningRate', label: 'train.learningRate', min: 0.00001, max: 0.1, step: 0.0001 },
  { key: 'batchSize', label: 'train.batchSize', min: 8, max: 1024, step: 8 },
  { key: 'epochs', label: 'train.epochs', min: 1, max: 500, step: 1 },
  { key: 'patience', label: 'train.patience', min: 0, max: 100, step: 1 },
  { key: 'seed', label: 'train.seed', min: 0, max: 1_000_000, step: 1 },
];

const BACKENDS: BackendChoice[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

/** Step 2: settings, Train / Stop / Resume, live progress, backend and loss chart. */
export function TrainStep() {
  const t = useT();
  const locale = useLocale();
  const dataset = useAppStore((s) => s.dataset);
  const roles = useAppStore((s) => s.roles);
  const analysis = useAppStore((s) => s.analysis);
  const settings = useAppStore((s) => s.trainSettings);
  const setSetting = useAppStore((s) => s.setTrainSetting);
  const backendChoice = useAppStore((s) => s.backendChoice);
  const setBackendChoice = useAppStore((s) => s.setBackendChoice);
  const status = useAppStore((s) => s.trainStatus);
  const epochs = useAppStore((s) => s.epochs);
  const batch = useAppStore((s) => s.batch);
  const activeBackend = useAppStore((s) => s.activeBackend);
  const threads = useAppStore((s) => s.wasmThreads);
  const fallback = useAppStore((s) => s.fallbackNotice);
  const result = useAppStore((s) => s.trainResult);
  const train = useAppStore((s) => s.train);
  const stop = useAppStore((s) => s.stopTraining);
  const resume = useAppStore((s) => s.resumeTraining);
  const updating = useAppStore((s) => s.updateStatus === 'running');
  if (!dataset) return null;

  const target = Object.entries(roles).find(([, r]) => r === 'target')?.[0];
  const blocked = analysis?.report.items.some((i) => i.severity === 'error') ?? false;
  const running = status === 'preparing' || status === 'training' || status === 'evaluating';
  const crossSection = analysis?.frequency === 'none';

  let statusText = '';
  let fraction = 0;
  if (status === 'preparing') statusText = t('train.preparing');
  else if (status === 'evaluating') statusText = t('train.evaluating');
  else if (status === 'training' && batch) {
    const done = (batch.epoch - 1) * batch.batches + batch.batch;
    const total = batch.epochs * batch.batches;
    fraction = done / total;
    const remainingSamples = ((total - done) / batch.batches) * batch.trainCount;
    statusText = t('train.status', {
      epoch: batch.epoch,
      epochs: batch.epochs,
      batch: batch.batch,
      batches: batch.batches,
      speed: formatNumber(locale, batch.samplesPerSec, 0),
      eta: formatDuration(remainingSamples / batch.samplesPerSec),
    });
  } else if (status === 'stopped') statusText = t('train.stopped', { epoch: epochs.length });
  else if (status === 'done' && result) {
    statusText = t('train.done', { epochs: result.epochsRun, reason: t(`train.reason.${result.stoppedBy}`), best: result.bestEpoch });
    fraction = 1;
  }

  return (
    <section className="step" aria-labelledby="train-heading">
      <h2 id="train-heading">{t('train.heading')}</h2>
      {target ? <p className="muted">{t('train.intro', { target })}</p> : <p className="notice">{t('train.needData')}</p>}
      {crossSection && <p className="notice">{t('train.crossSection')}</p>}
      <fieldset className="settings" disabled={running}>
        <legend>{t('train.settings')}</legend>
        {FIELDS.map((f) => (
          <label key={f.key}>
            <span>{t(f.label)}</span>
            <input
              type="number"
              min={f.min}
              max={f.max}
              step={f.step}
              value={settings[f.key]}
              onChange={(e) => {
                const v = Number(e.target.value);
                if (Number.isFinite(v) && v >= f.min && v <= f.max) setSetting(f.key, v);
              }}
            />
          </label>
        ))}
        <label>
          <span>{t('train.backendChoice')}</span>
          <select value={backendChoice} onChange={(e) => setBackendChoice(e.target.value as BackendChoice)}>
            {BACKENDS.map((b) => (
              <option key={b} value={b}>
                {b === 'auto' ? t('train.backendAuto') : b.toUpperCase()}
              </option>
            ))}
          </select>
        </label>
      </fieldset>
      <div className="actions">
        <button type="button" className="button primary" disabled={running || updating || !target || blocked} onClick={() => void train()}>
          {t('train.train')}
        </button>
        <button type="button" className="button" disabled={status !== 'training'} onClick={stop}>
          {t('train.stop')}
        </button>
        {status === 'stopped' && (
          <button type="button" className="button" onClick={() => void resume()}>
            {t('train.resume')}
          </button>
        )}
        {blocked && <span className="warn">{t('train.blocked')}</span>}
      </div>
      {status !== 'idle' && (
        <div className="train-status" aria-live="polite">
          <progress max={1} value={fraction} aria-label={t('train.progress')} />
          <span>{statusText}</span>
        </div>
      )}
      {activeBackend && (
        <p>
          {t('train.backend')}: <output aria-label={t('train.backend')}>{activeBackend}</output>
          {activeBackend === 'wasm' && <span className="muted"> ({t('train.threads', { threads })})</span>}
        </p>
      )}
      {fallback && (
        <p className="notice" role="status">
          {t('train.fallback', { ...fallback })}
        </p>
      )}
      <TrainErrorAlert />
      <div className="train-grid">
        {epochs.length > 0 && (
          <LossChart
            points={epochs.map((e) => ({ epoch: e.epoch, train: e.trainLoss, valid: e.validLoss }))}
            labels={{ title: t('train.lossChart'), train: t('train.trainLoss'), valid: t('train.validLoss'), epoch: t('train.epoch') }}
          />
        )}
        <BackendTable />
      </div>
    </section>
  );
}
