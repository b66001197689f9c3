// Parts 2 and 3(a) of `npm run bench`: training, batched inference and the
// what-if model call per tf.js backend, in a Web Worker of a headless
// Chromium page served by a Vite dev server (scripts/bench/ml.html →
// ml.page.ts → ml.worker.ts, which runs the app's own src/ml code).
/* global window */
import { median, percentile, round } from './harness.mjs';

/** Chromium flags for Part 2 and 3: a software WebGPU adapter (SwiftShader), and WebGL on SwiftShader. */
export const ML_BROWSER_ARGS = ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader'];

/** The backends, in the app's order (GPU first). */
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** The seed's shapes: LSTM 64 units, window 14, 12 features, batch 64, Adam 1e-3. */
export const SEED_SHAPES = { windowLength: 14, featureCount: 12, units: 64, batchSize: 64, learningRate: 1e-3 };

/** The seed's PyTorch LSTM on this 2-core CPU: the figure to chase. */
export const PYTORCH_SAMPLES_PER_SEC = 10_000;

const PAGE = 'scripts/bench/ml.html';
/** The bench page and worker, for Vite's dependency scan. */
export const ML_ENTRIES = [PAGE, 'scripts/bench/ml.worker.ts'];

/**
 * Time limits (ms). A backend gets `budget` ms of timed work per measurement
 * (warm-ups count); `timeout` is where the worker is given up and replaced.
 */
const LIMITS = {
  init: 120_000,
  train: { budget: 8_000, timeout: 120_000 },
  infer: { budget: 4_000, timeout: 90_000 },
  whatif: { budget: 12_000, timeout: 120_000 },
};
/**
 * A what-if batch is ~9× the 101-window call; on a software GPU one such
 * call took 50 s here. Past this 101-window p50, Part 3(a) is skipped for
 * that backend unless --slow is given.
 */
const WHATIF_SKIP_INFER_MS = 1_000;

const summary = (times) => ({
  n: times.length,
  p50Ms: round(percentile(times, 50), 1),
  p95Ms: round(percentile(times, 95), 1),
  minMs: round(Math.min(...times), 1),
  maxMs: round(Math.max(...times), 1),
});

/**
 * Runs Part 2 (`train`) and/or Part 3(a) (`whatif`) on `backends` against the
 * dev server at `devUrl`. Returns { environment, train, infer, whatif }; a
 * backend that did not initialise, failed or timed out has `{ error }`.
 */
