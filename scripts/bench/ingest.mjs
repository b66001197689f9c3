// The ingest benchmark: a large CSV through the real app (Upload CSV → the
// row count on screen), against bare papaparse in a worker of the same page.
/* global window, document, MutationObserver, HTMLInputElement, Worker */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, median, round } from './harness.mjs';

const MB = 1e6; // MB = 10^6 bytes throughout
const INGEST_TIMEOUT_MS = 180_000;
const HEAP_INTERVAL_MS = 500;

/** Chromium flags the ingest part needs (eager memory measurement). */
export const INGEST_BROWSER_ARGS = ['--enable-blink-features=ForceEagerMeasureMemory'];

// ---------------------------------------------------------------------------
// Page-side functions (run in the browser; no closures over Node values)
// ---------------------------------------------------------------------------

/** Init script: records every long task on window.__bench.longTasks. */
function pageInit() {
  const bench = { longTasks: [] };
  window.__bench = bench;
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (error) {
    bench.longTaskError = String(error);
  }
}

/**
 * Arms the timers for one ingest: t0 when a file input fires input/change,
 * t1 when an element whose text matches `pattern` enters the DOM, and
 * (optionally) heap samples with measureUserAgentSpecificMemory every `interval` ms.
 */
function pageArm({ pattern, sampleHeap, interval }) {
  const bench = window.__bench;
  const re = new RegExp(pattern);
  Object.assign(bench, { t0: null, t1: null, heap: [], heapError: null });
  const onSet = (event) => {
    if (bench.t0 === null && event.target instanceof HTMLInputElement && event.target.type === 'file') bench.t0 = performance.now();
  };
  document.addEventListener('input', onSet, true);
  document.addEventListener('change', onSet, true);
  const shows = (node) => {
    const el = node.nodeType === 1 ? node : node.parentElement;
    if (!el) return false;
    for (const candidate of [el, ...el.querySelectorAll('*')]) {
      const text = candidate.textContent;
      if (text.length < 64 && re.test(text.trim())) return true;
    }
    return false;
  };
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      const nodes = record.type === 'characterData' ? [record.target] : Array.from(record.addedNodes);
      if (nodes.some(shows)) {
        bench.t1 = performance.now();
        observer.disconnect();
        return;
      }
    }
  });
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  bench.disarm = () => {
    observer.disconnect();
    document.removeEventListener('input', onSet, true);
    document.removeEventListener('change', onSet, true);
  };
  if (sampleHeap) {
    // A measurement can stall while the worker is busy; a stalled one does
    // not block the next (at most 3 in flight), and stop() waits 5 s at most.
    const inFlight = new Set();
    const sample = () => {
      if (inFlight.size >= 3) return Promise.resolve();
      const at = performance.now();
      const p = performance
        .measureUserAgentSpecificMemory()
        .then((m) => bench.heap.push({ at, tookMs: performance.now() - at, bytes: m.bytes }))
        .catch((error) => (bench.heapError = String(error)))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      return p;
    };
    sample();
    const timer = setInterval(sample, interval);
    bench.stopHeap = async () => {
      clearInterval(timer);
      const limit = new Promise((resolve) => setTimeout(resolve, 5000));
      await Promise.race([Promise.all([...inFlight, sample()]), limit]); // includes the loaded state
    };
  }
}

/** Collects one ingest's figures from the page. */
async function pageCollect() {
  const bench = window.__bench;
  bench.disarm?.();
  if (bench.stopHeap) await bench.stopHeap();
  bench.stopHeap = null;
  return { t0: bench.t0, t1: bench.t1, longTasks: bench.longTasks, longTaskError: bench.longTaskError ?? null, heap: bench.heap.slice(), heapError: bench.heapError };
}

/** Whether measureUserAgentSpecificMemory answers here (within 5 s). */
async function pageProbeMemoryApi() {
  if (typeof performance.measureUserAgentSpecificMemory !== 'function') return 'measureUserAgentSpecificMemory is not available';
  if (!window.crossOriginIsolated) return 'the page is not cross-origin isolated';
  try {
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000));
    const m = await Promise.race([performance.measureUserAgentSpecificMemory(), timeout]);
    return typeof m.bytes === 'number' ? null : 'no byte count';
  } catch (error) {
    return String(error);
  }
}

