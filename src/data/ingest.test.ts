import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { describe, expect, it, vi } from 'vitest';
import { ingestFile, uniqueColumnNames, type ByteSource } from './ingest';
import type { TypedTable } from './types';

function source(name: string, content: string | Uint8Array): ByteSource {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return { name, size: bytes.length, read: async (start, end) => bytes.subarray(start, end) };
}

function utf16(text: string, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = littleEndian ? 0xff : 0xfe;
  out[1] = littleEndian ? 0xfe : 0xff;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[2 + 2 * i] = littleEndian ? c & 0xff : c >> 8;
    out[3 + 2 * i] = littleEndian ? c >> 8 : c & 0xff;
  }
  return out;
}

function column(table: TypedTable, name: string) {
  const c = table.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

function numbers(table: TypedTable, name: string): number[] {
  const c = column(table, name);
  if (c.data.storage !== 'numeric') throw new Error(`${name} is not numeric`);
  return Array.from(c.data.values);
}

const csv = 'date,segment,discount,orders\n2024-01-01,new,15%,10\n2024-01-02,loyal,20%,12\n2024-01-03,new,NA,9\n';
// '日期,折扣\n2024-01-01,0.1\n' in GBK: 日 D4C2, 期 C6DA, 折 D5DB, 扣 BFDB.
const gbk = new Uint8Array([0xc8, 0xd5, 0xc6, 0xda, 0x2c, 0xd5, 0xdb, 0xbf, 0xdb, 0x0a, ...new TextEncoder().encode('2024-01-01,0.1\n2024-01-02,0.2\n')]);

describe('ingestFile', () => {
  it.each([
    ['utf-8', csv],
    ['utf-8 with BOM', new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(csv)])],
    ['utf-16le', utf16(csv, true)],
    ['utf-16be', utf16(csv, false)],
    ['semicolon', csv.replaceAll(',', ';')],
    ['tab', csv.replaceAll(',', '\t')],
    ['pipe', csv.replaceAll(',', '|')],
    ['CRLF', csv.replaceAll('\n', '\r\n')],
  ] as const)('reads %s into typed columns', async (_label, content) => {
    for (const chunkBytes of [5, 64, 1 << 20]) {
      const result = await ingestFile(source('promo.csv', content), { chunkBytes });
      if (!result.ok) throw new Error(result.reason.code);
      const { table } = result.data;
      expect(table.rowCount).toBe(3);
      expect(table.columns.map((c) => c.name)).toEqual(['date', 'segment', 'discount', 'orders']);
      expect(table.columns.map((c) => c.type)).toEqual(['date', 'category', 'percent', 'integer']);
      expect(numbers(table, 'date')).toEqual([19723, 19724, 19725]);
      expect(numbers(table, 'discount').slice(0, 2)).toEqual([0.15, 0.2]);
      expect(Number.isNaN(numbers(table, 'discount')[2])).toBe(true);
      expect(numbers(table, 'orders')).toEqual([10, 12, 9]);
    }
  });

  it('detects GBK (GB18030) when the file is not UTF-8', async () => {
    const result = await ingestFile(source('gbk.csv', gbk));
    if (!result.ok) throw new Error(result.reason.code);
    expect(result.data.facts.encoding).toBe('gb18030');
    expect(result.data.table.columns.map((c) => c.name)).toEqual(['日期', '折扣']);
    expect(result.data.facts.replacementChars).toBe(0);
  });

  it('keeps quoted fields with delimiters and newlines across chunk boundaries', async () => {
    const text = 'id,history_segment,note\n1,"6) $750 - $1,000","two\nlines"\n2,"1) $0 - $100",plain\n';
    for (const chunkBytes of [3, 7, 1000]) {
      const result = await ingestFile(source('q.csv', text), { chunkBytes });
      if (!result.ok) throw new Error(result.reason.code);
      const c = column(result.data.table, 'history_segment');
      if (c.data.storage !== 'coded') throw new Error('coded expected');
      expect(c.data.vocab).toEqual(['6) $750 - $1,000', '1) $0 - $100']);
      expect(result.data.table.rowCount).toBe(2);
    }
  });

  it('reports ragged rows, blank rows and renamed headers, and pads short rows', async () => {
    const text = 'a,a,,b\n1,2,3,4\n\n5,6\n7,8,9,10,11\n';
    const result = await ingestFile(source('r.csv', text));
    if (!result.ok) throw new Error(result.reason.code);
    const { facts, table, rowNumbers } = result.data;
    expect(table.columns.map((c) => c.name)).toEqual(['a', 'a_2', 'column_3', 'b']);
    expect(facts.renamedColumns).toEqual([
      { from: 'a', to: 'a_2' },
      { from: '', to: 'column_3' },
    ]);
    expect(facts.blankRows).toBe(1);
    expect(facts.raggedRows.count).toBe(2);
    expect(facts.raggedRows.examples.map((e) => e.row)).toEqual([4, 5]);
    expect(Array.from(rowNumbers)).toEqual([2, 4, 5]);
    expect(Number.isNaN(numbers(table, 'b')[1])).toBe(true);
  });

  it.each([
    ['empty', '', 'empty', {}],
    ['whitespace only', '  \n\n', 'empty', {}],
    ['header only', 'date,orders\n', 'headerOnly', { columns: 2 }],
    ['xlsx', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]), 'excel', {}],
    ['old xls', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'excel', {}],
    ['binary', new Uint8Array(Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 0 : (i * 37) % 256))), 'binary', {}],
    ['unclosed quote', 'a,b\n1,2\n3,"oops\n5,6\n', 'unclosedQuote', { row: 3 }],
  ] as const)('refuses %s with a reason', async (_label, content, code, params) => {
    const result = await ingestFile(source('bad.csv', content), { chunkBytes: 4 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason.code).toBe(code);
    expect(result.reason.fileName).toBe('bad.csv');
    expect(result.reason.params).toMatchObject(params);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    const big = 'a,b\n' + '1,2\n'.repeat(10_000);
    const result = await ingestFile(source('big.csv', big), {
      chunkBytes: 1000,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytesRead > 5000) controller.abort();
      },
    });
    expect(result.ok ? 'ok' : result.reason.code).toBe('cancelled');
  });

  it('reports progress up to the whole file', async () => {
    const seen: number[] = [];
    const big = 'a,b\n' + '1,2\n'.repeat(1000);
    const result = await ingestFile(source('p.csv', big), { chunkBytes: 1000, onProgress: (p) => seen.push(p.bytesRead) });
    expect(result.ok).toBe(true);
    expect(seen.at(-1)).toBe(big.length);
    expect(seen.length).toBeGreaterThan(3);
  });

  it('switches a high-cardinality numeric column to direct parsing and still counts bad cells', async () => {
    const lines = ['x,label'];
    for (let i = 0; i < 60_000; i++) lines.push(`${i + 0.5},${i % 3}`);
    lines.push('oops,1');
    const result = await ingestFile(source('n.csv', lines.join('\n')));
    if (!result.ok) throw new Error(result.reason.code);
    const x = result.data.summaries.find((s) => s.name === 'x');
    expect(x?.type).toBe('number');
    expect(x?.unparseableCount).toBe(1);
    expect(x?.unparseableExamples[0]).toEqual({ row: 60_002, value: 'oops' });
    expect(x?.max).toBe(59_999.5);
  });
});

