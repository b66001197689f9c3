import { describe, expect, it } from 'vitest';
import { buildPanel, formatDay } from './panel';
import {
  fillMethodFor,
  findOutliers,
  hasBlockingIssues,
  qualityReport,
  usableTargetRows,
  type FillMethod,
  type IngestFacts,
} from './quality';
import { day, makeSummaries, makeTable, summaryStub, type TestCell, type TestColumn } from './testing';
import type { ColumnType, QualityItem, QualityKind, QualityReport, Role, RoleMap } from './types';

const cleanIngest: IngestFacts = {
  encoding: 'utf-8',
  delimiter: ',',
  rowCount: 0,
  raggedRows: { count: 0, examples: [] },
  blankRows: 0,
  renamedColumns: [],
  replacementChars: 0,
  exactDuplicateRows: { count: 0, examples: [] },
};

function report(columns: readonly TestColumn[], roles: RoleMap, ingest: Partial<IngestFacts> = {}): QualityReport {
  const table = makeTable(columns);
  const summaries = makeSummaries(columns);
  const hasTime = Object.values(roles).includes('time');
  const panel = hasTime ? buildPanel(table, roles, summaries) : null;
  return qualityReport({
    fileName: 'promotions.csv',
    summaries,
    roles,
    table,
    panel,
    ingest: { ...cleanIngest, rowCount: table.rowCount, ...ingest },
  });
}

function items(r: QualityReport, kind: QualityKind, column?: string): QualityItem[] {
  return r.items.filter((i) => i.kind === kind && (column === undefined || i.column === column));
}

function only(r: QualityReport, kind: QualityKind, column?: string): QualityItem {
  const found = items(r, kind, column);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** `n` consecutive days from 2024-01-01. */
function daysFrom(n: number, start = '2024-01-01'): string[] {
  return Array.from({ length: n }, (_, i) => formatDay(day(start) + i));
}

/** A clean daily series of `n` rows: date, conversion_rate (target), discount_pct (lever), is_holiday. */
function cleanColumns(n: number): TestColumn[] {
  return [
    { name: 'date', type: 'date', values: daysFrom(n) },
    { name: 'conversion_rate', type: 'number', values: Array.from({ length: n }, (_, i) => 0.02 + (i % 7) * 0.001) },
    { name: 'discount_pct', type: 'number', values: Array.from({ length: n }, (_, i) => (i % 3) * 10) },
    { name: 'is_holiday', type: 'boolean', values: Array.from({ length: n }, (_, i) => (i % 30 === 0 ? 1 : 0)) },
  ];
}
const cleanRoles: RoleMap = { date: 'time', conversion_rate: 'target', discount_pct: 'lever', is_holiday: 'covariate' };

/** Replaces the values of one column. */
function withValues(columns: readonly TestColumn[], name: string, values: readonly TestCell[]): TestColumn[] {
  return columns.map((c) => (c.name === name ? { ...c, values } : c));
}

describe('a clean file', () => {
  it('has no findings', () => {
    expect(report(cleanColumns(60), cleanRoles).items).toEqual([]);
  });
});

describe('file-level items from the parser', () => {
  it.each([
    [
      'renamedColumn',
      { renamedColumns: [{ from: '', to: 'column_1' }] },
      { column: 'column_1', count: 1, params: { from: '', to: 'column_1' }, severity: 'info' },
    ],
    [
      'raggedRows',
      { raggedRows: { count: 3, examples: [{ row: 7, value: 'expected 4 fields, found 5' }] } },
      { count: 3, params: { count: 3 }, severity: 'warning', examples: [{ row: 7, value: 'expected 4 fields, found 5' }] },
    ],
    ['blankRows', { blankRows: 4 }, { count: 4, params: { count: 4 }, severity: 'info' }],
    [
      'duplicateRows',
      { exactDuplicateRows: { count: 2, examples: [{ row: 9, value: 'same as row 8' }] } },
      { count: 2, params: { count: 2 }, severity: 'warning', examples: [{ row: 9, value: 'same as row 8' }] },
    ],
    [
      'replacementChars',
      { replacementChars: 12 },
      { count: 12, params: { count: 12, encoding: 'utf-8' }, severity: 'warning' },
    ],
    [
      'encoding',
      { encoding: 'gb18030', delimiter: '\t' },
      {
        count: 60,
        severity: 'info',
        params: { encoding: 'gb18030', delimiter: '\t', delimiterName: 'tab', rows: 60, file: 'promotions.csv' },
      },
    ],
  ] as const)('%s', (kind, ingest, expected) => {
    const r = report(cleanColumns(60), cleanRoles, ingest);
    expect(r.items).toHaveLength(1);
    expect(only(r, kind)).toMatchObject(expected);
  });

  it('exact duplicates are only info in a cross-section', () => {
    const n = 40;
    const cols: TestColumn[] = [
      { name: 'segment', type: 'category', values: Array.from({ length: n }, (_, i) => ['a', 'b'][i % 2]!) },
      { name: 'conversion', type: 'boolean', values: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0)) },
    ];
    const r = report(cols, { segment: 'lever', conversion: 'target' }, { exactDuplicateRows: { count: 34, examples: [] } });
    expect(only(r, 'duplicateRows')).toMatchObject({ severity: 'info', count: 34 });
  });

  it('does not mention a UTF-8 or ASCII encoding', () => {
    expect(items(report(cleanColumns(60), cleanRoles, { encoding: 'UTF8' }), 'encoding')).toEqual([]);
    expect(items(report(cleanColumns(60), cleanRoles, { encoding: 'ascii' }), 'encoding')).toEqual([]);
  });
});

