/**
 * Test helpers: build small {@link TypedTable}s and {@link ColumnSummary}
 * values from plain arrays, so unit tests of roles, panels and quality do not
 * depend on the CSV parser. Not used by the app.
 */
import type { CellExample, ColumnSummary, ColumnType, StoredValues, TypedTable } from './types';

/** A cell as written in a test: null = missing; a string in a numeric column that does not parse = unreadable. */
export type TestCell = number | string | boolean | null;

/** One column of a test table. */
export interface TestColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly values: readonly TestCell[];
  /** Header text before renaming (e.g. `''` for an unnamed index column). */
  readonly originalName?: string;
}

const CODED: readonly ColumnType[] = ['category', 'id', 'text', 'empty'];

/** Day number (days since 1970-01-01, UTC) of `YYYY-MM-DD`. */
export function day(iso: string): number {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);
}

/** Numeric value of a cell, or NaN (missing) / null (unreadable text). */
function toNumber(type: ColumnType, cell: TestCell): number | null {
  if (cell === null) return NaN;
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  if (typeof cell === 'number') return cell;
  if (type === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(cell)) return day(cell);
  const x = Number(cell);
  return cell.trim() !== '' && Number.isFinite(x) ? x : null;
}

function store(col: TestColumn): StoredValues {
  if (CODED.includes(col.type)) {
    const vocab: string[] = [];
    const index = new Map<string, number>();
    const codes = new Int32Array(col.values.length);
    col.values.forEach((cell, i) => {
      if (cell === null) {
        codes[i] = -1;
        return;
      }
      const text = String(cell);
      let code = index.get(text);
      if (code === undefined) {
        code = vocab.length;
        vocab.push(text);
        index.set(text, code);
      }
      codes[i] = code;
    });
    return { storage: 'coded', codes, vocab };
  }
  const values = new Float64Array(col.values.length);
  col.values.forEach((cell, i) => (values[i] = toNumber(col.type, cell) ?? NaN));
  return { storage: 'numeric', values };
}

/** Builds a typed table from equal-length test columns. */
export function makeTable(columns: readonly TestColumn[]): TypedTable {
  const rowCount = columns[0]?.values.length ?? 0;
  for (const c of columns) {
    if (c.values.length !== rowCount) throw new Error(`column ${c.name} has ${c.values.length} values, expected ${rowCount}`);
  }
  return { rowCount, columns: columns.map((c) => ({ name: c.name, type: c.type, data: store(c) })) };
}

const LIKELY_MISSING = new Set(['unknown', 'n/a', '?', '未知']);

/**
 * Summaries of test columns, computed the simple way: missing = null cells,
 * unreadable = strings in numeric columns that are not numbers (examples with
 * spreadsheet rows, header = 1), distinct over the other cells.
 */
export function makeSummaries(columns: readonly TestColumn[]): ColumnSummary[] {
  return columns.map((c): ColumnSummary => {
    const rowCount = c.values.length;
    let missingCount = 0;
    const unparseableExamples: CellExample[] = [];
    let unparseableCount = 0;
    const counts = new Map<string, number>();
    const numbers: number[] = [];
    c.values.forEach((cell, i) => {
      if (cell === null) {
        missingCount++;
        return;
      }
      if (!CODED.includes(c.type)) {
        const x = toNumber(c.type, cell);
        if (x === null) {
          unparseableCount++;
          if (unparseableExamples.length < 5) unparseableExamples.push({ row: i + 2, value: String(cell) });
          return;
        }
        numbers.push(x);
      }
      const key = String(cell);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    });
    const topValues = [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([value, count]) => ({ value, count }));
    const likelyMissing = CODED.includes(c.type)
      ? [...counts.entries()].filter(([v]) => LIKELY_MISSING.has(v.toLowerCase())).map(([token, count]) => ({ token, count }))
      : [];
    const base = {
      name: c.name,
      type: c.type,
      rowCount,
      missingCount,
      missingShare: rowCount === 0 ? 0 : missingCount / rowCount,
      unparseableCount,
      unparseableExamples,
      distinctCount: counts.size,
      distinctCapped: false,
      topValues,
      histogram: [],
      examples: c.values.filter((v) => v !== null).slice(0, 3).map(String),
      likelyMissing,
    };
    const range =
      numbers.length > 0
        ? {
            min: Math.min(...numbers),
            max: Math.max(...numbers),
            mean: numbers.reduce((a, b) => a + b, 0) / numbers.length,
          }
        : {};
    return { ...base, ...range, ...(c.originalName === undefined ? {} : { originalName: c.originalName }) };
  });
}

/** Fields of a hand-built summary beyond name and type. */
export interface SummaryFields {
  readonly rowCount?: number;
  readonly distinct?: number;
  readonly min?: number;
  readonly max?: number;
  readonly missing?: number;
  readonly originalName?: string;
}

/**
 * A hand-built summary for role tests: only the fields role suggestion reads
 * (name, type, row count, distinct count, range, missing count).
 */
export function summaryStub(name: string, type: ColumnType, fields: SummaryFields = {}): ColumnSummary {
  const rowCount = fields.rowCount ?? 1000;
  const missingCount = fields.missing ?? 0;
  return {
    name,
    type,
    rowCount,
    missingCount,
    missingShare: missingCount / rowCount,
    unparseableCount: 0,
    unparseableExamples: [],
    distinctCount: fields.distinct ?? (type === 'boolean' ? 2 : 10),
    distinctCapped: false,
    topValues: [],
    histogram: [],
    examples: [],
    likelyMissing: [],
    ...(fields.min === undefined ? {} : { min: fields.min }),
    ...(fields.max === undefined ? {} : { max: fields.max }),
    ...(fields.originalName === undefined ? {} : { originalName: fields.originalName }),
  };
}
