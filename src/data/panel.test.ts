import { describe, expect, it } from 'vitest';
import { aggregationFor, buildPanel, detectFrequency, formatDay, type Panel } from './panel';
import { day, makeSummaries, makeTable, summaryStub, type TestColumn } from './testing';
import type { ColumnType, RoleMap } from './types';

function panelOf(columns: readonly TestColumn[], roles: RoleMap): Panel {
  return buildPanel(makeTable(columns), roles, makeSummaries(columns));
}

function col(panel: Panel, name: string): number[] {
  const c = panel.columns.find((x) => x.name === name);
  if (c === undefined) throw new Error(`no column ${name}`);
  return Array.from(c.values);
}

function dates(panel: Panel): string[] {
  return Array.from(panel.times ?? [], formatDay);
}

/** Weekly dates from `start`, skipping the given step indices. */
function weeks(start: string, count: number, skip: readonly number[] = []): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) if (!skip.includes(i)) out.push(formatDay(day(start) + 7 * i));
  return out;
}

describe('detectFrequency', () => {
  it.each([
    ['daily', [0, 1, 2, 3, 4], 'daily', 1, 7],
    ['daily with a hole', [0, 1, 2, 5, 6, 7], 'daily', 1, 7],
    ['weekly', [3, 10, 17, 31, 38], 'weekly', 7, 52],
    [
      'monthly',
      ['2023-01-01', '2023-02-01', '2023-03-01', '2023-04-01', '2023-05-01'].map(day),
      'monthly',
      30,
      12,
    ],
    ['month ends', ['2023-01-31', '2023-02-28', '2023-03-31', '2023-04-30'].map(day), 'monthly', 30, 12],
    ['irregular', [0, 3, 6, 9, 12], 'irregular', 3, 1],
    ['repeats, order and NaN do not matter', [14, 0, 7, 7, NaN, 0, 21], 'weekly', 7, 52],
    ['one date', [5, 5, 5], 'none', 0, 1],
    ['no dates', [], 'none', 0, 1],
  ] as const)('%s', (_label, days, frequency, periodDays, seasonalPeriod) => {
    expect(detectFrequency(days)).toEqual({ frequency, periodDays, seasonalPeriod });
  });

  it('takes a Float64Array', () => {
    expect(detectFrequency(new Float64Array([0, 1, 2])).frequency).toBe('daily');
  });
});

describe('aggregationFor', () => {
  it.each([
    ['orders', 'integer', 'sum'],
    ['units', 'integer', 'sum'],
    ['revenue', 'currency', 'sum'],
    ['ad_spend', 'number', 'sum'],
    ['visitors', 'integer', 'sum'],
    ['SalesInThousands', 'number', 'sum'],
    ['conversion_rate', 'number', 'mean'],
    ['discount_pct', 'number', 'mean'],
    ['discount', 'percent', 'mean'],
    ['PRICE', 'number', 'mean'],
    ['threshold_amount', 'integer', 'mean'],
    ['temperature', 'number', 'mean'],
    ['is_holiday', 'boolean', 'max'],
    ['FEATURE', 'boolean', 'max'],
    ['promo_type', 'category', 'first'],
    ['UPC', 'id', 'first'],
    ['转化率', 'percent', 'mean'],
    ['订单数', 'integer', 'sum'],
    ['plain_integer', 'integer', 'sum'],
    ['plain_number', 'number', 'mean'],
  ] as const)('%s (%s) → %s', (name, type, how) => {
    expect(aggregationFor(summaryStub(name, type as ColumnType, { min: 0, max: 100 }))).toBe(how);
  });
});

