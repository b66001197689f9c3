/**
 * The data-quality report: what was read, what was cleaned and how, what was
 * flagged. Nothing is dropped silently: every change the pipeline makes to the
 * data has an item here. Items carry a {@link QualityKind} and named params
 * that fill a translated message template; the params of each kind are listed
 * on {@link qualityReport}.
 */
import { firstKeyword, isIdentifierName } from './roles';
import type { Panel } from './panel';
import type {
  CellExample,
  ColumnSummary,
  QualityItem,
  QualityReport,
  Role,
  RoleMap,
  TypedColumn,
  TypedTable,
} from './types';

/** Facts about reading the file, from the parser (the data worker). */
export interface IngestFacts {
  /** Encoding the bytes were decoded with, e.g. `utf-8`, `gb18030`, `utf-16le`. */
  readonly encoding: string;
  /** The delimiter character, e.g. `,` or `\t`. */
  readonly delimiter: string;
  /** Data rows read (header excluded, blank rows excluded). */
  readonly rowCount: number;
  /** Rows with a different number of fields than the header; example value `expected N fields, found M`. */
  readonly raggedRows: { readonly count: number; readonly examples: readonly CellExample[] };
  /** Empty lines skipped. */
  readonly blankRows: number;
  /** Header cells renamed to make names unique and non-empty (`''` → `column_1`, `a` → `a_2`). */
  readonly renamedColumns: readonly { readonly from: string; readonly to: string }[];
  /** U+FFFD characters in the decoded text (bytes that were not valid in `encoding`). */
  readonly replacementChars: number;
  /** Rows identical to an earlier row in every column; example value names the earlier row. */
  readonly exactDuplicateRows: { readonly count: number; readonly examples: readonly CellExample[] };
  /** Spreadsheet row (header = 1) of each table row; default: index + 2. */
  readonly rowNumbers?: Int32Array;
}

/** Usable target rows below this: the model cannot be trained (error). */
export const MIN_TARGET_ROWS = 30;
/** Default window length of the sequence model, in time steps. */
export const WINDOW_LENGTH = 14;
/** Time steps per series below which window + validation + test splits get thin (warning). */
export const MIN_TIME_STEPS = 50;
/** Robust z-score above which a value is flagged: |x − median| / (1.4826 · MAD). */
export const OUTLIER_Z = 5;
/** IQR fence multiple used when MAD is 0. */
export const OUTLIER_IQR_K = 3;
/** Levers with at most this many distinct values are settings, not checked for outliers. */
export const MAX_LEVER_SETTINGS = 20;
/** Examples kept per item. */
const MAX_EXAMPLES = 5;

/**
 * How missing (and unreadable) cells of a column will be handled downstream;
 * the UI translates these codes.
 * - `forward-fill within series`: numeric levers and all covariates in a time series;
 * - `zero`: numeric levers where a missing value means none (ad spend, discount, promotion flags);
 * - `median`: other numeric levers and covariates of a cross-section;
 * - `missing category`: categorical levers (missing means no promotion of any type), and
 *   categorical covariates of a cross-section: missing is its own value;
 * - `row excluded from training targets`: the target (rows stay as context);
 * - `row excluded`: the time column (a row without a date has no place in a series);
 * - `own series`: a series key (missing is its own key `(missing)`);
 * - `not used`: ignored columns.
 */
export type FillMethod =
  | 'forward-fill within series'
  | 'zero'
  | 'median'
  | 'missing category'
  | 'row excluded from training targets'
  | 'row excluded'
  | 'own series'
  | 'not used';

/** Lever names where a missing value means "none" (filled with 0). */
export const ZERO_FILL_KEYWORDS: readonly string[] = [
  'spend', 'spent', 'cost', 'budget', 'ad', 'ads', 'media', 'impression', 'discount', 'promo', 'promotion',
  'coupon', 'voucher', 'threshold', 'rebate', 'cashback', 'feature', 'display', 'tpr', 'deal',
  '广告', '花费', '投放', '折扣', '优惠', '促销', '满减', '券',
];

/**
 * Fill method of a column ({@link FillMethod}) from its summary, its role and
 * whether the data has a time column.
 */
