/**
 * From the parsed table to a panel: one row per (series, time step), sorted
 * by series then time, with several rows for one (time, series) aggregated
 * and the gaps in each series counted. Pure TypeScript on typed arrays; the
 * hot loops allocate nothing per row.
 */
import { firstKeyword } from './roles';
import type {
  CellExample,
  ColumnSummary,
  ColumnType,
  Frequency,
  Role,
  RoleMap,
  TypedColumn,
  TypedTable,
} from './types';

// ---------------------------------------------------------------------------
// Dates

/**
 * Civil date of a day number (days since 1970-01-01, UTC), without
 * allocating a Date (H. Hinnant's `civil_from_days`). Month is 1..12.
 */
function civilFromDays(day: number): { y: number; m: number; d: number } {
  const z = Math.floor(day) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

/** Month index of a day number: year × 12 + (month − 1). Allocation-free. */
function monthIndex(day: number): number {
  const z = Math.floor(day) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  return (yoe + era * 400 + (m <= 2 ? 1 : 0)) * 12 + (m - 1);
}

/** Day number of a civil date (month 1..12, day clipped to the month's length). */
function daysFromCivil(y: number, m: number, d: number): number {
  const ms = Date.UTC(y, m - 1, 1);
  const len = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return Math.round(ms / 86_400_000) + Math.min(d, len) - 1;
}

/** `YYYY-MM-DD` of a day number (days since 1970-01-01, UTC); `''` for NaN. */
export function formatDay(day: number): string {
  if (!Number.isFinite(day)) return '';
  const { y, m, d } = civilFromDays(day);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------
// Frequency

/** The time grid of a panel. */
export interface FrequencyInfo {
  /** `none`: fewer than two distinct dates (or no time column). */
  readonly frequency: Frequency;
  /** Typical step in days: 1 daily, 7 weekly, 30 monthly (gaps are then counted by calendar month), the median gap when irregular; 0 for `none`. */
  readonly periodDays: number;
  /** Steps per season: 7 for daily, 52 for weekly, 12 for monthly, 1 otherwise. */
  readonly seasonalPeriod: number;
}

/**
 * Detects the time grid from day numbers (days since 1970-01-01; any order,
 * repeats and NaN allowed): the median gap between distinct sorted days gives
 * 1 → daily (seasonal period 7), 7 → weekly (52), 28–31 → monthly (12), any
 * other gap → irregular (periodDays = that gap, seasonal period 1). Fewer than
 * two distinct days → `none`.
 */
export function detectFrequency(days: readonly number[] | Float64Array): FrequencyInfo {
  const distinct = distinctSorted(days);
  if (distinct.length < 2) return { frequency: 'none', periodDays: 0, seasonalPeriod: 1 };
  const gaps = new Float64Array(distinct.length - 1);
  for (let i = 1; i < distinct.length; i++) gaps[i - 1] = (distinct[i] ?? 0) - (distinct[i - 1] ?? 0);
  gaps.sort();
  const mid = gaps.length >> 1;
  const median = Math.round(gaps.length % 2 === 1 ? (gaps[mid] ?? 0) : ((gaps[mid - 1] ?? 0) + (gaps[mid] ?? 0)) / 2);
  if (median === 1) return { frequency: 'daily', periodDays: 1, seasonalPeriod: 7 };
  if (median === 7) return { frequency: 'weekly', periodDays: 7, seasonalPeriod: 52 };
  if (median >= 28 && median <= 31) return { frequency: 'monthly', periodDays: 30, seasonalPeriod: 12 };
  return { frequency: 'irregular', periodDays: median, seasonalPeriod: 1 };
}

/** Distinct finite values, ascending, as a new Float64Array. */
function distinctSorted(values: readonly number[] | Float64Array): Float64Array {
  const copy = new Float64Array(values.length);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? NaN;
    if (Number.isFinite(v)) copy[k++] = v;
  }
  const sorted = copy.subarray(0, k).sort();
  let u = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i] ?? 0;
    if (u === 0 || v !== sorted[u - 1]) sorted[u++] = v;
  }
  return sorted.slice(0, u);
}

/** Index of `v` in ascending `sorted`, or -1. */
function binarySearch(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = sorted[mid] ?? 0;
    if (x < v) lo = mid + 1;
    else if (x > v) hi = mid - 1;
    else return mid;
  }
  return -1;
}

