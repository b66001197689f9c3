import { describe, expect, it } from 'vitest';
import { explainRoles, matchesKeyword, nameTokens, suggestRoles, suggestTarget, suggestTime } from './roles';
import { summaryStub, type SummaryFields } from './testing';
import type { ColumnSummary, ColumnType, Role } from './types';

type Spec = readonly [name: string, type: ColumnType, fields?: SummaryFields];

function dataset(rowCount: number, specs: readonly Spec[]): ColumnSummary[] {
  return specs.map(([name, type, fields]) => summaryStub(name, type, { rowCount, ...fields }));
}

// The sample shipped in public/samples/promotions.csv: 730 days × 5 categories × 3 segments.
const sample = dataset(10950, [
  ['date', 'date', { distinct: 730 }],
  ['category', 'category', { distinct: 5 }],
  ['segment', 'category', { distinct: 3 }],
  ['promo_type', 'category', { distinct: 4 }],
  ['discount_pct', 'number', { distinct: 17, min: 0, max: 30 }],
  ['threshold', 'integer', { distinct: 9, min: 0, max: 2000 }],
  ['threshold_amount', 'integer', { distinct: 29, min: 0, max: 300 }],
  ['ad_spend', 'number', { distinct: 8441, min: 0, max: 2500 }],
  ['is_holiday', 'boolean', { distinct: 2 }],
  ['visitors', 'integer', { distinct: 3260, min: 1000, max: 9000 }],
  ['orders', 'integer', { distinct: 426, min: 10, max: 500 }],
  ['conversion_rate', 'number', { distinct: 9822, min: 0.006, max: 0.09 }],
  ['units', 'integer', { distinct: 971, min: 10, max: 2000 }],
  ['revenue', 'number', { distinct: 10933, min: 1000, max: 200000 }],
]);

// dunnhumby "Breakfast at the Frat", 9 stores.
const frat = dataset(65032, [
  ['WEEK_END_DATE', 'date', { distinct: 156 }],
  ['STORE_NUM', 'id', { distinct: 9 }],
  ['UPC', 'id', { distinct: 58 }],
  ['UNITS', 'integer', { distinct: 500, min: 0, max: 1800 }],
  ['VISITS', 'integer', { distinct: 400, min: 0, max: 1500 }],
  ['HHS', 'integer', { distinct: 400, min: 0, max: 1400 }],
  ['SPEND', 'number', { distinct: 9000, min: 0, max: 3000 }],
  ['PRICE', 'number', { distinct: 400, min: 0, max: 10, missing: 2 }],
  ['BASE_PRICE', 'number', { distinct: 300, min: 0.8, max: 10, missing: 15 }],
  ['FEATURE', 'boolean'],
  ['DISPLAY', 'boolean'],
  ['TPR_ONLY', 'boolean'],
]);

// Hillstrom e-mail test: a cross-section of customers.
const hillstrom = dataset(64000, [
  ['recency', 'integer', { distinct: 12, min: 1, max: 12 }],
  ['history_segment', 'category', { distinct: 7 }],
  ['history', 'number', { distinct: 34000, min: 29.99, max: 3345.93 }],
  ['mens', 'boolean'],
  ['womens', 'boolean'],
  ['zip_code', 'category', { distinct: 3 }],
  ['newbie', 'boolean'],
  ['channel', 'category', { distinct: 3 }],
  ['segment', 'category', { distinct: 3 }],
  ['visit', 'boolean'],
  ['conversion', 'boolean'],
  ['spend', 'number', { distinct: 500, min: 0, max: 499 }],
]);

