/**
 * A hand-written forward and backward pass for the model {@link buildLstmModel}
 * builds (stacked LSTM layers, optional Dropout after each, Dense(1) head).
 *
 * Why: tf.js's Layers LSTM under autodiff dispatches ~2,000 tiny kernels per
 * training step (window 14), projects the inputs one time step at a time and
 * takes its weight gradients with transposed matmuls, which the WASM backend
 * runs ~8× slower than plain ones. Here the inputs of all time steps are
 * projected in one matmul, the weight gradients are one matmul per weight over
 * all steps, the recurrent gradient uses a pre-transposed kernel, and the
 * per-step work is a handful of element-wise kernels. The Layers model stays
 * the owner of the weights (save, load, bundle and plain TF.js are unchanged):
 * these functions read its variables and return gradients by variable name for
 * `optimizer.applyGradients`.
 *
 * Tested against tf.js autodiff of `model.apply` (src/ml/fastLstm.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { LSTM_GATES } from './lstm';

/** The gate activation the LSTM layer was built with (tf.js defaults to hard sigmoid; ours use sigmoid). */
export type GateActivation = 'sigmoid' | 'hardSigmoid';

interface FastLstmLayer {
  readonly kernel: tf.Variable;
  readonly recurrent: tf.Variable;
  readonly bias: tf.Variable;
  readonly units: number;
  readonly gate: GateActivation;
  /** Whether the layer returns its whole sequence (every layer but the last). */
  readonly sequences: boolean;
}

/** The model's weights as the fast path uses them. */
export interface FastLstm {
  readonly layers: readonly FastLstmLayer[];
  /** Dropout rate after each LSTM layer (0: none). */
  readonly dropout: number;
  readonly denseKernel: tf.Variable;
  readonly denseBias: tf.Variable;
  /** Dense head activation. */
  readonly head: 'linear' | 'sigmoid';
  /** Trainable variables in a fixed order (Adam keys its moments by position). */
  readonly variables: readonly tf.Variable[];
}

/**
 * A rate modelled as a standardised logit (rate = sigmoid(v × std + mean), for
 * the output and the target alike), fitted by its binomial deviance: the KL
 * divergence from the observed rate to the predicted one, scaled by
 * {@link rateDevianceScale} so that near the optimum it is about the squared
 * error in model space. Unlike the squared error of the logit, its optimum is
 * the mean rate: the logit of a noisy rate averages low (Jensen), and a model
 * fitted to it forecasts 1–2 % low. A zero rate is an ordinary target here,
 * not a clamped logit far below the rest.
 */
export interface RateDeviance {
  readonly kind: 'rateDeviance';
  readonly mean: number;
  readonly std: number;
}

export type FastLoss = 'mse' | 'binaryCrossentropy' | RateDeviance;

/** Per-sample scaled rate deviance `[B, 1]` of outputs `p` against targets `y`, both in model space. */
export function rateDevianceTerms(loss: RateDeviance, y: tf.Tensor, p: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => rateDevianceParts(loss, y, p).terms);
}

/** The scaled deviance terms with the observed rate r and the logit ℓq they came from (the gradient reuses them). Call inside tf.tidy. */
function rateDevianceParts(loss: RateDeviance, y: tf.Tensor, p: tf.Tensor): { terms: tf.Tensor2D; lq: tf.Tensor; r: tf.Tensor } {
  // Logits of the predicted (q) and observed (r) rates; log-probabilities through softplus, stable at any logit.
  const lq = tf.add(tf.mul(p, loss.std), loss.mean);
  const lr = tf.add(tf.mul(y, loss.std), loss.mean);
  const r = tf.sigmoid(lr);
  // KL(r ‖ q) = r (log r − log q) + (1 − r)(log(1 − r) − log(1 − q)); with log s = ℓ − softplus(ℓ) and
  // log(1 − s) = −softplus(ℓ) it is softplus(ℓq) − softplus(ℓr) − r (ℓq − ℓr), with fewer terms to cancel.
  const kl = tf.sub(tf.sub(tf.softplus(lq), tf.softplus(lr)), tf.mul(r, tf.sub(lq, lr)));
  return { terms: tf.mul(kl, rateDevianceScale(loss)) as tf.Tensor2D, lq, r };
}

