/**
 * The model bundle: one `<name>.promocast.zip` holding
 *
 * - `model.json` + `weights.bin`: the TF.js Layers model in the standard
 *   format (`tf.loadLayersModel` reads it with any IOHandler that serves those
 *   two files; nothing Promocast-specific is needed for the model alone);
 * - `manifest.json`: everything else the app needs to use the model again
 *   (roles, feature spec with scalers and vocabularies, split, lever ranges,
 *   recent history per series for the what-if, conformal quantile, metrics,
 *   settings, schema fingerprint);
 * - `model-card.md`: a short human-readable model card.
 *
 * Reading never throws on bad input: {@link readBundle} returns a
 * {@link BundleError} value, and refuses zip bombs before inflating anything.
 */
import * as tf from '@tensorflow/tfjs';
import { unzipSync, zipSync } from 'fflate';
import type { SeriesKpiContext, TargetMeaning } from '../data/kpiContext';
import { ROLES, type ColumnSummary, type ColumnType, type Role, type RoleMap } from '../data/types';
import { fail, ok, type Result } from '../lib/result';
import { MODEL_NAMES, type EvaluationReport, type ModelName, type ModelScore, type SegmentError } from './evaluate';
import type { ClassificationMetrics, RegressionMetrics } from './metrics';
import type { StopReason, TrainOutcome, TrainSettings } from './train';
import type { Dataset, FeatureSource, FeatureSpec, LeverRange, Scaler, TargetKind, TargetTransform } from './types';

/** Version of the bundle layout; readers refuse bundles with a larger number (`newerFormat`). */
export const BUNDLE_FORMAT_VERSION = 1;

/** Refuse a bundle whose files would inflate to more than this many bytes in total (256 MiB). */
export const MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024;

/** Refuse a zip with more entries than this (a bundle has four). */
export const MAX_BUNDLE_ENTRIES = 64;

/** The minimum number of recent steps per series kept in the bundle (see {@link bundleHistorySteps}). */
export const BUNDLE_HISTORY_MIN_STEPS = 400;

/** File names inside the zip. */
export const BUNDLE_FILES = {
  model: 'model.json',
  weights: 'weights.bin',
  manifest: 'manifest.json',
  modelCard: 'model-card.md',
} as const;

/** One column of the training schema (ignored columns are not listed). */
export interface BundleColumn {
  readonly name: string;
  readonly role: Exclude<Role, 'ignore'>;
  readonly type: ColumnType;
}

/**
 * The recent history of one series, JSON-safe. `times`, `target` and
 * `targetModel` have one entry per step; `exog` is `[steps × exogCount]`
 * row-major. Unknown targets are `null` (NaN in a {@link Dataset}).
 */
export interface BundleSeriesHistory {
  readonly label: string;
  readonly keys: readonly string[];
  /** Day number per step (cross-section: the row index). */
  readonly times: readonly number[];
  /** Target in original units; null where unknown. */
  readonly target: readonly (number | null)[];
  /** Target in model space; null where unknown. */
  readonly targetModel: readonly (number | null)[];
  /** `[steps × exogCount]` exogenous features, standardised / one-hot. */
  readonly exog: readonly number[];
}

/** The parts of a {@link Dataset} the what-if needs besides the series (per-series lists follow `history`'s order). */
export interface BundleDatasetInfo {
  /** Day numbers (cross-section: row order) ending the train and validation periods; may be Infinity. */
  readonly trainEnd: number;
  readonly validEnd: number;
  readonly leverRanges: Dataset['leverRanges'];
  readonly seriesLeverRanges: Dataset['seriesLeverRanges'];
  readonly noPromotion: Dataset['noPromotion'];
  readonly typicalLevers: Dataset['typicalLevers'];
  readonly leverSupport: Dataset['leverSupport'];
  readonly targetMeaning: TargetMeaning;
  readonly kpi: readonly SeriesKpiContext[];
  /** Features in `exog` (= spec.exogCount). */
  readonly exogCount: number;
  /** First and last day number of the full training data over all series (cross-section: row indices); NaN when empty. */
  readonly firstTime: number;
  readonly lastTime: number;
}

/** What the Evaluate step found, kept for the model card and the import screen. */
export interface BundleEvaluationSummary {
  /** Test windows scored. */
  readonly testCount: number;
  /** Share of test actuals inside the 90 % interval, in [0, 1]; NaN for yes/no targets. */
  readonly coverage90: number;
  readonly perSeries: EvaluationReport['perSeries'];
  readonly segments: readonly SegmentError[];
}

/**
 * `manifest.json`. Numbers may be NaN or ±Infinity in memory; in the file
 * they are encoded by {@link numberToJson} and restored by
 * {@link parseManifest}. Fields typed `number | null` hold a real null.
 */
export interface BundleManifest {
  /** {@link BUNDLE_FORMAT_VERSION} of the writer. */
  readonly formatVersion: number;
  /** The analyst's name for the model (the file is `<name>.promocast.zip`). */
  readonly name: string;
  /** ISO 8601 time the bundle was made. */
  readonly createdAt: string;
  /** Role of every column at training time (ignored ones included). */
  readonly roles: RoleMap;
  /** Non-ignored columns with role and type, sorted by name: what {@link compareSchema} checks. */
  readonly columns: readonly BundleColumn[];
  readonly spec: FeatureSpec;
  readonly dataset: BundleDatasetInfo;
  /** Recent history per series, in the dataset's series order (see {@link bundleHistorySteps}). */
  readonly history: readonly BundleSeriesHistory[];
  /** Half-width of the 90 % interval in model space; null when there is none (yes/no target, no validation data). */
  readonly conformalQuantile90: number | null;
  /** Test scores of the LSTM and the baselines. */
  readonly metrics: EvaluationReport['scores'];
  readonly evaluation: BundleEvaluationSummary;
  readonly trainingSettings: TrainSettings;
  /** How training ended; null when unknown. */
  readonly trainingOutcome: TrainOutcome | null;
  /** tf.js backend the model was trained on (`webgl`, `wasm`, `cpu`, …). */
  readonly backend: string;
  /** {@link schemaFingerprint} of the training schema. */
  readonly schemaFingerprint: string;
  /** spec.features' names, in the model's input order. */
  readonly featureNames: readonly string[];
}

/** Why a bundle cannot be read; `params` fill the catalog message. */
export type BundleError = {
  readonly code: 'notZip' | 'missingFile' | 'newerFormat' | 'badManifest' | 'weightsMismatch' | 'tooLarge' | 'corrupt';
  readonly params: Record<string, string | number>;
};

