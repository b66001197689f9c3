import { describe, expect, it } from 'vitest';
import { appendTables, holdoutStart } from './append';
import type { TypedColumn, TypedTable } from './types';

const numeric = (name: string, values: number[], type: TypedColumn['type'] = 'number'): TypedColumn => ({ name, type, data: { storage: 'numeric', values: Float64Array.from(values) } });
const coded = (name: string, vocab: string[], codes: number[]): TypedColumn => ({ name, type: 'category', data: { storage: 'coded', vocab, codes: Int32Array.from(codes) } });
const table = (...columns: TypedColumn[]): TypedTable => ({ rowCount: columns[0]!.data.storage === 'numeric' ? columns[0]!.data.values.length : columns[0]!.data.codes.length, columns });
const rows = (n: number, from = 2) => Int32Array.from({ length: n }, (_, i) => from + i);

const older = table(numeric('day', [1, 1, 2, 2], 'date'), coded('segment', ['a', 'b'], [0, 1, 0, 1]), numeric('y', [10, 20, 30, 40]));
const keys = { time: 'day', series: ['segment'] };

describe('appendTables', () => {
  it('appends new rows, replaces overlapping ones and merges vocabularies', () => {
    const newer = table(numeric('day', [2, 3, 3], 'date'), coded('segment', ['b', 'c'], [0, 0, 1]), numeric('y', [41, 50, 60]));
    const r = appendTables(older, rows(4), newer, rows(3), keys);
    if (!r.ok) throw new Error(r.reason.code);
    const { table: merged, appended, overlaps, newFrom, newTo } = r.data;
    expect({ appended, overlaps, newFrom, newTo, rowCount: merged.rowCount }).toEqual({ appended: 2, overlaps: 1, newFrom: 2, newTo: 3, rowCount: 6 });
    const seg = merged.columns[1]!.data;
    if (seg.storage !== 'coded') throw new Error('coded');
    expect(Array.from(seg.codes, (c) => seg.vocab[c])).toEqual(['a', 'b', 'a', 'b', 'b', 'c']);
    const y = merged.columns[2]!.data;
    if (y.storage !== 'numeric') throw new Error('numeric');
    // Day 2 / b (40) is replaced by the newer 41.
    expect(Array.from(y.values)).toEqual([10, 20, 30, 41, 50, 60]);
    expect(Array.from(r.data.rowNumbers)).toEqual([2, 3, 4, 2, 3, 4]);
  });

  it.each([
    { name: 'a missing column', newer: table(numeric('day', [3], 'date'), coded('segment', ['a'], [0])), code: 'appendMissingColumn', params: { column: 'y' } },
    { name: 'numbers became text', newer: table(numeric('day', [3], 'date'), coded('segment', ['a'], [0]), coded('y', ['high'], [0])), code: 'appendTypeChanged', params: { column: 'y', was: 'number', now: 'category' } },
    { name: 'no rows', newer: { rowCount: 0, columns: [] }, code: 'appendNoRows', params: {} },
  ])('refuses $name', ({ newer, code, params }) => {
    const r = appendTables(older, rows(4), newer, rows(newer.rowCount), keys);
    expect(r.ok ? null : r.reason).toEqual({ code, params });
  });

  it('ignores extra columns and names them', () => {
    const newer = table(numeric('day', [3], 'date'), coded('segment', ['a'], [0]), numeric('y', [1]), numeric('extra', [5]));
    const r = appendTables(older, rows(4), newer, rows(1), keys);
    expect(r.ok && r.data.ignoredColumns).toEqual(['extra']);
  });

  it('without a time column appends everything (nothing overlaps)', () => {
    const r = appendTables(older, rows(4), table(numeric('day', [1], 'date'), coded('segment', ['a'], [0]), numeric('y', [9])), rows(1), { time: null, series: [] });
    expect(r.ok && [r.data.appended, r.data.overlaps, r.data.table.rowCount]).toEqual([1, 0, 5]);
  });
});

describe('holdoutStart', () => {
  it.each([
    { first: 100, last: 130, start: 122, why: '31 new days: the last 9 (30 %)' },
    { first: 100, last: 106, start: 100, why: 'a week: all of it' },
    { first: 100, last: 102, start: 100, why: 'fewer days than a week: never before the first new day' },
    { first: 100, last: 119, start: 113, why: '20 days: at least a week' },
  ])('$why', ({ first, last, start }) => {
    expect(holdoutStart(first, last)).toBe(start);
  });
});