/** Adds the hidden file input the bare-papaparse runs read from. */
function pageAddBareInput() {
  if (document.getElementById('bench-bare-file')) return;
  const input = document.createElement('input');
  input.type = 'file';
  input.id = 'bench-bare-file';
  input.hidden = true;
  document.body.append(input);
}

/** Bare papaparse: a fresh worker streams the file, parse only; returns its elapsed ms. */
async function pageBareRun({ papaSource }) {
  const file = document.getElementById('bench-bare-file').files[0];
  const handler = `
self.onmessage = (event) => {
  const started = performance.now();
  let rows = 0;
  Papa.parse(event.data, {
    chunkSize: 4 * 1024 * 1024,
    chunk: (result) => { rows += result.data.length; },
    complete: () => self.postMessage({ ms: performance.now() - started, rows }),
    error: (error) => self.postMessage({ error: String((error && error.message) || error) }),
  });
};`;
  const url = URL.createObjectURL(new Blob([papaSource, '\n;', handler], { type: 'text/javascript' }));
  const worker = new Worker(url);
  try {
    return await new Promise((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(event.message || 'bare papaparse worker failed'));
      worker.postMessage(file);
    });
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
}

// ---------------------------------------------------------------------------
// Heap through CDP (fallback): Runtime.getHeapUsage of the page and its workers
// ---------------------------------------------------------------------------

async function cdpHeapProbe(context, page) {
  const session = await context.newCDPSession(page);
  const workers = new Set();
  const pending = new Map();
  let nextId = 1;
  session.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'worker') workers.add(e.sessionId);
  });
  session.on('Target.detachedFromTarget', (e) => workers.delete(e.sessionId));
  session.on('Target.receivedMessageFromTarget', (e) => {
    const message = JSON.parse(e.message);
    const resolve = pending.get(message.id);
    if (resolve) {
      pending.delete(message.id);
      resolve(message.result ?? null);
    }
  });
  // Non-flat auto-attach: Playwright's CDPSession cannot address flat child
  // sessions, but it can relay messages to a worker through the Target domain.
  await session.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const workerHeap = (sessionId) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      setTimeout(() => pending.delete(id) && resolve(null), 5000);
      session
        .send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) })
        .catch(() => pending.delete(id) && resolve(null));
    });
  const bytesOf = (usage) => (usage ? usage.usedSize + (usage.backingStorageSize ?? 0) : 0);
  return {
    /** Page + workers: used JS heap plus ArrayBuffer backing stores, in bytes. */
    async sample() {
      const [own, ...others] = await Promise.all([session.send('Runtime.getHeapUsage').catch(() => null), ...[...workers].map(workerHeap)]);
      return { bytes: bytesOf(own) + others.reduce((sum, u) => sum + bytesOf(u), 0), workers: others.filter(Boolean).length };
    },
  };
}

function startCdpSampling(probe) {
  const samples = [];
  let inFlight = null;
  const sample = () => {
    if (inFlight) return inFlight;
    const at = Date.now();
    inFlight = probe
      .sample()
      .then((s) => samples.push({ at, tookMs: Date.now() - at, bytes: s.bytes, workers: s.workers }))
      .catch(() => {})
      .finally(() => (inFlight = null));
    return inFlight;
  };
  sample();
  const timer = setInterval(sample, HEAP_INTERVAL_MS);
  return async () => {
    clearInterval(timer);
    if (inFlight) await inFlight;
    await sample();
    return samples;
  };
}

// ---------------------------------------------------------------------------
// The benchmark
// ---------------------------------------------------------------------------

async function waitForReady(page) {
  await page.getByLabel('Upload CSV').waitFor({ state: 'attached', timeout: 30_000 });
}

/** Peak and trace of heap samples; `at` on the clock of `origin`, window [from, to]. */
function heapFigures(samples, origin, from, to) {
  if (samples.length === 0) return { peakMB: null, samples: 0, duringIngest: 0, trace: [] };
  return {
    peakMB: round(Math.max(...samples.map((s) => s.bytes)) / MB, 1),
    samples: samples.length,
    // answered promptly for a moment of the ingest (a stalled answer says little about that moment)
    duringIngest: samples.filter((s) => s.at >= from && s.at <= to && s.tookMs < 2000).length,
    medianSampleMs: round(median(samples.map((s) => s.tookMs)), 1),
    trace: samples.map((s) => ({ atMs: Math.round(s.at - origin), tookMs: Math.round(s.tookMs), MB: round(s.bytes / MB, 1) })),
  };
}

