import { useState } from 'react';
import { startOver } from '../state/persistence';
import { useT } from '../state/i18n';
import { useAppStore } from '../state/store';

/** Session status in the header: restoring, storage problems, and Start over (with a confirm). */
export function SessionBar() {
  const t = useT();
  const restoring = useAppStore((s) => s.restoring);
  const problem = useAppStore((s) => s.storageProblem);
  // Data, or a model opened from a bundle alone: either is a session to clear.
  const hasSession = useAppStore((s) => s.dataset !== null || s.trainResult !== null);
  const [confirming, setConfirming] = useState(false);
  return (
    <div className="session-bar">
      {restoring && (
        <span role="status" className="muted">
          {t('session.restoring')}
        </span>
      )}
      {problem && (
        <span role="alert" className="warn small">
          {t(`session.problem.${problem}`)}
        </span>
      )}
      {hasSession && !confirming && (
        <button type="button" className="button small" onClick={() => setConfirming(true)}>
          {t('session.startOver')}
        </button>
      )}
      {confirming && (
        <span className="confirm" role="group" aria-label={t('session.startOver')}>
          <span>{t('session.confirm')}</span>
          <button type="button" className="button small danger" onClick={() => void startOver()}>
            {t('session.clear')}
          </button>
          <button type="button" className="button small" onClick={() => setConfirming(false)}>
            {t('session.keep')}
          </button>
        </span>
      )}
    </div>
  );
}
