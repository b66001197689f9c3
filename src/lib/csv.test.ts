import { describe, expect, it } from 'vitest';
import { UTF8_BOM, neutralizeFormula, toCsv } from './csv';

describe('neutralizeFormula', () => {
  it.each([
    ['=SUM(A1)', "'=SUM(A1)"],
    ['+1', "'+1"],
    ['-cmd', "'-cmd"],
    ['@x', "'@x"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['plain text', 'plain text'],
    ['', ''],
    ['a=b', 'a=b'],
    [' =SUM(A1)', ' =SUM(A1)'],
    ["'already", "'already"],
    ['5', '5'],
    ['促销', '促销'],
  ])('%j → %j', (input, expected) => {
    expect(neutralizeFormula(input)).toBe(expected);
  });
});

describe('toCsv cells', () => {
  it.each<[string, string | number | null | undefined, string]>([
    ['plain text', 'plain text', 'plain text'],
    ['formula', '=SUM(A1)', "'=SUM(A1)"],
    ['HYPERLINK formula with quotes and comma', '=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['plus', '+1', "'+1"],
    ['minus text', '-cmd', "'-cmd"],
    ['at', '@x', "'@x"],
    ['leading tab', '\tx', "'\tx"],
    ['leading CR (neutralised, then quoted)', '\rx', `"'\rx"`],
    ['negative number', -5, '-5'],
    ['negative number as text is neutralised', '-5', "'-5"],
    ['zero', 0, '0'],
    ['fraction', 0.125, '0.125'],
    ['large number', 1e21, '1e+21'],
    ['NaN', NaN, ''],
    ['Infinity', Infinity, ''],
    ['-Infinity', -Infinity, ''],
    ['null', null, ''],
    ['undefined', undefined, ''],
    ['empty string', '', ''],
    ['quote', 'say "hi"', '"say ""hi"""'],
    ['comma', 'a,b', '"a,b"'],
    ['LF', 'line1\nline2', '"line1\nline2"'],
    ['CRLF', 'line1\r\nline2', '"line1\r\nline2"'],
    ['inner tab needs no quotes', 'a\tb', 'a\tb'],
    ['unicode', '满减', '满减'],
  ])('%s', (_name, value, expected) => {
    expect(toCsv(['h'], [[value]])).toBe(`h\r\n${expected}\r\n`);
  });
});

describe('toCsv tables', () => {
  it.each<[string, readonly string[], readonly (readonly (string | number | null | undefined)[])[], string]>([
    ['header only', ['a', 'b'], [], 'a,b\r\n'],
    ['two rows', ['date', 'sales'], [['2024-01-01', 10], ['2024-01-02', -3.5]], 'date,sales\r\n2024-01-01,10\r\n2024-01-02,-3.5\r\n'],
    ['headers are neutralised and quoted too', ['=cmd', 'a,b', '-x'], [[1, 2, 3]], `'=cmd,"a,b",'-x\r\n1,2,3\r\n`],
    ['missing cells', ['a', 'b', 'c'], [[null, NaN, undefined]], 'a,b,c\r\n,,\r\n'],
    ['rows written as given', ['a', 'b'], [[1], [1, 2, 3]], 'a,b\r\n1\r\n1,2,3\r\n'],
  ])('%s', (_name, columns, rows, expected) => {
    expect(toCsv(columns, rows)).toBe(expected);
  });

  it('exposes a BOM to prepend for Excel, but does not add it', () => {
    expect(UTF8_BOM).toBe('\uFEFF');
    expect(toCsv(['a'], [])).not.toContain(UTF8_BOM);
  });
});