/**
 * 2 / (std² p̄(1 − p̄)) with p̄ = sigmoid(mean): the deviance's curvature in
 * model space at the typical rate is then that of the squared error, so the
 * loss figures (and Adam's steps) keep the scale they have with 'mse'.
 */
export function rateDevianceScale(loss: RateDeviance): number {
  const p = 1 / (1 + Math.exp(-loss.mean));
  return 2 / (loss.std * loss.std * p * (1 - p));
}

/** tf.losses.logLoss's epsilon. */
const LOG_EPSILON = 1e-7;

interface LayerConfig {
  readonly units?: number;
  readonly returnSequences?: boolean;
  readonly recurrentActivation?: string;
  readonly activation?: string;
  readonly useBias?: boolean;
  readonly dropout?: number;
  readonly recurrentDropout?: number;
  readonly rate?: number;
  readonly goBackwards?: boolean;
  readonly stateful?: boolean;
}

/**
 * The fast path's view of `model`, or null when the model is not of the shape
 * it implements (then train and predict with the Layers API as before): a
 * sequential stack of LSTM layers (tanh activation, sigmoid or hard-sigmoid
 * gates, bias, no dropout inside the cell, forward, stateless), each
 * optionally followed by one Dropout layer of a common rate, then one Dense
 * layer of one unit with a linear or sigmoid activation.
 */
export function fastLstmOf(model: tf.LayersModel): FastLstm | null {
  const layers: FastLstmLayer[] = [];
  let dropout: number | null = null;
  let dense: { kernel: tf.Variable; bias: tf.Variable; head: 'linear' | 'sigmoid' } | null = null;
  const all = model.layers;
  for (let index = 0; index < all.length; index++) {
    const layer = all[index]!;
    const type = layer.getClassName();
    const config = layer.getConfig() as LayerConfig;
    if (dense !== null) return null;
    if (type === 'LSTM') {
      const gate = config.recurrentActivation;
      if (gate !== 'sigmoid' && gate !== 'hardSigmoid') return null;
      if (config.activation !== 'tanh' || config.useBias === false) return null;
      if ((config.dropout ?? 0) > 0 || (config.recurrentDropout ?? 0) > 0 || config.goBackwards === true || config.stateful === true) return null;
      const kernel = variableOf(layer, 'kernel');
      const recurrent = variableOf(layer, 'recurrent_kernel');
      const bias = variableOf(layer, 'bias');
      if (kernel === null || recurrent === null || bias === null || config.units === undefined) return null;
      layers.push({ kernel, recurrent, bias, units: config.units, gate, sequences: config.returnSequences === true });
    } else if (type === 'Dropout') {
      const rate = config.rate ?? 0;
      if (layers.length === 0 || (dropout !== null && dropout !== rate)) return null;
      // One Dropout per LSTM layer, directly after it.
      if (all[index - 1]?.getClassName() !== 'LSTM') return null;
      dropout = rate;
    } else if (type === 'Dense') {
      const activation = config.activation;
      if (activation !== 'linear' && activation !== 'sigmoid') return null;
      const kernel = variableOf(layer, 'kernel');
      const bias = variableOf(layer, 'bias');
      if (kernel === null || bias === null || kernel.shape[1] !== 1) return null;
      dense = { kernel, bias, head: activation };
    } else return null;
  }
  if (dense === null || layers.length === 0) return null;
  // Only the last LSTM layer may drop its sequence, and it must.
  if (layers.some((l, i) => l.sequences !== i < layers.length - 1)) return null;
  if (dropout !== null && all.filter((l) => l.getClassName() === 'Dropout').length !== layers.length) return null;
  const variables = [...layers.flatMap((l) => [l.kernel, l.recurrent, l.bias]), dense.kernel, dense.bias];
  return { layers, dropout: dropout ?? 0, denseKernel: dense.kernel, denseBias: dense.bias, head: dense.head, variables };
}

