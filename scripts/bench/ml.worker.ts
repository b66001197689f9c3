/**
 * The ml benchmark's worker (served by a Vite dev server, see ml.mjs): the
 * app's own src/ml code on each tf.js backend, like src/workers/ml.worker.ts.
 *
 * - `init`: registerBackends with the app's WASM paths and thread count.
 * - `train`: trainLoop (the app's loop: shuffled batches, optimizer.minimize,
 *   async loss reads) on synthetic windows of the seed's shapes, after a
 *   warm-up; optionally tf.profile of one training step (kernel dispatches).
 * - `infer`: one batched model.predict of N windows (predictWindows), repeated.
 * - `sample` / `whatif`: the sample CSV through ingestFile → buildPanel →
 *   buildDataset, then the what-if batch (buildPlans + planWindows) and its
 *   forward pass, and the ml handler's whole `whatIf`.
 *
 * Not part of the app; type-checked with scripts/ (DOM lib).
 */
import * as tf from '@tensorflow/tfjs';
import { blobSource } from '../../src/workers/handlers/dataHandler';
import { whatIf, whatIfContext } from '../../src/workers/handlers/mlHandler';
import { ingestFile } from '../../src/data/ingest';
import { buildPanel } from '../../src/data/panel';
import { suggestRoles } from '../../src/data/roles';
import { defaultWasmThreads, registerBackends, seededValues, wasmThreadCount, type BackendName } from '../../src/ml/backends';
import { buildDataset } from '../../src/ml/features';
import { buildLstmModel, DEFAULT_MODEL_SETTINGS } from '../../src/ml/lstm';
import { predictValues, predictWindows, prefixStatesOf, trainLoop, trainStep, type TrainSettings } from '../../src/ml/train';
import type { Dataset, Windows } from '../../src/ml/types';
import { planWindows } from '../../src/ml/whatif';
import { kernelForecasts, kernelRunnable, kernelSteps } from '../../src/ml/scenarioKernel';
import { scenarioKernelOf } from '../../src/ml/scenarioKernelOf';
import { WASM_PATHS } from '../../src/ml/wasmPaths';
import { buildPlans, CURVE_POINTS, defaultScenario, DRAG_CURVE_POINTS } from '../../src/state/slices/whatIfSlice';
import type { WhatIfContext } from '../../src/workers/protocol';

/** Shapes of Part 2: the seed's model. */
export interface TrainShapes {
  readonly windowLength: number;
  readonly featureCount: number;
  readonly units: number;
  readonly batchSize: number;
  readonly learningRate: number;
}

export type BenchRequest =
  | { readonly type: 'init'; readonly threads: number | null }
  | {
      readonly type: 'train';
      readonly backend: BackendName;
      readonly shapes: TrainShapes;
      readonly warmupBatches: number;
      readonly batches: number;
      /** Fewer timed batches when the warm-up says `batches` would take longer than this. */
      readonly budgetMs: number;
      readonly profile: boolean;
    }
  | { readonly type: 'infer'; readonly backend: BackendName; readonly shapes: TrainShapes; readonly windows: number; readonly reps: number; readonly budgetMs: number }
  | { readonly type: 'sample'; readonly url: string }
  | { readonly type: 'whatif'; readonly backend: BackendName; readonly horizon: number; readonly curves: number; readonly points: number; readonly reps: number; readonly budgetMs: number };

const post = (message: unknown): void => (globalThis as unknown as { postMessage(m: unknown): void }).postMessage(message);

/** Synthetic training windows of the given shapes: random inputs, a target that depends on them. */
function syntheticWindows(count: number, shapes: TrainShapes, seed: number): Windows {
  const { windowLength: L, featureCount: F } = shapes;
  const x = seededValues(count * L * F, seed);
  const y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (let s = 0; s < L; s++) sum += (x[(i * L + s) * F] as number) * (s + 1);
    y[i] = sum / L;
  }
  return {
    count,
    windowLength: L,
    featureCount: F,
    x,
    y,
    actual: Float64Array.from(y),
    series: new Int32Array(count),
    step: Int32Array.from({ length: count }, (_, i) => i),
    horizon: new Int32Array(count).fill(1),
    naive: new Float64Array(count),
    seasonalNaive: new Float64Array(count),
  };
}

const emptyWindows = (shapes: TrainShapes): Windows => syntheticWindows(0, shapes, 1);

