/**
 * `predict`: a model bundle and a scenario file in, forecasts out. Reads the
 * bundle without trusting it (src/ml/bundle readBundle), rebuilds the what-if
 * dataset from the bundle's recent history, and forecasts every scenario in
 * one batched forward pass with the ml handler's exported `whatIf`, the same
 * code the app's what-if step runs.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { registerBackends } from '../../src/ml/backends';
import { datasetFromBundle, loadBundleModel, readBundle, type BundleError } from '../../src/ml/bundle';
import { whatIf } from '../../src/workers/handlers/mlHandler';
import { SCENARIO_HELP, type PredictCommand } from './args';
import { EXIT, type CliOutput } from './io';
import { formatPredictions, summarizeScenario } from './report';
import { parseScenarios, scenarioModel, type Scenario } from './scenario';

/** What each {@link BundleError} code means, for the message after the code. */
const BUNDLE_PROBLEMS: Record<BundleError['code'], string> = {
  notZip: 'the file is not a zip archive, so not a Promocast model bundle (.promocast.zip)',
  missingFile: 'the bundle lacks a file it needs',
  newerFormat: 'the bundle was made by a newer Promocast than this one',
  badManifest: 'the bundle’s manifest.json is invalid',
  weightsMismatch: 'the bundle’s weights do not match its model',
  tooLarge: 'the bundle would unpack to more than this tool opens safely',
  corrupt: 'the bundle is damaged',
};

/** `PATH: cannot use the model bundle: <meaning> [code] {params}`. */
export function bundleErrorMessage(path: string, error: BundleError): string {
  return `${path}: cannot use the model bundle: ${BUNDLE_PROBLEMS[error.code]} [${error.code}] ${JSON.stringify(error.params)}`;
}

/** A file that must exist: its bytes, or a message. */
async function readInput(path: string): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; message: string }> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return { ok: false, message: `${path}: ${info ? 'not a file' : 'no such file'}.` };
  return { ok: true, bytes: new Uint8Array(await readFile(path)) };
}

function describePlan(s: Scenario): { promo: string; levers: string } {
  const { horizon, promoStart, promoDuration, levers } = s.plan;
  const promo = promoDuration === 0 ? 'none' : promoStart === 0 && promoDuration === horizon ? 'all' : `${promoStart + 1}–${promoStart + promoDuration}`;
  const set = Object.entries(levers).map(([name, value]) => `${name}=${String(value)}`);
  return { promo, levers: set.length > 0 ? set.join(' ') : '—' };
}

/**
 * Runs `predict` and returns the exit code: 0 done, 1 a file that cannot be
 * used (no file, a bad bundle, a cross-section model), 2 a scenario file
 * that does not fit the model. The result goes to `io.out`, the rest to `io.err`.
 */
export async function runPredict(command: PredictCommand, io: CliOutput): Promise<number> {
  const bundleFile = await readInput(command.model);
  if (!bundleFile.ok) {
    io.err(`${bundleFile.message}\n`);
    return EXIT.failed;
  }
  const read = readBundle(bundleFile.bytes);
  if (!read.ok) {
    io.err(`${bundleErrorMessage(command.model, read.reason)}\n`);
    return EXIT.failed;
  }
  const { manifest, artifacts } = read.data;
  if (manifest.spec.crossSection || manifest.spec.timeColumn === null) {
    io.err(`${command.model}: the model ${manifest.name} was trained on data without a time column; predict forecasts plans over time and needs a time-series model.\n`);
    return EXIT.failed;
  }
  io.err(`model ${manifest.name}: ${manifest.spec.target.column} for ${manifest.history.length} series, levers ${manifest.spec.levers.join(', ') || '(none)'}; trained ${manifest.createdAt}\n`);

  const scenarioFile = await readInput(command.scenario);
  if (!scenarioFile.ok) {
    io.err(`${scenarioFile.message}\n`);
    return EXIT.failed;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(scenarioFile.bytes);
  } catch {
    io.err(`${command.scenario}: not UTF-8 text.\n`);
    return EXIT.failed;
  }
  const parsed = parseScenarios(text, basename(command.scenario), scenarioModel(manifest));
  if (!parsed.ok) {
    io.err(`${parsed.message}\n\n${SCENARIO_HELP}\n`);
    return EXIT.usage;
  }
  for (const warning of parsed.warnings) io.err(`warning: ${warning}\n`);
  const { scenarios } = parsed;

  const available = await registerBackends();
  const backend = available.includes(command.backend) ? command.backend : 'cpu';
  if (backend !== command.backend) io.err(`warning: the ${command.backend} backend did not start; using cpu\n`);
  if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`The ${backend} backend did not start`);
  await tf.ready();

  let model: tf.LayersModel;
  try {
    model = await loadBundleModel(artifacts);
  } catch (thrown) {
    io.err(`${bundleErrorMessage(command.model, { code: 'corrupt', params: { file: 'model.json', detail: thrown instanceof Error ? thrown.message : String(thrown) } })}\n`);
    return EXIT.failed;
  }
  try {
    const dataset = datasetFromBundle(manifest);
    const result = await whatIf(dataset, model, manifest.conformalQuantile90 ?? Number.NaN, { plans: scenarios.map((s) => s.plan) });
    io.err(`forecast ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'} (${result.windows} windows) on ${backend} in ${result.inferenceMs.toFixed(0)} ms\n`);
    const summaries = scenarios.map((s, k) => summarizeScenario({ label: s.label, start: s.start, horizon: s.plan.horizon }, result.plans[k]!));
    io.out(
      command.json
        ? `${JSON.stringify({ scenarios: summaries })}\n`
        : formatPredictions(summaries, { modelName: manifest.name, target: manifest.spec.target.column, targetKind: manifest.spec.target.kind, plans: scenarios.map(describePlan) }),
    );
    return EXIT.ok;
  } finally {
    model.dispose();
  }
}
