#!/usr/bin/env node
// `npm run bench`: Promocast's benchmarks. Prints tables; `-- --json PATH`
// also writes the figures to PATH (merged into the JSON already there).
//
//   npm run bench                          # all three parts
//   npm run bench -- --only ingest         # one part (ingest, train, whatif; or a list: train,whatif)
//   npm run bench -- --rows 100000         # a quicker ingest
//   npm run bench -- --json bench-results/latest.json
//
// Part 1, ingest: a generated promotion CSV through the real app (Upload CSV
// until "N rows" shows), against bare papaparse in a worker of the same page.
// Part 2, train: the seed's LSTM (64 units, window 14, 12 features, batch 64,
// Adam 1e-3) trained by the app's trainLoop on synthetic data, and a
// 101-window batched inference, per tf.js backend, in a Web Worker of a page
// served by a Vite dev server (scripts/bench/ml.*).
// Part 3, whatif: (a) the what-if model call per backend in that worker, on
// the sample's dataset; (b) slider input → updated Prediction in the real app.
// Benchmarks print figures; a missed target does not fail the run. The exit
// code is non-zero only when the benchmark itself crashes.
import { cpus } from 'node:os';
import { join } from 'node:path';
import { benchCsv } from './bench/generate.mjs';
import { ROOT, cleanup, ensureBuild, launchBrowser, loadAverage, mergeJson, printTable, startDevServer, startPreview } from './bench/harness.mjs';
import { INGEST_BROWSER_ARGS, benchIngest } from './bench/ingest.mjs';
import { BACKENDS, ML_BROWSER_ARGS, ML_ENTRIES, PYTORCH_SAMPLES_PER_SEC, SEED_SHAPES, benchMl, stepGflop } from './bench/ml.mjs';
import { benchWhatIfApp } from './bench/whatif.mjs';

const PORT = 4174;
const DEV_PORT = 5183;
const TARGET_RATIO = 0.8;
const TARGET_TASK_MS = 50;
const PARTS = ['ingest', 'train', 'whatif'];
const APP_CHOICES = ['auto', ...BACKENDS];

const USAGE = `usage: npm run bench -- [--only ingest|train|whatif[,…]] [--json PATH]
  ingest:  [--rows N] [--runs N] [--heap auto|cdp]
  train:   [--backends webgpu,webgl,wasm,cpu] [--train-batches N]
  whatif:  [--backends …] [--app-backends auto,webgpu,webgl,wasm,cpu] [--presses N] [--slow]`;

function parseList(flag, raw, allowed) {
  const items = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const bad = items.filter((s) => !allowed.includes(s));
  if (items.length === 0 || bad.length > 0) throw new Error(`${flag} takes ${allowed.join(', ')} (comma separated), not ${raw}`);
  return [...new Set(items)];
}

function parseArgs(argv) {
  const options = {
    rows: 1_000_000,
    json: null,
    runs: 3,
    heap: 'auto',
    only: PARTS,
    backends: BACKENDS,
    appBackends: ['auto'],
    presses: 30,
    trainBatches: 40,
    slow: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--rows':
      case '--runs':
      case '--presses':
      case '--train-batches': {
        const raw = value();
        const n = Number(raw.replace(/[_,]/g, ''));
        if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} takes a positive whole number, not ${raw}`);
        options[flag.slice(2).replace(/-(\w)/g, (_, c) => c.toUpperCase())] = n;
        break;
      }
      case '--json':
        options.json = value();
        break;
      case '--heap': {
        const v = value();
        if (v !== 'auto' && v !== 'cdp') throw new Error('--heap takes auto or cdp');
        options.heap = v;
        break;
      }
      case '--only':
        options.only = parseList(flag, value(), PARTS);
        break;
      case '--backends': {
        const chosen = parseList(flag, value(), BACKENDS);
        options.backends = BACKENDS.filter((b) => chosen.includes(b));
        break;
      }
      case '--app-backends':
        options.appBackends = parseList(flag, value(), APP_CHOICES);
        break;
      case '--slow':
        options.slow = true;
        break;
      case '--help':
      case '-h':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${argv[i]} (try --help)`);
    }
  }
  return options;
}