async function use(backend: BackendName): Promise<void> {
  if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`The ${backend} backend did not start`);
  await tf.ready();
}

function settingsFor(shapes: TrainShapes, epochs: number): TrainSettings {
  return { ...DEFAULT_MODEL_SETTINGS, windowLength: shapes.windowLength, units: shapes.units, batchSize: shapes.batchSize, learningRate: shapes.learningRate, epochs, patience: 0 };
}

function newModel(shapes: TrainShapes) {
  return buildLstmModel({ windowLength: shapes.windowLength, featureCount: shapes.featureCount, units: shapes.units, layers: 1, dropout: 0, learningRate: shapes.learningRate, seed: 42, output: 'regression' });
}

/** One epoch of trainLoop over `windows`; its seconds as trainLoop measures them. */
async function epoch(model: tf.LayersModel, optimizer: tf.Optimizer, windows: Windows, shapes: TrainShapes): Promise<{ seconds: number; samplesPerSec: number; loss: number }> {
  let seconds = NaN;
  let samplesPerSec = NaN;
  let loss = NaN;
  await trainLoop({
    model,
    optimizer,
    loss: 'mse',
    train: windows,
    valid: emptyWindows(shapes),
    settings: settingsFor(shapes, 1),
    onEpoch: (r) => {
      seconds = r.seconds;
      samplesPerSec = r.samplesPerSec;
      loss = r.trainLoss;
    },
  });
  return { seconds, samplesPerSec, loss };
}

/**
 * The step's two costly product shapes, [B×U]·[U×4U] and its gradient
 * [B×4U]·[U×4U]ᵀ, through each matMul route tf.js has: fused (the forward
 * pass's _FusedMatMul), plain BatchMatMul, and BatchMatMul with a transposed
 * operand (what the gradients dispatch). µs per call, median of 30.
 */
async function matMulProbe(shapes: TrainShapes) {
  const { batchSize: B, units: U } = shapes;
  const G = 4 * U;
  const h = tf.tensor2d(seededValues(B * U, 31), [B, U]);
  const hT = tf.tensor2d(seededValues(U * B, 32), [U, B]);
  const w = tf.tensor2d(seededValues(U * G, 33), [U, G]);
  const wT = tf.tensor2d(seededValues(G * U, 34), [G, U]);
  const dz = tf.tensor2d(seededValues(B * G, 35), [B, G]);
  const flop = 2 * B * U * G;
  const routes: [string, () => tf.Tensor][] = [
    ['fused [B×U]·[U×4U]', () => tf.fused.matMul({ a: h, b: w })],
    ['BatchMatMul [B×U]·[U×4U]', () => tf.matMul(h, w)],
    ['BatchMatMul [U×B]ᵀ·[B×4U] (dW)', () => tf.matMul(hT, dz, true, false)],
    ['BatchMatMul [B×4U]·[U×4U]ᵀ (dh)', () => tf.matMul(dz, w, false, true)],
    ['BatchMatMul [B×4U]·[4U×U] (dh, pre-transposed)', () => tf.matMul(dz, wT)],
  ];
  const out: { route: string; us: number; gflops: number }[] = [];
  try {
    for (const [route, fn] of routes) {
      const once = async () => {
        const r = fn();
        await r.data();
        r.dispose();
      };
      await once();
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t = performance.now();
        await once();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const ms = times[15] as number;
      out.push({ route, us: Math.round(ms * 1000), gflops: Math.round((flop / (ms / 1000) / 1e9) * 10) / 10 });
    }
  } finally {
    tf.dispose([h, hT, w, wT, dz]);
  }
  return out;
}

