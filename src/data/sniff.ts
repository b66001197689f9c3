/**
 * Sniffing the head of a dropped file before parsing: text encoding, whether
 * it is a spreadsheet or other binary instead of CSV, and the delimiter.
 *
 * Pure TypeScript: no DOM, no Node APIs.
 */

/** Encodings the data worker hands to `TextDecoder`. */
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030' | 'windows-1252';

/** What {@link detectEncoding} found. */
export interface EncodingGuess {
  readonly encoding: TextEncodingName;
  /** Bytes of byte-order mark at the start of the file (0, 2 or 3) to skip before decoding. */
  readonly bomLength: number;
}

/**
 * Validates `bytes` as UTF-8 (no overlong forms, no surrogates, nothing above
 * U+10FFFF). With `allowTruncatedEnd`, a multi-byte sequence cut off by the
 * end of `bytes` counts as valid when what is there is a valid prefix (the
 * head of a file is cut at an arbitrary byte).
 */
export function isValidUtf8(bytes: Uint8Array, allowTruncatedEnd = true): boolean {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0; // overlong
      else if (b === 0xed) hi = 0x9f; // surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90; // overlong
      else if (b === 0xf4) hi = 0x8f; // > U+10FFFF
    } else return false;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return allowTruncatedEnd;
      const c = bytes[i + k] ?? 0;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return false;
    }
    i += need + 1;
  }
  return true;
}

/**
 * BOM-less UTF-16 of mostly ASCII text: NUL in every other byte. Returns the
 * byte order, or null. Looks at up to the first 4096 bytes.
 */
function utf16Pattern(head: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const n = Math.min(head.length, 4096) & ~1;
  if (n < 4) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  const half = n / 2;
  if (oddNul >= half * 0.4 && evenNul <= half * 0.05) return 'utf-16le';
  if (evenNul >= half * 0.4 && oddNul <= half * 0.05) return 'utf-16be';
  return null;
}

/**
 * Scores non-UTF-8 bytes as GBK/GB18030 against Windows-1252. GBK text
 * (Chinese Excel exports) has its high bytes in pairs, the second byte mostly
 * ≥ 0x80; Latin text has single high bytes next to ASCII or punctuation.
 */
function looksGbk(head: Uint8Array): boolean {
  const n = head.length;
  let gbk = 0;
  let latin = 0;
  let i = 0;
  while (i < n) {
    const b = head[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    if (b === 0x80 || b === 0xff) {
      latin++;
      i++;
      continue;
    }
    if (i + 1 >= n) break; // cut at the end of the head
    const b2 = head[i + 1] ?? 0;
    if (b2 >= 0x80 && b2 <= 0xfe) {
      gbk++;
      i += 2;
    } else if (b2 >= 0x40 && b2 <= 0x7e) {
      latin++; // valid GBK, but also "é" + ASCII letter
      i += 2;
    } else if (b2 >= 0x30 && b2 <= 0x39 && i + 3 < n && (head[i + 2] ?? 0) >= 0x81 && (head[i + 3] ?? 0) >= 0x30 && (head[i + 3] ?? 0) <= 0x39) {
      gbk++; // GB18030 four-byte sequence
      i += 4;
    } else {
      latin++;
      i++;
    }
  }
  return gbk >= latin;
}

/**
 * Guesses the text encoding of a file from its first bytes (a few KiB are
 * enough; 64 KiB is plenty). A BOM decides: EF BB BF → UTF-8, FF FE →
 * UTF-16LE, FE FF → UTF-16BE. Without one: mostly-ASCII UTF-16 is recognised
 * by its NUL pattern; otherwise the head is validated as UTF-8 (a sequence cut
 * at the very end is fine); invalid UTF-8 is GB18030 (a superset of GBK,
 * what Excel on Chinese Windows writes) unless its high bytes look like
 * single Latin letters, then Windows-1252 (Excel on Western Windows).
 */
export function detectEncoding(head: Uint8Array): EncodingGuess {
  const b0 = head[0];
  const b1 = head[1];
  if (b0 === 0xef && b1 === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (b0 === 0xff && b1 === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  const utf16 = utf16Pattern(head);
  if (utf16 !== null) return { encoding: utf16, bomLength: 0 };
  if (isValidUtf8(head)) return { encoding: 'utf-8', bomLength: 0 };
  return { encoding: looksGbk(head) ? 'gb18030' : 'windows-1252', bomLength: 0 };
}

function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  if (head.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (head[i] !== magic[i]) return false;
  return true;
}

const OTHER_BINARY_MAGIC: readonly (readonly number[])[] = [
  [0x25, 0x50, 0x44, 0x46], // %PDF
  [0x1f, 0x8b], // gzip
  [0x89, 0x50, 0x4e, 0x47], // PNG
  [0xff, 0xd8, 0xff], // JPEG
  [0x50, 0x41, 0x52, 0x31], // PAR1 (Parquet)
  [0x37, 0x7a, 0xbc, 0xaf], // 7z
  [0x52, 0x61, 0x72, 0x21], // Rar!
];

/**
 * Says whether the head of a file is not CSV text: `'xlsx'` for a ZIP
 * container (`PK\x03\x04`, as .xlsx/.ods/.zip are), `'xls'` for an OLE2
 * compound file (`D0 CF 11 E0`, old Excel), `'binary'` for other known binary
 * signatures or, in data that is not UTF-16, ≥ 1 % NUL bytes or ≥ 10 % other
 * control bytes. Returns null for text.
 */
export function looksBinary(head: Uint8Array): 'xlsx' | 'xls' | 'binary' | null {
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return 'xlsx';
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0])) return 'xls';
  for (const magic of OTHER_BINARY_MAGIC) if (startsWith(head, magic)) return 'binary';
  const enc = detectEncoding(head).encoding;
  if (enc === 'utf-16le' || enc === 'utf-16be') return null;
  const n = head.length;
  if (n === 0) return null;
  let nul = 0;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = head[i] ?? 0;
    if (b === 0) nul++;
    else if (b < 9 || (b > 13 && b < 32 && b !== 27)) control++;
  }
  if (nul / n >= 0.01 || control / n >= 0.1) return 'binary';
  return null;
}

