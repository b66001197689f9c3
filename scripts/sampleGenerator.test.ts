import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CATEGORIES,
  CSV_COLUMNS,
  DEFAULT_SEED,
  NUM_DAYS,
  PROMO_TYPES,
  SEGMENTS,
  TRUTH_AD_SPEND_YUAN,
  TRUTH_CONTEXTS,
  adSaturation,
  adstock,
  bestPromoType,
  dateOfDay,
  discountResponse,
  generateSample,
  generateSampleRows,
  holidayOf,
  pullForwardPenalty,
  trueConversionRate,
  truthToJson,
  type PromoType,
  type SampleRow,
  type Segment,
} from './sampleGenerator';

const samplesDir = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'public', 'samples');
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

const { csv, truth } = generateSample();
const rows = generateSampleRows();
const lines = csv.split('\n');
const header = lines[0] ?? '';
const body = lines.slice(1, -1).map((l) => l.split(','));
const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
const num = (cells: string[], name: (typeof CSV_COLUMNS)[number]) => Number(cells[col(name)]);
const conv = (r: SampleRow) => r.orders / r.visitors;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('committed sample is reproducible', () => {
  it('regenerating gives the same CSV bytes (sha256)', () => {
    const file = readFileSync(join(samplesDir, 'promotions.csv'));
    expect(sha256(Buffer.from(csv, 'utf8'))).toBe(sha256(file));
  });

  it('regenerating gives the same truth JSON', () => {
    const file = readFileSync(join(samplesDir, 'promotions.truth.json'), 'utf8');
    expect(truthToJson(truth)).toBe(file);
    expect(JSON.parse(file)).toEqual(truth);
  });

  it('is deterministic in the seed and changes with it', () => {
    expect(generateSample(DEFAULT_SEED).csv).toBe(csv);
    expect(generateSample(7).csv).not.toBe(csv);
  });
});

