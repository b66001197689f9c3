import { describe, expect, it } from 'vitest';
import { buildDataset, eventMonths, fromModelSpace, inverseTransformTarget, makeWindows, monthOfDay, targetKind, toModelSpace, transformTarget } from './features';
import { loadPanel, readSample } from './testing';
import type { Dataset } from './types';

async function sampleDataset(): Promise<Dataset> {
  const { panel, summaries } = await loadPanel(readSample());
  const result = buildDataset(panel, summaries, { windowLength: 14 });
  if (!result.ok) throw new Error(result.reason.code);
  return result.data;
}

describe('target transforms', () => {
  it.each([
    ['logit', 0.05],
    ['logit', 0.5],
    ['log1p', 0],
    ['log1p', 1234.5],
    ['identity', -3],
  ] as const)('%s round-trips %d', (transform, v) => {
    expect(inverseTransformTarget(transform, transformTarget(transform, v))).toBeCloseTo(v, 9);
  });

  it.each([
    [[0, 1, 1, 0], 'binary', 'identity'],
    [[0.01, 0.05, 0.2], 'rate', 'logit'],
    [[3, 10, 0, 7], 'count', 'log1p'],
    [[-2.5, 3, 1], 'real', 'identity'],
    [[1.5, 20.25, 100], 'money', 'log1p'],
  ] as const)('%j is a %s target (%s)', (values, kind, transform) => {
    expect(targetKind(undefined, Float64Array.from(values))).toEqual({ kind, transform });
  });
});

describe('eventMonths: a rare 0/1 covariate becomes one feature per month it marks', () => {
  const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
  // 20 training days from 2023-10-25; row 19 onwards is not training.
  const times = Float64Array.from({ length: 24 }, (_, i) => day('2023-10-25') + i);
  const flags = (ones: readonly number[], extra: Record<number, number> = {}) => Float64Array.from(times, (_, i) => extra[i] ?? (ones.includes(i) ? 1 : 0));
  const isTrain = (row: number) => row < 20;
  it.each<[string, Float64Array, number[] | null]>([
    ['Oct 31 and Nov 11: October and November', flags([6, 17]), [9, 10]],
    ['two days in one month: that month once', flags([8, 9]), [10]],
    ['an event only after training: none', flags([21]), null],
    ['never 1: not an event', flags([]), null],
    ['1 on 3 of 20 days (over 10 %): not rare', flags([1, 2, 3]), null],
    ['a value other than 0/1: not a flag', flags([6], { 2: 2 }), null],
    ['missing values are skipped', flags([6], { 2: NaN, 3: NaN }), [9]],
  ])('%s', (_, values, months) => {
    expect(eventMonths(values, times, isTrain)).toEqual(months);
  });

  it('takes months in UTC', () => {
    expect([monthOfDay(day('2024-01-31')), monthOfDay(day('2024-02-01')), monthOfDay(day('2024-12-31'))]).toEqual([0, 1, 11]);
  });
});

