/**
 * `predict`'s scenario file: one promotion plan per CSV row, checked against
 * the model bundle (series, levers, dates) and turned into the what-if's
 * {@link PlanSpec}s. Pure: text in, plans or a message out.
 *
 * Columns (see SCENARIO_HELP in ./args): `series` (or one column per series
 * key), `start`, `horizon`, optional `promo_start` and `promo_duration`, and
 * one column per lever. Anything else is refused, so a misspelt lever cannot
 * silently fall back to "no promotion".
 */
import Papa from 'papaparse';
import { dayNumberFromCivil, formatDayNumber } from '../../src/data/infer';
import type { BundleManifest } from '../../src/ml/bundle';
import type { RawValue } from '../../src/ml/features';
import type { LeverRange } from '../../src/ml/types';
import type { PlanSpec } from '../../src/ml/whatif';

/** Longest plan the what-if takes, in steps (as in the app). */
export const MAX_PLAN_STEPS = 28;

/** Columns with a fixed meaning; the others must be series keys or levers. */
export const SCENARIO_COLUMNS = { series: 'series', start: 'start', horizon: 'horizon', promoStart: 'promo_start', promoDuration: 'promo_duration' } as const;

/** One lever of the model, as a scenario may set it. */
export interface ScenarioLever {
  readonly name: string;
  /** Categories are matched against `values`; numbers are taken in the column's units. */
  readonly kind: 'numeric' | 'category';
  /** Known categories (category levers). */
  readonly values: readonly string[];
  /** A percent column: the data holds fractions, so "20%" reads as 0.2. */
  readonly percent: boolean;
}

/** One series of the model. */
export interface ScenarioSeries {
  readonly label: string;
  readonly keys: readonly string[];
  /** First and last day number of the history the bundle keeps. */
  readonly firstDay: number;
  readonly lastDay: number;
  /** Lever ranges this series saw in training (extrapolation warnings). */
  readonly ranges: Readonly<Record<string, LeverRange>>;
}

/** What the scenario check needs to know about a model. */
export interface ScenarioModel {
  readonly seriesColumns: readonly string[];
  readonly levers: readonly ScenarioLever[];
  readonly series: readonly ScenarioSeries[];
  /** Days per step (1 daily, 7 weekly, ≥ 28 monthly). */
  readonly periodDays: number;
  readonly windowLength: number;
  /** Longest horizon the model was trained for, in steps. */
  readonly horizonMax: number;
  /** Lever ranges over all series (used where a series has none). */
  readonly leverRanges: Readonly<Record<string, LeverRange>>;
}

/** The scenario view of a model bundle's manifest. */
export function scenarioModel(manifest: BundleManifest): ScenarioModel {
  const { spec, dataset } = manifest;
  const typeOf = new Map(manifest.columns.map((c) => [c.name, c.type]));
  return {
    seriesColumns: spec.seriesColumns,
    levers: spec.levers.map((name) => {
      const range = dataset.leverRanges[name];
      const vocab = spec.vocabularies[name];
      const category = vocab !== undefined || range?.kind === 'category';
      return { name, kind: category ? 'category' : 'numeric', values: vocab ?? (range?.kind === 'category' ? range.values : []), percent: typeOf.get(name) === 'percent' };
    }),
    series: manifest.history.map((h, k) => ({
      label: h.label,
      keys: h.keys,
      firstDay: h.times[0] ?? NaN,
      lastDay: h.times[h.times.length - 1] ?? NaN,
      ranges: dataset.seriesLeverRanges[k] ?? {},
    })),
    periodDays: spec.periodDays,
    windowLength: spec.windowLength,
    horizonMax: spec.horizonMax,
    leverRanges: dataset.leverRanges,
  };
}

/** One checked scenario row. */
export interface Scenario {
  /** Data row number in the file (1 = the first row after the header). */
  readonly row: number;
  readonly seriesIndex: number;
  readonly label: string;
  /** `start` as YYYY-MM-DD. */
  readonly start: string;
  readonly plan: PlanSpec;
}