export function fillMethodFor(summary: ColumnSummary, role: Role, hasTime: boolean): FillMethod {
  if (role === 'ignore') return 'not used';
  if (role === 'target') return 'row excluded from training targets';
  if (role === 'time') return 'row excluded';
  if (role === 'series') return 'own series';
  const numeric = ['integer', 'number', 'percent', 'currency', 'boolean'].includes(summary.type);
  if (role === 'lever' && numeric && (summary.type === 'boolean' || firstKeyword(summary.name, ZERO_FILL_KEYWORDS) !== null)) {
    return 'zero';
  }
  // A missing promotion type means no promotion, not the previous week's one.
  if (role === 'lever' && !numeric) return 'missing category';
  if (hasTime) return 'forward-fill within series';
  return numeric ? 'median' : 'missing category';
}

/** Input of {@link qualityReport}. */
export interface QualityInput {
  readonly fileName: string;
  readonly summaries: readonly ColumnSummary[];
  readonly roles: RoleMap;
  readonly table: TypedTable;
  /** From {@link buildPanel}; null when it was not built (then no aggregation, gap or time-step items). */
  readonly panel: Panel | null;
  readonly ingest: IngestFacts;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** Significant-digit rounding for display params and example values. */
function round6(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}

function isMissingAt(col: TypedColumn, i: number): boolean {
  if (col.data.storage === 'coded') return (col.data.codes[i] ?? -1) < 0;
  return Number.isNaN(col.data.values[i] ?? NaN);
}

/** Rows (spreadsheet numbers) of the first few missing cells of a column. */
function missingExamples(col: TypedColumn, rowNumber: (i: number) => number, skip: ReadonlySet<number>): CellExample[] {
  const out: CellExample[] = [];
  const n = col.data.storage === 'coded' ? col.data.codes.length : col.data.values.length;
  for (let i = 0; i < n && out.length < MAX_EXAMPLES; i++) {
    if (isMissingAt(col, i) && !skip.has(rowNumber(i))) out.push({ row: rowNumber(i), value: '' });
  }
  return out;
}

/** Outlier statistics of a numeric column (robust z-score, or IQR fences when MAD = 0). */
export interface OutlierStats {
  readonly method: 'mad' | 'iqr';
  /** Zeros left out of the statistics (a column with at least 25 % zeros); 0 otherwise. */
  readonly zerosExcluded: number;
  readonly median: number;
  /** Values below `low` or above `high` are flagged. */
  readonly low: number;
  readonly high: number;
  readonly count: number;
  /** Table row indices (0-based) and values of the most extreme flagged cells, in row order. */
  readonly examples: readonly { readonly index: number; readonly value: number }[];
}

/**
 * The k-th smallest value of `a` (0-based), rearranging `a` so that every
 * value left of k is ≤ it and every value right of it is ≥ it. Hoare
 * partitioning with a median-of-three pivot (Wirth's select); O(n) expected.
 */
function selectK(a: Float64Array, k: number): number {
  let l = 0;
  let r = a.length - 1;
  while (l < r) {
    const x1 = a[l] ?? 0;
    const x2 = a[(l + r) >> 1] ?? 0;
    const x3 = a[r] ?? 0;
    const pivot = Math.max(Math.min(x1, x2), Math.min(Math.max(x1, x2), x3));
    let i = l;
    let j = r;
    do {
      while ((a[i] ?? 0) < pivot) i++;
      while (pivot < (a[j] ?? 0)) j--;
      if (i <= j) {
        const t = a[i] ?? 0;
        a[i] = a[j] ?? 0;
        a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) l = i;
    if (k < i) r = j;
  }
  return a[k] ?? NaN;
}

/** Quantile q in [0, 1] of `a` with linear interpolation (type 7); rearranges `a`. */
function quantile(a: Float64Array, q: number): number {
  if (a.length === 0) return NaN;
  const pos = (a.length - 1) * q;
  const lo = Math.floor(pos);
  const x = selectK(a, lo);
  if (pos === lo) return x;
  // After the select, the next order statistic is the smallest value to the right.
  let y = Infinity;
  for (let i = lo + 1; i < a.length; i++) {
    const v = a[i] ?? Infinity;
    if (v < y) y = v;
  }
  return x + (y - x) * (pos - lo);
}

/**
 * Flags outliers in `values` (NaN = missing): |x − median| / (1.4826 · MAD) > 5;
 * when MAD is 0, outside [Q1 − 3·IQR, Q3 + 3·IQR]; when IQR is 0 too (a
 * column of mostly one value), nothing is flagged. A column with at least
 * 25 % zeros (ad spend off in many weeks, promo intensity, zero-inflated sales)
 * is judged on its non-zero values, and zeros are never flagged: otherwise
 * every "on" value would look extreme. Returns null when nothing is flagged
 * or there are fewer than 3 values to judge. O(n log n).
 */
export function findOutliers(values: Float64Array, maxExamples = MAX_EXAMPLES): OutlierStats | null {
  let finite = 0;
  let zeros = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? NaN;
    if (Number.isFinite(v)) {
      finite++;
      if (v === 0) zeros++;
    }
  }
  const skipZeros = zeros > 0 && zeros >= 0.25 * finite;
  let k = 0;
  const sorted = new Float64Array(finite); // order statistics are selected in place, O(n)
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? NaN;
    if (Number.isFinite(v) && !(skipZeros && v === 0)) sorted[k++] = v;
  }
  if (k < 3) return null;
  const xs = sorted.subarray(0, k);
  const med = quantile(xs, 0.5);
  const dev = new Float64Array(k);
  for (let i = 0; i < k; i++) dev[i] = Math.abs((xs[i] ?? 0) - med);
  const mad = quantile(dev, 0.5);
  let low: number;
  let high: number;
  let method: 'mad' | 'iqr';
  if (mad > 0) {
    const spread = OUTLIER_Z * 1.4826 * mad;
    low = med - spread;
    high = med + spread;
    method = 'mad';
  } else {
    const q1 = quantile(xs, 0.25);
    const q3 = quantile(xs, 0.75);
    const iqr = q3 - q1;
    if (!(iqr > 0)) return null;
    low = q1 - OUTLIER_IQR_K * iqr;
    high = q3 + OUTLIER_IQR_K * iqr;
    method = 'iqr';
  }
  let count = 0;
  // The most extreme few, kept in a small array sorted by distance.
  const top: { index: number; value: number; dist: number }[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? NaN;
    if (!(v < low || v > high) || (skipZeros && v === 0)) continue;
    count++;
    const dist = Math.abs(v - med);
    if (top.length < maxExamples || dist > (top[top.length - 1]?.dist ?? 0)) {
      top.push({ index: i, value: v, dist });
      top.sort((a, b) => b.dist - a.dist || a.index - b.index);
      if (top.length > maxExamples) top.pop();
    }
  }
  if (count === 0) return null;
  const examples = top.sort((a, b) => a.index - b.index).map(({ index, value }) => ({ index, value }));
  return { method, zerosExcluded: skipZeros ? zeros : 0, median: med, low, high, count, examples };
}