describe('buildPanel: aggregation of duplicate (time, series) rows', () => {
  // Rows out of order; segment A has two rows on 2024-01-02 (rows 3 and 5 in the sheet).
  const columns: TestColumn[] = [
    { name: 'date', type: 'date', values: ['2024-01-02', '2024-01-01', '2024-01-02', '2024-01-01', '2024-01-02'] },
    { name: 'segment', type: 'category', values: ['B', 'A', 'A', 'B', 'A'] },
    { name: 'orders', type: 'integer', values: [7, 10, 20, 5, 30] },
    { name: 'conversion_rate', type: 'number', values: [0.07, 0.1, 0.2, 0.05, 0.4] },
    { name: 'is_holiday', type: 'boolean', values: [0, 0, 0, 0, 1] },
    { name: 'promo_type', type: 'category', values: ['none', 'none', 'gift', 'none', 'gift'] },
    { name: 'notes', type: 'text', values: ['a', 'b', 'c', 'd', 'e'] },
  ];
  const roles: RoleMap = {
    date: 'time',
    segment: 'series',
    orders: 'ignore',
    conversion_rate: 'target',
    is_holiday: 'covariate',
    promo_type: 'lever',
    notes: 'ignore',
  };
  const withOrders: RoleMap = { ...roles, orders: 'covariate' };
  const panel = panelOf(columns, withOrders);

  it('sorts by series then time and merges the pair', () => {
    expect(panel.crossSection).toBe(false);
    expect(panel.rowCount).toBe(4);
    expect(panel.timeSteps).toBe(2);
    expect(panel.series.map((s) => [s.label, s.start, s.end])).toEqual([
      ['A', 0, 2],
      ['B', 2, 4],
    ]);
    expect(dates(panel)).toEqual(['2024-01-01', '2024-01-02', '2024-01-01', '2024-01-02']);
    expect(Array.from(panel.seriesIndex)).toEqual([0, 0, 1, 1]);
    expect(Array.from(panel.rowsMerged)).toEqual([1, 2, 1, 1]);
    expect(Array.from(panel.sourceRow)).toEqual([1, 2, 3, 0]);
  });

  it.each([
    ['orders', 'sum', [10, 50, 5, 7]],
    ['conversion_rate', 'mean', [0.1, 0.30000000000000004, 0.05, 0.07]],
    ['is_holiday', 'max', [0, 1, 0, 0]],
  ] as const)('%s by %s', (name, how, values) => {
    expect(panel.columns.find((c) => c.name === name)?.aggregation).toBe(how);
    expect(col(panel, name)).toEqual(values);
  });

  it('keeps categories as codes with their vocabulary (the most frequent value of a group)', () => {
    const promo = panel.columns.find((c) => c.name === 'promo_type');
    expect(promo?.aggregation).toBe('first');
    expect(col(panel, 'promo_type').map((c) => promo?.vocab?.[c])).toEqual(['none', 'gift', 'none', 'none']);
  });

  it('leaves out ignored and time columns, keeps series keys', () => {
    expect(panelOf(columns, roles).columns.map((c) => c.name)).toEqual([
      'segment',
      'conversion_rate',
      'is_holiday',
      'promo_type',
    ]);
  });

  it('reports the duplicates with the repeating row', () => {
    expect(panel.duplicates).toEqual({
      groups: 1,
      extraRows: 1,
      examples: [{ row: 6, value: 'A: 2024-01-02' }],
    });
  });

  it('uses the parser row numbers when given', () => {
    const p = buildPanel(makeTable(columns), withOrders, makeSummaries(columns), {
      rowNumbers: Int32Array.from([2, 3, 5, 6, 9]),
    });
    expect(p.duplicates.examples).toEqual([{ row: 9, value: 'A: 2024-01-02' }]);
  });
});

