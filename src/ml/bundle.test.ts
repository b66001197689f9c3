import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Deflate, deflateSync, inflateSync, strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ColumnSummary, ColumnType, RoleMap } from '../data/types';
import {
  BUNDLE_FORMAT_VERSION,
  MAX_UNCOMPRESSED_BYTES,
  bundleFileName,
  bundleHistorySteps,
  compareSchema,
  createManifest,
  datasetFromBundle,
  datasetHistory,
  loadBundleModel,
  manifestToJson,
  modelCard,
  numberFromJson,
  numberToJson,
  parseManifest,
  readBundle,
  schemaFingerprint,
  writeBundle,
  type BundleError,
  type BundleManifest,
  type JsonNumber,
} from './bundle';
import type { EvaluationReport } from './evaluate';
import { buildDataset } from './features';
import { buildLstmModel } from './lstm';
import { loadPanel, readSample } from './testing';
import type { Dataset } from './types';
import { planWindows } from './whatif';
import { checkCpuBackendWithoutLeaks } from './tfTesting';

checkCpuBackendWithoutLeaks();

const regression = (wape: number) => ({ count: 120, mae: 0.004, rmse: 0.006, mape: NaN, mapeSkipped: 2, wape, smape: 0.11, r2: NaN });

/** A plausible report with NaN where real reports have them (MAPE with zero actuals, constant R², a missing baseline WAPE). */
const report: EvaluationReport = {
  targetColumn: 'conversion_rate',
  targetKind: 'rate',
  testCount: 120,
  scores: [
    { model: 'lstm', regression: regression(0.1), classification: { count: 120, positives: 30, threshold: 0.5, truePositives: 20, falsePositives: 5, trueNegatives: 85, falseNegatives: 10, accuracy: 0.875, precision: 0.8, recall: 0.667, f1: 0.727, rocAuc: NaN } },
    { model: 'naive', regression: regression(0.2) },
    { model: 'seasonal_naive', regression: regression(0.25) },
    { model: 'linear', regression: regression(0.15) },
  ],
  coverage90: 0.883,
  conformalQuantile90: 0.31,
  roc: [],
  perSeries: [{ label: 'apparel / loyal_members', count: 8, lstmWape: 0.1, naiveWape: NaN, linearWape: 0.2 }],
  segments: [{ column: 'category', value: 'apparel', count: 24, lstmWape: 0.1, linearWape: 0.14, naiveWape: 0.2 }],
  residualHistogram: [],
};

let dataset: Dataset;
let roles: RoleMap;
let summaries: readonly ColumnSummary[];
let manifest: BundleManifest;

beforeAll(async () => {
  const loaded = await loadPanel(readSample());
  const built = buildDataset(loaded.panel, loaded.summaries, { windowLength: 14 });
  if (!built.ok) throw new Error(built.reason.code);
  dataset = built.data;
  roles = loaded.roles;
  summaries = loaded.summaries;
  manifest = createManifest({
    name: 'spring promos',
    createdAt: '2024-05-01T10:00:00.000Z',
    roles,
    summaries,
    dataset,
    report,
    trainingSettings: { windowLength: 14, units: 4, layers: 1, dropout: 0, learningRate: 1e-3, batchSize: 64, epochs: 3, patience: 2, seed: 3 },
    trainingOutcome: { stoppedBy: 'patience', bestEpoch: 2, bestValidLoss: 0.25, epochsRun: 3 },
    backend: 'cpu',
  });
});

