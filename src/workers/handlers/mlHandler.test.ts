import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BackendName, BackendReport } from '../../ml/backends';
import type { Dataset } from '../../ml/types';
import type { TrainSettings } from '../../ml/train';
import type { DataRequest, DataResponse, MlRequest, MlResponse, TrainEvent } from '../protocol';
import { createDataHandler } from './dataHandler';
import { readBundle } from '../../ml/bundle';
import { createMlHandler, type BackendEnv, type CheckpointStore } from './mlHandler';
import { WhatIfChannel } from '../whatIfChannel';

/** 4 stores × 240 days; orders rise with discount (a known monotone effect) and on weekends. */
function syntheticCsv(): string {
  const rows = ['date,store,discount,orders'];
  let s = 7;
  const rand = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  for (let store = 0; store < 4; store++) {
    for (let day = 0; day < 240; day++) {
      const date = new Date(Date.UTC(2024, 0, 1 + day)).toISOString().slice(0, 10);
      const discount = rand() < 0.4 ? Math.round(rand() * 40) : 0;
      const weekend = [0, 6].includes(new Date(Date.UTC(2024, 0, 1 + day)).getUTCDay()) ? 1.2 : 1;
      const orders = Math.round((20 + 5 * store) * weekend * (1 + discount / 25) * (0.9 + 0.2 * rand()));
      rows.push(`${date},s${store},${discount},${orders}`);
    }
  }
  return rows.join('\n');
}

const ROLES = { date: 'time', store: 'series', discount: 'lever', orders: 'target' } as const;

async function dataset(csv = syntheticCsv()): Promise<Dataset> {
  return (await loadedData(csv)).dataset;
}

/** A data handler with `csv` loaded, and the data set it built. */
async function loadedData(csv: string): Promise<{ handle: (request: DataRequest) => Promise<void>; replies: DataResponse[]; dataset: Dataset }> {
  const replies: DataResponse[] = [];
  const handle = createDataHandler((m) => replies.push(m));
  const file = new File([csv], 'synthetic.csv');
  await handle({ type: 'ingest', id: 1, input: { kind: 'file', file } });
  await handle({ type: 'dataset', id: 2, roles: ROLES, options: { windowLength: 7 } });
  const reply = replies.find((r) => r.type === 'dataset');
  if (reply?.type !== 'dataset' || !reply.result.ok) throw new Error('no dataset');
  return { handle, replies, dataset: reply.result.data };
}

function cpuEnv(options: { failOn?: BackendName } = {}): BackendEnv {
  return {
    available: async () => ['wasm', 'cpu'],
    selfTest: async (candidates) =>
      candidates.map((backend): BackendReport => ({ backend, correct: true, maxAbsError: 0, msPerStep: backend === 'wasm' ? 1 : 2, samplesPerSec: 1 })),
    use: async (backend) => {
      if (backend === options.failOn) throw new Error(`${backend} device lost`);
      await tf.setBackend('cpu');
    },
    threads: () => 1,
  };
}

const settings: TrainSettings = { windowLength: 7, units: 8, layers: 1, dropout: 0, learningRate: 0.01, batchSize: 64, epochs: 6, patience: 0, seed: 3 };

function harness(env: BackendEnv, store?: CheckpointStore) {
  const messages: MlResponse[] = [];
  const events: TrainEvent[] = [];
  const tensorsAtEpoch: number[] = [];
  const handle = createMlHandler(
    (m) => {
      messages.push(m);
      if (m.type === 'event') {
        events.push(m.event);
        if (m.event.kind === 'epoch') tensorsAtEpoch.push(tf.memory().numTensors);
      }
    },
    env,
    store,
  );
  return { handle, messages, events, tensorsAtEpoch };
}

/** A checkpoint store whose every write is refused, like a full disk. */
const fullDisk: CheckpointStore = { save: async () => ({ ok: false }), load: async () => undefined };