// ---------------------------------------------------------------------------
// Aggregation

/** How several rows of one (time, series) become one value. */
export type Aggregation = 'sum' | 'mean' | 'max' | 'first';

/** Name parts of rates, prices and parameters: averaged. Checked before {@link SUM_KEYWORDS}. */
export const MEAN_KEYWORDS: readonly string[] = [
  'rate', 'ratio', 'pct', 'percent', 'percentage', 'share', 'cvr', 'ctr', 'avg', 'average', 'mean', 'price',
  'discount', 'threshold', 'temperature', 'temp', 'score', 'index', 'age', 'control', 'intensity', 'per',
  '率', '价', '折扣', '均', '温度', '门槛',
];

/** Name parts of counts and money: summed. */
export const SUM_KEYWORDS: readonly string[] = [
  'orders', 'units', 'revenue', 'sales', 'spend', 'spent', 'visitors', 'visits', 'clicks', 'impressions',
  'conversions', 'count', 'qty', 'quantity', 'amount', 'cost', 'gmv', 'hhs', 'sessions', 'views', 'budget',
  '订单', '销量', '销售额', '金额', '花费', '访客', '点击', '曝光', '营收', '数',
];

/**
 * Aggregation of a column when several rows share a (time, series):
 * `max` for booleans (any row flagged → flagged); `first` (the most frequent
 * value) for categories, ids, text and dates; `mean` for percents, names of
 * rates, ratios, prices, discounts and thresholds ({@link MEAN_KEYWORDS}); `sum`
 * for names of counts and money ({@link SUM_KEYWORDS}), then for any integer
 * or currency column; other numbers: `mean` (a value in [0, 1] is a rate, the
 * rest is taken as a level).
 */
export function aggregationFor(summary: ColumnSummary): Aggregation {
  const type: ColumnType = summary.type;
  if (type === 'boolean') return 'max';
  if (type !== 'integer' && type !== 'number' && type !== 'percent' && type !== 'currency') return 'first';
  if (type === 'percent') return 'mean';
  if (firstKeyword(summary.name, MEAN_KEYWORDS) !== null) return 'mean';
  if (firstKeyword(summary.name, SUM_KEYWORDS) !== null) return 'sum';
  if (type === 'integer' || type === 'currency') return 'sum';
  return 'mean';
}

// ---------------------------------------------------------------------------
// Panel

/** One aggregated column of the panel. */
export interface PanelColumn {
  readonly name: string;
  readonly role: Role;
  readonly type: ColumnType;
  /** How duplicate (time, series) rows were combined (cross-section: nothing combined). */
  readonly aggregation: Aggregation;
  /**
   * One value per panel row (NaN = missing). Numeric columns in their stored
   * units (rates as fractions, dates as day numbers, booleans 0/1); coded
   * columns hold the code into {@link PanelColumn.vocab}.
   */
  readonly values: Float64Array;
  /** For dictionary-encoded columns: code → text. */
  readonly vocab?: readonly string[];
}

/** One series: a contiguous range of panel rows, sorted by time. */
export interface PanelSeries {
  /** Key values joined with ` / ` (`'all'` when there are no series keys). */
  readonly label: string;
  /** One value per series column, as text (`'(missing)'` for a missing key). */
  readonly keys: readonly string[];
  /** First panel row (inclusive). */
  readonly start: number;
  /** Last panel row + 1 (exclusive). */
  readonly end: number;
  /** Missing steps inside this series' own first..last range. */
  readonly gapCount: number;
}

/** A missing step: the series had no row on `day`. */
export interface GapExample {
  readonly series: string;
  /** Day number of the (first) missing step. */
  readonly day: number;
  /** `YYYY-MM-DD` of `day`. */
  readonly date: string;
  /** Missing steps in a row at this point. */
  readonly steps: number;
  /** Spreadsheet row (header = 1) of the next observed row of the series, after the gap. */
  readonly nextRow: number;
}

/**
 * The data as the model sees it. Panel rows are sorted by series (key values
 * in natural order) then time. Lives in the data worker; its typed arrays can be transferred.
 */