describe('column items', () => {
  it('counts unparseable cells with row numbers and says how they are filled', () => {
    const cols = cleanColumns(60);
    const discount = cols[2]!.values.slice();
    discount[3] = 'ten';
    discount[10] = '??';
    const r = report(withValues(cols, 'discount_pct', discount), cleanRoles);
    expect(only(r, 'unparseable', 'discount_pct')).toMatchObject({
      severity: 'warning',
      count: 2,
      params: { column: 'discount_pct', count: 2, share: 2 / 60, type: 'number', fill: 'zero' },
      examples: [
        { row: 5, value: 'ten' },
        { row: 12, value: '??' },
      ],
    });
  });

  it('counts missing cells per column with examples', () => {
    const cols = cleanColumns(60);
    const holiday = cols[3]!.values.slice();
    holiday[0] = null;
    holiday[5] = null;
    holiday[6] = null;
    const r = report(withValues(cols, 'is_holiday', holiday), cleanRoles);
    expect(only(r, 'missing', 'is_holiday')).toMatchObject({
      severity: 'info',
      count: 3,
      params: { column: 'is_holiday', count: 3, share: 0.05, fill: 'forward-fill within series' },
      examples: [
        { row: 2, value: '' },
        { row: 7, value: '' },
        { row: 8, value: '' },
      ],
    });
  });

  it('a missing target excludes the row from training targets (warning)', () => {
    const cols = cleanColumns(60);
    const target = cols[1]!.values.slice();
    target[20] = null;
    const item = only(report(withValues(cols, 'conversion_rate', target), cleanRoles), 'missing', 'conversion_rate');
    expect(item.severity).toBe('warning');
    expect(item.params['fill']).toBe('row excluded from training targets');
  });

  it.each([
    ['lever ad spend with time', 'ad_spend', 'number', 'lever', true, 'zero'],
    ['lever flag', 'FEATURE', 'boolean', 'lever', true, 'zero'],
    ['lever price with time', 'PRICE', 'number', 'lever', true, 'forward-fill within series'],
    ['lever category with time', 'promo_type', 'category', 'lever', true, 'missing category'],
    ['covariate category with time', 'weather', 'category', 'covariate', true, 'forward-fill within series'],
    ['covariate with time', 'temperature', 'number', 'covariate', true, 'forward-fill within series'],
    ['covariate without time', 'Income', 'number', 'covariate', false, 'median'],
    ['lever price without time', 'price', 'number', 'lever', false, 'median'],
    ['category without time', 'Education', 'category', 'covariate', false, 'missing category'],
    ['target', 'units', 'integer', 'target', true, 'row excluded from training targets'],
    ['time', 'date', 'date', 'time', true, 'row excluded'],
    ['series key', 'store', 'id', 'series', true, 'own series'],
    ['ignored', 'notes', 'text', 'ignore', true, 'not used'],
  ] as const)('fill: %s', (_label, name, type, role, hasTime, fill) => {
    expect(fillMethodFor(summaryStub(name, type as ColumnType), role as Role, hasTime)).toBe(fill as FillMethod);
  });

  it('lists tokens that look like missing values', () => {
    const n = 60;
    const cols: TestColumn[] = [
      ...cleanColumns(n),
      { name: 'weather', type: 'category', values: Array.from({ length: n }, (_, i) => (i % 20 === 4 ? 'unknown' : 'sunny')) },
    ];
    expect(only(report(cols, { ...cleanRoles, weather: 'covariate' }), 'likelyMissing', 'weather')).toMatchObject({
      severity: 'info',
      count: 3,
      params: { column: 'weather', tokens: 'unknown', count: 3 },
      examples: [
        { row: 6, value: 'unknown' },
        { row: 26, value: 'unknown' },
        { row: 46, value: 'unknown' },
      ],
    });
  });

  it.each([
    ['all-missing covariate', 'allMissing', 'notes', 'empty', 'covariate', 'warning'],
    ['all-missing target', 'allMissing', 'notes', 'empty', 'target', 'error'],
    ['constant covariate', 'constantColumn', 'region', 'category', 'covariate', 'warning'],
    ['constant ignored column', 'constantColumn', 'region', 'category', 'ignore', 'info'],
    ['constant target', 'constantTarget', 'region', 'integer', 'target', 'error'],
  ] as const)('%s', (_label, kind, name, type, role, severity) => {
    const n = 60;
    const values: TestCell[] = Array.from({ length: n }, () => (type === 'empty' ? null : type === 'integer' ? 7 : 'north'));
    const roles: RoleMap =
      role === 'target'
        ? { date: 'time', conversion_rate: 'covariate', discount_pct: 'lever', is_holiday: 'covariate', [name]: 'target' }
        : { ...cleanRoles, [name]: role };
    const r = report([...cleanColumns(n), { name, type, values }], roles);
    const item = only(r, kind, name);
    expect(item.severity).toBe(severity);
    expect(item.params['column']).toBe(name);
    if (kind !== 'allMissing') expect(item.params['value']).toBe(type === 'integer' ? '7' : 'north');
    expect(items(r, 'missing', name)).toEqual([]);
    expect(hasBlockingIssues(r)).toBe(severity === 'error');
  });
});