describe('CSV structure', () => {
  it.each([
    ['row count = 730 days × 5 categories × 3 segments', body.length, NUM_DAYS * 5 * 3],
    ['truth.rows', truth.rows, 10950],
    ['categories', CATEGORIES.length, 5],
    ['segments', SEGMENTS.length, 3],
  ])('%s', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('has the columns in order', () => {
    expect(header).toBe(
      'date,category,segment,promo_type,discount_pct,threshold,threshold_amount,ad_spend,is_holiday,visitors,orders,conversion_rate,units,revenue',
    );
    for (const cells of body) expect(cells).toHaveLength(CSV_COLUMNS.length);
  });

  it('uses \\n line endings, no trailing spaces, a trailing newline, and stays under 1.5 MB', () => {
    expect(csv.includes('\r')).toBe(false);
    expect(csv.endsWith('\n')).toBe(true);
    expect(csv.endsWith('\n\n')).toBe(false);
    expect(/ \n|\t/.test(csv)).toBe(false);
    expect(Buffer.byteLength(csv)).toBeLessThan(1.5e6);
  });

  it('has consecutive dates from 2023-01-01, each with every category × segment once', () => {
    expect(body[0]?.[0]).toBe('2023-01-01');
    for (let d = 0; d < NUM_DAYS; d++) {
      const block = body.slice(d * 15, d * 15 + 15);
      const expected = dateOfDay(d);
      expect(block.every((c) => c[0] === expected)).toBe(true);
      const keys = new Set(block.map((c) => `${c[1]}|${c[2]}`));
      expect(keys.size).toBe(15);
    }
    expect(dateOfDay(NUM_DAYS - 1)).toBe('2024-12-30');
    expect(dateOfDay(59)).toBe('2023-03-01');
  });

  it.each([
    ['category', (c: string[]) => (CATEGORIES as readonly string[]).includes(c[1] ?? '')],
    ['segment', (c: string[]) => (SEGMENTS as readonly string[]).includes(c[2] ?? '')],
    ['promo_type', (c: string[]) => (PROMO_TYPES as readonly string[]).includes(c[3] ?? '')],
    ['discount_pct in 0..50, 0 iff none', (c: string[]) => {
      const d = num(c, 'discount_pct');
      return c[3] === 'none' ? d === 0 : d > 0 && d <= 50;
    }],
    ['threshold fields only for spend_threshold, discount = amount/threshold', (c: string[]) => {
      const t = num(c, 'threshold');
      const a = num(c, 'threshold_amount');
      if (c[3] !== 'spend_threshold') return t === 0 && a === 0;
      return t > 0 && a > 0 && a < t && num(c, 'discount_pct') === Math.round((a / t) * 1000) / 10;
    }],
    ['ad_spend ≥ 0 with two decimals', (c: string[]) => /^\d+\.\d\d$/.test(c[col('ad_spend')] ?? '')],
    ['is_holiday is 0/1 and matches the calendar', (c: string[]) => c[8] === (holidayOf(c[0] ?? '') ? '1' : '0')],
    ['visitors integer ≥ 1', (c: string[]) => /^\d+$/.test(c[col('visitors')] ?? '') && num(c, 'visitors') >= 1],
    ['orders integer ≤ visitors', (c: string[]) => /^\d+$/.test(c[col('orders')] ?? '') && num(c, 'orders') <= num(c, 'visitors')],
    ['conversion_rate in [0,1] = orders/visitors (6 decimals)', (c: string[]) => {
      const r = num(c, 'conversion_rate');
      return r >= 0 && r <= 1 && (c[col('conversion_rate')] ?? '') === (num(c, 'orders') / num(c, 'visitors')).toFixed(6);
    }],
    ['units integer ≥ orders', (c: string[]) => /^\d+$/.test(c[col('units')] ?? '') && num(c, 'units') >= num(c, 'orders')],
    ['revenue ≥ 0 with two decimals, 0 iff no units', (c: string[]) =>
      /^\d+\.\d\d$/.test(c[col('revenue')] ?? '') && (num(c, 'revenue') > 0) === (num(c, 'units') > 0)],
  ])('every row: %s', (_name, check) => {
    const bad = body.filter((c) => !check(c));
    expect(bad.slice(0, 3)).toEqual([]);
  });

  it.each([
    ['promotion days share in [0.35, 0.45]', () => mean(rows.map((r) => (r.promoType === 'none' ? 0 : 1))), 0.35, 0.45],
    ['median visitors in [500, 5000]', () => [...rows].map((r) => r.visitors).sort((a, b) => a - b)[rows.length >> 1] ?? 0, 500, 5000],
    ['mean conversion in [0.01, 0.08]', () => mean(rows.map(conv)), 0.01, 0.08],
    ['max ad spend in [2000, 10000] ¥/day', () => Math.max(...rows.map((r) => r.adSpend)), 2000, 10000],
    ['share of zero-ad days in [0.05, 0.4]', () => mean(rows.map((r) => (r.adSpend === 0 ? 1 : 0))), 0.05, 0.4],
    ['relative conversion noise (rms of observed/expected − 1) in [0.05, 0.3]', () =>
      Math.sqrt(mean(rows.map((r) => (conv(r) / r.expectedConversionRate - 1) ** 2))), 0.05, 0.3],
  ])('%s', (_name, stat, lo, hi) => {
    const v = stat();
    expect(v).toBeGreaterThanOrEqual(lo);
    expect(v).toBeLessThanOrEqual(hi);
  });

  it('runs promotions as campaigns of 3-10 days', () => {
    for (const category of CATEGORIES) {
      for (const segment of SEGMENTS) {
        const series = rows.filter((r) => r.category === category && r.segment === segment);
        let run = 0;
        const runs: number[] = [];
        series.forEach((r, i) => {
          const prev = series[i - 1];
          const same = prev && prev.promoType === r.promoType && prev.discountPct === r.discountPct && prev.threshold === r.threshold;
          if (r.promoType === 'none') {
            if (run) runs.push(run);
            run = 0;
          } else if (same) run++;
          else {
            if (run) runs.push(run);
            run = 1;
          }
        });
        // The last run may be cut by the end of the data.
        expect(runs.every((n) => n >= 3 && n <= 10)).toBe(true);
      }
    }
  });
});

describe('effects visible in the data', () => {
  it('mean conversion with a promotion is higher than without', () => {
    const withPromo = mean(rows.filter((r) => r.promoType !== 'none').map(conv));
    const without = mean(rows.filter((r) => r.promoType === 'none').map(conv));
    expect(withPromo).toBeGreaterThan(without * 1.2);
  });

  // Lift of each promo type over no promotion, relative to the same series' non-holiday no-promo mean.
  const lift = (segment: Segment, type: PromoType) => {
    const base = new Map(
      CATEGORIES.map((c) => [
        c,
        mean(rows.filter((r) => r.segment === segment && r.category === c && r.promoType === 'none' && !r.isHoliday).map(conv)),
      ]),
    );
    return mean(
      rows.filter((r) => r.segment === segment && r.promoType === type && !r.isHoliday).map((r) => conv(r) / (base.get(r.category) ?? 1)),
    );
  };

  it.each(SEGMENTS.map((s) => [s]))('%s: the true best promo type also has the highest observed lift', (segment) => {
    const best = truth.bestPromoTypeBySegment[segment];
    const others = (['percent_off', 'spend_threshold', 'gift'] as const).filter((t) => t !== best);
    for (const t of others) expect(lift(segment, best)).toBeGreaterThan(lift(segment, t));
  });

  it('618 and Double 11 lift conversion (vs the same series and promo type on other days)', () => {
    const ratios = rows
      .filter((r) => r.date.endsWith('-06-18') || r.date.endsWith('-11-11'))
      .map((r) => {
        const base = mean(
          rows.filter((o) => o.category === r.category && o.segment === r.segment && o.promoType === r.promoType && !o.isHoliday).map(conv),
        );
        return conv(r) / base;
      });
    expect(ratios).toHaveLength(60);
    expect(mean(ratios)).toBeGreaterThan(1.3);
  });

  it('conversion dips on no-promo days right after a deep discount (pull-forward)', () => {
    const afterDeep: number[] = [];
    for (const category of CATEGORIES) {
      for (const segment of SEGMENTS) {
        const series = rows.filter((r) => r.category === category && r.segment === segment);
        const base = mean(series.filter((r) => r.promoType === 'none' && !r.isHoliday).map(conv));
        series.forEach((r, i) => {
          const prev = series[i - 1];
          if (r.promoType === 'none' && !r.isHoliday && prev && prev.discountPct >= 40) afterDeep.push(conv(r) / base);
        });
      }
    }
    expect(afterDeep.length).toBeGreaterThan(30);
    expect(mean(afterDeep)).toBeLessThan(0.9);
  });
});

describe('ground truth', () => {
  it('has at least 3 contexts, one on a holiday, the others non-holiday in the last 60 days', () => {
    expect(truth.contexts.length).toBeGreaterThanOrEqual(4);
    const last = dateOfDay(NUM_DAYS - 60);
    const nonHoliday = truth.contexts.filter((c) => !c.isHoliday);
    expect(nonHoliday.length).toBeGreaterThanOrEqual(3);
    for (const c of truth.contexts) expect(c.date >= last && c.date <= dateOfDay(NUM_DAYS - 1)).toBe(true);
    expect(truth.contexts.some((c) => c.isHoliday && holidayOf(c.date) !== null)).toBe(true);
    for (const c of truth.contexts) expect(c.grid).toHaveLength(4 * 11 * 5);
  });

  it('grid values equal trueConversionRate and lie in (0, 1)', () => {
    for (const c of truth.contexts) {
      for (const g of c.grid) {
        expect(g.expectedConversionRate).toBeGreaterThan(0);
        expect(g.expectedConversionRate).toBeLessThan(1);
        expect(g.expectedConversionRate).toBeCloseTo(trueConversionRate(c, g), 7);
      }
    }
  });

  it('the best promo type differs between segments and matches the grid', () => {
    expect(new Set(Object.values(truth.bestPromoTypeBySegment)).size).toBeGreaterThanOrEqual(2);
    expect(truth.bestPromoTypeBySegment).toEqual({
      bargain_hunters: 'percent_off',
      loyal_members: 'gift',
      new_visitors: 'spend_threshold',
    });
    for (const c of truth.contexts) {
      const at = (t: PromoType) => c.grid.find((g) => g.promoType === t && g.discountPct === 20 && g.adSpend === 1000)?.expectedConversionRate ?? 0;
      const best = bestPromoType(c.segment);
      for (const t of PROMO_TYPES) if (t !== best) expect(at(best)).toBeGreaterThan(at(t));
    }
  });

  it.each(TRUTH_CONTEXTS.map((c) => [`${c.category}/${c.segment}/${c.date}`, c]))(
    '%s: ad spend helps with diminishing returns (marginal effect per ¥ decreasing)',
    (_name, ctx) => {
      for (const promoType of PROMO_TYPES) {
        const ps = TRUTH_AD_SPEND_YUAN.map((adSpend) => trueConversionRate(ctx, { promoType, discountPct: 20, adSpend }));
        const marginal = ps.slice(1).map((p, i) => (p - (ps[i] ?? 0)) / ((TRUTH_AD_SPEND_YUAN[i + 1] ?? 0) - (TRUTH_AD_SPEND_YUAN[i] ?? 0)));
        for (const m of marginal) expect(m).toBeGreaterThan(0);
        for (let i = 1; i < marginal.length; i++) expect(marginal[i]).toBeLessThan(marginal[i - 1] ?? 0);
      }
    },
  );

  it.each(TRUTH_CONTEXTS.map((c) => [`${c.category}/${c.segment}/${c.date}`, c]))(
    '%s: discounts help with diminishing returns; discount 0 equals no promotion',
    (_name, ctx) => {
      const none = trueConversionRate(ctx, { promoType: 'none', discountPct: 0, adSpend: 1000 });
      for (const promoType of ['percent_off', 'spend_threshold', 'gift'] as const) {
        expect(trueConversionRate(ctx, { promoType, discountPct: 0, adSpend: 1000 })).toBeCloseTo(none, 12);
        const ps = [0, 10, 20, 30, 40, 50].map((discountPct) => trueConversionRate(ctx, { promoType, discountPct, adSpend: 1000 }));
        const steps = ps.slice(1).map((p, i) => p - (ps[i] ?? 0));
        for (const s of steps) expect(s).toBeGreaterThan(0);
        expect(steps[steps.length - 1]).toBeLessThan(steps[0] ?? 0);
      }
    },
  );

  it.each([
    ['618 2024', '2024-06-18', '2024-06-11'],
    ['Double 11 2024', '2024-11-11', '2024-11-04'],
    ['Double 11 2023', '2023-11-11', '2023-11-04'],
  ])('%s lifts expected conversion over the same weekday a week earlier', (_name, holiday, weekBefore) => {
    for (const category of CATEGORIES) {
      for (const segment of SEGMENTS) {
        const levers = { promoType: 'none' as const, discountPct: 0, adSpend: 500 };
        const h = trueConversionRate({ category, segment, date: holiday }, levers);
        const w = trueConversionRate({ category, segment, date: weekBefore }, levers);
        expect(h / w).toBeGreaterThan(1.4);
      }
    }
  });

  it.each([
    ['2024-06-18', '618'],
    ['2023-11-11', 'double_11'],
    ['2023-05-02', 'may_day'],
    ['2024-10-07', 'national_day'],
    ['2024-02-10', 'cny'],
    ['2023-01-22', 'cny'],
    ['2024-06-17', null],
    ['2024-10-08', null],
  ])('holidayOf(%s) = %s', (date, name) => {
    expect(holidayOf(date)).toBe(name);
  });

  it('weekends convert better than midweek', () => {
    const ctx = { category: 'home' as const, segment: 'loyal_members' as const };
    const levers = { promoType: 'none' as const, discountPct: 0, adSpend: 0 };
    expect(trueConversionRate({ ...ctx, date: '2024-12-14' }, levers)).toBeGreaterThan(trueConversionRate({ ...ctx, date: '2024-12-11' }, levers));
  });

  it('helpers: adstock steady state, saturation, discount response and pull-forward', () => {
    expect(adstock([1000, 1000, 1000])).toEqual([1000, 1000, 1000]);
    expect(adstock([0, 1000, 0, 0], 0.5, 0)).toEqual([0, 500, 250, 125]);
    expect(adSaturation('grocery', 0)).toBe(0);
    expect(adSaturation('grocery', 500)).toBeCloseTo(1 - Math.exp(-1), 12);
    expect(discountResponse(0)).toBe(0);
    expect(discountResponse(15)).toBeCloseTo(1 - Math.exp(-1), 12);
    expect(pullForwardPenalty('percent_off', [50])).toBe(0);
    expect(pullForwardPenalty('none', [20, 20])).toBe(0);
    expect(pullForwardPenalty('none', [50])).toBeCloseTo(0.45, 12);
    expect(pullForwardPenalty('none', [0, 50])).toBeLessThan(pullForwardPenalty('none', [50]));
  });

  it('per-row expected conversion reflects ad stock and pull-forward history', () => {
    for (const r of rows.slice(0, 300)) {
      const steady = trueConversionRate(r, { promoType: r.promoType, discountPct: r.discountPct, adSpend: r.adStock });
      if (r.promoType !== 'none') expect(r.expectedConversionRate).toBeCloseTo(steady, 12);
      else expect(r.expectedConversionRate).toBeLessThanOrEqual(steady + 1e-15);
    }
  });
});