export interface Panel {
  /** No time column: every row is its own sequence of length 1, nothing aggregated. */
  readonly crossSection: boolean;
  readonly timeColumn: string | null;
  readonly seriesColumns: readonly string[];
  readonly targetColumn: string | null;
  /** Panel rows (after aggregation). */
  readonly rowCount: number;
  /** Distinct dates over all series (0 for a cross-section). */
  readonly timeSteps: number;
  /** Table rows read. */
  readonly sourceRowCount: number;
  /** Table rows left out because their date is missing or unreadable. */
  readonly rowsWithoutTime: number;
  /** Spreadsheet rows (header = 1) of a few rows left out for a missing date. */
  readonly rowsWithoutTimeExamples: readonly CellExample[];
  /** Day number per panel row; null for a cross-section. */
  readonly times: Float64Array | null;
  /** Series index (into {@link Panel.series}) per panel row. */
  readonly seriesIndex: Int32Array;
  /** Table row index (0-based data row) of the first source row of each panel row. */
  readonly sourceRow: Int32Array;
  /** Number of table rows merged into each panel row (1 when nothing was merged). */
  readonly rowsMerged: Int32Array;
  readonly series: readonly PanelSeries[];
  /** Every column whose role is not `ignore` or `time`, series keys included, in table order. */
  readonly columns: readonly PanelColumn[];
  readonly frequency: FrequencyInfo;
  /** Steps per series: 1 for a cross-section. */
  readonly sequenceLength: { readonly min: number; readonly median: number; readonly max: number };
  /** (time, series) pairs with several rows, merged by {@link aggregationFor}. */
  readonly duplicates: {
    /** Pairs with more than one row. */
    readonly groups: number;
    /** Rows merged into another (rows − pairs). */
    readonly extraRows: number;
    /** The second row of a few such pairs; value `series: YYYY-MM-DD`. */
    readonly examples: readonly CellExample[];
  };
  readonly gaps: {
    /** False when the grid is irregular or there is no time column: gaps not counted. */
    readonly checked: boolean;
    /** Missing steps over all series. */
    readonly count: number;
    readonly seriesWithGaps: number;
    readonly examples: readonly GapExample[];
  };
}

/** Options of {@link buildPanel}. */
export interface PanelOptions {
  /**
   * Spreadsheet row number (header = 1) of each table row, when the parser
   * skipped rows (blank lines); default: table row index + 2.
   */
  readonly rowNumbers?: Int32Array;
  /** How many examples to keep per finding (default 5). */
  readonly maxExamples?: number;
}

const MISSING_KEY = '(missing)';
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

/** Dense, naturally ordered key ranks of one series column. */
interface KeyColumn {
  /** Rank per table row. */
  readonly rank: Int32Array;
  /** Rank → label. */
  readonly labels: readonly string[];
}

function keyColumn(col: TypedColumn, n: number): KeyColumn {
  const rank = new Int32Array(n);
  if (col.data.storage === 'coded') {
    const { codes, vocab } = col.data;
    const order = vocab.map((_, i) => i).sort((a, b) => collator.compare(vocab[a] ?? '', vocab[b] ?? ''));
    const rankOfCode = new Int32Array(vocab.length);
    order.forEach((code, r) => (rankOfCode[code] = r));
    let anyMissing = false;
    for (let i = 0; i < n; i++) {
      const c = codes[i] ?? -1;
      if (c < 0 || c >= vocab.length) {
        rank[i] = vocab.length;
        anyMissing = true;
      } else rank[i] = rankOfCode[c] ?? 0;
    }
    const labels = order.map((c) => vocab[c] ?? '');
    if (anyMissing) labels.push(MISSING_KEY);
    return { rank, labels };
  }
  const values = col.data.values;
  const distinct = distinctSorted(values);
  let anyMissing = false;
  for (let i = 0; i < n; i++) {
    const v = values[i] ?? NaN;
    if (Number.isFinite(v)) rank[i] = binarySearch(distinct, v);
    else {
      rank[i] = distinct.length;
      anyMissing = true;
    }
  }
  const labels: string[] = [];
  for (const v of distinct) labels.push(col.type === 'date' ? formatDay(v) : String(v));
  if (anyMissing) labels.push(MISSING_KEY);
  return { rank, labels };
}

