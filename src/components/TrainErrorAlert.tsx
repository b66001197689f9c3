import { useT } from '../state/i18n';
import { BugDetails } from './BugDetails';
import { useAppStore } from '../state/store';

/** Why training could not run or stopped, in the analyst's words. */
export function TrainErrorAlert() {
  const t = useT();
  const error = useAppStore((s) => s.trainError);
  if (!error) return null;
  if (error.kind === 'bug') return <BugDetails details={error.details} />;
  const { code, params } = error.error;
  return (
    <div role="alert" className="alert error">
      <p>{t(`train.error.${code}`, params)}</p>
    </div>
  );
}
