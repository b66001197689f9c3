import { inferColumnType, isMissingToken, type TypeInference } from './infer';
import { NUMERIC_TYPES, type CellExample, type ColumnType, type StoredValues } from './types';

/**
 * Distinct values kept per column before a numeric-looking column switches
 * to parsing each cell directly. Dictionary mode is what makes type
 * inference cheap (it runs over distinct values, not rows).
 */
export const DICTIONARY_LIMIT = 50_000;
/** Distinct strings kept for a non-numeric column; later new values become {@link OTHER_VALUE}. */
export const TEXT_DICTIONARY_LIMIT = 500_000;
/** The vocabulary entry that stands for values beyond {@link TEXT_DICTIONARY_LIMIT}. */
export const OTHER_VALUE = '(other)';
const MAX_EXAMPLES = 5;
/** Raw spellings remembered by {@link ColumnBuilder.pushRange}; beyond this, new ones are not cached. */
const RAW_CACHE_LIMIT = 2 * DICTIONARY_LIMIT;

/** What a finished column builder hands over. */
export interface BuiltColumn {
  readonly type: ColumnType;
  readonly data: StoredValues;
  readonly dateFormat?: string;
  readonly missingCount: number;
  readonly unparseableCount: number;
  readonly unparseableExamples: readonly CellExample[];
  readonly distinctCount: number;
  readonly distinctCapped: boolean;
  /** Raw distinct values and counts (dictionary columns), for top values. */
  readonly dictionary: { readonly values: readonly string[]; readonly counts: Int32Array } | null;
  readonly examples: readonly string[];
}

function grow<T extends Int32Array | Float64Array>(array: T, need: number): T {
  if (need <= array.length) return array;
  let size = Math.max(1024, array.length * 2);
  while (size < need) size *= 2;
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array);
  return next;
}

function trimCell(raw: string): string {
  const n = raw.length;
  if (n === 0) return raw;
  // Most cells carry no padding: test the ends before paying for trim().
  const a = raw.charCodeAt(0);
  const b = raw.charCodeAt(n - 1);
  return a <= 32 || b <= 32 || a === 0xa0 || b === 0xa0 || a === 0x3000 || b === 0x3000 ? raw.trim() : raw;
}

/**
 * Builds one typed column from streamed cells. Starts dictionary-encoded;
 * a numeric column with more than {@link DICTIONARY_LIMIT} distinct values
 * switches to a Float64Array filled by the inferred parser.
 */
export class ColumnBuilder {
  readonly name: string;
  private mode: 'dictionary' | 'numeric' = 'dictionary';
  private readonly index = new Map<string, number>();
  private readonly distinct: string[] = [];
  private counts = new Int32Array(64);
  private codes = new Int32Array(1024);
  private values = new Float64Array(0);
  private parse: ((raw: string) => number) | null = null;
  private inference: TypeInference | null = null;
  private length = 0;
  private missing = 0;
  private unparseable = 0;
  private readonly unparseableExamples: CellExample[] = [];
  private readonly examples: string[] = [];
  private overflowed = false;
  // pushRange's cache: raw (untrimmed) cell text → its code, or -1 for a
  // missing token. Open addressing over FNV-1a hashes of the characters, so a
  // value seen before costs no string allocation. Valid while the column is
  // a dictionary that has not overflowed: only then is a raw value's code fixed.
  private rawKeys: string[] = [];
  private rawHashes = new Int32Array(64);
  private rawCodes = new Int32Array(64);
  private rawSlots = new Int32Array(256).fill(-1);
  private lastRaw: string | null = null;
  private lastCode = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** Appends one cell. `row` is the spreadsheet row number (header = 1). */
  push(raw: string, row: number): void {
    const i = this.length++;
    const cell = trimCell(raw);
    if (this.mode === 'numeric') {
      if (this.values.length <= i) this.values = grow(this.values, i + 1);
      if (isMissingToken(cell)) {
        this.values[i] = NaN;
        this.missing++;
        return;
      }
      const v = (this.parse as (raw: string) => number)(cell);
      this.values[i] = v;
      if (v !== v) this.noteUnparseable(cell, row);
      return;
    }
    if (this.codes.length <= i) this.codes = grow(this.codes, i + 1);
    if (isMissingToken(cell)) {
      this.codes[i] = -1;
      this.missing++;
      return;
    }
    let code = this.index.get(cell);
    if (code === undefined) {
      if (this.distinct.length >= DICTIONARY_LIMIT && this.switchToNumeric()) {
        this.length--;
        this.push(raw, row);
        return;
      }
      if (this.distinct.length >= TEXT_DICTIONARY_LIMIT) {
        code = this.otherCode();
      } else {
        code = this.distinct.length;
        this.distinct.push(cell);
        this.index.set(cell, code);
        if (this.counts.length <= code) this.counts = grow(this.counts, code + 1);
        if (this.examples.length < MAX_EXAMPLES) this.examples.push(cell);
      }
    }
    this.codes[i] = code;
    this.counts[code]!++;
  }