/**
 * Dense ascending ranks of `keys[row]` for the given rows, written into
 * `out[row]`; returns the distinct keys ascending. Integer keys in a compact
 * range use a presence table, O(rows + range); other keys a typed-array sort.
 */
function rankKeys(keys: Float64Array, rows: Int32Array, out: Int32Array): Float64Array {
  if (rows.length === 0) return new Float64Array(0);
  let min = Infinity;
  let max = -Infinity;
  let integral = true;
  for (let k = 0; k < rows.length; k++) {
    const v = keys[rows[k] ?? 0] ?? 0;
    if (v < min) min = v;
    if (v > max) max = v;
    if (integral && v !== Math.floor(v)) integral = false;
  }
  const range = max - min + 1;
  if (integral && range <= Math.max(4 * rows.length, 1 << 16)) {
    const slot = new Int32Array(range);
    for (let k = 0; k < rows.length; k++) slot[(keys[rows[k] ?? 0] ?? 0) - min] = 1;
    let count = 0;
    for (let i = 0; i < range; i++) if (slot[i] === 1) slot[i] = ++count;
    const unique = new Float64Array(count);
    for (let i = 0; i < range; i++) {
      const r = slot[i] ?? 0;
      if (r > 0) unique[r - 1] = i + min;
    }
    for (let k = 0; k < rows.length; k++) {
      const row = rows[k] ?? 0;
      out[row] = (slot[(keys[row] ?? 0) - min] ?? 1) - 1;
    }
    return unique;
  }
  const picked = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) picked[k] = keys[rows[k] ?? 0] ?? 0;
  const unique = distinctSorted(picked);
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k] ?? 0;
    out[row] = binarySearch(unique, keys[row] ?? 0);
  }
  return unique;
}

/** Densifies float keys of the given rows to 0..k-1 preserving order. */
function densify(keys: Float64Array): { index: Int32Array; count: number } {
  const unique = distinctSorted(keys);
  const index = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) index[i] = binarySearch(unique, keys[i] ?? 0);
  return { index, count: unique.length };
}

/** Stable counting sort of `rows` by `key[row]` (keys in 0..k-1). */
function countingSort(rows: Int32Array, key: Int32Array, k: number): Int32Array {
  const counts = new Int32Array(k + 1);
  for (let i = 0; i < rows.length; i++) {
    const slot = (key[rows[i] ?? 0] ?? 0) + 1;
    counts[slot] = (counts[slot] ?? 0) + 1;
  }
  for (let i = 1; i <= k; i++) counts[i] = (counts[i] ?? 0) + (counts[i - 1] ?? 0);
  const out = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] ?? 0;
    const slot = key[r] ?? 0;
    const at = counts[slot] ?? 0;
    out[at] = r;
    counts[slot] = at + 1;
  }
  return out;
}

/** Aggregates `src` (per table row; NaN = missing) over groups of `order`. */
function aggregate(
  src: Float64Array,
  order: Int32Array,
  groupStart: Int32Array,
  groups: number,
  how: Aggregation,
  scratch: Float64Array,
): Float64Array {
  const out = new Float64Array(groups);
  for (let g = 0; g < groups; g++) {
    const a = groupStart[g] ?? 0;
    const b = groupStart[g + 1] ?? 0;
    if (b - a === 1) {
      out[g] = src[order[a] ?? 0] ?? NaN;
      continue;
    }
    if (how === 'first') {
      out[g] = modeOf(src, order, a, b, scratch);
      continue;
    }
    let acc = how === 'max' ? -Infinity : 0;
    let seen = 0;
    for (let i = a; i < b; i++) {
      const v = src[order[i] ?? 0] ?? NaN;
      if (Number.isNaN(v)) continue;
      seen++;
      if (how === 'max') {
        if (v > acc) acc = v;
      } else acc += v;
    }
    out[g] = seen === 0 ? NaN : how === 'mean' ? acc / seen : acc;
  }
  return out;
}

/** Most frequent non-missing value of rows order[a..b) (ties → smallest); NaN when all missing. */
function modeOf(src: Float64Array, order: Int32Array, a: number, b: number, scratch: Float64Array): number {
  let k = 0;
  for (let i = a; i < b; i++) {
    const v = src[order[i] ?? 0] ?? NaN;
    if (!Number.isNaN(v)) scratch[k++] = v;
  }
  if (k === 0) return NaN;
  const vals = scratch.subarray(0, k).sort();
  let best = vals[0] ?? NaN;
  let bestRun = 0;
  let run = 0;
  for (let i = 0; i < k; i++) {
    run = i > 0 && vals[i] === vals[i - 1] ? run + 1 : 1;
    if (run > bestRun) {
      bestRun = run;
      best = vals[i] ?? NaN;
    }
  }
  return best;
}