describe('uniqueColumnNames', () => {
  it.each([
    [['a', 'b'], ['a', 'b']],
    [['a', 'a', 'a'], ['a', 'a_2', 'a_3']],
    [['', 'x', ' '], ['column_1', 'x', 'column_3']],
    [['a', 'a_2', 'a'], ['a', 'a_2', 'a_3']],
  ])('%j → %j', (header, names) => {
    expect(uniqueColumnNames(header).names).toEqual(names);
  });
});

// The quote-free fast path must read every file exactly as papaparse does:
// the same table, summaries, facts and row numbers, or the same refusal.
describe('ingestFile quote-free fast path', () => {
  const sample = new Uint8Array(readFileSync(new URL('../../public/samples/promotions.csv', import.meta.url)));
  // GBK by hand: 日 C8 D5, 期 C6 DA, 是 CA C7, 否 B7 F1, 促 B4 D9, 销 CF FA.
  const GBK: Record<string, readonly number[]> = { 日: [0xc8, 0xd5], 期: [0xc6, 0xda], 是: [0xca, 0xc7], 否: [0xb7, 0xf1], 促: [0xb4, 0xd9], 销: [0xcf, 0xfa] };
  const gbkBytes = (text: string): Uint8Array => Uint8Array.from([...text].flatMap((ch) => GBK[ch] ?? [ch.charCodeAt(0)]));
  const gbkText = '日期,促销,orders\n' + Array.from({ length: 40 }, (_, i) => `2024-02-${String((i % 28) + 1).padStart(2, '0')},${i % 3 ? '是' : '否'},${i}`).join('\n') + '\n';

  const padded = 'a,b,c\n 1 , x ,y\n1,x , y\n  2,  x,y  \n3,\u00a0x,\u3000y\n4,\tx\t,y\n';
  const missing = 'a,b,c\nNA,1,x\n n/a ,-,y\nnull,--, NaN \n#N/A,NaN,\n,,z\n1,2,unknown\n';
  const ragged = 'a,b,c\n1,2\n3,4,5,6\n7,8,9\n10\n11,12,13,14,15,16,17\n18,19,20,\n';
  const blank = 'a,b\n1,2\n\n   \n\t\n3,4\n\u0001\n5,6\n\u00a0\n7,8\n';
  const mixedQuotes =
    'id,segment,note\n' +
    Array.from({ length: 60 }, (_, i) =>
      i % 17 === 5 ? `${i},"6) $750 - $1,000","two\nlines"` : i % 13 === 3 ? `${i}, "quoted" ,plain` : `${i},seg${i % 4},note ${i % 5}`,
    ).join('\n') +
    '\n';
  const oneColumn = 'v\n1\n\n2\n \n3\nNA\n4';
  const highCardinality =
    'x,id,label\n' + Array.from({ length: 60_010 }, (_, i) => `${i + 0.25},u${i},${i % 7 === 0 ? ' a ' : i % 5 === 0 ? 'NA' : 'a'}`).join('\n') + '\noops,u-1,b\n';

  // Deterministic "random" files: padded values, missing tokens, short and long rows, blank lines.
  const generated = (seed: number): string => {
    let state = seed;
    const next = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    const pool = ['1', ' 2', '3 ', 'x', ' x', 'x ', 'NA', '', '-', '4.5', '¥1,2', '15%', 'yes', '是', 'b'];
    const newline = seed % 2 ? '\r\n' : '\n';
    const lines = ['p,q,r,s'];
    for (let i = 0; i < 400; i++) {
      const roll = next(40);
      if (roll === 0) lines.push('');
      else if (roll === 1) lines.push('  ');
      else lines.push(Array.from({ length: roll === 2 ? 2 : roll === 3 ? 6 : 4 }, () => pool[next(pool.length)]!).join(seed % 3 ? ',' : ';'));
    }
    return lines.join(newline) + (seed % 4 < 2 ? newline : '');
  };

  const tiny = [1, 2, 3, 7, 1 << 20];
  // [label, file, chunk sizes (bytes), expected outcome]
  const cases: [string, string | Uint8Array, readonly number[], string][] = [
    ['the sample', sample, [1 << 20, 4096, 1000], 'ok'],
    ['padded cells', padded, tiny, 'ok'],
    ['missing tokens', missing, tiny, 'ok'],
    ['ragged rows', ragged, tiny, 'ok'],
    ['blank rows', blank, tiny, 'ok'],
    ['CRLF', `${padded}\r\n${ragged}`.replaceAll('\n', '\r\n'), tiny, 'ok'],
    ['CR only', 'a,b\r1,2\r\r3,x\r', tiny, 'ok'],
    ['CRLF with a bare LF inside a record', 'a,b\r\n1,x\ny\r\n2,z\r\n', tiny, 'ok'],
    ['chunks mixing quoted and unquoted records', mixedQuotes, [1, 2, 3, 7, 50, 200, 1 << 20], 'ok'],
    ['one column', oneColumn, tiny, 'ok'],
    ['one column, trailing newline', `${oneColumn}\n`, tiny, 'ok'],
    ['one column, trailing blank line', `${oneColumn}\n\n`, tiny, 'ok'],
    ['trailing newline', 'a,b\n1,x\n2,y\n', tiny, 'ok'],
    ['no trailing newline', 'a,b\n1,x\n2,y', tiny, 'ok'],
    ['last line padded, no trailing newline', 'a,b\n1,x\n   ', tiny, 'ok'],
    ['header only', 'a,b\n', tiny, 'headerOnly'],
    ['header only, no newline', 'a,b', tiny, 'headerOnly'],
    ['header and blank lines', 'a,b\n\n \n', tiny, 'headerOnly'],
    ['repeated and empty header names', 'a,a,,b\n1,2,3,4\n5,6,7,8\n', tiny, 'ok'],
    ['semicolons', padded.replaceAll(',', ';'), [1, 3, 7, 1 << 20], 'ok'],
    ['tabs', missing.replaceAll(',', '\t'), [1, 3, 7, 1 << 20], 'ok'],
    ['utf-16le', utf16(`${padded}${ragged.slice(6)}`, true), tiny, 'ok'],
    ['utf-16be', utf16(`${missing}${blank.slice(4)}`, false), tiny, 'ok'],
    ['GBK', gbkBytes(gbkText), tiny, 'ok'],
    ['an unclosed quote', 'a,b\n1,2\n3,"oops\n5,6\n', [1, 7, 1 << 20], 'unclosedQuote'],
    ['high-cardinality columns (numeric switch, text overflow)', highCardinality, [65536], 'ok'],
    ...[1, 2, 3, 4, 5, 6].map((seed): [string, string, readonly number[], string] => [`generated file ${seed}`, generated(seed), [1, 7, 100, 1 << 20], 'ok']),
  ];

  it.each(cases)('%s: the same result as papaparse', async (_label, content, chunkSizes, expected) => {
    for (const chunkBytes of chunkSizes) {
      const fast = await ingestFile(source('f.csv', content), { chunkBytes });
      const slow = await ingestFile(source('f.csv', content), { chunkBytes, fastPath: false });
      expect(fast.ok ? 'ok' : fast.reason.code, `chunkBytes ${chunkBytes}`).toBe(expected);
      expect(fast, `chunkBytes ${chunkBytes}`).toEqual(slow);
    }
  });

  it('reads quote-free files without papaparse, and quoted chunks with it', async () => {
    const parsers = vi.spyOn(Papa, 'Parser');
    try {
      const plain = await ingestFile(source('plain.csv', sample), { chunkBytes: 4096 });
      expect(plain.ok).toBe(true);
      expect(parsers).not.toHaveBeenCalled();
      const quoted = await ingestFile(source('mixed.csv', mixedQuotes), { chunkBytes: 200 });
      if (!quoted.ok) throw new Error(quoted.reason.code);
      expect(quoted.data.table.rowCount).toBe(60);
      const chunks = Math.ceil(mixedQuotes.length / 200);
      expect(parsers.mock.calls.length).toBeGreaterThan(0);
      expect(parsers.mock.calls.length).toBeLessThan(chunks);
    } finally {
      parsers.mockRestore();
    }
  });

  it('keeps a control character line as a one-field row, not a blank row', async () => {
    // String.prototype.trim() keeps U+0001 and U+001F, so papaparse's row ['\u0001'] is not blank.
    const text = 'a,b\n1,2\n\u0001\n3,4\n\u001f\n5,6\n7,8\n9,10\n';
    for (const fastPath of [true, false]) {
      const result = await ingestFile(source('c.csv', text), { fastPath });
      if (!result.ok) throw new Error(result.reason.code);
      expect(result.data.facts.blankRows).toBe(0);
      expect(result.data.facts.raggedRows.count).toBe(2);
      expect(result.data.table.rowCount).toBe(7);
    }
  });
});
