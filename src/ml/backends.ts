/**
 * tf.js backend setup and measured selection (DESIGN §4): register what this
 * environment has, check each backend's numbers against `cpu` on a tiny
 * batch, time one training step at the real shapes, pick the fastest correct
 * one. Works in a Web Worker and in Node; touches no DOM or worker globals.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { buildLstmModel } from './lstm';
import { predictValues, trainStep } from './train';

/** The tf.js backends Promocast can train on. */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Every backend, in the order they are tried and listed (GPU first). */
export const BACKEND_NAMES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** Options for {@link registerBackends}. */
export interface RegisterBackendsOptions {
  /**
   * Where the WASM binaries are: a folder URL ending in `/`, or a map from
   * binary name to URL (`WASM_PATHS` from `./wasmPaths` in the app). Omit in
   * Node, where they are found beside the package.
   */
  readonly wasmPaths?: Readonly<Record<string, string>> | string;
  /** WASM thread pool size (see {@link defaultWasmThreads}); 1 uses the single-threaded SIMD build. */
  readonly threads?: number;
}

/**
 * Registers and initialises the backends this environment supports, and
 * returns those that initialised, in {@link BACKEND_NAMES} order.
 *
 * - `webgpu`: only where the browser exposes WebGPU and gives an adapter.
 * - `webgl`: only in a browser (in a worker, it needs OffscreenCanvas).
 * - `wasm`, `cpu`: everywhere.
 *
 * Call once per worker (or Node process), before any other tf.js call:
 * WASM paths and thread count are fixed when the WASM backend first starts.
 * A backend that fails to initialise is left out, not thrown. Afterwards the
 * first returned backend is active.
 */