const log = (line) => console.log(`· ${line}`);
const fmt = (v, digits = 0) => (typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : null);
const backendLabel = (backend, ml) => (backend === 'wasm' && ml.environment.wasmThreads ? `wasm (${ml.environment.wasmThreads} thread${ml.environment.wasmThreads === 1 ? '' : 's'})` : backend === 'webgpu' ? 'webgpu (SwiftShader)' : backend === 'webgl' ? 'webgl (SwiftShader)' : backend);

async function runIngest(options, previewUrl) {
  const csv = benchCsv(join(ROOT, '.cache/bench'), options.rows);
  log(`data: ${csv.path.slice(ROOT.length)} — ${options.rows.toLocaleString('en-US')} rows × 10 columns, ${(csv.bytes / 1e6).toFixed(1)} MB${csv.generated ? ' (generated now)' : ' (cached)'}`);
  const browser = await launchBrowser(INGEST_BROWSER_ARGS);
  log(`browser: Chromium ${browser.version()}`);
  const ingest = await benchIngest({
    browser,
    url: previewUrl,
    file: csv.path,
    bytes: csv.bytes,
    rows: options.rows,
    runs: options.runs,
    heapMethod: options.heap,
    log,
  });
  await browser.close();

  const n = options.runs;
  printTable(`Ingest — ${options.rows.toLocaleString('en-US')} rows, ${ingest.fileMB} MB (MB = 10^6 bytes; medians of ${n} runs; load average ${loadAverage()})`, [
    { metric: 'end to end (Upload CSV → row count shown), s', value: ingest.endToEndS },
    { metric: 'end to end, MB/s', value: ingest.endToEndMBps },
    { metric: 'worker parse (the app\'s "read in"), s', value: ingest.workerParseS },
    { metric: 'worker parse, MB/s', value: ingest.workerParseMBps },
    { metric: 'bare papaparse in a worker, MB/s', value: ingest.barePapaparseMBps },
    { metric: 'end to end / bare papaparse', value: ingest.ratioToBare, target: `≥ ${TARGET_RATIO}`, ok: ingest.ratioToBare >= TARGET_RATIO },
    { metric: 'worker parse / bare papaparse', value: ingest.workerRatioToBare },
    {
      metric: 'longest main-thread task during ingest, ms',
      value: ingest.longestMainThreadTaskMs,
      target: `≤ ${TARGET_TASK_MS}`,
      ok: ingest.longestMainThreadTaskMs <= TARGET_TASK_MS,
    },
    { metric: 'peak JS heap during ingest (page + workers), MB', value: ingest.peakHeapMB },
    { metric: 'peak JS heap used incl. garbage (CDP), MB', value: ingest.peakHeapUsedMB },
  ]);
  console.log(`heap method: ${ingest.heapMethod}`);
  return ingest;
}

