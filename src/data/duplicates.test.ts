import { describe, expect, it } from 'vitest';
import { findDuplicateRows } from './duplicates';
import type { TypedColumn, TypedTable } from './types';

const numeric = (name: string, values: readonly number[]): TypedColumn => ({
  name,
  type: 'number',
  data: { storage: 'numeric', values: Float64Array.from(values) },
});
const coded = (name: string, codes: readonly number[]): TypedColumn => ({
  name,
  type: 'category',
  data: { storage: 'coded', codes: Int32Array.from(codes), vocab: ['x', 'y', 'z'] },
});
const table = (...columns: TypedColumn[]): TypedTable => ({
  rowCount: columns[0]?.data.storage === 'coded' ? columns[0].data.codes.length : (columns[0]?.data.values.length ?? 0),
  columns,
});
/** Spreadsheet rows 2, 3, … (no blank rows skipped). */
const rows = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i + 2);

describe('findDuplicateRows', () => {
  it.each([
    ['an empty table', table(numeric('a', [])), rows(0), 0, []],
    ['no repeats', table(numeric('a', [1, 2, 3]), coded('b', [0, 0, 0])), rows(3), 0, []],
    ['one repeat', table(numeric('a', [1, 2, 1]), coded('b', [0, 1, 0])), rows(3), 1, [{ row: 4, value: 'same as row 2' }]],
    ['equal in one column only', table(numeric('a', [1, 1, 1]), coded('b', [0, 1, 2])), rows(3), 0, []],
    [
      'missing equals missing',
      table(numeric('a', [NaN, 2, NaN]), coded('b', [-1, 0, -1])),
      rows(3),
      1,
      [{ row: 4, value: 'same as row 2' }],
    ],
    ['missing is not a value', table(numeric('a', [NaN, 0]), coded('b', [-1, 0])), rows(2), 0, []],
    ['-0 equals 0', table(numeric('a', [0, -0]), coded('b', [1, 1])), rows(2), 1, [{ row: 3, value: 'same as row 2' }]],
    [
      'a third copy names the first',
      table(numeric('a', [5, 5, 6, 5])),
      rows(4),
      2,
      [
        { row: 3, value: 'same as row 2' },
        { row: 5, value: 'same as row 2' },
      ],
    ],
    [
      'row numbers with blank rows skipped',
      table(coded('a', [0, 1, 0, 1])),
      Int32Array.from([2, 5, 6, 9]),
      2,
      [
        { row: 6, value: 'same as row 2' },
        { row: 9, value: 'same as row 5' },
      ],
    ],
    [
      'the first five by row',
      table(numeric('a', [1, 2, 3, 1, 2, 3, 1, 2, 3]), coded('b', [0, 1, 2, 0, 1, 2, 0, 1, 2])),
      rows(9),
      6,
      [
        { row: 5, value: 'same as row 2' },
        { row: 6, value: 'same as row 3' },
        { row: 7, value: 'same as row 4' },
        { row: 8, value: 'same as row 2' },
        { row: 9, value: 'same as row 3' },
      ],
    ],
  ] as const)('%s', (_label, t, rowNumbers, count, examples) => {
    expect(findDuplicateRows(t, rowNumbers)).toEqual({ count, examples });
  });

  it('counts repeats in a large table by value, not by hash', () => {
    // 30,000 rows over 10,000 distinct (a, b, c) combinations: 20,000 repeats.
    const n = 30_000;
    const a = Array.from({ length: n }, (_, i) => (i % 10_000) * 0.5);
    const b = Array.from({ length: n }, (_, i) => (i % 10_000) % 3);
    const c = Array.from({ length: n }, (_, i) => (i % 10_000 === 7 ? NaN : Math.floor((i % 10_000) / 100)));
    const result = findDuplicateRows(table(numeric('a', a), coded('b', b), numeric('c', c)), rows(n));
    expect(result.count).toBe(20_000);
    expect(result.examples[0]).toEqual({ row: 10_002, value: 'same as row 2' });
    expect(result.examples.map((e) => e.row)).toEqual([10_002, 10_003, 10_004, 10_005, 10_006]);
  });
});