/** tf.profile of one training step, the app's (trainStep: the hand-written LSTM pass where the model allows it). */
async function profileStep(model: tf.LayersModel, optimizer: tf.Optimizer, shapes: TrainShapes) {
  const { windowLength: L, featureCount: F, batchSize: n } = shapes;
  const xs = seededValues(n * L * F, 7);
  const ys = seededValues(n, 8);
  const step = () => trainStep(model, optimizer, 'mse', xs, ys, n, L, F);
  // Wall time of a plain step, read back (for the share spent in kernels).
  const wall: number[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const cost = step();
    await cost.data();
    cost.dispose();
    wall.push(performance.now() - started);
  }
  // Three profiled steps (the machine may be shared): the one with the median time.
  const profiled: { info: Awaited<ReturnType<typeof tf.profile>>; ms: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    const info = await tf.profile(async () => {
      const cost = step();
      await cost.data();
      cost.dispose();
    });
    profiled.push({ info, ms: performance.now() - started });
  }
  profiled.sort((a, b) => a.ms - b.ms);
  const { info, ms: profiledMs } = profiled[1]!;
  const kernels = info.kernels;
  const byName = new Map<string, { count: number; ms: number }>();
  // Matrix products by operand shapes: which of them cost the time.
  const matMuls = new Map<string, { count: number; ms: number }>();
  let kernelMs = 0;
  for (const k of kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    // `name__op` entries wrap the kernels of a custom-gradient op (fused
    // matMul): counted as dispatches, their time is already in the inner kernels.
    if (!k.name.endsWith('__op')) kernelMs += ms;
    const entry = byName.get(k.name) ?? { count: 0, ms: 0 };
    entry.count++;
    entry.ms += ms;
    byName.set(k.name, entry);
    if (k.name === 'BatchMatMul' || k.name === '_FusedMatMul') {
      const key = `${k.name} ${k.inputShapes.filter((shape) => Array.isArray(shape)).map((shape) => `[${shape.join('×')}]`).join(' · ')} → [${k.outputShapes.filter((shape) => Array.isArray(shape)).map((shape) => shape.join('×')).join(', ')}]`;
      const m = matMuls.get(key) ?? { count: 0, ms: 0 };
      m.count++;
      m.ms += ms;
      matMuls.set(key, m);
    }
  }
  const rounded = (v: { count: number; ms: number }) => ({ count: v.count, ms: Math.round(v.ms * 100) / 100 });
  wall.sort((a, b) => a - b);
  return {
    matMulProbe: await matMulProbe(shapes),
    kernels: kernels.length,
    kernelMs,
    profiledStepMs: profiledMs,
    stepMs: wall[1] as number,
    newTensors: info.newTensors,
    top: [...byName].sort((a, b) => b[1].count - a[1].count).slice(0, 12).map(([name, v]) => ({ name, ...rounded(v) })),
    byTime: [...byName].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8).map(([name, v]) => ({ name, ...rounded(v) })),
    matMuls: [...matMuls].sort((a, b) => b[1].ms - a[1].ms).map(([shapes, v]) => ({ shapes, ...rounded(v) })),
  };
}

async function train(request: Extract<BenchRequest, { type: 'train' }>) {
  const { backend, shapes } = request;
  await use(backend);
  const tensorsBefore = tf.memory().numTensors;
  const { model, optimizer } = newModel(shapes);
  try {
    // Warm-up: one batch (kernel compilation, first allocations), then
    // `warmupBatches` more, whose speed sizes the timed run.
    const first = await epoch(model, optimizer, syntheticWindows(shapes.batchSize, shapes, 11), shapes);
    const warm = await epoch(model, optimizer, syntheticWindows(request.warmupBatches * shapes.batchSize, shapes, 12), shapes);
    const warmStepMs = (warm.seconds * 1000) / request.warmupBatches;
    const batches = Math.max(3, Math.min(request.batches, Math.floor(request.budgetMs / Math.max(1, warmStepMs))));
    const timed = await epoch(model, optimizer, syntheticWindows(batches * shapes.batchSize, shapes, 13), shapes);
    const profile = request.profile ? await profileStep(model, optimizer, shapes) : null;
    return {
      backend,
      threads: backend === 'wasm' ? (wasmThreadCount() ?? 1) : null,
      warmupBatches: 1 + request.warmupBatches,
      firstStepMs: first.seconds * 1000,
      warmupMsPerStep: warmStepMs,
      batches,
      seconds: timed.seconds,
      samplesPerSec: timed.samplesPerSec,
      msPerStep: (timed.seconds * 1000) / batches,
      finalLoss: timed.loss,
      profile,
    };
  } finally {
    model.dispose();
    optimizer.dispose();
    const leaked = tf.memory().numTensors - tensorsBefore;
    if (leaked > 0) console.warn(`bench: ${leaked} tensors left after training on ${backend}`);
  }
}

/**
 * Timed calls of `fn` after a warm-up: until `reps` calls or `budgetMs`
 * (warm-up included), at least `minReps` — by default 3, or 1 when the
 * warm-up call alone took more than a third of the budget (software GPUs). A second warm-up call
 * runs when the first was cheap.
 */