function variableOf(layer: tf.layers.Layer, suffix: string): tf.Variable | null {
  const weight = layer.weights.find((w) => w.originalName.endsWith(`/${suffix}`));
  // LayerVariable.read() is typed as a Tensor but returns the tf.Variable it holds (named, as applyGradients needs).
  return weight === undefined ? null : (weight.read() as tf.Variable);
}

/** Windows `[B, T, F]` (row-major values) as T time-step inputs `[B, F]`, built in JS (slicing a tensor copies all of it in tf.js WASM). The caller owns the tensors. */
export function stepInputs(x: Float32Array, B: number, T: number, F: number): tf.Tensor2D[] {
  if (x.length < B * T * F) throw new RangeError(`expected ${B * T * F} values for ${B} windows of ${T} × ${F}, got ${x.length}`);
  const steps: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const values = new Float32Array(B * F);
    for (let b = 0; b < B; b++) values.set(x.subarray((b * T + t) * F, (b * T + t + 1) * F), b * F);
    steps.push(tf.tensor2d(values, [B, F]));
  }
  return steps;
}

/** What the backward pass needs from one time step of one layer. */
interface StepCache {
  /** The step's layer input `[B, F]`. */
  readonly x: tf.Tensor2D;
  readonly i: tf.Tensor2D;
  readonly f: tf.Tensor2D;
  readonly g: tf.Tensor2D;
  readonly o: tf.Tensor2D;
  readonly cPrev: tf.Tensor2D | null;
  readonly tanhC: tf.Tensor2D;
  readonly h: tf.Tensor2D;
}

interface LayerCache {
  readonly steps: StepCache[];
  /** Dropout masks applied to this layer's outputs (one per returned step), or null. */
  readonly masks: readonly tf.Tensor2D[] | null;
}

/**
 * One layer's weights cut per gate (input, forget, cell, output), the input
 * and recurrent kernels stacked so a step is one fused matmul per gate over
 * `[x_t, h_{t-1}]`: `[F + H, H]`, and `[F, H]` for the first step (h = 0).
 * The cell gate's weights are doubled so tanh(z) = 2·sigmoid(2z) − 1 comes
 * from the same fused sigmoid (tf.js WASM's tanh is ~15× slower than its sigmoid).
 */
interface GateWeights {
  readonly stacked: readonly tf.Tensor2D[];
  readonly first: readonly tf.Tensor2D[];
  readonly bias: readonly tf.Tensor1D[];
}

const CELL_GATE = 2;

function gateWeights(layer: FastLstmLayer): GateWeights {
  const kernel = tf.split(layer.kernel as tf.Tensor2D, LSTM_GATES, 1);
  const recurrent = tf.split(layer.recurrent as tf.Tensor2D, LSTM_GATES, 1);
  const bias = tf.split(layer.bias as tf.Tensor1D, LSTM_GATES, 0);
  const scale = (t: tf.Tensor, gate: number): tf.Tensor => (gate === CELL_GATE && layer.gate === 'sigmoid' ? tf.mul(t, 2) : t);
  return {
    stacked: kernel.map((k, g) => scale(tf.concat([k, recurrent[g]!], 0), g) as tf.Tensor2D),
    first: kernel.map((k, g) => scale(k, g) as tf.Tensor2D),
    bias: bias.map((b, g) => scale(b, g) as tf.Tensor1D),
  };
}

/**
 * Inference's gate weights per layer, kept while the layer's variables keep
 * their data: built per call, they cost about 15 ops and give XNNPACK new
 * weight tensors to pack on every call. Entries of disposed models are freed
 * on the next lookup.
 */
const inferenceWeights = new Map<FastLstmLayer, { readonly token: readonly object[]; readonly weights: GateWeights }>();

function tensorsOf(w: GateWeights): tf.Tensor[] {
  return [...w.stacked, ...w.first, ...w.bias];
}

/** Frees the kept gate weights of models disposed since (each lookup does this too); returns how many layers' weights it freed. */
export function releaseDisposedWeights(): number {
  let freed = 0;
  for (const [layer, entry] of inferenceWeights) {
    if (layer.kernel.isDisposed || layer.recurrent.isDisposed || layer.bias.isDisposed) {
      tf.dispose(tensorsOf(entry.weights));
      inferenceWeights.delete(layer);
      freed++;
    }
  }
  return freed;
}