export async function registerBackends(options: RegisterBackendsOptions = {}): Promise<BackendName[]> {
  const { wasmPaths, threads } = options;
  let wasmConfigured = true;
  try {
    if (wasmPaths !== undefined) setWasmPaths(typeof wasmPaths === 'string' ? wasmPaths : { ...wasmPaths });
    if (threads !== undefined) {
      const count = Math.max(1, Math.floor(threads));
      setThreadsCount(count);
      // One thread gains nothing from the threaded build, which always starts
      // a pool of 8 pthread workers.
      if (count === 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    }
  } catch {
    // setWasmPaths throws after a failed WASM start, or for an incomplete map.
    wasmConfigured = false;
  }

  try {
    // Registers `webgpu` only where navigator.gpu exists; kept out of the
    // main bundle for browsers without it.
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch {
    // No WebGPU build for this environment: left out below.
  }

  const available: BackendName[] = [];
  for (const name of BACKEND_NAMES) {
    if (name === 'wasm' && !wasmConfigured) continue;
    if (tf.findBackendFactory(name) === null) continue;
    if (await initialise(name)) available.push(name);
  }
  const best = available[0];
  if (best !== undefined) await initialise(best);
  return available;
}

/**
 * The WASM thread pool size for a machine with `hardwareConcurrency` logical
 * cores: half of them (the other half runs the page and the data worker),
 * at least 1 and at most 4.
 */
export function defaultWasmThreads(hardwareConcurrency: number | undefined): number {
  const cores = hardwareConcurrency !== undefined && Number.isFinite(hardwareConcurrency) ? hardwareConcurrency : 2;
  return Math.min(4, Math.max(1, Math.floor(cores / 2)));
}

/** Threads the WASM backend is using (1 for the single-threaded builds); undefined before it has started. */
export function wasmThreadCount(): number | undefined {
  try {
    return getThreadsCount();
  } catch {
    return undefined;
  }
}

/** One backend's self-test result, for the backend table and {@link pickBackend}. */
export interface BackendReport {
  readonly backend: BackendName;
  /** Its outputs (forward pass and after one training step) match `cpu` within the tolerance. */
  readonly correct: boolean;
  /** Largest absolute difference from `cpu` over those outputs (NaN if it could not run). */
  readonly maxAbsError: number;
  /** Median wall time of one `trainOnBatch` at the real shapes, in ms (NaN if it could not run). */
  readonly msPerStep: number;
  /** batchSize / msPerStep, in training samples per second (NaN if it could not run). */
  readonly samplesPerSec: number;
  /** WASM only: threads in use. */
  readonly threads?: number;
  /** Why the backend failed, or a tensor leak found while testing it. */
  readonly error?: string;
}

/** Options for {@link selfTestBackends}: the shapes training will use. */
export interface SelfTestOptions {
  readonly candidates: readonly BackendName[];
  readonly windowLength: number;
  readonly featureCount: number;
  readonly units: number;
  readonly batchSize: number;
  /** Stacked LSTM layers in the timed model (default 1). */
  readonly layers?: number;
  /** Largest absolute difference from `cpu` still counted as correct (default 1e-3). */
  readonly tolerance?: number;
  /** Called with each report as soon as that backend is done (the whole test can take half a minute with software GPUs). */
  readonly onReport?: (report: BackendReport, index: number) => void;
}

/** Windows in the numerical check; small so that `cpu` answers quickly. */
const CHECK_BATCH = 4;
const CHECK_SEED = 20240611;
const TIMED_STEPS = 3;

/**
 * Tests each candidate backend in turn (they must be registered: see
 * {@link registerBackends}).
 *
 * Correctness: a model of the real shapes (`units`, input `[4, windowLength,
 * featureCount]`) with fixed seeded weights and inputs predicts, takes one
 * SGD step, and predicts again; both outputs are compared with `cpu`'s.
 * Speed: the training model (`buildLstmModel`, input `[batchSize,
 * windowLength, featureCount]`) takes one warm-up step, then the median of
 * 3 timed `trainOnBatch` calls is reported.
 *
 * Never throws for a failing backend: its report has `correct: false` and
 * an `error`. Disposes every tensor it makes. Leaves the backend that was
 * active before it active again.
 */
export async function selfTestBackends(options: SelfTestOptions): Promise<BackendReport[]> {
  const { candidates, windowLength, featureCount, units, batchSize, layers = 1, tolerance = 1e-3, onReport } = options;
  // Null before any backend has started.
  const previous = tf.engine().backendName as string | null;
  const shapes = { windowLength, featureCount, units };

  if (!(await initialise('cpu'))) throw new Error('The tf.js cpu backend did not start.');
  const reference = await numericalCheck(shapes);

  const reports: BackendReport[] = [];
  for (const backend of candidates) {
    const tensorsBefore = tf.memory().numTensors;
    let report: BackendReport;
    try {
      if (!(await initialise(backend))) throw new Error(`The ${backend} backend did not start.`);
      const outputs = backend === 'cpu' ? reference : await numericalCheck(shapes);
      const maxAbsError = maxAbsDifference(outputs, reference);
      const msPerStep = await timeTrainingStep({ ...shapes, batchSize, layers });
      report = {
        backend,
        correct: maxAbsError <= tolerance,
        maxAbsError,
        msPerStep,
        samplesPerSec: (batchSize * 1000) / msPerStep,
        ...threadsField(backend),
      };
    } catch (error) {
      report = { backend, correct: false, maxAbsError: Number.NaN, msPerStep: Number.NaN, samplesPerSec: Number.NaN, ...threadsField(backend), error: describe(error) };
    }
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked > 0 && report.error === undefined) report = { ...report, error: `${leaked} tensors leaked during the self-test` };
    reports.push(report);
    onReport?.(report, reports.length - 1);
  }

  if (previous !== null && tf.engine().backendName !== previous) await initialise(previous);
  return reports;
}

/**
 * The backend to train on: the fastest correct one in `reports`, `cpu`
 * when none is correct.
 */
export function pickBackend(reports: readonly BackendReport[]): BackendName {
  let best: BackendReport | undefined;
  for (const report of reports) {
    if (!report.correct || !Number.isFinite(report.msPerStep)) continue;
    if (best === undefined || report.msPerStep < best.msPerStep) best = report;
  }
  return best?.backend ?? 'cpu';
}

/** Switches to `name` and waits for it; false (never a throw) when it cannot start. */
async function initialise(name: string): Promise<boolean> {
  try {
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

function threadsField(backend: BackendName): { threads?: number } {
  if (backend !== 'wasm') return {};
  const threads = wasmThreadCount();
  return threads === undefined ? {} : { threads };
}

interface Shapes {
  readonly windowLength: number;
  readonly featureCount: number;
  readonly units: number;
}

/** Predictions before and after one SGD step on fixed data: `[2 × CHECK_BATCH]`. */
async function numericalCheck(shapes: Shapes): Promise<Float32Array> {
  const { model, optimizer } = buildLstmModel({ ...shapes, layers: 1, dropout: 0, learningRate: 1e-3, seed: CHECK_SEED, output: 'regression' });
  // Plain SGD: Adam's first step is ±lr whatever the gradient's size, which
  // would magnify rounding differences in near-zero gradients.
  const sgd = tf.train.sgd(0.1);
  const x = seededValues(CHECK_BATCH * shapes.windowLength * shapes.featureCount, CHECK_SEED);
  const y = seededValues(CHECK_BATCH, CHECK_SEED + 1);
  try {
    const out = new Float32Array(2 * CHECK_BATCH);
    out.set(await predictValues(model, x, CHECK_BATCH, shapes.windowLength, shapes.featureCount), 0);
    // The step and the forward pass training and what-if use (the fast LSTM pass).
    trainStep(model, sgd, 'mse', x, y, CHECK_BATCH, shapes.windowLength, shapes.featureCount).dispose();
    out.set(await predictValues(model, x, CHECK_BATCH, shapes.windowLength, shapes.featureCount), CHECK_BATCH);
    return out;
  } finally {
    model.dispose();
    optimizer.dispose();
    sgd.dispose();
  }
}

/** Median ms of {@link TIMED_STEPS} training steps (the app's, {@link trainStep}) after one warm-up. */
async function timeTrainingStep(shapes: Shapes & { readonly batchSize: number; readonly layers: number }): Promise<number> {
  const { windowLength, featureCount, units, batchSize, layers } = shapes;
  const { model, optimizer } = buildLstmModel({ windowLength, featureCount, units, layers, dropout: 0, learningRate: 1e-3, seed: CHECK_SEED, output: 'regression' });
  const x = seededValues(batchSize * windowLength * featureCount, CHECK_SEED + 2);
  const y = seededValues(batchSize, CHECK_SEED + 3);
  // The loss read back, as the training loop does: the step is only done when its numbers are.
  const step = async (): Promise<void> => {
    const cost = trainStep(model, optimizer, 'mse', x, y, batchSize, windowLength, featureCount);
    await cost.data();
    cost.dispose();
  };
  try {
    await step();
    const times: number[] = [];
    for (let i = 0; i < TIMED_STEPS; i++) {
      const start = performance.now();
      await step();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] as number;
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs((a[i] as number) - (b[i] as number));
    // NaN from a broken kernel must count as wrong.
    if (!(diff <= max)) max = Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff;
  }
  return max;
}

/** Deterministic values in [-1, 1) (xorshift32), the same on every backend. */
export function seededValues(count: number, seed: number): Float32Array {
  const values = new Float32Array(count);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    values[i] = state / 2147483648 - 1;
  }
  return values;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}