describe('buildPanel: gaps', () => {
  it.each([
    ['weekly, 2 weeks missing in one series', 'weekly', weeks('2024-01-03', 10, [3, 4]), 10, 2, 1],
    ['weekly, one missing step twice', 'weekly', weeks('2024-01-03', 10, [2, 6]), 10, 2, 2],
    ['daily, 3 days missing', 'daily', ['2024-03-01', '2024-03-02', '2024-03-06', '2024-03-07'], 7, 3, 1],
    ['monthly, 1 month missing', 'monthly', ['2024-01-31', '2024-02-29', '2024-04-30', '2024-05-31'], 5, 1, 1],
  ] as const)('%s', (_label, frequency, datesA, fullLength, gapCount, exampleCount) => {
    // Series B is complete over the same range: it fixes the grid and has no gaps.
    const fullB =
      frequency === 'weekly'
        ? weeks('2024-01-03', fullLength)
        : frequency === 'daily'
          ? ['2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07']
          : ['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30', '2024-05-31'];
    const date = [...datesA, ...fullB];
    const store = [...datesA.map(() => 'A'), ...fullB.map(() => 'B')];
    const columns: TestColumn[] = [
      { name: 'date', type: 'date', values: date },
      { name: 'store', type: 'category', values: store },
      { name: 'units', type: 'integer', values: date.map((_, i) => i) },
    ];
    const panel = panelOf(columns, { date: 'time', store: 'series', units: 'target' });
    expect(panel.frequency.frequency).toBe(frequency);
    expect(panel.gaps.checked).toBe(true);
    expect(panel.gaps.count).toBe(gapCount);
    expect(panel.gaps.seriesWithGaps).toBe(1);
    expect(panel.series.map((s) => s.gapCount)).toEqual([gapCount, 0]);
    expect(panel.gaps.examples).toHaveLength(exampleCount);
    expect(panel.gaps.examples[0]?.series).toBe('A');
  });

  it('names the first missing date and the next observed row', () => {
    const date = weeks('2024-01-03', 6, [3, 4]);
    const columns: TestColumn[] = [
      { name: 'date', type: 'date', values: date },
      { name: 'units', type: 'integer', values: date.map(() => 1) },
    ];
    const panel = panelOf(columns, { date: 'time', units: 'target' });
    expect(panel.series).toEqual([{ label: 'all', keys: [], start: 0, end: 4, gapCount: 2 }]);
    expect(panel.gaps.examples).toEqual([
      { series: 'all', day: day('2024-01-24'), date: '2024-01-24', steps: 2, nextRow: 5 },
    ]);
  });

  it('a series that starts late or ends early has no gaps outside its own range', () => {
    const columns: TestColumn[] = [
      { name: 'date', type: 'date', values: [...weeks('2024-01-03', 8), ...weeks('2024-01-31', 2)] },
      { name: 'store', type: 'category', values: [...Array<string>(8).fill('A'), 'B', 'B'] },
      { name: 'units', type: 'integer', values: Array<number>(10).fill(1) },
    ];
    expect(panelOf(columns, { date: 'time', store: 'series', units: 'target' }).gaps.count).toBe(0);
  });

  it('does not count gaps on an irregular grid', () => {
    const columns: TestColumn[] = [
      { name: 'date', type: 'date', values: [0, 3, 6, 15].map(formatDay) },
      { name: 'units', type: 'integer', values: [1, 2, 3, 4] },
    ];
    const panel = panelOf(columns, { date: 'time', units: 'target' });
    expect(panel.frequency.frequency).toBe('irregular');
    expect(panel.gaps).toEqual({ checked: false, count: 0, seriesWithGaps: 0, examples: [] });
  });
});

describe('buildPanel: series keys', () => {
  it('combines several key columns in natural order, numeric keys included', () => {
    const columns: TestColumn[] = [
      { name: 'WEEK_END_DATE', type: 'date', values: ['2009-01-14', '2009-01-14', '2009-01-14', '2009-01-14', '2009-01-21'] },
      { name: 'STORE_NUM', type: 'id', values: ['367', '2277', '367', null, '367'] },
      { name: 'UPC', type: 'integer', values: [1111009497, 1111009477, 1111009477, 1111009477, 1111009477] },
      { name: 'UNITS', type: 'integer', values: [1, 2, 3, 4, 5] },
    ];
    const panel = panelOf(columns, { WEEK_END_DATE: 'time', STORE_NUM: 'series', UPC: 'series', UNITS: 'target' });
    expect(panel.seriesColumns).toEqual(['STORE_NUM', 'UPC']);
    expect(panel.series.map((s) => [s.label, s.end - s.start])).toEqual([
      ['367 / 1111009477', 2],
      ['367 / 1111009497', 1],
      ['2277 / 1111009477', 1],
      ['(missing) / 1111009477', 1],
    ]);
    expect(panel.series[0]?.keys).toEqual(['367', '1111009477']);
    expect(col(panel, 'UNITS')).toEqual([3, 5, 1, 2, 4]);
    expect(panel.sequenceLength).toEqual({ min: 1, median: 1, max: 2 });
  });

  it('leaves out rows without a date and counts them', () => {
    const columns: TestColumn[] = [
      { name: 'date', type: 'date', values: ['2024-01-01', null, '2024-01-02', 'soon'] },
      { name: 'units', type: 'integer', values: [1, 2, 3, 4] },
    ];
    const panel = panelOf(columns, { date: 'time', units: 'target' });
    expect(panel.rowCount).toBe(2);
    expect(panel.rowsWithoutTime).toBe(2);
    expect(panel.rowsWithoutTimeExamples).toEqual([
      { row: 3, value: '' },
      { row: 5, value: '' },
    ]);
    expect(col(panel, 'units')).toEqual([1, 3]);
  });
});

