// Part 3(b) of `npm run bench`: what-if latency end to end in the real app
// (vite preview of the production build). Load the sample, train 1 epoch,
// then press ArrowRight on the discount_pct slider N times and time, in the
// page, each input event → the Prediction region's text changing.
/* global window, document, MutationObserver, requestAnimationFrame, Worker, HTMLInputElement */
import { percentile, round } from './harness.mjs';

const TRAIN_TIMEOUT_MS = 300_000;
/** One press waits this long for the Prediction to change. */
const PRESS_TIMEOUT_MS = 30_000;
/** Inputs in the drag measurement (one every 16 ms). */
const DRAG_INPUTS = 30;
/** Inputs in the drag at one input per frame (across 60 % of the slider). */
const FRAME_DRAG_INPUTS = 60;
/** Presses stop after this much time on one backend (slow software GPUs). */
const PRESSES_BUDGET_MS = 90_000;

// ---------------------------------------------------------------------------
// Page-side functions (run in the browser; no closures over Node values)
// ---------------------------------------------------------------------------

/**
 * Init script: records the page's long tasks (main thread busy ≥ 50 ms), and
 * when the app posts a what-if request to its ml worker and when the answer
 * arrives (a listener added before the app's own), to split the latency.
 */
function pageInit() {
  window.__longTasks = [];
  const trace = { sent: [], answered: [] };
  window.__whatIfTrace = trace;
  const post = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (message, ...rest) {
    if (message?.type === 'whatif') trace.sent.push(performance.now());
    return post.call(this, message, ...rest);
  };
  const Base = Worker;
  window.Worker = class extends Base {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        if (event.data?.type === 'whatif') trace.answered.push(performance.now());
      });
    }
  };
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push({ start: entry.startTime, end: entry.startTime + entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // no long-task timing: the figure stays null
  }
}

/**
 * Arms one measurement: t0 at the slider's input event (a capturing listener
 * on window, so before React's), t1 when the region's text differs from
 * before (MutationObserver), `frame` at the next animation frame after t1.
 */
function pageArm({ region, charts, lever }) {
  const state = { t0: null, t1: null, frame: null, t2: null, frameEnds: [], framesDone: false };
  window.__whatIfBench = state;
  let before = region.textContent;
  // From the input on, when each frame's rendering ends: a message posted in the
  // frame's animation callback runs as the first task after its paint.
  const frameLoop = () => {
    if (state.framesDone) return;
    const channel = new MessageChannel();
    channel.port1.onmessage = () => state.frameEnds.push(performance.now());
    channel.port2.postMessage(null);
    requestAnimationFrame(frameLoop);
  };
  const onInput = (event) => {
    if (state.t0 === null && event.target?.getAttribute?.('aria-label') === lever) {
      state.t0 = performance.now();
      requestAnimationFrame(frameLoop);
    }
  };
  window.addEventListener('input', onInput, true);
  state.done = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      const text = region.textContent;
      if (text === before) return;
      if (state.t0 === null) {
        // A late answer to an earlier press: not this one's.
        before = text;
        return;
      }
      state.t1 = performance.now();
      observer.disconnect();
      requestAnimationFrame(() => {
        state.frame = performance.now();
        resolve(true);
      });
    });
    observer.observe(region, { subtree: true, childList: true, characterData: true });
    state.stop = () => {
      observer.disconnect();
      resolve(false);
    };
  });
  // The response curves follow the numbers (their own pass, then a deferred
  // React render): t2 is when, after the new Prediction text, the charts'
  // wrapper stops being aria-busy (the commit that draws the latest curves).
  state.charts = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (state.t1 === null || charts.getAttribute('aria-busy') !== 'false') return;
      state.t2 = performance.now();
      observer.disconnect();
      resolve(true);
    });
    if (charts) observer.observe(charts, { subtree: true, childList: true, characterData: true, attributes: true });
    state.stopCharts = () => {
      observer.disconnect();
      resolve(false);
    };
  });
  state.cleanup = () => window.removeEventListener('input', onInput, true);
}

