/** Training settings the analyst can change. Pure (no tf.js), so the UI can import it. */
export interface TrainSettings {
  /** Time steps per input window. */
  readonly windowLength: number;
  /** Hidden units per LSTM layer. */
  readonly units: number;
  /** Stacked LSTM layers. */
  readonly layers: number;
  /** Dropout after each LSTM layer, in [0, 1). */
  readonly dropout: number;
  /** Adam learning rate. */
  readonly learningRate: number;
  readonly batchSize: number;
  readonly epochs: number;
  /** Epochs without a better validation loss before stopping (0: never stop early). */
  readonly patience: number;
  readonly seed: number;
}

/** The seed article's model: window 14, 1 × 64 LSTM units, no dropout, Adam 1e-3, batch 64, 30 epochs, patience 5, seed 42. */
export const DEFAULT_TRAIN_SETTINGS: TrainSettings = Object.freeze({
  windowLength: 14,
  units: 64,
  layers: 1,
  dropout: 0,
  learningRate: 1e-3,
  batchSize: 64,
  epochs: 30,
  patience: 5,
  seed: 42,
});