/**
 * What the variables hold now: tf.js gives a variable a new data id on every
 * assign (an optimiser step, restoring the best epoch, a calibration shift),
 * so equal tokens mean the same weights.
 */
export function dataToken(variables: readonly tf.Variable[]): readonly object[] {
  return variables.map((v) => v.dataId as object);
}

/** Whether `variables` still hold what they held when `token` was taken. */
export function holdsData(variables: readonly tf.Variable[], token: readonly object[]): boolean {
  return variables.length === token.length && variables.every((v, k) => v.dataId === token[k]);
}

function cachedGateWeights(layer: FastLstmLayer): GateWeights {
  releaseDisposedWeights();
  const variables = [layer.kernel, layer.recurrent, layer.bias];
  const hit = inferenceWeights.get(layer);
  if (hit && holdsData(variables, hit.token)) return hit.weights;
  const token = dataToken(variables);
  if (hit) tf.dispose(tensorsOf(hit.weights));
  let weights: GateWeights | null = null;
  tf.tidy(() => {
    // Kept: neither this scope nor the caller's may dispose them.
    weights = gateWeights(layer);
    tensorsOf(weights).forEach((t) => tf.keep(t));
  });
  if (weights === null) throw new Error('gate weights were not built');
  inferenceWeights.set(layer, { token, weights });
  return weights;
}

/** The four gates of one step from `input` (`[x_t, h_{t-1}]` or `x_t`). */
function gates(input: tf.Tensor2D, weights: readonly tf.Tensor2D[], bias: readonly tf.Tensor1D[], gate: GateActivation): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] {
  const out = weights.map((w, g): tf.Tensor2D => {
    if (gate === 'sigmoid') {
      const s = tf.fused.matMul({ a: input, b: w, bias: bias[g]!, activation: 'sigmoid' }) as tf.Tensor2D;
      return g === CELL_GATE ? tf.sub(tf.mul(s, 2), 1) : s;
    }
    const z = tf.fused.matMul({ a: input, b: w, bias: bias[g]! }) as tf.Tensor2D;
    return g === CELL_GATE ? tf.tanh(z) : tf.clipByValue(tf.add(tf.mul(z, 0.2), 0.5), 0, 1);
  });
  return out as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
}

/** tanh, as 2·sigmoid(2x) − 1 on WASM where tanh is the slow kernel. */
function tanh(x: tf.Tensor2D): tf.Tensor2D {
  return tf.getBackend() === 'wasm' ? tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1) : tf.tanh(x);
}

/** d(gate)/dz from the gate's output y. */
function gateDerivative(y: tf.Tensor2D, gate: GateActivation): tf.Tensor2D {
  if (gate === 'sigmoid') return tf.mul(y, tf.sub(1, y));
  // Hard sigmoid: 0.2 strictly inside (0, 1), 0 where clipped.
  return tf.mul(tf.cast(tf.logicalAnd(tf.greater(y, 0), tf.less(y, 1)), 'float32'), 0.2);
}

/** One LSTM cell step from state (h, c) (null: zeros). */
function cellStep(layer: FastLstmLayer, w: GateWeights, x: tf.Tensor2D, hPrev: tf.Tensor2D | null, cPrev: tf.Tensor2D | null): StepCache & { readonly c: tf.Tensor2D } {
  const [i, f, g, o]: tf.Tensor2D[] = hPrev === null ? gates(x, w.first, w.bias, layer.gate) : gates(tf.concat([x, hPrev], 1), w.stacked, w.bias, layer.gate);
  const c: tf.Tensor2D = cPrev === null ? tf.mul(i, g) : tf.add(tf.mul(f, cPrev), tf.mul(i, g));
  const tanhC = tanh(c);
  const h: tf.Tensor2D = tf.mul(o, tanhC);
  return { x, i, f, g, o, cPrev, tanhC, h, c };
}

/**
 * Runs the LSTM stack over the time-step inputs; returns the last layer's
 * final hidden state (after dropout) and, when `caches` is given, what the
 * backward pass needs. Call inside tf.tidy.
 */