// ---------------------------------------------------------------------------
// Non-finite numbers in JSON

/** A number as stored in JSON: NaN becomes null, ±Infinity the strings `"Infinity"` / `"-Infinity"`. */
export type JsonNumber = number | null | 'Infinity' | '-Infinity';

/**
 * Encodes a number for JSON, which has no NaN or Infinity: NaN → null,
 * ±Infinity → `"Infinity"` / `"-Infinity"` (kept apart from NaN because a
 * split end of Infinity means "no test period", not "unknown").
 */
export function numberToJson(n: number): JsonNumber {
  if (Number.isFinite(n)) return n;
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return null;
}

/** Inverse of {@link numberToJson}: null → NaN, `"Infinity"` → Infinity, `"-Infinity"` → −Infinity. */
export function numberFromJson(value: JsonNumber): number {
  if (value === null) return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return value;
}

/** The manifest as `manifest.json` text (non-finite numbers encoded by {@link numberToJson}). */
export function manifestToJson(manifest: BundleManifest): string {
  return JSON.stringify(manifest, (_key, value: unknown) => (typeof value === 'number' ? numberToJson(value) : value));
}

// ---------------------------------------------------------------------------
// Schema

/** Non-ignored columns with their role and type, sorted by name (UTF-16 code unit order). */
export function schemaColumns(roles: RoleMap, summaries: readonly { readonly name: string; readonly type: string }[]): BundleColumn[] {
  const out: BundleColumn[] = [];
  for (const s of summaries) {
    const role = roles[s.name];
    if (role === undefined || role === 'ignore') continue;
    out.push({ name: s.name, role, type: s.type as ColumnType });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * A stable fingerprint of the schema: 64-bit FNV-1a (16 hex digits) of the
 * non-ignored columns' names, roles and types, sorted by name. Column order
 * and ignored columns do not change it; a rename, a role or a type change does.
 * A column without a role counts as ignored.
 */
export function schemaFingerprint(roles: RoleMap, summaries: readonly { readonly name: string; readonly type: string }[]): string {
  const text = schemaColumns(roles, summaries)
    .map((c) => JSON.stringify([c.name, c.role, c.type]))
    .join('\n');
  const bytes = new TextEncoder().encode(text);
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash.toString(16).padStart(16, '0');
}

const ROLE_WORDS: Record<Role, string> = { time: 'the time column', series: 'a series key', target: 'the target', lever: 'a lever', covariate: 'a covariate', ignore: 'ignored' };

function quoteList(values: readonly string[], max = 5): string {
  const shown = values.slice(0, max).map((v) => `"${v}"`);
  return values.length > max ? `${shown.join(', ')} and ${values.length - max} more` : shown.join(', ');
}

/**
 * Differences between the schema the model was trained on and the current
 * data, as sentences for the analyst; empty when they match. Reports, in
 * this order per training column (sorted by name): a column missing from the
 * data, a type change, a role change, category values of a categorical
 * lever/covariate/series key that the data has and the model never saw, and
 * values the model knows that the data lacks (only when the summary's
 * `topValues` lists every distinct value). Then columns the data uses that
 * the model was not trained on. Types are compared exactly (integer ≠ number).
 */
export function compareSchema(manifest: BundleManifest, current: { readonly roles: RoleMap; readonly summaries: readonly ColumnSummary[] }): string[] {
  const out: string[] = [];
  const byName = new Map(current.summaries.map((s) => [s.name, s]));
  const known = new Set(manifest.columns.map((c) => c.name));
  for (const column of manifest.columns) {
    const summary = byName.get(column.name);
    if (!summary) {
      out.push(`Column "${column.name}" (${ROLE_WORDS[column.role]} of the model) is missing from the data.`);
      continue;
    }
    if (summary.type !== column.type) out.push(`Column "${column.name}" was ${column.type} when the model was trained and is now ${summary.type}.`);
    const role = current.roles[column.name] ?? 'ignore';
    if (role !== column.role) out.push(`Column "${column.name}" was ${ROLE_WORDS[column.role]} when the model was trained and is now ${ROLE_WORDS[role]}.`);
    const vocab = manifest.spec.vocabularies[column.name];
    if (vocab === undefined || summary.type !== column.type) continue;
    const modelValues = new Set(vocab);
    const dataValues = summary.topValues.map((v) => v.value);
    const unseen = dataValues.filter((v) => !modelValues.has(v));
    if (unseen.length > 0) out.push(`Column "${column.name}" has values the model never saw in training: ${quoteList(unseen)}.`);
    const complete = !summary.distinctCapped && summary.topValues.length >= summary.distinctCount;
    if (complete) {
      const present = new Set(dataValues);
      const absent = vocab.filter((v) => !present.has(v));
      if (absent.length > 0) out.push(`Column "${column.name}" lacks values the model was trained on: ${quoteList(absent)}.`);
    }
  }
  for (const summary of current.summaries) {
    const role = current.roles[summary.name];
    if (role === undefined || role === 'ignore' || known.has(summary.name)) continue;
    out.push(`Column "${summary.name}" is ${ROLE_WORDS[role]} in the data, but the model was not trained on it.`);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Manifest from a trained model

/**
 * Steps of recent history kept per series: enough for a what-if plan that
 * starts up to a year back (a year of steps, plus the window and the level
 * average before it), and at least {@link BUNDLE_HISTORY_MIN_STEPS}.
 */
export function bundleHistorySteps(spec: FeatureSpec): number {
  const yearSteps = spec.periodDays > 0 ? Math.ceil(365 / spec.periodDays) : 0;
  return Math.max(BUNDLE_HISTORY_MIN_STEPS, spec.windowLength + spec.levelSteps + yearSteps);
}

/**
 * The last `steps` steps of every series (all of a shorter one), JSON-safe:
 * NaN targets become null, typed arrays plain arrays. Throws a RangeError
 * when `steps` is not a positive integer (a bug).
 */
export function datasetHistory(dataset: Dataset, steps: number): BundleManifest['history'] {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, got ${steps}`);
  const E = dataset.exogCount;
  const orNull = (v: number) => (Number.isNaN(v) ? null : v);
  return dataset.series.map((s) => {
    const from = Math.max(0, s.times.length - steps);
    return {
      label: s.label,
      keys: [...s.keys],
      times: Array.from(s.times.subarray(from)),
      target: Array.from(s.target.subarray(from), orNull),
      targetModel: Array.from(s.targetModel.subarray(from), (v) => orNull(shortestFloat32(v))),
      exog: Array.from(s.exog.subarray(from * E), shortestFloat32),
    };
  });
}

/**
 * The shortest decimal that reads back as the same float32 (e.g. 0.1 rather
 * than 0.10000000149011612): halves the JSON of the history, exactly.
 */
function shortestFloat32(v: number): number {
  if (!Number.isFinite(v) || Number.isInteger(v)) return v;
  // A float32 lies within 6e-8 (relative) of its shortest decimal, so rounding
  // to 6 digits already yields any shorter one; 9 digits always round-trip.
  for (let digits = 6; digits < 9; digits++) {
    const short = Number(v.toPrecision(digits));
    if (Math.fround(short) === v) return short;
  }
  return Number(v.toPrecision(9));
}

/**
 * A {@link Dataset} whose series hold only the bundle's recent history:
 * enough for the what-if and the optimizer, not for training or evaluation.
 * Typed arrays as in a built dataset; null targets become NaN.
 */
export function datasetFromBundle(manifest: BundleManifest): Dataset {
  const d = manifest.dataset;
  return {
    spec: manifest.spec,
    exogCount: d.exogCount,
    series: manifest.history.map((h) => ({
      label: h.label,
      keys: h.keys,
      times: Float64Array.from(h.times),
      target: Float64Array.from(h.target, (v) => v ?? NaN),
      targetModel: Float32Array.from(h.targetModel, (v) => v ?? NaN),
      exog: Float32Array.from(h.exog),
    })),
    trainEnd: d.trainEnd,
    validEnd: d.validEnd,
    leverRanges: d.leverRanges,
    seriesLeverRanges: d.seriesLeverRanges,
    noPromotion: d.noPromotion,
    typicalLevers: d.typicalLevers,
    leverSupport: d.leverSupport,
    targetMeaning: d.targetMeaning,
    kpi: d.kpi,
  };
}

/** What {@link createManifest} needs: the trained model's context. */
export interface ManifestInput {
  readonly name: string;
  /** ISO 8601; pass `new Date().toISOString()`. */
  readonly createdAt: string;
  readonly roles: RoleMap;
  readonly summaries: readonly { readonly name: string; readonly type: string }[];
  readonly dataset: Dataset;
  readonly report: EvaluationReport;
  readonly trainingSettings: TrainSettings;
  readonly trainingOutcome: TrainOutcome | null;
  readonly backend: string;
}

/**
 * Builds the manifest of a trained model: copies the dataset's split, ranges
 * and KPI context, keeps {@link bundleHistorySteps} steps of history per
 * series, and fingerprints the schema.
 */
export function createManifest(input: ManifestInput): BundleManifest {
  const { dataset, report } = input;
  let firstTime = Infinity;
  let lastTime = -Infinity;
  for (const s of dataset.series) {
    if (s.times.length === 0) continue;
    firstTime = Math.min(firstTime, s.times[0]!);
    lastTime = Math.max(lastTime, s.times[s.times.length - 1]!);
  }
  const q90 = report.conformalQuantile90;
  return {
    formatVersion: BUNDLE_FORMAT_VERSION,
    name: input.name,
    createdAt: input.createdAt,
    roles: input.roles,
    columns: schemaColumns(input.roles, input.summaries),
    spec: dataset.spec,
    dataset: {
      trainEnd: dataset.trainEnd,
      validEnd: dataset.validEnd,
      leverRanges: dataset.leverRanges,
      seriesLeverRanges: dataset.seriesLeverRanges,
      noPromotion: dataset.noPromotion,
      typicalLevers: dataset.typicalLevers,
      leverSupport: dataset.leverSupport,
      targetMeaning: dataset.targetMeaning,
      kpi: dataset.kpi,
      exogCount: dataset.exogCount,
      firstTime: Number.isFinite(firstTime) ? firstTime : NaN,
      lastTime: Number.isFinite(lastTime) ? lastTime : NaN,
    },
    history: datasetHistory(dataset, bundleHistorySteps(dataset.spec)),
    conformalQuantile90: Number.isFinite(q90) ? q90 : null,
    metrics: report.scores,
    evaluation: { testCount: report.testCount, coverage90: report.coverage90, perSeries: report.perSeries, segments: report.segments },
    trainingSettings: input.trainingSettings,
    trainingOutcome: input.trainingOutcome,
    backend: input.backend,
    schemaFingerprint: schemaFingerprint(input.roles, input.summaries),
    featureNames: dataset.spec.features.map((f) => f.name),
  };
}

/** `<name>.promocast.zip` with characters file systems refuse replaced by `_` (`model` when nothing is left). */
export function bundleFileName(name: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const safe = name.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '_').trim().replace(/^\.+/, '');
  return `${safe || 'model'}.promocast.zip`;
}

// ---------------------------------------------------------------------------
// Manifest validation (hand-written decoders that restore non-finite numbers)

/** A wrong field, thrown inside the decoders only and turned into a `badManifest` value. */
class FieldError {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {}
}

type Decoder<T> = (value: unknown, path: string) => T;

function bad(value: unknown, path: string, expected: string): never {
  throw new FieldError(path || '$', value === undefined ? 'missing' : `expected ${expected}`);
}

const at = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const str: Decoder<string> = (v, p) => (typeof v === 'string' ? v : bad(v, p, 'text'));
const bool: Decoder<boolean> = (v, p) => (typeof v === 'boolean' ? v : bad(v, p, 'true or false'));
/** Any number, non-finite ones as encoded by numberToJson. */
const num: Decoder<number> = (v, p) => (typeof v === 'number' || v === null || v === 'Infinity' || v === '-Infinity' ? numberFromJson(v) : bad(v, p, 'a number'));
const finite: Decoder<number> = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? v : bad(v, p, 'a finite number'));
const count: Decoder<number> = (v, p) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : bad(v, p, 'a whole number ≥ 0'));
const positive: Decoder<number> = (v, p) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : bad(v, p, 'a whole number ≥ 1'));
const nullable =
  <T>(d: Decoder<T>): Decoder<T | null> =>
  (v, p) =>
    v === null ? null : d(v, p);
const optional =
  <T>(d: Decoder<T>): Decoder<T | undefined> =>
  (v, p) =>
    v === undefined ? undefined : d(v, p);
const literal =
  <T extends string>(values: readonly T[]): Decoder<T> =>
  (v, p) =>
    typeof v === 'string' && (values as readonly string[]).includes(v) ? (v as T) : bad(v, p, `one of ${values.join(', ')}`);
const arr =
  <T>(d: Decoder<T>): Decoder<T[]> =>
  (v, p) =>
    Array.isArray(v) ? v.map((x: unknown, i) => d(x, at(p, i))) : bad(v, p, 'a list');
/** A long list of numbers; builds a path only on error. `nullIsNull`: keep null (else null → NaN). */
const numbers =
  (nullIsNull: boolean): Decoder<(number | null)[]> =>
  (v, p) => {
    if (!Array.isArray(v)) return bad(v, p, 'a list of numbers');
    const out = new Array<number | null>(v.length);
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      out[i] = typeof x === 'number' ? x : x === null && nullIsNull ? null : num(x, at(p, i));
    }
    return out;
  };
const numberList: Decoder<number[]> = (v, p) => numbers(false)(v, p) as number[];
const nullableNumberList: Decoder<(number | null)[]> = numbers(true);
const record =
  <T>(d: Decoder<T>): Decoder<Record<string, T>> =>
  (v, p) =>
    // fromEntries defines own properties, so a "__proto__" key stays a key.
    isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, d(x, at(p, k))])) : bad(v, p, 'an object');

type Shape<T> = { readonly [K in keyof T]-?: Record<never, never> extends Pick<T, K> ? Decoder<T[K] | undefined> : Decoder<T[K]> };

function obj<T>(shape: Shape<T>): Decoder<T> {
  return (v, p) => {
    if (!isObject(v)) return bad(v, p, 'an object');
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape) as (keyof T & string)[]) {
      const value = (shape[key] as Decoder<unknown>)(v[key], at(p, key));
      if (value !== undefined) out[key] = value;
    }
    return out as T;
  };
}

/** The members of a string union, listed through a record so the compiler flags a member added to the union but not here. */
const membersOf = <T extends string>(all: Record<T, true>): readonly T[] => Object.keys(all) as T[];

const COLUMN_TYPES = membersOf<ColumnType>({ integer: true, number: true, percent: true, currency: true, date: true, boolean: true, category: true, id: true, text: true, empty: true });
const TARGET_KINDS = membersOf<TargetKind>({ rate: true, count: true, money: true, binary: true, real: true });
const TRANSFORMS = membersOf<TargetTransform>({ logit: true, log1p: true, identity: true });
const FILLS = membersOf<FeatureSpec['fills'][string]>({
  'forward-fill within series': true,
  zero: true,
  median: true,
  'missing category': true,
  'row excluded from training targets': true,
  'row excluded': true,
  'own series': true,
  'not used': true,
});
const MEANINGS = membersOf<TargetMeaning>({ conversionRate: true, orders: true, units: true, revenue: true, other: true });
const STOP_REASONS = membersOf<StopReason>({ epochs: true, patience: true, stopped: true, nonFinite: true });
const CALENDAR_PARTS = membersOf<Extract<FeatureSource, { kind: 'calendar' }>['part']>({ dowSin: true, dowCos: true, doySin: true, doyCos: true });

const featureSource: Decoder<FeatureSource> = (v, p) => {
  if (!isObject(v)) return bad(v, p, 'an object');
  switch (v['kind']) {
    case 'numeric':
      return { kind: 'numeric', column: str(v['column'], at(p, 'column')) };
    case 'onehot':
    case 'static':
      return { kind: v['kind'], column: str(v['column'], at(p, 'column')), value: str(v['value'], at(p, 'value')) };
    case 'calendar':
      return { kind: 'calendar', part: literal(CALENDAR_PARTS)(v['part'], at(p, 'part')) };
    case 'eventMonth': {
      const month = num(v['month'], at(p, 'month'));
      if (!Number.isInteger(month) || month < 0 || month > 11) return bad(v['month'], at(p, 'month'), 'a month 0–11');
      return { kind: 'eventMonth', column: str(v['column'], at(p, 'column')), month };
    }
    case 'targetLag':
    case 'targetMask':
    case 'level':
      return { kind: v['kind'] };
    default:
      return bad(v['kind'], at(p, 'kind'), 'a feature kind');
  }
};

const leverRange: Decoder<LeverRange> = (v, p) => {
  if (!isObject(v)) return bad(v, p, 'an object');
  if (v['kind'] === 'numeric') return { kind: 'numeric', min: num(v['min'], at(p, 'min')), max: num(v['max'], at(p, 'max')) };
  if (v['kind'] === 'category') return { kind: 'category', values: arr(str)(v['values'], at(p, 'values')) };
  return bad(v['kind'], at(p, 'kind'), 'numeric or category');
};

const rawLeverValue: Decoder<number | string | null> = (v, p) => (v === null || typeof v === 'string' ? v : num(v, p));

const scaler = obj<Scaler>({ mean: num, std: num, median: num });

const featureSpec = obj<FeatureSpec>({
  windowLength: positive,
  horizonMax: positive,
  crossSection: bool,
  timeColumn: nullable(str),
  seriesColumns: arr(str),
  target: obj<FeatureSpec['target']>({ column: str, kind: literal(TARGET_KINDS), transform: literal(TRANSFORMS), mean: num, std: num }),
  levers: arr(str),
  covariates: arr(str),
  features: arr(obj<FeatureSpec['features'][number]>({ name: str, source: featureSource })),
  scalers: record(scaler),
  vocabularies: record(arr(str)),
  periodDays: count,
  seasonalPeriod: count,
  levelSteps: count,
  exogCount: count,
  fills: record(literal(FILLS)),
});

const kpiContext = obj<SeriesKpiContext>({ visitorsPerDay: nullable(num), averageOrderValue: nullable(num), unitsPerOrder: nullable(num), margin: num });

const datasetInfo = obj<BundleDatasetInfo>({
  trainEnd: num,
  validEnd: num,
  leverRanges: record(leverRange),
  seriesLeverRanges: arr(record(leverRange)),
  noPromotion: arr(record(rawLeverValue)),
  typicalLevers: record(record(record(num))),
  leverSupport: record(record(record(obj<{ min: number; max: number }>({ min: num, max: num })))),
  targetMeaning: literal(MEANINGS),
  kpi: arr(kpiContext),
  exogCount: count,
  firstTime: num,
  lastTime: num,
});

const seriesHistory = obj<BundleSeriesHistory>({
  label: str,
  keys: arr(str),
  times: numberList,
  target: nullableNumberList,
  targetModel: nullableNumberList,
  exog: numberList,
});

const regression = obj<RegressionMetrics>({ count: count, mae: num, rmse: num, mape: num, mapeSkipped: count, wape: num, smape: num, r2: num });
const classification = obj<ClassificationMetrics>({
  count: count,
  positives: count,
  threshold: num,
  truePositives: count,
  falsePositives: count,
  trueNegatives: count,
  falseNegatives: count,
  accuracy: num,
  precision: num,
  recall: num,
  f1: num,
  rocAuc: num,
});
const modelScore = obj<ModelScore>({ model: literal(MODEL_NAMES), regression, classification: optional(classification) });

const evaluationSummary = obj<BundleEvaluationSummary>({
  testCount: count,
  coverage90: num,
  perSeries: arr(obj<EvaluationReport['perSeries'][number]>({ label: str, count: count, lstmWape: num, naiveWape: num, linearWape: num })),
  segments: arr(obj<SegmentError>({ column: str, value: str, count: count, lstmWape: num, linearWape: num, naiveWape: num })),
});

const trainSettings = obj<TrainSettings>({
  windowLength: positive,
  units: positive,
  layers: positive,
  dropout: finite,
  learningRate: finite,
  batchSize: positive,
  epochs: count,
  patience: count,
  seed: finite,
});

const trainOutcome = obj<TrainOutcome>({ stoppedBy: literal(STOP_REASONS), bestEpoch: count, bestValidLoss: num, epochsRun: count });

const manifestDecoder = obj<BundleManifest>({
  formatVersion: positive,
  name: str,
  createdAt: str,
  roles: record(literal(ROLES)),
  columns: arr(obj<BundleColumn>({ name: str, role: literal(ROLES.filter((r): r is BundleColumn['role'] => r !== 'ignore')), type: literal(COLUMN_TYPES) })),
  spec: featureSpec,
  dataset: datasetInfo,
  history: arr(seriesHistory),
  conformalQuantile90: nullable(num),
  metrics: arr(modelScore),
  evaluation: evaluationSummary,
  trainingSettings: trainSettings,
  trainingOutcome: nullable(trainOutcome),
  backend: str,
  schemaFingerprint: str,
  featureNames: arr(str),
});

/** Cross-field checks the types cannot express; throws FieldError. */
function checkConsistency(m: BundleManifest): void {
  const { spec, dataset } = m;
  const F = spec.features.length;
  if (spec.exogCount > F) throw new FieldError('spec.exogCount', `expected at most ${F} (the feature count)`);
  if (dataset.exogCount !== spec.exogCount) throw new FieldError('dataset.exogCount', `expected ${spec.exogCount} (spec.exogCount)`);
  if (m.featureNames.length !== F || m.featureNames.some((name, i) => name !== spec.features[i]!.name)) throw new FieldError('featureNames', 'expected the names of spec.features');
  spec.features.forEach((f, i) => {
    const { source } = f;
    if (source.kind === 'numeric' && !spec.scalers[source.column]) throw new FieldError(`spec.features[${i}].source.column`, `expected a scaler for ${source.column}`);
    if (source.kind === 'eventMonth' && !spec.covariates.includes(source.column)) throw new FieldError(`spec.features[${i}].source.column`, `expected a covariate, not ${source.column}`);
    if ((source.kind === 'onehot' || source.kind === 'static') && !spec.vocabularies[source.column]) throw new FieldError(`spec.features[${i}].source.column`, `expected a vocabulary for ${source.column}`);
  });
  const S = m.history.length;
  for (const key of ['seriesLeverRanges', 'noPromotion', 'kpi'] as const) {
    if (dataset[key].length !== S) throw new FieldError(`dataset.${key}`, `expected one entry per series (${S})`);
  }
  m.history.forEach((h, i) => {
    const n = h.times.length;
    if (h.keys.length !== spec.seriesColumns.length) throw new FieldError(`history[${i}].keys`, `expected ${spec.seriesColumns.length} keys`);
    if (h.target.length !== n) throw new FieldError(`history[${i}].target`, `expected ${n} values`);
    if (h.targetModel.length !== n) throw new FieldError(`history[${i}].targetModel`, `expected ${n} values`);
    if (h.exog.length !== n * spec.exogCount) throw new FieldError(`history[${i}].exog`, `expected ${n * spec.exogCount} values`);
  });
}

/**
 * Parses and validates `manifest.json` text, restoring NaN and ±Infinity.
 * Errors: `newerFormat` ({found, supported}) when formatVersion exceeds
 * {@link BUNDLE_FORMAT_VERSION} (checked before anything else), otherwise
 * `badManifest` with `params.field` (dotted path such as `spec.target.mean`
 * or `history[3].exog`; `$` for the whole file) and `params.detail`.
 */
export function parseManifest(text: string): Result<BundleManifest, BundleError> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail({ code: 'badManifest', params: { field: '$', detail: 'expected JSON' } });
  }
  if (!isObject(raw)) return fail({ code: 'badManifest', params: { field: '$', detail: 'expected an object' } });
  const version = raw['formatVersion'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return fail({ code: 'badManifest', params: { field: 'formatVersion', detail: version === undefined ? 'missing' : 'expected a whole number ≥ 1' } });
  }
  if (version > BUNDLE_FORMAT_VERSION) return fail({ code: 'newerFormat', params: { found: version, supported: BUNDLE_FORMAT_VERSION } });
  try {
    const manifest = manifestDecoder(raw, '');
    checkConsistency(manifest);
    return ok(manifest);
  } catch (e) {
    if (e instanceof FieldError) return fail({ code: 'badManifest', params: { field: e.field, detail: e.detail } });
    throw e;
  }
}

// ---------------------------------------------------------------------------
// model.json

interface ModelJson {
  readonly modelTopology: Record<string, unknown>;
  readonly weightsManifest: readonly { readonly paths: readonly string[]; readonly weights: readonly tf.io.WeightsManifestEntry[] }[];
  readonly format?: string;
  readonly generatedBy?: string;
  readonly convertedBy?: string | null;
}

const WEIGHT_DTYPES = ['float32', 'int32', 'bool', 'string', 'complex64'] as const;
const QUANT_DTYPES = ['uint16', 'uint8', 'float16'] as const;

type QuantDtype = (typeof QUANT_DTYPES)[number];

const weightEntry = obj<tf.io.WeightsManifestEntry>({
  name: str,
  shape: arr(count),
  dtype: literal(WEIGHT_DTYPES),
  group: optional(literal(['model', 'optimizer'] as const)),
  quantization: optional(obj<{ dtype: QuantDtype; scale?: number; min?: number }>({ dtype: literal(QUANT_DTYPES), scale: optional(finite), min: optional(finite) })),
});

const modelJsonDecoder = obj<ModelJson>({
  modelTopology: (v, p) => (isObject(v) ? v : bad(v, p, 'an object')),
  weightsManifest: arr(obj<ModelJson['weightsManifest'][number]>({ paths: arr(str), weights: arr(weightEntry) })),
  format: optional(str),
  generatedBy: optional(str),
  convertedBy: optional(nullable(str)),
});

/** Bytes one weight takes in weights.bin; null for dtypes a bundle cannot hold. */
function bytesPerValue(w: tf.io.WeightsManifestEntry): number | null {
  if (w.quantization) return w.quantization.dtype === 'uint8' ? 1 : 2;
  if (w.dtype === 'float32' || w.dtype === 'int32') return 4;
  if (w.dtype === 'bool') return 1;
  return null;
}

/** `[null, windowLength, features]` of the first layer that declares one, if any. */
function declaredInputShape(topology: Record<string, unknown>): readonly unknown[] | null {
  const config = topology['config'];
  const layers = isObject(config) ? config['layers'] : undefined;
  if (!Array.isArray(layers)) return null;
  for (const layer of layers as unknown[]) {
    const layerConfig = isObject(layer) ? layer['config'] : undefined;
    const shape = isObject(layerConfig) ? layerConfig['batch_input_shape'] : undefined;
    if (Array.isArray(shape)) return shape as unknown[];
  }
  return null;
}

// ---------------------------------------------------------------------------
// Zip

let crcTable: Uint32Array | null = null;

/** CRC-32 (IEEE 802.3), as zip stores it. */
function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * CRC-32 per entry name from the zip's central directory (the last entry of
 * a name wins, as in fflate); null for a zip64 archive, whose sizes and
 * offsets live elsewhere (fflate never writes one; sizes are still checked).
 */
function centralDirectoryCrcs(bytes: Uint8Array): Map<string, number> | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stop = Math.max(0, bytes.length - 22 - 0xffff);
  let e = bytes.length - 22;
  while (e >= stop && view.getUint32(e, true) !== 0x06054b50) e--;
  const out = new Map<string, number>();
  if (e < stop) return out;
  const entries = view.getUint16(e + 8, true);
  let o = view.getUint32(e + 16, true);
  if (entries === 0xffff || o === 0xffffffff) return null;
  for (let i = 0; i < entries; i++) {
    if (o + 46 > bytes.length || view.getUint32(o, true) !== 0x02014b50) break;
    const nameLength = view.getUint16(o + 28, true);
    // Only short ASCII names matter here; longer ones are not bundle files.
    const name = nameLength <= 64 ? String.fromCharCode(...bytes.subarray(o + 46, Math.min(bytes.length, o + 46 + nameLength))) : '';
    out.set(name, view.getUint32(o + 16, true));
    o += 46 + nameLength + view.getUint16(o + 30, true) + view.getUint16(o + 32, true);
  }
  return out;
}

/** Thrown from fflate's filter to stop reading the directory early. */
class StopScan {}

const REQUIRED_FILES = [BUNDLE_FILES.manifest, BUNDLE_FILES.model, BUNDLE_FILES.weights] as const;

/**
 * Zips the model and manifest into a bundle. The model is saved with
 * `tf.io.withSaveHandler` as standard TF.js Layers files: `model.json`
 * (`{ modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights }],
 * format, generatedBy, convertedBy }`, no optimizer state) and `weights.bin`.
 * Adds `manifest.json` ({@link manifestToJson}) and `model-card.md`. The zip's
 * timestamps are `manifest.createdAt` so the same inputs give the same bytes.
 * Creates no lasting tensors; does not dispose the model. Throws (a bug) if
 * the manifest would not pass {@link parseManifest}.
 */
export async function writeBundle(input: { readonly model: tf.LayersModel; readonly manifest: BundleManifest; readonly modelCard: string }): Promise<Uint8Array> {
  const manifestJson = manifestToJson(input.manifest);
  const check = parseManifest(manifestJson);
  if (!check.ok) throw new Error(`writeBundle: the manifest is invalid (${check.reason.code} ${JSON.stringify(check.reason.params)})`);

  let saved: tf.io.ModelArtifacts | null = null;
  await input.model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const artifacts = saved as tf.io.ModelArtifacts | null;
  if (!artifacts?.modelTopology || artifacts.modelTopology instanceof ArrayBuffer) throw new Error('writeBundle: the model saved no JSON topology');
  const weights = new Uint8Array(artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  const modelJson = {
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [BUNDLE_FILES.weights], weights: artifacts.weightSpecs ?? [] }],
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js v${tf.version.tfjs}`,
    convertedBy: artifacts.convertedBy ?? null,
  };

  const encoder = new TextEncoder();
  const created = Date.parse(input.manifest.createdAt);
  const year = new Date(created).getUTCFullYear();
  // Zip (DOS) timestamps cover 1980–2099 only.
  const mtime = Number.isFinite(created) && year > 1980 && year < 2099 ? created : Date.UTC(1980, 1, 1);
  return zipSync(
    {
      [BUNDLE_FILES.model]: encoder.encode(JSON.stringify(modelJson)),
      [BUNDLE_FILES.weights]: weights,
      [BUNDLE_FILES.manifest]: encoder.encode(manifestJson),
      [BUNDLE_FILES.modelCard]: encoder.encode(input.modelCard),
    },
    { level: 6, mtime },
  );
}

/**
 * Reads a bundle without trusting it; never throws on bad input. In order:
 * - `notZip`: the bytes do not start with a zip signature;
 * - `tooLarge` ({declared, limit} bytes, or {files, maxFiles}): the zip
 *   directory declares more than {@link MAX_UNCOMPRESSED_BYTES} in total (or
 *   more than {@link MAX_BUNDLE_ENTRIES} entries): refused before anything is
 *   inflated;
 * - `missingFile` ({file}): manifest.json, model.json or weights.bin absent;
 * - `corrupt` ({file?, detail}): unreadable zip structure or deflate data,
 *   an inflated size or CRC-32 that differs from the directory, text that is
 *   not UTF-8, a model.json that is not a TF.js Layers model.json;
 * - `newerFormat` ({found, supported}) / `badManifest` ({field, detail}):
 *   see {@link parseManifest}; also `badManifest` {field: 'spec.features'}
 *   when the model's input shape disagrees with the feature list;
 * - `weightsMismatch` ({expected, found} bytes): weights.bin's length is not
 *   Σ product(shape) × bytes per value (4 for float32) over the weight specs.
 *
 * Inflation writes into buffers of the declared sizes (fflate never grows
 * them), so a directory that understates a size cannot exhaust memory: the
 * output is cut short and fails the CRC check. The returned artifacts hold
 * topology, weight specs and a copy of the weights (no training config).
 */
export function readBundle(bytes: Uint8Array): Result<{ manifest: BundleManifest; artifacts: tf.io.ModelArtifacts }, BundleError> {
  const signature = bytes.length >= 22 && bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));
  if (!signature) return fail({ code: 'notZip', params: {} });

  // Pass 1: the directory only. fflate calls the filter per entry before it
  // inflates that entry; returning false inflates nothing.
  let declared = 0;
  let entries = 0;
  const sizes = new Map<string, number>();
  const stop = new StopScan();
  try {
    unzipSync(bytes, {
      filter: (file) => {
        entries++;
        declared += file.originalSize;
        sizes.set(file.name, file.originalSize);
        if (declared > MAX_UNCOMPRESSED_BYTES || entries > MAX_BUNDLE_ENTRIES) throw stop;
        return false;
      },
    });
  } catch (e) {
    if (e !== stop) return fail({ code: 'corrupt', params: { detail: describe(e) } });
  }
  if (declared > MAX_UNCOMPRESSED_BYTES) return fail({ code: 'tooLarge', params: { declared, limit: MAX_UNCOMPRESSED_BYTES } });
  if (entries > MAX_BUNDLE_ENTRIES) return fail({ code: 'tooLarge', params: { files: entries, maxFiles: MAX_BUNDLE_ENTRIES } });
  for (const file of REQUIRED_FILES) if (!sizes.has(file)) return fail({ code: 'missingFile', params: { file } });

  // Pass 2: inflate the three files we need.
  const needed = new Set<string>(REQUIRED_FILES);
  let inflating = '';
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (file) => {
        inflating = file.name;
        return needed.has(file.name);
      },
    });
  } catch (e) {
    // fflate inflates each file right after the filter accepts it: `inflating` names the bad one.
    return fail({ code: 'corrupt', params: { file: inflating, detail: describe(e) } });
  }
  const crcs = centralDirectoryCrcs(bytes);
  for (const file of REQUIRED_FILES) {
    const data = files[file];
    if (!data || data.length !== sizes.get(file)) return fail({ code: 'corrupt', params: { file, detail: 'size differs from the zip directory' } });
    const crc = crcs?.get(file);
    if (crcs && (crc === undefined || crc32(data) !== crc)) return fail({ code: 'corrupt', params: { file, detail: 'checksum mismatch' } });
  }

  const decoder = new TextDecoder('utf-8', { fatal: true });
  const text = (file: string): string | null => {
    try {
      return decoder.decode(files[file]);
    } catch {
      return null;
    }
  };
  const manifestText = text(BUNDLE_FILES.manifest);
  if (manifestText === null) return fail({ code: 'corrupt', params: { file: BUNDLE_FILES.manifest, detail: 'not UTF-8 text' } });
  const parsed = parseManifest(manifestText);
  if (!parsed.ok) return parsed;
  const manifest = parsed.data;

  const modelText = text(BUNDLE_FILES.model);
  if (modelText === null) return fail({ code: 'corrupt', params: { file: BUNDLE_FILES.model, detail: 'not UTF-8 text' } });
  let modelJson: ModelJson;
  try {
    modelJson = modelJsonDecoder(JSON.parse(modelText) as unknown, '');
  } catch (e) {
    const detail = e instanceof FieldError ? `${e.field}: ${e.detail}` : 'not JSON';
    return fail({ code: 'corrupt', params: { file: BUNDLE_FILES.model, detail } });
  }
  const paths = modelJson.weightsManifest.flatMap((g) => g.paths);
  if (paths.length !== 1 || paths[0] !== BUNDLE_FILES.weights) return fail({ code: 'corrupt', params: { file: BUNDLE_FILES.model, detail: 'weightsManifest must name weights.bin once' } });
  const weightSpecs = modelJson.weightsManifest.flatMap((g) => g.weights);
  let expected = 0;
  for (const w of weightSpecs) {
    const size = bytesPerValue(w);
    if (size === null) return fail({ code: 'corrupt', params: { file: BUNDLE_FILES.model, detail: `unsupported weight type ${w.dtype}` } });
    expected += w.shape.reduce((a, b) => a * b, 1) * size;
  }
  const weights = files[BUNDLE_FILES.weights]!;
  if (weights.length !== expected) return fail({ code: 'weightsMismatch', params: { expected, found: weights.length } });

  const shape = declaredInputShape(modelJson.modelTopology);
  if (shape && shape.length === 3 && (shape[1] !== manifest.spec.windowLength || shape[2] !== manifest.spec.features.length)) {
    return fail({ code: 'badManifest', params: { field: 'spec.features', detail: `the model takes ${String(shape[1])} steps × ${String(shape[2])} features; the manifest lists ${manifest.spec.windowLength} × ${manifest.spec.features.length}` } });
  }

  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: modelJson.modelTopology,
    weightSpecs,
    weightData: weights.slice().buffer,
    ...(modelJson.format !== undefined ? { format: modelJson.format } : {}),
    ...(modelJson.generatedBy !== undefined ? { generatedBy: modelJson.generatedBy } : {}),
    ...(modelJson.convertedBy !== undefined ? { convertedBy: modelJson.convertedBy } : {}),
  };
  return ok({ manifest, artifacts });
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Builds the Layers model from {@link readBundle}'s artifacts (weights
 * created as tensors: the caller owns the model and must `dispose()` it).
 * The model is not compiled. Rejects if tf.js cannot deserialise the topology.
 */
