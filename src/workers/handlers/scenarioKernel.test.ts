import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { whatIf } from './mlHandler';
import { buildDataset } from '../../ml/features';
import { buildLstmModel } from '../../ml/lstm';
import { kernelFits, kernelForecasts, kernelRunnable, kernelSteps, kernelWork } from '../../ml/scenarioKernel';
import { kernelBuffers, scenarioKernelOf } from '../../ml/scenarioKernelOf';
import { fastView, prefixStatesOf } from '../../ml/train';
import { loadPanel, readSample } from '../../ml/testing';
import { checkCpuBackendWithoutLeaks } from '../../ml/tfTesting';
import type { Dataset } from '../../ml/types';
import type { PlanSpec } from '../../ml/whatif';

checkCpuBackendWithoutLeaks();

let dataset: Dataset;
beforeAll(async () => {
  const { panel, summaries } = await loadPanel(readSample());
  const built = buildDataset(panel, summaries, { windowLength: 14, seed: 42 });
  if (!built.ok) throw new Error(built.reason.code);
  dataset = built.data;
});

/** A model with its seeded initial weights (the optimiser, unused, is freed at once). */
const model = (layers: number, units = 16): tf.LayersModel => {
  const built = buildLstmModel({ windowLength: 14, featureCount: dataset.spec.features.length, units, layers, dropout: 0, learningRate: 1e-3, seed: 3, output: 'regression' });
  built.optimizer.dispose();
  return built.model;
};

const seriesKeys = () => dataset.series.map((g) => g.keys);
const lastDay = (s: number) => dataset.series[s]!.times.at(-1)!;

/** The kernel's forecasts against the worker's pass, plan by plan. */
async function compare(m: tf.LayersModel, plans: PlanSpec[]): Promise<void> {
  const kernel = await scenarioKernelOf(dataset, m, plans[0]!);
  if (!kernel) throw new Error('no kernel');
  const q90 = 0.4;
  const local = kernelForecasts(kernel, dataset.spec, q90, dataset.noPromotion, seriesKeys(), plans);
  const worker = await whatIf(dataset, m, q90, { plans });
  expect(kernel.actual).toEqual(worker.actual);
  expect(kernel.days[0]).toEqual(worker.days);
  plans.forEach((_, p) => {
    for (const part of ['mean', 'lower', 'upper'] as const) {
      const a = local[p]![part];
      const b = worker.plans[p]![part];
      expect(a.length).toBe(b.length);
      a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(b[i]!))));
    }
  });
}