function forward(net: FastLstm, steps: readonly tf.Tensor2D[], training: boolean, caches: LayerCache[] | null, masks?: readonly (readonly tf.Tensor2D[])[]): tf.Tensor2D {
  let inputs: readonly tf.Tensor2D[] = steps;
  net.layers.forEach((layer, l) => {
    const w = gateWeights(layer);
    const cache: StepCache[] = [];
    const outputs: tf.Tensor2D[] = [];
    let h: tf.Tensor2D | null = null;
    let c: tf.Tensor2D | null = null;
    for (const x of inputs) {
      const step = cellStep(layer, w, x, h, c);
      ({ h, c } = step);
      if (caches) cache.push(step);
      if (layer.sequences) outputs.push(h);
    }
    if (!layer.sequences) outputs.push(h!);
    let layerMasks: readonly tf.Tensor2D[] | null = null;
    if (training && net.dropout > 0) {
      layerMasks = masks?.[l] ?? outputs.map((out) => dropoutMask(out.shape as [number, number], net.dropout));
      outputs.forEach((out, t) => (outputs[t] = tf.mul(out, layerMasks![t]!)));
    }
    caches?.push({ steps: cache, masks: layerMasks });
    inputs = outputs;
  });
  return inputs[inputs.length - 1]!;
}

/** Inverted dropout: 0 with probability `rate`, else 1 / (1 − rate). */
export function dropoutMask(shape: [number, number], rate: number): tf.Tensor2D {
  return tf.tidy(() => tf.div(tf.cast(tf.greaterEqual(tf.randomUniform(shape), rate), 'float32'), 1 - rate));
}

/** An LSTM stack's state on the host: per layer, `B × units` values, row by row. */
export interface LstmState {
  readonly h: readonly Float32Array[];
  readonly c: readonly Float32Array[];
}

/** Which steps of which windows a ragged run reads: row b reads its window's steps `offsets[b] .. offsets[b] + lengths[b] − 1`. */
export interface RaggedRows {
  readonly offsets: Int32Array;
  readonly lengths: Int32Array;
}

/**
 * Inference over sequences of different lengths (dropout off), packed like
 * PyTorch's pack_padded_sequence: rows sorted by length, and each step runs
 * only the rows still going. `x` holds B windows of `T × F` values; row b
 * starts from row b of `initial` (null: zeros) and reads the steps `rows`
 * gives it. Returns every layer's state after each row's own last step, in
 * row order, read back to the host.
 */
export async function fastRun(net: FastLstm, x: Float32Array, T: number, F: number, rows: RaggedRows, initial: LstmState | null): Promise<LstmState> {
  const run = runPacked(net, x, T, F, rows, initial, true);
  try {
    const read = (list: readonly tf.Tensor2D[]) => Promise.all(list.map(async (t) => unsortRows((await t.data()) as Float32Array, run.order, t.shape[1])));
    const [h, c] = await Promise.all([read(run.h), read(run.c)]);
    return { h, c };
  } finally {
    tf.dispose([...run.h, ...run.c]);
  }
}

/** Thrown by a pass whose `stop` said yes before one of its steps (its tensors are freed). */
export class PassStopped extends Error {
  constructor() {
    super('The pass was stopped: a newer request made it stale');
    this.name = 'PassStopped';
  }
}

/**
 * {@link fastRun}'s model outputs `[B]` (in row order) instead of the states:
 * only the last layer's final h goes through the head. `stop` is asked before
 * each step; yes throws {@link PassStopped}.
 */
export async function fastRunOutput(net: FastLstm, x: Float32Array, T: number, F: number, rows: RaggedRows, initial: LstmState | null, stop?: () => boolean): Promise<Float32Array> {
  const run = runPacked(net, x, T, F, rows, initial, false, stop);
  const output = tf.tidy(() => fastHead(net, run.h[0]!));
  tf.dispose(run.h);
  try {
    return unsortRows((await output.data()) as Float32Array, run.order, 1);
  } finally {
    output.dispose();
  }
}

