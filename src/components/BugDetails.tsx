import { useT } from '../state/i18n';
import type { WorkerError } from '../workers/protocol';

/** A bug, shown as "something went wrong" with the details to copy. */
export function BugDetails({ details }: { details: WorkerError }) {
  const t = useT();
  return (
    <div role="alert" className="alert error">
      <p>{t('error.unexpected')}</p>
      <pre>{`${details.name}: ${details.message}\n${details.stack ?? ''}`}</pre>
    </div>
  );
}