describe('scenario kernel', () => {
  it.each([
    ['a week after the data, promotion throughout', { horizon: 7, promoStart: 0, promoDuration: 7 }],
    ['a week, promotion on days 2–4', { horizon: 7, promoStart: 2, promoDuration: 3 }],
    ['28 days (windows inside the plan start from zeros)', { horizon: 28, promoStart: 5, promoDuration: 20 }],
    ['one day', { horizon: 1, promoStart: 0, promoDuration: 1 }],
  ])('forecasts as the worker does: %s', async (_, timing) => {
    const m = model(1);
    try {
      const plan = (levers: PlanSpec['levers']): PlanSpec => ({ series: [2], startDay: lastDay(2) + 1, ...timing, levers });
      await compare(m, [
        plan({ promo_type: 'percent_off', discount_pct: 25, ad_spend: 800, threshold: 0, threshold_amount: 0 }),
        plan({ promo_type: 'spend_threshold', discount_pct: 0, ad_spend: 100, threshold: 1, threshold_amount: 60 }),
        plan({}),
      ]);
    } finally {
      m.dispose();
    }
  });

  it('forecasts a past start (inside the data) and several series, with two stacked layers', async () => {
    const m = model(2);
    try {
      const series = [0, 5, 9];
      const startDay = lastDay(0) - 40;
      await compare(m, [
        { series, startDay, horizon: 10, promoStart: 1, promoDuration: 6, levers: { promo_type: 'gift', discount_pct: 10, ad_spend: 300 } },
        { series, startDay, horizon: 10, promoStart: 0, promoDuration: 0, levers: {} },
      ]);
    } finally {
      m.dispose();
    }
  });

  it.each([
    ['hard-sigmoid gates (tf.js\'s default)', () => {
      const m = tf.sequential();
      m.add(tf.layers.lstm({ units: 8, inputShape: [14, dataset.spec.features.length], recurrentActivation: 'hardSigmoid' }));
      m.add(tf.layers.dense({ units: 1 }));
      return m;
    }, 7],
    ['two stacked layers over 28 days (windows inside the plan)', () => model(2), 28],
    ['a sigmoid head (a yes/no model)', () => {
      const built = buildLstmModel({ windowLength: 14, featureCount: dataset.spec.features.length, units: 12, layers: 1, dropout: 0, learningRate: 1e-3, seed: 5, output: 'binary' });
      built.optimizer.dispose();
      return built.model;
    }, 7],
  ] as const)('forecasts as the worker does with %s', async (_, make, horizon) => {
    const m = make();
    try {
      const plan = (levers: PlanSpec['levers']): PlanSpec => ({ series: [7, 1], startDay: lastDay(7) + 1, horizon, promoStart: 1, promoDuration: horizon - 2, levers });
      await compare(m, [plan({ promo_type: 'percent_off', discount_pct: 40, ad_spend: 900 }), plan({})]);
    } finally {
      m.dispose();
    }
  });

  it.each([
    ['1 layer of 16 units, 1 series × 7 days', 1, 16, [1], 7, 28 * (30 + 16) * 64],
    ['2 layers of 16 units, 2 series × 7 days', 2, 16, [1, 2], 7, 56 * ((30 + 16) * 64 + (16 + 16) * 64)],
  ] as const)('counts its multiply-adds per plan: %s', async (_, layers, units, series, horizon, work) => {
    const m = model(layers, units);
    try {
      const kernel = (await scenarioKernelOf(dataset, m, { series, startDay: lastDay(1) + 1, horizon }))!;
      expect(dataset.spec.features.length).toBe(30);
      expect(kernelWork(kernel)).toBe(work);
    } finally {
      m.dispose();
    }
  });

  it('reuses the history states the worker keeps (a second kernel runs no prefix), and hands over copies that cross by transfer', async () => {
    const m = model(1);
    try {
      const context = { series: [4], startDay: lastDay(4) + 1, horizon: 7 };
      const first = (await scenarioKernelOf(dataset, m, context))!;
      const store = prefixStatesOf(m)!;
      const { hits, misses } = store;
      const again = (await scenarioKernelOf(dataset, m, context))!;
      expect([store.hits - hits, store.misses - misses]).toEqual([7, 0]);
      expect(again.states[0]?.filter((s) => s !== null)).toHaveLength(7);
      expect(again.rows[0]).toHaveLength(7 * dataset.spec.features.length);
      // Transferred away, the kernel's arrays leave the worker's kept states as they were.
      const sent = structuredClone(first, { transfer: kernelBuffers(first) });
      expect(first.layers[0]!.kernel).toHaveLength(0);
      expect(sent.states[0]![0]!.h[0]).toEqual(again.states[0]![0]!.h[0]);
      const third = (await scenarioKernelOf(dataset, m, context))!;
      expect(third.states[0]![0]!.h[0]).toEqual(again.states[0]![0]!.h[0]);
    } finally {
      m.dispose();
    }
  });

  it('answers null when the weights change while it is built (a training step meanwhile)', async () => {
    const m = model(1);
    try {
      const pending = scenarioKernelOf(dataset, m, { series: [6], startDay: lastDay(6) + 1, horizon: 7 });
      const bias = fastView(m)!.denseBias;
      tf.tidy(() => bias.assign(tf.add(bias, 1)));
      expect(await pending).toBeNull();
      expect(await scenarioKernelOf(dataset, m, { series: [6], startDay: lastDay(6) + 1, horizon: 7 })).not.toBeNull();
    } finally {
      m.dispose();
    }
  });

  it('fits only plans of its own context, and refuses others', async () => {
    const m = model(1);
    try {
      const kernel = (await scenarioKernelOf(dataset, m, { series: [1, 2], startDay: lastDay(1) + 1, horizon: 7 }))!;
      const plan: PlanSpec = { series: [1, 2], startDay: lastDay(1) + 1, horizon: 7, promoStart: 0, promoDuration: 7, levers: {} };
      expect(kernelFits(kernel, plan)).toBe(true);
      for (const other of [{ ...plan, series: [2, 1] }, { ...plan, horizon: 6 }, { ...plan, startDay: plan.startDay + 1 }]) {
        expect(kernelFits(kernel, other)).toBe(false);
        expect(() => kernelForecasts(kernel, dataset.spec, 0.4, dataset.noPromotion, seriesKeys(), [other])).toThrow(RangeError);
      }
    } finally {
      m.dispose();
    }
  });

  it.each([
    [16, true],
    [12, true],
    [10, false],
  ])('runs on the host with %i units: %s (the SIMD product takes gate blocks of 16 values)', async (units, runnable) => {
    const m = model(1, units);
    try {
      const kernel = (await scenarioKernelOf(dataset, m, { series: [3], startDay: lastDay(3) + 1, horizon: 3 }))!;
      expect(kernelRunnable(kernel)).toBe(runnable);
      const plan: PlanSpec = { series: [3], startDay: lastDay(3) + 1, horizon: 3, promoStart: 0, promoDuration: 3, levers: {} };
      if (runnable) await compare(m, [plan]);
      else expect(() => kernelForecasts(kernel, dataset.spec, 0.4, dataset.noPromotion, seriesKeys(), [plan])).toThrow(RangeError);
    } finally {
      m.dispose();
    }
  });

  it.each([
    [1, 7, 14, 28],
    [1, 28, 14, 105 + 14 * 14],
    [3, 7, 14, 84],
    [1, 7, 4, 4 * 7 - 6],
  ])('counts the steps it runs: %i series × %i days, window %i → %i', (series, horizon, L, steps) => {
    expect(kernelSteps(series, horizon, L)).toBe(steps);
  });
});
