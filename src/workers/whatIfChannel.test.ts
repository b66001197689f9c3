import { describe, expect, it } from 'vitest';
import type { WhatIfResult } from './protocol';
import { decodeResult, encodeResult, WhatIfChannel } from './whatIfChannel';

const forecast = (values: number[]) => ({ mean: Float64Array.from(values), lower: Float64Array.from(values, (v) => v - 1), upper: Float64Array.from(values, (v) => v + 1) });

const results: [string, WhatIfResult][] = [
  ['two plans of a week', { plans: [forecast([1, 2, 3, 4, 5, 6, 7]), forecast([0.5, 0.25, 0, -1, 1e9, 3.5, 2])], actual: Float64Array.from([NaN, 1, NaN, 2, 3, NaN, 4]), days: [20_000, 20_001, 20_002, 20_003, 20_004, 20_005, 20_006], inferenceMs: 2.25, windows: 14 }],
  ['one step, no actual', { plans: [forecast([42])], actual: new Float64Array(0), days: [], inferenceMs: 0, windows: 1 }],
  ['no plans', { plans: [], actual: new Float64Array(0), days: [], inferenceMs: 0.5, windows: 0 }],
];

describe('WhatIfChannel', () => {
  it.each(results)('carries %s unchanged', (_, result) => {
    const channel = WhatIfChannel.create()!;
    expect(channel.write(7, result)).toBe(true);
    expect(channel.waitFor(7, 0)).toEqual(result);
    // The same through the bare encoding.
    const values = new Float64Array(1000);
    const used = encodeResult(result, values);
    expect(decodeResult(values.subarray(0, used))).toEqual(result);
  });

  it('waits no longer than its budget for an answer to another request', () => {
    const channel = WhatIfChannel.create()!;
    channel.write(3, results[1]![1]);
    let clock = 0;
    expect(channel.waitFor(4, 5, () => (clock += 1))).toBeNull();
    expect(clock).toBe(6);
  });

  it('leaves an answer too large for it to the message, and says so: no wait for it', () => {
    const channel = WhatIfChannel.create(96)!;
    expect(channel.write(1, results[0]![1])).toBe(false);
    let clock = 0;
    expect(channel.waitFor(1, 1_000, () => (clock += 1))).toBeNull();
    expect(clock).toBe(1); // the deadline only
    expect(channel.write(2, results[2]![1])).toBe(true);
  });

  it('keeps the numbers and the curves with them in slots of their own', () => {
    const channel = WhatIfChannel.create()!;
    const [, numbers] = results[0]!;
    const [, curves] = results[1]!;
    channel.write(5, numbers, 0);
    expect(channel.waitFor(5, 0, undefined, 1)).toBeNull();
    channel.write(5, curves, 1);
    expect(channel.waitFor(5, 0, undefined, 0)).toEqual(numbers);
    expect(channel.waitFor(5, 0, undefined, 1)).toEqual(curves);
  });

  it('counts generations, seen alike from both sides of the buffer', () => {
    const ui = WhatIfChannel.create()!;
    const worker = new WhatIfChannel(ui.buffer);
    expect(worker.generation()).toBe(0);
    expect(ui.bump()).toBe(1);
    expect(ui.bump()).toBe(2);
    expect(worker.generation()).toBe(2);
  });
});
