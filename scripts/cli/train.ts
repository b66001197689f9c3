/**
 * `train`: the app's data and ml worker handlers, driven in this Node
 * process instead of in workers. Ingest → roles → dataset → train →
 * evaluate, with the same src/data and src/ml code as the browser.
 */
import { openAsBlob } from 'node:fs';
import { rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { applyRoleOverrides, type RoleOverride } from '../../src/data/roleOverrides';
import { suggestRoles } from '../../src/data/roles';
import type { RoleMap } from '../../src/data/types';
import { translate, type MessageKey, type MessageParams } from '../../src/lib/i18n';
import { registerBackends, selfTestBackends, wasmThreadCount, type BackendName } from '../../src/ml/backends';
import { DEFAULT_MODEL_SETTINGS } from '../../src/ml/lstm';
import type { TrainSettings } from '../../src/ml/train';
import { createDataHandler } from '../../src/workers/handlers/dataHandler';
import { createMlHandler, type BackendEnv } from '../../src/workers/handlers/mlHandler';
import type { DataRequest, DataResponse, MlResponse, TrainEvent, WorkerError } from '../../src/workers/protocol';
import { checkColumns, USAGE, type CliBackend, type TrainCommand } from './args';
import { captureCheckpoints, resolveBundlePath, trainedBundle } from './bundleOut';
import { EXIT, type CliOutput } from './io';
import { formatReport, summarizeRun } from './report';

export { EXIT, type CliOutput } from './io';

/** Progress lines at most this often (batches, bytes read). */
const PROGRESS_EVERY_MS = 2000;

function message(key: string, params: MessageParams): string {
  // The keys are built from the error codes, which all have catalog entries.
  return translate('en', key as MessageKey, params);
}

/** A thrown error inside a handler: a bug, reported with details to copy. */
function bugReport(error: WorkerError): string {
  return `${translate('en', 'error.unexpected')}\n${error.name}: ${error.message}\n${error.stack ?? ''}`;
}

/** A tf.js BackendEnv for Node, limited to the backends `choice` allows. */
function nodeBackendEnv(choice: CliBackend): BackendEnv {
  let registered: Promise<BackendName[]> | null = null;
  const allowed: readonly BackendName[] = choice === 'auto' ? ['wasm', 'cpu'] : [choice];
  return {
    available: async () => (await (registered ??= registerBackends())).filter((b) => allowed.includes(b)),
    selfTest: (candidates, shapes) => selfTestBackends({ candidates, ...shapes }),
    use: async (backend) => {
      if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`The ${backend} backend did not start`);
      await tf.ready();
    },
    threads: () => wasmThreadCount() ?? 1,
  };
}

function throttled(write: (text: string) => void): (text: string) => void {
  let last = -Infinity;
  return (text) => {
    const now = performance.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    write(text);
  };
}

const threads = (n: number) => (n === 1 ? '1 thread' : `${n} threads`);

function describeEvent(e: TrainEvent, io: CliOutput, progress: (text: string) => void, elapsed: () => string): void {
  switch (e.kind) {
    case 'phase':
      io.err(`[${elapsed()}] ${e.phase === 'windows' ? 'building windows' : e.phase === 'backends' ? 'testing backends' : e.phase}…\n`);
      return;
    case 'backends':
      for (const r of e.reports) {
        const detail = r.error ?? `${r.correct ? 'correct' : `wrong (max error ${r.maxAbsError})`}, ${r.msPerStep.toFixed(1)} ms per step`;
        io.err(`  ${r.backend}${r.threads === undefined ? '' : ` (${threads(r.threads)})`}: ${detail}\n`);
      }
      io.err(`training on ${e.chosen}${e.chosen === 'wasm' ? ` (${threads(e.threads)})` : ''}\n`);
      return;
    case 'batch': {
      const { epoch, batch, batches, samplesPerSec } = e.progress;
      progress(`  epoch ${epoch}/${e.epochs}: batch ${batch}/${batches}, ${Math.round(samplesPerSec)} samples/s\n`);
      return;
    }
    case 'epoch': {
      const r = e.result;
      io.err(`epoch ${r.epoch}: train loss ${r.trainLoss.toPrecision(4)}, validation loss ${r.validLoss.toPrecision(4)}${r.best ? ' (best)' : ''}, ${Math.round(r.samplesPerSec)} samples/s, ${r.seconds.toFixed(1)} s\n`);
      return;
    }
    case 'fallback':
      io.err(`warning: ${e.from} failed (${e.reason}); continuing on ${e.to} from epoch ${e.epoch}\n`);
      return;
  }
}

