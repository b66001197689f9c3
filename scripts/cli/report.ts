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
  /** Where `--out` wrote the model bundle (absent without --out). */
  readonly bundle?: string;
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

/** A plain-text table: the first `left` columns left-aligned, the others right-aligned. */
function table(header: readonly string[], rows: readonly (readonly string[])[], left = 1): string {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => (r[k] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, k) => (k < left ? c.padEnd(widths[k]!) : c.padStart(widths[k]!))).join('  ').trimEnd();
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
  if (summary.bundle !== undefined) lines.push(`Model bundle: ${summary.bundle}`);
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------
// predict

/** One scenario's forecast in the `predict --json` line (target units; non-finite numbers become null). */
export interface ScenarioSummary {
  readonly series: string;
  /** First day, YYYY-MM-DD. */
  readonly start: string;
  /** Plan length in steps. */
  readonly horizon: number;
  /** Mean of the daily predictions. */
  readonly mean: number;
  /** Means of the daily 90 % bounds (NaN without an interval, e.g. for yes/no targets). */
  readonly lower: number;
  readonly upper: number;
  /** The prediction for every step of the plan. */
  readonly daily: readonly number[];
}

/** A scenario summary from the what-if's per-step forecasts. */
export function summarizeScenario(scenario: { readonly label: string; readonly start: string; readonly horizon: number }, forecast: { readonly mean: ArrayLike<number>; readonly lower: ArrayLike<number>; readonly upper: ArrayLike<number> }): ScenarioSummary {
  const daily = Array.from(forecast.mean);
  return {
    series: scenario.label,
    start: scenario.start,
    horizon: scenario.horizon,
    mean: mean(daily),
    lower: mean(Array.from(forecast.lower)),
    upper: mean(Array.from(forecast.upper)),
    daily,
  };
}

/** Context for the predictions table. */
export interface PredictContext {
  readonly modelName: string;
  readonly target: string;
  readonly targetKind: string;
  /** Promotion window per scenario, as `step a–b` text, and the levers set. */
  readonly plans: readonly { readonly promo: string; readonly levers: string }[];
}

/** The readable table printed by `predict` without `--json`. */
export function formatPredictions(scenarios: readonly ScenarioSummary[], context: PredictContext): string {
  const lines = [
    `Model ${context.modelName}: ${context.target} (${context.targetKind}), mean of the daily predictions with the 90% interval`,
    '',
    table(
      ['#', 'series', 'start', 'steps', 'promotion', 'levers', 'mean', '90% interval'],
      scenarios.map((s, k) => [
        String(k + 1),
        s.series,
        s.start,
        String(s.horizon),
        context.plans[k]?.promo ?? '',
        context.plans[k]?.levers ?? '',
        num(s.mean),
        Number.isFinite(s.lower) && Number.isFinite(s.upper) ? `${num(s.lower)} to ${num(s.upper)}` : '—',
      ]),
      6,
    ),
    '',
    'Daily predictions:',
    ...scenarios.map((s, k) => `${k + 1}: ${s.daily.map(num).join(' ')}`),
  ];
  return `${lines.join('\n')}\n`;
}
