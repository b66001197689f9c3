import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { PrefixStates, prefixKey } from './prefixStates';
import { checkCpuBackendWithoutLeaks } from './tfTesting';

checkCpuBackendWithoutLeaks();

const state = (...input: number[]) => ({ input: Float32Array.from(input), h: [Float32Array.of(input[0]!)], c: [Float32Array.of(-input[0]!)] });

describe('PrefixStates', () => {
  it('keeps the most recently used states up to its capacity', () => {
    const store = new PrefixStates(2);
    store.set(state(1, 2));
    store.set(state(3, 4));
    expect(store.get(Float32Array.of(1, 2))?.h[0]?.[0]).toBe(1); // now the most recent
    store.set(state(5, 6));
    expect(store.size).toBe(2);
    expect(store.get(Float32Array.of(3, 4))).toBeUndefined();
    expect(store.get(Float32Array.of(1, 2))).toBeDefined();
    expect(store.get(Float32Array.of(5, 6))).toBeDefined();
    expect([store.hits, store.misses]).toEqual([3, 1]);
  });

  it.each([
    ['another value', [1, 2], [1, 2.5]],
    ['a longer prefix', [1, 2], [1, 2, 0]],
    ['-0 for 0', [0, 2], [-0, 2]],
  ])('answers only the exact inputs it was given, not %s', (_, stored, asked) => {
    const store = new PrefixStates();
    store.set(state(...stored));
    expect(store.get(Float32Array.from(asked))).toBeUndefined();
    expect(store.get(Float32Array.from(stored))).toBeDefined();
  });

  it('empties when the variables hold other data (an assign), not when they are the same', () => {
    const initial = tf.tensor1d([1, 2]);
    const next = tf.tensor1d([1, 2]);
    const v = tf.variable(initial);
    try {
      const store = new PrefixStates();
      store.validate([v]);
      store.set(state(1));
      store.validate([v]);
      expect(store.size).toBe(1);
      v.assign(next);
      store.validate([v]);
      expect(store.size).toBe(0);
    } finally {
      tf.dispose([v, initial, next]);
    }
  });

  it('keys by every bit and the length', () => {
    const keys = [Float32Array.of(0), Float32Array.of(-0), Float32Array.of(0, 0), Float32Array.of(1e-30), Float32Array.of(NaN)].map(prefixKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