/** Field delimiters Promocast accepts. */
export type Delimiter = ',' | ';' | '\t' | '|';

/** Candidates in order of preference when everything else ties. */
export const DELIMITER_CANDIDATES: readonly Delimiter[] = [',', ';', '\t', '|'];

/** Records (lines) of the sample {@link detectDelimiter} looks at. */
export const DELIMITER_SAMPLE_LINES = 50;

/**
 * Field count of each record of `sample` when split on `delim`, following CSV
 * quoting (a field that starts with `"` runs to the closing quote, `""` is an
 * escaped quote, delimiters and newlines inside are data). Blank lines are
 * skipped; a last record cut off by the end of the sample is dropped.
 */
function fieldCounts(sample: string, delim: number, maxRecords: number): number[] {
  const out: number[] = [];
  const n = sample.length;
  let i = 0;
  while (i < n && out.length < maxRecords) {
    let fields = 1;
    let fieldStart = true;
    let inQuotes = false;
    let empty = true;
    let ended = false;
    while (i < n) {
      const c = sample.charCodeAt(i);
      if (inQuotes) {
        if (c === 34) {
          if (sample.charCodeAt(i + 1) === 34) i++;
          else inQuotes = false;
        }
        i++;
        continue;
      }
      if (c === 10 || c === 13) {
        i++;
        if (c === 13 && sample.charCodeAt(i) === 10) i++;
        ended = true;
        break;
      }
      empty = false;
      if (c === delim) {
        fields++;
        fieldStart = true;
      } else {
        if (c === 34 && fieldStart) inQuotes = true;
        fieldStart = false;
      }
      i++;
    }
    if (!ended && out.length > 0) break; // truncated last record
    if (!empty) out.push(fields);
  }
  return out;
}

/** Every comma outside quotes sits between two digits (decimal commas, `1,5;2,75`). */
function commasAreDecimal(sample: string): boolean {
  let inQuotes = false;
  let sawComma = false;
  const n = sample.length;
  for (let i = 0; i < n; i++) {
    const c = sample.charCodeAt(i);
    if (c === 34) inQuotes = !inQuotes;
    else if (c === 44 && !inQuotes) {
      sawComma = true;
      const a = sample.charCodeAt(i - 1);
      const b = sample.charCodeAt(i + 1);
      if (!(a >= 48 && a <= 57 && b >= 48 && b <= 57)) return false;
    }
  }
  return sawComma;
}

/**
 * Picks the field delimiter from the start of a decoded file (a few KiB; the
 * first {@link DELIMITER_SAMPLE_LINES} records are used, quotes respected).
 * For each candidate it takes the most common field count per record; a
 * candidate counts only if that count is > 1. The winner has the largest
 * share of records with that count; ties go to more fields, then to the
 * order of {@link DELIMITER_CANDIDATES}. When every comma is a decimal comma
 * between digits, `,` loses to any other consistent candidate. Returns `,`
 * when nothing splits the lines (a single-column file).
 */
export function detectDelimiter(sample: string): Delimiter {
  interface Score {
    delim: Delimiter;
    consistency: number;
    fields: number;
  }
  const scores: Score[] = [];
  for (const delim of DELIMITER_CANDIDATES) {
    const counts = fieldCounts(sample, delim.charCodeAt(0), DELIMITER_SAMPLE_LINES);
    if (counts.length === 0) continue;
    const freq = new Map<number, number>();
    for (const c of counts) freq.set(c, (freq.get(c) ?? 0) + 1);
    let mode = 1;
    let modeFreq = 0;
    for (const [c, f] of freq) {
      if (f > modeFreq || (f === modeFreq && c > mode)) {
        mode = c;
        modeFreq = f;
      }
    }
    if (mode > 1) scores.push({ delim, consistency: modeFreq / counts.length, fields: mode });
  }
  let candidates = scores;
  const comma = scores.find((s) => s.delim === ',');
  if (comma !== undefined && scores.some((s) => s.delim !== ',' && s.consistency >= comma.consistency) && commasAreDecimal(sample)) {
    candidates = scores.filter((s) => s.delim !== ',');
  }
  let best: Score | undefined;
  for (const s of candidates) {
    if (best === undefined || s.consistency > best.consistency + 1e-9 || (Math.abs(s.consistency - best.consistency) <= 1e-9 && s.fields > best.fields)) best = s;
  }
  return best?.delim ?? ',';
}