/**
 * Runs `train` and returns the exit code. Writes the result (JSON line or
 * table) with `io.out` and everything else with `io.err`.
 */
export async function runTrain(command: TrainCommand, io: CliOutput): Promise<number> {
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const bug = (error: WorkerError): number => {
    io.err(`${bugReport(error)}\n`);
    return EXIT.failed;
  };
  const fileName = basename(command.csv);

  const info = await stat(command.csv).catch(() => null);
  if (!info?.isFile()) {
    io.err(`${command.csv}: ${info ? 'not a file' : 'no such file'}.\n`);
    return EXIT.failed;
  }
  // Checked before training, so that a wrong folder costs no training time.
  const bundleTarget = command.out === undefined ? null : await resolveBundlePath(command.out, command.csv);
  if (bundleTarget && !bundleTarget.ok) {
    io.err(`${bundleTarget.message}\n`);
    return EXIT.failed;
  }
  const file = new File([await openAsBlob(command.csv)], fileName);

  // --- Data: the data worker's handler, answered through `post`.
  const dataReplies = new Map<number, DataResponse>();
  const readProgress = throttled(io.err);
  const handleData = createDataHandler((reply) => {
    if (reply.type === 'progress') {
      const { bytesRead, totalBytes, rows } = reply.progress;
      readProgress(`  read ${Math.round((100 * bytesRead) / Math.max(1, totalBytes))}%, ${rows} rows\n`);
      return;
    }
    dataReplies.set(reply.id, reply);
  });
  let nextId = 1;
  const askData = async (request: (id: number) => DataRequest): Promise<DataResponse> => {
    const id = nextId++;
    await handleData(request(id));
    const reply = dataReplies.get(id);
    if (!reply) throw new Error(`The data handler did not answer request ${id}`);
    return reply;
  };

  io.err(`[${elapsed()}] reading ${command.csv}…\n`);
  const ingested = await askData((id) => ({ type: 'ingest', id, input: { kind: 'file', file } }));
  if (ingested.type === 'error') return bug(ingested.error);
  if (ingested.type !== 'ingested') throw new Error(`Unexpected reply ${ingested.type} to ingest`);
  if (!ingested.result.ok) {
    const { code, fileName: name, params } = ingested.result.reason;
    io.err(`${message(`error.${code}`, { file: name, ...params })}\n`);
    return EXIT.failed;
  }
  const summary = ingested.result.data;
  io.err(`  ${summary.rowCount} rows, ${summary.summaries.length} columns, ${summary.facts.encoding}, in ${(summary.parseMs / 1000).toFixed(1)} s\n`);

  const columnProblem = checkColumns(command, fileName, summary.summaries.map((s) => s.name));
  if (columnProblem !== null) {
    io.err(`${columnProblem}\n\n${USAGE}\n`);
    return EXIT.usage;
  }

  // --- Roles: the suggestions, then the flags.
  const overrides: RoleOverride[] = [
    { column: command.target, role: 'target' },
    ...(command.time === undefined ? [] : [{ column: command.time, role: 'time' } as const]),
    ...command.series.map((column) => ({ column, role: 'series' }) as const),
    ...command.levers.map((column) => ({ column, role: 'lever' }) as const),
  ];
  const roles: RoleMap = applyRoleOverrides(suggestRoles(summary.summaries), overrides);
  const byRole = (role: string) => Object.keys(roles).filter((c) => roles[c] === role);
  io.err(`roles: target ${command.target}; time ${byRole('time').join(', ') || '(none)'}; series ${byRole('series').join(', ') || '(none)'}; levers ${byRole('lever').join(', ') || '(none)'}; covariates ${byRole('covariate').join(', ') || '(none)'}\n`);

  const analyzed = await askData((id) => ({ type: 'analyze', id, roles }));
  if (analyzed.type === 'error') return bug(analyzed.error);
  if (analyzed.type === 'analyzed') {
    const { analysis } = analyzed;
    const findings = analysis.report.items.filter((item) => item.severity !== 'info');
    const shape = analysis.frequency === 'none' ? `cross-section of ${summary.rowCount} rows` : `${analysis.seriesCount} series × ${analysis.timeSteps} ${analysis.frequency} steps, ${analysis.gapCount} gaps`;
    const kinds = [...new Set(findings.map((f) => f.kind))];
    io.err(`  ${shape}; ${findings.length} quality warnings${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}\n`);
  }

  const settings: TrainSettings = {
    ...DEFAULT_MODEL_SETTINGS,
    ...(command.epochs === undefined ? {} : { epochs: command.epochs }),
    ...(command.seed === undefined ? {} : { seed: command.seed }),
  };
  const built = await askData((id) => ({ type: 'dataset', id, roles, options: { windowLength: settings.windowLength, seed: settings.seed } }));
  if (built.type === 'error') return bug(built.error);
  if (built.type !== 'dataset') throw new Error(`Unexpected reply ${built.type} to dataset`);
  if (!built.result.ok) {
    io.err(`${message(`train.error.${built.result.reason.code}`, built.result.reason.params)}\n`);
    return EXIT.failed;
  }
  const dataset = built.result.data;

  // --- Training: the ml worker's handler on a Node backend env.
  const epochSpeeds: number[] = [];
  const answers: MlResponse[] = [];
  const batchProgress = throttled(io.err);
  // The handler checkpoints the best weights into this store; --out builds the bundle from them.
  const store = captureCheckpoints();
  const handleMl = createMlHandler((reply) => {
    if (reply.type === 'event') {
      if (reply.event.kind === 'epoch') epochSpeeds.push(reply.event.result.samplesPerSec);
      describeEvent(reply.event, io, batchProgress, elapsed);
      return;
    }
    answers.push(reply);
  }, nodeBackendEnv(command.backend), store);
  await handleMl({ type: 'train', id: nextId++, dataset, settings, backend: command.backend });

  const reply = answers.at(-1);
  if (reply?.type === 'error') return bug(reply.error);
  if (reply?.type !== 'trained') throw new Error('The ml handler did not answer the train request');
  if (!reply.result.ok) {
    io.err(`${message(`train.error.${reply.result.reason.code}`, reply.result.reason.params)}\n`);
    return EXIT.failed;
  }
  const result = reply.result.data;
  const seconds = (performance.now() - started) / 1000;
  let run = summarizeRun(result, epochSpeeds);
  if (bundleTarget) {
    const checkpoint = store.checkpoint();
    if (!checkpoint?.snapshot) {
      io.err(`${translate('en', 'error.unexpected')}\nThe ml handler saved no weights to write to ${bundleTarget.path}.\n`);
      return EXIT.failed;
    }
    io.err(`[${elapsed()}] writing the model bundle…\n`);
    const bytes = await trainedBundle({ name: bundleTarget.name, roles, summaries: summary.summaries, dataset: store.dataset() ?? dataset, result, checkpoint });
    // Written beside the target and renamed, so a failed write leaves no half bundle.
    const partial = `${bundleTarget.path}.partial`;
    try {
      await writeFile(partial, bytes);
      await rename(partial, bundleTarget.path);
    } catch (thrown) {
      await unlink(partial).catch(() => undefined);
      io.err(`--out: cannot write ${bundleTarget.path} (${thrown instanceof Error ? thrown.message : String(thrown)}).\n`);
      return EXIT.failed;
    }
    io.err(`  ${bundleTarget.path}: ${(bytes.length / 1024).toFixed(0)} KiB\n`);
    run = { ...run, bundle: bundleTarget.path };
  }
  io.err(`[${elapsed()}] done\n`);
  io.out(command.json ? `${JSON.stringify(run)}\n` : formatReport(run, { fileName, target: command.target, result, seconds }));
  return EXIT.ok;
}
