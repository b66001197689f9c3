import { describe, expect, it } from 'vitest';
import { buildDataset, makeWindows } from './features';
import { loadPanel, readSample } from './testing';
import type { Dataset } from './types';
import { actualsForPlan, CROSS_SECTION_ROWS, dayOfStep, extrapolation, planWindows, stepAYearBefore, stepOfDay } from './whatif';

const csv = readSample().toString('utf8');
const lines = csv.trim().split('\n');
const header = lines[0]!.split(',');

async function sample(): Promise<Dataset> {
  const { panel, summaries } = await loadPanel(readSample());
  const r = buildDataset(panel, summaries, { windowLength: 14 });
  if (!r.ok) throw new Error(r.reason.code);
  return r.data;
}

/** The sample's raw lever values for one series on one date. */
function rawLevers(label: string, date: string): Record<string, number | string> {
  const [category, segment] = label.split(' / ');
  const row = lines.find((l) => l.startsWith(`${date},${category},${segment},`))!.split(',');
  const get = (c: string) => row[header.indexOf(c)]!;
  return { promo_type: get('promo_type'), discount_pct: Number(get('discount_pct')), threshold: Number(get('threshold')), threshold_amount: Number(get('threshold_amount')), ad_spend: Number(get('ad_spend')) };
}

const iso = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

