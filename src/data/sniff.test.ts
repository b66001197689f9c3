import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectDelimiter, detectEncoding, isValidUtf8, looksBinary, type Delimiter } from './sniff';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const bytes = (...parts: (readonly number[] | Uint8Array)[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

function utf16(s: string, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[2 * i + (littleEndian ? 0 : 1)] = c & 0xff;
    out[2 * i + (littleEndian ? 1 : 0)] = c >> 8;
  }
  return out;
}

// GBK by hand: 日 C8 D5, 期 C6 DA, 是 CA C7, 否 B7 F1, 促 B4 D9, 销 CF FA.
const GBK_DATE = [0xc8, 0xd5, 0xc6, 0xda];
const GBK_YES_NO = [0xca, 0xc7, 0xb7, 0xf1];
const GBK_PROMO = [0xb4, 0xd9, 0xcf, 0xfa];
const GBK_HEADER = bytes(GBK_DATE, utf8(','), GBK_PROMO, utf8(','), GBK_YES_NO, utf8('\n2024-01-05,1,'), [0xca, 0xc7], utf8('\n'));

describe('GBK bytes', () => {
  it('decode with TextDecoder("gb18030") in Node', () => {
    const d = new TextDecoder('gb18030');
    expect(d.decode(Uint8Array.from(GBK_DATE))).toBe('日期');
    expect(d.decode(GBK_HEADER)).toBe('日期,促销,是否\n2024-01-05,1,是\n');
  });
});

describe('detectEncoding', () => {
  it.each([
    ['ASCII', utf8('a,b\n1,2\n'), 'utf-8', 0],
    ['empty', new Uint8Array(0), 'utf-8', 0],
    ['UTF-8 Chinese', utf8('日期,销量\n2024-01-05,3\n'), 'utf-8', 0],
    ['UTF-8 with BOM', bytes([0xef, 0xbb, 0xbf], utf8('日期,x\n')), 'utf-8', 3],
    ['UTF-8 cut mid-character', utf8('date,名称\n2024-01-05,促销').slice(0, -1), 'utf-8', 0],
    ['UTF-8 cut after the lead byte', bytes(utf8('a,b\n'), [0xe6]), 'utf-8', 0],
    ['UTF-8 4-byte cut', bytes(utf8('x,'), [0xf0, 0x9f, 0x98]), 'utf-8', 0],
    ['UTF-16LE with BOM', bytes([0xff, 0xfe], utf16('日期,x\n1,2\n', true)), 'utf-16le', 2],
    ['UTF-16BE with BOM', bytes([0xfe, 0xff], utf16('日期,x\n1,2\n', false)), 'utf-16be', 2],
    ['UTF-16LE without BOM', utf16('date,units\n2024-01-05,3\n', true), 'utf-16le', 0],
    ['UTF-16BE without BOM', utf16('date,units\n2024-01-05,3\n', false), 'utf-16be', 0],
    ['GBK header', GBK_HEADER, 'gb18030', 0],
    ['GBK cut after a lead byte', bytes(GBK_HEADER, [0xc8]), 'gb18030', 0],
    ['Windows-1252 (café, Müller)', bytes(utf8('name,city\ncaf'), [0xe9], utf8(',M'), [0xfc], utf8('ller\n')), 'windows-1252', 0],
  ])('%s → %s', (_label, head, encoding, bomLength) => {
    expect(detectEncoding(head)).toEqual({ encoding, bomLength });
  });

  it('decodes what it detects', () => {
    for (const [head, text] of [
      [GBK_HEADER, '日期,促销,是否'],
      [bytes([0xff, 0xfe], utf16('日期,x\n', true)), '日期,x'],
      [bytes([0xfe, 0xff], utf16('日期,x\n', false)), '日期,x'],
      [bytes([0xef, 0xbb, 0xbf], utf8('日期,x\n')), '日期,x'],
    ] as const) {
      const { encoding, bomLength } = detectEncoding(head);
      expect(new TextDecoder(encoding).decode(head.subarray(bomLength)).split('\n')[0]).toBe(text);
    }
  });
});

describe('isValidUtf8', () => {
  it.each([
    ['overlong slash', [0xc0, 0xaf], false],
    ['overlong 3-byte', [0xe0, 0x80, 0xaf], false],
    ['surrogate', [0xed, 0xa0, 0x80], false],
    ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], false],
    ['stray continuation', [0x41, 0x80, 0x41], false],
    ['bad continuation mid-buffer', [0xe6, 0x41, 0x41], false],
    ['valid emoji', [0xf0, 0x9f, 0x98, 0x80], true],
    ['cut lead at end', [0x41, 0xe6, 0x97], true],
  ])('%s', (_label, input, valid) => {
    expect(isValidUtf8(Uint8Array.from(input))).toBe(valid);
  });

  it('rejects a cut sequence when truncation is not allowed', () => {
    expect(isValidUtf8(Uint8Array.from([0x41, 0xe6, 0x97]), false)).toBe(false);
  });
});