describe('buildPanel: cross-section', () => {
  it('keeps rows as they are: sequences of length 1', () => {
    const columns: TestColumn[] = [
      { name: 'segment', type: 'category', values: ['Mens E-Mail', 'No E-Mail', 'Mens E-Mail'] },
      { name: 'conversion', type: 'boolean', values: [1, 0, 1] },
      { name: 'spend', type: 'number', values: [10, 0, 20] },
    ];
    const panel = panelOf(columns, { segment: 'lever', conversion: 'target', spend: 'ignore' });
    expect(panel.crossSection).toBe(true);
    expect(panel.times).toBeNull();
    expect(panel.frequency).toEqual({ frequency: 'none', periodDays: 0, seasonalPeriod: 1 });
    expect(panel.sequenceLength).toEqual({ min: 1, median: 1, max: 1 });
    expect(panel.rowCount).toBe(3);
    expect(panel.series).toEqual([{ label: 'all', keys: [], start: 0, end: 3, gapCount: 0 }]);
    expect(panel.columns.map((c) => c.name)).toEqual(['segment', 'conversion']);
    expect(col(panel, 'conversion')).toEqual([1, 0, 1]);
    expect(panel.duplicates.groups).toBe(0);
  });
});

describe('buildPanel at scale', () => {
  it('handles 200,000 rows of 100 series with duplicates and gaps', () => {
    const series = 100;
    const daysPerSeries = 2000;
    const n = series * daysPerSeries;
    const dateValues = new Float64Array(n);
    const store = new Int32Array(n);
    const units = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // Interleaved and reversed order; day 10 of every series is skipped (one gap each),
      // and day 11 appears twice (one duplicate each).
      const s = i % series;
      let d = daysPerSeries - 1 - Math.floor(i / series);
      if (d === 10) d = 11;
      dateValues[i] = 19000 + d;
      store[i] = s;
      units[i] = 1;
    }
    const table = {
      rowCount: n,
      columns: [
        { name: 'date', type: 'date' as const, data: { storage: 'numeric' as const, values: dateValues } },
        {
          name: 'store',
          type: 'id' as const,
          data: { storage: 'coded' as const, codes: store, vocab: Array.from({ length: series }, (_, i) => `S${i}`) },
        },
        { name: 'units', type: 'integer' as const, data: { storage: 'numeric' as const, values: units } },
      ],
    };
    const summaries = [summaryStub('date', 'date'), summaryStub('store', 'id'), summaryStub('units', 'integer')];
    const panel = buildPanel(table, { date: 'time', store: 'series', units: 'target' }, summaries);
    expect(panel.series).toHaveLength(series);
    expect(panel.rowCount).toBe(n - series);
    expect(panel.duplicates.groups).toBe(series);
    expect(panel.gaps.count).toBe(series);
    expect(panel.frequency.frequency).toBe('daily');
    expect(panel.series[1]?.label).toBe('S1');
    const u = col(panel, 'units');
    expect(u[panel.series[0]!.start + 10]).toBe(2);
  });
});