/** Waits for the armed measurement (at most `timeoutMs`) and returns it, with the app's own latency line. */
async function pageWait(timeoutMs) {
  const state = window.__whatIfBench;
  const timer = setTimeout(() => state.stop(), timeoutMs);
  const changed = await state.done;
  clearTimeout(timer);
  const chartTimer = setTimeout(() => state.stopCharts(), 2_000);
  await state.charts;
  clearTimeout(chartTimer);
  state.framesDone = true;
  state.cleanup();
  // The app writes its own "Updated in … ms; curves in … ms" one frame after each answer.
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const latency = [...document.querySelectorAll('p')].map((p) => p.textContent ?? '').find((t) => t.startsWith('Updated in ')) ?? null;
  // Main-thread long tasks overlapping input → DOM change (rendering, React, charts).
  let busy = 0;
  if (state.t0 !== null && state.t1 !== null) {
    for (const task of window.__longTasks) busy += Math.max(0, Math.min(task.end, state.t1) - Math.max(task.start, state.t0));
  }
  // The request this input caused, and its answer.
  const trace = window.__whatIfTrace;
  const sent = state.t0 === null ? undefined : trace.sent.find((t) => t >= state.t0);
  const answered = sent === undefined ? undefined : trace.answered.find((t) => t >= sent);
  return { changed, t0: state.t0, t1: state.t1, t2: state.t2, frame: state.frame, frameEnds: state.frameEnds, latency, busy, sent: sent ?? null, answered: answered ?? null };
}

/**
 * Arms the drag measurement: every input on the lever's slider and every
 * change of the Prediction text, and when the charts last stop being busy.
 */
function pageDragArm({ region, charts, lever }) {
  const rec = { inputs: [], changes: [], chartsIdle: [] };
  window.__drag = rec;
  let before = region.textContent;
  rec.onInput = (event) => {
    if (event.target?.getAttribute?.('aria-label') === lever) rec.inputs.push(performance.now());
  };
  window.addEventListener('input', rec.onInput, true);
  rec.text = new MutationObserver(() => {
    const text = region.textContent;
    if (text === before) return;
    before = text;
    rec.changes.push(performance.now());
  });
  rec.text.observe(region, { subtree: true, childList: true, characterData: true });
  rec.charts = new MutationObserver(() => {
    if (charts.getAttribute('aria-busy') === 'false') rec.chartsIdle.push(performance.now());
  });
  if (charts) rec.charts.observe(charts, { attributes: true, attributeFilter: ['aria-busy'] });
}

/**
 * A drag at one input per frame, as Chromium delivers a mouse drag: in each
 * animation frame the slider of `lever` takes the next of `values` (through
 * the native value setter and an input event, which React sees as a change).
 * At the end of each frame's rendering it records whether the Prediction and
 * the charts on screen answer the slider (neither is aria-busy); it goes on
 * recording for `settleMs` after the last input.
 */
async function pageDriveDrag({ region, charts, lever, values, settleMs }) {
  const slider = document.querySelector(`input[aria-label="${lever}"]`);
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  const inputs = [];
  const frames = [];
  let k = 0;
  let until = Infinity;
  const input = () => {
    setValue.call(slider, String(values[k++]));
    inputs.push(performance.now());
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    if (k === values.length) until = performance.now() + settleMs;
  };
  await new Promise((resolve) => {
    // Each input arrives between frames (right after a paint), as the browser's own input does.
    const frame = () => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        const now = performance.now();
        const behind = charts?.getAttribute('data-inputs-behind');
        frames.push({
          t: now,
          numbers: region.getAttribute('aria-busy') !== 'true',
          // Full curves for the slider as it is (coarse ones keep the charts busy).
          curves: charts?.getAttribute('aria-busy') === 'false',
          coarse: charts?.getAttribute('data-coarse') === 'true',
          behind: behind === null || behind === undefined ? null : Number(behind),
        });
        if (now > until) {
          resolve();
          return;
        }
        if (k < values.length) input();
        requestAnimationFrame(frame);
      };
      channel.port2.postMessage(null);
    };
    input();
    requestAnimationFrame(frame);
  });
  return { inputs, frames };
}

/**
 * Summary of a drag at one input per frame: of the frames painted from the
 * first input to the last, how many showed numbers (and curves) answering the
 * slider as it was; after the last input, when both did.
 */
