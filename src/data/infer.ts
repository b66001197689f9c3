/**
 * Column type inference and per-cell coercion for parsed CSV text.
 *
 * The data worker dictionary-encodes every column while streaming (distinct
 * trimmed raw strings + counts), then calls {@link inferColumnType} once per
 * column. The returned `parse` turns one trimmed cell into the stored number;
 * it is also called per cell for very high-cardinality numeric columns, so its
 * common paths avoid regular expressions and allocations.
 *
 * Pure TypeScript: no DOM, no Node APIs.
 */
import type { ColumnType } from './types';

// ---------------------------------------------------------------------------
// Thresholds
// ---------------------------------------------------------------------------

/**
 * Share of non-missing cells (by count, in [0, 1]) that must parse as a type
 * for the column to get that type; the other cells are "unparseable" and are
 * reported (they are stored as NaN / missing).
 */
export const PARSE_SHARE_THRESHOLD = 0.98;

/** A string column with at most this many distinct values is a category (if short). */
export const CATEGORY_MAX_DISTINCT = 50;

/** A string column whose distinct count is at most this share of its non-missing cells is a category (if short). */
export const CATEGORY_MAX_SHARE = 0.05;

/** Longest value (in UTF-16 code units) a category may have; longer values make the column text. */
export const CATEGORY_MAX_LENGTH = 100;

/** Strings without spaces whose distinct count is at least this share of non-missing cells are ids. */
export const ID_UNIQUE_SHARE = 0.9;

/**
 * Two-digit years (`14-JAN-09`, `1/5/24`) follow the POSIX `%y` rule:
 * 69–99 → 1969–1999, 00–68 → 2000–2068.
 */
export const TWO_DIGIT_YEAR_PIVOT = 69;

/** Range of years accepted for 8-digit `YYYYMMDD` dates (inclusive). */
export const COMPACT_DATE_YEARS: readonly [number, number] = [1900, 2100];

// ---------------------------------------------------------------------------
// Missing tokens
// ---------------------------------------------------------------------------