/** Part 2's table and the "what limits training" notes; returns the analysis for the JSON. */
function reportTraining(ml) {
  const rows = [];
  for (const backend of Object.keys(ml.train)) {
    const t = ml.train[backend];
    const i = ml.infer[backend] ?? {};
    const label = backendLabel(backend, ml);
    if (t.error) {
      rows.push({ metric: `${label}: training`, value: `— (${t.error})` });
    } else {
      rows.push({
        metric: `${label}: training, samples/s (${t.batches} batches)`,
        value: fmt(t.samplesPerSec),
        target: `≥ ${PYTORCH_SAMPLES_PER_SEC.toLocaleString('en-US')} (seed, PyTorch)`,
        ok: t.samplesPerSec >= PYTORCH_SAMPLES_PER_SEC,
      });
      rows.push({ metric: `${label}: ms per training step`, value: fmt(t.msPerStep, 1) });
    }
    if (i.error) rows.push({ metric: `${label}: inference of 101 windows`, value: `— (${i.error})` });
    else if (i.p50Ms !== undefined) {
      rows.push({ metric: `${label}: inference of 101 windows, p50 ms (n = ${i.n})`, value: fmt(i.p50Ms, 1) });
      rows.push({ metric: `${label}: inference of 101 windows, p95 ms`, value: fmt(i.p95Ms, 1) });
    }
  }
  const s = SEED_SHAPES;
  printTable(
    `Training and inference per backend — LSTM ${s.units} units, window ${s.windowLength}, ${s.featureCount} features, batch ${s.batchSize}, Adam ${s.learningRate}; synthetic data; the app's trainLoop in a Web Worker (load average ${loadAverage()})`,
    rows,
  );

  // What limits us: the best backend against the reference, and the kernels of one step.
  const trained = Object.entries(ml.train).filter(([, t]) => !t.error);
  if (trained.length === 0) return null;
  const [bestName, best] = trained.reduce((a, b) => (b[1].samplesPerSec > a[1].samplesPerSec ? b : a));
  const gflop = stepGflop(s);
  const analysis = {
    referenceSamplesPerSec: PYTORCH_SAMPLES_PER_SEC,
    best: bestName,
    bestSamplesPerSec: best.samplesPerSec,
    gapToReference: Math.round((PYTORCH_SAMPLES_PER_SEC / best.samplesPerSec) * 10) / 10,
    gflopPerStep: Math.round(gflop * 1000) / 1000,
    referenceGflops: Math.round(((PYTORCH_SAMPLES_PER_SEC / s.batchSize) * gflop) * 10) / 10,
    bestGflops: Math.round((gflop / (best.msPerStep / 1000)) * 100) / 100,
  };
  console.log('\nWhat limits training speed');
  console.log(
    `- Reference: the seed's PyTorch LSTM trains at ~${PYTORCH_SAMPLES_PER_SEC.toLocaleString('en-US')} samples/s on this 2-core CPU. The best backend here, ${backendLabel(bestName, ml)}, trains at ${fmt(best.samplesPerSec)} samples/s: ${analysis.gapToReference}× slower.`,
  );
  console.log(
    `- Arithmetic: one step (batch ${s.batchSize}) is ~${analysis.gflopPerStep} GFLOP (gates forward ≈ 2·B·L·4U·(F+U), backward ≈ 2× that). PyTorch's rate is ~${analysis.referenceGflops} GFLOP/s; ${bestName} runs at ${analysis.bestGflops} GFLOP/s.`,
  );
  for (const [name, t] of trained) {
    const p = t.profile;
    if (!p) continue;
    const label = backendLabel(name, ml);
    const names = p.byCount
      .filter((k) => !['BatchMatMul', '_FusedMatMul'].includes(k.name) && !k.name.endsWith('__op'))
      .slice(0, 5)
      .map((k) => `${k.name} ${k.count}`)
      .join(', ');
    console.log(
      `- ${label}, tf.profile of one step (${fmt(p.profiledStepMs, 1)} ms profiled, ${fmt(p.stepMs, 1)} ms not): ${p.kernelsPerStep.toLocaleString('en-US')} kernel dispatches. Forward gate products (_FusedMatMul, ${p.forwardMatMul.count}×) ${fmt(p.forwardMatMul.ms, 1)} ms; gradient products (BatchMatMul, ${p.gradientMatMul.count}×) ${fmt(p.gradientMatMul.ms, 1)} ms; the other ${p.otherKernels.count.toLocaleString('en-US')} kernels (${names}, …) ${fmt(p.otherKernels.ms, 1)} ms at ${fmt(p.otherKernels.usPerKernel, 1)} µs each; outside kernels (tensor bookkeeping, the loop) ${fmt(p.outsideKernelsMs, 1)} ms.`,
    );
    const probe = Object.fromEntries((p.matMulProbe ?? []).map((r) => [r.route.split(' ')[0] + (r.route.includes('pre-transposed') ? '+pre' : r.route.includes('ᵀ') ? '+T' : ''), r]));
    const plain = probe.BatchMatMul;
    const transposed = probe['BatchMatMul+T'];
    const pre = probe['BatchMatMul+pre'];
    if (plain && transposed) {
      console.log(
        `- ${label}, one ${s.batchSize}×${s.units}·${s.units}×${4 * s.units} product: ${plain.us} µs as a plain BatchMatMul (${plain.gflops} GFLOP/s), ${transposed.us} µs with a transposed operand, as tf.js autodiff would take the gradients (${transposed.gflops} GFLOP/s, ${(transposed.us / plain.us).toFixed(1)}× the time)${pre ? `; with the operand transposed beforehand, as the app's LSTM pass does: ${pre.us} µs` : ''}.`,
      );
    }
  }
  if (ml.environment.wasmThreads === 1) {
    console.log(
      `- WASM runs 1 thread: the app asks for half of the ${ml.environment.hardwareConcurrency} logical cores, and tf.js's threaded build caps XNNPACK at logical cores / 2 as well (asking for 2 or 4 still gives 1 here), so the second core idles during training.`,
    );
  }
  const wasm = ml.train.wasm?.profile;
  if (wasm) {
    const share = (ms) => `${Math.round((100 * ms) / Math.max(wasm.profiledStepMs, wasm.kernelMsPerStep))} %`;
    console.log(
      `- So, on wasm (the app's hand-written LSTM pass, src/ml/fastLstm.ts): ${share(wasm.forwardMatMul.ms)} of a step is the fused forward gate products, ${share(wasm.gradientMatMul.ms)} the gradient products (plain, operands transposed first), ${share(wasm.otherKernels.ms)} the ${wasm.otherKernels.count.toLocaleString('en-US')} small element-wise kernels of the 14 unrolled steps and Adam (op-dispatch overhead), ${share(wasm.outsideKernelsMs)} JS outside kernels. What is left to PyTorch is its one fused LSTM kernel per layer (no per-step dispatch) and a second thread.`,
    );
  }
  return analysis;
}

