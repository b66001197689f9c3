import { describe, expect, it } from 'vitest';
import {
  CATEGORY_MAX_DISTINCT,
  PARSE_SHARE_THRESHOLD,
  civilFromDayNumber,
  dayNumberFromCivil,
  formatDayNumber,
  inferColumnType,
  isMissingToken,
  likelyMissingToken,
  parseDayNumber,
  parseNumber,
  type TypeInference,
} from './infer';

/** Builds the worker's dictionary from raw cells (missing dropped, trimmed) and infers. */
function infer(cells: readonly string[], name = 'col'): TypeInference {
  const dict = new Map<string, number>();
  let nonMissing = 0;
  for (const raw of cells) {
    if (isMissingToken(raw)) continue;
    nonMissing++;
    const s = raw.trim();
    dict.set(s, (dict.get(s) ?? 0) + 1);
  }
  return inferColumnType({ name, distinct: [...dict.keys()], counts: [...dict.values()], nonMissing, rowCount: cells.length });
}

/** `n` cells cycling through `values`. */
function repeat(values: readonly string[], n: number): string[] {
  return Array.from({ length: n }, (_, i) => values[i % values.length] ?? '');
}

const day = (iso: string): number => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 86_400_000;

describe('isMissingToken', () => {
  it.each([
    '',
    ' ',
    '   \t',
    'NA',
    'na',
    ' NA ',
    'N/A',
    'n/a',
    'null',
    'NULL',
    'Null',
    'NaN',
    'nan',
    'NAN',
    '-',
    '--',
    ' - ',
    '#N/A',
    '\u00a0',
    '\u3000NULL\u3000',
  ])('%j is missing', (raw) => {
    expect(isMissingToken(raw)).toBe(true);
  });

  it.each(['none', 'None', '0', 'N', 'NAB', 'nullx', 'Nones', '---', '-1', 'unknown', 'abc', '2024-01-05', '未知', 'n.a.'])('%j is a value', (raw) => {
    expect(isMissingToken(raw)).toBe(false);
  });
});

describe('likelyMissingToken', () => {
  it.each(['unknown', 'Unknown', 'UNKNOWN', ' missing ', 'not available', 'Not Available', 'n.a.', '?', '(not set)', '-999', '未知', '无', '不详', '缺失', '暂无'])(
    '%j is likely missing',
    (raw) => {
      expect(likelyMissingToken(raw)).toBe(true);
    },
  );

  it.each(['known', 'Other', '0', 'none of the above', '无锡', 'NA'])('%j is not', (raw) => {
    expect(likelyMissingToken(raw)).toBe(false);
  });
});