describe('outliers', () => {
  it.each([
    ['one spike (robust z-score)', [10, 11, 9, 10, 12, 10, 11, 9, 10, 500], 'mad', 1, [{ row: 11, value: '500' }]],
    ['a low and a high value', [10, 11, 9, 10, -400, 10, 11, 9, 10, 600], 'mad', 2, [
      { row: 6, value: '-400' },
      { row: 11, value: '600' },
    ]],
    // More than half the values equal: MAD = 0, so IQR fences × 3 decide.
    ['MAD = 0 uses IQR fences', [5, 5, 5, 5, 5, 5, 6, 4, 5, 7, 3, 6, 90], 'iqr', 1, [{ row: 14, value: '90' }]],
    // 40 % zeros: judged on the non-zero values; zeros are never flagged.
    ['zero-inflated with a spike', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 11, 9, 10, 12, 500], 'mad', 1, [
      { row: 17, value: '500' },
    ]],
  ] as const)('%s', (_label, values, method, count, examples) => {
    const stats = findOutliers(Float64Array.from(values));
    expect(stats?.method).toBe(method);
    expect(stats?.zerosExcluded).toBe(values.filter((v) => v === 0).length >= values.length / 4 ? values.filter((v) => v === 0).length : 0);
    expect(stats?.count).toBe(count);
    expect(stats?.examples.map((e) => ({ row: e.index + 2, value: String(e.value) }))).toEqual(examples);
  });

  it.each([
    ['no spread at all', [3, 3, 3, 3, 3, 3, 3, 3]],
    ['zero-inflated (IQR = 0)', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 45, 0, 0, 120]],
    ['well behaved', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
    ['too few values', [1, 1000]],
  ] as const)('flags nothing when %s', (_label, values) => {
    expect(findOutliers(Float64Array.from(values))).toBeNull();
  });

  it('agrees with a sort-based reference on random data', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const q = (sorted: number[], p: number): number => {
      const pos = (sorted.length - 1) * p;
      const lo = Math.floor(pos);
      return sorted[lo]! + (sorted[Math.ceil(pos)]! - sorted[lo]!) * (pos - lo);
    };
    for (let trial = 0; trial < 20; trial++) {
      const n = 5 + Math.floor(rand() * 300);
      // Rounded values give many ties; a few large ones give outliers.
      const values = Array.from({ length: n }, () => Math.round(rand() * 20) + (rand() < 0.03 ? 1000 : 1));
      const sorted = [...values].sort((a, b) => a - b);
      const med = q(sorted, 0.5);
      const mad = q(sorted.map((v) => Math.abs(v - med)).sort((a, b) => a - b), 0.5);
      const [low, high] =
        mad > 0 ? [med - 5 * 1.4826 * mad, med + 5 * 1.4826 * mad] : [q(sorted, 0.25) - 3 * (q(sorted, 0.75) - q(sorted, 0.25)), q(sorted, 0.75) + 3 * (q(sorted, 0.75) - q(sorted, 0.25))];
      const expected = values.filter((v) => v < low || v > high).length;
      const stats = findOutliers(Float64Array.from(values));
      expect(stats?.count ?? 0).toBe(expected);
      if (stats !== null) expect(stats.median).toBe(med);
    }
  });

  it('reports them per column, flagged and kept', () => {
    const n = 60;
    const temperature = Array.from({ length: n }, (_, i) => 10 + (i % 9));
    temperature[30] = 95;
    const cols: TestColumn[] = [...cleanColumns(n), { name: 'temperature', type: 'number', values: temperature }];
    const r = report(cols, { ...cleanRoles, temperature: 'covariate' });
    expect(only(r, 'outliers', 'temperature')).toMatchObject({
      severity: 'info',
      count: 1,
      params: { column: 'temperature', count: 1, share: 1 / 60, method: 'mad', median: 14, zerosExcluded: 0 },
      examples: [{ row: 32, value: '95' }],
    });
    expect(items(r, 'outliers')).toHaveLength(1);
  });

  it.each([
    ['few settings: not checked', 4, 0],
    ['many settings: checked', 40, 1],
  ] as const)('a lever with %s', (_label, settings, flagged) => {
    const cols = cleanColumns(60);
    const discount = cols[2]!.values.map((_, i) => (i % (settings - 1)) + 1);
    discount[30] = 5000;
    const r = report(withValues(cols, 'discount_pct', discount), cleanRoles);
    expect(items(r, 'outliers', 'discount_pct')).toHaveLength(flagged);
  });

  it('skips ids, ignored and series columns', () => {
    const n = 60;
    const spiky = Array.from({ length: n }, (_, i) => (i === 3 ? 1e6 : i % 5));
    const cols: TestColumn[] = [
      ...cleanColumns(n),
      { name: 'customer_id', type: 'integer', values: spiky },
      { name: 'visitors', type: 'integer', values: spiky },
    ];
    const r = report(cols, { ...cleanRoles, customer_id: 'covariate', visitors: 'ignore' });
    expect(items(r, 'outliers')).toEqual([]);
  });
});