  /**
   * Appends the cell `text[start, end)`; the same as
   * `push(text.slice(start, end), row)`, without slicing when the raw text was
   * seen before (the usual case in a dictionary column). Numeric and
   * overflowed columns slice and push.
   */
  pushRange(text: string, start: number, end: number, row: number): void {
    if (this.mode === 'numeric' || this.overflowed) {
      this.push(text.slice(start, end), row);
      return;
    }
    const len = end - start;
    let code: number;
    const lastRaw = this.lastRaw;
    // Runs of one value (a category, a flag) are common in sorted exports.
    if (lastRaw !== null && lastRaw.length === len && text.startsWith(lastRaw, start)) {
      code = this.lastCode;
    } else {
      let hash = -2128831035; // FNV-1a offset basis 2166136261 as an int32
      for (let k = start; k < end; k++) hash = Math.imul(hash ^ text.charCodeAt(k), 16777619);
      const slots = this.rawSlots;
      const mask = slots.length - 1;
      let slot = hash & mask;
      let entry = slots[slot]!;
      while (entry >= 0) {
        const key = this.rawKeys[entry]!;
        if (this.rawHashes[entry] === hash && key.length === len && text.startsWith(key, start)) break;
        slot = (slot + 1) & mask;
        entry = slots[slot]!;
      }
      if (entry < 0) {
        this.pushNewRaw(text.slice(start, end), hash, slot, row);
        return;
      }
      code = this.rawCodes[entry]!;
      this.lastRaw = this.rawKeys[entry]!;
      this.lastCode = code;
    }
    const i = this.length++;
    if (this.codes.length <= i) this.codes = grow(this.codes, i + 1);
    this.codes[i] = code;
    if (code < 0) this.missing++;
    else this.counts[code]!++;
  }

  /** A raw value pushRange has not seen: `push` decides its code, then the cache learns it at `slot`. */
  private pushNewRaw(raw: string, hash: number, slot: number, row: number): void {
    const at = this.length;
    this.push(raw, row);
    if (this.mode === 'numeric' || this.overflowed) {
      this.rawKeys = [];
      this.rawHashes = new Int32Array(0);
      this.rawCodes = new Int32Array(0);
      this.rawSlots = new Int32Array(0);
      this.lastRaw = null;
      return;
    }
    const code = this.codes[at]!;
    this.lastRaw = raw;
    this.lastCode = code;
    const entry = this.rawKeys.length;
    if (entry >= RAW_CACHE_LIMIT) return;
    this.rawKeys.push(raw);
    this.rawHashes = grow(this.rawHashes, entry + 1);
    this.rawCodes = grow(this.rawCodes, entry + 1);
    this.rawHashes[entry] = hash;
    this.rawCodes[entry] = code;
    this.rawSlots[slot] = entry;
    if (2 * (entry + 1) > this.rawSlots.length) this.rehashRaw();
  }

  /** Doubles the slot table, keeping its load at most one half. */
  private rehashRaw(): void {
    const slots = new Int32Array(this.rawSlots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.rawKeys.length; entry++) {
      let slot = this.rawHashes[entry]! & mask;
      while (slots[slot]! >= 0) slot = (slot + 1) & mask;
      slots[slot] = entry;
    }
    this.rawSlots = slots;
  }

  /** Pads a short (ragged) row with a missing cell. */
  pushMissing(): void {
    this.push('', 0);
  }

  private otherCode(): number {
    this.overflowed = true;
    let code = this.index.get(OTHER_VALUE);
    if (code === undefined) {
      code = this.distinct.length;
      this.distinct.push(OTHER_VALUE);
      this.index.set(OTHER_VALUE, code);
      this.counts = grow(this.counts, code + 1);
    }
    return code;
  }