describe('buildDataset on the sample', () => {
  it('lays 15 daily series of 730 steps with levers, calendar, series and target features', async () => {
    const d = await sampleDataset();
    expect(d.series).toHaveLength(15);
    expect(d.series.every((s) => s.times.length === 730)).toBe(true);
    expect(d.spec.target).toMatchObject({ column: 'conversion_rate', kind: 'rate', transform: 'logit' });
    const names = d.spec.features.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['discount_pct', 'ad_spend', 'promo_type=percent_off', 'promo_type=none', 'day of week (sin)', 'segment=loyal_members', 'conversion_rate (observed)']));
    expect(d.spec.levers).toEqual(['promo_type', 'discount_pct', 'threshold', 'threshold_amount', 'ad_spend']);
    expect(d.spec.covariates).toEqual(['is_holiday']);
    // The holidays the training period marks, each its own feature (CNY in January 2023 and February 2024, May Day, 618, National Day, Double 11).
    expect(names.filter((n) => n.startsWith('is_holiday in '))).toEqual(['is_holiday in January', 'is_holiday in February', 'is_holiday in May', 'is_holiday in June', 'is_holiday in October', 'is_holiday in November']);
    const nov = names.indexOf('is_holiday in November');
    const onDay = (iso: string) => {
      const grid = d.series[0]!;
      const step = grid.times.indexOf(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);
      return grid.exog[step * d.exogCount + nov];
    };
    expect([onDay('2023-11-11'), onDay('2023-11-12'), onDay('2023-10-01'), onDay('2024-11-11')]).toEqual([1, 0, 0, 1]);
    for (const s of d.series) expect(s.exog.length).toBe(730 * d.exogCount);
  });

  it('splits by time: last 20 % of dates test, the 10 % before validation', async () => {
    const d = await sampleDataset();
    const counts = { train: 0, validation: 0, test: 0 };
    for (const split of ['train', 'validation', 'test'] as const) counts[split] = makeWindows(d, { split, horizon: 1 }).count;
    const total = counts.train + counts.validation + counts.test;
    expect(counts.test / total).toBeCloseTo(0.2, 2);
    expect(counts.validation / total).toBeCloseTo(0.1, 2);
  });

  it('fits scalers on the training period only', async () => {
    const csv = readSample().toString('utf8').split('\n');
    const header = csv[0]!.split(',');
    const spendAt = header.indexOf('ad_spend');
    // Multiply ad spend in the last 30 % of rows (dates are the slow key) by 1000.
    const cut = Math.floor(1 + (csv.length - 2) * 0.7);
    const changed = csv.map((line, i) => {
      if (i < cut + 50 || line === '') return line;
      const cells = line.split(',');
      cells[spendAt] = String(Number(cells[spendAt]) * 1000);
      return cells.join(',');
    });
    const a = await sampleDataset();
    const { panel, summaries } = await loadPanel(changed.join('\n'));
    const b = buildDataset(panel, summaries, { windowLength: 14 });
    if (!b.ok) throw new Error(b.reason.code);
    expect(b.data.spec.scalers['ad_spend']).toEqual(a.spec.scalers['ad_spend']);
    expect(b.data.spec.target).toEqual(a.spec.target);
  });

  it('never lets a window see the target at or after its horizon', async () => {
    const d = await sampleDataset();
    const w = makeWindows(d, { split: 'train', horizon: 'mixed', seed: 3 });
    const F = w.featureCount;
    const lag = d.exogCount;
    let checked = 0;
    for (let i = 0; i < w.count; i += 97) {
      const h = w.horizon[i]!;
      for (let s = 0; s < w.windowLength; s++) {
        const u = w.step[i]! - w.windowLength + 1 + s;
        const at = (i * w.windowLength + s) * F;
        if (u > w.step[i]! - h) {
          expect(w.x[at + lag]).toBe(0);
          expect(w.x[at + lag + 1]).toBe(1);
          checked++;
        }
      }
      expect(w.y[i]).toBeCloseTo(toModelSpace(d.spec, w.actual[i]!), 5);
      expect(fromModelSpace(d.spec, w.y[i]!)).toBeCloseTo(w.actual[i]!, 5);
    }
    expect(checked).toBeGreaterThan(100);
    expect(new Set(w.horizon).size).toBeGreaterThan(10);
  });

  it('gives the naive and seasonal-naive forecasts from observed history only', async () => {
    const d = await sampleDataset();
    const w = makeWindows(d, { split: 'test', horizon: 1 });
    for (let i = 0; i < w.count; i += 211) {
      const g = d.series[w.series[i]!]!;
      expect(w.naive[i]).toBe(g.target[w.step[i]! - 1]);
      expect(w.seasonalNaive[i]).toBe(g.target[w.step[i]! - 7]);
    }
  });
});

describe('buildDataset edge cases', () => {
  it('treats a file without time as a cross-section with windows of length 1', async () => {
    const rows = ['arm,age,converted'];
    for (let i = 0; i < 200; i++) rows.push(`${['a', 'b', 'c'][i % 3]},${20 + (i % 40)},${i % 7 === 0 ? 1 : 0}`);
    const { panel, summaries } = await loadPanel(rows.join('\n'), { converted: 'target', arm: 'lever', age: 'covariate' });
    const r = buildDataset(panel, summaries, { windowLength: 14 });
    if (!r.ok) throw new Error(r.reason.code);
    expect(r.data.spec.crossSection).toBe(true);
    expect(r.data.spec.windowLength).toBe(1);
    expect(r.data.spec.target.kind).toBe('binary');
    const w = makeWindows(r.data, { split: 'train', horizon: 1 });
    expect(w.featureCount).toBe(r.data.exogCount);
    expect(w.count).toBeGreaterThan(120);
    expect(w.count).toBeLessThan(160);
  });

  it('inserts gaps as missing steps and forward-fills covariates within a series', async () => {
    const rows = ['week,store,units,price'];
    const weeks = [0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40];
    for (const w of weeks) rows.push(`${new Date(Date.UTC(2024, 0, 3 + 7 * w)).toISOString().slice(0, 10)},s1,${10 + w},${2 + (w % 3)}`);
    const { panel, summaries } = await loadPanel(rows.join('\n'), { price: 'covariate', units: 'target', store: 'series' });
    const r = buildDataset(panel, summaries, { windowLength: 4 });
    if (!r.ok) throw new Error(r.reason.code);
    const g = r.data.series[0]!;
    expect(g.times.length).toBe(41);
    expect(Number.isNaN(g.target[3])).toBe(true);
    expect(Number.isNaN(g.target[4])).toBe(true);
    const price = r.data.spec.features.findIndex((f) => f.name === 'price');
    expect(g.exog[3 * r.data.exogCount + price]).toBe(g.exog[2 * r.data.exogCount + price]);
  });

  it.each([
    ['constant target', 'day,orders\n' + Array.from({ length: 40 }, (_, i) => `${new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10)},5`).join('\n'), 'constantTarget'],
    ['too few targets', 'day,orders\n2024-01-01,5\n2024-01-02,6\n', 'tooFewTargets'],
  ])('refuses a %s', async (_label, csv, code) => {
    const { panel, summaries } = await loadPanel(csv, { orders: 'target', day: 'time' });
    const r = buildDataset(panel, summaries, { windowLength: 14 });
    expect(r.ok ? 'ok' : r.reason.code).toBe(code);
  });
});