/** Rows `width` wide in sorted order (sorted row k is row order[k]) back to row order. */
export function unsortRows(sorted: Float32Array, order: Int32Array, width: number): Float32Array {
  const out = new Float32Array(sorted.length);
  for (let k = 0; k < order.length; k++) out.set(sorted.subarray(k * width, (k + 1) * width), order[k]! * width);
  return out;
}

/**
 * The packed run: the states after each row's last step, in sorted order
 * (longest row first; sorted row k is row `order[k]`). The rows are put in
 * and taken out of that order on the host: tf.js's gather costs the WASM
 * backend about 4 ms per call on these shapes, a third of a what-if pass.
 * `states` false collects only the last layer's final h (c stays empty).
 * The caller owns the tensors.
 */
function runPacked(net: FastLstm, x: Float32Array, T: number, F: number, rows: RaggedRows, initial: LstmState | null, states: boolean, stop?: () => boolean): { h: tf.Tensor2D[]; c: tf.Tensor2D[]; order: Int32Array } {
  const B = rows.lengths.length;
  let longest = 0;
  for (let b = 0; b < B; b++) {
    const offset = rows.offsets[b]!;
    const length = rows.lengths[b]!;
    if (offset < 0 || length < 1 || offset + length > T) throw new RangeError(`row ${b}: steps ${offset}..${offset + length - 1} are not inside 0..${T - 1}`);
    longest = Math.max(longest, length);
  }
  // Longest first: at step j the rows still going are the first active[j].
  const order = Int32Array.from({ length: B }, (_, b) => b).sort((a, b) => rows.lengths[b]! - rows.lengths[a]!);
  // Never more rows at a later step: one pointer walks down.
  const active = new Int32Array(longest + 1);
  let going = B;
  for (let j = 0; j <= longest; j++) {
    while (going > 0 && rows.lengths[order[going - 1]!]! <= j) going--;
    active[j] = going;
  }
  const sortedRows = (values: Float32Array, width: number): tf.Tensor2D => {
    const out = new Float32Array(B * width);
    for (let k = 0; k < B; k++) out.set(values.subarray(order[k]! * width, (order[k]! + 1) * width), k * width);
    return tf.tensor2d(out, [B, width]);
  };
  const result = tf.tidy(() => {
    const steps: tf.Tensor2D[] = [];
    for (let j = 0; j < longest; j++) {
      const n = active[j]!;
      const values = new Float32Array(n * F);
      for (let k = 0; k < n; k++) {
        const b = order[k]!;
        const t = rows.offsets[b]! + j;
        values.set(x.subarray((b * T + t) * F, (b * T + t + 1) * F), k * F);
      }
      steps.push(tf.tensor2d(values, [n, F]));
    }
    const h: tf.Tensor2D[] = [];
    const c: tf.Tensor2D[] = [];
    let inputs: readonly tf.Tensor2D[] = steps;
    net.layers.forEach((layer, l) => {
      const w = cachedGateWeights(layer);
      const keepH = states || l === net.layers.length - 1;
      let hs: tf.Tensor2D | null = initial ? sortedRows(initial.h[l]!, layer.units) : null;
      let cs: tf.Tensor2D | null = initial ? sortedRows(initial.c[l]!, layer.units) : null;
      const outputs: tf.Tensor2D[] = [];
      // Final states of the rows that end at each step (sorted positions active[j + 1] .. active[j] − 1).
      const hDone: tf.Tensor2D[] = [];
      const cDone: tf.Tensor2D[] = [];
      inputs.forEach((input, j) => {
        if (stop?.()) throw new PassStopped();
        const n = active[j]!;
        if (hs && hs.shape[0] !== n) {
          hs = tf.slice(hs, [0, 0], [n, -1]);
          cs = tf.slice(cs!, [0, 0], [n, -1]);
        }
        ({ h: hs, c: cs } = cellStep(layer, w, input, hs, cs));
        outputs.push(hs);
        const next = active[j + 1]!;
        if (next < n) {
          if (keepH) hDone.push(tf.slice(hs, [next, 0], [n - next, -1]));
          if (states) cDone.push(tf.slice(cs, [next, 0], [n - next, -1]));
        }
      });
      // The rows that end last are first in sorted order.
      const collect = (done: tf.Tensor2D[]) => (done.length === 1 ? done[0]! : tf.concat(done.reverse(), 0));
      if (keepH) h.push(collect(hDone));
      if (states) c.push(collect(cDone));
      inputs = outputs;
    });
    return { h, c };
  });
  return { ...result, order };
}