// Facebook ad conversions: one row per ad.
const fbAds = dataset(1143, [
  ['ad_id', 'integer', { distinct: 1143, min: 708746, max: 1314415 }],
  ['xyz_campaign_id', 'integer', { distinct: 3, min: 916, max: 1178 }],
  ['fb_campaign_id', 'integer', { distinct: 691, min: 103916, max: 179982 }],
  ['age', 'category', { distinct: 4 }],
  ['gender', 'category', { distinct: 2 }],
  ['interest', 'integer', { distinct: 40, min: 2, max: 114 }],
  ['Impressions', 'integer', { distinct: 1130, min: 87, max: 3052003 }],
  ['Clicks', 'integer', { distinct: 183, min: 0, max: 421 }],
  ['Spent', 'number', { distinct: 869, min: 0, max: 639.95 }],
  ['Total_Conversion', 'integer', { distinct: 32, min: 0, max: 60 }],
  ['Approved_Conversion', 'integer', { distinct: 16, min: 0, max: 21 }],
]);

// iFood marketing campaign: customers, TAB-delimited; Dt_Customer is an enrolment date.
const ifood = dataset(2240, [
  ['ID', 'integer', { distinct: 2240, min: 0, max: 11191 }],
  ['Year_Birth', 'integer', { distinct: 59, min: 1893, max: 1996 }],
  ['Education', 'category', { distinct: 5 }],
  ['Marital_Status', 'category', { distinct: 8 }],
  ['Income', 'number', { distinct: 1974, min: 1730, max: 666666, missing: 24 }],
  ['Kidhome', 'integer', { distinct: 3, min: 0, max: 2 }],
  ['Teenhome', 'integer', { distinct: 3, min: 0, max: 2 }],
  ['Dt_Customer', 'date', { distinct: 663 }],
  ['Recency', 'integer', { distinct: 100, min: 0, max: 99 }],
  ['MntWines', 'integer', { distinct: 776, min: 0, max: 1493 }],
  ['MntGoldProds', 'integer', { distinct: 213, min: 0, max: 362 }],
  ['NumDealsPurchases', 'integer', { distinct: 15, min: 0, max: 15 }],
  ['NumWebPurchases', 'integer', { distinct: 15, min: 0, max: 27 }],
  ['NumWebVisitsMonth', 'integer', { distinct: 16, min: 0, max: 20 }],
  ['AcceptedCmp3', 'boolean'],
  ['AcceptedCmp1', 'boolean'],
  ['Complain', 'boolean'],
  ['Z_CostContact', 'integer', { distinct: 1, min: 3, max: 3 }],
  ['Z_Revenue', 'integer', { distinct: 1, min: 11, max: 11 }],
  ['Response', 'boolean'],
]);

// Google Meridian simulated geo data; the first header cell is empty.
const meridian = dataset(6240, [
  ['column_1', 'integer', { distinct: 6240, min: 0, max: 6239, originalName: '' }],
  ['geo', 'category', { distinct: 40 }],
  ['time', 'date', { distinct: 156 }],
  ['Channel0_impression', 'integer', { distinct: 5000, min: 0, max: 900000 }],
  ['Channel1_impression', 'integer', { distinct: 5000, min: 0, max: 900000 }],
  ['competitor_sales_control', 'number', { distinct: 6240, min: -3, max: 3 }],
  ['sentiment_score_control', 'number', { distinct: 6240, min: -3, max: 3 }],
  ['Channel0_spend', 'number', { distinct: 5000, min: 0, max: 9000 }],
  ['Channel1_spend', 'number', { distinct: 5000, min: 0, max: 9000 }],
  ['Channel4_spend', 'number', { distinct: 5000, min: 0, max: 9000 }],
  ['Organic_channel0_impression', 'integer', { distinct: 6000, min: 0, max: 500000 }],
  ['Promo', 'number', { distinct: 3000, min: 0, max: 4.8 }],
  ['conversions', 'number', { distinct: 6240, min: 1e5, max: 1e7 }],
  ['revenue_per_conversion', 'number', { distinct: 6240, min: 0.019, max: 0.021 }],
  ['population', 'number', { distinct: 40, min: 1e4, max: 1e6 }],
]);

