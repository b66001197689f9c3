import { useT } from '../state/i18n';
import { useAppStore } from '../state/store';
import { ColumnsTable } from './ColumnsTable';
import { DataErrorAlert } from './DataErrorAlert';
import { DatasetOverview } from './DatasetOverview';
import { DropZone } from './DropZone';
import { LoadProgress } from './LoadProgress';
import { QualityReportView } from './QualityReportView';

/** Step 1: load a CSV, check columns and roles, read the quality report. */
export function DataStep() {
  const t = useT();
  const dataset = useAppStore((s) => s.dataset);
  return (
    <section className="step" aria-labelledby="data-heading">
      <h2 id="data-heading">{t('data.heading')}</h2>
      <DropZone />
      <LoadProgress />
      <DataErrorAlert />
      {dataset && (
        <>
          <DatasetOverview />
          <ColumnsTable />
          <QualityReportView />
        </>
      )}
    </section>
  );
}
