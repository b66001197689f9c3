import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { dropoutMask, fastGradients, fastLstmOf, fastPredict, fastRunOutput, PassStopped, rateDevianceTerms, stepInputs, type FastLoss, type FastLstm } from './fastLstm';
import { seededValues } from './backends';
import { buildLstmModel, type LstmModelSettings } from './lstm';
import { checkCpuBackendWithoutLeaks, onWasmBackend } from './tfTesting';

checkCpuBackendWithoutLeaks();

const base: LstmModelSettings = { windowLength: 5, featureCount: 3, units: 6, layers: 1, dropout: 0, learningRate: 1e-3, seed: 3, output: 'regression' };

/** A model like buildLstmModel's but with tf.js's default hard-sigmoid gates (bundles saved before the gates became sigmoid). */
function hardSigmoidModel(s: LstmModelSettings): tf.LayersModel {
  const model = tf.sequential();
  for (let i = 0; i < s.layers; i++) {
    model.add(tf.layers.lstm({ units: s.units, returnSequences: i < s.layers - 1, ...(i === 0 ? { inputShape: [s.windowLength, s.featureCount] } : {}), kernelInitializer: tf.initializers.glorotUniform({ seed: 11 + i }), recurrentInitializer: tf.initializers.glorotUniform({ seed: 21 + i }), biasInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 5 }) }));
  }
  model.add(tf.layers.dense({ units: 1, activation: s.output === 'binary' ? 'sigmoid' : 'linear', kernelInitializer: tf.initializers.glorotUniform({ seed: 99 }) }));
  return model;
}

interface Case {
  readonly name: string;
  readonly settings: LstmModelSettings;
  readonly hard?: boolean;
  readonly batch: number;
}

const cases: readonly Case[] = [
  { name: '1 layer, regression', settings: base, batch: 4 },
  { name: '1 layer, one time step', settings: { ...base, windowLength: 1 }, batch: 3 },
  { name: '2 layers, regression', settings: { ...base, layers: 2 }, batch: 4 },
  // (tf.js's own gradient of a stacked LSTM over one time step throws, so two steps.)
  { name: '2 layers, two time steps', settings: { ...base, layers: 2, windowLength: 2 }, batch: 2 },
  { name: '1 layer, yes/no', settings: { ...base, output: 'binary' }, batch: 5 },
  { name: 'hard-sigmoid gates, 2 layers', settings: { ...base, layers: 2 }, hard: true, batch: 4 },
  { name: 'hard-sigmoid gates, yes/no', settings: { ...base, output: 'binary' }, hard: true, batch: 4 },
];

function inputs(c: Case): { x: tf.Tensor3D; steps: tf.Tensor2D[]; y: tf.Tensor2D } {
  const { windowLength: T, featureCount: F } = c.settings;
  const values = seededValues(c.batch * T * F, 17);
  const x = tf.tensor3d(values, [c.batch, T, F]);
  const steps = stepInputs(values, c.batch, T, F);
  const raw = seededValues(c.batch, 29);
  const y = tf.tensor2d(c.settings.output === 'binary' ? raw.map((v) => (v > 0 ? 1 : 0)) : raw.map((v) => v * 2), [c.batch, 1]);
  return { x, steps, y };
}

function lossOf(kind: FastLoss, y: tf.Tensor2D, p: tf.Tensor): tf.Scalar {
  return kind === 'mse' ? tf.losses.meanSquaredError(y, p) : tf.losses.logLoss(y, p);
}

async function expectClose(actual: tf.Tensor, expected: tf.Tensor, tolerance: number): Promise<void> {
  expect(actual.shape).toEqual(expected.shape);
  const a = await actual.data();
  const e = await expected.data();
  const scale = Math.max(1e-3, ...Array.from(e, Math.abs));
  for (let i = 0; i < e.length; i++) expect(Math.abs(a[i]! - e[i]!) / scale).toBeLessThan(tolerance);
}

function withModel(c: Case, fn: (model: tf.LayersModel, net: FastLstm) => Promise<void>): Promise<void> {
  const built = c.hard ? { model: hardSigmoidModel(c.settings), optimizer: null } : buildLstmModel(c.settings);
  const net = fastLstmOf(built.model);
  return (async () => {
    try {
      expect(net).not.toBeNull();
      await fn(built.model, net!);
    } finally {
      built.model.dispose();
      built.optimizer?.dispose();
    }
  })();
}