describe('ml handler (Node, cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('trains, reduces the loss, keeps tensors flat, and recovers the discount effect', async () => {
    const h = harness(cpuEnv());
    await h.handle({ type: 'train', id: 1, dataset: await dataset(), settings, backend: 'auto' });
    const trained = h.messages.find((m) => m.type === 'trained');
    if (trained?.type !== 'trained' || !trained.result.ok) throw new Error(JSON.stringify(trained));
    const r = trained.result.data;
    expect(r.epochsRun).toBe(6);
    expect(r.evaluation.scores.map((s) => s.model)).toEqual(['lstm', 'naive', 'seasonal_naive', 'linear']);
    const epochs = h.events.flatMap((e) => (e.kind === 'epoch' ? [e.result] : []));
    expect(epochs.at(-1)!.trainLoss).toBeLessThan(epochs[0]!.trainLoss);
    expect(new Set(h.tensorsAtEpoch).size).toBe(1);
    const lstm = r.evaluation.scores[0]!.regression.wape;
    const naive = r.evaluation.scores[1]!.regression.wape;
    expect(lstm).toBeLessThan(naive);

    // The what-if response to discount rises (the known monotone effect).
    const discounts = [0, 10, 20, 30, 40];
    const start = 19_723 + 200; // a day inside the data
    const request: MlRequest = {
      type: 'whatif',
      id: 2,
      request: { plans: discounts.map((d) => ({ series: [0, 1, 2, 3], startDay: start, horizon: 5, promoStart: 0, promoDuration: 5, levers: { discount: d } })) },
    };
    // The first call keeps the model's gate weights for the next ones; from then on no call leaves a tensor behind.
    await h.handle(request);
    const before = tf.memory().numTensors;
    await h.handle(request);
    expect(tf.memory().numTensors).toBe(before);
    const reply = h.messages.find((m) => m.type === 'whatif');
    if (reply?.type !== 'whatif' || !reply.result) throw new Error('no what-if reply');
    const totals = reply.result.plans.map((p) => p.mean.reduce((a, b) => a + b, 0));
    for (let k = 1; k < totals.length; k++) expect(totals[k]).toBeGreaterThan(totals[k - 1]!);
    expect(reply.result.windows).toBe(5 * 4 * 5);

    // The same plans asked compactly (a curve over discount) answer the same.
    const base = { series: [0, 1, 2, 3], startDay: start, horizon: 5, promoStart: 0, promoDuration: 5, levers: { discount: 0 } };
    h.messages.length = 0;
    await h.handle({ type: 'whatif', id: 3, request: { plans: [], curves: { base, levers: [{ lever: 'discount', values: discounts }] } } });
    const compact = h.messages.find((m) => m.type === 'whatif');
    if (compact?.type !== 'whatif' || !compact.result) throw new Error('no compact reply');
    expect(compact.result.plans.map((p) => Array.from(p.mean))).toEqual(reply.result.plans.map((p) => Array.from(p.mean)));

    // With the shared channel: a shared answer is written there too; a pass of a generation the UI moved past answers null.
    const channel = WhatIfChannel.create()!;
    await h.handle({ type: 'channel', id: 4, buffer: channel.buffer });
    const asked = channel.bump();
    h.messages.length = 0;
    await h.handle({ type: 'whatif', id: 5, request: { plans: [base], shared: true, generation: asked } });
    const shared = h.messages.find((m) => m.type === 'whatif');
    if (shared?.type !== 'whatif' || !shared.result) throw new Error('no shared reply');
    expect(Array.from(channel.waitFor(5, 0)!.plans[0]!.mean)).toEqual(Array.from(shared.result.plans[0]!.mean));
    channel.bump();
    h.messages.length = 0;
    await h.handle({ type: 'whatif', id: 6, request: { plans: [base], shared: true, generation: asked } });
    expect(h.messages).toEqual([{ type: 'whatif', id: 6, result: null }]);
    expect(channel.waitFor(6, 0)).toBeNull();

    // Numbers with curves, shared: the numbers in the first slot, the curves in the second, both in the message.
    const now = channel.generation();
    h.messages.length = 0;
    await h.handle({ type: 'whatif', id: 7, request: { plans: [base], curves: { base, levers: [{ lever: 'discount', values: discounts }] }, shared: true, generation: now } });
    const both = h.messages.find((m) => m.type === 'whatif');
    if (both?.type !== 'whatif' || !both.result) throw new Error('no two-part reply');
    expect(both.result.plans).toHaveLength(1 + discounts.length);
    expect(channel.waitFor(7, 0, undefined, 0)!.plans.map((p) => Array.from(p.mean))).toEqual([Array.from(both.result.plans[0]!.mean)]);
    expect(channel.waitFor(7, 0, undefined, 1)!.plans.map((p) => Array.from(p.mean))).toEqual(compact.result.plans.map((p) => Array.from(p.mean)));
    // Its curves part for a generation the UI moved past: the numbers alone, and the UI told not to wait for the rest.
    h.messages.length = 0;
    await h.handle({ type: 'whatif', id: 8, request: { plans: [base], curves: { base, levers: [{ lever: 'discount', values: discounts }] }, shared: true, generation: now - 1 } });
    const numbersOnly = h.messages.find((m) => m.type === 'whatif');
    if (numbersOnly?.type !== 'whatif' || !numbersOnly.result) throw new Error('no numbers reply');
    expect(numbersOnly.result.plans).toHaveLength(1);
    expect(channel.waitFor(8, 0, undefined, 0)).not.toBeNull();
    let clock = 0;
    expect(channel.waitFor(8, 1_000, () => (clock += 1), 1)).toBeNull();
    expect(clock).toBe(1);
  }, 180_000);

  it('stops after the current batch and resumes from the last epoch', async () => {
    const h = harness(cpuEnv());
    let stopped = false;
    const training = h.handle({ type: 'train', id: 1, dataset: await dataset(), settings: { ...settings, epochs: 4 }, backend: 'auto' });
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (!stopped && h.events.some((e) => e.kind === 'epoch')) {
          stopped = true;
          void h.handle({ type: 'stop', id: 9 });
          clearInterval(timer);
          resolve();
        }
      }, 5);
    });
    await training;
    const first = h.messages.find((m) => m.type === 'trained');
    if (first?.type !== 'trained' || !first.result.ok) throw new Error('no result');
    expect(first.result.data.stoppedBy).toBe('stopped');
    expect(first.result.data.epochsRun).toBeLessThan(4);
    await h.handle({ type: 'resume', id: 2 });
    const second = h.messages.filter((m) => m.type === 'trained').at(-1);
    if (second?.type !== 'trained' || !second.result.ok) throw new Error('no resumed result');
    expect(second.result.data.epochsRun).toBe(4);
    expect(second.result.data.stoppedBy).toBe('epochs');
  }, 180_000);

  it('falls back to the next backend when one fails, with a notice', async () => {
    const h = harness(cpuEnv({ failOn: 'wasm' }));
    await h.handle({ type: 'train', id: 1, dataset: await dataset(), settings: { ...settings, epochs: 1 }, backend: 'auto' });
    const fallback = h.events.find((e) => e.kind === 'fallback');
    expect(fallback).toMatchObject({ kind: 'fallback', from: 'wasm', to: 'cpu' });
    const trained = h.messages.find((m) => m.type === 'trained');
    expect(trained?.type === 'trained' && trained.result.ok && trained.result.data.backend).toBe('cpu');
  }, 180_000);

  it('says so when a diverging learning rate makes the loss non-finite', async () => {
    const h = harness(cpuEnv());
    await h.handle({ type: 'train', id: 1, dataset: await dataset(), settings: { ...settings, learningRate: 1e30, epochs: 3 }, backend: 'auto' });
    const trained = h.messages.find((m) => m.type === 'trained');
    if (trained?.type !== 'trained') throw new Error('no reply');
    expect(trained.result.ok ? 'trained' : trained.result.reason.code).toBe('nonFinite');
    expect(h.events.some((e) => e.kind === 'epoch' && !Number.isFinite(e.result.validLoss))).toBe(false);
  }, 180_000);

  it('updates with new data: appends, fine-tunes from the trained weights, scores the newest days before and after', async () => {
    // Trained on the first 200 days; days 200..239 arrive later (with 3 overlapping days).
    const [header, ...rows] = syntheticCsv().split('\n') as [string, ...string[]];
    const day = (r: string) => Math.round((Date.parse(r.slice(0, 10)) - Date.UTC(2024, 0, 1)) / 86_400_000);
    const data = await loadedData([header, ...rows.filter((r) => day(r) < 200)].join('\n'));
    const h = harness(cpuEnv());
    await h.handle({ type: 'train', id: 1, dataset: data.dataset, settings: { ...settings, epochs: 2 }, backend: 'auto' });
    const newer = new File([[header, ...rows.filter((r) => day(r) >= 197)].join('\n')], 'newer.csv');
    const { spec, trainEnd, validEnd } = data.dataset;
    await data.handle({ type: 'append', id: 3, input: { kind: 'file', file: newer }, roles: ROLES, options: { windowLength: 7, reuse: { spec, trainEnd, validEnd } } });
    const appended = data.replies.find((r) => r.type === 'appended');
    if (appended?.type !== 'appended' || !appended.result.ok || !appended.result.data.dataset) throw new Error(JSON.stringify(appended));
    expect(appended.result.data.summary).toMatchObject({ rowCount: 4 * 240, appended: 4 * 40, overlaps: 4 * 3 });

    const firstNew = 19_723 + 200;
    const before = tf.memory().numTensors;
    await h.handle({ type: 'update', id: 4, dataset: appended.result.data.dataset, holdoutFrom: firstNew + 28, epochs: 2 });
    expect(tf.memory().numTensors).toBe(before);
    const updated = h.messages.find((m) => m.type === 'updated');
    if (updated?.type !== 'updated' || !updated.result.ok) throw new Error(JSON.stringify(updated));
    const r = updated.result.data;
    expect(r).toMatchObject({ holdoutFrom: firstNew + 28, holdoutTo: firstNew + 39, holdoutDates: 12, holdoutCount: 4 * 12, epochs: 2 });
    for (const score of [r.before, r.after]) expect(score.wape).toBeGreaterThan(0);
    // The fine-tuned weights are kept only when they do no worse on the held-out days.
    expect(r.kept).toBe(r.after.wape <= r.before.wape ? 'fineTuned' : 'previous');
    expect(r.drift.length).toBeGreaterThan(30);
    expect(h.events.some((e) => e.kind === 'batch')).toBe(true);

    // A reload appends the stored file again without building a data set.
    const again = await loadedData([header, ...rows.filter((r) => day(r) < 200)].join('\n'));
    await again.handle({ type: 'append', id: 5, input: { kind: 'file', file: newer }, roles: ROLES, options: null });
    const reapplied = again.replies.find((m) => m.type === 'appended');
    expect(reapplied?.type === 'appended' && reapplied.result.ok && reapplied.result.data).toMatchObject({ dataset: null, summary: { rowCount: 4 * 240 } });
  }, 180_000);

  it('a model opened from a bundle keeps its columns when exported again, and a full disk is reported on the import request', async () => {
    const h = harness(cpuEnv());
    await h.handle({ type: 'train', id: 1, dataset: await dataset(), settings: { ...settings, epochs: 1 }, backend: 'auto' });
    const summaries = [
      { name: 'date', type: 'date' },
      { name: 'store', type: 'category' },
      { name: 'discount', type: 'number' },
      { name: 'orders', type: 'integer' },
    ];
    await h.handle({ type: 'export', id: 2, meta: { name: 'orders', roles: ROLES, summaries } });
    const exported = h.messages.find((m) => m.type === 'exported');
    if (exported?.type !== 'exported') throw new Error('no bundle');

    const other = harness(cpuEnv(), fullDisk);
    await other.handle({ type: 'import', id: 7, bytes: exported.bytes.slice(), current: null });
    const imported = other.messages.find((m) => m.type === 'imported');
    expect(imported?.type === 'imported' && imported.result.ok).toBe(true);
    expect(other.messages.some((m) => m.type === 'event' && m.id === 7 && m.event.kind === 'storage')).toBe(true);
    // The page has nothing loaded now (Start over, then Import): the bundle's own schema is written again.
    await other.handle({ type: 'export', id: 8, meta: { name: 'again', roles: {}, summaries: [] } });
    const again = other.messages.find((m) => m.type === 'exported');
    if (again?.type !== 'exported') throw new Error('no second bundle');
    const [first, second] = [exported.bytes, again.bytes].map((bytes) => {
      const read = readBundle(bytes);
      if (!read.ok) throw new Error(JSON.stringify(read.reason));
      return read.data.manifest;
    });
    expect(second!.columns).toEqual(first!.columns);
    expect(second!.columns.map((c) => c.name)).toEqual(['date', 'discount', 'orders', 'store']);
    expect(second!.roles).toEqual(first!.roles);
    expect(second!.schemaFingerprint).toBe(first!.schemaFingerprint);
  }, 180_000);
});
