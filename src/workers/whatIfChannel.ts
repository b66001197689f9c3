import type { WhatIfResult } from './protocol';

// Int32 slots at the start of the buffer.
/** Bumped by the UI on each what-if input: a curve pass asked for under an older generation stops. */
const GENERATION = 0;
/**
 * Per slot (1 + slot): the request whose answer the slot's payload holds
 * (written last, after the payload); minus the request's id when its answer
 * did not fit (the message carries it, and the UI need not wait). Slot 0 has
 * a request's numbers, slot 1 the curves that come with them.
 */
const ANSWERED = 1;
const HEADER_BYTES = 16;
/** Slots: 0 for the numbers, 1 for the curves answered with them. */
export type ChannelSlot = 0 | 1;

/** Float64 values a result takes in the payload. */
function encodedLength(result: WhatIfResult): number {
  return 1 + result.plans.reduce((n, p) => n + 1 + 3 * p.mean.length, 0) + 2 + result.actual.length + result.days.length + 2;
}

/**
 * A what-if answer as one run of float64 values: plan count, per plan its
 * length and mean, lower, upper; the actuals; the days; inference time and
 * window count. `into` must hold encodedLength(result) values.
 */
export function encodeResult(result: WhatIfResult, into: Float64Array): number {
  let at = 0;
  const put = (v: number) => {
    into[at++] = v;
  };
  const putAll = (values: ArrayLike<number>) => {
    for (let i = 0; i < values.length; i++) into[at++] = values[i]!;
  };
  put(result.plans.length);
  for (const p of result.plans) {
    put(p.mean.length);
    putAll(p.mean);
    putAll(p.lower);
    putAll(p.upper);
  }
  put(result.actual.length);
  putAll(result.actual);
  put(result.days.length);
  putAll(result.days);
  put(result.inferenceMs);
  put(result.windows);
  return at;
}

/** The inverse of {@link encodeResult}; copies out of `from`. */
export function decodeResult(from: Float64Array): WhatIfResult {
  let at = 0;
  const take = (n: number) => {
    const out = from.slice(at, at + n);
    at += n;
    return out;
  };
  const count = from[at++]!;
  const plans = Array.from({ length: count }, () => {
    const n = from[at++]!;
    return { mean: take(n), lower: take(n), upper: take(n) };
  });
  const actual = take(from[at++]!);
  const days = Array.from(take(from[at++]!));
  const inferenceMs = from[at++]!;
  const windows = from[at++]!;
  return { plans, actual, days, inferenceMs, windows };
}

/** One answer from two (the numbers, then the curves with them): `a`'s plans then `b`'s, with `a`'s actuals and days. */
export function joinResults(a: WhatIfResult, b: WhatIfResult): WhatIfResult {
  return { plans: [...a.plans, ...b.plans], actual: a.actual, days: a.days, inferenceMs: a.inferenceMs + b.inferenceMs, windows: a.windows + b.windows };
}

/**
 * Shared memory between the UI and the ml worker, so that a slider's numbers
 * reach the screen in the frame that moves the slider:
 *
 * - The UI posts the numbers request as usual, then waits for the answer here
 *   (a short spin: the main thread may not block in Atomics.wait) and draws
 *   it before the browser paints. A late answer still arrives as a message.
 * - Each input bumps a generation; a curve pass of an older generation stops
 *   at its next LSTM step, so the worker is free for the new numbers at once.
 *
 * Needs cross-origin isolation (SharedArrayBuffer); without it the app posts
 * and awaits as before.
 */
export class WhatIfChannel {
  private readonly header: Int32Array;
  /** The two slots' payloads: the numbers get three quarters of the room, the curves with them the rest. */
  private readonly payloads: readonly [Float64Array, Float64Array];

  constructor(readonly buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    const values = (buffer.byteLength - HEADER_BYTES) / 8;
    const first = Math.floor((values * 3) / 4);
    this.payloads = [new Float64Array(buffer, HEADER_BYTES, first), new Float64Array(buffer, HEADER_BYTES + first * 8, values - first)];
  }

  /** A channel with room for `bytes` of answers; null where SharedArrayBuffer is not available. */
  static create(bytes = 1 << 16): WhatIfChannel | null {
    if (typeof SharedArrayBuffer === 'undefined' || (typeof crossOriginIsolated !== 'undefined' && !crossOriginIsolated)) return null;
    return new WhatIfChannel(new SharedArrayBuffer(HEADER_BYTES + bytes));
  }

  /** The UI: a new input makes every earlier curve pass stale. Returns the new generation. */
  bump(): number {
    return Atomics.add(this.header, GENERATION, 1) + 1;
  }

  generation(): number {
    return Atomics.load(this.header, GENERATION);
  }

  /**
   * The worker: writes request `id`'s answer (ids are positive); false when it
   * does not fit, and the message carries it. Only one request waits here at
   * a time (the UI sends the next after this one's message), so the payload is
   * never written while being read.
   */
  write(id: number, result: WhatIfResult, slot: ChannelSlot = 0): boolean {
    const payload = this.payloads[slot];
    if (encodedLength(result) > payload.length) {
      Atomics.store(this.header, ANSWERED + slot, -id);
      return false;
    }
    encodeResult(result, payload);
    Atomics.store(this.header, ANSWERED + slot, id);
    return true;
  }

  /** The worker: request `id` has no answer in `slot` (its curves were stopped, or failed): the UI need not wait for it. */
  skip(id: number, slot: ChannelSlot): void {
    Atomics.store(this.header, ANSWERED + slot, -id);
  }

  /** The UI: request `id`'s answer in `slot` if it arrives within `budgetMs`, else null (also at once when it is too large for the channel). */
  waitFor(id: number, budgetMs: number, now: () => number = () => performance.now(), slot: ChannelSlot = 0): WhatIfResult | null {
    const deadline = now() + budgetMs;
    for (;;) {
      const answered = Atomics.load(this.header, ANSWERED + slot);
      if (answered === id) return decodeResult(this.payloads[slot]);
      if (answered === -id || now() >= deadline) return null;
    }
  }
}