/** True for a UTF-16 code unit that String.prototype.trim would remove. */
function isSpaceCode(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** `t` is trimmed and 1–4 characters long. */
function isMissingShort(t: string): boolean {
  switch (t.length) {
    case 1:
      return t === '-';
    case 2:
      return t === '--' || t === 'NA' || t === 'na' || t === 'Na' || t === 'nA';
    case 3: {
      const l = t.toLowerCase();
      return l === 'n/a' || l === 'nan';
    }
    case 4: {
      const l = t.toLowerCase();
      // Not 'none': in promotion data it is a real value (promo_type = none).
      return l === 'null' || l === '#n/a';
    }
    default:
      return false;
  }
}

/**
 * Whether a raw cell means "no value": empty or whitespace only, or (ignoring
 * surrounding whitespace, case-insensitive) one of `NA`, `N/A`, `null`,
 * `NaN`, `-`, `--`, `#N/A`. `none` is a value ("no promotion"), not missing. Missing cells are counted as missing, not
 * as unparseable. Called once per cell: tokens are at most 4 characters, so
 * longer cells without surrounding whitespace return false at once.
 */
export function isMissingToken(raw: string): boolean {
  const n = raw.length;
  if (n === 0) return true;
  if (!isSpaceCode(raw.charCodeAt(0)) && !isSpaceCode(raw.charCodeAt(n - 1))) {
    return n <= 4 && isMissingShort(raw);
  }
  const t = raw.trim();
  return t.length === 0 || (t.length <= 4 && isMissingShort(t));
}

const LIKELY_MISSING = new Set([
  'unknown',
  'unk',
  'missing',
  'not available',
  'not applicable',
  'not specified',
  'unspecified',
  'not set',
  '(not set)',
  '(none)',
  'undefined',
  'no data',
  'no answer',
  'none given',
  'none provided',
  'n.a.',
  'n.a',
  'n/d',
  'tbd',
  'tba',
  '?',
  '??',
  '???',
  '.',
  '/',
  '—',
  '–',
  '-999',
  '-9999',
  '0000-00-00',
  '00/00/0000',
  '未知',
  '无',
  '不详',
  '缺失',
  '暂无',
  '空',
  '无数据',
  '未填写',
  '不明',
  '待定',
]);

/**
 * Whether a raw cell looks like a missing value although it is not one of the
 * {@link isMissingToken} tokens: `unknown`, `missing`, `not available`,
 * `n.a.`, `?`, `(not set)`, sentinels such as `-999`, and Chinese `未知`,
 * `无`, `不详`, `缺失`, `暂无` … (surrounding whitespace ignored,
 * case-insensitive). Such cells are kept as values and reported.
 */
export function likelyMissingToken(raw: string): boolean {
  if (raw.length > 24) return false;
  return LIKELY_MISSING.has(raw.trim().toLowerCase());
}

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

const F_CURRENCY = 1;
const F_PERCENT = 2;

/** Flags of the last {@link scanNumber} call (avoids allocating a result object). */
let scanFlags = 0;

const CURRENCY_SYMBOLS = '$¥￥€£₹₩';
const CURRENCY_WORDS = [
  'US$',
  'HK$',
  'NT$',
  'CA$',
  'AU$',
  'NZ$',
  'R$',
  'C$',
  'A$',
  'S$',
  'RMB',
  'CNY',
  'USD',
  'EUR',
  'GBP',
  'JPY',
  'HKD',
  'TWD',
  'CAD',
  'AUD',
  'NZD',
  'SGD',
  'BRL',
  'INR',
  'KRW',
  'CHF',
];
const CURRENCY_SUFFIX_WORDS = [...CURRENCY_WORDS, '元', '円'];

/** Length of a currency symbol or code starting at `i` of `t`, else 0. */
function currencyPrefixLength(t: string, i: number): number {
  const c = t.charCodeAt(i);
  if (c === 36) return 1; // '$'
  if (c > 127) return CURRENCY_SYMBOLS.includes(t.charAt(i)) ? 1 : 0;
  if (c < 65 || c > 90) return 0; // codes start with an upper-case letter
  for (const w of CURRENCY_WORDS) if (t.startsWith(w, i)) return w.length;
  return 0;
}

/** Length of a currency symbol or code ending just before `end` in `t`, else 0. */
function currencySuffixLength(t: string, end: number): number {
  const c = t.charCodeAt(end - 1);
  if (c > 127) {
    const ch = t.charAt(end - 1);
    if (CURRENCY_SYMBOLS.includes(ch)) return 1;
    if (ch !== '元' && ch !== '円') return 0;
  } else if (c < 65 || c > 90) return 0;
  for (const w of CURRENCY_SUFFIX_WORDS) if (t.endsWith(w, end)) return w.length;
  return 0;
}

/** Group marks allowed besides `,` (US) or `.` (decimal comma): space, no-break spaces, apostrophe. */
function isExtraGroupMark(c: number): boolean {
  return c === 32 || c === 0xa0 || c === 0x202f || c === 39;
}

/** Exact powers of ten as doubles. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * Reads `t[start, end)` as the body of a number (no sign, currency or
 * percent), scaled by 10^-`shift`. Groups of three digits may be separated by
 * one group mark used throughout (`,`, or `.` with `eu`; or a space, no-break
 * space or apostrophe), then an optional fraction after the decimal mark and
 * an optional exponent. Returns NaN when invalid.
 *
 * Computed as mantissa / 10^k, which is correctly rounded (like `+s`) while
 * the mantissa is below 2^53 and k ≤ 22 — true for ordinary data; other
 * cases go through a normalized string and `+`.
 */
function decimalValue(t: string, start: number, end: number, eu: boolean, shift: number): number {
  const groupMark = eu ? 46 : 44;
  const decimalMark = eu ? 44 : 46;
  let i = start;
  let mant = 0;
  let intDigits = 0;
  let run = 0;
  let sep = -1;
  for (; i < end; i++) {
    const c = t.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      intDigits++;
      run++;
    } else if (c === groupMark || isExtraGroupMark(c)) {
      if (sep === -1) {
        if (run < 1 || run > 3) return NaN;
        sep = c;
      } else if (c !== sep || run !== 3) return NaN;
      run = 0;
    } else break;
  }
  if (sep !== -1 && run !== 3) return NaN;
  let fracDigits = 0;
  const hasDecimal = i < end && t.charCodeAt(i) === decimalMark;
  if (hasDecimal) {
    for (i++; i < end; i++) {
      const c = t.charCodeAt(i);
      if (c < 48 || c > 57) break;
      mant = mant * 10 + (c - 48);
      fracDigits++;
    }
  }
  if (intDigits + fracDigits === 0) return NaN;
  const expStart = i;
  if (i < end) {
    if ((t.charCodeAt(i) | 32) !== 101) return NaN; // e / E
    i++;
    const sign = t.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    if (i >= end) return NaN;
    for (; i < end; i++) {
      const c = t.charCodeAt(i);
      if (c < 48 || c > 57) return NaN;
    }
  }
  const k = fracDigits + shift;
  if (expStart === end && mant <= Number.MAX_SAFE_INTEGER && k <= 22) return mant / (POW10[k] ?? NaN);
  // Rare: exponent or more than 15 significant digits. Normalize and let `+` round once.
  let lit = t.slice(start, end);
  if (sep !== -1) lit = lit.replaceAll(String.fromCharCode(sep), '');
  if (eu && hasDecimal) lit = lit.replace(',', '.');
  const v = +lit;
  if (shift === 0) return v;
  return lit.indexOf('e') < 0 && lit.indexOf('E') < 0 ? +(lit + 'e-' + shift) : v / 100;
}

/**
 * Parses a trimmed cell as a number in any of the accepted spellings: sign
 * (`-`, `+`, `−`), parentheses for negatives, currency symbol or code before
 * or after, trailing `%`, grouping marks, scientific notation. `eu` selects
 * decimal comma with `.` grouping. Percent-marked cells (and, when
 * `scaleBare`, every cell) are divided by 100. Sets {@link scanFlags}.
 * Returns NaN when it is no number (never ±Infinity).
 */