/** Values of a table column as Float64Array per table row (codes for coded columns, -1 → NaN). */
function asFloat(col: TypedColumn): Float64Array {
  if (col.data.storage === 'numeric') return col.data.values;
  const { codes } = col.data;
  const out = new Float64Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] ?? -1;
    out[i] = c < 0 ? NaN : c;
  }
  return out;
}

function median(sorted: Int32Array): number {
  if (sorted.length === 0) return 0;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Summary of a column by name, or a minimal stand-in from the table column's type. */
function summaryFor(col: TypedColumn, summaries: readonly ColumnSummary[]): ColumnSummary {
  const s = summaries.find((x) => x.name === col.name);
  if (s !== undefined) return s;
  return {
    name: col.name,
    type: col.type,
    rowCount: 0,
    missingCount: 0,
    missingShare: 0,
    unparseableCount: 0,
    unparseableExamples: [],
    distinctCount: 0,
    distinctCapped: false,
    topValues: [],
    histogram: [],
    examples: [],
    likelyMissing: [],
  };
}

/**
 * Builds the panel the model trains on.
 *
 * Takes the parsed table, the confirmed roles (a column without a role counts
 * as `ignore`) and the column summaries (for {@link aggregationFor}). With a
 * `time` column: rows are grouped by the `series` columns (none → one series
 * `'all'`) and by date; rows with a missing date are left out and counted;
 * several rows for one (time, series) are merged column by column with
 * {@link aggregationFor}; rows are sorted by series (natural order of key
 * values) then time; the grid is {@link detectFrequency} over all dates and a
 * gap is a missing step inside a series' own first..last range (daily and
 * weekly by day difference / period, monthly by calendar month; irregular
 * grids are not checked). Without a time column: a cross-section, rows kept in
 * file order, nothing merged, one series `'all'` covering every row, and
 * `sequenceLength` 1 (each row is its own sequence).
 *
 * O(n log n) in the rows (sorts of typed arrays and counting sorts); nothing
 * is allocated per row.
 */
export function buildPanel(
  table: TypedTable,
  roles: RoleMap,
  summaries: readonly ColumnSummary[],
  options: PanelOptions = {},
): Panel {
  const n = table.rowCount;
  const maxExamples = options.maxExamples ?? 5;
  const rowNumbers = options.rowNumbers;
  const rowNumber = (i: number): number => (rowNumbers !== undefined ? (rowNumbers[i] ?? i + 2) : i + 2);
  const roleOf = (name: string): Role => roles[name] ?? 'ignore';

  const timeCol = table.columns.find((c) => roleOf(c.name) === 'time');
  const targetCol = table.columns.find((c) => roleOf(c.name) === 'target');
  const used = table.columns.filter((c) => {
    const r = roleOf(c.name);
    return r !== 'ignore' && r !== 'time';
  });

  if (timeCol === undefined || timeCol.data.storage !== 'numeric') {
    const identity = new Int32Array(n);
    for (let i = 0; i < n; i++) identity[i] = i;
    const columns = used.map((c): PanelColumn => {
      const values = c.data.storage === 'numeric' ? new Float64Array(c.data.values) : asFloat(c);
      const base = {
        name: c.name,
        role: roleOf(c.name),
        type: c.type,
        aggregation: aggregationFor(summaryFor(c, summaries)),
        values,
      };
      return c.data.storage === 'coded' ? { ...base, vocab: c.data.vocab } : base;
    });
    return {
      crossSection: true,
      timeColumn: null,
      seriesColumns: [],
      targetColumn: targetCol?.name ?? null,
      rowCount: n,
      timeSteps: 0,
      sourceRowCount: n,
      rowsWithoutTime: 0,
      rowsWithoutTimeExamples: [],
      times: null,
      seriesIndex: new Int32Array(n),
      sourceRow: identity,
      rowsMerged: new Int32Array(n).fill(1),
      series: [{ label: 'all', keys: [], start: 0, end: n, gapCount: 0 }],
      columns,
      frequency: { frequency: 'none', periodDays: 0, seasonalPeriod: 1 },
      sequenceLength: { min: 1, median: 1, max: 1 },
      duplicates: { groups: 0, extraRows: 0, examples: [] },
      gaps: { checked: false, count: 0, seriesWithGaps: 0, examples: [] },
    };
  }

  // --- Time ranks -----------------------------------------------------------
  const timeValues = timeCol.data.values;
  const timeRank = new Int32Array(n).fill(-1);
  let valid = 0;
  let rowsWithoutTime = 0;
  const rowsWithoutTimeExamples: CellExample[] = [];
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(timeValues[i] ?? NaN)) valid++;
    else {
      rowsWithoutTime++;
      if (rowsWithoutTimeExamples.length < maxExamples) rowsWithoutTimeExamples.push({ row: rowNumber(i), value: '' });
    }
  }
  const rows = new Int32Array(valid);
  for (let i = 0, k = 0; i < n; i++) if (Number.isFinite(timeValues[i] ?? NaN)) rows[k++] = i;
  const days = rankKeys(timeValues, rows, timeRank);

  // --- Series keys: mixed-radix composite of naturally ordered ranks ---------
  const seriesCols = table.columns.filter((c) => roleOf(c.name) === 'series');
  const keyCols = seriesCols.map((c) => keyColumn(c, n));
  let seriesOfRow = new Int32Array(n);
  let seriesCount = 1;
  if (keyCols.length > 0) {
    let composite = new Float64Array(n);
    let radix = 1;
    for (const kc of keyCols) {
      const card = Math.max(1, kc.labels.length);
      if (radix * card > 2 ** 52) {
        // Keep the composite exact: re-number the keys seen so far before widening.
        const d = densify(composite);
        composite = Float64Array.from(d.index);
        radix = d.count;
      }
      for (let i = 0; i < n; i++) composite[i] = (composite[i] ?? 0) * card + (kc.rank[i] ?? 0);
      radix *= card;
    }
    // Only rows with a date define series.
    seriesOfRow = new Int32Array(n);
    seriesCount = Math.max(1, rankKeys(composite, rows, seriesOfRow).length);
  }

  // --- Sort by (series, time): two stable counting sorts ---------------------
  const byTime = countingSort(rows, timeRank, days.length);
  const order = countingSort(byTime, seriesOfRow, seriesCount);

  // --- Groups of equal (series, time) ---------------------------------------
  const groupStartTmp = new Int32Array(valid + 1);
  let groups = 0;
  let maxGroup = valid > 0 ? 1 : 0;
  for (let i = 0; i < valid; i++) {
    const r = order[i] ?? 0;
    const p = i > 0 ? (order[i - 1] ?? 0) : -1;
    if (i === 0 || seriesOfRow[r] !== seriesOfRow[p] || timeRank[r] !== timeRank[p]) {
      if (groups > 0) maxGroup = Math.max(maxGroup, i - (groupStartTmp[groups - 1] ?? 0));
      groupStartTmp[groups++] = i;
    }
  }
  if (groups > 0) maxGroup = Math.max(maxGroup, valid - (groupStartTmp[groups - 1] ?? 0));
  groupStartTmp[groups] = valid;
  const groupStart = groupStartTmp.slice(0, groups + 1);

  const times = new Float64Array(groups);
  const seriesIndex = new Int32Array(groups);
  const sourceRow = new Int32Array(groups);
  const rowsMerged = new Int32Array(groups);
  let dupGroups = 0;
  let extraRows = 0;
  const dupExamples: CellExample[] = [];
  const seriesFirstRow = new Int32Array(seriesCount).fill(-1);
  for (let g = 0; g < groups; g++) {
    const a = groupStart[g] ?? 0;
    const b = groupStart[g + 1] ?? 0;
    const r = order[a] ?? 0;
    const s = seriesOfRow[r] ?? 0;
    times[g] = days[timeRank[r] ?? 0] ?? NaN;
    seriesIndex[g] = s;
    sourceRow[g] = r;
    rowsMerged[g] = b - a;
    if (seriesFirstRow[s] === -1) seriesFirstRow[s] = r;
    if (b - a > 1) {
      dupGroups++;
      extraRows += b - a - 1;
    }
  }

  // --- Series list ----------------------------------------------------------
  const labelOf = (s: number): { label: string; keys: string[] } => {
    if (keyCols.length === 0) return { label: 'all', keys: [] };
    const r = seriesFirstRow[s] ?? 0;
    const keys = keyCols.map((kc) => kc.labels[kc.rank[r] ?? 0] ?? MISSING_KEY);
    return { label: keys.join(' / '), keys };
  };
  const frequency = detectFrequency(days);
  const checked = frequency.frequency === 'daily' || frequency.frequency === 'weekly' || frequency.frequency === 'monthly';
  const series: PanelSeries[] = [];
  const gapExamples: GapExample[] = [];
  let gapCount = 0;
  let seriesWithGaps = 0;
  const lengths = new Int32Array(seriesCount);
  let lengthCount = 0;
  for (let g = 0; g < groups; ) {
    const s = seriesIndex[g] ?? 0;
    let end = g + 1;
    while (end < groups && seriesIndex[end] === s) end++;
    let gaps = 0;
    const { label, keys } = labelOf(s);
    if (checked) {
      for (let i = g + 1; i < end; i++) {
        const t0 = times[i - 1] ?? 0;
        const t1 = times[i] ?? 0;
        const steps =
          frequency.frequency === 'monthly'
            ? monthIndex(t1) - monthIndex(t0)
            : Math.round((t1 - t0) / frequency.periodDays);
        if (steps > 1) {
          gaps += steps - 1;
          if (gapExamples.length < maxExamples) {
            let day: number;
            if (frequency.frequency === 'monthly') {
              const c = civilFromDays(t0);
              day = daysFromCivil(c.m === 12 ? c.y + 1 : c.y, c.m === 12 ? 1 : c.m + 1, c.d);
            } else day = t0 + frequency.periodDays;
            gapExamples.push({
              series: label,
              day,
              date: formatDay(day),
              steps: steps - 1,
              nextRow: rowNumber(sourceRow[i] ?? 0),
            });
          }
        }
      }
    }
    if (gaps > 0) seriesWithGaps++;
    gapCount += gaps;
    lengths[lengthCount++] = end - g;
    series.push({ label, keys, start: g, end, gapCount: gaps });
    g = end;
  }

  // Duplicate examples need labels, so they come after the series are known.
  for (let g = 0; g < groups && dupExamples.length < maxExamples; g++) {
    const a = groupStart[g] ?? 0;
    if ((groupStart[g + 1] ?? 0) - a > 1) {
      dupExamples.push({
        row: rowNumber(order[a + 1] ?? 0),
        value: `${labelOf(seriesIndex[g] ?? 0).label}: ${formatDay(times[g] ?? NaN)}`,
      });
    }
  }

  // --- Columns --------------------------------------------------------------
  const scratch = new Float64Array(Math.max(1, maxGroup));
  const columns = used.map((c): PanelColumn => {
    const how = roleOf(c.name) === 'series' ? 'first' : aggregationFor(summaryFor(c, summaries));
    const values = aggregate(asFloat(c), order, groupStart, groups, how, scratch);
    const base = { name: c.name, role: roleOf(c.name), type: c.type, aggregation: how, values };
    return c.data.storage === 'coded' ? { ...base, vocab: c.data.vocab } : base;
  });

  const sortedLengths = lengths.slice(0, lengthCount).sort();
  return {
    crossSection: false,
    timeColumn: timeCol.name,
    seriesColumns: seriesCols.map((c) => c.name),
    targetColumn: targetCol?.name ?? null,
    rowCount: groups,
    timeSteps: days.length,
    sourceRowCount: n,
    rowsWithoutTime,
    rowsWithoutTimeExamples,
    times,
    seriesIndex,
    sourceRow,
    rowsMerged,
    series,
    columns,
    frequency,
    sequenceLength: {
      min: sortedLengths[0] ?? 0,
      median: median(sortedLengths),
      max: sortedLengths[sortedLengths.length - 1] ?? 0,
    },
    duplicates: { groups: dupGroups, extraRows, examples: dupExamples },
    gaps: { checked, count: gapCount, seriesWithGaps, examples: gapExamples },
  };
}