export type ScenarioParse =
  | { readonly ok: true; readonly scenarios: readonly Scenario[]; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly message: string };

/** Steps from day `from` to day `to` on a grid of `periodDays` (calendar months from 28 days up), as the what-if counts them. */
export function stepsBetween(periodDays: number, from: number, to: number): number {
  const period = Math.max(1, periodDays);
  if (period >= 28) {
    const a = new Date(from * 86_400_000);
    const b = new Date(to * 86_400_000);
    return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  }
  return Math.round((to - from) / period);
}

/** A YYYY-MM-DD date as a day number; NaN when it is not one (or not a real date). */
export function parseIsoDay(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  return m ? dayNumberFromCivil(Number(m[1]), Number(m[2]), Number(m[3])) : NaN;
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i;
const YES = new Set(['true', 'yes', 'y']);
const NO = new Set(['false', 'no', 'n']);

/** A numeric lever cell: a plain number, `N%` (÷ 100), or yes/no (1/0); NaN otherwise. */
export function parseLeverNumber(text: string): number {
  const t = text.trim();
  const lower = t.toLowerCase();
  if (YES.has(lower)) return 1;
  if (NO.has(lower)) return 0;
  if (t.endsWith('%')) {
    const body = t.slice(0, -1).trim();
    return NUMBER.test(body) ? Number(body) / 100 : NaN;
  }
  return NUMBER.test(t) ? Number(t) : NaN;
}

function quoteList(values: readonly string[], max = 8): string {
  const shown = values.slice(0, max).map((v) => `"${v}"`);
  return values.length > max ? `${shown.join(', ')} and ${values.length - max} more` : shown.join(', ');
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4))));

/** A series label typed loosely: parts split on `/`, trimmed, lower-cased. */
const looseLabel = (text: string) =>
  text
    .split('/')
    .map((p) => p.trim().toLowerCase())
    .join(' / ');

/**
 * Reads and checks a scenario file. Every problem is a message naming the
 * file, the row and the column (the CLI exits 2 with it); values the model
 * never saw in training, and plans reaching beyond what it was trained to
 * forecast, are warnings.
 */