function scanNumber(s: string, eu: boolean, scaleBare: boolean): number {
  scanFlags = 0;
  let start = 0;
  let end = s.length;
  if (end === 0) return NaN;
  let neg = false;
  if (s.charCodeAt(0) === 40 && s.charCodeAt(end - 1) === 41) {
    neg = true;
    start++;
    end--;
    while (start < end && isSpaceCode(s.charCodeAt(start))) start++;
    while (end > start && isSpaceCode(s.charCodeAt(end - 1))) end--;
  }
  for (let pass = 0; pass < 2; pass++) {
    const c = s.charCodeAt(start);
    if (c === 45 || c === 0x2212) {
      if (neg) return NaN;
      neg = true;
      start++;
    } else if (c === 43) start++;
    else if (pass === 1) break;
    while (start < end && isSpaceCode(s.charCodeAt(start))) start++;
    if (pass === 0) {
      const p = currencyPrefixLength(s, start);
      if (p === 0) break;
      scanFlags |= F_CURRENCY;
      start += p;
      while (start < end && isSpaceCode(s.charCodeAt(start))) start++;
    }
  }
  if (start >= end) return NaN;
  const last = s.charCodeAt(end - 1);
  if (last > 57 || last === 37) {
    if (last === 37 || last === 0xff05) {
      scanFlags |= F_PERCENT;
      end--;
    } else {
      const q = currencySuffixLength(s, end);
      if (q > 0) {
        if (scanFlags & F_CURRENCY) return NaN;
        scanFlags |= F_CURRENCY;
        end -= q;
      }
    }
    while (end > start && isSpaceCode(s.charCodeAt(end - 1))) end--;
  }
  const v = decimalValue(s, start, end, eu, scaleBare || (scanFlags & F_PERCENT) !== 0 ? 2 : 0);
  if (v - v !== 0) return NaN;
  return neg ? -v : v;
}

/** Which marked spellings a numeric parse accepts besides plain numbers. */
type NumericKind = 'plain' | 'currency' | 'percent';

/**
 * Builds the per-cell parse of a numeric column. `plain` rejects currency and
 * percent cells, `currency` accepts currency-marked and plain cells, `percent`
 * accepts `%` cells and plain cells, both divided by 100.
 */
function numberParser(kind: NumericKind, eu: boolean): (raw: string) => number {
  const allowed = kind === 'currency' ? F_CURRENCY : kind === 'percent' ? F_PERCENT : 0;
  const scale = kind === 'percent';
  return (s) => {
    const v = scanNumber(s, eu, scale);
    return (scanFlags & ~allowed) === 0 ? v : NaN;
  };
}

/**
 * Parses one cell as a plain number (`1,234.5`, `(12)`, `1.5e3`, `−5`; with
 * `decimalComma`, `1.234,5`). Surrounding whitespace is ignored; currency and
 * percent marks are rejected. Returns NaN when the cell is no number.
 */
export function parseNumber(raw: string, decimalComma = false): number {
  return (decimalComma ? PLAIN_EU : PLAIN_US)(raw.trim());
}
const PLAIN_US = numberParser('plain', false);
const PLAIN_EU = numberParser('plain', true);

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

/**
 * Day number of a civil date: days since 1970-01-01 (UTC), integer; negative
 * before 1970. Pure arithmetic (no Date, no time zone). Returns NaN when the
 * date does not exist (month outside 1–12, day outside the month, non-integer).
 */
