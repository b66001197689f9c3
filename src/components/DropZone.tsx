import { useState, type DragEvent } from 'react';
import { useT } from '../state/i18n';
import { useAppStore } from '../state/store';
import { FileButton } from './FileButton';

const SAMPLE_PATH = 'samples/promotions.csv';

/** The drop target with a file picker and the sample button. */
export function DropZone() {
  const t = useT();
  const loadFile = useAppStore((s) => s.loadFile);
  const importModel = useAppStore((s) => s.importModel);
  const [active, setActive] = useState(false);
  // While an update fine-tunes the model, new data or another model would pull the ground from under it.
  const updating = useAppStore((s) => s.updateStatus === 'running');

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setActive(false);
    if (updating) return;
    const file = event.dataTransfer.files[0];
    // A dropped model bundle opens as a model; anything else is read as data.
    if (file && /\.zip$/i.test(file.name)) void importModel(file);
    else if (file) void loadFile({ kind: 'file', file });
  };

  return (
    <div
      className={`dropzone${active ? ' active' : ''}`}
      role="region"
      aria-label={t('data.drop')}
      onDragOver={(e) => {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
        setActive(true);
      }}
      onDragLeave={() => setActive(false)}
      onDrop={onDrop}
    >
      <p className="dropzone-title">{active ? t('data.dropActive') : t('data.drop')}</p>
      <p className="muted">{t('data.intro')}</p>
      <div className="dropzone-actions">
        <FileButton primary label={t('data.upload')} accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values" disabled={updating} onFile={(file) => void loadFile({ kind: 'file', file })} />
        <span className="muted">{t('data.or')}</span>
        <button
          type="button"
          className="button"
          disabled={updating}
          onClick={() => void loadFile({ kind: 'url', url: new URL(`${import.meta.env.BASE_URL}${SAMPLE_PATH}`, location.href).href, name: 'promotions.csv' })}
        >
          {t('data.sample')}
        </button>
      </div>
      <p className="muted small">{t('data.privacy')}</p>
    </div>
  );
}