  private noteUnparseable(cell: string, row: number): void {
    this.unparseable++;
    if (this.unparseableExamples.length < MAX_EXAMPLES) this.unparseableExamples.push({ row, value: cell });
  }

  private infer(): TypeInference {
    const n = this.distinct.length;
    let nonMissing = 0;
    for (let k = 0; k < n; k++) nonMissing += this.counts[k]!;
    return inferColumnType({
      name: this.name,
      distinct: this.distinct,
      counts: Array.from(this.counts.subarray(0, n)),
      nonMissing,
      rowCount: this.length,
    });
  }

  /** Called when the dictionary is full: numeric columns move to direct parsing. */
  private switchToNumeric(): boolean {
    if (this.overflowed) return false;
    const inference = this.infer();
    if (!NUMERIC_TYPES.includes(inference.type) || inference.type === 'boolean') {
      this.overflowed = true; // stays a text/id dictionary; never asks again
      return false;
    }
    this.inference = inference;
    this.parse = inference.parse;
    this.values = new Float64Array(Math.max(1024, this.codes.length));
    this.fillValuesFromCodes(inference.parse, this.values, null);
    this.mode = 'numeric';
    this.index.clear();
    this.distinct.length = 0;
    this.codes = new Int32Array(0);
    return true;
  }

  /**
   * Maps dictionary codes to numbers with `parse`; counts dictionary values
   * that do not parse as unparseable, with example rows. `rowOf` maps a cell
   * index to its spreadsheet row (null: cell index + 2).
   */
  private fillValuesFromCodes(parse: (raw: string) => number, out: Float64Array, rowOf: ((i: number) => number) | null): void {
    const n = this.distinct.length;
    const lookup = new Float64Array(n);
    for (let k = 0; k < n; k++) lookup[k] = parse(this.distinct[k]!);
    for (let i = 0; i < this.length; i++) {
      const code = this.codes[i]!;
      if (code < 0) {
        out[i] = NaN;
        continue;
      }
      const v = lookup[code]!;
      out[i] = v;
      if (v !== v) this.noteUnparseable(this.distinct[code]!, rowOf ? rowOf(i) : i + 2);
    }
  }

  /** Row count so far. */
  get size(): number {
    return this.length;
  }

  /** Finishes the column: infers its type and coerces it. `rowOf` maps cell index → spreadsheet row. */
  finish(rowOf: (i: number) => number): BuiltColumn {
    const examples = this.examples.slice();
    if (this.mode === 'numeric') {
      const inference = this.inference as TypeInference;
      const values = this.values.slice(0, this.length);
      let type = inference.type;
      if (type === 'integer') {
        for (let i = 0; i < values.length; i++) {
          const v = values[i]!;
          if (v === v && !Number.isInteger(v)) {
            type = 'number';
            break;
          }
        }
      }
      return {
        type,
        data: { storage: 'numeric', values },
        ...(inference.dateFormat === undefined ? {} : { dateFormat: inference.dateFormat }),
        missingCount: this.missing,
        unparseableCount: this.unparseable,
        unparseableExamples: this.unparseableExamples.slice(),
        distinctCount: DICTIONARY_LIMIT,
        distinctCapped: true,
        dictionary: null,
        examples,
      };
    }
    const n = this.distinct.length;
    const counts = this.counts.slice(0, n);
    const dictionary = { values: this.distinct.slice(), counts };
    const inference = this.infer();
    const base = {
      missingCount: this.missing,
      distinctCount: n,
      distinctCapped: this.overflowed,
      dictionary,
      examples,
      ...(inference.dateFormat === undefined ? {} : { dateFormat: inference.dateFormat }),
    };
    if (NUMERIC_TYPES.includes(inference.type)) {
      const values = new Float64Array(this.length);
      this.fillValuesFromCodes(inference.parse, values, rowOf);
      return {
        ...base,
        type: inference.type,
        data: { storage: 'numeric', values },
        unparseableCount: this.unparseable,
        unparseableExamples: this.unparseableExamples.slice(),
      };
    }
    return {
      ...base,
      type: inference.type,
      data: { storage: 'coded', codes: this.codes.slice(0, this.length), vocab: dictionary.values },
      unparseableCount: 0,
      unparseableExamples: [],
    };
  }
}