export function frameDragFigures({ inputs, frames }) {
  if (inputs.length === 0) return null;
  const first = inputs[0];
  const last = inputs.at(-1);
  const during = frames.filter((f) => f.t > first && f.t <= last);
  const settled = frames.find((f) => f.t > last && f.numbers && f.curves);
  const anySettled = frames.find((f) => f.t > last && f.numbers && f.behind === 0);
  const numbersSettled = frames.find((f) => f.t > last && f.numbers);
  return {
    inputs: inputs.length,
    spanMs: round(last - first, 0),
    frames: during.length,
    framesWithNumbers: during.filter((f) => f.numbers).length,
    framesWithCurves: during.filter((f) => f.curves).length,
    // Curves drawn for the slider's own input, coarse (while dragging) or full.
    framesWithAnyCurves: during.filter((f) => f.behind === 0).length,
    // How many inputs behind the slider the charts on screen were (0: its own input).
    framesCurvesAtMostOneBehind: during.filter((f) => f.behind !== null && f.behind !== undefined && f.behind <= 1).length,
    curvesBehindP50: percentile(during.map((f) => f.behind).filter((v) => v !== null && v !== undefined), 50),
    curvesBehindP95: percentile(during.map((f) => f.behind).filter((v) => v !== null && v !== undefined), 95),
    lastInputToNumbersMs: numbersSettled === undefined ? null : round(numbersSettled.t - last, 1),
    lastInputToAnyCurvesMs: anySettled === undefined ? null : round(anySettled.t - last, 1),
    lastInputToCurvesMs: settled === undefined ? null : round(settled.t - last, 1),
  };
}

function pageDragCollect() {
  const rec = window.__drag;
  rec.text.disconnect();
  rec.charts.disconnect();
  window.removeEventListener('input', rec.onInput, true);
  return { inputs: rec.inputs, changes: rec.changes, chartsIdle: rec.chartsIdle };
}

/**
 * Which frame after the input shows a DOM change made at `t`: 0 is the first
 * frame after the input (the one that paints the moved slider); null when no
 * recorded frame ended after `t`. `frameEnds`: when each frame's rendering
 * ended, from the input on.
 */
export function frameOf(frameEnds, t) {
  if (t === null || t === undefined) return null;
  const k = frameEnds.findIndex((end) => end > t);
  return k < 0 ? null : k;
}

/** Summary of a drag: per input, the wait for the next Prediction change; after the last input, the wait for the final numbers and curves. */
export function dragFigures({ inputs, changes, chartsIdle }) {
  if (inputs.length === 0) return null;
  const lags = inputs.map((t) => changes.find((c) => c >= t)).map((c, i) => (c === undefined ? null : c - inputs[i])).filter((v) => v !== null);
  const last = inputs.at(-1);
  const first = inputs[0];
  const during = changes.filter((c) => c >= first && c <= last).length;
  const finalChange = changes.filter((c) => c >= last).at(-1);
  const curvesIdle = chartsIdle.filter((c) => c >= last).at(-1);
  const gaps = inputs.slice(1).map((t, i) => t - inputs[i]);
  return {
    inputs: inputs.length,
    spanMs: round(last - first, 0),
    // Presses are sent 16 ms apart; a busy page receives them further apart.
    spacingP50Ms: gaps.length > 0 ? round(percentile(gaps, 50), 1) : null,
    nextUpdateP50Ms: round(percentile(lags, 50), 1),
    nextUpdateP95Ms: round(percentile(lags, 95), 1),
    updatesDuringDrag: during,
    lastInputToNumbersMs: finalChange === undefined ? null : round(finalChange - last, 1),
    lastInputToCurvesMs: curvesIdle === undefined ? null : round(curvesIdle - last, 1),
  };
}

// ---------------------------------------------------------------------------