export async function benchMl({ browser, devUrl, parts, backends, trainBatches = 40, slow = false, log }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon|Failed to load resource/.test(m.text())) consoleErrors.push(m.text().slice(0, 300));
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e).slice(0, 300)));
  await page.goto(new URL(PAGE, devUrl).href);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: LIMITS.init });

  const call = async (request, timeoutMs) => {
    const answer = await page.evaluate(([r, t]) => window.benchCall(r, t), [request, timeoutMs]);
    if (!answer.ok) throw new Error(answer.error.split('\n')[0]);
    return answer.result;
  };

  let sampleInfo = null;
  const start = async () => {
    const info = await call({ type: 'init', threads: null }, LIMITS.init);
    if (parts.whatif) sampleInfo = await call({ type: 'sample', url: '/samples/promotions.csv' }, LIMITS.init);
    return info;
  };
  const restart = async () => {
    await page.evaluate(() => window.benchReset());
    await start();
  };

  const startedInit = Date.now();
  const env = await start();
  log(`ml worker: backends ${env.available.join(', ')} initialised in ${((Date.now() - startedInit) / 1000).toFixed(1)} s; wasm ${env.wasmThreads ?? '—'} thread(s) (asked ${env.requestedThreads}; ${env.hardwareConcurrency} logical cores); crossOriginIsolated ${env.crossOriginIsolated}; WebGPU ${env.webgpu}`);
  if (sampleInfo) log(`sample: ${sampleInfo.rows} rows → ${sampleInfo.series} series, ${sampleInfo.features} features, target ${sampleInfo.target}, levers ${sampleInfo.levers.join(', ')}`);

  const train = {};
  const infer = {};
  const whatif = {};
  // Runs one measurement; on failure records the error and replaces the worker.
  const attempt = async (label, fn) => {
    const started = Date.now();
    try {
      const result = await fn();
      return { result, seconds: (Date.now() - started) / 1000 };
    } catch (error) {
      log(`${label}: ${error.message}`);
      await restart().catch((e) => log(`restarting the worker failed: ${e.message}`));
      return { error: error.message };
    }
  };

  for (const backend of backends) {
    if (!env.available.includes(backend)) {
      const error = backend === 'webgpu' ? `did not initialise (${env.webgpu})` : 'did not initialise';
      if (parts.train) {
        train[backend] = { error };
        infer[backend] = { error };
      }
      if (parts.whatif) whatif[backend] = { error };
      log(`${backend}: ${error}`);
      continue;
    }
    if (parts.train) {
      const t = await attempt(`${backend} training`, () =>
        call({ type: 'train', backend, shapes: SEED_SHAPES, warmupBatches: 2, batches: trainBatches, budgetMs: LIMITS.train.budget, profile: backend === 'wasm' || backend === 'cpu' }, LIMITS.train.timeout),
      );
      if (t.error) train[backend] = { error: t.error };
      else {
        const r = t.result;
        train[backend] = {
          samplesPerSec: round(r.samplesPerSec, 0),
          msPerStep: round(r.msPerStep, 1),
          batches: r.batches,
          warmupBatches: r.warmupBatches,
          firstStepMs: round(r.firstStepMs, 0),
          ...(r.threads === null ? {} : { threads: r.threads }),
          ...(r.profile ? { profile: profileFigures(r.profile) } : {}),
        };
        log(`${backend}: training ${Math.round(r.samplesPerSec)} samples/s (${r.msPerStep.toFixed(1)} ms/step over ${r.batches} batches after ${r.warmupBatches} warm-up; first step ${Math.round(r.firstStepMs)} ms) [${t.seconds.toFixed(0)} s]`);
      }
    }
    // Inference is Part 2's; Part 3(a) also uses it to skip hopeless backends.
    {
      const i = await attempt(`${backend} inference`, () => call({ type: 'infer', backend, shapes: SEED_SHAPES, windows: 101, reps: 31, budgetMs: LIMITS.infer.budget }, LIMITS.infer.timeout));
      if (i.error) infer[backend] = { error: i.error };
      else {
        infer[backend] = { windows: 101, ...summary(i.result.times), warmupMs: round(i.result.warmupMs, 0) };
        log(`${backend}: inference of 101 windows p50 ${infer[backend].p50Ms} ms, p95 ${infer[backend].p95Ms} ms (n = ${infer[backend].n}) [${i.seconds.toFixed(0)} s]`);
      }
    }
    if (parts.whatif) {
      const inferP50 = infer[backend]?.p50Ms;
      if (!slow && typeof inferP50 === 'number' && inferP50 > WHATIF_SKIP_INFER_MS) {
        whatif[backend] = { skipped: `a 101-window call takes ${Math.round(inferP50)} ms here; the 875-window what-if batch would take tens of seconds per call (--slow measures it)` };
        log(`${backend}: what-if model call skipped (101-window p50 ${Math.round(inferP50)} ms)`);
        continue;
      }
      const w = await attempt(`${backend} what-if`, () => call({ type: 'whatif', backend, horizon: 7, curves: 3, points: 41, reps: 31, budgetMs: slow ? 4 * LIMITS.whatif.budget : LIMITS.whatif.budget }, slow ? 600_000 : LIMITS.whatif.timeout));
      if (w.error) whatif[backend] = { error: w.error };
      else {
        const r = w.result;
        const model = summary(r.bench.times);
        whatif[backend] = {
          modelP50Ms: model.p50Ms,
          modelP95Ms: model.p95Ms,
          n: model.n,
          windows: r.bench.windows,
          plans: r.bench.plans,
          curves: r.curves,
          points: r.points,
          horizon: r.horizon,
          warmupMs: round(r.bench.warmupMs, 0),
          planWindowsMs: round(median(r.bench.planMs), 1),
          coldP50Ms: round(percentile(r.bench.coldTimes, 50), 1),
          wholeWindowsP50Ms: round(percentile(r.bench.wholeTimes, 50), 1),
          numbers: { windows: r.numbers.windows, ...summary(r.numbers.times) },
          host: (r.host ?? []).map((h) => ({ series: h.series, plans: h.plans ?? 1, steps: h.steps, n: h.times.length, p50Ms: round(percentile(h.times, 50), 2), p95Ms: round(percentile(h.times, 95), 2) })),
          ...(r.handlerTimes?.length ? { handlerP50Ms: round(percentile(r.handlerTimes, 50), 1), handlerN: r.handlerTimes.length } : {}),
          ...(r.app
            ? {
                appBatch: {
                  windows: r.app.windows,
                  plans: r.app.plans,
                  levers: r.app.levers,
                  ...summary(r.app.times),
                  planWindowsMs: round(median(r.app.planMs), 1),
                },
              }
            : {}),
        };
        log(`${backend}: what-if numbers pass, ${r.numbers.windows} windows: p50 ${summary(r.numbers.times).p50Ms} ms; model call, ${r.bench.windows} windows: p50 ${model.p50Ms} ms, p95 ${model.p95Ms} ms (n = ${model.n}), at a new plan start p50 ${round(percentile(r.bench.coldTimes, 50), 1)} ms, whole windows p50 ${round(percentile(r.bench.wholeTimes, 50), 1)} ms${r.app ? `; the app's ${r.app.windows}-window batch p50 ${round(percentile(r.app.times, 50), 1)} ms` : ''} [${w.seconds.toFixed(0)} s]`);
      }
    }
  }
  await context.close();
  return {
    environment: {
      available: env.available,
      wasmThreads: env.wasmThreads,
      wasmThreadsAsked: env.requestedThreads,
      wasmMultithreadSupport: env.wasmFlags?.multithread ?? null,
      hardwareConcurrency: env.hardwareConcurrency,
      crossOriginIsolated: env.crossOriginIsolated,
      webgpu: env.webgpu,
      tfjs: env.tfVersion,
      ...(consoleErrors.length ? { consoleErrors: consoleErrors.slice(0, 10) } : {}),
    },
    sample: sampleInfo,
    train,
    infer,
    whatif,
  };
}

