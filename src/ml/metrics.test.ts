import { describe, expect, it } from 'vitest';
import { classificationMetrics, perSeriesMetrics, regressionMetrics, rocCurve, type RegressionMetrics, type SeriesMetrics } from './metrics';

/** toBeCloseTo that also accepts NaN for NaN (an undefined metric is NaN by contract). */
function expectClose(received: number, expected: number, digits = 9): void {
  if (Number.isNaN(expected)) expect(received).toBeNaN();
  else expect(received).toBeCloseTo(expected, digits);
}

function expectAllClose<T extends object>(received: T, expected: T): void {
  for (const key of Object.keys(expected) as (keyof T)[]) {
    const e = expected[key];
    const r = received[key];
    if (typeof e === 'number' && typeof r === 'number') expectClose(r, e);
    else expect(r).toEqual(e);
  }
}

describe('regressionMetrics', () => {
  it.each<[string, number[], number[], RegressionMetrics]>([
    [
      'four ordinary pairs',
      [1, 2, 3, 4],
      [1.5, 2, 2, 5],
      // e = [.5, 0, −1, 1]; SSE 2.25; ȳ 2.5, SST 5
      { count: 4, mae: 0.625, rmse: 0.75, mape: (0.5 + 1 / 3 + 0.25) / 4, mapeSkipped: 0, wape: 0.25, smape: (0.4 + 0 + 0.4 + 2 / 9) / 4, r2: 0.55 },
    ],
    [
      'a zero actual is left out of MAPE only; a NaN actual skips the pair',
      [0, 2, NaN, 4],
      [1, 1, 3, 4],
      // pairs (0,1) (2,1) (4,4): e = [1, −1, 0]; ȳ 2, SST 8, SSE 2
      { count: 3, mae: 2 / 3, rmse: Math.sqrt(2 / 3), mape: 0.25, mapeSkipped: 1, wape: 1 / 3, smape: (2 + 2 / 3 + 0) / 3, r2: 0.75 },
    ],
    [
      'non-finite predictions are skipped',
      [1, 2, 3],
      [Infinity, 2, NaN],
      { count: 1, mae: 0, rmse: 0, mape: 0, mapeSkipped: 0, wape: 0, smape: 0, r2: NaN },
    ],
    [
      'constant actuals: R² undefined',
      [3, 3],
      [3, 4],
      { count: 2, mae: 0.5, rmse: Math.sqrt(0.5), mape: 1 / 6, mapeSkipped: 0, wape: 1 / 6, smape: 1 / 7, r2: NaN },
    ],
    [
      'all zeros: MAPE and WAPE undefined, sMAPE 0',
      [0, 0],
      [0, 0],
      { count: 2, mae: 0, rmse: 0, mape: NaN, mapeSkipped: 2, wape: NaN, smape: 0, r2: NaN },
    ],
    [
      'negative actuals use |y|',
      [-2, 2],
      [-1, 4],
      // e = [1, 2]; ȳ 0, SST 8, SSE 5
      { count: 2, mae: 1.5, rmse: Math.sqrt(2.5), mape: (0.5 + 1) / 2, mapeSkipped: 0, wape: 3 / 4, smape: (2 / 3 + 4 / 6) / 2, r2: 1 - 5 / 8 },
    ],
    ['empty', [], [], { count: 0, mae: NaN, rmse: NaN, mape: NaN, mapeSkipped: 0, wape: NaN, smape: NaN, r2: NaN }],
    ['no finite pair', [NaN, 1], [1, -Infinity], { count: 0, mae: NaN, rmse: NaN, mape: NaN, mapeSkipped: 0, wape: NaN, smape: NaN, r2: NaN }],
  ])('%s', (_name, actual, predicted, expected) => {
    expectAllClose(regressionMetrics(actual, predicted), expected);
  });

  it('accepts typed arrays and a perfect fit gives R² 1', () => {
    const y = new Float64Array([0.1, 0.2, 0.4]);
    const m = regressionMetrics(y, new Float32Array(y));
    expect(m.count).toBe(3);
    expectClose(m.mae, 0, 6);
    expectClose(m.r2, 1, 6);
  });

  it('rejects arrays of different lengths (a bug in the caller)', () => {
    expect(() => regressionMetrics([1, 2], [1])).toThrow(RangeError);
  });
});