describe('fastLstmOf', () => {
  it('reads the gates the model was built with', async () => {
    await withModel(cases[0]!, async (_, net) => {
      expect(net.layers.map((l) => l.gate)).toEqual(['sigmoid']);
      expect(net.variables).toHaveLength(5);
    });
    await withModel(cases[5]!, async (_, net) => {
      expect(net.layers.map((l) => [l.gate, l.sequences])).toEqual([['hardSigmoid', true], ['hardSigmoid', false]]);
      expect(net.variables).toHaveLength(8);
    });
  });

  it('reads the dropout rate', async () => {
    await withModel({ name: 'dropout', settings: { ...base, layers: 2, dropout: 0.25 }, batch: 1 }, async (_, net) => {
      expect(net.dropout).toBe(0.25);
    });
  });

  it('declines a model of another shape', () => {
    const model = tf.sequential({ layers: [tf.layers.gru({ units: 4, inputShape: [3, 2] }), tf.layers.dense({ units: 1 })] });
    const wide = tf.sequential({ layers: [tf.layers.lstm({ units: 4, inputShape: [3, 2], recurrentActivation: 'sigmoid' }), tf.layers.dense({ units: 2 })] });
    const relu = tf.sequential({ layers: [tf.layers.lstm({ units: 4, inputShape: [3, 2], recurrentActivation: 'sigmoid' }), tf.layers.dense({ units: 1, activation: 'relu' })] });
    try {
      expect(fastLstmOf(model)).toBeNull();
      expect(fastLstmOf(wide)).toBeNull();
      expect(fastLstmOf(relu)).toBeNull();
    } finally {
      model.dispose();
      wide.dispose();
      relu.dispose();
    }
  });
});

/** fastGradients' loss and gradients against tf.js autodiff of `reference` (the same loss through the Layers model). */
async function expectAutodiffMatch(model: tf.LayersModel, net: FastLstm, c: Case, loss: FastLoss, reference: (y: tf.Tensor2D, p: tf.Tensor) => tf.Scalar, weights?: tf.Tensor2D): Promise<void> {
  const { x, steps, y } = inputs(c);
  const expected = tf.variableGrads(() => reference(y, model.apply(x, { training: false }) as tf.Tensor), [...net.variables]);
  const fast = fastGradients(net, steps, y, loss, undefined, weights);
  await expectClose(fast.loss, expected.value, 1e-5);
  for (const v of net.variables) await expectClose(fast.gradients[v.name]!, expected.grads[v.name]!, 1e-4);
  tf.dispose([x, y, fast.loss, expected.value, ...steps]);
  tf.dispose(fast.gradients);
  tf.dispose(expected.grads);
}

function checks(c: Case): void {
  const kind: FastLoss = c.settings.output === 'binary' ? 'binaryCrossentropy' : 'mse';

  it('predicts what model.predict predicts', async () => {
    await withModel(c, async (model, net) => {
      const { x, steps, y } = inputs(c);
      const fast = fastPredict(net, steps);
      const layers = model.predict(x) as tf.Tensor;
      await expectClose(fast, layers, 1e-5);
      tf.dispose([x, y, fast, layers, ...steps]);
    });
  });

  it('has the loss and gradients of tf.js autodiff through the Layers model', async () => {
    await withModel(c, (model, net) => expectAutodiffMatch(model, net, c, kind, (y, p) => lossOf(kind, y, p)));
  });

  it('weights each sample\'s loss: the mean of the weighted terms (a zero weight included)', async () => {
    await withModel(c, async (model, net) => {
      const weights = tf.tensor2d(Array.from({ length: c.batch }, (_, i) => (i === 1 ? 0 : 0.25 + i)), [c.batch, 1]);
      await expectAutodiffMatch(
        model,
        net,
        c,
        kind,
        (y, p) => {
          const terms = kind === 'mse' ? tf.squaredDifference(y, p) : tf.losses.logLoss(y, p, undefined, undefined, tf.Reduction.NONE);
          return tf.mean(tf.mul(terms, weights));
        },
        weights,
      );
      weights.dispose();
    });
  });
}

describe.each(cases)('$name', (c) => checks(c));