// IBM fast-food promotion A/B test: week is a number 1..4, not a date.
const fastfood = dataset(548, [
  ['MarketID', 'integer', { distinct: 10, min: 1, max: 10 }],
  ['MarketSize', 'category', { distinct: 3 }],
  ['LocationID', 'integer', { distinct: 137, min: 1, max: 920 }],
  ['AgeOfStore', 'integer', { distinct: 25, min: 1, max: 28 }],
  ['Promotion', 'integer', { distinct: 3, min: 1, max: 3 }],
  ['week', 'integer', { distinct: 4, min: 1, max: 4 }],
  ['SalesInThousands', 'number', { distinct: 517, min: 17.34, max: 99.65 }],
]);

// A Chinese export of the same shape as the sample.
const chinese = dataset(3000, [
  ['日期', 'date', { distinct: 365 }],
  ['品类', 'category', { distinct: 5 }],
  ['人群', 'category', { distinct: 3 }],
  ['促销类型', 'category', { distinct: 4 }],
  ['折扣', 'percent', { distinct: 10, min: 0, max: 0.5 }],
  ['广告花费', 'currency', { distinct: 2800, min: 0, max: 5000 }],
  ['节假日', 'boolean'],
  ['访客数', 'integer', { distinct: 2000, min: 100, max: 9000 }],
  ['订单数', 'integer', { distinct: 400, min: 1, max: 500 }],
  ['转化率', 'percent', { distinct: 2900, min: 0.001, max: 0.1 }],
  ['销售额', 'currency', { distinct: 2990, min: 100, max: 90000 }],
]);

const expected: readonly (readonly [string, ColumnSummary[], Readonly<Record<string, Role>>])[] = [
  [
    'sample',
    sample,
    {
      date: 'time',
      category: 'series',
      segment: 'series',
      promo_type: 'lever',
      discount_pct: 'lever',
      threshold: 'lever',
      threshold_amount: 'lever',
      ad_spend: 'lever',
      is_holiday: 'covariate',
      visitors: 'ignore',
      orders: 'ignore',
      conversion_rate: 'target',
      units: 'ignore',
      revenue: 'ignore',
    },
  ],
  [
    'frat',
    frat,
    {
      WEEK_END_DATE: 'time',
      STORE_NUM: 'series',
      UPC: 'series',
      UNITS: 'target',
      VISITS: 'ignore',
      HHS: 'ignore',
      SPEND: 'ignore',
      PRICE: 'lever',
      BASE_PRICE: 'covariate',
      FEATURE: 'lever',
      DISPLAY: 'lever',
      TPR_ONLY: 'lever',
    },
  ],
  [
    'hillstrom',
    hillstrom,
    {
      recency: 'covariate',
      history_segment: 'covariate',
      history: 'covariate',
      mens: 'covariate',
      womens: 'covariate',
      zip_code: 'covariate',
      newbie: 'covariate',
      channel: 'lever',
      segment: 'lever',
      visit: 'ignore',
      conversion: 'target',
      spend: 'ignore',
    },
  ],
  [
    'fb ads',
    fbAds,
    {
      ad_id: 'ignore',
      xyz_campaign_id: 'lever',
      fb_campaign_id: 'ignore',
      age: 'covariate',
      gender: 'covariate',
      interest: 'covariate',
      Impressions: 'ignore',
      Clicks: 'ignore',
      Spent: 'lever',
      Total_Conversion: 'ignore',
      Approved_Conversion: 'target',
    },
  ],
  [
    'ifood',
    ifood,
    {
      ID: 'ignore',
      Year_Birth: 'covariate',
      Education: 'covariate',
      Marital_Status: 'covariate',
      Income: 'covariate',
      Kidhome: 'covariate',
      Teenhome: 'covariate',
      Dt_Customer: 'ignore',
      Recency: 'covariate',
      MntWines: 'covariate',
      MntGoldProds: 'covariate',
      NumDealsPurchases: 'lever',
      NumWebPurchases: 'covariate',
      NumWebVisitsMonth: 'covariate',
      AcceptedCmp3: 'covariate',
      AcceptedCmp1: 'covariate',
      Complain: 'covariate',
      Z_CostContact: 'ignore',
      Z_Revenue: 'ignore',
      Response: 'target',
    },
  ],
  [
    'meridian',
    meridian,
    {
      column_1: 'ignore',
      geo: 'series',
      time: 'time',
      Channel0_impression: 'ignore',
      Channel1_impression: 'ignore',
      competitor_sales_control: 'covariate',
      sentiment_score_control: 'covariate',
      Channel0_spend: 'lever',
      Channel1_spend: 'lever',
      Channel4_spend: 'lever',
      Organic_channel0_impression: 'ignore',
      Promo: 'lever',
      conversions: 'target',
      revenue_per_conversion: 'ignore',
      population: 'covariate',
    },
  ],
  [
    'fastfood',
    fastfood,
    {
      MarketID: 'covariate',
      MarketSize: 'covariate',
      LocationID: 'ignore',
      AgeOfStore: 'covariate',
      Promotion: 'lever',
      week: 'covariate',
      SalesInThousands: 'target',
    },
  ],
  [
    'chinese headers',
    chinese,
    {
      日期: 'time',
      品类: 'series',
      人群: 'series',
      促销类型: 'lever',
      折扣: 'lever',
      广告花费: 'lever',
      节假日: 'covariate',
      访客数: 'ignore',
      订单数: 'ignore',
      转化率: 'target',
      销售额: 'ignore',
    },
  ],
];