/**
 * Rows with a usable target value: panel rows with a non-missing target for a
 * time series, table rows for a cross-section (or when no panel is given).
 * Returns 0 when no column has the `target` role.
 */
export function usableTargetRows(table: TypedTable, roles: RoleMap, panel: Panel | null): number {
  const name = Object.keys(roles).find((k) => roles[k] === 'target');
  if (name === undefined) return 0;
  if (panel !== null && !panel.crossSection) {
    const col = panel.columns.find((c) => c.name === name);
    if (col === undefined) return 0;
    let n = 0;
    for (const v of col.values) if (!Number.isNaN(v)) n++;
    return n;
  }
  const col = table.columns.find((c) => c.name === name);
  if (col === undefined) return 0;
  let n = 0;
  for (let i = 0; i < table.rowCount; i++) if (!isMissingAt(col, i)) n++;
  return n;
}

/** True when the report holds an error: training must not start until it is fixed. */
export function hasBlockingIssues(report: QualityReport): boolean {
  return report.items.some((i) => i.severity === 'error');
}

function delimiterName(d: string): string {
  switch (d) {
    case ',':
      return 'comma';
    case '\t':
      return 'tab';
    case ';':
      return 'semicolon';
    case '|':
      return 'pipe';
    case ' ':
      return 'space';
    default:
      return d;
  }
}