/** Runs `fn` on a small LSTM fitting the sample's features, disposing model and optimizer afterwards. */
async function withModel<T>(fn: (model: tf.LayersModel) => Promise<T>): Promise<T> {
  const { model, optimizer } = buildLstmModel({ windowLength: dataset.spec.windowLength, featureCount: dataset.spec.features.length, units: 4, layers: 1, dropout: 0, learningRate: 1e-3, seed: 3, output: 'regression' });
  try {
    return await fn(model);
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

function seededInput(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed;
  for (let i = 0; i < count; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

async function predict(model: tf.LayersModel, x: Float32Array): Promise<Float32Array> {
  const { windowLength: L, features } = dataset.spec;
  const input = tf.tensor3d(x, [x.length / (L * features.length), L, features.length]);
  const output = model.predict(input) as tf.Tensor;
  const values = (await output.data()) as Float32Array;
  tf.dispose([input, output]);
  return values;
}

let goodBundle: Uint8Array;
/** A valid bundle with 30 steps of history (quick to re-zip), written once. */
async function bundle(): Promise<Uint8Array> {
  goodBundle ??= await withModel((model) => writeBundle({ model, manifest: slim(), modelCard: 'card' }));
  return goodBundle;
}
const slim = (): BundleManifest => ({ ...manifest, history: datasetHistory(dataset, 30) });

function expectError(result: ReturnType<typeof readBundle>): BundleError {
  if (result.ok) throw new Error('expected the bundle to be refused');
  return result.reason;
}

describe('numberToJson / numberFromJson', () => {
  it.each<[number, JsonNumber]>([
    [0, 0],
    [-2.5, -2.5],
    [1e-300, 1e-300],
    [NaN, null],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ])('%d ↔ %j', (n, json) => {
    expect(numberToJson(n)).toBe(json);
    expect(numberFromJson(json)).toBe(n);
  });
});

describe('manifest JSON', () => {
  it('round-trips, NaN and ±Infinity included', () => {
    const m: BundleManifest = { ...manifest, dataset: { ...manifest.dataset, validEnd: Infinity, firstTime: -Infinity }, conformalQuantile90: null };
    const text = manifestToJson(m);
    expect(text).not.toMatch(/NaN/);
    expect(text).toContain('"validEnd":"Infinity"');
    const parsed = parseManifest(text);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.reason));
    expect(parsed.data).toEqual(m);
    expect(parsed.data.metrics[0]!.regression.mape).toBeNaN();
    expect(parsed.data.metrics[0]!.classification?.rocAuc).toBeNaN();
    expect(parsed.data.evaluation.perSeries[0]!.naiveWape).toBeNaN();
    expect(parsed.data.dataset.validEnd).toBe(Infinity);
    expect(parsed.data.conformalQuantile90).toBeNull();
    expect(parsed.data.metrics[1]).not.toHaveProperty('classification');
  });

  it('keeps the fields a caller relies on', () => {
    expect(manifest.formatVersion).toBe(BUNDLE_FORMAT_VERSION);
    expect(manifest.featureNames).toEqual(dataset.spec.features.map((f) => f.name));
    expect(manifest.schemaFingerprint).toBe(schemaFingerprint(roles, summaries));
    expect(manifest.columns.map((c) => c.name)).toEqual(['ad_spend', 'category', 'conversion_rate', 'date', 'discount_pct', 'is_holiday', 'promo_type', 'segment', 'threshold', 'threshold_amount']);
    expect(manifest.conformalQuantile90).toBe(0.31);
    expect(manifest.history).toHaveLength(dataset.series.length);
    expect(manifest.history[0]!.times).toHaveLength(bundleHistorySteps(dataset.spec));
  });
});

describe('datasetHistory / datasetFromBundle', () => {
  it.each([1, 50, 407, 5000])('keeps the last %i steps of every series', (steps) => {
    const history = datasetHistory(dataset, steps);
    history.forEach((h, i) => {
      const grid = dataset.series[i]!;
      const n = Math.min(steps, grid.times.length);
      const from = grid.times.length - n;
      expect(h.label).toBe(grid.label);
      expect(h.times).toEqual(Array.from(grid.times.subarray(from)));
      expect(h.exog).toHaveLength(n * dataset.exogCount);
      expect(h.target).toHaveLength(n);
    });
  });

  it.each([0, -1, 2.5, NaN])('refuses steps = %d', (steps) => {
    expect(() => datasetHistory(dataset, steps)).toThrow(RangeError);
  });

  it('restores NaN targets and typed arrays', () => {
    const grid = dataset.series[0]!;
    const target = Float64Array.from(grid.target);
    target[target.length - 1] = NaN;
    const withGap: Dataset = { ...dataset, series: [{ ...grid, target }, ...dataset.series.slice(1)] };
    const history = datasetHistory(withGap, 30);
    expect(history[0]!.target.at(-1)).toBeNull();
    const rebuilt = datasetFromBundle({ ...manifest, history });
    const s = rebuilt.series[0]!;
    expect(s.times).toBeInstanceOf(Float64Array);
    expect(s.target).toBeInstanceOf(Float64Array);
    expect(s.targetModel).toBeInstanceOf(Float32Array);
    expect(s.exog).toBeInstanceOf(Float32Array);
    expect(s.target.at(-1)).toBeNaN();
    expect(Array.from(s.exog)).toEqual(Array.from(grid.exog.subarray((grid.times.length - 30) * dataset.exogCount)));
  });

  it.each([
    ['a plan starting 10 days before the end', 10],
    ['a plan starting a year before the end', 365],
  ])('gives the what-if the same windows as the full data set (%s)', (_name, back) => {
    const rebuilt = datasetFromBundle(manifest);
    for (const si of [0, 7]) {
      const grid = dataset.series[si]!;
      const startDay = grid.times[grid.times.length - back]!;
      const plan = { series: [si], startDay, horizon: 7, promoStart: 1, promoDuration: 3, levers: { promo_type: 'percent_off', discount_pct: 20, threshold: 0, threshold_amount: 0, ad_spend: 800 } };
      const full = planWindows(dataset, [plan]);
      const small = planWindows(rebuilt, [plan]);
      expect(small.count).toBe(full.count);
      expect(Array.from(small.x)).toEqual(Array.from(full.x));
    }
  });
});

describe('writeBundle / readBundle / loadBundleModel', () => {
  it('round-trips the model (predictions to 1e-6) and the manifest', async () => {
    const x = seededInput(6 * dataset.spec.windowLength * dataset.spec.features.length, 11);
    const { bytes, expected } = await withModel(async (model) => ({ bytes: await writeBundle({ model, manifest, modelCard: modelCard(manifest) }), expected: await predict(model, x) }));
    expect(Object.keys(unzipSync(bytes)).sort()).toEqual(['manifest.json', 'model-card.md', 'model.json', 'weights.bin']);
    const read = readBundle(bytes);
    if (!read.ok) throw new Error(JSON.stringify(read.reason));
    expect(read.data.manifest).toEqual(manifest);
    const loaded = await loadBundleModel(read.data.artifacts);
    try {
      const got = await predict(loaded, x);
      got.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-6));
    } finally {
      loaded.dispose();
    }
  });

  it('writes the same bytes for the same model and manifest', async () => {
    const [a, b] = await withModel(async (model) => [await writeBundle({ model, manifest: slim(), modelCard: 'card' }), await writeBundle({ model, manifest: slim(), modelCard: 'card' })]);
    expect(a).toEqual(b);
  });

  it('refuses to write a manifest it could not read back', async () => {
    const broken = { ...manifest, featureNames: ['only one'] };
    await withModel(async (model) => {
      await expect(writeBundle({ model, manifest: broken, modelCard: '' })).rejects.toThrow(/featureNames/);
    });
  });

  // What a plain TF.js user does with the bundle: unzip it, then point
  // tf.loadLayersModel at model.json + weights.bin (tfjs-node's `file://`
  // handler, or `http://…/model.json` in a browser, read the same two files).
  // Nothing from Promocast is involved.
  it('loads with plain TF.js from model.json and weights.bin on disk', async () => {
    const x = seededInput(3 * dataset.spec.windowLength * dataset.spec.features.length, 5);
    const { bytes, expected } = await withModel(async (model) => ({ bytes: await writeBundle({ model, manifest: slim(), modelCard: '' }), expected: await predict(model, x) }));
    const dir = await mkdtemp(join(tmpdir(), 'promocast-bundle-'));
    try {
      const files = unzipSync(bytes);
      await writeFile(join(dir, 'model.json'), files['model.json']!);
      await writeFile(join(dir, 'weights.bin'), files['weights.bin']!);
      const fromDisk: tf.io.IOHandler = {
        load: async () => {
          const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
          const weights = await readFile(join(dir, json.weightsManifest[0]!.paths[0]!));
          return {
            modelTopology: json.modelTopology,
            weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
            weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
          };
        },
      };
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
      expect(json).toMatchObject({ format: 'layers-model', weightsManifest: [{ paths: ['weights.bin'] }] });
      expect(json).toHaveProperty('generatedBy');
      expect(json).toHaveProperty('convertedBy');
      const model = await tf.loadLayersModel(fromDisk);
      try {
        const got = await predict(model, x);
        got.forEach((v, i) => expect(Math.abs(v - expected[i]!)).toBeLessThan(1e-6));
      } finally {
        model.dispose();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// --- Bad bundles -----------------------------------------------------------

type Files = Record<string, Uint8Array>;
const json = (value: unknown) => strToU8(JSON.stringify(value));

function withManifest(files: Files, edit: (m: Record<string, unknown>) => void): Files {
  const m = JSON.parse(strFromU8(files['manifest.json']!)) as Record<string, unknown>;
  edit(m);
  return { ...files, 'manifest.json': json(m) };
}

function without(files: Files, name: string): Files {
  const rest = { ...files };
  delete rest[name];
  return rest;
}

/** Offset of a zip entry's record: `PK\x01\x02` (central directory) or `PK\x03\x04` (local header) followed by its name. */
function recordOffset(zip: Uint8Array, name: string, central: boolean): number {
  const [sig, nameAt] = central ? [0x02014b50, 46] : [0x04034b50, 30];
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let o = 0; o + nameAt < zip.length; o++) {
    if (view.getUint32(o, true) === sig && strFromU8(zip.subarray(o + nameAt, o + nameAt + name.length), true) === name) return o;
  }
  throw new Error(`no entry ${name}`);
}

/** The zip with `patch` applied to a copy. */
function patched(zip: Uint8Array, patch: (bytes: Uint8Array, view: DataView) => void): Uint8Array {
  const copy = zip.slice();
  patch(copy, new DataView(copy.buffer));
  return copy;
}

/** CRC-32 (IEEE), bit by bit: slow but obviously right, for hand-made zips. */
function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

interface HandMadeEntry {
  readonly name: string;
  /** Raw deflate data. */
  readonly deflated: Uint8Array;
  /** Uncompressed size written in the headers, true or not. */
  readonly declaredSize: number;
  /** CRC-32 written in the headers (0 when the test does not get that far). */
  readonly crc?: number;
}

/** A zip written by hand with whatever sizes the caller declares, as an attacker would make it. */
function handMadeZip(entries: readonly HandMadeEntry[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = strToU8(entry.name);
    const local = new Uint8Array(30 + name.length + entry.deflated.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, 8, true); // deflate
    lv.setUint16(12, 0x21, true); // 1980-01-01
    lv.setUint32(14, entry.crc ?? 0, true);
    lv.setUint32(18, entry.deflated.length, true);
    lv.setUint32(22, entry.declaredSize, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    local.set(entry.deflated, 30 + name.length);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, 8, true);
    cv.setUint16(14, 0x21, true);
    cv.setUint32(16, entry.crc ?? 0, true);
    cv.setUint32(20, entry.deflated.length, true);
    cv.setUint32(24, entry.declaredSize, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const centralSize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  const parts = [...locals, ...centrals, end];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** An honest hand-made entry. */
const honest = (name: string, data: Uint8Array): HandMadeEntry => ({ name, deflated: deflateSync(data), declaredSize: data.length, crc: crc32(data) });

/**
 * A raw deflate stream of `mib` MiB of zeros, built without ever holding
 * them: one MiB compressed once and sync-flushed (byte-aligned, non-final,
 * self-contained, so copies concatenate — see fflate's Deflate.flush docs),
 * repeated, then a final empty fixed-Huffman block (bits 1,01 + end code).
 */
function deflatedZeros(mib: number): Uint8Array {
  const parts: Uint8Array[] = [];
  const deflate = new Deflate({ level: 6 }, (chunk) => parts.push(chunk));
  deflate.push(new Uint8Array(1 << 20), false);
  deflate.flush(true);
  const block = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (block.set(p, at), at + p.length), 0);
  const out = new Uint8Array(block.length * mib + 2);
  for (let i = 0; i < mib; i++) out.set(block, i * block.length);
  out.set([0x03, 0x00], block.length * mib);
  return out;
}

describe('readBundle refuses bad bundles', () => {
  it('builds a real bomb (2 MiB of the stream inflate to 2 MiB of zeros)', () => {
    const zeros = inflateSync(deflatedZeros(2));
    expect(zeros.length).toBe(2 << 20);
    expect(zeros.every((b) => b === 0)).toBe(true);
  });

  const random = (n: number) => Uint8Array.from(seededInput(n, 99), (v) => Math.floor((v + 1) * 127.5));

  const badBundles: [name: string, make: () => Promise<Uint8Array> | Uint8Array, code: BundleError['code'], params?: Record<string, string | number>][] = [
    ['random bytes', () => random(4096), 'notZip'],
    ['nothing', () => new Uint8Array(0), 'notZip'],
    ['a zip signature and garbage', () => Uint8Array.from([0x50, 0x4b, 3, 4, ...random(100)]), 'corrupt'],
    ['no manifest.json', async () => zipSync(without(unzipSync(await bundle()), 'manifest.json')), 'missingFile', { file: 'manifest.json' }],
    ['no weights.bin', async () => zipSync(without(unzipSync(await bundle()), 'weights.bin')), 'missingFile', { file: 'weights.bin' }],
    ['no model.json', async () => zipSync(without(unzipSync(await bundle()), 'model.json')), 'missingFile', { file: 'model.json' }],
    ['an empty zip', () => zipSync({}), 'missingFile', { file: 'manifest.json' }],
    ['formatVersion 99', async () => zipSync(withManifest(unzipSync(await bundle()), (m) => (m['formatVersion'] = 99))), 'newerFormat', { found: 99, supported: BUNDLE_FORMAT_VERSION }],
    ['formatVersion "1"', async () => zipSync(withManifest(unzipSync(await bundle()), (m) => (m['formatVersion'] = '1'))), 'badManifest', { field: 'formatVersion' }],
    ['manifest without spec', async () => zipSync(withManifest(unzipSync(await bundle()), (m) => delete m['spec'])), 'badManifest', { field: 'spec', detail: 'missing' }],
    ['a text target mean', async () => zipSync(withManifest(unzipSync(await bundle()), (m) => ((m['spec'] as { target: { mean: unknown } }).target.mean = 'high'))), 'badManifest', { field: 'spec.target.mean' }],
    ['an unknown role', async () => zipSync(withManifest(unzipSync(await bundle()), (m) => ((m['roles'] as Record<string, string>)['date'] = 'boss'))), 'badManifest', { field: 'roles.date' }],
    ['a feature without its scaler', async () => zipSync(withManifest(unzipSync(await bundle()), (m) => delete (m['spec'] as { scalers: Record<string, unknown> }).scalers['ad_spend'])), 'badManifest', { field: 'spec.features[7].source.column', detail: 'expected a scaler for ad_spend' }],
    ['a 13th month', async () => zipSync(withManifest(unzipSync(await bundle()), (m) => ((m['spec'] as { features: { source: unknown }[] }).features[0]!.source = { kind: 'eventMonth', column: 'is_holiday', month: 12 }))), 'badManifest', { field: 'spec.features[0].source.month', detail: 'expected a month 0–11' }],
    ['a month feature of a lever', async () => zipSync(withManifest(unzipSync(await bundle()), (m) => ((m['spec'] as { features: { source: unknown }[] }).features[0]!.source = { kind: 'eventMonth', column: 'ad_spend', month: 10 }))), 'badManifest', { field: 'spec.features[0].source.column', detail: 'expected a covariate, not ad_spend' }],
    ['a short exog history', async () => zipSync(withManifest(unzipSync(await bundle()), (m) => (m['history'] as { exog: number[] }[])[2]!.exog.pop())), 'badManifest', { field: 'history[2].exog' }],
    ['manifest.json not JSON', async () => zipSync({ ...unzipSync(await bundle()), 'manifest.json': strToU8('{"formatVersion": 1,') }), 'badManifest', { field: '$' }],
    ['manifest.json not UTF-8', async () => zipSync({ ...unzipSync(await bundle()), 'manifest.json': Uint8Array.from([0xff, 0xfe, 0x7b]) }), 'corrupt', { file: 'manifest.json' }],
    ['model.json not JSON', async () => zipSync({ ...unzipSync(await bundle()), 'model.json': strToU8('<html>') }), 'corrupt', { file: 'model.json' }],
    [
      'weights.bin one float short',
      async () => {
        const files = unzipSync(await bundle());
        return zipSync({ ...files, 'weights.bin': files['weights.bin']!.subarray(4) });
      },
      'weightsMismatch',
    ],
    [
      'a model for other features',
      async () => {
        const files = unzipSync(await bundle());
        return zipSync(withManifest(files, (m) => (m['spec'] as { windowLength: number }).windowLength++));
      },
      'badManifest',
      { field: 'spec.features' },
    ],
    [
      'corrupt deflate data',
      async () => {
        const zip = await bundle();
        // 0xFF starts a block of type 3, which deflate does not have.
        return patched(zip, (b, v) => {
          const o = recordOffset(zip, 'manifest.json', false);
          b[o + 30 + v.getUint16(o + 26, true) + v.getUint16(o + 28, true)] = 0xff;
        });
      },
      'corrupt',
      { file: 'manifest.json' },
    ],
    [
      'a flipped byte in stored weights',
      async () => {
        const zip = zipSync(unzipSync(await bundle()), { level: 0 });
        return patched(zip, (b, v) => {
          const o = recordOffset(zip, 'weights.bin', false);
          b[o + 30 + v.getUint16(o + 26, true) + v.getUint16(o + 28, true) + 10]! ^= 0x01;
        });
      },
      'corrupt',
      { file: 'weights.bin', detail: 'checksum mismatch' },
    ],
    [
      'a directory that understates a size',
      async () => {
        const zip = await bundle();
        return patched(zip, (_b, v) => v.setUint32(recordOffset(zip, 'weights.bin', true) + 24, 100, true));
      },
      'corrupt',
      { file: 'weights.bin', detail: 'checksum mismatch' },
    ],
    [
      'a directory that overstates a size',
      async () => {
        const zip = await bundle();
        return patched(zip, (_b, v) => {
          const o = recordOffset(zip, 'weights.bin', true);
          v.setUint32(o + 24, v.getUint32(o + 24, true) + 1000, true);
        });
      },
      'corrupt',
      { file: 'weights.bin', detail: 'size differs from the zip directory' },
    ],
    ['too many files', () => zipSync(Object.fromEntries(Array.from({ length: 100 }, (_, i): [string, Uint8Array] => [`f${i}.txt`, strToU8('x')])) as Zippable), 'tooLarge', { files: 65 }],
  ];

  it.each(badBundles.map(([name, make, code, params]) => [name, code, make, params] as const))('%s → %s', async (_name, code, make, params) => {
    const error = expectError(readBundle(await make()));
    expect(error.code).toBe(code);
    if (params) expect(error.params).toMatchObject(params);
  });

  it('reports the expected and found weight bytes', async () => {
    const files = unzipSync(await bundle());
    const error = expectError(readBundle(zipSync({ ...files, 'weights.bin': files['weights.bin']!.subarray(4) })));
    expect(error).toEqual({ code: 'weightsMismatch', params: { expected: files['weights.bin']!.length, found: files['weights.bin']!.length - 4 } });
  });

  it('refuses a zip bomb from its declared size, before inflating', () => {
    const mib = 300;
    const bomb = handMadeZip([{ name: 'weights.bin', deflated: deflatedZeros(mib), declaredSize: mib << 20 }]);
    expect(bomb.length).toBeLessThan(2 << 20);
    const memoryBefore = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    const error = expectError(readBundle(bomb));
    const elapsed = performance.now() - started;
    expect(error).toEqual({ code: 'tooLarge', params: { declared: mib << 20, limit: MAX_UNCOMPRESSED_BYTES } });
    // Inflating 300 MiB takes over a second and holds 300 MiB; reading the directory takes milliseconds.
    expect(elapsed).toBeLessThan(250);
    expect(process.memoryUsage().arrayBuffers - memoryBefore).toBeLessThan(32 << 20);
  });

  it('inflates no more than a size that is declared too low', async () => {
    const files = unzipSync(await bundle());
    const weights = files['weights.bin']!;
    // The directory says weights.bin is the real weights (CRC and size); the data is 64 MiB of zeros.
    const lying = handMadeZip([
      honest('manifest.json', files['manifest.json']!),
      honest('model.json', files['model.json']!),
      { name: 'weights.bin', deflated: deflatedZeros(64), declaredSize: weights.length, crc: crc32(weights) },
    ]);
    expect(readBundle(handMadeZip([honest('manifest.json', files['manifest.json']!), honest('model.json', files['model.json']!), honest('weights.bin', weights)])).ok).toBe(true);
    const memoryBefore = process.memoryUsage().arrayBuffers;
    const error = expectError(readBundle(lying));
    // fflate either stops at the end of the declared buffer or fills it; both end here.
    expect(error).toMatchObject({ code: 'corrupt', params: { file: 'weights.bin' } });
    expect(process.memoryUsage().arrayBuffers - memoryBefore).toBeLessThan(32 << 20);
  });
});

// --- Schema ----------------------------------------------------------------

function summary(name: string, type: ColumnType, values: readonly string[] = [], extra: Partial<ColumnSummary> = {}): ColumnSummary {
  return {
    name,
    type,
    rowCount: 100,
    missingCount: 0,
    missingShare: 0,
    unparseableCount: 0,
    unparseableExamples: [],
    distinctCount: values.length,
    distinctCapped: false,
    topValues: values.map((value) => ({ value, count: 1 })),
    histogram: [],
    examples: [],
    likelyMissing: [],
    ...extra,
  };
}

describe('schemaFingerprint', () => {
  const base: RoleMap = { date: 'time', sales: 'target', promo: 'lever', note: 'ignore' };
  const cols = [
    { name: 'date', type: 'date' },
    { name: 'sales', type: 'number' },
    { name: 'promo', type: 'category' },
    { name: 'note', type: 'text' },
  ];
  const reference = schemaFingerprint(base, cols);

  it('is 16 hex digits', () => {
    expect(reference).toMatch(/^[0-9a-f]{16}$/);
  });

  it.each<[string, RoleMap, { name: string; type: string }[], boolean]>([
    ['same schema', base, cols, true],
    ['columns in another order', base, [...cols].reverse(), true],
    ['an ignored column changes type', base, cols.map((c) => (c.name === 'note' ? { ...c, type: 'category' } : c)), true],
    ['an ignored column is dropped', base, cols.filter((c) => c.name !== 'note'), true],
    ['a role changes', { ...base, promo: 'covariate' }, cols, false],
    ['a column becomes ignored', { ...base, promo: 'ignore' }, cols, false],
    ['a type changes', base, cols.map((c) => (c.name === 'sales' ? { ...c, type: 'integer' } : c)), false],
    ['a column is renamed', { ...base, promotion: 'lever' }, cols.map((c) => (c.name === 'promo' ? { ...c, name: 'promotion' } : c)), false],
  ])('%s → same: %s', (_name, r, c, same) => {
    expect(schemaFingerprint(r, c) === reference).toBe(same);
  });
});

describe('compareSchema', () => {
  const replace = (name: string, next: ColumnSummary | null) => (): { roles: RoleMap; summaries: ColumnSummary[] } => ({
    roles,
    summaries: summaries.flatMap((s) => (s.name === name ? (next ? [next] : []) : [s])),
  });
  const promo = (values: readonly string[], extra: Partial<ColumnSummary> = {}) => summary('promo_type', 'category', values, extra);

  it.each<[string, () => { roles: RoleMap; summaries: readonly ColumnSummary[] }, string[]]>([
    ['the training data', () => ({ roles, summaries }), []],
    ['a missing lever', replace('discount_pct', null), ['Column "discount_pct" (a lever of the model) is missing from the data.']],
    ['a type change', replace('ad_spend', summary('ad_spend', 'text')), ['Column "ad_spend" was number when the model was trained and is now text.']],
    ['a role change', () => ({ roles: { ...roles, ad_spend: 'covariate' }, summaries }), ['Column "ad_spend" was a lever when the model was trained and is now a covariate.']],
    ['a lever now ignored', () => ({ roles: { ...roles, is_holiday: 'ignore' }, summaries }), ['Column "is_holiday" was a covariate when the model was trained and is now ignored.']],
    ['a new promotion type', replace('promo_type', promo(['none', 'gift', 'percent_off', 'spend_threshold', 'bogo'])), ['Column "promo_type" has values the model never saw in training: "bogo".']],
    ['a promotion type gone', replace('promo_type', promo(['none', 'percent_off', 'spend_threshold'])), ['Column "promo_type" lacks values the model was trained on: "gift".']],
    ['a value gone from an incomplete top list is not reported', replace('promo_type', promo(['none', 'percent_off'], { distinctCount: 4, distinctCapped: false })), []],
    ['a value gone from a capped list is not reported', replace('promo_type', promo(['none', 'gift', 'percent_off'], { distinctCapped: true })), []],
    [
      'a new series key and many unseen values',
      replace('category', summary('category', 'category', ['apparel', 'beauty', 'electronics', 'grocery', 'home', 'a', 'b', 'c', 'd', 'e', 'f', 'g'])),
      ['Column "category" has values the model never saw in training: "a", "b", "c", "d", "e" and 2 more.'],
    ],
    ['a new column in use', () => ({ roles: { ...roles, weather: 'covariate' }, summaries: [...summaries, summary('weather', 'number')] }), ['Column "weather" is a covariate in the data, but the model was not trained on it.']],
    ['a new ignored column', () => ({ roles: { ...roles, weather: 'ignore' }, summaries: [...summaries, summary('weather', 'number')] }), []],
  ])('%s', (_name, current, expected) => {
    expect(compareSchema(manifest, current())).toEqual(expected);
  });
});

// --- Model card and file name ------------------------------------------------

describe('modelCard', () => {
  it('summarises data, metrics against the baselines, settings, use and limits', () => {
    const card = modelCard(manifest);
    for (const text of [
      '# Model card: spring promos',
      '- Target: conversion\\_rate (rate, modelled as logit).',
      '- Levers: promo\\_type, discount\\_pct, threshold, threshold\\_amount, ad\\_spend.',
      '- Covariates: is\\_holiday.',
      '- Series: 15 (one per category, segment).',
      '- Period: 2023-01-01 to 2024-12-30, daily steps.',
      '| Model | WAPE | MAE | RMSE | R² |',
      '| LSTM (this model) | 10.0 % | 0.004 | 0.006 | — |',
      '| Naive (last value) | 20.0 % |',
      '| Linear (ridge) | 15.0 % |',
      '1 LSTM layer of 4 units',
      'kept the weights of epoch 2',
      '## Intended use',
      'discount\\_pct: 0 to 50',
      'the 90 % interval covered 88.3 % of test actuals',
      'No causal claims',
    ]) {
      expect(card).toContain(text);
    }
  });

  it('escapes markup in names from the data', () => {
    const card = modelCard({ ...manifest, name: '<img src=x onerror=alert(1)> | **x**\n# y' });
    expect(card.split('\n')[0]).toBe('# Model card: \\<img src=x onerror=alert(1)\\> \\| \\*\\*x\\*\\* \\# y');
  });

  it('says when there is no interval', () => {
    expect(modelCard({ ...manifest, evaluation: { ...manifest.evaluation, coverage90: NaN } })).toContain('no 90 % interval');
  });
});

describe('bundleFileName', () => {
  it.each([
    ['spring promos', 'spring promos.promocast.zip'],
    ['a/b\\c:d*e?f"g<h>i|j', 'a_b_c_d_e_f_g_h_i_j.promocast.zip'],
    ['  ', 'model.promocast.zip'],
    ['..hidden', 'hidden.promocast.zip'],
    ['春季促销', '春季促销.promocast.zip'],
  ])('%j → %j', (name, expected) => {
    expect(bundleFileName(name)).toBe(expected);
  });
});