/** The dense head on the last layer's hidden state: the model's output `[B, 1]`. The caller owns it. */
export function fastHead(net: FastLstm, h: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const logits = tf.fused.matMul({ a: h, b: net.denseKernel as tf.Tensor2D, bias: net.denseBias as tf.Tensor1D }) as tf.Tensor2D;
    return net.head === 'sigmoid' ? tf.sigmoid(logits) : logits;
  });
}

/**
 * Inference: the model's output `[B, 1]` for the time-step inputs (see
 * {@link stepInputs}; dropout off), equal to `model.predict` of the same
 * windows to float precision. The caller owns the result.
 */
export function fastPredict(net: FastLstm, steps: readonly tf.Tensor2D[]): tf.Tensor2D {
  return tf.tidy(() => fastHead(net, forward(net, steps, false, null)));
}

/** The loss and the gradient of every trainable variable, keyed by variable name. */
export interface FastGradients {
  readonly loss: tf.Scalar;
  readonly gradients: tf.NamedTensorMap;
}

/**
 * One training step's loss and gradients for the time-step inputs (see
 * {@link stepInputs}) and targets `y` `[B, 1]`: mean squared error, or
 * tf.losses.logLoss's binary cross-entropy for a sigmoid head; dropout on when
 * the model has it. `masks` (per LSTM layer, one `[B, H]` mask per output
 * step) replaces the random dropout masks, for tests. `weights` `[B, 1]`
 * scales each sample's loss (the loss is the mean of the weighted terms). The caller owns every
 * returned tensor.
 */
