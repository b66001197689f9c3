/**
 * What the CLI prints at the end: one JSON object (`--json`) or a readable
 * table, both built from the training result. Pure.
 */
import { MODEL_NAMES, type ModelName } from '../../src/ml/evaluate';
import type { TrainResult } from '../../src/workers/protocol';

/** One model's test-period scores (target units; WAPE and sMAPE as shares, not percent). */
export interface ModelSummary {
  readonly mae: number;
  readonly rmse: number;
  readonly wape: number;
  readonly smape: number;
  readonly r2: number;
  /** Yes/no targets only (threshold 0.5). */
  readonly accuracy?: number;
  readonly precision?: number;
  readonly recall?: number;
  readonly f1?: number;
  readonly rocAuc?: number;
}

/** The `--json` line. Non-finite numbers become `null` in JSON. */
export interface CliSummary {
  /** Test windows scored (one step ahead). */
  readonly testRows: number;
  /** Backend the LSTM finished training on. */
  readonly backend: string;
  /** Training samples per second, averaged over the epochs run. */
  readonly samplesPerSec: number;
  readonly models: Readonly<Record<ModelName, ModelSummary>>;
  /** Share of test actuals inside the 90 % conformal interval. */
  readonly coverage90: number;
}

/** Context for the table that the JSON line leaves out. */
export interface RunContext {
  readonly fileName: string;
  readonly target: string;
  readonly result: TrainResult;
  readonly seconds: number;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** The `--json` summary of a run; `epochSamplesPerSec` holds each epoch's training speed. */
export function summarizeRun(result: TrainResult, epochSamplesPerSec: readonly number[]): CliSummary {
  const models = {} as Record<ModelName, ModelSummary>;
  for (const name of MODEL_NAMES) {
    const score = result.evaluation.scores.find((s) => s.model === name);
    if (!score) continue;
    const { mae, rmse, wape, smape, r2 } = score.regression;
    const c = score.classification;
    models[name] = {
      mae,
      rmse,
      wape,
      smape,
      r2,
      ...(c === undefined ? {} : { accuracy: c.accuracy, precision: c.precision, recall: c.recall, f1: c.f1, rocAuc: c.rocAuc }),
    };
  }
  return {
    testRows: result.evaluation.testCount,
    backend: result.backend,
    samplesPerSec: mean(epochSamplesPerSec),
    models,
    coverage90: result.evaluation.coverage90,
  };
}

/** 4 significant digits (whole numbers from 1000 up), an exponent only for extreme magnitudes. */
function num(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '—';
  if (Math.abs(v) >= 1e7 || (v !== 0 && Math.abs(v) < 1e-4)) return v.toExponential(3);
  return Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(4);
}

function pct(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(1)}%`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => (r[k] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, k) => (k === 0 ? c.padEnd(widths[k]!) : c.padStart(widths[k]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The readable report printed without `--json`. */
export function formatReport(summary: CliSummary, context: RunContext): string {
  const { result } = context;
  const names = MODEL_NAMES.filter((name) => summary.models[name] !== undefined);
  const lines = [
    `${context.fileName}: target ${context.target} (${result.evaluation.targetKind}), ${result.trainCount} training and ${summary.testRows} test windows`,
    `Trained on ${summary.backend}: ${result.epochsRun} epoch${result.epochsRun === 1 ? '' : 's'} (best ${result.bestEpoch}, stopped by ${result.stoppedBy}), ${num(summary.samplesPerSec)} samples/s, ${context.seconds.toFixed(1)} s in all`,
    '',
    table(
      ['model', 'MAE', 'RMSE', 'WAPE', 'sMAPE', 'R²'],
      names.map((name) => {
        const m = summary.models[name];
        return [name, num(m.mae), num(m.rmse), pct(m.wape), pct(m.smape), num(m.r2)];
      }),
    ),
  ];
  if (names.some((name) => summary.models[name].accuracy !== undefined)) {
    lines.push(
      '',
      table(
        ['model', 'accuracy', 'precision', 'recall', 'F1', 'ROC AUC'],
        names.map((name) => {
          const m = summary.models[name];
          return [name, pct(m.accuracy), pct(m.precision), pct(m.recall), num(m.f1), num(m.rocAuc)];
        }),
      ),
    );
  }
  lines.push('', `90% interval coverage on the test period: ${pct(summary.coverage90)}`);
  return `${lines.join('\n')}\n`;
}