function reportWhatIf(ml, appRuns, options) {
  const rows = [];
  if (ml) {
    for (const backend of Object.keys(ml.whatif)) {
      const w = ml.whatif[backend];
      const label = backendLabel(backend, ml);
      if (w.error || w.skipped) {
        rows.push({ metric: `(a) ${label}: model call`, value: w.error ? `— (${w.error})` : `— (skipped: 101-window call ${fmt(ml.infer[backend]?.p50Ms)} ms; --slow)` });
        continue;
      }
      if (w.numbers) rows.push({ metric: `(a) ${label}: numbers pass (scenario + no promotion), ${w.numbers.windows} windows, p50 ms`, value: fmt(w.numbers.p50Ms, 1) });
      for (const h of w.host ?? []) {
        const what = h.plans > 1 ? `a drag's coarse curves in the UI from the kernel: ${h.plans} plans of ${h.series} series` : `numbers in the UI from the kernel (SIMD, no worker call): ${h.series} series`;
        rows.push({ metric: `(a) ${what}, ${h.steps} LSTM steps, p50 / p95 ms`, value: `${fmt(h.p50Ms, 2)} / ${fmt(h.p95Ms, 2)}` });
      }
      rows.push({ metric: `(a) ${label}: model call, ${w.windows} windows, history states kept, p50 ms (n = ${w.n})`, value: fmt(w.modelP50Ms, 1) });
      rows.push({ metric: `(a) ${label}: model call, p95 ms`, value: fmt(w.modelP95Ms, 1) });
      if (w.coldP50Ms !== undefined) rows.push({ metric: `(a) ${label}: model call at a new plan start (histories run too), p50 ms`, value: fmt(w.coldP50Ms, 1) });
      if (w.wholeWindowsP50Ms !== undefined) rows.push({ metric: `(a) ${label}: the same windows run whole (no shared history), p50 ms`, value: fmt(w.wholeWindowsP50Ms, 1) });
      if (w.appBatch) rows.push({ metric: `(a) ${label}: the app's batch, ${w.appBatch.windows} windows, p50 ms (n = ${w.appBatch.n})`, value: fmt(w.appBatch.p50Ms, 1) });
      if (w.handlerP50Ms !== undefined) rows.push({ metric: `(a) ${label}: ml handler's whatIf, ${w.windows} windows, p50 ms`, value: fmt(w.handlerP50Ms, 1) });
    }
    const any = Object.values(ml.whatif).find((w) => w.planWindowsMs !== undefined);
    if (any) rows.push({ metric: `(a) planWindows alone, ${any.windows} windows, median ms`, value: fmt(any.planWindowsMs, 1) });
  }
  for (const run of Object.values(appRuns ?? {})) {
    const label = run.choice === 'auto' ? `auto → ${run.backend ?? '?'}` : run.choice;
    if (run.error) {
      rows.push({ metric: `(b) app, ${label}: input → Prediction`, value: `— (${run.error})` });
      continue;
    }
    rows.push({ metric: `(b) app, ${label}: input → Prediction text, p50 ms (n = ${run.n})`, value: fmt(run.p50Ms, 1) });
    rows.push({ metric: `(b) app, ${label}: input → Prediction text, p95 ms`, value: fmt(run.p95Ms, 1) });
    rows.push({ metric: `(b) app, ${label}: input → next frame, p50 ms`, value: fmt(run.toNextFrameP50Ms, 1) });
    rows.push({ metric: `(b) app, ${label}: presses whose numbers are in the frame that moves the slider`, value: `${run.numbersSameFrame} of ${run.n}` });
    rows.push({ metric: `(b) app, ${label}: numbers, frames after the slider's own, p95 (0 = that frame)`, value: fmt(run.numbersFrameP95, 1) });
    rows.push({ metric: `(b) app, ${label}: input → end of the frame showing the numbers, p50 ms`, value: fmt(run.numbersShownP50Ms, 1) });
    rows.push({ metric: `(b) app, ${label}: input → end of the frame showing the numbers, p95 ms`, value: fmt(run.numbersShownP95Ms, 1) });
    rows.push({ metric: `(b) app, ${label}: presses whose curves are in the frame that moves the slider`, value: `${run.curvesSameFrame} of ${run.n}` });
    rows.push({ metric: `(b) app, ${label}: curves, frames after the slider's own, p50 / p95`, value: `${fmt(run.curvesFrameP50, 1)} / ${fmt(run.curvesFrameP95, 1)}` });
    rows.push({ metric: `(b) app, ${label}: input → response curves redrawn, p50 ms`, value: fmt(run.toCurvesP50Ms, 1) });
    rows.push({ metric: `(b) app, ${label}: input → response curves redrawn, p95 ms`, value: fmt(run.toCurvesP95Ms, 1) });
    rows.push({ metric: `(b) app, ${label}: the app's own "Updated in", p50 ms`, value: fmt(run.appReportedP50Ms, 1) });
    rows.push({ metric: `(b) app, ${label}: main-thread long tasks within input → text, p50 ms`, value: fmt(run.mainThreadLongTasksP50Ms, 1) });
    if (run.drag) {
      const d = run.drag;
      rows.push({ metric: `(c) app, ${label}: drag of ${d.inputs} inputs (sent 16 ms apart, received ${fmt(d.spacingP50Ms, 1)} ms apart, p50): input → next Prediction change, p50 ms`, value: fmt(d.nextUpdateP50Ms, 1) });
      rows.push({ metric: `(c) app, ${label}: drag: input → next Prediction change, p95 ms`, value: fmt(d.nextUpdateP95Ms, 1) });
      rows.push({ metric: `(c) app, ${label}: drag: Prediction changes during the ${d.spanMs} ms drag`, value: String(d.updatesDuringDrag) });
      rows.push({ metric: `(c) app, ${label}: drag: last input → final numbers, ms`, value: fmt(d.lastInputToNumbersMs, 1) });
      rows.push({ metric: `(c) app, ${label}: drag: last input → final curves drawn, ms`, value: fmt(d.lastInputToCurvesMs, 1) });
    }
    for (const [tag, m, which] of [
      ['(d)', run.frameDrag, 'drag at one input per frame'],
      ["(d')", run.frameDragAgain, 'the same drag again (code warm), under a third promotion type and another ad spend'],
    ]) {
      if (!m) continue;
      rows.push({ metric: `${tag} app, ${label}: ${which}, ${m.inputs} inputs over ${m.spanMs} ms: frames per second`, value: fmt(m.spanMs > 0 ? (m.frames * 1000) / m.spanMs : null, 1) });
      rows.push({ metric: `${tag} app, ${label}: frames whose Prediction answers the slider`, value: `${m.framesWithNumbers} of ${m.frames}` });
      rows.push({ metric: `${tag} app, ${label}: frames whose curves (coarse or full) answer the slider`, value: `${m.framesWithAnyCurves} of ${m.frames}` });
      rows.push({ metric: `${tag} app, ${label}: frames whose curves answer the slider or the input before`, value: `${m.framesCurvesAtMostOneBehind} of ${m.frames}` });
      rows.push({ metric: `${tag} app, ${label}: frames whose full curves answer the slider`, value: `${m.framesWithCurves} of ${m.frames}` });
      rows.push({ metric: `${tag} app, ${label}: inputs the curves are behind, p50 / p95`, value: `${fmt(m.curvesBehindP50, 1)} / ${fmt(m.curvesBehindP95, 1)}` });
      rows.push({ metric: `${tag} app, ${label}: last input → numbers on screen, ms`, value: fmt(m.lastInputToNumbersMs, 1) });
      rows.push({ metric: `${tag} app, ${label}: last input → numbers and curves (coarse or full) on screen, ms`, value: fmt(m.lastInputToAnyCurvesMs, 1) });
      rows.push({ metric: `${tag} app, ${label}: last input → numbers and full curves on screen, ms`, value: fmt(m.lastInputToCurvesMs, 1) });
    }
    if (run.split?.n > 0) {
      rows.push({ metric: `(b) app, ${label}: input → request posted to the worker, p50 ms`, value: fmt(run.split.inputToRequestP50Ms, 1) });
      rows.push({ metric: `(b) app, ${label}: request → answer (worker), p50 ms`, value: fmt(run.split.requestToAnswerP50Ms, 1) });
      rows.push({ metric: `(b) app, ${label}: answer → Prediction text (main thread), p50 ms`, value: fmt(run.split.answerToTextP50Ms, 1) });
    }
  }
  const sample = ml?.sample;
  printTable(
    `What-if latency — D = 7; (a) the model call in the worker (upload + predict + read back; untrained weights, the sample's ${sample ? `${sample.features} features` : 'features'}), scenario + no promotion + 3 curves × 41 points; (b) the real app after 1 epoch, ${options.presses} ArrowRight presses on discount_pct, with its own batch (load average ${loadAverage()})`,
    rows,
  );
  const first = Object.values(appRuns ?? {})[0];
  if (first && !first.error) {
    console.log(
      `(b) uses the app's own settings: ${sample?.curvePoints ?? 21} points per numeric response curve and every lever (${sample ? sample.levers.join(', ') : 'all levers'}), plus the scenario and no-promotion plans — ${first.windows ?? '?'} windows per update; ${first.unchanged} of ${first.presses} presses left the Prediction text unchanged and are not counted; discount_pct went ${first.slider.from} → ${first.slider.to}.`,
    );
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const parts = new Set(options.only);
  const startedAt = Date.now();
  const loadAtStart = loadAverage();
  log(`parts: ${[...parts].join(', ')}; ${cpus().length} logical cores; load average ${loadAtStart}`);

  let preview = null;
  if (parts.has('ingest') || parts.has('whatif')) {
    ensureBuild(log);
    preview = await startPreview(PORT);
    log(`preview: ${preview.url}`);
  }

  const results = {};
  if (parts.has('ingest')) results.ingest = await runIngest(options, preview.url);

  let ml = null;
  let mlBrowser = null;
  if (parts.has('train') || parts.has('whatif')) {
    const dev = await startDevServer(DEV_PORT, ML_ENTRIES);
    log(`dev server (bench pages): ${dev.url}`);
    mlBrowser = await launchBrowser(ML_BROWSER_ARGS);
    log(`browser: Chromium ${mlBrowser.version()} with ${ML_BROWSER_ARGS.join(' ')}`);
    ml = await benchMl({
      browser: mlBrowser,
      devUrl: dev.url,
      parts: { train: parts.has('train'), whatif: parts.has('whatif') },
      backends: options.backends,
      trainBatches: options.trainBatches,
      slow: options.slow,
      log,
    });
    await dev.close();
    if (parts.has('train')) {
      results.train = ml.train;
      results.infer = ml.infer;
      results.trainAnalysis = reportTraining(ml);
    }
  }

  if (parts.has('whatif')) {
    if (preview.exit() !== null) {
      // Other jobs on a shared machine may end it; its output says why.
      log(`preview: exited (${preview.exit()}) during the run${preview.output() ? `, saying: ${preview.output().split('\n').slice(-3).join(' | ')}` : ''}; starting it again`);
      preview = await startPreview(PORT);
    }
    // The app as an analyst without a GPU runs it: Chromium's default flags
    // (no WebGPU adapter; WebGL on SwiftShader). A forced WEBGPU run gets the
    // software adapter from the ml browser.
    const plain = await launchBrowser();
    const appRuns = {};
    for (const choice of options.appBackends) {
      Object.assign(appRuns, await benchWhatIfApp({ browser: choice === 'webgpu' ? mlBrowser : plain, url: preview.url, choices: [choice], presses: options.presses, log }));
    }
    await plain.close();
    reportWhatIf(ml, appRuns, options);
    const first = appRuns[options.appBackends[0]];
    results.whatif = { ...ml.whatif, app: first, ...(options.appBackends.length > 1 ? { appRuns } : {}) };
  }

  const environment = {
    date: new Date().toISOString(),
    logicalCores: cpus().length,
    cpu: cpus()[0]?.model ?? null,
    loadAverage: { start: loadAtStart, end: loadAverage() },
    ...(ml ? { ml: ml.environment } : {}),
    ...(mlBrowser ? { chromium: mlBrowser.version() } : {}),
  };
  console.log(`\nload average (1, 5, 15 min): ${loadAtStart} at the start, ${environment.loadAverage.end} at the end; ${environment.logicalCores} logical cores (${environment.cpu})`);
  if (options.json) {
    for (const [key, value] of Object.entries(results)) if (value !== undefined && value !== null) mergeJson(options.json, key, value);
    mergeJson(options.json, 'environment', environment);
    console.log(`wrote ${options.json}`);
  }
  console.log(`bench took ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping the preview server and the browser`);
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  await main();
  await cleanup();
  process.exit(0);
} catch (error) {
  if (stopping) await new Promise(() => {}); // interrupted: the signal handler cleans up and exits
  console.error(`\nbench crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await cleanup();
  process.exit(1);
}