describe('suggestRoles on the real datasets', () => {
  it.each(expected)('%s', (_name, summaries, roles) => {
    const got = suggestRoles(summaries);
    expect(got).toEqual(roles);
    expect(Object.values(got).filter((r) => r === 'time').length).toBeLessThanOrEqual(1);
    expect(Object.values(got).filter((r) => r === 'target').length).toBe(1);
  });
});

describe('suggestTarget and suggestTime', () => {
  it.each([
    ['sample', sample, 'conversion_rate', 'date'],
    ['frat', frat, 'UNITS', 'WEEK_END_DATE'],
    ['hillstrom', hillstrom, 'conversion', null],
    ['fb ads', fbAds, 'Approved_Conversion', null],
    ['ifood', ifood, 'Response', null],
    ['meridian', meridian, 'conversions', 'time'],
    ['fastfood', fastfood, 'SalesInThousands', null],
    ['chinese', chinese, '转化率', '日期'],
  ] as const)('%s', (_name, summaries, target, time) => {
    expect(suggestTarget(summaries)).toBe(target);
    expect(suggestTime(summaries)).toBe(time);
  });

  it('prefers orders over revenue when there is no conversion rate', () => {
    const s = dataset(100, [
      ['day', 'date', { distinct: 100 }],
      ['revenue', 'currency', { distinct: 100 }],
      ['orders', 'integer', { distinct: 50 }],
    ]);
    expect(suggestTarget(s)).toBe('orders');
    expect(suggestRoles(s)).toEqual({ day: 'time', revenue: 'ignore', orders: 'target' });
  });

  it('returns no target when nothing is named like an outcome', () => {
    expect(suggestTarget(dataset(100, [['x', 'number', { distinct: 50 }]]))).toBeNull();
  });

  it('never picks a lever or a constant column as target', () => {
    const s = dataset(100, [
      ['ad_spend', 'number', { distinct: 90 }],
      ['sales', 'number', { distinct: 1 }],
      ['units', 'integer', { distinct: 40 }],
    ]);
    expect(suggestTarget(s)).toBe('units');
  });
});

describe('time column', () => {
  it.each([
    ['an exact time name wins over another date', ['signup_date', 'date'], 'date'],
    ['entity dates are never the time axis', ['Dt_Customer'], null],
    ['an unnamed date column is the time axis when it is the only one', ['when'], 'when'],
    ['names containing a time word', ['order_date'], 'order_date'],
  ] as const)('%s', (_label, names, time) => {
    const s = dataset(
      100,
      names.map((n): Spec => [n, 'date', { distinct: 50 }]),
    );
    expect(suggestTime(s)).toBe(time);
    const roles = suggestRoles(s);
    for (const n of names) expect(roles[n]).toBe(n === time ? 'time' : 'ignore');
  });

  it('an integer week number is not a time axis', () => {
    expect(suggestTime(dataset(10, [['week', 'integer', { distinct: 4 }]]))).toBeNull();
  });
});