describe('day numbers', () => {
  it.each([
    [1970, 1, 1, 0],
    [1969, 12, 31, -1],
    [2000, 2, 29, day('2000-02-29')],
    [2009, 1, 14, day('2009-01-14')],
    [2024, 1, 5, 19727],
    [1900, 3, 1, day('1900-03-01')],
    [2100, 12, 31, day('2100-12-31')],
  ])('%i-%i-%i → %i', (y, m, d, expected) => {
    expect(dayNumberFromCivil(y, m, d)).toBe(expected);
    expect(civilFromDayNumber(expected)).toEqual({ year: y, month: m, day: d });
  });

  it.each([
    [2023, 2, 29],
    [1900, 2, 29],
    [2024, 13, 1],
    [2024, 0, 10],
    [2024, 4, 31],
    [2024, 1, 0],
  ])('%i-%i-%i is no date', (y, m, d) => {
    expect(dayNumberFromCivil(y, m, d)).toBeNaN();
  });

  it('agrees with Date.UTC over four centuries', () => {
    for (let n = -50_000; n <= 100_000; n += 37) {
      const { year, month, day: d } = civilFromDayNumber(n);
      expect(Date.UTC(year, month - 1, d) / 86_400_000).toBe(n);
      expect(dayNumberFromCivil(year, month, d)).toBe(n);
    }
  });

  it('formats day numbers as ISO dates', () => {
    expect(formatDayNumber(day('2009-01-14'))).toBe('2009-01-14');
    expect(formatDayNumber(-1)).toBe('1969-12-31');
  });

  it.each([
    ['2024-01-05', 'YYYY-MM-DD', '2024-01-05'],
    ['2024-01-05 13:00:00', 'YYYY-MM-DD HH:mm:ss', '2024-01-05'],
    ['2024-01-05T23:59:59Z', 'YYYY-MM-DDTHH:mm:ss', '2024-01-05'],
    ['2024-01-05T23:30:00+08:00', 'YYYY-MM-DD', '2024-01-05'],
    ['2024-01-05T00:30', 'YYYY-MM-DD', '2024-01-05'],
    ['2024/1/5', 'YYYY/M/D', '2024-01-05'],
    ['2024/01/05', 'YYYY/MM/DD', '2024-01-05'],
    ['05-01-2024', 'DD-MM-YYYY', '2024-01-05'],
    ['05.01.2024', 'DD.MM.YYYY', '2024-01-05'],
    ['01/05/2024', 'MM/DD/YYYY', '2024-01-05'],
    ['1/5/2024 1:30 PM', 'M/D/YYYY', '2024-01-05'],
    ['1/5/24', 'M/D/YY', '2024-01-05'],
    ['14-JAN-09', 'DD-MON-YY', '2009-01-14'],
    ['14-Jan-1999', 'DD-MON-YYYY', '1999-01-14'],
    ['31-dec-69', 'DD-MON-YY', '1969-12-31'],
    ['14 January 2009', 'DD MON YYYY', '2009-01-14'],
    ['14JAN2009', 'DDMONYYYY', '2009-01-14'],
    ['JAN-14-2009', 'MON-DD-YYYY', '2009-01-14'],
    ['Jan 14, 2009', 'MON DD, YYYY', '2009-01-14'],
    ['Sept 3rd, 2021', 'MON DD, YYYY', '2021-09-03'],
    ['20240105', 'YYYYMMDD', '2024-01-05'],
    ['2024年1月5日', 'YYYY年M月D日', '2024-01-05'],
    ['2024年01月05日', 'YYYY年M月D日', '2024-01-05'],
    ['2024-03', 'YYYY-MM', '2024-03-01'],
  ])('parseDayNumber(%j, %j) is %s', (raw, format, iso) => {
    expect(parseDayNumber(raw, format)).toBe(day(iso));
  });

  it.each([
    ['2023-02-29', 'YYYY-MM-DD'],
    ['2024-13-01', 'YYYY-MM-DD'],
    ['2024-01-05 noon', 'YYYY-MM-DD'],
    ['2024-01-0', 'YYYY-MM-DD'],
    ['13/13/2024', 'MM/DD/YYYY'],
    ['14-FOO-09', 'DD-MON-YY'],
    ['18991231', 'YYYYMMDD'],
    ['2024-1-5x', 'YYYY-M-D'],
    ['', 'YYYY-MM-DD'],
  ])('parseDayNumber(%j, %j) is NaN', (raw, format) => {
    expect(parseDayNumber(raw, format)).toBeNaN();
  });

  it('rejects an unknown format label', () => {
    expect(() => parseDayNumber('2024-01-05', 'QQ')).toThrow();
  });
});

describe('parseNumber', () => {
  it.each([
    ['0', 0],
    ['42', 42],
    ['-3.25', -3.25],
    ['+7', 7],
    ['.5', 0.5],
    ['1,234.5', 1234.5],
    ['1,234,567', 1234567],
    ['(1,234.50)', -1234.5],
    ['(12)', -12],
    ['1.5e3', 1500],
    ['1.23E-4', 0.000123],
    ['-2E+2', -200],
    ['1 234.5', 1234.5],
    ['−5', -5],
  ])('%j → %d', (raw, expected) => {
    expect(parseNumber(raw)).toBe(expected);
  });

  it.each([
    ['1.234,5', 1234.5],
    ['1,5', 1.5],
    ['-2,75', -2.75],
    ['1.234.567', 1234567],
    ['(1.234,50)', -1234.5],
    ['12', 12],
  ])('decimal comma: %j → %d', (raw, expected) => {
    expect(parseNumber(raw, true)).toBe(expected);
  });

  it('reads decimals exactly as Number() does', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let i = 0; i < 20_000; i++) {
      const x = (rand() - 0.3) * 10 ** Math.floor(rand() * 12 - 4);
      for (const s of [String(x), x.toFixed(i % 7), x.toPrecision(1 + (i % 17))]) {
        expect(parseNumber(s), s).toBe(+s);
        const grouped = Math.abs(x).toLocaleString('en-US', { maximumFractionDigits: i % 7 });
        expect(parseNumber(grouped), grouped).toBe(+grouped.replaceAll(',', ''));
        const european = grouped.replaceAll(',', ' ').replace('.', ',').replaceAll(' ', '.');
        expect(parseNumber(european, true), european).toBe(+grouped.replaceAll(',', ''));
      }
    }
  });

  it.each(['', 'abc', '1,23', '12,34.5', '0x10', 'Infinity', '1e999', '--5', '$5', '5%', '1.2.3', '(-5)', '1_000', '5 6'])('%j is no plain number', (raw) => {
    expect(parseNumber(raw)).toBeNaN();
  });
});

