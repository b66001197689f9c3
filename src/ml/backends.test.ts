import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, defaultWasmThreads, pickBackend, registerBackends, selfTestBackends, wasmThreadCount, type BackendName, type BackendReport } from './backends';

const shapes = { windowLength: 5, featureCount: 3, units: 8, batchSize: 16 };

let registered: BackendName[] = [];
beforeAll(async () => {
  // Node: the WASM binaries are found beside the package; threads are off.
  registered = await registerBackends({ threads: 2 });
});

describe('registerBackends', () => {
  it('finds cpu and wasm in Node, in preference order, and leaves the first active', () => {
    expect(registered).toContain('cpu');
    expect(registered).toContain('wasm');
    expect(registered).not.toContain('webgl');
    expect([...registered].sort((a, b) => BACKEND_NAMES.indexOf(a) - BACKEND_NAMES.indexOf(b))).toEqual(registered);
    expect(tf.getBackend()).toBe(registered[0]);
  });

  it('reports the WASM thread count once WASM has started', () => {
    expect(wasmThreadCount()).toBe(1);
  });
});

describe('selfTestBackends', () => {
  it('checks cpu and wasm against cpu and times a training step, leaking nothing', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const streamed: [BackendName, number][] = [];
    const reports = await selfTestBackends({ candidates: ['wasm', 'cpu'], ...shapes, onReport: (r, i) => streamed.push([r.backend, i]) });
    expect(streamed).toEqual([['wasm', 0], ['cpu', 1]]);
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.getBackend()).toBe('wasm');

    expect(reports.map((r) => r.backend)).toEqual(['wasm', 'cpu']);
    for (const report of reports) {
      expect(Object.keys(report).sort()).toEqual(['backend', 'correct', 'maxAbsError', 'msPerStep', 'samplesPerSec', ...(report.backend === 'wasm' ? ['threads'] : [])].sort());
      expect(report.correct).toBe(true);
      expect(report.msPerStep).toBeGreaterThan(0);
      expect(Number.isFinite(report.msPerStep)).toBe(true);
      expect(report.samplesPerSec).toBeCloseTo((shapes.batchSize * 1000) / report.msPerStep, 6);
    }
    const [wasm, cpu] = reports;
    expect(cpu?.maxAbsError).toBe(0);
    expect(wasm?.maxAbsError).toBeLessThanOrEqual(1e-3);
    expect(wasm?.threads).toBe(1);
  });

  it('reports a backend that cannot start instead of throwing', async () => {
    const before = tf.memory().numTensors;
    const reports = await selfTestBackends({ candidates: ['webgl', 'cpu'], ...shapes, tolerance: 1e-4 });
    expect(tf.memory().numTensors).toBe(before);
    const [webgl, cpu] = reports;
    expect(webgl).toMatchObject({ backend: 'webgl', correct: false });
    expect(webgl?.error).toMatch(/webgl/);
    expect(Number.isNaN(webgl?.msPerStep)).toBe(true);
    expect(cpu?.correct).toBe(true);
    expect(pickBackend(reports)).toBe('cpu');
  });

  it('counts a backend whose numbers differ from cpu beyond the tolerance as wrong', async () => {
    const reports = await selfTestBackends({ candidates: ['wasm'], ...shapes, tolerance: -1 });
    expect(reports[0]?.correct).toBe(false);
    expect(reports[0]?.error).toBeUndefined();
  });
});

describe('pickBackend', () => {
  const report = (backend: BackendName, correct: boolean, msPerStep: number): BackendReport => ({
    backend,
    correct,
    maxAbsError: correct ? 0 : 1,
    msPerStep,
    samplesPerSec: 64_000 / msPerStep,
  });

  it.each<[string, BackendReport[], BackendName]>([
    ['the fastest correct backend', [report('webgl', true, 180), report('wasm', true, 55), report('cpu', true, 400)], 'wasm'],
    ['a faster but wrong backend loses', [report('webgpu', false, 5), report('webgl', true, 30), report('cpu', true, 400)], 'webgl'],
    ['a backend that could not run loses', [report('webgpu', true, Number.NaN), report('cpu', true, 400)], 'cpu'],
    ['cpu when nothing is correct', [report('webgl', false, 10), report('wasm', false, 20)], 'cpu'],
    ['cpu for no reports', [], 'cpu'],
  ])('picks %s', (_name, reports, expected) => {
    expect(pickBackend(reports)).toBe(expected);
  });
});

describe('defaultWasmThreads', () => {
  it.each<[number | undefined, number]>([
    [undefined, 1],
    [1, 1],
    [2, 1],
    [3, 1],
    [4, 2],
    [8, 4],
    [32, 4],
    [Number.NaN, 1],
  ])('gives %s cores %i threads', (cores, threads) => {
    expect(defaultWasmThreads(cores)).toBe(threads);
  });
});