export async function loadBundleModel(artifacts: tf.io.ModelArtifacts): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

// ---------------------------------------------------------------------------
// Model card

const MODEL_LABELS: Record<ModelName, string> = { lstm: 'LSTM (this model)', naive: 'Naive (last value)', seasonal_naive: 'Seasonal naive', linear: 'Linear (ridge)' };

/** Markdown-safe text: escapes markup characters, folds line breaks. */
function md(text: string): string {
  return text.replace(/[\\`*_[\]<>|#]/g, '\\$&').replace(/[\r\n]+/g, ' ');
}

function fmt(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return '—';
  return Math.abs(n) >= 1000 ? n.toFixed(0) : Number(n.toPrecision(digits)).toString();
}

const pct = (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(1)} %` : '—');

function dayText(day: number, crossSection: boolean): string {
  if (!Number.isFinite(day)) return '—';
  if (crossSection) return `row ${day}`;
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

function stepWord(periodDays: number): string {
  if (periodDays === 1) return 'daily';
  if (periodDays === 7) return 'weekly';
  if (periodDays >= 28 && periodDays <= 31) return 'monthly';
  return `every ${periodDays} days`;
}

function rangeText(range: LeverRange | undefined): string {
  if (!range) return 'not seen in training';
  return range.kind === 'numeric' ? `${fmt(range.min)} to ${fmt(range.max)}` : range.values.map(md).join(', ') || 'no values';
}

/**
 * A short markdown model card: data (target, levers, covariates, series,
 * period), test metrics of the model and the baselines as a table, settings,
 * intended use and limits (extrapolation beyond the training lever ranges,
 * the 90 % interval's test coverage, no causal claims). Column names are
 * escaped so data cannot inject markup.
 */
export function modelCard(manifest: BundleManifest): string {
  const { spec, dataset, evaluation, trainingSettings: s } = manifest;
  const binary = spec.target.kind === 'binary';
  const names = (list: readonly string[]) => (list.length > 0 ? list.map(md).join(', ') : 'none');
  const lines: string[] = [];
  lines.push(`# Model card: ${md(manifest.name)}`, '');
  lines.push(`Made with Promocast on ${md(manifest.createdAt)} (bundle format ${manifest.formatVersion}, tf.js backend ${md(manifest.backend)}). Schema fingerprint \`${manifest.schemaFingerprint.replace(/`/g, '')}\`.`, '');

  lines.push('## Data', '');
  lines.push(`- Target: ${md(spec.target.column)} (${spec.target.kind}, modelled as ${spec.target.transform}).`);
  lines.push(`- Levers: ${names(spec.levers)}.`);
  lines.push(`- Covariates: ${names(spec.covariates)}.`);
  lines.push(`- Series: ${manifest.history.length}${spec.seriesColumns.length > 0 ? ` (one per ${names(spec.seriesColumns)})` : ''}.`);
  if (spec.crossSection) {
    lines.push('- Period: a cross-section (no time order); rows split at random into training, validation and test.');
  } else {
    lines.push(`- Period: ${dayText(dataset.firstTime, false)} to ${dayText(dataset.lastTime, false)}, ${stepWord(spec.periodDays)} steps.`);
    lines.push(`- Split by time: training before ${dayText(dataset.trainEnd, false)}, validation before ${dayText(dataset.validEnd, false)}, test after.`);
  }
  lines.push(`- Inputs: ${spec.features.length} features per step over a window of ${spec.windowLength} steps.`, '');

  lines.push(`## Accuracy on the test period (${evaluation.testCount} forecasts, one step ahead)`, '');
  if (binary) {
    lines.push('| Model | ROC AUC | Accuracy | F1 | MAE |', '|---|---|---|---|---|');
    for (const m of manifest.metrics) {
      const c = m.classification;
      lines.push(`| ${MODEL_LABELS[m.model]} | ${fmt(c?.rocAuc ?? NaN)} | ${pct(c?.accuracy ?? NaN)} | ${fmt(c?.f1 ?? NaN)} | ${fmt(m.regression.mae)} |`);
    }
  } else {
    lines.push('| Model | WAPE | MAE | RMSE | R² |', '|---|---|---|---|---|');
    for (const m of manifest.metrics) lines.push(`| ${MODEL_LABELS[m.model]} | ${pct(m.regression.wape)} | ${fmt(m.regression.mae)} | ${fmt(m.regression.rmse)} | ${fmt(m.regression.r2)} |`);
  }
  lines.push('');

  lines.push('## Settings', '');
  lines.push(
    `- ${s.layers} LSTM layer${s.layers === 1 ? '' : 's'} of ${s.units} units, dropout ${s.dropout}, window ${s.windowLength} steps.`,
    `- Adam, learning rate ${s.learningRate}, batch ${s.batchSize}, up to ${s.epochs} epochs${s.patience > 0 ? `, early stopping after ${s.patience} epochs without improvement` : ''}, seed ${s.seed}.`,
  );
  const o = manifest.trainingOutcome;
  if (o) lines.push(`- Trained ${o.epochsRun} epochs; kept the weights of epoch ${o.bestEpoch} (validation loss ${fmt(o.bestValidLoss, 4)}).`);
  lines.push('');

  lines.push('## Intended use', '');
  lines.push(
    `Forecasting ${md(spec.target.column)} for the series above under planned promotions, up to ${spec.horizonMax} step${spec.horizonMax === 1 ? '' : 's'} ahead, and comparing plans (what-if) with lever values inside the ranges seen in training. Use it with data that has the same columns, roles and types.`,
    '',
  );

  lines.push('## Limits', '');
  const ranges = spec.levers.map((l) => `${md(l)}: ${rangeText(dataset.leverRanges[l])}`);
  lines.push(`- Extrapolation: the model only saw these lever values in training (${ranges.length > 0 ? ranges.join('; ') : 'no levers'}). Outside them, and for categories it never saw, forecasts are extrapolations and may be far off.`);
  lines.push(
    binary || !Number.isFinite(evaluation.coverage90)
      ? '- Uncertainty: no 90 % interval (yes/no target or too little validation data).'
      : `- Uncertainty: the 90 % interval covered ${pct(evaluation.coverage90)} of test actuals (90 % is the aim); coverage on new periods may be lower.`,
  );
  lines.push('- No causal claims: the model learns associations in past data. Promotions that were chosen because sales were expected to rise can look more effective than they are; confirm important decisions with a controlled test.');
  lines.push('- Accuracy was measured one step ahead; longer plans are less accurate, and it degrades as the data drifts from the training period.');
  lines.push('');
  return lines.join('\n');
}