/** Kernel dispatches per training step, from tf.profile of one step. */
function profileFigures(p) {
  const group = (name) => {
    const list = p.matMuls.filter((m) => m.shapes.startsWith(`${name} `)).map((m) => ({ ...m, shapes: m.shapes.slice(name.length + 1) }));
    return { count: list.reduce((n, m) => n + m.count, 0), ms: round(list.reduce((n, m) => n + m.ms, 0), 1), byShape: list };
  };
  const batch = group('BatchMatMul');
  const fused = group('_FusedMatMul');
  const wrappers = p.top.filter((k) => k.name.endsWith('__op')).reduce((n, k) => n + k.count, 0);
  const otherKernels = p.kernels - batch.count - fused.count - wrappers;
  const otherMs = p.kernelMs - batch.ms - fused.ms;
  return {
    kernelsPerStep: p.kernels,
    kernelMsPerStep: round(p.kernelMs, 1),
    stepMs: round(p.stepMs, 1),
    // Profiling adds a timer per kernel: the profiled step is the denominator for shares.
    outsideKernelsMs: round(Math.max(0, p.profiledStepMs - p.kernelMs), 1),
    profiledStepMs: round(p.profiledStepMs, 1),
    forwardMatMul: fused,
    gradientMatMul: batch,
    otherKernels: { count: otherKernels, ms: round(otherMs, 1), usPerKernel: round((1000 * otherMs) / Math.max(1, otherKernels), 1) },
    matMulProbe: p.matMulProbe,
    byCount: p.top,
    byTime: p.byTime,
  };
}

/**
 * Seed LSTM arithmetic per training step: forward 2·B·L·4U·(F+U) FLOPs for
 * the gates, backward about twice that.
 */
export function stepGflop({ windowLength, featureCount, units, batchSize }) {
  const forward = 2 * batchSize * windowLength * 4 * units * (featureCount + units);
  return (3 * forward) / 1e9;
}