describe('ignore rules', () => {
  it.each([
    ['all missing', summaryStub('notes', 'empty', { rowCount: 50, missing: 50, distinct: 0 }), 'allMissing'],
    ['constant', summaryStub('country', 'category', { rowCount: 50, distinct: 1 }), 'constant'],
    ['free text', summaryStub('comment', 'text', { rowCount: 50, distinct: 50 }), 'text'],
    [
      'unnamed index',
      summaryStub('column_1', 'integer', { rowCount: 50, distinct: 50, min: 0, max: 49, originalName: '' }),
      'indexColumn',
    ],
    ['row numbers', summaryStub('row', 'integer', { rowCount: 50, distinct: 50, min: 1, max: 50 }), 'indexColumn'],
    ['unique id', summaryStub('customer_id', 'id', { rowCount: 50, distinct: 50 }), 'identifier'],
  ] as const)('%s', (_label, summary, reason) => {
    const [s] = explainRoles([summary]);
    expect(s?.role).toBe('ignore');
    expect(s?.reason).toBe(reason);
  });

  it('explains keyword matches', () => {
    const byName = new Map(explainRoles(frat).map((s) => [s.column, s]));
    expect(byName.get('PRICE')).toMatchObject({ role: 'lever', reason: 'leverKeyword', keyword: 'price' });
    expect(byName.get('BASE_PRICE')).toMatchObject({ role: 'covariate', reason: 'covariateKeyword', keyword: 'base_price' });
    expect(byName.get('SPEND')).toMatchObject({ role: 'ignore', reason: 'outcomeLeak' });
    expect(byName.get('STORE_NUM')).toMatchObject({ role: 'series', reason: 'seriesKeyword', keyword: 'store' });
    const fb = new Map(explainRoles(fbAds).map((s) => [s.column, s]));
    expect(fb.get('Spent')).toMatchObject({ role: 'lever', reason: 'adSpend' });
    const hs = new Map(explainRoles(hillstrom).map((s) => [s.column, s]));
    expect(hs.get('segment')).toMatchObject({ role: 'lever', reason: 'crossSectionLever' });
  });

  it('series keys need a time column; without one a category is a covariate', () => {
    const s = dataset(100, [
      ['region', 'category', { distinct: 4 }],
      ['orders', 'integer', { distinct: 60 }],
    ]);
    expect(suggestRoles(s)).toEqual({ region: 'covariate', orders: 'target' });
  });

  it('a unit price is a lever, not an outcome', () => {
    const s = dataset(100, [
      ['date', 'date', { distinct: 100 }],
      ['unit_price', 'number', { distinct: 60 }],
      ['promo_orders', 'integer', { distinct: 60 }],
      ['units', 'integer', { distinct: 60 }],
    ]);
    expect(suggestRoles(s)).toEqual({ date: 'time', unit_price: 'lever', promo_orders: 'ignore', units: 'target' });
  });
});

describe('name matching', () => {
  it.each([
    ['SalesInThousands', ['sales', 'in', 'thousands']],
    ['Channel0_spend', ['channel', '0', 'spend']],
    ['WEEK_END_DATE', ['week', 'end', 'date']],
    ['NumDealsPurchases', ['num', 'deals', 'purchases']],
    ['MarketID', ['market', 'id']],
    ['广告花费', ['广告花费']],
  ] as const)('tokens of %s', (name, tokens) => {
    expect(nameTokens(name)).toEqual(tokens);
  });

  it.each([
    ['discount_pct', 'discount', true],
    ['ORDERS', 'order', true],
    ['base_price', 'base_price', true],
    ['price', 'base_price', false],
    ['广告花费', '广告', true],
    ['average', 'age', false],
  ] as const)('%s matches %s: %s', (name, keyword, result) => {
    expect(matchesKeyword(name, keyword)).toBe(result);
  });
});