describe('planWindows', () => {
  it.each([3, 8, 14])('a past one-day plan with the actual levers is the one-step-ahead test window (series %i)', async (si) => {
    const d = await sample();
    const test = makeWindows(d, { split: 'test', horizon: 1 });
    const i = Array.from(test.series).findIndex((s) => s === si);
    const grid = d.series[si]!;
    const day = grid.times[test.step[i]!]!;
    const { x, count } = planWindows(d, [{ series: [si], startDay: day, horizon: 1, promoStart: 0, promoDuration: 1, levers: rawLevers(grid.label, iso(day)) }]);
    expect(count).toBe(1);
    const stride = test.windowLength * test.featureCount;
    const expected = test.x.subarray(i * stride, (i + 1) * stride);
    for (let k = 0; k < stride; k++) expect(x[k]).toBeCloseTo(expected[k]!, 5);
  });

  it('builds the same windows for a plan alone, in a batch, and again (the kept no-promotion stretches carry no plan\'s levers)', async () => {
    const d = await sample();
    const start = d.series[2]!.times.at(-1)! + 1;
    const plan = (discount: number, promoStart: number, promoDuration: number) => ({ series: [2, 5], startDay: start, horizon: 7, promoStart, promoDuration, levers: { promo_type: 'percent_off', discount_pct: discount, threshold: 0, threshold_amount: 0, ad_spend: 100 * discount } });
    const plans = [plan(10, 0, 7), plan(40, 2, 3), plan(0, 0, 0), plan(25, 6, 1)];
    const alone = plans.map((p) => planWindows(d, [p]).x);
    for (let round = 0; round < 2; round++) {
      const batch = planWindows(d, plans).x;
      const stride = alone[0]!.length;
      plans.forEach((_, i) => expect(batch.subarray(i * stride, (i + 1) * stride)).toEqual(alone[i]));
    }
    // No plan's levers stayed behind: no promotion after them is no promotion on a fresh data set.
    expect(planWindows(d, [plans[2]!]).x).toEqual(planWindows(await sample(), [plans[2]!]).x);
  });

  it('puts levers on the promotion days only and keeps real history before the start', async () => {
    const d = await sample();
    const si = 0;
    const grid = d.series[si]!;
    const start = grid.times[600]!;
    const plan = { series: [si], startDay: start, horizon: 7, promoStart: 2, promoDuration: 3, levers: { promo_type: 'percent_off', discount_pct: 30, threshold: 0, threshold_amount: 0, ad_spend: 2000 } };
    const { x, count, layout } = planWindows(d, [plan]);
    expect(count).toBe(7);
    expect(layout.map((l) => l.day)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const F = d.spec.features.length;
    const L = d.spec.windowLength;
    const discount = d.spec.features.findIndex((f) => f.name === 'discount_pct');
    const lag = d.exogCount;
    const scaler = d.spec.scalers['discount_pct']!;
    const last = 6; // the window ending on the plan's last day
    for (let s = 0; s < L; s++) {
      const offset = 6 - (L - 1 - s); // plan day of this window step (negative: before the plan)
      const at = (last * L + s) * F;
      const raw = x[at + discount]! * scaler.std + scaler.mean;
      if (offset < 0) {
        expect(x[at + discount]).toBeCloseTo(grid.exog[(600 + offset) * d.exogCount + discount]!, 6);
        expect(x[at + lag + 1]).toBe(Number.isNaN(grid.targetModel[600 + offset]) ? 1 : 0);
      } else {
        expect(raw).toBeCloseTo(offset >= 2 && offset < 5 ? 30 : 0, 4);
        expect(x[at + lag + 1]).toBe(1);
        expect(x[at + lag]).toBe(0);
      }
    }
  });

  it('plans past the end of the data get future days, calendar and last year’s holidays', async () => {
    const d = await sample();
    const grid = d.series[0]!;
    const lastDay = grid.times[grid.times.length - 1]!;
    expect(stepOfDay(d, grid, lastDay + 3)).toBe(grid.times.length + 2);
    expect(dayOfStep(d, grid, grid.times.length + 2)).toBe(lastDay + 3);
    const actual = actualsForPlan(d, 0, lastDay - 1, 4);
    expect(Number.isNaN(actual[0]!)).toBe(false);
    expect(Number.isNaN(actual[2]!)).toBe(true);
    const { count } = planWindows(d, [{ series: [0, 1, 2], startDay: lastDay + 1, horizon: 28, promoStart: 0, promoDuration: 28, levers: {} }]);
    expect(count).toBe(84);
  });

  it.each([
    ['inside the data: the day itself', '2024-11-05', '2024-11-11', '2024-11-11'],
    ['past the data: the same date a year earlier', '2025-11-06', '2025-11-11', '2024-11-11'],
    ['past the data: National Day a year earlier', '2025-09-28', '2025-10-03', '2024-10-03'],
  ])('carries the holiday and its month onto plan days, %s', async (_, start, day, from) => {
    const d = await sample();
    const grid = d.series[0]!;
    const F = d.spec.features.length;
    const L = d.spec.windowLength;
    const toDay = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
    const startDay = toDay(start);
    const horizon = toDay(day) - startDay + 1;
    const { x, count } = planWindows(d, [{ series: [0], startDay, horizon, promoStart: 0, promoDuration: horizon, levers: rawLevers(grid.label, '2024-11-05') }]);
    // The last window's last step is `day`; its covariate features equal the data's on `from`.
    const at = ((count - 1) * L + L - 1) * F;
    const step = grid.times.indexOf(toDay(from));
    const covariateFeatures = d.spec.features.flatMap((f, k) => ('column' in f.source && f.source.column === 'is_holiday' ? [k] : []));
    expect(covariateFeatures.length).toBeGreaterThan(1);
    expect(d.spec.features.findIndex((f) => f.name === 'is_holiday in November')).toBeGreaterThan(-1);
    for (const k of covariateFeatures) expect(x[at + k]).toBe(grid.exog[step * d.exogCount + k]);
    expect(x[at + d.spec.features.findIndex((f) => f.name === `is_holiday in ${day.slice(5, 7) === '11' ? 'November' : 'October'}`)]).toBe(1);
  });

  it.each([
    ['2025-11-11', '2024-11-11'],
    ['2025-03-01', '2024-03-01'],
    ['2028-02-29', '2027-02-28'],
    ['2025-02-28', '2024-02-28'],
  ])('a future daily step takes its covariates from the same date a year earlier: %s from %s', async (day, from) => {
    const d = await sample();
    const grid = d.series[0]!;
    const toDay = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
    expect(stepAYearBefore(d, grid, stepOfDay(d, grid, toDay(day)))).toBe(stepOfDay(d, grid, toDay(from)));
  });

  it.each([
    ['discount_pct', 45, null],
    ['discount_pct', 90, 'range'],
    ['promo_type', 'gift', null],
    ['promo_type', 'flash_sale', 'unseen'],
  ] as const)('extrapolation of %s = %s is %s', async (lever, value, expected) => {
    const d = await sample();
    expect(extrapolation(d, 0, lever, value)).toBe(expected);
  });
});

describe('planWindows on a cross-section', () => {
  // 600 stores, no time: size (a covariate) and a promotion (a lever); sales is the target.
  const rows = Array.from({ length: 600 }, (_, i) => `${['S', 'M', 'L'][i % 3]},${1 + (i % 3)},${30 + (i % 3) * 10 + (i % 7)}`);
  const csvText = ['size,promotion,sales', ...rows].join('\n');

  it('averages a plan over the rows: one window per row (at most CROSS_SECTION_ROWS), the plan\'s lever set, each row\'s own covariates', async () => {
    const { panel, summaries } = await loadPanel(csvText, { size: 'covariate', promotion: 'lever', sales: 'target' });
    const built = buildDataset(panel, summaries, { windowLength: 14 });
    if (!built.ok) throw new Error(built.reason.code);
    const d = built.data;
    expect(d.spec.crossSection).toBe(true);
    const plans = [2, 3].map((promotion) => ({ series: [0], startDay: 0, horizon: 1, promoStart: 0, promoDuration: 1, levers: { promotion } }));
    const { x, count, layout } = planWindows(d, plans);
    const F = d.spec.features.length;
    const rowsUsed = Math.min(d.series[0]!.times.length, CROSS_SECTION_ROWS);
    expect(count).toBe(2 * rowsUsed);
    expect(layout.every((w) => w.day === 0 && w.series === 0)).toBe(true);
    const lever = d.spec.features.findIndex((f) => f.source.kind === 'numeric' && f.source.column === 'promotion');
    const scaler = d.spec.scalers['promotion']!;
    const sizes = d.spec.features.flatMap((f, k) => (f.source.kind === 'onehot' && f.source.column === 'size' ? [k] : []));
    const seenSizes = new Set<number>();
    for (let w = 0; w < count; w++) {
      expect(x[w * F + lever]).toBeCloseTo(((w < rowsUsed ? 2 : 3) - scaler.mean) / scaler.std, 5);
      seenSizes.add(sizes.findIndex((k) => x[w * F + k] === 1));
    }
    // The rows keep their own sizes: all three appear.
    expect(seenSizes.size).toBe(3);
  });
});
