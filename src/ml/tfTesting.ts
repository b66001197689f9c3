/**
 * Vitest setup shared by the tf.js unit tests: the cpu backend, and a check
 * after every test that it left no tensor behind.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { registerBackends } from './backends';
import { releaseDisposedWeights } from './fastLstm';

/** Registers the hooks in the calling test file (call at its top level). */
export function checkCpuBackendWithoutLeaks(): void {
  let tensorsBefore = 0;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });
  beforeEach(() => {
    tensorsBefore = tf.memory().numTensors;
  });
  afterEach(() => {
    // A disposed model's kept inference weights go at the next lookup; here at once.
    releaseDisposedWeights();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
}

/** Inside a describe block: its tests run on the wasm backend, and the cpu backend is back afterwards. */
export function onWasmBackend(): void {
  beforeAll(async () => {
    await registerBackends({});
    await tf.setBackend('wasm');
    await tf.ready();
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });
}