export function dayNumberFromCivil(year: number, month: number, day: number): number {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return NaN;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NaN;
  // Howard Hinnant's days_from_civil.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Days in `month` (1–12) of `year` (proleptic Gregorian). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Inverse of {@link dayNumberFromCivil}: the civil date (UTC) of a day number. */
export function civilFromDayNumber(dayNumber: number): { year: number; month: number; day: number } {
  const z = Math.floor(dayNumber) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** A day number as ISO `YYYY-MM-DD` (UTC). */
export function formatDayNumber(dayNumber: number): string {
  const { year, month, day } = civilFromDayNumber(dayNumber);
  const pad = (v: number) => (v < 10 ? '0' : '') + v;
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** Four-digit year from a 2- or 4-digit field (see {@link TWO_DIGIT_YEAR_PIVOT}). */
function fullYear(field: string): number {
  const y = +field;
  if (field.length !== 2) return y;
  return y >= TWO_DIGIT_YEAR_PIVOT ? 1900 + y : 2000 + y;
}

const MONTHS: ReadonlyMap<string, number> = (() => {
  const full = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
  const m = new Map<string, number>();
  full.forEach((name, i) => {
    m.set(name, i + 1);
    m.set(name.slice(0, 3), i + 1);
  });
  m.set('sept', 9);
  return m;
})();

function monthFromName(name: string): number {
  return MONTHS.get(name.toLowerCase()) ?? NaN;
}

// Optional time of day after a date; it is checked and dropped (day numbers
// are whole days; a UTC offset does not move the written date).
const TIME_TAIL = /^(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:\s*[AaPp]\.?[Mm]\.?)?(?:\s*(?:Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?$/;

function timeTailOk(tail: string | undefined): boolean {
  return tail === undefined || tail === '' || TIME_TAIL.test(tail);
}

/**
 * Whether `s` from `i` on is a time of day (`T13:00`, ` 13:00:00.123Z`, `+08:00` …).
 * The usual `[T ]HH:mm[:ss]` is checked by hand; anything else by {@link TIME_TAIL}.
 */
function timeTailAt(s: string, i: number): boolean {
  const n = s.length;
  const c = s.charCodeAt(i);
  if (c === 84 || c === 32) {
    let j = i + 1;
    if (digitAt(s, j) >= 0) j++;
    if (digitAt(s, j) >= 0) j++;
    if (j > i + 1 && s.charCodeAt(j) === 58 && digitAt(s, j + 1) >= 0 && digitAt(s, j + 2) >= 0) {
      j += 3;
      if (j === n) return true;
      if (s.charCodeAt(j) === 58 && digitAt(s, j + 1) >= 0 && digitAt(s, j + 2) >= 0) {
        j += 3;
        if (j === n || (j === n - 1 && s.charCodeAt(j) === 90)) return true; // end or 'Z'
      }
    }
  }
  return TIME_TAIL.test(s.slice(i));
}

/** The date layouts understood; `dateFormat` labels map onto these. */
type DateKind = 'ymd' | 'dmy' | 'mdy' | 'dmon' | 'mond' | 'compact' | 'cjk' | 'ym';

const NUMERIC_DATE = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(?!\d)(.*)$/;
const DMON_DATE = /^(\d{1,2})([-\s/.]?)([A-Za-z]{3,9})\.?[-\s/.,]*(\d{4}|\d{2})(?!\d)(.*)$/;
const MOND_DATE = /^([A-Za-z]{3,9})\.?([-\s/.]*)(\d{1,2})(?:st|nd|rd|th)?[-\s/.,]+(\d{4}|\d{2})(?!\d)(.*)$/;
const CJK_DATE = /^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?(.*)$/;
const YM_DATE = /^(\d{4})[-/](\d{1,2})$/;

function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** `YYYY-MM-DD` (or `/`, `.`; 1- or 2-digit month and day; optional time), without regexes on the date part. */
function parseYmd(s: string): number {
  const n = s.length;
  if (n < 8) return NaN;
  const y0 = digitAt(s, 0);
  const y1 = digitAt(s, 1);
  const y2 = digitAt(s, 2);
  const y3 = digitAt(s, 3);
  if ((y0 | y1 | y2 | y3) < 0) return NaN;
  const sep = s.charCodeAt(4);
  if (sep !== 45 && sep !== 47 && sep !== 46) return NaN;
  let i = 5;
  let month = digitAt(s, i++);
  if (month < 0) return NaN;
  let d = digitAt(s, i);
  if (d >= 0) {
    month = month * 10 + d;
    i++;
  }
  if (s.charCodeAt(i++) !== sep) return NaN;
  let day = digitAt(s, i++);
  if (day < 0) return NaN;
  d = digitAt(s, i);
  if (d >= 0) {
    day = day * 10 + d;
    i++;
  }
  if (i < n && !timeTailAt(s, i)) return NaN;
  return dayNumberFromCivil(y0 * 1000 + y1 * 100 + y2 * 10 + y3, month, day);
}

function parseCompact(s: string): number {
  if (s.length !== 8) return NaN;
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const d = digitAt(s, i);
    if (d < 0) return NaN;
    v = v * 10 + d;
  }
  const year = Math.floor(v / 10000);
  if (year < COMPACT_DATE_YEARS[0] || year > COMPACT_DATE_YEARS[1]) return NaN;
  return dayNumberFromCivil(year, Math.floor(v / 100) % 100, v % 100);
}

function parseNumericDate(s: string, dayFirst: boolean): number {
  const m = NUMERIC_DATE.exec(s);
  if (m === null || !timeTailOk(m[5])) return NaN;
  const a = +(m[1] ?? '');
  const b = +(m[3] ?? '');
  return dayNumberFromCivil(fullYear(m[4] ?? ''), dayFirst ? b : a, dayFirst ? a : b);
}

function parseDmon(s: string): number {
  const m = DMON_DATE.exec(s);
  if (m === null || !timeTailOk(m[5])) return NaN;
  return dayNumberFromCivil(fullYear(m[4] ?? ''), monthFromName(m[3] ?? ''), +(m[1] ?? ''));
}

function parseMond(s: string): number {
  const m = MOND_DATE.exec(s);
  if (m === null || !timeTailOk(m[5])) return NaN;
  return dayNumberFromCivil(fullYear(m[4] ?? ''), monthFromName(m[1] ?? ''), +(m[3] ?? ''));
}

function parseCjk(s: string): number {
  const m = CJK_DATE.exec(s);
  if (m === null || !timeTailOk(m[4]?.trim() === '' ? '' : m[4])) return NaN;
  return dayNumberFromCivil(+(m[1] ?? ''), +(m[2] ?? ''), +(m[3] ?? ''));
}

function parseYm(s: string): number {
  const m = YM_DATE.exec(s);
  if (m === null) return NaN;
  return dayNumberFromCivil(+(m[1] ?? ''), +(m[2] ?? ''), 1);
}

function dateParser(kind: DateKind): (raw: string) => number {
  switch (kind) {
    case 'ymd':
      return parseYmd;
    case 'dmy':
      return (s) => parseNumericDate(s, true);
    case 'mdy':
      return (s) => parseNumericDate(s, false);
    case 'dmon':
      return parseDmon;
    case 'mond':
      return parseMond;
    case 'compact':
      return parseCompact;
    case 'cjk':
      return parseCjk;
    case 'ym':
      return parseYm;
  }
}

/** The layout named by a `dateFormat` label as produced by {@link inferColumnType}. */
function dateKindOfFormat(format: string): DateKind | null {
  if (format.startsWith('YYYYMMDD')) return 'compact';
  if (format.includes('年')) return 'cjk';
  if (format.startsWith('MON')) return 'mond';
  if (/^D{1,2}[-\s/.]?MON/.test(format)) return 'dmon';
  if (/^D{1,2}[-/.]M{1,2}/.test(format)) return 'dmy';
  if (/^M{1,2}[-/.]D{1,2}/.test(format)) return 'mdy';
  if (/^YYYY[-/]M{1,2}$/.test(format)) return 'ym';
  if (/^YYYY[-/.]M{1,2}[-/.]D{1,2}/.test(format)) return 'ymd';
  return null;
}

/**
 * Parses a trimmed date cell written in `format` — a `dateFormat` label such
 * as `YYYY-MM-DD`, `YYYY/M/D`, `DD-MM-YYYY`, `MM/DD/YYYY`, `DD-MON-YY`,
 * `MON DD, YYYY`, `YYYYMMDD`, `YYYY年M月D日`, `YYYY-MM` (first of the month)
 * — to a day number (days since 1970-01-01 UTC, integer). A time of day after
 * the date is accepted and dropped. Returns NaN for an invalid date (e.g.
 * 2023-02-29). Throws on an unknown format label (a bug, not bad data).
 */
export function parseDayNumber(raw: string, format: string): number {
  const kind = dateKindOfFormat(format);
  if (kind === null) throw new Error(`Unknown date format label: ${format}`);
  return dateParser(kind)(raw.trim());
}

/** Name suggests a date (gates 8-digit `YYYYMMDD` integers). */
const DATE_NAME = /date|day|time|日期|时间|(^|[^a-z])dt([^a-z]|$)|^dt|[a-z]Dt|period/i;

/** Evidence gathered while classifying distinct values as dates. */
interface DateTally {
  cells: Record<DateKind | 'numeric', number>;
  /** numeric form: cells whose first / second field exceeds 12. */
  firstOver12: number;
  secondOver12: number;
  sepCells: Record<string, number>;
  twoDigitYearCells: number;
  singleDigitMonth: boolean;
  singleDigitDay: boolean;
  time: '' | 'T' | ' ';
  seconds: boolean;
  dmonSep: string | null;
  mondSep: string | null;
}

const TIME_HAS_SECONDS = /:\d{2}:\d{2}/;

/** Checks an optional time tail and records its style in `t`; false when the tail is no time. */
function noteTime(t: DateTally, tail: string | undefined, checked = false): boolean {
  if (tail === undefined || tail === '') return true;
  if (!checked && !TIME_TAIL.test(tail)) return false;
  if (t.time === '') t.time = tail.charCodeAt(0) === 84 ? 'T' : ' ';
  if (!t.seconds && TIME_HAS_SECONDS.test(tail)) t.seconds = true;
  return true;
}

/** Records which layout `s` (held by `count` cells) has, if any, in `t`; returns the layout or null. */
function classifyDate(s: string, count: number, t: DateTally): DateKind | 'numeric' | null {
  const c0 = s.charCodeAt(0);
  const isDigit = c0 >= 48 && c0 <= 57;
  if (!isDigit) {
    const m = MOND_DATE.exec(s);
    if (m !== null && !Number.isNaN(monthFromName(m[1] ?? '')) && noteTime(t, m[5])) {
      if (t.mondSep === null) t.mondSep = m[2] ?? '';
      return 'mond';
    }
    return null;
  }
  if (s.length >= 6 && digitAt(s, 1) >= 0 && digitAt(s, 2) >= 0 && digitAt(s, 3) >= 0) {
    const c4 = s.charCodeAt(4);
    if (c4 === 45 || c4 === 47 || c4 === 46) {
      if (!Number.isNaN(parseYmd(s))) {
        const singleMonth = s.charCodeAt(6) === c4;
        const dayAt = singleMonth ? 7 : 8;
        const singleDay = digitAt(s, dayAt + 1) < 0;
        if (singleMonth) t.singleDigitMonth = true;
        if (singleDay) t.singleDigitDay = true;
        const tailAt = dayAt + (singleDay ? 1 : 2);
        if (tailAt < s.length) noteTime(t, s.slice(tailAt), true);
        return 'ymd';
      }
      if (YM_DATE.test(s)) return 'ym';
      return null;
    }
    if (s.length === 8 && /^\d{8}$/.test(s)) return 'compact';
    if (s.includes('年')) {
      const m = CJK_DATE.exec(s);
      return m !== null && noteTime(t, m[4]?.trim() === '' ? '' : m[4]) ? 'cjk' : null;
    }
  }
  let m = NUMERIC_DATE.exec(s);
  if (m !== null) {
    if (!noteTime(t, m[5])) return null;
    return 'numeric';
  }
  m = DMON_DATE.exec(s);
  if (m !== null && !Number.isNaN(monthFromName(m[3] ?? '')) && noteTime(t, m[5])) {
    if (t.dmonSep === null) t.dmonSep = m[2] ?? '';
    if ((m[4] ?? '').length === 2) t.twoDigitYearCells += count;
    return 'dmon';
  }
  return null;
}

/** Result of type inference for one column. */
export interface TypeInference {
  readonly type: ColumnType;
  /** For dates: the label of the layout read, e.g. `YYYY-MM-DD`, `DD-MM-YYYY`, `DD-MON-YY`. */
  readonly dateFormat?: string;
  /**
   * Converts one trimmed, non-missing cell to the stored number; NaN when it
   * cannot (the cell is then unparseable). Dates → day number; booleans → 0/1;
   * percent → fraction (`15%` → 0.15, a bare `15` in a percent column → 0.15);
   * currency → amount. Always NaN for category, id, text and empty columns
   * (they are stored as dictionary codes).
   */
  readonly parse: (raw: string) => number;
}

/** Input of {@link inferColumnType}. */
export interface ColumnInferenceInput {
  /** Column name after renaming (used for hints: `*_id`, `is_*`, `date` …). */
  readonly name: string;
  /** Distinct non-missing raw strings, already trimmed. */
  readonly distinct: readonly string[];
  /** `counts[i]` = number of cells holding `distinct[i]`. */
  readonly counts: readonly number[];
  /** Non-missing cells; at least the sum of `counts` (more when the dictionary was capped). */
  readonly nonMissing: number;
  /** All cells of the column, missing included. */
  readonly rowCount: number;
}

const NEVER = (): number => NaN;

function inferDate(input: ColumnInferenceInput, total: number): TypeInference | null {
  const { distinct, counts } = input;
  const allowedBad = total * (1 - PARSE_SHARE_THRESHOLD);
  const t: DateTally = {
    cells: { ymd: 0, dmy: 0, mdy: 0, numeric: 0, dmon: 0, mond: 0, compact: 0, cjk: 0, ym: 0 },
    firstOver12: 0,
    secondOver12: 0,
    sepCells: {},
    twoDigitYearCells: 0,
    singleDigitMonth: false,
    singleDigitDay: false,
    time: '',
    seconds: false,
    dmonSep: null,
    mondSep: null,
  };
  let bad = 0;
  for (let i = 0; i < distinct.length; i++) {
    const s = distinct[i] ?? '';
    const c = counts[i] ?? 0;
    const kind = classifyDate(s, c, t);
    if (kind === null) {
      bad += c;
      if (bad > allowedBad) return null;
      continue;
    }
    t.cells[kind] += c;
    if (kind === 'ymd') t.sepCells[s.charAt(4)] = (t.sepCells[s.charAt(4)] ?? 0) + c;
    if (kind === 'numeric') {
      const m = NUMERIC_DATE.exec(s);
      if (m !== null) {
        if (+(m[1] ?? '') > 12) t.firstOver12 += c;
        if (+(m[3] ?? '') > 12) t.secondOver12 += c;
        const sep = m[2] ?? '-';
        t.sepCells[sep] = (t.sepCells[sep] ?? 0) + c;
        if ((m[1] ?? '').length === 1) t.singleDigitDay = true; // refined below once the order is known
        if ((m[3] ?? '').length === 1) t.singleDigitMonth = true;
        if ((m[4] ?? '').length === 2) t.twoDigitYearCells += c;
      }
    }
  }
  let best: DateKind | 'numeric' = 'ymd';
  for (const k of Object.keys(t.cells) as (DateKind | 'numeric')[]) if (t.cells[k] > t.cells[best]) best = k;
  if (t.cells[best] === 0) return null;
  const sep = Object.entries(t.sepCells).sort((a, b) => b[1] - a[1])[0]?.[0] ?? '-';
  const timeLabel = t.time === '' ? '' : `${t.time}HH:mm${t.seconds ? ':ss' : ''}`;
  let kind: DateKind;
  let label: string;
  switch (best) {
    case 'numeric': {
      let dayFirst: boolean;
      if (t.firstOver12 > 0 && t.secondOver12 === 0) dayFirst = true;
      else if (t.secondOver12 > 0 && t.firstOver12 === 0) dayFirst = false;
      else if (t.firstOver12 > 0) dayFirst = t.firstOver12 >= t.secondOver12;
      else dayFirst = sep !== '/';
      kind = dayFirst ? 'dmy' : 'mdy';
      // singleDigitDay tracked the first field, singleDigitMonth the second.
      const first = t.singleDigitDay ? (dayFirst ? 'D' : 'M') : dayFirst ? 'DD' : 'MM';
      const second = t.singleDigitMonth ? (dayFirst ? 'M' : 'D') : dayFirst ? 'MM' : 'DD';
      const year = t.twoDigitYearCells * 2 > t.cells.numeric ? 'YY' : 'YYYY';
      label = `${first}${sep}${second}${sep}${year}${timeLabel}`;
      break;
    }
    case 'ymd':
      kind = 'ymd';
      label = `YYYY${sep}${t.singleDigitMonth ? 'M' : 'MM'}${sep}${t.singleDigitDay ? 'D' : 'DD'}${timeLabel}`;
      break;
    case 'dmon': {
      kind = 'dmon';
      const s = t.dmonSep ?? '-';
      label = `DD${s}MON${s}${t.twoDigitYearCells * 2 > t.cells.dmon ? 'YY' : 'YYYY'}${timeLabel}`;
      break;
    }
    case 'mond':
      kind = 'mond';
      label = (t.mondSep ?? ' ').trim() === '' ? 'MON DD, YYYY' : `MON${(t.mondSep ?? '-').charAt(0)}DD${(t.mondSep ?? '-').charAt(0)}YYYY`;
      label += timeLabel;
      break;
    case 'compact':
      if (!DATE_NAME.test(input.name)) return null;
      kind = 'compact';
      label = 'YYYYMMDD';
      break;
    case 'cjk':
      kind = 'cjk';
      label = `YYYY年M月D日${timeLabel}`;
      break;
    case 'ym':
      kind = 'ym';
      label = 'YYYY-MM';
      break;
    default:
      return null;
  }
  const parse = dateParser(kind);
  // `YYYYMMDD` must be valid everywhere: an 8-digit integer column with one odd value is no date.
  const need = kind === 'compact' ? total : total * PARSE_SHARE_THRESHOLD;
  if (parsedCells(distinct, counts, parse) < need) return null;
  return { type: 'date', dateFormat: label, parse };
}

/** Sum of counts of the distinct values that `parse` reads. */
function parsedCells(distinct: readonly string[], counts: readonly number[], parse: (raw: string) => number): number {
  let ok = 0;
  for (let i = 0; i < distinct.length; i++) {
    if (!Number.isNaN(parse(distinct[i] ?? ''))) ok += counts[i] ?? 0;
  }
  return ok;
}

// ---------------------------------------------------------------------------
// Booleans
// ---------------------------------------------------------------------------

/** lower-case token → [family, value]. Families: 0/1, yes/no, y/n, true/false, 是/否, t/f. */
const BOOL_TOKENS: ReadonlyMap<string, readonly [number, 0 | 1]> = new Map([
  ['0', [0, 0]],
  ['1', [0, 1]],
  ['0.0', [0, 0]],
  ['1.0', [0, 1]],
  ['no', [1, 0]],
  ['yes', [1, 1]],
  ['n', [2, 0]],
  ['y', [2, 1]],
  ['false', [3, 0]],
  ['true', [3, 1]],
  ['否', [4, 0]],
  ['是', [4, 1]],
  ['f', [5, 0]],
  ['t', [5, 1]],
]);
const ZERO_ONE_FAMILY = 0;
const TRUE_FALSE_FAMILY = 3;

function boolToken(s: string): readonly [number, 0 | 1] | undefined {
  return s.length > 5 ? undefined : (BOOL_TOKENS.get(s) ?? BOOL_TOKENS.get(s.toLowerCase()));
}

const BOOL_NAME_CAMEL = /^(?:is|has|was|can|did|does|should|will)[A-Z]/;

/** Name suggests a yes/no flag (`is_x`, `hasX`, `promo_flag`, `是否…`). */
function isBoolName(name: string): boolean {
  // The `i` flag would let `^is[A-Z]` match "island"; check the camelCase form without it.
  return BOOL_NAME_CAMEL.test(name) || /^(?:is|has|was|can|did|does|should|will)[_\s.-]/i.test(name) || /flag|(?:^|[_\s.-])(?:yn|bool)(?:$|[_\s.-])|是否/i.test(name);
}

/** Boolean parse: 1 for 1/yes/y/true/是/t, 0 for their opposites (case-insensitive), else NaN. */
function parseBoolean(s: string): number {
  if (s === '1') return 1;
  if (s === '0') return 0;
  return boolToken(s)?.[1] ?? NaN;
}

function inferBoolean(input: ColumnInferenceInput, total: number): TypeInference | null {
  const { distinct, counts } = input;
  if (distinct.length > 12) {
    // Quick exit: a boolean column has 1–2 values plus a little junk.
    let top = 0;
    for (const c of counts) if (c > top) top = c;
    if (top < total * 0.3) return null;
  }
  const famCells = [0, 0, 0, 0, 0, 0];
  const famSeen = [0, 0, 0, 0, 0, 0]; // bit 1: saw 0, bit 2: saw 1
  let otherNumeric = false;
  for (let i = 0; i < distinct.length; i++) {
    const s = distinct[i] ?? '';
    const tok = boolToken(s);
    if (tok === undefined) {
      if (!Number.isNaN(PLAIN_US(s))) otherNumeric = true;
      continue;
    }
    famCells[tok[0]] = (famCells[tok[0]] ?? 0) + (counts[i] ?? 0);
    famSeen[tok[0]] = (famSeen[tok[0]] ?? 0) | (tok[1] === 1 ? 2 : 1);
  }
  let fam = 0;
  for (let f = 1; f < famCells.length; f++) if ((famCells[f] ?? 0) > (famCells[fam] ?? 0)) fam = f;
  const cells = famCells[fam] ?? 0;
  if (cells === 0 || cells < total * PARSE_SHARE_THRESHOLD) return null;
  // 0/1 next to other numbers is an integer column.
  if (fam === ZERO_ONE_FAMILY && otherNumeric) return null;
  const both = famSeen[fam] === 3;
  if (!both && fam !== ZERO_ONE_FAMILY && fam !== TRUE_FALSE_FAMILY && !isBoolName(input.name)) return null;
  return { type: 'boolean', parse: parseBoolean };
}

// ---------------------------------------------------------------------------
// Numeric columns and numeric-looking ids
// ---------------------------------------------------------------------------

/** Generic id names: `id`, `*_id`, `LocationID`, `userId`, `id_*`. */
function isIdName(name: string): boolean {
  return /(?:^|[^A-Za-z])id$/i.test(name) || /[a-z](?:ID|Id)$/.test(name) || /^id[^A-Za-z]/i.test(name) || isStrongIdName(name) || /(?:^|[^\x20-\x7e])ID$/.test(name);
}

/** Names that are ids whatever their cardinality: UPC, SKU, EAN, GTIN, ISBN, 编号, 条码. */
function isStrongIdName(name: string): boolean {
  return /(?:^|[^A-Za-z])(?:upc|sku|ean|gtin|isbn)(?:[^A-Za-z]|$)|^(?:upc|sku|ean|gtin|isbn)|(?:upc|sku|ean|gtin|isbn)$|编号|条码|编码/i.test(name);
}

function inferNumeric(input: ColumnInferenceInput, total: number): TypeInference | null {
  const { distinct, counts } = input;
  const allowedBad = total * (1 - PARSE_SHARE_THRESHOLD);
  // One pass per reading (US decimal point, European decimal comma); the
  // European one only when some value has a comma and the US one lost cells.
  const tally = (eu: boolean) => {
    let bad = 0;
    let sawComma = false;
    let plainCells = 0;
    let currencyCells = 0;
    let percentCells = 0;
    let allInteger = true;
    for (let i = 0; i < distinct.length; i++) {
      const s = distinct[i] ?? '';
      const c = counts[i] ?? 0;
      const v = scanNumber(s, eu, false);
      if (Number.isNaN(v)) {
        if (!sawComma && s.indexOf(',') >= 0) sawComma = true;
        bad += c;
        // Without commas the European reading cannot do better: stop early.
        if (bad > allowedBad && (eu || !sawComma)) return null;
        continue;
      }
      if (scanFlags === 0) {
        plainCells += c;
        if (allInteger && !Number.isInteger(v)) allInteger = false;
      } else if (scanFlags === F_CURRENCY) currencyCells += c;
      else if (scanFlags === F_PERCENT) percentCells += c;
      if (!sawComma && s.indexOf(',') >= 0) sawComma = true;
    }
    return { eu, bad, sawComma, plainCells, currencyCells, percentCells, allInteger };
  };
  let best = tally(false);
  if (best === null || (best.sawComma && best.bad > 0)) {
    const europe = tally(true);
    if (europe !== null && (best === null || europe.bad < best.bad)) best = europe;
  }
  if (best === null || best.bad > allowedBad) return null;
  const { eu, plainCells, currencyCells, percentCells, allInteger } = best;
  const need = total * PARSE_SHARE_THRESHOLD;
  if (plainCells >= need) {
    if (allInteger && isNumericId(input)) return { type: 'id', parse: NEVER };
    return { type: allInteger ? 'integer' : 'number', parse: numberParser('plain', eu) };
  }
  if (plainCells + currencyCells >= need && currencyCells > 0) return { type: 'currency', parse: numberParser('currency', eu) };
  if (plainCells + percentCells >= need && percentCells > 0) return { type: 'percent', parse: numberParser('percent', eu) };
  return null;
}

/**
 * An integer column that is an identifier: every value is a digit string and
 * (a) some value has a leading zero (zip codes, `007`), or (b) the name is
 * UPC/SKU/…, or (c) the name is an id name and values are many (> CATEGORY_MAX_DISTINCT)
 * or mostly distinct, or (d) values have ≥ 12 digits, or ≥ 10 digits and are mostly distinct.
 */
function isNumericId(input: ColumnInferenceInput): boolean {
  const { distinct, name } = input;
  let leadingZero = false;
  let minDigits = Infinity;
  for (const s of distinct) {
    const n = s.length;
    let digits = 0;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 48 && c <= 57) digits++;
    }
    if (digits !== n) {
      // Junk tolerated by the threshold is not a digit string; numbers with signs, separators or decimals are not ids.
      if (!Number.isNaN(PLAIN_US(s))) return false;
      continue;
    }
    if (n >= 3 && s.charCodeAt(0) === 48) leadingZero = true;
    if (n < minDigits) minDigits = n;
  }
  if (minDigits === Infinity) return false;
  const distinctShare = distinct.length / Math.max(1, input.nonMissing);
  if (leadingZero) return true;
  if (isStrongIdName(name)) return true;
  if (isIdName(name) && (distinct.length > CATEGORY_MAX_DISTINCT || distinctShare >= 0.5)) return true;
  if (minDigits >= 12) return true;
  return minDigits >= 10 && distinctShare >= 0.5;
}

// ---------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------

function inferStrings(input: ColumnInferenceInput): ColumnType {
  const { distinct } = input;
  const d = distinct.length;
  const share = d / Math.max(1, input.nonMissing);
  let maxLen = 0;
  let withSpace = 0;
  for (const s of distinct) {
    if (s.length > maxLen) maxLen = s.length;
    if (/\s/.test(s)) withSpace++;
  }
  const spaceShare = withSpace / Math.max(1, d);
  if ((d <= CATEGORY_MAX_DISTINCT || share <= CATEGORY_MAX_SHARE) && maxLen <= CATEGORY_MAX_LENGTH) return 'category';
  if (spaceShare <= 1 - PARSE_SHARE_THRESHOLD) {
    if (share >= ID_UNIQUE_SHARE || isIdName(input.name)) return 'id';
  }
  if (maxLen > CATEGORY_MAX_LENGTH || (spaceShare >= 0.5 && share >= 0.5)) return 'text';
  return share >= ID_UNIQUE_SHARE ? 'text' : 'category';
}

// ---------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------

/**
 * Infers a column's type from its distinct non-missing values and their
 * counts, and returns the per-cell `parse` for that type. A type wins when at
 * least {@link PARSE_SHARE_THRESHOLD} of the non-missing cells (by count)
 * parse as it; the rest are unparseable.
 *
 * Order: empty → boolean → date → numeric (integer/number/currency/percent;
 * digit-string ids such as UPCs and zip codes become `id`) → category / id /
 * text. See the module constants for the cut-offs. `dateFormat` is set for
 * dates only.
 */
export function inferColumnType(input: ColumnInferenceInput): TypeInference {
  const { distinct, counts } = input;
  let total = 0;
  for (let i = 0; i < distinct.length; i++) total += counts[i] ?? 0;
  if (distinct.length === 0 || total === 0) return { type: 'empty', parse: NEVER };
  return (
    inferBoolean(input, total) ??
    inferDate(input, total) ??
    inferNumeric(input, total) ?? { type: inferStrings(input), parse: NEVER }
  );
}
