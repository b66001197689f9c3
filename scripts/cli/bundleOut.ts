/**
 * `train --out`: the model bundle of a training run, without reaching into
 * the ml handler. The handler checkpoints through the {@link CheckpointStore}
 * it is given (IndexedDB in the app); {@link captureCheckpoints} is an
 * in-memory store that keeps the latest values, and {@link trainedBundle}
 * rebuilds the model from the checkpoint's best weights and packs it with
 * its manifest and model card.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { RoleMap } from '../../src/data/types';
import { bundleFileName, createManifest, modelCard, writeBundle } from '../../src/ml/bundle';
import { buildLstmModel } from '../../src/ml/lstm';
import type { StopReason, TrainSettings } from '../../src/ml/train';
import type { Dataset } from '../../src/ml/types';
import type { CheckpointStore } from '../../src/workers/handlers/mlHandler';
import type { TrainResult } from '../../src/workers/protocol';
import { CHECKPOINT_DATASET_KEY, CHECKPOINT_KEY } from '../../src/workers/storageKeys';

const BUNDLE_SUFFIX = '.promocast.zip';

/** The parts of the handler's checkpoint (saved under {@link CHECKPOINT_KEY}) that a bundle needs. */
export interface CapturedCheckpoint {
  readonly settings: TrainSettings;
  readonly epochsDone: number;
  readonly bestEpoch: number;
  readonly bestValidLoss: number;
  readonly stoppedBy: StopReason;
  /** Weights of the best epoch, in `model.getWeights()` order; null before the first epoch. */
  readonly snapshot: readonly { readonly values: Float32Array; readonly shape: readonly number[] }[] | null;
  readonly result: TrainResult | null;
}

/** An in-memory {@link CheckpointStore} that keeps the latest checkpoint and dataset. */
export interface CapturingStore extends CheckpointStore {
  checkpoint(): CapturedCheckpoint | undefined;
  dataset(): Dataset | undefined;
}

export function captureCheckpoints(): CapturingStore {
  const values = new Map<string, unknown>();
  return {
    save: async (key, value) => {
      values.set(key, value);
      return { ok: true };
    },
    load: async <T>(key: string) => values.get(key) as T | undefined,
    checkpoint: () => values.get(CHECKPOINT_KEY) as CapturedCheckpoint | undefined,
    dataset: () => values.get(CHECKPOINT_DATASET_KEY) as Dataset | undefined,
  };
}

/**
 * Where `--out PATH` writes and the model's name: an existing folder gets
 * `<csv name>.promocast.zip`; otherwise PATH itself, whose folder must exist.
 * The name is the file name less `.promocast.zip` (or its extension).
 * Returns a message instead when the folder is missing.
 */
export async function resolveBundlePath(out: string, csvPath: string): Promise<{ ok: true; path: string; name: string } | { ok: false; message: string }> {
  const info = await stat(out).catch(() => null);
  if (info?.isDirectory()) {
    const name = basename(csvPath, extname(csvPath)) || 'model';
    return { ok: true, path: join(out, bundleFileName(name)), name };
  }
  if (/[\\/]$/.test(out)) return { ok: false, message: `--out: the folder ${out} does not exist.` };
  const folder = dirname(resolve(out));
  const parent = await stat(folder).catch(() => null);
  if (!parent?.isDirectory()) return { ok: false, message: `--out: the folder ${dirname(out)} does not exist.` };
  const file = basename(out);
  const name = file.toLowerCase().endsWith(BUNDLE_SUFFIX) ? file.slice(0, -BUNDLE_SUFFIX.length) : basename(file, extname(file));
  return { ok: true, path: out, name: name || 'model' };
}

/** What the bundle is made of besides the checkpoint. */
export interface BundleInput {
  readonly name: string;
  readonly roles: RoleMap;
  /** The data handler's column summaries (name and type per column). */
  readonly summaries: readonly { readonly name: string; readonly type: string }[];
  /** The dataset trained on (the store's copy is preferred when present). */
  readonly dataset: Dataset;
  readonly result: TrainResult;
  readonly checkpoint: CapturedCheckpoint;
  readonly createdAt?: string;
}

/**
 * The `.promocast.zip` bytes of a trained model: an LSTM built with the
 * checkpoint's settings on the active tf.js backend, given the best weights,
 * saved with {@link createManifest}'s manifest and {@link modelCard}.
 * Throws when the checkpoint holds no weights (no epoch completed).
 */
export async function trainedBundle(input: BundleInput): Promise<Uint8Array> {
  const { checkpoint, dataset, result } = input;
  if (!checkpoint.snapshot) throw new Error('The training checkpoint holds no weights');
  const { settings } = checkpoint;
  const spec = dataset.spec;
  const { model, optimizer } = buildLstmModel({
    windowLength: spec.windowLength,
    featureCount: spec.features.length,
    units: settings.units,
    layers: settings.layers,
    dropout: settings.dropout,
    learningRate: settings.learningRate,
    seed: settings.seed,
    output: spec.target.kind === 'binary' ? 'binary' : 'regression',
  });
  try {
    const weights = checkpoint.snapshot.map((w) => tf.tensor(w.values, [...w.shape]));
    try {
      model.setWeights(weights);
    } finally {
      weights.forEach((w) => w.dispose());
    }
    const manifest = createManifest({
      name: input.name,
      createdAt: input.createdAt ?? new Date().toISOString(),
      roles: input.roles,
      summaries: input.summaries,
      dataset,
      report: result.evaluation,
      trainingSettings: settings,
      trainingOutcome: { stoppedBy: checkpoint.stoppedBy, bestEpoch: checkpoint.bestEpoch, bestValidLoss: checkpoint.bestValidLoss, epochsRun: checkpoint.epochsDone },
      backend: result.backend,
    });
    return await writeBundle({ model, manifest, modelCard: modelCard(manifest) });
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}