describe('rate deviance', () => {
  const loss = { kind: 'rateDeviance', mean: -3.2, std: 0.6 } as const;
  const regression = cases.filter((c) => c.settings.output !== 'binary' && !c.hard);

  it.each(regression)('$name: has the loss and gradients of autodiff through rateDevianceTerms', async (c) => {
    await withModel(c, (model, net) => expectAutodiffMatch(model, net, c, loss, (y, p) => tf.mean(rateDevianceTerms(loss, y, p))));
  });

  it.each([
    // [target, output] in model space: rate = sigmoid(v × 0.6 − 3.2)
    [0, 0],
    [1.5, 1.5],
    [-20, -20],
  ])('is zero where the output is the target (%d, %d)', (target, output) => {
    expect(tf.tidy(() => rateDevianceTerms(loss, tf.tensor2d([[target]]), tf.tensor2d([[output]])).dataSync()[0])).toBeCloseTo(0, 6);
  });

  it('is about the squared error near the typical rate, and its optimum is the mean rate, not the mean logit', () => {
    // Near the target at the mean logit, the scaled deviance ≈ (output − target)².
    expect(tf.tidy(() => rateDevianceTerms(loss, tf.tensor2d([[0]]), tf.tensor2d([[0.1]])).dataSync()[0])).toBeCloseTo(0.01, 3);
    // Two observed rates, 1 % and 9 %: the best single output is the rate 5 %, not the mean of their logits (3.1 %).
    const toModel = (rate: number) => (Math.log(rate / (1 - rate)) - loss.mean) / loss.std;
    const total = (v: number) => tf.tidy(() => tf.sum(rateDevianceTerms(loss, tf.tensor2d([[toModel(0.01)], [toModel(0.09)]]), tf.fill([2, 1], v))).dataSync()[0]!);
    const atMean = toModel(0.05);
    expect(total(atMean)).toBeLessThan(total(atMean - 0.01));
    expect(total(atMean)).toBeLessThan(total(atMean + 0.01));
    const meanLogit = (toModel(0.01) + toModel(0.09)) / 2;
    expect(total(atMean)).toBeLessThan(total(meanLogit) - 0.01);
  });
});

// tanh runs as 2·sigmoid(2x) − 1 on WASM: the same checks there.
describe('on the wasm backend', () => {
  onWasmBackend();
  describe.each(cases.filter((c) => !c.hard))('$name', (c) => checks(c));
});

describe('dropout', () => {
  const c: Case = { name: 'dropout', settings: { ...base, layers: 2, dropout: 0.4 }, batch: 4 };

  it('differentiates the masked forward pass exactly', async () => {
    await withModel(c, async (model, net) => {
      const { x, steps, y } = inputs(c);
      const T = c.settings.windowLength;
      const H = c.settings.units;
      const sequenceMasks = Array.from({ length: T }, () => dropoutMask([c.batch, H], 0.4));
      const lastMask = dropoutMask([c.batch, H], 0.4);
      // The same masks applied by hand to the Layers model's LSTM outputs.
      const lstm1 = model.layers[0]!;
      const lstm2 = model.layers[2]!;
      const dense = model.layers[4]!;
      const reference = tf.variableGrads(() => {
        const seq = lstm1.apply(x) as tf.Tensor3D;
        const maskedSeq = tf.mul(seq, tf.stack(sequenceMasks, 1));
        const last = tf.mul(lstm2.apply(maskedSeq) as tf.Tensor, lastMask);
        return tf.losses.meanSquaredError(y, dense.apply(last) as tf.Tensor);
      }, [...net.variables]);
      const fast = fastGradients(net, steps, y, 'mse', [sequenceMasks, [lastMask]]);
      await expectClose(fast.loss, reference.value, 1e-5);
      for (const v of net.variables) await expectClose(fast.gradients[v.name]!, reference.grads[v.name]!, 1e-4);
      tf.dispose([x, y, fast.loss, reference.value, ...steps, ...sequenceMasks, lastMask]);
      tf.dispose(fast.gradients);
      tf.dispose(reference.grads);
    });
  });

  it('keeps a rate of units and scales the rest', async () => {
    const mask = dropoutMask([200, 50], 0.3);
    const values = await mask.data();
    mask.dispose();
    const kept = Array.from(values).filter((v) => v > 0);
    expect(kept.length / values.length).toBeGreaterThan(0.65);
    expect(kept.length / values.length).toBeLessThan(0.75);
    for (const v of kept) expect(v).toBeCloseTo(1 / 0.7, 5);
  });
});

describe('a pass asked to stop', () => {
  const two = cases[2]!;
  it.each([0, 1, 6])('stops before its step %i, leaving no tensor behind; never asked to stop, it answers as before', async (at) => {
    await withModel(two, async (_, net) => {
      const { windowLength: T, featureCount: F } = two.settings;
      const x = seededValues(3 * T * F, 5);
      const rows = { offsets: Int32Array.from([0, 1, T - 2]), lengths: Int32Array.from([T, T - 1, 2]) };
      const plain = await fastRunOutput(net, x, T, F, rows, null);
      const before = tf.memory().numTensors;
      let asked = 0;
      await expect(fastRunOutput(net, x, T, F, rows, null, () => asked++ >= at)).rejects.toBeInstanceOf(PassStopped);
      expect(asked).toBe(at + 1);
      expect(tf.memory().numTensors).toBe(before);
      expect(Array.from(await fastRunOutput(net, x, T, F, rows, null, () => false))).toEqual(Array.from(plain));
    });
  });
});
