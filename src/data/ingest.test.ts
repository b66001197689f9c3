import { describe, expect, it } from 'vitest';
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
