import type { Dataset } from '../../ml/types';

/** The buffers of a data set, to move it between threads without a copy. */
export function datasetTransfer(dataset: Dataset): ArrayBuffer[] {
  return dataset.series.flatMap((g) => [g.times.buffer, g.target.buffer, g.targetModel.buffer, g.exog.buffer] as ArrayBuffer[]);
}
