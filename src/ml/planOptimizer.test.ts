import { describe, expect, it } from 'vitest';
import { normalQuantile, optimizeWithModel, type PredictPlans } from './planOptimizer';
import type { FeatureSpec } from './types';
import type { PlanSpec } from './whatif';

const spec = { levers: ['promo_type', 'discount_pct', 'ad_spend'], seriesColumns: ['segment'], periodDays: 1, target: { kind: 'rate' } } as unknown as FeatureSpec;
const types = ['none', 'percent_off', 'gift'];
const dataset = {
  spec,
  noPromotion: [0, 1].map(() => ({ promo_type: 'none', discount_pct: 0, ad_spend: 0 })),
  kpi: [0, 1].map(() => ({ visitorsPerDay: 1000, averageOrderValue: 100, unitsPerOrder: 2, margin: 0.4 })),
  targetMeaning: 'conversionRate' as const,
  leverRanges: { promo_type: { kind: 'category' as const, values: types }, discount_pct: { kind: 'numeric' as const, min: 0, max: 40 }, ad_spend: { kind: 'numeric' as const, min: 0, max: 5000 } },
  seriesKeys: [['bargain'], ['loyal']],
  seriesLabels: ['bargain', 'loyal'],
  typicalLevers: { promo_type: { none: {}, percent_off: {}, gift: {} } },
  // percent_off was only ever run at 10–40 %; gift at 5–20 %.
  leverSupport: { promo_type: { none: { discount_pct: { min: 0, max: 0 } }, percent_off: { discount_pct: { min: 10, max: 40 } }, gift: { discount_pct: { min: 5, max: 20 } } } },
};

/** Conversion: bargain hunters love percent_off, loyal members love gifts; ads help with saturation. */
const predict: PredictPlans = async (plans: readonly PlanSpec[]) =>
  plans.map((p) => {
    const n = p.series.length * p.horizon;
    const mean = new Float64Array(n);
    p.series.forEach((si, k) => {
      for (let d = 0; d < p.horizon; d++) {
        const on = d >= p.promoStart && d < p.promoStart + p.promoDuration;
        const type = on ? String(p.levers['promo_type']) : 'none';
        const discount = on ? Number(p.levers['discount_pct'] ?? 0) : 0;
        const spend = on ? Number(p.levers['ad_spend'] ?? 0) : 0;
        const fit = (si === 0 && type === 'percent_off') || (si === 1 && type === 'gift') ? 0.03 : type === 'none' ? 0 : 0.005;
        mean[k * p.horizon + d] = 0.03 + fit * (1 - Math.exp(-discount / 10)) + 0.01 * (1 - Math.exp(-spend / 2000));
      }
    });
    return { mean, lower: mean.map((v) => v * 0.9), upper: mean.map((v) => v * 1.1) };
  });

describe('optimizeWithModel', () => {
  it('finds each group’s promotion type, stays within the budget and the data’s discount support', async () => {
    const out = await optimizeWithModel({
      dataset,
      levers: { promoType: 'promo_type', discount: 'discount_pct', discountScale: 1, adSpend: 'ad_spend' },
      request: {
        groupColumn: 0,
        startDay: 20_000,
        objective: 'revenue',
        constraints: { totalAdBudget: 20_000, maxDiscountPct: 30, allowedPromoTypes: types, startWindow: [0, 0], horizon: 7, minMarginShare: null },
        averageOrderValue: null,
        margin: 0.4,
        serviceLevel: 0.95,
      },
      predict,
    });
    expect(out.rows.map((r) => [r.label, r.candidate.promoType])).toEqual([
      ['bargain', 'percent_off'],
      ['loyal', 'gift'],
    ]);
    expect(out.totalAdSpend).toBeLessThanOrEqual(20_000);
    const loyal = out.rows[1]!;
    expect(loyal.candidate.discountPct).toBeGreaterThanOrEqual(5);
    expect(loyal.candidate.discountPct).toBeLessThanOrEqual(20);
    for (const row of out.rows) {
      expect(row.uplift).toBeGreaterThan(0);
      expect(row.units).not.toBeNull();
      expect(row.stock!).toBeGreaterThanOrEqual(row.units!);
      expect(row.levers['promo_type']).toBe(row.candidate.promoType);
    }
  });
});

describe('normalQuantile', () => {
  it.each([
    [0.5, 0],
    [0.95, 1.644854],
    [0.975, 1.959964],
    [0.01, -2.326348],
  ])('z(%d) = %d', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 5);
  });
});