describe('looksBinary', () => {
  it.each([
    ['xlsx (zip)', bytes([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]), 'xlsx'],
    ['xls (OLE2)', bytes([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]), 'xls'],
    ['PDF', utf8('%PDF-1.7\n'), 'binary'],
    ['gzip', bytes([0x1f, 0x8b, 0x08, 0x00]), 'binary'],
    ['NUL-heavy data', bytes(utf8('ab'), new Uint8Array(40), utf8('cd'), [1, 2, 3, 0, 0, 0, 7, 0]), 'binary'],
    ['CSV text', utf8('a,b\n1,2\n'), null],
    ['UTF-8 Chinese CSV', utf8('日期,销量\n2024-01-05,3\n'), null],
    ['GBK CSV', GBK_HEADER, null],
    ['UTF-16LE CSV (NULs but text)', bytes([0xff, 0xfe], utf16('date,units\n2024-01-05,3\n', true)), null],
    ['UTF-16BE CSV without BOM', utf16('date,units\n2024-01-05,3\n', false), null],
    ['empty', new Uint8Array(0), null],
  ])('%s → %s', (_label, head, expected) => {
    expect(looksBinary(head)).toBe(expected);
  });
});

describe('detectDelimiter', () => {
  it.each<[string, string, Delimiter]>([
    ['comma', 'a,b,c\n1,2,3\n4,5,6\n', ','],
    ['tab (iFood in a .csv)', 'ID\tYear_Birth\tEducation\tDt_Customer\n5524\t1957\tGraduation\t04-09-2012\n2174\t1954\tGraduation\t08-03-2014\n', '\t'],
    ['semicolon with decimal commas', 'preis;menge;rabatt\n1,5;2,75;0,1\n3,25;4;0,2\n', ';'],
    ['semicolon with decimal commas, no header', '1,5;2,75\n3,25;4,5\n6,5;7,25\n', ';'],
    ['pipe', 'a|b|c\n1|2|3\n', '|'],
    ['single column', 'units\n1\n2\n3\n', ','],
    ['single column of decimal commas', 'preis\n1,5\n2,5\n', ','],
    ['empty', '', ','],
    ['header only', 'date;units;price', ';'],
    ['quoted commas in a semicolon file', 'name;note\n"a, b, c";1\n"d, e";2\n"f";3\n', ';'],
    ['quoted newlines and delimiters', 'id,comment,n\n1,"line one\nline two; with | pipes",3\n2,"x ""quoted"" y",4\n3,plain,5\n', ','],
    ['quoted tabs in a comma file', 'a,b\n"x\ty",1\n"z\tw",2\n', ','],
    ['CRLF line endings', 'a;b;c\r\n1;2;3\r\n4;5;6\r\n', ';'],
    ['blank lines skipped', 'a\tb\n\n1\t2\n\n3\t4\n', '\t'],
    ['truncated last line ignored', 'a,b,c\n1,2,3\n4,5,6\n7;8', ','],
    ['ragged comma file beats an occasional semicolon', 'a,b,c\n1,2,3\n4,5\n6,7,8;9\n10,11,12\n', ','],
    ['tie goes to more fields', 'a,b;c;d\n1,2;3;4\n', ';'],
    ['hillstrom', 'recency,history_segment,history\n10,2) $100 - $200,142.44\n6,3) $200 - $350,329.08\n', ','],
  ])('%s → %j', (_label, sample, expected) => {
    expect(detectDelimiter(sample)).toBe(expected);
  });

  it('looks at the first 50 records only', () => {
    const head = Array.from({ length: 60 }, (_, i) => `${i};${i}`).join('\n');
    const tail = Array.from({ length: 200 }, (_, i) => `${i},${i},${i}`).join('\n');
    expect(detectDelimiter(`${head}\n${tail}\n`)).toBe(';');
  });

  // The shared data folder sits beside the repository, not in it: skip where it is absent.
  const shared = '/work/shared/data';
  it.skipIf(!existsSync(shared)).each([
    ['fastfood_promo_ab/WA_Fn-UseC_-Marketing-Campaign-Eff-UseC_-FastF.csv', ','],
    ['ifood_marketing_campaign/marketing_campaign.csv', '\t'],
    ['frat_promo_weekly/frat_products.csv', ','],
    ['hillstrom_email/hillstrom.csv', ','],
  ])('real file %s → %j', (file, expected) => {
    const text = readFileSync(`${shared}/${file}`, 'utf8').slice(0, 64 * 1024);
    expect(detectDelimiter(text)).toBe(expected);
  });
});