async function repeat(fn: () => Promise<void>, reps: number, budgetMs: number, minReps?: number): Promise<{ times: number[]; warmupMs: number }> {
  const started = performance.now();
  await fn();
  const warmupMs = performance.now() - started;
  if (warmupMs < budgetMs / 20) await fn();
  const atLeast = minReps ?? (warmupMs > budgetMs / 3 ? 1 : 3);
  const times: number[] = [];
  while (times.length < reps && (times.length < atLeast || performance.now() - started < budgetMs)) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return { times, warmupMs };
}

async function infer(request: Extract<BenchRequest, { type: 'infer' }>) {
  const { backend, shapes } = request;
  await use(backend);
  const { model, optimizer } = newModel(shapes);
  const windows = syntheticWindows(request.windows, shapes, 21);
  try {
    // predictWindows: one model.predict of every window (≤ 1024) and its data read.
    const { times, warmupMs } = await repeat(async () => void (await predictWindows(model, windows)), request.reps, request.budgetMs, 3);
    return { backend, windows: request.windows, times, warmupMs };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

let sample: { dataset: Dataset; context: WhatIfContext; rows: number; ingestMs: number; datasetMs: number } | null = null;

async function loadSample(url: string) {
  const started = performance.now();
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const ingested = await ingestFile(blobSource(await response.blob(), 'promotions.csv'));
  if (!ingested.ok) throw new Error(`ingestFile failed: ${ingested.reason.code}`);
  const ingestMs = performance.now() - started;
  const { table, summaries, rowNumbers } = ingested.data;
  const roles = suggestRoles(summaries);
  const panel = buildPanel(table, roles, summaries, { rowNumbers });
  const built = buildDataset(panel, summaries, { windowLength: DEFAULT_MODEL_SETTINGS.windowLength, seed: DEFAULT_MODEL_SETTINGS.seed });
  if (!built.ok) throw new Error(`buildDataset failed: ${built.reason.code}`);
  const d = built.data;
  const context: WhatIfContext = whatIfContext(d, 0.1);
  sample = { dataset: d, context, rows: table.rowCount, ingestMs, datasetMs: performance.now() - started - ingestMs };
  const numeric = d.spec.levers.filter((l) => d.leverRanges[l]?.kind === 'numeric');
  return {
    rows: table.rowCount,
    series: d.series.length,
    features: d.spec.features.length,
    target: d.spec.target.column,
    levers: d.spec.levers,
    numericLevers: numeric,
    /** The app's points per numeric response curve. */
    curvePoints: CURVE_POINTS,
    ingestMs: sample.ingestMs,
    datasetMs: sample.datasetMs,
  };
}

async function whatIfBench(request: Extract<BenchRequest, { type: 'whatif' }>) {
  if (!sample) throw new Error('load the sample first');
  const { dataset, context } = sample;
  const { backend } = request;
  await use(backend);
  const spec = dataset.spec;
  const L = spec.windowLength;
  const F = spec.features.length;
  const { model, optimizer } = buildLstmModel({ windowLength: L, featureCount: F, units: 64, layers: 1, dropout: 0, learningRate: 1e-3, seed: 42, output: 'regression' });
  try {
    const scenario = { ...defaultScenario(context), horizon: request.horizon, promoDuration: request.horizon };
    // Part 3(a)'s batch: scenario + no promotion + the first `curves` numeric levers × `points`.
    const numeric = spec.levers.filter((l) => dataset.leverRanges[l]?.kind === 'numeric').slice(0, request.curves);
    const benchContext: WhatIfContext = { ...context, spec: { ...spec, levers: numeric } };
    const { plans } = buildPlans(benchContext, scenario, request.points);
    // The app's own batch: every lever, 21 points per numeric curve.
    const app = buildPlans(context, scenario);

    const started = performance.now();
    const left = () => Math.max(0, request.budgetMs - (performance.now() - started));
    const modelTimes = async (batch: typeof plans, budgetMs: number) => {
      const planMs: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        planWindows(dataset, batch);
        planMs.push(performance.now() - t);
      }
      const { x, count, shared } = planWindows(dataset, batch);
      // The model call as the ml handler's whatIf makes it: upload, one forward pass (each plan's shared
      // history once; after the first call its states are kept, as for a slider move), read back.
      const { times, warmupMs } = await repeat(
        async () => void (await predictValues(model, x, count, L, F, shared)),
        request.reps,
        budgetMs / 3,
      );
      // The first call at a plan start: the shared histories run too.
      const cold = await repeat(
        async () => {
          prefixStatesOf(model)?.clear();
          await predictValues(model, x, count, L, F, shared);
        },
        request.reps,
        budgetMs / 3,
      );
      // The same windows run whole (every window all its steps): what sharing the history saves.
      const whole = await repeat(async () => void (await predictValues(model, x, count, L, F)), request.reps, budgetMs / 3);
      return { windows: count, plans: batch.length, times, warmupMs, planMs, coldTimes: cold.times, wholeTimes: whole.times };
    };
    // The numbers pass the app sends first: the scenario and no promotion (states kept).
    const numbers = planWindows(dataset, plans.slice(0, 2));
    const numbersTimes = (await repeat(async () => void (await predictValues(model, numbers.x, numbers.count, L, F, numbers.shared)), request.reps, request.budgetMs / 10)).times;
    const bench = await modelTimes(plans, request.budgetMs / 2);
    const appBatch = left() > 0 ? await modelTimes(app.plans, left() / 2) : null;
    // The ml handler's whole whatIf (planWindows + predict + read + per-plan mapping) on the brief's batch.
    const handler = left() > 0 ? await repeat(async () => void (await whatIf(dataset, model, 0.1, { plans })), request.reps, left()) : null;
    // The numbers as the UI computes them for a small context: the scenario's plan from the kernel
    // (SIMD product on the host), for the default series and for every series.
    const host: { series: number; plans?: number; steps: number; times: number[] }[] = [];
    for (const series of [[plans[0]!.series[0]!], dataset.series.map((_, i) => i)]) {
      const plan = { ...plans[0]!, series };
      const kernel = await scenarioKernelOf(dataset, model, plan);
      if (!kernel || !kernelRunnable(kernel)) continue;
      const keys = dataset.series.map((g) => g.keys);
      const { times } = await repeat(async () => void kernelForecasts(kernel, spec, 0.1, dataset.noPromotion, keys, [plan]), request.reps, request.budgetMs / 10);
      host.push({ series: series.length, steps: kernelSteps(series.length, plan.horizon, L), times });
      if (series.length > 1) continue;
      // A drag's coarse curves (every lever, DRAG_CURVE_POINTS per numeric one), computed from the same kernel.
      const coarse = buildPlans(context, { ...scenario, context: { kind: 'series', index: series[0]! } }, DRAG_CURVE_POINTS).plans.slice(2);
      const curves = await repeat(async () => void kernelForecasts(kernel, spec, 0.1, dataset.noPromotion, keys, coarse), request.reps, request.budgetMs / 10);
      host.push({ series: series.length, plans: coarse.length, steps: coarse.length * kernelSteps(1, plan.horizon, L), times: curves.times });
    }
    return { backend, curves: numeric, points: request.points, horizon: request.horizon, numbers: { windows: numbers.count, times: numbersTimes }, host, bench, app: appBatch && { ...appBatch, levers: spec.levers }, handlerTimes: handler?.times ?? null };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

async function handle(request: BenchRequest): Promise<unknown> {
  switch (request.type) {
    case 'init': {
      const hardwareConcurrency = navigator.hardwareConcurrency;
      const threads = request.threads ?? defaultWasmThreads(hardwareConcurrency);
      const started = performance.now();
      const available = await registerBackends({ wasmPaths: WASM_PATHS, threads });
      const initMs = performance.now() - started;
      let webgpu = 'navigator.gpu is missing';
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; description?: string } } | null> } }).gpu;
      if (gpu) {
        const adapter = await gpu.requestAdapter().catch(() => null);
        webgpu = adapter ? `adapter ${[adapter.info?.vendor, adapter.info?.architecture, adapter.info?.description].filter(Boolean).join(' ') || '(no info)'}` : 'no adapter';
      }
      return {
        available,
        initMs,
        wasmThreads: available.includes('wasm') ? (wasmThreadCount() ?? null) : null,
        requestedThreads: threads,
        hardwareConcurrency,
        crossOriginIsolated: (globalThis as unknown as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
        webgpu,
        tfVersion: tf.version.tfjs,
        wasmFlags: { simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') },
      };
    }
    case 'train':
      return train(request);
    case 'infer':
      return infer(request);
    case 'sample':
      return loadSample(request.url);
    case 'whatif':
      return whatIfBench(request);
  }
}

globalThis.onmessage = (event: MessageEvent<BenchRequest>) => {
  handle(event.data).then(
    (result) => post({ ok: true, result }),
    (error: unknown) => post({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
};