describe('classificationMetrics', () => {
  type Expected = Partial<ReturnType<typeof classificationMetrics>>;
  it.each<[string, number[], number[], number | undefined, Expected]>([
    [
      'textbook case at 0.5',
      [0, 0, 1, 1],
      [0.1, 0.4, 0.35, 0.8],
      undefined,
      { count: 4, positives: 2, truePositives: 1, falsePositives: 0, trueNegatives: 2, falseNegatives: 1, accuracy: 0.75, precision: 1, recall: 0.5, f1: 2 / 3, rocAuc: 0.75 },
    ],
    [
      'same data at threshold 0.3',
      [0, 0, 1, 1],
      [0.1, 0.4, 0.35, 0.8],
      0.3,
      { threshold: 0.3, truePositives: 2, falsePositives: 1, trueNegatives: 1, falseNegatives: 0, accuracy: 0.75, precision: 2 / 3, recall: 1, f1: 0.8, rocAuc: 0.75 },
    ],
    [
      'tied probabilities share their average rank',
      [0, 1, 0, 1],
      [0.5, 0.5, 0.2, 0.9],
      undefined,
      // pairs (pos, neg): tie 0.5, then 1, 1, 1 → 3.5 / 4; a probability equal to the threshold is "yes"
      { truePositives: 2, falsePositives: 1, trueNegatives: 1, falseNegatives: 0, rocAuc: 0.875 },
    ],
    [
      'one class absent: AUC undefined',
      [1, 1],
      [0.2, 0.7],
      undefined,
      { count: 2, positives: 2, accuracy: 0.5, precision: 1, recall: 0.5, f1: 2 / 3, rocAuc: NaN },
    ],
    [
      'no positives anywhere: precision, recall and F1 undefined',
      [0, 0],
      [0.1, 0.2],
      undefined,
      { count: 2, positives: 0, accuracy: 1, precision: NaN, recall: NaN, f1: NaN, rocAuc: NaN },
    ],
    [
      'non-finite pairs skipped, labels ≥ 0.5 are positive',
      [1, NaN, 0, 0.9],
      [0.9, 0.5, NaN, 0.1],
      undefined,
      { count: 2, positives: 2, truePositives: 1, falseNegatives: 1, rocAuc: NaN },
    ],
    ['empty', [], [], undefined, { count: 0, positives: 0, accuracy: NaN, precision: NaN, recall: NaN, f1: NaN, rocAuc: NaN }],
  ])('%s', (_name, actual, probability, threshold, expected) => {
    expectAllClose(classificationMetrics(actual, probability, threshold), expected);
  });
});

describe('rocCurve', () => {
  const inf = Infinity;
  it.each<[string, number[], number[], number | undefined, [number, number, number][]]>([
    [
      'one point per distinct probability, (0,0) to (1,1)',
      [0, 0, 1, 1],
      [0.1, 0.4, 0.35, 0.8],
      undefined,
      [[0, 0, inf], [0, 0.5, 0.8], [0.5, 0.5, 0.4], [0.5, 1, 0.35], [1, 1, 0.1]],
    ],
    [
      'tied probabilities move together',
      [0, 1, 0, 1],
      [0.5, 0.5, 0.2, 0.9],
      undefined,
      [[0, 0, inf], [0, 0.5, 0.9], [0.5, 1, 0.5], [1, 1, 0.2]],
    ],
    [
      'downsampled evenly, ends kept',
      [0, 0, 1, 1],
      [0.1, 0.4, 0.35, 0.8],
      3,
      [[0, 0, inf], [0.5, 0.5, 0.4], [1, 1, 0.1]],
    ],
    ['one class absent: no curve', [1, 1, 1], [0.1, 0.5, 0.9], undefined, []],
  ])('%s', (_name, actual, probability, maxPoints, expected) => {
    const curve = rocCurve(actual, probability, maxPoints);
    expect(curve.map((p) => [p.fpr, p.tpr, p.threshold])).toEqual(expected);
  });

  it('the trapezoid area under the full curve equals the rank AUC', () => {
    const actual = [0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0];
    const probability = [0.1, 0.9, 0.6, 0.6, 0.3, 0.2, 0.6, 0.8, 0.3, 0.5, 0.7, 0.05];
    const curve = rocCurve(actual, probability, 1000);
    let area = 0;
    for (let i = 1; i < curve.length; i++) {
      area += ((curve[i]!.fpr - curve[i - 1]!.fpr) * (curve[i]!.tpr + curve[i - 1]!.tpr)) / 2;
    }
    expectClose(area, classificationMetrics(actual, probability).rocAuc);
  });
});

describe('perSeriesMetrics', () => {
  it.each<[string, number[], number[], number[], string[], Partial<SeriesMetrics>[]]>([
    [
      'two groups, one empty label, an ungrouped pair and a NaN prediction',
      [1, 2, 3, 4, 5, 10],
      [2, 2, 3, 2, NaN, 0],
      [0, 0, 1, 1, 1, -1],
      ['a', 'b', 'c'],
      [
        { group: 0, label: 'a', count: 2, mae: 0.5, rmse: Math.sqrt(0.5), wape: 1 / 3, smape: 1 / 3, bias: 0.5, meanActual: 1.5 },
        { group: 1, label: 'b', count: 2, mae: 1, rmse: Math.sqrt(2), wape: 2 / 7, smape: 1 / 3, bias: -1, meanActual: 3.5 },
        { group: 2, label: 'c', count: 0, mae: NaN, rmse: NaN, wape: NaN, smape: NaN, bias: NaN, meanActual: NaN },
      ],
    ],
    ['no labels', [1], [1], [0], [], []],
  ])('%s', (_name, actual, predicted, groups, labels, expected) => {
    const rows = perSeriesMetrics(actual, predicted, Int32Array.from(groups), labels);
    expect(rows).toHaveLength(expected.length);
    rows.forEach((row, i) => expectAllClose(row, expected[i]!));
  });

  it('agrees with regressionMetrics on each group', () => {
    const actual = [3, 5, 2, 8, 1, 4];
    const predicted = [2.5, 6, 2, 7, 1.5, 3];
    const groups = Int32Array.from([0, 1, 0, 1, 0, 1]);
    const rows = perSeriesMetrics(actual, predicted, groups, ['x', 'y']);
    for (const row of rows) {
      const pick = (values: number[]) => values.filter((_, i) => groups[i] === row.group);
      const whole = regressionMetrics(pick(actual), pick(predicted));
      expectClose(row.mae, whole.mae);
      expectClose(row.rmse, whole.rmse);
      expectClose(row.wape, whole.wape);
      expectClose(row.smape, whole.smape);
    }
  });
});
