import type { Panel, PanelColumn } from '../data/panel';
import { DEFAULT_MARGIN, targetMeaning } from '../data/kpiContext';
import { fillMethodFor, type FillMethod } from '../data/quality';
import type { ColumnSummary } from '../data/types';
import { mulberry32 } from '../lib/random';
import { fail, ok, type Result } from '../lib/result';
import type { Dataset, FeatureSource, FeatureSpec, LeverRange, Scaler, SeriesGrid, SplitName, TargetKind, TargetTransform, Windows } from './types';

/** Rates are clipped to [RATE_EPS, 1 − RATE_EPS] before the logit. */
export const RATE_EPS = 1e-4;
/** Share of dates (time-ordered) in the test and validation periods. */
export const TEST_SHARE = 0.2;
export const VALIDATION_SHARE = 0.1;

export interface DatasetOptions {
  /** Steps per window (the LSTM's sequence length); 1 is forced for a cross-section. */
  readonly windowLength: number;
  /** Longest plan horizon trained for, in steps (what-if plans are up to 28 days). */
  readonly horizonMax?: number;
  /** Steps of target history averaged into the `level` feature. */
  readonly levelSteps?: number;
  /** Seed of the cross-section's random split. */
  readonly seed?: number;
  /**
   * Encode with a trained model's spec and split instead of fitting new ones
   * (Update with new data): the same features, scalers, vocabularies and
   * target transform, so the model's weights still apply.
   */
  readonly reuse?: { readonly spec: FeatureSpec; readonly trainEnd: number; readonly validEnd: number };
}

/** Why a data set cannot be built; `params` fill the catalog message. */
export interface DatasetError {
  readonly code: 'noTarget' | 'targetNotNumeric' | 'tooFewTargets' | 'constantTarget';
  readonly params: Readonly<Record<string, string | number>>;
}

const TARGET_RATE_WORDS = ['rate', 'ratio', 'cvr', 'ctr', 'share', 'pct', 'percent', '率'];
const TARGET_MONEY_WORDS = ['revenue', 'sales', 'spend', 'gmv', 'amount', 'value', 'price', 'income', '销售', '金额', '收入'];

/** Ends of the train and validation periods as positions in a sorted list. */
function splitPoints(sortedKeys: ArrayLike<number>): { trainEnd: number; validEnd: number } {
  const n = sortedKeys.length;
  const testStart = Math.max(1, Math.floor(n * (1 - TEST_SHARE)));
  const validStart = Math.max(1, Math.floor(n * (1 - TEST_SHARE - VALIDATION_SHARE)));
  return { trainEnd: sortedKeys[validStart] ?? Infinity, validEnd: sortedKeys[testStart] ?? Infinity };
}

/**
 * What kind of number the target is, and the transform that makes it
 * model-friendly: rates through a logit, counts and money through log1p,
 * yes/no targets untouched (sigmoid head), anything with negatives as is.
 */
export function targetKind(summary: ColumnSummary | undefined, values: Float64Array): { kind: TargetKind; transform: TargetTransform } {
  let min = Infinity;
  let max = -Infinity;
  let integral = true;
  let onlyBinary = true;
  for (const v of values) {
    if (v !== v) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    if (!Number.isInteger(v)) integral = false;
    if (v !== 0 && v !== 1) onlyBinary = false;
  }
  const name = (summary?.name ?? '').toLowerCase();
  if (summary?.type === 'boolean' || (onlyBinary && min === 0 && max === 1)) return { kind: 'binary', transform: 'identity' };
  if (min < 0) return { kind: 'real', transform: 'identity' };
  if (summary?.type === 'percent' || (max <= 1 && (!integral || TARGET_RATE_WORDS.some((w) => name.includes(w))))) {
    return { kind: 'rate', transform: 'logit' };
  }
  if (summary?.type === 'currency' || TARGET_MONEY_WORDS.some((w) => name.includes(w))) return { kind: 'money', transform: 'log1p' };
  if (integral) return { kind: 'count', transform: 'log1p' };
  return { kind: 'money', transform: 'log1p' };
}

/** Original units → transformed (before standardising). */
export function transformTarget(transform: TargetTransform, v: number): number {
  switch (transform) {
    case 'logit': {
      const p = Math.min(1 - RATE_EPS, Math.max(RATE_EPS, v));
      return Math.log(p / (1 - p));
    }
    case 'log1p':
      return Math.log1p(Math.max(0, v));
    case 'identity':
      return v;
  }
}

