import { useT } from '../state/i18n';
import { BugDetails } from './BugDetails';
import { useAppStore } from '../state/store';

/** A failed load: what went wrong, in the analyst's words, and that earlier data is kept. */
export function DataErrorAlert() {
  const t = useT();
  const error = useAppStore((s) => s.dataError);
  const hasData = useAppStore((s) => s.dataset !== null);
  if (!error) return null;
  if (error.kind === 'bug') return <BugDetails details={error.details} />;
  const { code, fileName, params } = error.error;
  return (
    <div role="alert" className={`alert ${code === 'cancelled' ? 'info' : 'error'}`}>
      <p>{t(`error.${code}`, { file: fileName, ...params })}</p>
      {hasData && <p className="muted">{t('data.keptEarlier')}</p>}
    </div>
  );
}