interface TypeCase {
  readonly label: string;
  readonly cells: readonly string[];
  readonly name?: string;
  readonly type: string;
  readonly dateFormat?: string;
  /** raw → expected stored value (NaN for unparseable). */
  readonly parsed?: readonly (readonly [string, number])[];
}

const TYPE_CASES: readonly TypeCase[] = [
  // integers and numbers
  { label: 'small integers stay integer (promotion arm)', cells: repeat(['1', '2', '3'], 300), name: 'Promotion', type: 'integer', parsed: [['2', 2]] },
  { label: 'MarketID with few values stays integer', cells: repeat(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'], 548), name: 'MarketID', type: 'integer' },
  { label: 'plain decimals', cells: ['33.73', '35.67', '29.03', '0', '-1.5'], type: 'number', parsed: [['33.73', 33.73], ['-1.5', -1.5]] },
  { label: 'float noise', cells: ['1.429999948', '1.820000023', '0'], name: 'Spent', type: 'number', parsed: [['1.429999948', 1.429999948]] },
  { label: 'thousands separators', cells: ['1,234.5', '12,345.25', '999.1', '1,000,000.5'], type: 'number', parsed: [['1,234.5', 1234.5], ['1,000,000.5', 1000000.5]] },
  { label: 'thousands separators, integers', cells: ['1,234', '12,345', '999', '1,000,000'], type: 'integer', parsed: [['1,234', 1234]] },
  { label: 'European decimals', cells: ['1.234,5', '12,75', '3,5', '1.000.000,25', '7'], type: 'number', parsed: [['1.234,5', 1234.5], ['12,75', 12.75], ['7', 7], ['1.5', NaN]] },
  { label: 'ambiguous 1,234 reads as thousands', cells: ['1,234', '5,678'], type: 'integer', parsed: [['1,234', 1234]] },
  { label: 'ambiguous 1.234 reads as a decimal', cells: ['1.234', '5.678'], type: 'number', parsed: [['1.234', 1.234]] },
  { label: 'decimal commas only', cells: ['1,5', '2,75', '0,5'], type: 'number', parsed: [['2,75', 2.75]] },
  { label: 'scientific notation', cells: ['1.5e3', '2E-2', '-3.1e+2', '4'], type: 'number', parsed: [['2E-2', 0.02]] },
  { label: 'parentheses negatives', cells: ['(1,234.50)', '1,234.50', '(12)', '0'], type: 'number', parsed: [['(1,234.50)', -1234.5]] },
  { label: 'pandas float-written integers', cells: ['1.0', '2.0', '10.0'], name: 'units', type: 'integer', parsed: [['2.0', 2]] },
  // currency
  { label: 'yuan', cells: ['¥1,234.50', '¥99', '¥0.5'], type: 'currency', parsed: [['¥1,234.50', 1234.5], ['¥99', 99]] },
  { label: 'full-width yuan', cells: ['￥1,234.50', '￥3'], type: 'currency', parsed: [['￥1,234.50', 1234.5]] },
  { label: 'dollars with negatives', cells: ['$1,234.50', '-$12', '$-3', '($5.25)'], type: 'currency', parsed: [['$1,234.50', 1234.5], ['-$12', -12], ['$-3', -3], ['($5.25)', -5.25]] },
  { label: 'euros (suffix, decimal comma)', cells: ['1.234,50 €', '12,00 €', '€3,5'], type: 'currency', parsed: [['1.234,50 €', 1234.5], ['€3,5', 3.5]] },
  { label: 'pounds', cells: ['£10', '£2,000.75'], type: 'currency', parsed: [['£2,000.75', 2000.75]] },
  { label: 'codes as prefix and suffix', cells: ['CNY 1,200', 'USD 30.5', '45 RMB', '12元', '7'], type: 'currency', parsed: [['CNY 1,200', 1200], ['USD 30.5', 30.5], ['45 RMB', 45], ['12元', 12], ['7', 7]] },
  // percent
  { label: 'percents', cells: ['15%', '15 %', '-3.5%', '100%', '0%'], name: 'discount', type: 'percent', parsed: [['15%', 0.15], ['15 %', 0.15], ['-3.5%', -0.035], ['14.3%', 0.143], ['100%', 1]] },
  { label: 'percents with bare zeros', cells: [...repeat(['0'], 80), '10%', '20%', '15%'], name: 'discount', type: 'percent', parsed: [['0', 0], ['20%', 0.2], ['20', 0.2]] },
  // dates
  { label: 'ISO dates (frat)', cells: ['2009-01-14', '2009-01-21', '2009-01-28'], name: 'WEEK_END_DATE', type: 'date', dateFormat: 'YYYY-MM-DD', parsed: [['2009-01-14', day('2009-01-14')]] },
  { label: 'ISO date-times', cells: ['2024-01-05 13:00:00', '2024-01-06 08:30:00'], type: 'date', dateFormat: 'YYYY-MM-DD HH:mm:ss', parsed: [['2024-01-05 13:00:00', day('2024-01-05')]] },
  { label: 'ISO T form', cells: ['2024-01-05T13:00:00', '2024-01-06T08:30:00.123Z'], type: 'date', dateFormat: 'YYYY-MM-DDTHH:mm:ss', parsed: [['2024-01-06T08:30:00.123Z', day('2024-01-06')]] },
  { label: 'YYYY/MM/DD', cells: ['2024/01/05', '2024/12/31'], type: 'date', dateFormat: 'YYYY/MM/DD', parsed: [['2024/12/31', day('2024-12-31')]] },
  { label: 'YYYY/M/D', cells: ['2024/1/5', '2024/12/31'], type: 'date', dateFormat: 'YYYY/M/D', parsed: [['2024/1/5', day('2024-01-05')]] },
  { label: 'day-first proven (iFood)', cells: ['04-09-2012', '08-03-2014', '21-08-2013'], name: 'Dt_Customer', type: 'date', dateFormat: 'DD-MM-YYYY', parsed: [['04-09-2012', day('2012-09-04')], ['21-08-2013', day('2013-08-21')]] },
  { label: 'day-first proven with slashes', cells: ['04/09/2012', '25/12/2012'], type: 'date', dateFormat: 'DD/MM/YYYY', parsed: [['04/09/2012', day('2012-09-04')]] },
  { label: 'month-first proven with dashes', cells: ['04-09-2012', '12-25-2012'], type: 'date', dateFormat: 'MM-DD-YYYY', parsed: [['04-09-2012', day('2012-04-09')], ['12-25-2012', day('2012-12-25')]] },
  { label: 'month-first proven', cells: ['1/5/2024', '12/31/2024'], type: 'date', dateFormat: 'M/D/YYYY', parsed: [['1/5/2024', day('2024-01-05')]] },
  { label: 'ambiguous with "/" → month-first', cells: ['01/05/2024', '02/06/2024', '03/07/2024'], type: 'date', dateFormat: 'MM/DD/YYYY', parsed: [['01/05/2024', day('2024-01-05')]] },
  { label: 'ambiguous with "-" → day-first', cells: ['01-05-2024', '02-06-2024'], type: 'date', dateFormat: 'DD-MM-YYYY', parsed: [['01-05-2024', day('2024-05-01')]] },
  { label: 'ambiguous with "." → day-first', cells: ['01.05.2024', '02.06.2024'], type: 'date', dateFormat: 'DD.MM.YYYY', parsed: [['01.05.2024', day('2024-05-01')]] },
  { label: 'two-digit years, month-first', cells: ['1/5/24', '12/31/99'], type: 'date', dateFormat: 'M/D/YY', parsed: [['12/31/99', day('1999-12-31')]] },
  { label: 'DD-MON-YY (dunnhumby)', cells: ['14-JAN-09', '21-JAN-09', '04-JAN-12'], name: 'WEEK_END_DATE', type: 'date', dateFormat: 'DD-MON-YY', parsed: [['14-JAN-09', day('2009-01-14')], ['04-JAN-12', day('2012-01-04')]] },
  { label: 'MON-DD-YYYY', cells: ['JAN-14-2009', 'FEB-01-2009'], type: 'date', dateFormat: 'MON-DD-YYYY', parsed: [['FEB-01-2009', day('2009-02-01')]] },
  { label: 'MON DD, YYYY', cells: ['Jan 14, 2009', 'February 1, 2009'], type: 'date', dateFormat: 'MON DD, YYYY', parsed: [['February 1, 2009', day('2009-02-01')]] },
  { label: 'Chinese dates', cells: ['2024年1月5日', '2024年12月31日'], name: '日期', type: 'date', dateFormat: 'YYYY年M月D日', parsed: [['2024年1月5日', day('2024-01-05')]] },
  { label: 'YYYYMMDD with a date name', cells: ['20240105', '20240112', '20240119'], name: 'order_date', type: 'date', dateFormat: 'YYYYMMDD', parsed: [['20240105', day('2024-01-05')]] },
  { label: 'YYYYMMDD with 日期', cells: ['20240105', '20240112'], name: '日期', type: 'date', dateFormat: 'YYYYMMDD' },
  { label: 'YYYYMMDD without a date name is an integer', cells: ['20240105', '20240112', '20240119'], name: 'amount', type: 'integer' },
  { label: 'YYYYMMDD with an invalid value is an integer', cells: [...repeat(['20240105', '20240112'], 200), '20241350'], name: 'date', type: 'integer' },
  { label: 'year-month', cells: ['2024-01', '2024-02', '2024-12'], name: 'month', type: 'date', dateFormat: 'YYYY-MM', parsed: [['2024-02', day('2024-02-01')]] },
  { label: 'dates with 1% junk', cells: [...repeat(['2024-01-05', '2024-01-06', '2024-01-07'], 99), 'soon'], type: 'date', parsed: [['soon', NaN], ['2024-02-30', NaN]] },
  // booleans
  { label: '0/1', cells: repeat(['0', '1'], 100), name: 'FEATURE', type: 'boolean', parsed: [['0', 0], ['1', 1]] },
  { label: 'only 0', cells: repeat(['0'], 100), name: 'Complain', type: 'boolean', parsed: [['0', 0]] },
  { label: 'yes/no', cells: ['yes', 'no', 'Yes', 'NO'], type: 'boolean', parsed: [['Yes', 1], ['NO', 0], ['maybe', NaN]] },
  { label: 'y/n', cells: ['Y', 'N', 'y'], type: 'boolean', parsed: [['Y', 1], ['n', 0]] },
  { label: 'true/false', cells: ['TRUE', 'FALSE', 'True', 'false'], type: 'boolean', parsed: [['True', 1], ['FALSE', 0]] },
  { label: 'only true', cells: ['true', 'true'], type: 'boolean', parsed: [['true', 1]] },
  { label: '是/否', cells: ['是', '否', '是'], type: 'boolean', parsed: [['是', 1], ['否', 0]] },
  { label: 'T/F', cells: ['T', 'F', 't'], type: 'boolean', parsed: [['T', 1], ['f', 0]] },
  { label: 'only yes with a flag name', cells: ['yes', 'yes'], name: 'is_promo', type: 'boolean' },
  { label: 'only Y with hasX name', cells: ['Y', 'Y'], name: 'hasCoupon', type: 'boolean' },
  { label: 'only yes without a hint is a category', cells: ['yes', 'yes'], name: 'answer', type: 'category' },
  { label: 'only F without a hint is a category', cells: ['F', 'F'], name: 'gender', type: 'category' },
  { label: '0/1/2 is an integer', cells: repeat(['0', '1', '2'], 60), name: 'Kidhome', type: 'integer' },
  { label: 'M/F is a category', cells: repeat(['M', 'F'], 60), name: 'gender', type: 'category' },
  // ids
  { label: 'UPC in a transaction table (few distinct)', cells: repeat(['1111009477', '1111009497', '1111009507'], 300), name: 'UPC', type: 'id' },
  { label: 'upc_id', cells: Array.from({ length: 58 }, (_, i) => String(1111009477 + i * 10)), name: 'upc_id', type: 'id' },
  { label: 'SKU', cells: repeat(['1001', '1002'], 40), name: 'SKU', type: 'id' },
  { label: 'unique ad_id', cells: Array.from({ length: 200 }, (_, i) => String(708746 + i * 3)), name: 'ad_id', type: 'id' },
  { label: 'LocationID with many values', cells: Array.from({ length: 548 }, (_, i) => String((i % 137) + 1)), name: 'LocationID', type: 'id' },
  { label: 'ID column', cells: Array.from({ length: 100 }, (_, i) => String(5000 + i)), name: 'ID', type: 'id' },
  { label: '编号', cells: ['1', '2', '3'], name: '商品编号', type: 'id' },
  { label: 'zip codes with leading zeros', cells: ['02134', '10001', '02139', '94105', '00501'], name: 'zip', type: 'id' },
  { label: '12+ digit numbers', cells: repeat(['012345678905', '123456789012', '400638133393'], 30), name: 'barcode', type: 'id' },
  { label: '10-digit mostly distinct', cells: Array.from({ length: 100 }, (_, i) => String(1300000000 + i * 7919)), name: 'ref', type: 'id' },
  { label: 'a large non-id count stays integer', cells: Array.from({ length: 100 }, (_, i) => String(280668 + i * 37)), name: 'Channel0_impression', type: 'integer' },
  { label: 'unique codes without spaces', cells: Array.from({ length: 120 }, (_, i) => `ORD-${1000 + i}`), name: 'order', type: 'id' },
  { label: 'string ids named *_id with repeats', cells: Array.from({ length: 400 }, (_, i) => `C${i % 120}`), name: 'customer_id', type: 'id' },
  { label: 'uuid-like', cells: Array.from({ length: 80 }, (_, i) => `a${i.toString(16)}f3-9c2e-4b7d`), type: 'id' },
  // categories and text
  { label: 'hillstrom history_segment is a category, not currency', cells: repeat(['1) $0 - $100', '2) $100 - $200', '6) $750 - $1,000', '7) $1,000 +'], 400), name: 'history_segment', type: 'category' },
  { label: 'segment names', cells: repeat(['Womens E-Mail', 'Mens E-Mail', 'No E-Mail'], 300), name: 'segment', type: 'category' },
  { label: 'age buckets', cells: repeat(['30-34', '35-39', '40-44', '45-49'], 100), name: 'age', type: 'category' },
  { label: 'many short levels over many rows', cells: Array.from({ length: 5000 }, (_, i) => `city${i % 200}`), name: 'city', type: 'category' },
  { label: 'free text', cells: Array.from({ length: 80 }, (_, i) => `customer said the delivery number ${i} was late again`), name: 'comment', type: 'text' },
  { label: 'long repeated strings', cells: repeat(['x'.repeat(150), 'y'.repeat(150)], 10), name: 'notes', type: 'text' },
  { label: 'category with a likely-missing token', cells: repeat(['Single', 'Married', 'unknown'], 60), name: 'Marital_Status', type: 'category' },
  // empty and tolerance
  { label: 'all missing', cells: ['', 'NA', ' ', 'null'], type: 'empty' },
  { label: 'no cells', cells: [], type: 'empty' },
  { label: 'numbers with 1% junk stay numeric', cells: [...repeat(['1.5', '2.25', '3', '4.75'], 99), 'oops'], name: 'SalesInThousands', type: 'number', parsed: [['oops', NaN], ['2.25', 2.25]] },
  { label: 'integers with 1% junk stay integer', cells: [...Array.from({ length: 99 }, (_, i) => String(i)), 'n.a.'], name: 'UNITS', type: 'integer', parsed: [['n.a.', NaN]] },
  { label: 'numbers with 5% junk are not numeric', cells: [...repeat(['1.5', '2.5', '3.5'], 95), ...repeat(['junk1', 'junk2', 'junk3', 'junk4', 'junk5'], 5)], type: 'category' },
  { label: '0/1 with 1% non-numeric junk stays boolean', cells: [...repeat(['0', '1'], 99), 'x'], name: 'visit', type: 'boolean', parsed: [['x', NaN]] },
  { label: 'missing tokens do not count', cells: ['1.5', 'NA', '', '2.5', '-', 'NULL'], type: 'number' },
];

describe('inferColumnType', () => {
  it.each(TYPE_CASES)('$label → $type', ({ cells, name, type, dateFormat, parsed }) => {
    const result = infer(cells, name);
    expect(result.type).toBe(type);
    if (dateFormat !== undefined) expect(result.dateFormat).toBe(dateFormat);
    if (type !== 'date') expect(result.dateFormat).toBeUndefined();
    for (const [raw, value] of parsed ?? []) {
      if (Number.isNaN(value)) expect(result.parse(raw), raw).toBeNaN();
      else expect(result.parse(raw), raw).toBe(value);
    }
  });

  it.each(['category', 'id', 'text', 'empty'])('%s columns parse to NaN', (type) => {
    const c = TYPE_CASES.find((t) => t.type === type);
    expect(c).toBeDefined();
    const result = infer(c?.cells ?? [], c?.name);
    expect(result.parse(c?.cells[0] ?? 'x')).toBeNaN();
  });

  it('round-trips the date format label through parseDayNumber', () => {
    for (const c of TYPE_CASES.filter((t) => t.type === 'date')) {
      const result = infer(c.cells, c.name);
      const label = result.dateFormat ?? '';
      for (const raw of c.cells.slice(0, 3)) {
        expect(parseDayNumber(raw, label), `${raw} as ${label}`).toBe(result.parse(raw));
      }
    }
  });

  it('weighs date evidence by cell counts', () => {
    const twoDigit = inferColumnType({ name: 'd', distinct: ['14-JAN-09', '21-JAN-2009'], counts: [900, 100], nonMissing: 1000, rowCount: 1000 });
    expect(twoDigit.dateFormat).toBe('DD-MON-YY');
    expect(twoDigit.parse('21-JAN-2009')).toBe(day('2009-01-21'));
    // One day-first value against many month-first ones: month-first wins, the odd one is unparseable.
    const mixed = inferColumnType({ name: 'd', distinct: ['1/13/2024', '1/14/2024', '13/1/2024'], counts: [500, 499, 1], nonMissing: 1000, rowCount: 1000 });
    expect(mixed.dateFormat).toMatch(/^M{1,2}\/D{1,2}\/YYYY$/);
    expect(mixed.parse('13/1/2024')).toBeNaN();
  });

  it('exports the parse threshold', () => {
    expect(PARSE_SHARE_THRESHOLD).toBe(0.98);
    expect(CATEGORY_MAX_DISTINCT).toBe(50);
  });

  it('counts junk by cells, not by distinct values', () => {
    // One junk value covering 3% of cells breaks a numeric column even with many good distinct values.
    const cells = [...Array.from({ length: 97 }, (_, i) => String(i + 0.5)), 'bad', 'bad', 'bad'];
    expect(infer(cells, 'v').type).not.toBe('number');
  });

  it('uses the dictionary counts, not the number of distinct values', () => {
    const result = inferColumnType({ name: 'price', distinct: ['1.5', 'oops'], counts: [990, 10], nonMissing: 1000, rowCount: 1000 });
    expect(result.type).toBe('number');
    expect(result.parse('oops')).toBeNaN();
  });

  // Speed is measured by `npm run bench`, never asserted here.
  it('parses every plain cell of a large column to the right number', () => {
    const cells = Array.from({ length: 100_000 }, (_, i) => String((i * 7.31) % 1000));
    const { parse, type } = infer(cells.slice(0, 5000), 'SPEND');
    expect(type).toBe('number');
    for (let i = 0; i < cells.length; i += 997) expect(parse(cells[i]!)).toBeCloseTo((i * 7.31) % 1000, 9);
  });
});