/** Transformed → original units. */
export function inverseTransformTarget(transform: TargetTransform, z: number): number {
  switch (transform) {
    case 'logit':
      return 1 / (1 + Math.exp(-z));
    case 'log1p':
      return Math.expm1(z);
    case 'identity':
      return z;
  }
}

/** Model space (standardised, transformed) → original units. */
export function fromModelSpace(spec: FeatureSpec, m: number): number {
  if (spec.target.kind === 'binary') return m;
  return inverseTransformTarget(spec.target.transform, m * spec.target.std + spec.target.mean);
}

/** Original units → model space. */
export function toModelSpace(spec: FeatureSpec, v: number): number {
  if (spec.target.kind === 'binary') return v;
  return (transformTarget(spec.target.transform, v) - spec.target.mean) / spec.target.std;
}

function dayOfWeek(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

function dayOfYear(day: number): number {
  const date = new Date(day * 86_400_000);
  return (Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Month of a day number, 0 = January (UTC). */
export function monthOfDay(day: number): number {
  return new Date(day * 86_400_000).getUTCMonth();
}

/** An event flag (holiday, campaign day) is 1 on at most this share of the training rows. */
export const EVENT_MAX_SHARE = 0.1;

/**
 * The months in which a 0/1 covariate marks an event in the training rows,
 * or null when the column is not a rare 0/1 flag (only 0 and 1, and 1 on at
 * most {@link EVENT_MAX_SHARE} of the rows with a value). Each month becomes
 * a feature, so the model can tell one holiday from another (Double 11 lifts
 * conversion far more than National Day; one is_holiday column says only
 * "a holiday").
 */
export function eventMonths(values: Float64Array, times: Float64Array, isTrainRow: (row: number) => boolean): number[] | null {
  let known = 0;
  let ones = 0;
  const months = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v || !isTrainRow(i)) continue;
    if (v !== 0 && v !== 1) return null;
    known++;
    if (v === 1) {
      ones++;
      months.add(monthOfDay(times[i]!));
    }
  }
  if (ones === 0 || ones > EVENT_MAX_SHARE * known) return null;
  return [...months].sort((a, b) => a - b);
}

/** Calendar features of a day number, in [-1, 1]. */
export function calendarValue(part: 'dowSin' | 'dowCos' | 'doySin' | 'doyCos', day: number): number {
  switch (part) {
    case 'dowSin':
      return Math.sin((2 * Math.PI * dayOfWeek(day)) / 7);
    case 'dowCos':
      return Math.cos((2 * Math.PI * dayOfWeek(day)) / 7);
    case 'doySin':
      return Math.sin((2 * Math.PI * dayOfYear(day)) / 365.25);
    case 'doyCos':
      return Math.cos((2 * Math.PI * dayOfYear(day)) / 365.25);
  }
}

/** Index of each panel row on its series' regular time grid. */
function gridIndex(day: number, first: number, periodDays: number): number {
  if (periodDays >= 28) {
    const a = new Date(first * 86_400_000);
    const b = new Date(day * 86_400_000);
    return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  }
  return Math.round((day - first) / periodDays);
}

/** Day number of grid step `k` after `first`. */
function gridDay(first: number, k: number, periodDays: number): number {
  if (periodDays >= 28) {
    const a = new Date(first * 86_400_000);
    return Date.UTC(a.getUTCFullYear(), a.getUTCMonth() + k, a.getUTCDate()) / 86_400_000;
  }
  return first + k * periodDays;
}

interface InputColumn {
  readonly column: PanelColumn;
  readonly fill: FillMethod;
  readonly categorical: boolean;
}

/** Per-column statistics over training rows: mean, std, median. */
function fitScaler(values: Float64Array, isTrain: (row: number) => boolean): Scaler {
  const kept: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v && isTrain(i)) kept.push(v);
  }
  if (kept.length === 0) return { mean: 0, std: 1, median: 0 };
  kept.sort((a, b) => a - b);
  let sum = 0;
  for (const v of kept) sum += v;
  const mean = sum / kept.length;
  let ss = 0;
  for (const v of kept) ss += (v - mean) ** 2;
  const std = Math.sqrt(ss / kept.length);
  return { mean, std: std > 1e-12 ? std : 1, median: kept[Math.floor(kept.length / 2)]! };
}

