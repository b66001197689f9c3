/**
 * Safe CSV export: RFC 4180 quoting plus formula neutralisation, so a cell
 * such as `=HYPERLINK(…)` from the analyst's data is shown as text by a
 * spreadsheet instead of being run (CSV / formula injection, OWASP).
 */

/** A byte-order mark; prepend it to the CSV text so Excel reads UTF-8 (e.g. Chinese headers) correctly. */
export const UTF8_BOM = '\uFEFF';

/** Characters that make a spreadsheet treat a cell as a formula (or hide its start). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Characters that force a cell into quotes (RFC 4180). */
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * Prefixes a single quote `'` to text starting with `=`, `+`, `-`, `@`, a tab
 * or a carriage return, so a spreadsheet shows it as text; other text is
 * returned unchanged.
 */
export function neutralizeFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** One cell as CSV text: numbers as numbers, text neutralised and quoted when needed. */
function cellText(value: string | number | null | undefined): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (value === null || value === undefined) return '';
  const text = neutralizeFormula(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * CSV text of a header row and data rows: cells separated by `,`, every
 * record (the header included) ended by `\r\n`. Finite numbers are written
 * with `String(n)` (so -5 stays -5); NaN, ±Infinity, null and undefined as an
 * empty cell. Every string cell, headers included, goes through
 * {@link neutralizeFormula}, then is quoted when it holds a comma, a quote,
 * CR or LF (quotes doubled). Rows are written as given (no padding to the
 * header's length). No byte-order mark (see {@link UTF8_BOM}).
 */
export function toCsv(columns: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  let out = `${columns.map(cellText).join(',')}\r\n`;
  for (const row of rows) out += `${row.map(cellText).join(',')}\r\n`;
  return out;
}
