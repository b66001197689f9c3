/**
 * Appending a newer file to the loaded table ("Update with new data"): the
 * columns are matched by name, and a new row whose time and series keys are
 * already in the table replaces that row (newer data wins; counted as an overlap).
 */
import { fail, ok, type Result } from '../lib/result';
import { NUMERIC_TYPES, type TypedColumn, type TypedTable } from './types';

export interface AppendKeys {
  /** The time column (null for a cross-section: then nothing overlaps). */
  readonly time: string | null;
  /** Series key columns. */
  readonly series: readonly string[];
}

export interface AppendOutcome {
  readonly table: TypedTable;
  /** Spreadsheet row numbers: the old rows' own, then the new file's. */
  readonly rowNumbers: Int32Array;
  /** New rows added. */
  readonly appended: number;
  /** New rows that replaced an existing row with the same time and series keys. */
  readonly overlaps: number;
  /** Columns of the new file the table does not have (ignored). */
  readonly ignoredColumns: readonly string[];
  /** First and last time (day numbers) of the new rows; null without a time column. */
  readonly newFrom: number | null;
  readonly newTo: number | null;
}

export type AppendError =
  | { readonly code: 'appendMissingColumn'; readonly params: { readonly column: string } }
  | { readonly code: 'appendTypeChanged'; readonly params: { readonly column: string; readonly was: string; readonly now: string } }
  | { readonly code: 'appendNoRows'; readonly params: Record<string, never> };

/** Share of the new days held out to compare the model before and after fine-tuning (at least a week). */
const UPDATE_HOLDOUT_SHARE = 0.3;
const UPDATE_HOLDOUT_MIN_DAYS = 7;

/** The first held-out day of an update: the last 30 % (at least a week) of the new days, never before the first new day. */
export function holdoutStart(firstNewDay: number, lastNewDay: number): number {
  const span = lastNewDay - firstNewDay + 1;
  const days = Math.max(UPDATE_HOLDOUT_MIN_DAYS, Math.round(span * UPDATE_HOLDOUT_SHARE));
  return Math.max(firstNewDay, lastNewDay - days + 1);
}

/** The cell of `column` at `row` as a comparable key part. */
function keyPart(column: TypedColumn, row: number): string {
  const data = column.data;
  if (data.storage === 'numeric') return String(data.values[row]);
  const code = data.codes[row]!;
  return code < 0 ? '' : (data.vocab[code] ?? '');
}

function storageKind(column: TypedColumn): 'numbers' | 'text' {
  return column.data.storage === 'numeric' || NUMERIC_TYPES.includes(column.type) ? 'numbers' : 'text';
}

/**
 * `older` with the rows of `newer` appended. Every column of `older` must be
 * in `newer`, stored the same way (numbers or text); text columns' codes are
 * remapped into one vocabulary. Pure; neither table is changed.
 */
export function appendTables(older: TypedTable, olderRows: Int32Array, newer: TypedTable, newerRows: Int32Array, keys: AppendKeys): Result<AppendOutcome, AppendError> {
  if (newer.rowCount === 0) return fail({ code: 'appendNoRows', params: {} });
  const pairs: { old: TypedColumn; next: TypedColumn }[] = [];
  for (const old of older.columns) {
    const next = newer.columns.find((c) => c.name === old.name);
    if (!next) return fail({ code: 'appendMissingColumn', params: { column: old.name } });
    // An all-empty column in either file fits anything.
    if (old.type !== 'empty' && next.type !== 'empty' && storageKind(old) !== storageKind(next)) {
      return fail({ code: 'appendTypeChanged', params: { column: old.name, was: old.type, now: next.type } });
    }
    pairs.push({ old, next });
  }
  const ignoredColumns = newer.columns.filter((c) => !older.columns.some((o) => o.name === c.name)).map((c) => c.name);

  // Which old rows a new row replaces: same time and series keys.
  const keyColumns = keys.time === null ? [] : [keys.time, ...keys.series];
  const keyOf = (table: TypedTable, row: number): string => keyColumns.map((name) => keyPart(table.columns.find((c) => c.name === name)!, row)).join('\u0000');
  const replaced = new Uint8Array(older.rowCount);
  let overlaps = 0;
  if (keyColumns.length > 0) {
    const newKeys = new Set<string>();
    for (let r = 0; r < newer.rowCount; r++) newKeys.add(keyOf(newer, r));
    for (let r = 0; r < older.rowCount; r++) {
      if (newKeys.has(keyOf(older, r))) {
        replaced[r] = 1;
        overlaps++;
      }
    }
  }
  const kept: number[] = [];
  for (let r = 0; r < older.rowCount; r++) if (replaced[r] === 0) kept.push(r);
  const rowCount = kept.length + newer.rowCount;

  const columns: TypedColumn[] = pairs.map(({ old, next }) => {
    const numeric = storageKind(old) === 'numbers' || (old.type === 'empty' && storageKind(next) === 'numbers');
    if (numeric) {
      const values = new Float64Array(rowCount);
      kept.forEach((r, i) => (values[i] = old.data.storage === 'numeric' ? old.data.values[r]! : NaN));
      for (let r = 0; r < newer.rowCount; r++) values[kept.length + r] = next.data.storage === 'numeric' ? next.data.values[r]! : NaN;
      return { ...old, type: old.type === 'empty' ? next.type : old.type, data: { storage: 'numeric', values } };
    }
    const vocab = old.data.storage === 'coded' ? [...old.data.vocab] : [];
    const index = new Map(vocab.map((v, i) => [v, i]));
    const codes = new Int32Array(rowCount).fill(-1);
    kept.forEach((r, i) => (codes[i] = old.data.storage === 'coded' ? old.data.codes[r]! : -1));
    if (next.data.storage === 'coded') {
      const nextData = next.data;
      const remap = nextData.vocab.map((v) => {
        let code = index.get(v);
        if (code === undefined) {
          code = vocab.length;
          vocab.push(v);
          index.set(v, code);
        }
        return code;
      });
      for (let r = 0; r < newer.rowCount; r++) {
        const c = nextData.codes[r]!;
        codes[kept.length + r] = c < 0 ? -1 : remap[c]!;
      }
    }
    return { ...old, type: old.type === 'empty' ? next.type : old.type, data: { storage: 'coded', codes, vocab } };
  });

  const rowNumbers = new Int32Array(rowCount);
  kept.forEach((r, i) => (rowNumbers[i] = olderRows[r] ?? r + 2));
  for (let r = 0; r < newer.rowCount; r++) rowNumbers[kept.length + r] = newerRows[r] ?? r + 2;

  let newFrom: number | null = null;
  let newTo: number | null = null;
  const time = keys.time === null ? undefined : newer.columns.find((c) => c.name === keys.time);
  if (time?.data.storage === 'numeric') {
    for (const v of time.data.values) {
      if (v !== v) continue;
      newFrom = newFrom === null ? v : Math.min(newFrom, v);
      newTo = newTo === null ? v : Math.max(newTo, v);
    }
  }
  return ok({ table: { rowCount, columns }, rowNumbers, appended: newer.rowCount - overlaps, overlaps, ignoredColumns, newFrom, newTo });
}
