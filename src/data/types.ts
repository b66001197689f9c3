/**
 * Shared shapes of the Data step. Pure data: no DOM, no React, no tf.js.
 *
 * A parsed file lives as typed columns (in the data worker); the UI only ever
 * sees {@link ColumnSummary} values and the {@link QualityReport}.
 */

/** What a column holds, as inferred from its values. */
export type ColumnType =
  | 'integer'
  | 'number'
  | 'percent' // `15%` stored as 0.15
  | 'currency' // `¥1,234.50` stored as 1234.5
  | 'date' // stored as a day number (days since 1970-01-01, UTC)
  | 'boolean' // stored as 0 / 1
  | 'category'
  | 'id' // identifier: numeric-looking or unique strings kept as strings (UPCs)
  | 'text'
  | 'empty'; // every cell missing

/** Column types stored as numbers ({@link NumericColumn}). */
export const NUMERIC_TYPES: readonly ColumnType[] = [
  'integer',
  'number',
  'percent',
  'currency',
  'date',
  'boolean',
];

/** A column stored as numbers: NaN marks a missing or unparseable cell. */
export interface NumericColumn {
  readonly storage: 'numeric';
  readonly values: Float64Array;
}

/** A column stored dictionary-encoded: code -1 marks a missing cell. */
export interface CodedColumn {
  readonly storage: 'coded';
  readonly codes: Int32Array;
  readonly vocab: readonly string[];
}

export type StoredValues = NumericColumn | CodedColumn;

/** One column of the parsed table, as held by the data worker. */
export interface TypedColumn {
  /** Unique, non-empty name (after renaming of duplicate/empty headers). */
  readonly name: string;
  readonly type: ColumnType;
  readonly data: StoredValues;
  /** For dates: the format the text was read with, e.g. `YYYY-MM-DD`. */
  readonly dateFormat?: string;
}

/** The parsed table: equal-length typed columns, never an array of row objects. */
export interface TypedTable {
  readonly rowCount: number;
  readonly columns: readonly TypedColumn[];
}

/** How the analyst uses a column. */
export type Role = 'time' | 'series' | 'target' | 'lever' | 'covariate' | 'ignore';

export const ROLES: readonly Role[] = ['time', 'series', 'target', 'lever', 'covariate', 'ignore'];

/** Column name → role. */
export type RoleMap = Readonly<Record<string, Role>>;

/**
 * A cell that could not be read as the column's type. `row` is the
 * spreadsheet row number: the header is row 1, the first data row is row 2.
 */
export interface CellExample {
  readonly row: number;
  readonly value: string;
}

export interface HistogramBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/** What the UI knows of a column. */
export interface ColumnSummary {
  readonly name: string;
  /** The header text as in the file, when it was renamed. */
  readonly originalName?: string;
  readonly type: ColumnType;
  readonly rowCount: number;
  /** Empty cells and missing tokens (NA, null, -, …). */
  readonly missingCount: number;
  /** missingCount / rowCount, in [0, 1]. */
  readonly missingShare: number;
  /** Non-missing cells that could not be read as `type` (stored as missing). */
  readonly unparseableCount: number;
  readonly unparseableExamples: readonly CellExample[];
  readonly distinctCount: number;
  /** True when distinctCount is a lower bound (too many values to keep). */
  readonly distinctCapped: boolean;
  /** Numeric and date columns: range of values (dates as day numbers). */
  readonly min?: number;
  readonly max?: number;
  readonly mean?: number;
  /** Most frequent values as text (categories, ids, booleans). */
  readonly topValues: readonly { readonly value: string; readonly count: number }[];
  /** Numeric columns: up to 20 equal-width bins. */
  readonly histogram: readonly HistogramBin[];
  /** A few raw examples as written in the file. */
  readonly examples: readonly string[];
  /** Tokens such as "unknown" that look like missing values but are kept as values. */
  readonly likelyMissing: readonly { readonly token: string; readonly count: number }[];
  readonly dateFormat?: string;
}

export type Frequency = 'daily' | 'weekly' | 'monthly' | 'irregular' | 'none';

/** The kinds of finding in the quality report; each has a catalog message. */
export type QualityKind =
  | 'encoding'
  | 'renamedColumn'
  | 'raggedRows'
  | 'blankRows'
  | 'unparseable'
  | 'missing'
  | 'likelyMissing'
  | 'allMissing'
  | 'constantColumn'
  | 'constantTarget'
  | 'outliers'
  | 'duplicateRows'
  | 'aggregated'
  | 'gaps'
  | 'crossSection'
  | 'tooFewRows'
  | 'replacementChars';

/**
 * One finding. `params` fill the catalog message for `kind`; `examples` are
 * spreadsheet row numbers (header = row 1) with the raw text where useful.
 */
export interface QualityItem {
  readonly kind: QualityKind;
  readonly severity: 'info' | 'warning' | 'error';
  readonly column?: string;
  readonly count: number;
  readonly params: Readonly<Record<string, string | number>>;
  readonly examples: readonly CellExample[];
}

export interface QualityReport {
  readonly items: readonly QualityItem[];
}