describe('panel items', () => {
  it('says when (time, series) rows were merged and how', () => {
    const n = 60;
    const cols = cleanColumns(n);
    const extra: TestColumn[] = cols.map((c) => ({ ...c, values: [...c.values, c.values[5]!, c.values[9]!] }));
    extra.push({ name: 'orders', type: 'integer', values: Array.from({ length: n + 2 }, () => 3) });
    const r = report(extra, { ...cleanRoles, orders: 'covariate' });
    expect(only(r, 'aggregated')).toMatchObject({
      severity: 'info',
      count: 2,
      params: {
        groups: 2,
        rows: 2,
        sum: 'orders',
        mean: 'conversion_rate, discount_pct',
        max: 'is_holiday',
        first: '',
      },
      examples: [
        { row: 62, value: 'all: 2024-01-06' },
        { row: 63, value: 'all: 2024-01-10' },
      ],
    });
  });

  it('counts gaps: a weekly series missing 2 weeks has 2 gaps', () => {
    const dates: string[] = [];
    const stores: string[] = [];
    for (const store of ['A', 'B']) {
      for (let w = 0; w < 60; w++) {
        if (store === 'A' && (w === 10 || w === 11)) continue;
        dates.push(formatDay(day('2024-01-03') + 7 * w));
        stores.push(store);
      }
    }
    const cols: TestColumn[] = [
      { name: 'WEEK_END_DATE', type: 'date', values: dates },
      { name: 'STORE_NUM', type: 'id', values: stores },
      { name: 'UNITS', type: 'integer', values: dates.map((_, i) => 20 + (i % 5)) },
    ];
    const r = report(cols, { WEEK_END_DATE: 'time', STORE_NUM: 'series', UNITS: 'target' });
    expect(only(r, 'gaps')).toMatchObject({
      severity: 'warning',
      count: 2,
      params: { count: 2, series: 1, seriesTotal: 2, frequency: 'weekly' },
      examples: [{ row: 12, value: 'A: 2024-03-13' }],
    });
  });

  it('says a file without a time column is a cross-section', () => {
    const n = 40;
    const cols: TestColumn[] = [
      { name: 'segment', type: 'category', values: Array.from({ length: n }, (_, i) => ['Mens E-Mail', 'No E-Mail'][i % 2]!) },
      { name: 'conversion', type: 'boolean', values: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0)) },
    ];
    const r = report(cols, { segment: 'lever', conversion: 'target' });
    expect(r.items).toEqual([
      { kind: 'crossSection', severity: 'info', count: 40, params: { rows: 40, sequenceLength: 1 }, examples: [] },
    ]);
  });
});