const NONE_LIKE = /^(none|no|no promotion|no_promo|no promo|0|false|无|无促销|否)$/i;

/** Whether a category value means "no promotion". */
export function isNoneLike(value: string): boolean {
  return NONE_LIKE.test(value.trim());
}

/**
 * A lever's "no promotion" value in one series: a none-like category (else
 * the most frequent), 0 for levers whose missing value means none (spend,
 * discount), else the series' training median.
 */
function noPromotionValue(input: InputColumn, start: number, end: number, isTrain: (row: number) => boolean): RawValue {
  const { column } = input;
  if (input.categorical) {
    const noneLike = column.vocab!.find((v) => isNoneLike(v));
    if (noneLike !== undefined) return noneLike;
    const counts = new Map<number, number>();
    for (let r = start; r < end; r++) {
      const code = column.values[r]!;
      if (code === code && isTrain(r)) counts.set(code, (counts.get(code) ?? 0) + 1);
    }
    let best = -1;
    let bestCount = -1;
    for (const [code, count] of counts) if (count > bestCount) [best, bestCount] = [code, count];
    return best >= 0 ? (column.vocab![best] ?? null) : null;
  }
  if (input.fill === 'zero') return 0;
  const values: number[] = [];
  for (let r = start; r < end; r++) {
    const v = column.values[r]!;
    if (v === v && isTrain(r)) values.push(v);
  }
  values.sort((a, b) => a - b);
  return values.length > 0 ? values[Math.floor(values.length / 2)]! : null;
}

/** A lever or covariate value as the analyst sees it: a number in the column's units, a category, or missing. */
export type RawValue = number | string | null;

/**
 * Writes the exogenous features of one time step into `out[offset ..
 * offset + spec.exogCount)`: numeric levers/covariates standardised (a
 * missing value filled as the column's fill method says: 0 or the training
 * median; forward-filling is the caller's job), categories one-hot, calendar
 * sin/cos of `day`, and the series one-hot of `keys`. The same code encodes
 * history and what-if plans.
 */
export function encodeStep(spec: FeatureSpec, keys: readonly string[], day: number, value: (column: string) => RawValue, out: Float32Array, offset: number): void {
  let month = -1; // the day's month, worked out on the first event-month feature
  for (let k = 0; k < spec.exogCount; k++) {
    const source = spec.features[k]!.source;
    let v = 0;
    switch (source.kind) {
      case 'numeric': {
        const scaler = spec.scalers[source.column]!;
        let raw = value(source.column);
        if (typeof raw !== 'number' || raw !== raw) raw = spec.fills[source.column] === 'zero' ? 0 : scaler.median;
        v = (raw - scaler.mean) / scaler.std;
        break;
      }
      case 'onehot':
        v = value(source.column) === source.value ? 1 : 0;
        break;
      case 'calendar':
        v = calendarValue(source.part, day);
        break;
      case 'static':
        v = keys[spec.seriesColumns.indexOf(source.column)] === source.value ? 1 : 0;
        break;
      case 'eventMonth':
        if (month < 0) month = monthOfDay(day);
        v = value(source.column) === 1 && month === source.month ? 1 : 0;
        break;
      default:
        break;
    }
    out[offset + k] = v;
  }
}

/**
 * Builds the windowable data set from the panel: one regular time grid per
 * series (gaps become missing steps), exogenous features per step (levers and
 * covariates standardised or one-hot, calendar sin/cos, series one-hot), and
 * the target in original and model space. Scalers and vocabularies are fitted
 * on the training period only (dates before the last 30 %).
 */