export function parseScenarios(text: string, fileName: string, model: ScenarioModel): ScenarioParse {
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim(),
  });
  const header = parsed.meta.fields ?? [];
  const fail = (message: string): ScenarioParse => ({ ok: false, message: `${fileName}: ${message}` });
  if (header.length === 0 || header.every((h) => h === '')) return fail('no header row (the first line names the columns: series, start, horizon, …).');
  // Papa renames a repeated header (`start` → `start_1`): name the original.
  const repeated = Object.values(parsed.meta.renamedHeaders ?? {})[0];
  if (repeated !== undefined) return fail(`column "${repeated}" appears twice.`);
  const firstError = parsed.errors.find((e) => e.type !== 'FieldMismatch' || e.code === 'TooManyFields');
  if (firstError) return fail(`row ${(firstError.row ?? 0) + 1}: ${firstError.message}.`);

  // --- Columns.
  const fixed = new Set<string>(Object.values(SCENARIO_COLUMNS));
  const leverByName = new Map(model.levers.map((l) => [l.name, l]));
  const keyColumns = new Set(model.seriesColumns);
  const known = [...fixed, ...model.seriesColumns, ...model.levers.map((l) => l.name)];
  const seen = new Set<string>();
  for (const column of header) {
    if (column === '') return fail('a column has no name.');
    if (seen.has(column)) return fail(`column "${column}" appears twice.`);
    seen.add(column);
    if (fixed.has(column) || keyColumns.has(column) || leverByName.has(column)) continue;
    const sameButCase = known.find((k) => k.toLowerCase() === column.toLowerCase());
    const hint = sameButCase === undefined ? '' : ` Did you mean "${sameButCase}"?`;
    const levers = model.levers.length > 0 ? model.levers.map((l) => l.name).join(', ') : 'none';
    const keys = model.seriesColumns.length > 0 ? `; series key columns: ${model.seriesColumns.join(', ')}` : '';
    return fail(`unknown column "${column}": it is neither a scenario column nor a lever of the model.${hint} The model's levers: ${levers}${keys}.`);
  }
  for (const required of [SCENARIO_COLUMNS.start, SCENARIO_COLUMNS.horizon]) {
    if (!seen.has(required)) return fail(`missing column "${required}".`);
  }
  const hasLabel = seen.has(SCENARIO_COLUMNS.series);
  const presentKeys = model.seriesColumns.filter((c) => seen.has(c));
  if (model.series.length > 1 && !hasLabel && presentKeys.length < model.seriesColumns.length) {
    const missing = model.seriesColumns.filter((c) => !seen.has(c));
    return fail(
      presentKeys.length === 0
        ? `missing column "series": the model has ${model.series.length} series (e.g. "${model.series[0]!.label}"); name one per row, or give the key columns ${model.seriesColumns.join(', ')}.`
        : `the series key column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing (give all of ${model.seriesColumns.join(', ')}, or a "series" column).`,
    );
  }

  const byLabel = new Map(model.series.map((s, k) => [s.label, k]));
  const byLooseLabel = new Map(model.series.map((s, k) => [looseLabel(s.label), k]));
  const period = Math.max(1, model.periodDays);
  const maxSteps = Math.max(1, Math.min(MAX_PLAN_STEPS, model.horizonMax));
  const scenarios: Scenario[] = [];
  const warnings: string[] = [];
  if (parsed.data.length === 0) return fail('no scenarios (add one row per scenario below the header).');

  for (const [i, record] of parsed.data.entries()) {
    const row = i + 1;
    const cell = (column: string) => (record[column] ?? '').trim();
    const at = (column: string) => `row ${row}, ${column}`;

    // --- Series.
    let seriesIndex: number | undefined;
    const label = hasLabel ? cell(SCENARIO_COLUMNS.series) : '';
    if (label !== '') {
      seriesIndex = byLabel.get(label) ?? byLooseLabel.get(looseLabel(label));
      if (seriesIndex === undefined) return fail(`${at('series')}: unknown series "${label}". The model's series: ${quoteList(model.series.map((s) => s.label))}.`);
    } else if (model.seriesColumns.length > 0 && presentKeys.length === model.seriesColumns.length) {
      const keys = model.seriesColumns.map((c) => cell(c));
      seriesIndex = model.series.findIndex((s) => s.keys.every((k, j) => k === keys[j]));
      if (seriesIndex < 0) seriesIndex = model.series.findIndex((s) => s.keys.every((k, j) => k.toLowerCase() === keys[j]!.toLowerCase()));
      if (seriesIndex < 0) {
        const given = model.seriesColumns.map((c, j) => `${c} "${keys[j]}"`).join(', ');
        return fail(`row ${row}: no series has ${given}. The model's series: ${quoteList(model.series.map((s) => s.label))}.`);
      }
    } else if (model.series.length === 1) {
      seriesIndex = 0;
    } else {
      return fail(`${at('series')}: empty (name one of ${quoteList(model.series.map((s) => s.label))}).`);
    }
    const series = model.series[seriesIndex]!;

    // --- Dates and lengths.
    const startText = cell(SCENARIO_COLUMNS.start);
    const startDay = parseIsoDay(startText);
    if (!Number.isFinite(startDay)) return fail(`${at('start')}: "${startText}" is not a date in YYYY-MM-DD form.`);
    const earliest = series.firstDay + model.windowLength * period;
    if (Number.isFinite(earliest) && startDay < earliest) {
      return fail(`${at('start')}: ${startText} is too early: the model keeps ${series.label}'s history from ${formatDayNumber(series.firstDay)}, so plans can start on ${formatDayNumber(earliest)} at the earliest.`);
    }
    const horizonText = cell(SCENARIO_COLUMNS.horizon);
    const horizon = /^\d+$/.test(horizonText) ? Number(horizonText) : NaN;
    if (!(horizon >= 1 && horizon <= maxSteps)) return fail(`${at('horizon')}: must be a whole number of steps from 1 to ${maxSteps}, got "${horizonText}".`);

    let promoStart = 0;
    const promoStartText = seen.has(SCENARIO_COLUMNS.promoStart) ? cell(SCENARIO_COLUMNS.promoStart) : '';
    if (promoStartText !== '') {
      const asDay = parseIsoDay(promoStartText);
      if (/^\d+$/.test(promoStartText)) promoStart = Number(promoStartText);
      else if (Number.isFinite(asDay)) promoStart = stepsBetween(period, startDay, asDay);
      else return fail(`${at('promo_start')}: "${promoStartText}" is neither a step count (0 = the start day) nor a date in YYYY-MM-DD form.`);
      if (!(promoStart >= 0 && promoStart < horizon)) return fail(`${at('promo_start')}: "${promoStartText}" lies outside the plan (steps 0 to ${horizon - 1} from ${startText}).`);
    }
    let promoDuration = horizon - promoStart;
    const durationText = seen.has(SCENARIO_COLUMNS.promoDuration) ? cell(SCENARIO_COLUMNS.promoDuration) : '';
    if (durationText !== '') {
      promoDuration = /^\d+$/.test(durationText) ? Number(durationText) : NaN;
      if (!(promoDuration >= 0 && promoDuration <= horizon - promoStart)) {
        return fail(`${at('promo_duration')}: must be a whole number of steps from 0 to ${horizon - promoStart} (the rest of the plan), got "${durationText}".`);
      }
    }

    // --- Levers.
    const levers: Record<string, RawValue> = {};
    for (const lever of model.levers) {
      if (!seen.has(lever.name)) continue;
      const text = cell(lever.name);
      if (text === '') continue;
      if (lever.kind === 'category') {
        const value = lever.values.includes(text) ? text : lever.values.find((v) => v.toLowerCase() === text.toLowerCase());
        if (value === undefined) return fail(`${at(lever.name)}: "${text}" is not a value the model knows. Its values: ${quoteList(lever.values, 20)}.`);
        levers[lever.name] = value;
        continue;
      }
      const value = parseLeverNumber(text);
      if (!Number.isFinite(value)) return fail(`${at(lever.name)}: "${text}" is not a number.`);
      levers[lever.name] = value;
      const range = series.ranges[lever.name] ?? model.leverRanges[lever.name];
      if (range?.kind === 'numeric' && (value < range.min - 1e-9 || value > range.max + 1e-9)) {
        const units = lever.percent ? ' (a percent column: the model reads 20% as 0.2)' : '';
        warnings.push(`${fileName} ${at(lever.name)}: ${fmt(value)} is outside what ${series.label} saw in training (${fmt(range.min)} to ${fmt(range.max)})${units}; the forecast is an extrapolation.`);
      }
    }

    const beyond = stepsBetween(period, series.lastDay, startDay) + horizon - 1;
    if (Number.isFinite(beyond) && beyond > model.horizonMax) {
      warnings.push(`${fileName} row ${row}: the plan ends ${beyond} steps after ${series.label}'s data (${formatDayNumber(series.lastDay)}); the model was trained to forecast up to ${model.horizonMax} steps ahead.`);
    }

    scenarios.push({
      row,
      seriesIndex,
      label: series.label,
      start: formatDayNumber(startDay),
      plan: { series: [seriesIndex], startDay, horizon, promoStart, promoDuration, levers },
    });
  }
  return { ok: true, scenarios, warnings };
}