export function fastGradients(net: FastLstm, steps: readonly tf.Tensor2D[], y: tf.Tensor2D, loss: FastLoss, masks?: readonly (readonly tf.Tensor2D[])[], weights?: tf.Tensor2D): FastGradients {
  return tf.tidy(() => {
    const T = steps.length;
    const B = y.shape[0];
    const caches: LayerCache[] = [];
    const last = forward(net, steps, true, caches, masks);
    const logits = tf.fused.matMul({ a: last, b: net.denseKernel as tf.Tensor2D, bias: net.denseBias as tf.Tensor1D }) as tf.Tensor2D;

    let lossValue: tf.Scalar;
    let dLogits: tf.Tensor2D;
    const p = net.head === 'sigmoid' ? tf.sigmoid(logits) : logits;
    if (loss === 'mse') {
      const diff = tf.sub(p, y);
      const weighted = weights ? tf.mul(diff, weights) : diff;
      lossValue = tf.mean(tf.mul(weighted, diff));
      dLogits = tf.mul(weighted, 2 / B);
    } else if (typeof loss === 'object') {
      const { terms, lq, r } = rateDevianceParts(loss, y, p);
      lossValue = tf.mean(weights ? tf.mul(terms, weights) : terms);
      // d/dv of the scaled KL: scale × (q − r) × std, q and r the predicted and observed rates.
      const grad = tf.mul(tf.sub(tf.sigmoid(lq), r), (rateDevianceScale(loss) * loss.std) / B);
      dLogits = weights ? tf.mul<tf.Tensor2D>(grad, weights) : (grad as tf.Tensor2D);
    } else {
      const onePlus = tf.add(p, LOG_EPSILON);
      const oneMinus = tf.add(tf.sub(1, p), LOG_EPSILON);
      const perSample = tf.neg(tf.add(tf.mul(y, tf.log(onePlus)), tf.mul(tf.sub(1, y), tf.log(oneMinus))));
      lossValue = tf.mean(weights ? tf.mul(perSample, weights) : perSample);
      const grad = tf.div<tf.Tensor2D>(tf.sub(tf.div(tf.sub(1, y), oneMinus), tf.div(y, onePlus)), B);
      dLogits = weights ? tf.mul<tf.Tensor2D>(grad, weights) : grad;
    }
    if (net.head === 'sigmoid') dLogits = tf.mul(dLogits, tf.mul(p, tf.sub(1, p)));

    const gradients: tf.NamedTensorMap = {};
    gradients[net.denseKernel.name] = tf.matMul(tf.transpose(last), dLogits);
    gradients[net.denseBias.name] = tf.sum(dLogits, 0);
    // Gradient reaching each output step of the layer above: [B, 1] × [1, H] as a broadcast multiply.
    let dOut: (tf.Tensor2D | null)[] = new Array<tf.Tensor2D | null>(T).fill(null);
    dOut[T - 1] = tf.mul(dLogits, tf.reshape(net.denseKernel, [1, -1]));

    for (let l = net.layers.length - 1; l >= 0; l--) {
      const layer = net.layers[l]!;
      const cache = caches[l]!;
      if (cache.masks) {
        const outputMasks = cache.masks;
        // A sequence layer has one mask per step; the last layer one for its final step.
        dOut = dOut.map((d, t) => (d === null ? null : tf.mul(d, outputMasks[layer.sequences ? t : 0]!)));
      }
      const recurrentT = tf.transpose(layer.recurrent) as tf.Tensor2D;
      const kernelT = l > 0 ? (tf.transpose(layer.kernel) as tf.Tensor2D) : null;
      const dz: tf.Tensor2D[] = new Array<tf.Tensor2D>(T);
      const dInput: (tf.Tensor2D | null)[] = new Array<tf.Tensor2D | null>(T).fill(null);
      let dh: tf.Tensor2D | null = null;
      let dc: tf.Tensor2D | null = null;
      for (let t = T - 1; t >= 0; t--) {
        const above = dOut[t] ?? null;
        const dhT: tf.Tensor2D = dh === null ? above! : above === null ? dh : tf.add(dh, above);
        const s = cache.steps[t]!;
        const dO = tf.mul(dhT, s.tanhC);
        const dcFromH: tf.Tensor2D = tf.mul(tf.mul(dhT, s.o), tf.sub(1, tf.square(s.tanhC)));
        const dcT: tf.Tensor2D = dc === null ? dcFromH : tf.add<tf.Tensor2D>(dc, dcFromH);
        const dzT = tf.concat<tf.Tensor2D>(
          [
            tf.mul(tf.mul(dcT, s.g), gateDerivative(s.i, layer.gate)),
            s.cPrev === null ? tf.zerosLike(dcT) : tf.mul(tf.mul(dcT, s.cPrev), gateDerivative(s.f, layer.gate)),
            tf.mul(tf.mul(dcT, s.i), tf.sub(1, tf.square(s.g))),
            tf.mul(dO, gateDerivative(s.o, layer.gate)),
          ],
          1,
        );
        dz[t] = dzT;
        if (t > 0) {
          dc = tf.mul(dcT, s.f);
          dh = tf.matMul(dzT, recurrentT);
        }
        if (kernelT) dInput[t] = tf.matMul(dzT, kernelT);
      }
      const dZ = T === 1 ? dz[0]! : tf.concat(dz, 0);
      const x = T === 1 ? cache.steps[0]!.x : tf.concat(cache.steps.map((s) => s.x), 0);
      // aᵀ·b as an explicit transpose and a plain matmul: ~10× faster than a transposed operand in tf.js WASM.
      gradients[layer.kernel.name] = tf.matMul(tf.transpose(x), dZ);
      gradients[layer.bias.name] = tf.sum(dZ, 0);
      if (T > 1) {
        // h_{t-1} for t = 1..T-1 against dz_t for the same t (h_{-1} = 0 adds nothing).
        const hPrev = tf.concat(cache.steps.slice(0, T - 1).map((s) => s.h), 0);
        gradients[layer.recurrent.name] = tf.matMul(tf.transpose(hPrev), tf.concat(dz.slice(1), 0));
      } else gradients[layer.recurrent.name] = tf.zerosLike(layer.recurrent);
      dOut = dInput;
    }
    return { loss: lossValue, gradients };
  });
}