export function buildDataset(panel: Panel, summaries: readonly ColumnSummary[], options: DatasetOptions): Result<Dataset, DatasetError> {
  const targetName = panel.targetColumn;
  if (targetName === null) return fail({ code: 'noTarget', params: {} });
  const targetCol = panel.columns.find((c) => c.name === targetName);
  if (!targetCol || targetCol.vocab !== undefined) return fail({ code: 'targetNotNumeric', params: { column: targetName } });
  const summaryOf = (name: string) => summaries.find((s) => s.name === name);
  const crossSection = panel.crossSection || panel.times === null;
  const windowLength = crossSection ? 1 : Math.max(1, Math.round(options.windowLength));
  const horizonMax = crossSection ? 1 : Math.max(1, options.horizonMax ?? 28);
  const levelSteps = options.levelSteps ?? 28;
  const n = panel.rowCount;

  // Time split: last 20 % of distinct dates test, 10 % before validation.
  let trainEnd: number;
  let validEnd: number;
  let splitKey: Float64Array;
  if (!crossSection) {
    const times = panel.times as Float64Array;
    const distinct = Array.from(new Set(times)).filter((d) => d === d).sort((a, b) => a - b);
    ({ trainEnd, validEnd } = options.reuse ?? splitPoints(distinct));
    splitKey = times;
  } else {
    // A cross-section has no time: a seeded shuffle decides the split.
    splitKey = new Float64Array(n);
    const random = mulberry32(options.seed ?? 42);
    for (let i = 0; i < n; i++) splitKey[i] = random();
    trainEnd = 1 - TEST_SHARE - VALIDATION_SHARE;
    validEnd = 1 - TEST_SHARE;
  }
  const isTrainRow = (row: number) => splitKey[row]! < trainEnd;

  const targetRaw = targetCol.values;
  let finiteTargets = 0;
  for (const v of targetRaw) if (v === v) finiteTargets++;
  if (finiteTargets < 30) return fail({ code: 'tooFewTargets', params: { column: targetName, count: finiteTargets } });
  const { kind, transform } = options.reuse ? options.reuse.spec.target : targetKind(summaryOf(targetName), targetRaw);
  const targetTransformed = new Float64Array(n);
  for (let i = 0; i < n; i++) targetTransformed[i] = targetRaw[i]! === targetRaw[i]! ? transformTarget(transform, targetRaw[i]!) : NaN;
  const reused = options.reuse?.spec;
  const targetScaler = reused ? { mean: reused.target.mean, std: reused.target.std, median: 0 } : kind === 'binary' ? { mean: 0, std: 1, median: 0 } : fitScaler(targetTransformed, isTrainRow);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of targetRaw) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi > lo)) return fail({ code: 'constantTarget', params: { column: targetName } });

  // Inputs: levers and covariates (series keys become static one-hot).
  const hasTime = !crossSection;
  const inputs: InputColumn[] = [];
  for (const column of panel.columns) {
    if (column.role !== 'lever' && column.role !== 'covariate') continue;
    if (column.type === 'date' || column.type === 'id' || column.type === 'text' || column.type === 'empty') continue;
    const summary = summaryOf(column.name);
    if (!summary) continue;
    inputs.push({ column, fill: fillMethodFor(summary, column.role, hasTime), categorical: column.vocab !== undefined });
  }
  const seriesCols = crossSection ? [] : panel.columns.filter((c) => c.role === 'series');

  const scalers: Record<string, Scaler> = {};
  const vocabularies: Record<string, string[]> = {};
  const features: { name: string; source: FeatureSource }[] = [];
  for (const input of inputs) {
    const { column } = input;
    if (input.categorical) {
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) {
        const code = column.values[i]!;
        if (code === code && code >= 0 && isTrainRow(i)) seen.add(code);
      }
      const vocab = Array.from(seen, (code) => column.vocab![code] ?? '').sort();
      vocabularies[column.name] = vocab;
      for (const value of vocab) features.push({ name: `${column.name}=${value}`, source: { kind: 'onehot', column: column.name, value } });
    } else {
      scalers[column.name] = fitScaler(column.values, isTrainRow);
      features.push({ name: column.name, source: { kind: 'numeric', column: column.name } });
    }
  }
  const periodDays = crossSection ? 0 : Math.max(1, panel.frequency.periodDays);
  if (hasTime) {
    if (periodDays === 1) {
      features.push({ name: 'day of week (sin)', source: { kind: 'calendar', part: 'dowSin' } });
      features.push({ name: 'day of week (cos)', source: { kind: 'calendar', part: 'dowCos' } });
    }
    if (periodDays < 365) {
      features.push({ name: 'day of year (sin)', source: { kind: 'calendar', part: 'doySin' } });
      features.push({ name: 'day of year (cos)', source: { kind: 'calendar', part: 'doyCos' } });
    }
  }
  if (hasTime) {
    for (const input of inputs) {
      if (input.categorical || input.column.role !== 'covariate') continue;
      const months = eventMonths(input.column.values, panel.times as Float64Array, isTrainRow);
      for (const month of months ?? []) features.push({ name: `${input.column.name} in ${MONTH_NAMES[month]}`, source: { kind: 'eventMonth', column: input.column.name, month } });
    }
  }
  for (const column of seriesCols) {
    const values = new Set<string>();
    for (const s of panel.series) values.add(s.keys[panel.seriesColumns.indexOf(column.name)] ?? '');
    const vocab = Array.from(values).sort();
    vocabularies[column.name] = vocab;
    // One key value per series: a one-hot of a 1-value column carries nothing.
    if (vocab.length > 1) for (const value of vocab) features.push({ name: `${column.name}=${value}`, source: { kind: 'static', column: column.name, value } });
  }
  const exogCount = reused?.exogCount ?? features.length;
  if (hasTime) {
    features.push({ name: `${targetName} (observed)`, source: { kind: 'targetLag' } });
    features.push({ name: `${targetName} (not yet observed)`, source: { kind: 'targetMask' } });
    features.push({ name: `${targetName} (recent level)`, source: { kind: 'level' } });
  }

  const spec: FeatureSpec = reused ?? {
    windowLength,
    horizonMax,
    crossSection,
    timeColumn: panel.timeColumn,
    seriesColumns: panel.seriesColumns,
    target: { column: targetName, kind, transform, mean: targetScaler.mean, std: targetScaler.std },
    levers: inputs.filter((i) => i.column.role === 'lever').map((i) => i.column.name),
    covariates: inputs.filter((i) => i.column.role === 'covariate').map((i) => i.column.name),
    features,
    scalers,
    vocabularies,
    periodDays,
    seasonalPeriod: crossSection ? 0 : panel.frequency.seasonalPeriod,
    levelSteps,
    exogCount,
    fills: Object.fromEntries(inputs.map((i) => [i.column.name, i.fill])),
  };

  // One grid per series.
  const series: SeriesGrid[] = [];
  const inputIndex = new Map(inputs.map((input, j) => [input.column.name, j]));
  for (const s of panel.series) {
    const rows = s.end - s.start;
    if (rows <= 0) continue;
    let steps: number;
    const stepOfRow = new Int32Array(rows);
    let first = 0;
    if (crossSection) {
      steps = rows;
      for (let r = 0; r < rows; r++) stepOfRow[r] = r;
    } else {
      const times = panel.times as Float64Array;
      first = times[s.start]!;
      const irregular = panel.frequency.frequency === 'irregular';
      for (let r = 0; r < rows; r++) stepOfRow[r] = irregular ? r : gridIndex(times[s.start + r]!, first, periodDays);
      steps = stepOfRow[rows - 1]! + 1;
    }
    const rowAt = new Int32Array(steps).fill(-1);
    for (let r = 0; r < rows; r++) rowAt[stepOfRow[r]!] = s.start + r;
    const gridTimes = new Float64Array(steps);
    const target = new Float64Array(steps).fill(NaN);
    const targetModel = new Float32Array(steps).fill(NaN);
    const exog = new Float32Array(steps * exogCount);
    const lastSeen = new Float64Array(inputs.length).fill(NaN);
    const stepValues: RawValue[] = new Array<RawValue>(inputs.length).fill(null);
    const valueOf = (column: string): RawValue => stepValues[inputIndex.get(column) ?? -1] ?? null;
    for (let k = 0; k < steps; k++) {
      const row = rowAt[k]!;
      const day = crossSection ? k : row >= 0 ? (panel.times as Float64Array)[row]! : gridDay(first, k, periodDays);
      gridTimes[k] = crossSection ? splitKey[row]! : day;
      if (row >= 0) {
        const v = targetRaw[row]!;
        target[k] = v;
        const tv = targetTransformed[row]!;
        targetModel[k] = tv === tv ? (kind === 'binary' ? tv : (tv - targetScaler.mean) / targetScaler.std) : NaN;
      }
      inputs.forEach((input, j) => {
        let raw = row >= 0 ? input.column.values[row]! : NaN;
        if (raw === raw) lastSeen[j] = raw;
        else if (input.fill === 'forward-fill within series') raw = lastSeen[j]!;
        stepValues[j] = input.categorical ? (raw === raw ? (input.column.vocab![raw] ?? null) : null) : raw;
      });
      encodeStep(spec, s.keys, day, valueOf, exog, k * exogCount);
    }
    series.push({ label: s.label, keys: s.keys, times: gridTimes, target, targetModel, exog });
  }
  const leverInputs = inputs.filter((i) => i.column.role === 'lever');
  const rangeOf = (input: InputColumn, rows: Iterable<number>): LeverRange => {
    if (input.categorical) {
      const seen = new Set<string>();
      for (const r of rows) {
        const code = input.column.values[r]!;
        if (code === code && isTrainRow(r)) seen.add(input.column.vocab![code] ?? '');
      }
      return { kind: 'category', values: Array.from(seen).sort() };
    }
    let min = Infinity;
    let max = -Infinity;
    for (const r of rows) {
      const v = input.column.values[r]!;
      if (v === v && isTrainRow(r)) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    return { kind: 'numeric', min, max };
  };
  const allRows = { [Symbol.iterator]: function* () { for (let r = 0; r < n; r++) yield r; } };
  const leverRanges = Object.fromEntries(leverInputs.map((i) => [i.column.name, rangeOf(i, allRows)]));
  const seriesLeverRanges: Record<string, LeverRange>[] = [];
  const noPromotion: Record<string, RawValue>[] = [];
  for (const s of panel.series) {
    if (s.end <= s.start) continue;
    const rows = { [Symbol.iterator]: function* () { for (let r = s.start; r < s.end; r++) yield r; } };
    seriesLeverRanges.push(Object.fromEntries(leverInputs.map((i) => [i.column.name, rangeOf(i, rows)])));
    noPromotion.push(Object.fromEntries(leverInputs.map((i) => [i.column.name, noPromotionValue(i, s.start, s.end, isTrainRow)])));
  }
  const typicalLevers: Record<string, Record<string, Record<string, number>>> = {};
  const leverSupport: Record<string, Record<string, Record<string, { min: number; max: number }>>> = {};
  for (const cat of leverInputs.filter((i) => i.categorical)) {
    const byValue: Record<string, Record<string, number>> = {};
    const supportByValue: Record<string, Record<string, { min: number; max: number }>> = {};
    for (const value of (leverRanges[cat.column.name] as { values: readonly string[] }).values) {
      const code = cat.column.vocab!.indexOf(value);
      const companions: Record<string, number> = {};
      const support: Record<string, { min: number; max: number }> = {};
      for (const num of leverInputs.filter((i) => !i.categorical)) {
        const values: number[] = [];
        for (let r = 0; r < n; r++) {
          const v = num.column.values[r]!;
          if (cat.column.values[r] === code && v === v && isTrainRow(r)) values.push(v);
        }
        values.sort((a, b) => a - b);
        if (values.length > 0) {
          companions[num.column.name] = values[Math.floor(values.length / 2)]!;
          support[num.column.name] = { min: values[0]!, max: values[values.length - 1]! };
        }
      }
      byValue[value] = companions;
      supportByValue[value] = support;
    }
    typicalLevers[cat.column.name] = byValue;
    leverSupport[cat.column.name] = supportByValue;
  }
  const kpi = series.map(() => ({ visitorsPerDay: null, averageOrderValue: null, unitsPerOrder: null, margin: DEFAULT_MARGIN }));
  return ok({ spec, exogCount, series, trainEnd, validEnd, leverRanges, seriesLeverRanges, noPromotion, typicalLevers, leverSupport, targetMeaning: targetMeaning(targetName, kind), kpi });
}