/**
 * One ingest through the app; the page is freshly loaded. With `heap`, samples
 * memory with measureUserAgentSpecificMemory (`heap.uasm`) and/or CDP (`heap.cdp`).
 */
async function appRun(page, { file, rowsText, heap = null }) {
  const pattern = `^${rowsText.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} rows$`;
  await page.evaluate(pageArm, { pattern, sampleHeap: Boolean(heap?.uasm), interval: HEAP_INTERVAL_MS });
  const stopCdp = heap?.cdp ? startCdpSampling(heap.cdp) : null;
  const started = Date.now();
  await page.getByLabel('Upload CSV').setInputFiles(file);
  await page.getByText(new RegExp(pattern)).waitFor({ state: 'visible', timeout: INGEST_TIMEOUT_MS });
  const ended = Date.now();
  const cdpSamples = stopCdp ? await stopCdp() : null;
  const facts = await page.getByText(/read in [\d.,]+ s/).innerText();
  const readInS = Number(/read in ([\d.,]+) s/.exec(facts)[1].replace(/,/g, ''));
  await page.waitForTimeout(300); // let the long-task observer deliver
  const got = await page.evaluate(pageCollect);
  if (got.t0 === null || got.t1 === null) throw new Error(`ingest timers did not fire (t0=${got.t0}, t1=${got.t1})`);
  const tasks = got.longTasks.filter((t) => t.start < got.t1 && t.start + t.duration > got.t0);
  return {
    endToEndMs: round(got.t1 - got.t0, 1),
    nodeMs: ended - started,
    workerParseS: readInS,
    longestMainThreadTaskMs: round(Math.max(0, ...tasks.map((t) => t.duration)), 1),
    longTasks: tasks.map((t) => ({ atMs: Math.round(t.start - got.t0), ms: Math.round(t.duration) })),
    ...(heap?.uasm ? { uasm: { ...heapFigures(got.heap, got.t0, got.t0, got.t1), ...(got.heapError ? { error: got.heapError } : {}) } } : {}),
    ...(cdpSamples ? { cdp: heapFigures(cdpSamples, started, started, ended) } : {}),
    ...(got.longTaskError ? { longTaskError: got.longTaskError } : {}),
  };
}

const UASM_LABEL = 'performance.measureUserAgentSpecificMemory (page + workers, live objects incl. ArrayBuffers; eager), every 500 ms during one extra, untimed ingest';
const CDP_LABEL =
  'CDP Runtime.getHeapUsage of the page and its workers (used heap incl. not-yet-collected garbage + ArrayBuffer backing stores; non-flat Target auto-attach), every 500 ms during one extra, untimed ingest';

/**
 * Runs the ingest benchmark on `file` (`rows` data rows) against the app at
 * `url`. `heapMethod`: 'auto' (measureUserAgentSpecificMemory, else CDP) or 'cdp'.
 */