/**
 * Builds the quality report. Items come sorted by severity (error, warning,
 * info), and within one severity in this order: file, columns (file order),
 * panel, row counts. `count` is the number of cells/rows/steps the item is
 * about; `share` params are fractions in [0, 1]; `examples` hold spreadsheet
 * rows (header = 1). Every column-level item sets `column` and `params.column`.
 *
 * Kinds and their params:
 * - `encoding` (info; only when not UTF-8/ASCII): `encoding`, `delimiter` (the character),
 *   `delimiterName` (`comma` | `tab` | `semicolon` | `pipe` | `space` | the character), `rows`, `file`.
 * - `replacementChars` (warning): `count`, `encoding`.
 * - `renamedColumn` (info, one per column, `column` = new name): `from` (may be `''`), `to`.
 * - `raggedRows` (warning): `count`. Examples: value `expected N fields, found M`.
 * - `blankRows` (info): `count`.
 * - `duplicateRows` (warning with a time column, info in a cross-section; exact repeats from the
 *   parser, kept as they are): `count`. Examples from the parser.
 * - `allMissing` (warning; error for the target): `column`.
 * - `constantTarget` (error): `column`, `value`.
 * - `constantColumn` (info when ignored, else warning): `column`, `value`.
 * - `unparseable` (warning): `column`, `count`, `share`, `type` (expected {@link ColumnType}),
 *   `fill` ({@link FillMethod}: unreadable cells are stored as missing). Examples: the raw text.
 * - `missing` (info; warning for the target or above half the rows): `column`, `count`
 *   (empty cells and missing tokens), `share`, `fill` ({@link FillMethod}). Examples: value `''`.
 * - `likelyMissing` (info): `column`, `tokens` (comma-separated, e.g. `unknown, n/a`), `count`.
 * - `outliers` (info; warning for the target; numeric targets, covariates and levers with more than
 *   {@link MAX_LEVER_SETTINGS} distinct values, not ids): `column`, `count`, `share`, `method` (`mad` | `iqr`),
 *   `median`, `low`, `high` (values outside [low, high] are flagged, not dropped), `zerosExcluded`
 *   (zeros left out of the statistics when at least 25 % of values are 0; else 0). Examples: the
 *   most extreme values.
 * - `crossSection` (info): `rows`, `sequenceLength` (always 1).
 * - `aggregated` (info): `groups` ((time, series) pairs with several rows), `rows` (rows merged
 *   into another), `sum`, `mean`, `max`, `first` (comma-separated column names per rule, `''` if
 *   none). `count` = groups. Examples: second row of a pair, value `series: YYYY-MM-DD`.
 * - `gaps` (warning): `count` (missing steps), `series` (series with gaps), `seriesTotal`,
 *   `frequency` (`daily` | `weekly` | `monthly`). Examples: row = next observed row after the gap,
 *   value `series: YYYY-MM-DD` (first missing date).
 * - `tooFewRows`, with `variant`:
 *   - `targetRows` (error): `usable` (rows with a target value), `minimum` (30), `column`.
 *   - `timeSteps` (warning when the median series is short, info when only some are): `medianSteps`,
 *     `minSteps`, `shortSeries` (series under the minimum), `seriesTotal`, `minimum` (50),
 *     `windowLength` (14). `count` = shortSeries.
 */