/** Which split a step belongs to, by its time key. */
export function splitOf(dataset: Dataset, time: number): SplitName {
  return time < dataset.trainEnd ? 'train' : time < dataset.validEnd ? 'validation' : 'test';
}

export interface WindowOptions {
  readonly split: SplitName;
  /**
   * Steps between the last observed target and the target: a number, or
   * 'mixed' (training: every target twice, at horizon 1 and at a random horizon in 2..horizonMax).
   */
  readonly horizon: number | 'mixed';
  readonly seed?: number;
}

/** Writes one window ending at `step` with targets observed up to `origin` into `x` at `offset`. */
export function fillWindow(dataset: Dataset, grid: SeriesGrid, step: number, origin: number, x: Float32Array, offset: number): void {
  const { spec, exogCount } = dataset;
  const L = spec.windowLength;
  const F = spec.features.length;
  const hasTarget = F > exogCount;
  let level = 0;
  if (hasTarget) {
    let sum = 0;
    let count = 0;
    for (let u = Math.max(0, origin - spec.levelSteps + 1); u <= origin; u++) {
      const v = grid.targetModel[u]!;
      if (v === v) {
        sum += v;
        count++;
      }
    }
    level = count > 0 ? sum / count : 0;
  }
  for (let s = 0; s < L; s++) {
    const u = step - L + 1 + s;
    const at = offset + s * F;
    if (u < 0) {
      x.fill(0, at, at + F);
      if (hasTarget) x[at + exogCount + 1] = 1;
      continue;
    }
    x.set(grid.exog.subarray(u * exogCount, (u + 1) * exogCount), at);
    if (hasTarget) {
      const v = u <= origin ? grid.targetModel[u]! : NaN;
      x[at + exogCount] = v === v ? v : 0;
      x[at + exogCount + 1] = v === v ? 0 : 1;
      x[at + exogCount + 2] = level;
    }
  }
}

