import { describe, expect, it } from 'vitest';
import { ColumnBuilder, DICTIONARY_LIMIT } from './columnBuilder';

const rowOf = (i: number): number => i + 2;

/**
 * Feeds `cells` to one builder with push and to another with pushRange over
 * one joined text (cells at arbitrary offsets, as in a chunk), and returns
 * both finished columns.
 */
function bothWays(cells: readonly string[]) {
  const pushed = new ColumnBuilder('c');
  const ranged = new ColumnBuilder('c');
  const text = `>${cells.join('|')}<`;
  let start = 1;
  cells.forEach((cell, i) => {
    pushed.push(cell, i + 2);
    ranged.pushRange(text, start, start + cell.length, i + 2);
    start += cell.length + 1;
  });
  return { pushed: pushed.finish(rowOf), ranged: ranged.finish(rowOf), size: ranged.size };
}

const repeat = (n: number, cell: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => cell(i));

describe('ColumnBuilder.pushRange', () => {
  it.each([
    ['categories with runs', ['new', 'new', 'new', 'loyal', 'new', 'loyal', 'loyal']],
    ['padded spellings of one value', ['x', ' x', 'x ', ' x ', '\tx', 'x\u00a0', '\u3000x', 'x']],
    ['missing tokens in many spellings', ['', ' ', 'NA', ' na ', 'n/a', 'null', '-', '--', '#N/A', 'NaN', '1', '', '1']],
    ['numbers with unparseable cells', ['1', '2.5', ' 3 ', 'oops', '4', 'oops', '1e3']],
    ['percent and currency', ['15%', '20%', ' 15%', '¥1,234.50', '15%']],
    ['dates', ['2024-01-01', '2024-01-02', '2024-01-01', ' 2024-01-03', 'NA']],
    ['yes/no', ['是', '否', '是', 'yes', 'no']],
    ['empty strings only', ['', '', '']],
    ['prefixes of each other', ['a', 'ab', 'abc', 'ab', 'a', 'abc', 'b']],
    ['many distinct values (rehashing)', repeat(5000, (i) => `v${i % 1700}`)],
    ['a numeric column past the dictionary limit', repeat(DICTIONARY_LIMIT + 10_000, (i) => (i % 50 === 0 ? 'NA' : i === 55_555 || i === 7 ? 'bad' : `${i}.5`))],
    ['a text column past the dictionary limit', repeat(DICTIONARY_LIMIT + 10_000, (i) => (i % 10 === 0 ? ' same ' : `id-${i}`))],
    ['identifiers past the dictionary limit', repeat(DICTIONARY_LIMIT + 100, (i) => String(100000000000 + i * 7))],
  ])('%s: the same column as push', (_label, cells) => {
    const { pushed, ranged, size } = bothWays(cells);
    expect(size).toBe(cells.length);
    expect(ranged).toEqual(pushed);
  });

  it.each([
    ['numbers', (i: number) => (i % 50 === 0 ? 'NA' : `${i}.5`), 'numeric'],
    ['text', (i: number) => (i % 10 === 0 ? ' same ' : `id-${i}`), 'coded'],
  ] as const)('past the dictionary limit, %s leave the cache for push (%s storage)', (_label, cell, storage) => {
    const { ranged } = bothWays(repeat(DICTIONARY_LIMIT + 10_000, cell));
    expect(ranged.data.storage).toBe(storage);
    expect(ranged.distinctCapped).toBe(true);
  });

  it('mixes with push and pushMissing', () => {
    const a = new ColumnBuilder('c');
    const b = new ColumnBuilder('c');
    const text = 'x,y,NA, x';
    a.push('x', 2);
    b.pushRange(text, 0, 1, 2);
    a.pushMissing();
    b.pushMissing();
    a.push('y', 4);
    b.push('y', 4);
    a.push('y', 5);
    b.pushRange(text, 2, 3, 5);
    a.push('NA', 6);
    b.pushRange(text, 4, 6, 6);
    a.push(' x', 7);
    b.pushRange(text, 7, 9, 7);
    expect(b.finish(rowOf)).toEqual(a.finish(rowOf));
  });

  it('counts codes and missing cells of cached values', () => {
    const { ranged } = bothWays(['a', 'b', 'a', ' a', 'NA', 'a', 'NA', '']);
    expect(ranged.dictionary?.values).toEqual(['a', 'b']);
    expect(Array.from(ranged.dictionary?.counts ?? [])).toEqual([4, 1]);
    expect(ranged.missingCount).toBe(3);
    expect(ranged.data.storage === 'coded' ? Array.from(ranged.data.codes) : null).toEqual([0, 1, 0, 0, -1, 0, -1, -1]);
  });
});