export function qualityReport(input: QualityInput): QualityReport {
  const { summaries, roles, table, panel, ingest } = input;
  const items: QualityItem[] = [];
  const rowNumbers = ingest.rowNumbers;
  const rowNumber = (i: number): number => (rowNumbers !== undefined ? (rowNumbers[i] ?? i + 2) : i + 2);
  const roleOf = (name: string): Role => roles[name] ?? 'ignore';
  const hasTime = summaries.some((s) => roleOf(s.name) === 'time');
  const columnByName = new Map(table.columns.map((c) => [c.name, c]));

  // --- File ------------------------------------------------------------------
  const enc = ingest.encoding.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (enc !== 'utf8' && enc !== 'ascii' && enc !== 'usascii') {
    items.push({
      kind: 'encoding',
      severity: 'info',
      count: ingest.rowCount,
      params: {
        encoding: ingest.encoding,
        delimiter: ingest.delimiter,
        delimiterName: delimiterName(ingest.delimiter),
        rows: ingest.rowCount,
        file: input.fileName,
      },
      examples: [],
    });
  }
  if (ingest.replacementChars > 0) {
    items.push({
      kind: 'replacementChars',
      severity: 'warning',
      count: ingest.replacementChars,
      params: { count: ingest.replacementChars, encoding: ingest.encoding },
      examples: [],
    });
  }
  for (const r of ingest.renamedColumns) {
    items.push({
      kind: 'renamedColumn',
      severity: 'info',
      column: r.to,
      count: 1,
      params: { from: r.from, to: r.to },
      examples: [],
    });
  }
  if (ingest.raggedRows.count > 0) {
    items.push({
      kind: 'raggedRows',
      severity: 'warning',
      count: ingest.raggedRows.count,
      params: { count: ingest.raggedRows.count },
      examples: ingest.raggedRows.examples.slice(0, MAX_EXAMPLES),
    });
  }
  if (ingest.blankRows > 0) {
    items.push({ kind: 'blankRows', severity: 'info', count: ingest.blankRows, params: { count: ingest.blankRows }, examples: [] });
  }
  if (ingest.exactDuplicateRows.count > 0) {
    items.push({
      kind: 'duplicateRows',
      // Identical customers are plausible in a cross-section; in a time series they double-count.
      severity: hasTime ? 'warning' : 'info',
      count: ingest.exactDuplicateRows.count,
      params: { count: ingest.exactDuplicateRows.count },
      examples: ingest.exactDuplicateRows.examples.slice(0, MAX_EXAMPLES),
    });
  }

  // --- Columns -----------------------------------------------------------------
  for (const s of summaries) {
    const column = s.name;
    const role = roleOf(column);
    const col = columnByName.get(column);
    const nonMissing = s.rowCount - s.missingCount - s.unparseableCount;
    const allMissing = s.type === 'empty' || nonMissing <= 0;
    const fill = fillMethodFor(s, role, hasTime);
    if (allMissing) {
      items.push({
        kind: 'allMissing',
        severity: role === 'target' ? 'error' : 'warning',
        column,
        count: s.rowCount,
        params: { column },
        examples: [],
      });
      continue;
    }
    if (!s.distinctCapped && s.distinctCount <= 1) {
      const value = s.topValues[0]?.value ?? s.examples[0] ?? '';
      items.push(
        role === 'target'
          ? { kind: 'constantTarget', severity: 'error', column, count: nonMissing, params: { column, value }, examples: [] }
          : {
              kind: 'constantColumn',
              severity: role === 'ignore' ? 'info' : 'warning',
              column,
              count: nonMissing,
              params: { column, value },
              examples: [],
            },
      );
    }
    const unreadableRows = new Set<number>();
    if (s.unparseableCount > 0) {
      for (const e of s.unparseableExamples) unreadableRows.add(e.row);
      items.push({
        kind: 'unparseable',
        severity: 'warning',
        column,
        count: s.unparseableCount,
        params: { column, count: s.unparseableCount, share: s.unparseableCount / Math.max(1, s.rowCount), type: s.type, fill },
        examples: s.unparseableExamples.slice(0, MAX_EXAMPLES),
      });
    }
    if (s.missingCount > 0) {
      const share = s.missingCount / Math.max(1, s.rowCount);
      items.push({
        kind: 'missing',
        severity: role === 'target' || share > 0.5 ? 'warning' : 'info',
        column,
        count: s.missingCount,
        params: { column, count: s.missingCount, share, fill },
        examples: col === undefined ? [] : missingExamples(col, rowNumber, unreadableRows),
      });
    }
    if (s.likelyMissing.length > 0) {
      const count = s.likelyMissing.reduce((a, t) => a + t.count, 0);
      items.push({
        kind: 'likelyMissing',
        severity: 'info',
        column,
        count,
        params: { column, tokens: s.likelyMissing.map((t) => t.token).join(', '), count },
        examples: col === undefined ? [] : tokenExamples(col, s.likelyMissing.map((t) => t.token), rowNumber),
      });
    }
    const outlierCandidate =
      (role === 'target' || role === 'lever' || role === 'covariate') &&
      (s.type === 'integer' || s.type === 'number' || s.type === 'percent' || s.type === 'currency') &&
      !isIdentifierName(column) &&
      // A lever with a few settings (threshold tiers, promotion 1/2/3): each value is a choice.
      !(role === 'lever' && !s.distinctCapped && s.distinctCount <= MAX_LEVER_SETTINGS) &&
      col !== undefined &&
      col.data.storage === 'numeric';
    if (outlierCandidate) {
      const stats = findOutliers(col.data.values);
      if (stats !== null) {
        items.push({
          kind: 'outliers',
          severity: role === 'target' ? 'warning' : 'info',
          column,
          count: stats.count,
          params: {
            column,
            count: stats.count,
            share: stats.count / Math.max(1, nonMissing),
            method: stats.method,
            median: round6(stats.median),
            low: round6(stats.low),
            high: round6(stats.high),
            zerosExcluded: stats.zerosExcluded,
          },
          examples: stats.examples.map((e) => ({ row: rowNumber(e.index), value: String(round6(e.value)) })),
        });
      }
    }
  }

  // --- Panel -------------------------------------------------------------------
  if (!hasTime || panel?.crossSection === true) {
    items.push({
      kind: 'crossSection',
      severity: 'info',
      count: table.rowCount,
      params: { rows: table.rowCount, sequenceLength: 1 },
      examples: [],
    });
  } else if (panel !== null) {
    if (panel.duplicates.groups > 0) {
      const byRule = (how: string): string =>
        panel.columns
          .filter((c) => c.role !== 'series' && c.aggregation === how)
          .map((c) => c.name)
          .join(', ');
      items.push({
        kind: 'aggregated',
        severity: 'info',
        count: panel.duplicates.groups,
        params: {
          groups: panel.duplicates.groups,
          rows: panel.duplicates.extraRows,
          sum: byRule('sum'),
          mean: byRule('mean'),
          max: byRule('max'),
          first: byRule('first'),
        },
        examples: panel.duplicates.examples,
      });
    }
    if (panel.gaps.checked && panel.gaps.count > 0) {
      items.push({
        kind: 'gaps',
        severity: 'warning',
        count: panel.gaps.count,
        params: {
          count: panel.gaps.count,
          series: panel.gaps.seriesWithGaps,
          seriesTotal: panel.series.length,
          frequency: panel.frequency.frequency,
        },
        examples: panel.gaps.examples.map((g) => ({ row: g.nextRow, value: `${g.series}: ${g.date}` })),
      });
    }
  }

  // --- Row counts ----------------------------------------------------------------
  const target = summaries.find((s) => roleOf(s.name) === 'target');
  if (target !== undefined) {
    const usable = usableTargetRows(table, roles, panel);
    if (usable < MIN_TARGET_ROWS) {
      items.push({
        kind: 'tooFewRows',
        severity: 'error',
        column: target.name,
        count: usable,
        params: { variant: 'targetRows', column: target.name, usable, minimum: MIN_TARGET_ROWS },
        examples: [],
      });
    }
  }
  if (hasTime && panel !== null && !panel.crossSection && panel.series.length > 0) {
    let shortSeries = 0;
    for (const s of panel.series) if (s.end - s.start < MIN_TIME_STEPS) shortSeries++;
    if (shortSeries > 0) {
      items.push({
        kind: 'tooFewRows',
        severity: panel.sequenceLength.median < MIN_TIME_STEPS ? 'warning' : 'info',
        count: shortSeries,
        params: {
          variant: 'timeSteps',
          medianSteps: panel.sequenceLength.median,
          minSteps: panel.sequenceLength.min,
          shortSeries,
          seriesTotal: panel.series.length,
          minimum: MIN_TIME_STEPS,
          windowLength: WINDOW_LENGTH,
        },
        examples: [],
      });
    }
  }

  const sorted = items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => SEVERITY_ORDER[a.item.severity] - SEVERITY_ORDER[b.item.severity] || a.i - b.i)
    .map((x) => x.item);
  return { items: sorted };
}

/** First rows holding one of `tokens` (coded columns only). */
function tokenExamples(col: TypedColumn, tokens: readonly string[], rowNumber: (i: number) => number): CellExample[] {
  if (col.data.storage !== 'coded') return [];
  const { codes, vocab } = col.data;
  const wanted = new Set<number>();
  vocab.forEach((v, code) => {
    if (tokens.includes(v)) wanted.add(code);
  });
  if (wanted.size === 0) return [];
  const out: CellExample[] = [];
  for (let i = 0; i < codes.length && out.length < MAX_EXAMPLES; i++) {
    const c = codes[i] ?? -1;
    if (wanted.has(c)) out.push({ row: rowNumber(i), value: vocab[c] ?? '' });
  }
  return out;
}