/**
 * Cuts model-ready windows for one split: every step of every series whose
 * target is known and falls in the split. Inputs never reach past `origin`
 * (= step − horizon) for the target.
 */
export function makeWindows(dataset: Dataset, options: WindowOptions): Windows {
  const { spec } = dataset;
  const L = spec.windowLength;
  const F = spec.features.length;
  const picks: { series: number; step: number; horizon: number }[] = [];
  const random = mulberry32(options.seed ?? 7);
  dataset.series.forEach((grid, si) => {
    for (let t = 0; t < grid.times.length; t++) {
      if (!(grid.targetModel[t]! === grid.targetModel[t]!)) continue;
      if (splitOf(dataset, grid.times[t]!) !== options.split) continue;
      if (spec.crossSection) {
        picks.push({ series: si, step: t, horizon: 1 });
        continue;
      }
      if (options.horizon === 'mixed') {
        // Every target once one step ahead (the tested case) and once from a random longer horizon (plans).
        if (t >= 1) picks.push({ series: si, step: t, horizon: 1 });
        if (spec.horizonMax >= 2) {
          const h = 2 + Math.floor(random() * (spec.horizonMax - 1));
          if (t - h >= 0) picks.push({ series: si, step: t, horizon: h });
        }
        continue;
      }
      if (t - options.horizon >= 0) picks.push({ series: si, step: t, horizon: options.horizon });
    }
  });
  const count = picks.length;
  const x = new Float32Array(count * L * F);
  const y = new Float32Array(count);
  const actual = new Float64Array(count);
  const seriesIdx = new Int32Array(count);
  const stepIdx = new Int32Array(count);
  const horizon = new Int32Array(count);
  const naive = new Float64Array(count);
  const seasonalNaive = new Float64Array(count);
  let trainMean = 0;
  if (spec.crossSection) {
    let sum = 0;
    let m = 0;
    for (const g of dataset.series) {
      for (let t = 0; t < g.times.length; t++) {
        const v = g.target[t]!;
        if (v === v && splitOf(dataset, g.times[t]!) === 'train') {
          sum += v;
          m++;
        }
      }
    }
    trainMean = m > 0 ? sum / m : NaN;
  }
  picks.forEach((p, i) => {
    const grid = dataset.series[p.series]!;
    const origin = spec.crossSection ? -1 : p.step - p.horizon;
    if (spec.crossSection) x.set(grid.exog.subarray(p.step * dataset.exogCount, (p.step + 1) * dataset.exogCount), i * F);
    else fillWindow(dataset, grid, p.step, origin, x, i * L * F);
    y[i] = grid.targetModel[p.step]!;
    actual[i] = grid.target[p.step]!;
    seriesIdx[i] = p.series;
    stepIdx[i] = p.step;
    horizon[i] = p.horizon;
    if (spec.crossSection) {
      naive[i] = trainMean;
      seasonalNaive[i] = trainMean;
      return;
    }
    let last = NaN;
    for (let u = origin; u >= 0; u--) {
      const v = grid.target[u]!;
      if (v === v) {
        last = v;
        break;
      }
    }
    naive[i] = last;
    const back = p.step - spec.seasonalPeriod;
    const seasonal = spec.seasonalPeriod > 0 && back >= 0 && back <= origin ? grid.target[back]! : NaN;
    seasonalNaive[i] = seasonal === seasonal ? seasonal : last;
  });
  return { count, windowLength: L, featureCount: F, x, y, actual, series: seriesIdx, step: stepIdx, horizon, naive, seasonalNaive };
}
