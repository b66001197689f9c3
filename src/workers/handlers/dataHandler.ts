import { appendTables } from '../../data/append';
import { findDuplicateRows } from '../../data/duplicates';
import { kpiContexts } from '../../data/kpiContext';
import { fail, ok, type Result } from '../../lib/result';
import { ingestFile, type ByteSource, type IngestResult } from '../../data/ingest';
import { buildPanel } from '../../data/panel';
import { qualityReport } from '../../data/quality';
import type { ColumnSummary, RoleMap, TypedTable } from '../../data/types';
import { buildDataset, type DatasetError, type DatasetOptions } from '../../ml/features';
import type { Dataset } from '../../ml/types';
import { datasetTransfer } from './datasetTransfer';
import { toWorkerError, type Analysis, type DataRequest, type DataResponse, type FileInput, type UpdateDataError } from '../protocol';

/** Reads a Blob (a File, or a fetched sample) in byte ranges. */
export function blobSource(blob: Blob, name: string): ByteSource {
  return {
    name,
    size: blob.size,
    read: async (start, end) => new Uint8Array(await blob.slice(start, end).arrayBuffer()),
  };
}

async function openInput(input: FileInput): Promise<ByteSource> {
  if (input.kind === 'file') return blobSource(input.file, input.file.name);
  const response = await fetch(input.url);
  if (!response.ok) throw new Error(`Could not load ${input.url}: HTTP ${response.status}`);
  return blobSource(await response.blob(), input.name);
}

/**
 * The model-ready data set of `table` under `roles`, with the KPI context per
 * series: outcome columns (visitors, orders, revenue) are not model inputs,
 * but KPIs need them.
 */
function modelData(table: TypedTable, rowNumbers: Int32Array, summaries: readonly ColumnSummary[], roles: RoleMap, options: DatasetOptions): Result<Dataset, DatasetError> {
  const panel = buildPanel(table, roles, summaries, { rowNumbers });
  const built = buildDataset(panel, summaries, options);
  if (!built.ok) return built;
  return ok({ ...built.data, kpi: kpiContexts(table, panel).filter((_, i) => (panel.series[i]?.end ?? 0) > (panel.series[i]?.start ?? 0)) });
}

/**
 * The data worker's logic, free of `self`: given a `post` callback it
 * returns a message handler. It holds the parsed table; a failed ingest
 * leaves the previously loaded table in place.
 */
export function createDataHandler(post: (message: DataResponse, transfer?: Transferable[]) => void): (request: DataRequest) => Promise<void> {
  // Duplicate rows are found on the first analysis, not while the analyst waits for the file to load.
  let loaded: { result: IngestResult; duplicates: ReturnType<typeof findDuplicateRows> | null } | null = null;
  const running = new Map<number, AbortController>();

  const analyze = (roles: RoleMap): Analysis => {
    if (!loaded) throw new Error('No data loaded');
    const { table, summaries, facts } = loaded.result;
    const duplicates = (loaded.duplicates ??= findDuplicateRows(table, loaded.result.rowNumbers));
    const panel = buildPanel(table, roles, summaries, { rowNumbers: loaded.result.rowNumbers });
    const report = qualityReport({
      fileName: facts.fileName,
      summaries,
      roles,
      table,
      panel,
      ingest: { ...facts, exactDuplicateRows: duplicates, rowNumbers: loaded.result.rowNumbers },
    });
    return {
      report,
      frequency: panel.crossSection ? 'none' : panel.frequency.frequency,
      seriesCount: panel.series.length,
      timeSteps: panel.timeSteps,
      gapCount: panel.gaps.count,
    };
  };

  return async (request) => {
    try {
      switch (request.type) {
        case 'cancel':
          running.get(request.id)?.abort();
          return;
        case 'ingest': {
          const controller = new AbortController();
          running.set(request.id, controller);
          const started = performance.now();
          try {
            const source = await openInput(request.input);
            const result = await ingestFile(source, {
              signal: controller.signal,
              onProgress: (progress) => post({ type: 'progress', id: request.id, progress }),
            });
            if (!result.ok) {
              post({ type: 'ingested', id: request.id, result });
              return;
            }
            loaded = { result: result.data, duplicates: null };
            const { facts, summaries, table } = result.data;
            post({
              type: 'ingested',
              id: request.id,
              result: {
                ok: true,
                data: { fileName: facts.fileName, rowCount: table.rowCount, summaries, facts, parseMs: performance.now() - started },
              },
            });
          } finally {
            running.delete(request.id);
          }
          return;
        }
        case 'dataset': {
          if (!loaded) throw new Error('No data loaded');
          const result = modelData(loaded.result.table, loaded.result.rowNumbers, loaded.result.summaries, request.roles, request.options);
          post({ type: 'dataset', id: request.id, result }, result.ok ? datasetTransfer(result.data) : []);
          return;
        }
        case 'append': {
          if (!loaded) throw new Error('No data loaded');
          const refuse = (reason: UpdateDataError) => post({ type: 'appended', id: request.id, result: fail(reason) });
          const next = await ingestFile(await openInput(request.input), { onProgress: (progress) => post({ type: 'progress', id: request.id, progress }) });
          if (!next.ok) return refuse({ stage: 'read', error: next.reason });
          const roleOf = (role: string) => Object.entries(request.roles).filter(([, r]) => r === role).map(([name]) => name);
          const merged = appendTables(loaded.result.table, loaded.result.rowNumbers, next.data.table, next.data.rowNumbers, { time: roleOf('time')[0] ?? null, series: roleOf('series') });
          if (!merged.ok) return refuse({ stage: 'append', error: merged.reason });
          const { table, rowNumbers, appended, overlaps, ignoredColumns, newFrom, newTo } = merged.data;
          const built = request.options ? modelData(table, rowNumbers, loaded.result.summaries, request.roles, request.options) : ok(null);
          if (!built.ok) return refuse({ stage: 'dataset', error: built.reason });
          // The merged table is the loaded data from now on (the analyst's next steps see the new rows).
          loaded = { result: { ...loaded.result, table, rowNumbers }, duplicates: null };
          const summary = { fileName: next.data.facts.fileName, rowCount: table.rowCount, appended, overlaps, ignoredColumns, newFrom, newTo };
          post({ type: 'appended', id: request.id, result: ok({ dataset: built.data, summary }) }, built.data ? datasetTransfer(built.data) : []);
          return;
        }
        case 'analyze':
          post({ type: 'analyzed', id: request.id, analysis: analyze(request.roles) });
          return;
      }
    } catch (thrown) {
      post({ type: 'error', id: request.id, error: toWorkerError(thrown) });
    }
  };
}
