/**
 * The ml benchmark's page (see ml.html, ml.mjs): owns the bench worker and
 * exposes `window.benchCall(request, timeoutMs)`, which posts one request and
 * resolves with the worker's answer, and `window.benchReset()`, which
 * replaces a worker that timed out.
 */
import type { BenchRequest } from './ml.worker';

type Answer = { ok: true; result: unknown } | { ok: false; error: string };

let worker: Worker | null = null;

function current(): Worker {
  worker ??= new Worker(new URL('./ml.worker.ts', import.meta.url), { type: 'module', name: 'promocast-ml-bench' });
  return worker;
}

function benchCall(request: BenchRequest, timeoutMs: number): Promise<Answer> {
  const w = current();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      w.onmessage = null;
      w.onerror = null;
      resolve({ ok: false, error: `timed out after ${Math.round(timeoutMs / 1000)} s` });
    }, timeoutMs);
    w.onmessage = (event: MessageEvent<Answer>) => {
      clearTimeout(timer);
      resolve(event.data);
    };
    w.onerror = (event: ErrorEvent) => {
      clearTimeout(timer);
      resolve({ ok: false, error: `worker error: ${event.message}` });
    };
    w.postMessage(request);
  });
}

function benchReset(): void {
  worker?.terminate();
  worker = null;
}

Object.assign(window, { benchCall, benchReset, benchReady: true });
