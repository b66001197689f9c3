import { useState } from 'react';
import { useT } from '../state/i18n';
import { useAppStore } from '../state/store';
import { FileButton } from './FileButton';

/** Download the trained model as one file, or open a bundle (here or by dropping it on the page). */
export function ModelBar() {
  const t = useT();
  const hasModel = useAppStore((s) => s.trainResult !== null && (s.trainStatus === 'done' || s.trainStatus === 'stopped'));
  const exportModel = useAppStore((s) => s.exportModel);
  const importModel = useAppStore((s) => s.importModel);
  const error = useAppStore((s) => s.importError);
  const differences = useAppStore((s) => s.importDifferences);
  const importedName = useAppStore((s) => s.importedName);
  const [busy, setBusy] = useState(false);
  const updating = useAppStore((s) => s.updateStatus === 'running');

  const download = async () => {
    setBusy(true);
    try {
      const bundle = await exportModel();
      if (!bundle) return;
      const url = URL.createObjectURL(new Blob([bundle.bytes as BlobPart], { type: 'application/zip' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = bundle.fileName;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="model-bar">
      <button type="button" className="button" disabled={!hasModel || busy || updating} onClick={() => void download()}>
        {t('model.download')}
      </button>
      <FileButton label={t('model.import')} accept=".zip,application/zip" disabled={updating} onFile={(file) => void importModel(file)} />
      {importedName && !error && (
        <span role="status" className="muted small">
          {t('model.imported', { name: importedName })}
        </span>
      )}
      {error && (
        <div role="alert" className="alert error">
          <p>{t(`model.error.${error.code}`, error.params)}</p>
        </div>
      )}
      {differences.length > 0 && (
        <div role="alert" className="alert info">
          <p>{t('model.differences')}</p>
          <ul>
            {differences.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