async function oneBackend({ browser, url, choice, presses, log }) {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  await context.addInitScript(pageInit);
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.getByRole('button', { name: 'Try sample data' }).click();
    await page.getByText(/^[\d,]+ rows$/).waitFor({ timeout: 60_000 });
    const rowsText = await page.getByText(/^[\d,]+ rows$/).innerText();
    if (choice !== 'auto') await page.getByRole('combobox', { name: 'Compute backend' }).selectOption(choice);
    await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill('1');
    const trainStarted = Date.now();
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    const region = page.getByRole('region', { name: 'Prediction' });
    await region.getByText(/^Predicted /).waitFor({ timeout: TRAIN_TIMEOUT_MS });
    await page.getByText(/^Updated in .* model windows/).waitFor({ timeout: 60_000 });
    const trainToPredictionS = (Date.now() - trainStarted) / 1000;
    const backend = (await page.getByRole('status', { name: 'Backend' }).innerText()).trim();
    const selfTest = await page
      .getByRole('table', { name: 'Backend self-test' })
      .innerText({ timeout: 5_000 })
      .catch(() => null);
    log(`app (${choice}): ${rowsText}, trained 1 epoch on ${backend}, Prediction shown ${trainToPredictionS.toFixed(1)} s after Train`);
    await page.waitForTimeout(1_000); // let the first what-if settle (charts, latency line)

    const slider = page.getByRole('slider', { name: 'discount_pct', exact: true });
    const startValue = await slider.inputValue();
    await slider.focus();
    const handle = await region.elementHandle();
    const chartsHandle = await page.locator('.whatif-charts').elementHandle();
    const samples = [];
    let unchanged = 0;
    let windows = null;
    const started = Date.now();
    for (let i = 0; i < presses; i++) {
      const left = PRESSES_BUDGET_MS - (Date.now() - started);
      if (left <= 0) {
        log(`app (${choice}): stopped after ${i} presses (${PRESSES_BUDGET_MS / 1000} s budget)`);
        break;
      }
      await page.evaluate(pageArm, { region: handle, charts: chartsHandle, lever: 'discount_pct' });
      await page.keyboard.press('ArrowRight');
      const r = await page.evaluate(pageWait, Math.min(PRESS_TIMEOUT_MS, left));
      const m = r.latency ? /Updated in ([\d,.]+) ms; curves in ([\d,.]+) ms \(([\d,]+) model windows/.exec(r.latency) : null;
      if (m) windows = Number(m[3].replace(/,/g, ''));
      if (!r.changed || r.t0 === null) {
        unchanged++;
        continue;
      }
      const split = r.sent !== null && r.answered !== null && r.answered <= r.t1;
      const numbersFrame = frameOf(r.frameEnds, r.t1);
      samples.push({
        numbersFrame,
        curvesFrame: frameOf(r.frameEnds, r.t2),
        numbersShownMs: numbersFrame === null ? null : r.frameEnds[numbersFrame] - r.t0,
        domMs: r.t1 - r.t0,
        frameMs: r.frame - r.t0,
        chartsMs: r.t2 === null ? null : r.t2 - r.t0,
        appMs: m ? Number(m[1].replace(/,/g, '')) : null,
        busyMs: r.busy,
        toRequestMs: split ? r.sent - r.t0 : null,
        workerMs: split ? r.answered - r.sent : null,
        toDomMs: split ? r.t1 - r.answered : null,
      });
    }
    // A drag by keyboard: DRAG_INPUTS presses sent 16 ms apart.
    await page.waitForTimeout(1_000);
    await page.evaluate(pageDragArm, { region: handle, charts: chartsHandle, lever: 'discount_pct' });
    for (let i = 0; i < DRAG_INPUTS; i++) {
      await page.keyboard.press('ArrowRight');
      await page.waitForTimeout(16);
    }
    await page.waitForTimeout(2_000);
    const drag = dragFigures(await page.evaluate(pageDragCollect));
    // A drag at one input per frame along the slider, under another promotion type, so that no
    // answer kept from the presses above is for its scenarios.
    const types = page.getByRole('radiogroup', { name: 'promo_type' });
    const unused = await types.getByRole('radio', { checked: false }).allTextContents();
    const range = await slider.evaluate((el) => ({ min: Number(el.min), max: Number(el.max), step: Number(el.step) }));
    const values = Array.from({ length: FRAME_DRAG_INPUTS }, (_, k) => range.min + Math.round((((range.max - range.min) * 0.6 * (k + 1)) / FRAME_DRAG_INPUTS) / range.step) * range.step);
    const dragUnder = async (type, moveAdSpend = false) => {
      // The slider to its far end first: the drag then ends on no scenario the app has answered
      // (it answers the one the type change makes, and would keep it).
      await slider.press('End');
      // The promo_type curve does not depend on the type itself: another ad spend, so that none of it is kept.
      if (moveAdSpend) await page.getByRole('slider', { name: 'ad_spend', exact: true }).press('End');
      await types.getByRole('radio', { name: type, exact: true }).click();
      await page.waitForTimeout(1_000);
      return frameDragFigures(await page.evaluate(pageDriveDrag, { region: handle, charts: chartsHandle, lever: 'discount_pct', values, settleMs: 1_000 }));
    };
    const frameDrag = await dragUnder(unused[0]);
    // The same drag again under a third promotion type and another ad spend: the page's code is
    // warm now (the first drag also pays for compiling it), and still nothing is kept for these scenarios.
    const frameDragAgain = unused.length > 1 ? await dragUnder(unused[1], true) : null;
    const endValue = await slider.inputValue();
    const dom = samples.map((s) => s.domMs);
    const result = {
      choice,
      backend,
      windows,
      presses: samples.length + unchanged,
      n: samples.length,
      unchanged,
      p50Ms: round(percentile(dom, 50), 1),
      p95Ms: round(percentile(dom, 95), 1),
      maxMs: round(Math.max(...dom), 1),
      toNextFrameP50Ms: round(percentile(samples.map((s) => s.frameMs), 50), 1),
      toCurvesP50Ms: round(percentile(samples.map((s) => s.chartsMs).filter((v) => v !== null), 50), 1),
      toCurvesP95Ms: round(percentile(samples.map((s) => s.chartsMs).filter((v) => v !== null), 95), 1),
      // Frames after the one that paints the moved slider (0: the same frame).
      numbersSameFrame: samples.filter((s) => s.numbersFrame === 0).length,
      numbersFrameP95: percentile(samples.map((s) => s.numbersFrame).filter((v) => v !== null), 95),
      numbersShownP50Ms: round(percentile(samples.map((s) => s.numbersShownMs).filter((v) => v !== null), 50), 1),
      numbersShownP95Ms: round(percentile(samples.map((s) => s.numbersShownMs).filter((v) => v !== null), 95), 1),
      curvesSameFrame: samples.filter((s) => s.curvesFrame === 0).length,
      curvesFrameP50: percentile(samples.map((s) => s.curvesFrame).filter((v) => v !== null), 50),
      curvesFrameP95: percentile(samples.map((s) => s.curvesFrame).filter((v) => v !== null), 95),
      appReportedP50Ms: round(percentile(samples.map((s) => s.appMs).filter((v) => v !== null), 50), 1),
      mainThreadLongTasksP50Ms: round(percentile(samples.map((s) => s.busyMs), 50), 1),
      // input → request posted (render + the app's requestAnimationFrame) → answer back (worker) → text in the DOM (render).
      split: {
        inputToRequestP50Ms: round(percentile(samples.map((s) => s.toRequestMs).filter((v) => v !== null), 50), 1),
        requestToAnswerP50Ms: round(percentile(samples.map((s) => s.workerMs).filter((v) => v !== null), 50), 1),
        answerToTextP50Ms: round(percentile(samples.map((s) => s.toDomMs).filter((v) => v !== null), 50), 1),
        n: samples.filter((s) => s.workerMs !== null).length,
      },
      slider: { lever: 'discount_pct', from: Number(startValue), to: Number(endValue) },
      drag,
      frameDrag,
      frameDragAgain,
      trainToPredictionS: round(trainToPredictionS, 1),
      selfTest,
    };
    log(`app (${choice} → ${backend}): input → Prediction text p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms over ${result.n} presses (${unchanged} without a visible change); ${windows} windows per update`);
    return result;
  } finally {
    await context.close();
  }
}

/**
 * Part 3(b) for each app backend choice ('auto', 'webgpu', 'webgl', 'wasm',
 * 'cpu') against the preview at `url`; `browser` should have the GPU flags
 * (ML_BROWSER_ARGS) so that the choices exist.
 */
export async function benchWhatIfApp({ browser, url, choices, presses, log }) {
  const runs = {};
  for (const choice of choices) {
    try {
      runs[choice] = await oneBackend({ browser, url, choice, presses, log });
    } catch (error) {
      log(`app (${choice}): ${error.message.split('\n')[0]}`);
      runs[choice] = { choice, error: error.message.split('\n')[0] };
    }
  }
  return runs;
}