export async function benchIngest({ browser, url, file, bytes, rows, runs = 3, heapMethod = 'auto', log }) {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  await context.addInitScript(pageInit);
  const page = await context.newPage();
  await page.goto(url);
  await waitForReady(page);
  const fileMB = bytes / MB;
  const rowsText = rows.toLocaleString('en-US');
  // Probe the memory API now, on the fresh page: right after a reload the
  // previous worker's teardown can hold a measurement up.
  const uasmProblem = heapMethod === 'cdp' ? 'skipped (--heap cdp)' : await page.evaluate(pageProbeMemoryApi);

  // The app, end to end, timed runs (no heap sampling: it pauses the worker).
  const appRuns = [];
  for (let i = 0; i < runs; i++) {
    if (i > 0) {
      await page.reload();
      await waitForReady(page);
    }
    const run = await appRun(page, { file, rowsText });
    appRuns.push(run);
    log(`app run ${i + 1}/${runs}: ${(run.endToEndMs / 1000).toFixed(2)} s end to end, worker "read in" ${run.workerParseS} s, longest main-thread task ${run.longestMainThreadTaskMs} ms`);
  }

  // Heap: one more, untimed ingest, sampled by measureUserAgentSpecificMemory
  // (when it answers here) and by CDP (cross-check and fallback).
  await page.reload();
  await waitForReady(page);
  await page.waitForTimeout(1000); // let the previous worker go
  const cdp = await cdpHeapProbe(context, page).catch((error) => (log(`heap: CDP sampling unavailable (${error.message})`), null));
  const heapRun = await appRun(page, { file, rowsText, heap: { uasm: uasmProblem === null, cdp } });
  let peakHeapMB = null;
  let heapMethodLabel = 'none: no heap figure could be taken';
  if (heapRun.uasm && heapRun.uasm.duringIngest >= 1) {
    peakHeapMB = heapRun.uasm.peakMB;
    heapMethodLabel = UASM_LABEL;
  } else if (heapRun.cdp && heapRun.cdp.samples > 0) {
    peakHeapMB = heapRun.cdp.peakMB;
    const why = uasmProblem ?? `measureUserAgentSpecificMemory answered only ${heapRun.uasm?.duringIngest ?? 0} times during the ingest`;
    heapMethodLabel = `${CDP_LABEL} (fallback: ${why})`;
  }
  log(`heap run: peak ${peakHeapMB} MB [uasm ${heapRun.uasm?.peakMB ?? '—'} MB over ${heapRun.uasm?.samples ?? 0} samples; cdp ${heapRun.cdp?.peakMB ?? '—'} MB over ${heapRun.cdp?.samples ?? 0}]`);

  // Bare papaparse in a worker of the same page (reloaded: the app's worker is gone).
  await page.reload();
  await waitForReady(page);
  await page.evaluate(pageAddBareInput);
  await page.locator('#bench-bare-file').setInputFiles(file);
  const papaSource = readFileSync(join(ROOT, 'node_modules/papaparse/papaparse.min.js'), 'utf8');
  const bareRuns = [];
  for (let i = 0; i < runs; i++) {
    const result = await page.evaluate(pageBareRun, { papaSource });
    if (result.error) throw new Error(`bare papaparse failed: ${result.error}`);
    // header + rows, and an empty last record when the file ends with a newline
    if (result.rows !== rows + 1 && result.rows !== rows + 2) log(`warning: bare papaparse saw ${result.rows} records for ${rows} rows`);
    bareRuns.push({ parseMs: round(result.ms, 1), MBps: round(fileMB / (result.ms / 1000), 1) });
    log(`bare papaparse run ${i + 1}/${runs}: ${(result.ms / 1000).toFixed(2)} s`);
  }
  await context.close();

  const endToEndMs = median(appRuns.map((r) => r.endToEndMs));
  const workerParseS = median(appRuns.map((r) => r.workerParseS));
  const bareMs = median(bareRuns.map((r) => r.parseMs));
  const endToEndMBps = fileMB / (endToEndMs / 1000);
  const workerParseMBps = fileMB / workerParseS;
  const barePapaparseMBps = fileMB / (bareMs / 1000);
  return {
    fileMB: round(fileMB, 1),
    rows,
    endToEndS: round(endToEndMs / 1000, 2),
    endToEndMBps: round(endToEndMBps, 1),
    workerParseS,
    workerParseMBps: round(workerParseMBps, 1),
    barePapaparseS: round(bareMs / 1000, 2),
    barePapaparseMBps: round(barePapaparseMBps, 1),
    ratioToBare: round(endToEndMBps / barePapaparseMBps, 2),
    workerRatioToBare: round(workerParseMBps / barePapaparseMBps, 2),
    longestMainThreadTaskMs: median(appRuns.map((r) => r.longestMainThreadTaskMs)),
    longestMainThreadTaskMaxMs: Math.max(...appRuns.map((r) => r.longestMainThreadTaskMs)),
    peakHeapMB,
    heapMethod: heapMethodLabel,
    peakHeapUsedMB: heapRun.cdp?.peakMB ?? null,
    runs: appRuns,
    heapRun,
    bareRuns,
  };
}