describe('too few rows', () => {
  it.each([
    ['29 usable target rows: error', 29, 0, 'error', 29],
    ['30 rows but 2 without a target: error', 30, 2, 'error', 28],
    ['30 usable rows: enough', 30, 0, null, 30],
  ] as const)('%s', (_label, n, missing, severity, usable) => {
    const segment = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'a' : 'b'));
    const conversion: TestCell[] = Array.from({ length: n }, (_, i) => (i < missing ? null : i % 2));
    const cols: TestColumn[] = [
      { name: 'segment', type: 'category', values: segment },
      { name: 'conversion', type: 'boolean', values: conversion },
    ];
    const roles: RoleMap = { segment: 'lever', conversion: 'target' };
    const r = report(cols, roles);
    expect(usableTargetRows(makeTable(cols), roles, null)).toBe(usable);
    const found = items(r, 'tooFewRows');
    if (severity === null) expect(found).toEqual([]);
    else {
      expect(found).toEqual([
        {
          kind: 'tooFewRows',
          severity,
          column: 'conversion',
          count: usable,
          params: { variant: 'targetRows', column: 'conversion', usable, minimum: 30 },
          examples: [],
        },
      ]);
    }
  });

  it('warns when series are shorter than 50 time steps', () => {
    const r = report(cleanColumns(40), cleanRoles);
    expect(only(r, 'tooFewRows')).toMatchObject({
      severity: 'warning',
      count: 1,
      params: {
        variant: 'timeSteps',
        medianSteps: 40,
        minSteps: 40,
        shortSeries: 1,
        seriesTotal: 1,
        minimum: 50,
        windowLength: 14,
      },
    });
    expect(hasBlockingIssues(r)).toBe(false);
  });

  it('counts usable target rows after aggregation for a time series', () => {
    const cols = cleanColumns(60);
    const table = makeTable(cols);
    const panel = buildPanel(table, cleanRoles, makeSummaries(cols));
    expect(usableTargetRows(table, cleanRoles, panel)).toBe(60);
    expect(usableTargetRows(table, { date: 'time' }, panel)).toBe(0);
  });
});

describe('report order', () => {
  it('puts errors first, then warnings, then info', () => {
    const cols: TestColumn[] = [
      { name: 'segment', type: 'category', values: Array.from({ length: 10 }, () => 'a') },
      { name: 'conversion', type: 'boolean', values: Array.from({ length: 10 }, (_, i) => i % 2) },
    ];
    const r = report(cols, { segment: 'lever', conversion: 'target' }, { blankRows: 1, raggedRows: { count: 1, examples: [] } });
    const severities = r.items.map((i) => i.severity);
    expect(severities).toEqual([...severities].sort((a, b) => ['error', 'warning', 'info'].indexOf(a) - ['error', 'warning', 'info'].indexOf(b)));
    expect(r.items.map((i) => i.kind)).toEqual(['tooFewRows', 'raggedRows', 'constantColumn', 'blankRows', 'crossSection']);
  });
});
