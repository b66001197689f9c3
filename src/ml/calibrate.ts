import * as tf from '@tensorflow/tfjs';
import { fromModelSpace } from './features';
import type { FeatureSpec } from './types';

/** Fewest validation windows a level shift is fitted on. */
export const CALIBRATION_MIN_WINDOWS = 30;
/** Largest shift fitted, in model-space units (standard deviations of the transformed target). */
export const CALIBRATION_MAX_SHIFT = 1;

/**
 * The level shift (in model space) that makes the model's predictions sum to
 * the actual values on the validation windows: a model fitted on logit or
 * log1p targets forecasts the mean of the transformed value, and its inverse
 * is below the mean of the value itself (Jensen; 0.5–2 % on the sample's
 * rates). Zero for a yes/no target (cross-entropy is already calibrated in
 * the mean), with fewer than {@link CALIBRATION_MIN_WINDOWS} finite windows, or
 * when no shift within ±{@link CALIBRATION_MAX_SHIFT} matches the sums.
 */
export function calibrationShift(spec: FeatureSpec, predicted: Float32Array, actual: ArrayLike<number>): number {
  if (spec.target.kind === 'binary') return 0;
  const rows: number[] = [];
  let target = 0;
  for (let i = 0; i < predicted.length; i++) {
    const a = actual[i]!;
    if (!Number.isFinite(a) || !Number.isFinite(predicted[i]!)) continue;
    rows.push(i);
    target += a;
  }
  if (rows.length < CALIBRATION_MIN_WINDOWS) return 0;
  // Predicted total after a shift d: increasing in d (every inverse transform is).
  const total = (d: number) => rows.reduce((sum, i) => sum + fromModelSpace(spec, predicted[i]! + d), 0);
  let lo = -CALIBRATION_MAX_SHIFT;
  let hi = CALIBRATION_MAX_SHIFT;
  if (total(lo) > target || total(hi) < target) return 0;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (total(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Adds `shift` (model space) to the model's output: the dense head's bias
 * takes it, so the calibrated model is an ordinary model (bundles, what-if and
 * the fast passes need nothing new).
 */
export function shiftOutput(model: tf.LayersModel, shift: number): void {
  const head = model.layers.at(-1);
  const [kernel, bias] = head?.getWeights() ?? [];
  if (!head || !kernel || !bias || bias.size !== 1) throw new Error('the model has no one-unit dense head to calibrate');
  const shifted = tf.tidy(() => tf.add(bias, shift));
  head.setWeights([kernel, shifted]);
  shifted.dispose();
}
