/**
 * Command-line arguments of the headless CLI (`npm run cli -- …`), parsed
 * into a typed command or a message for the user. Pure, and light on
 * imports on purpose: a bad flag is answered before tf.js loads.
 */

/** Backends the CLI may train on in Node (no GPU backends there). */
export const CLI_BACKENDS = ['wasm', 'cpu', 'auto'] as const;
export type CliBackend = (typeof CLI_BACKENDS)[number];

/** `train`: ingest a CSV, train the LSTM, evaluate it against the baselines. */
export interface TrainCommand {
  readonly kind: 'train';
  /** Path of the CSV file, as given. */
  readonly csv: string;
  /** Column to predict. */
  readonly target: string;
  /** Column to use as the time axis (default: the suggested one). */
  readonly time?: string;
  /** Columns that identify a series (added to the suggested ones). */
  readonly series: readonly string[];
  /** Columns the analyst controls (added to the suggested ones). */
  readonly levers: readonly string[];
  /** Training epochs (default: the model defaults). */
  readonly epochs?: number;
  /** Seed of the split, the window sampling and the initial weights (default: the model defaults). */
  readonly seed?: number;
  /** Print one JSON line on stdout instead of a table. */
  readonly json: boolean;
  /** `wasm` (default) or `cpu`; `auto` measures both and takes the faster. */
  readonly backend: CliBackend;
  /** Where to write the model bundle (`.promocast.zip`) after training; a folder gets `<csv name>.promocast.zip`. */
  readonly out?: string;
}

/** Backends `predict` runs on (nothing to measure for one forward pass). */
export const PREDICT_BACKENDS = ['wasm', 'cpu'] as const;
export type PredictBackend = (typeof PREDICT_BACKENDS)[number];

/** `predict`: load a model bundle and forecast the scenarios of a CSV file. */
export interface PredictCommand {
  readonly kind: 'predict';
  /** Path of the model bundle, as given. */
  readonly model: string;
  /** Path of the scenario CSV, as given. */
  readonly scenario: string;
  /** Print one JSON line on stdout instead of a table. */
  readonly json: boolean;
  readonly backend: PredictBackend;
}

export type CliCommand = TrainCommand | PredictCommand | { readonly kind: 'help' };

export type ParsedArgs = { readonly ok: true; readonly command: CliCommand } | { readonly ok: false; readonly message: string };

/** The columns of a scenario file, as `--help` and scenario errors describe them. */
export const SCENARIO_HELP = `Scenario CSV (one scenario per row; a header row names the columns):
  series            the series, as the model labels it (e.g. "electronics / bargain_hunters"),
                    or instead one column per series key column, by name (e.g. category, segment);
                    may be left out when the model has a single series
  start             first day of the plan, YYYY-MM-DD (required)
  horizon           plan length in steps of the data (days for daily data), 1 to 28 (required)
  promo_start       first promotion step, 0 = the start day (default 0), or a YYYY-MM-DD date
  promo_duration    promotion length in steps (default: to the end of the plan; 0 = no promotion)
  <lever>           one column per lever, in the lever's units (discount_pct 20 = 20 %) or the
                    category text; an empty cell or a missing column means "no promotion"`;

/** What `--help` prints, and what follows every argument error. */
export const USAGE = `Usage: npm run cli -- train --csv PATH --target COL [options]
       npm run cli -- predict --model BUNDLE --scenario CSV [--json]

train: reads a CSV, trains the LSTM and compares it with the baselines on the
test period (the last 20 % of dates), all in this process. Progress goes to stderr.

  --csv PATH        the CSV file to read (required)
  --target COL      the column to predict (required)
  --time COL        the time column (default: the suggested one)
  --series A,B      columns that identify a series (added to the suggested ones)
  --levers A,B      columns you control, e.g. discount (added to the suggested ones)
  --epochs N        training epochs (default 30, early stopping after 5 without improvement)
  --seed N          seed of the split and the initial weights (default 42)
  --backend NAME    wasm (default), cpu, or auto (measure both, take the faster)
  --out PATH        write the trained model bundle (.promocast.zip) to PATH
                    (a folder: <csv name>.promocast.zip in it)
  --json            print one JSON line on stdout instead of a table

predict: loads a model bundle written by train --out (or the app) and forecasts
each scenario of a CSV file in one batch: the mean of the daily predictions,
the 90 % interval, and every day's value.

  --model BUNDLE    the .promocast.zip file (required)
  --scenario CSV    the scenario file (required; columns below)
  --backend NAME    wasm (default) or cpu
  --json            print one JSON line on stdout instead of a table

${SCENARIO_HELP}

--help shows this message. Exit codes: 0 done, 1 a file or the data cannot be used, 2 bad arguments.`;

const COMMANDS = ['train', 'predict'] as const;
type CommandName = (typeof COMMANDS)[number];

/** Flags each command takes: with a value, or alone. */
const FLAGS = {
  train: { values: ['csv', 'target', 'time', 'series', 'levers', 'epochs', 'seed', 'backend', 'out'], switches: ['json', 'help'] },
  predict: { values: ['model', 'scenario', 'backend'], switches: ['json', 'help'] },
} as const satisfies Record<CommandName, { values: readonly string[]; switches: readonly string[] }>;

type ValueFlag<C extends CommandName> = (typeof FLAGS)[C]['values'][number];

/** Seeds are used as unsigned 32-bit integers. */
const MAX_SEED = 0xffffffff;
const MAX_EPOCHS = 10_000;

type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

function wholeNumber(flag: string, text: string, min: number, max: number): Parsed<number> {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    return { ok: false, message: `--${flag} must be a whole number from ${min} to ${max}, got "${text}".` };
  }
  return { ok: true, value };
}

function columnList(flag: string, text: string): Parsed<string[]> {
  const names = text.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) return { ok: false, message: `--${flag} has an empty column name in "${text}" (use A,B with no empty entries).` };
  return { ok: true, value: [...new Set(names)] };
}

/** Every column a command names, with the flag that names it. */
function namedColumns(roles: Pick<TrainCommand, 'target' | 'time' | 'series' | 'levers'>): [flag: string, column: string][] {
  return [
    ['--target', roles.target],
    ...(roles.time === undefined ? [] : [['--time', roles.time] as [string, string]]),
    ...roles.series.map((c): [string, string] => ['--series', c]),
    ...roles.levers.map((c): [string, string] => ['--levers', c]),
  ];
}

type Scanned<C extends CommandName> =
  | { readonly kind: 'flags'; readonly values: Partial<Record<ValueFlag<C>, string>>; readonly switches: ReadonlySet<string> }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

/**
 * Reads the flags after the command: each known to the command, at most
 * once, its value as the next argument or after `=`.
 */
function scanFlags<C extends CommandName>(command: C, rest: readonly string[]): Scanned<C> {
  const { values: valueFlags, switches: switchFlags } = FLAGS[command];
  const values: Partial<Record<string, string>> = {};
  const switches = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '-h') return { kind: 'help' };
    if (!arg.startsWith('--')) return { kind: 'error', message: `Unexpected argument "${arg}" (every value follows its flag, e.g. ${command === 'train' ? '--csv PATH' : '--model BUNDLE'}).` };
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
    const inline = equals === -1 ? undefined : arg.slice(equals + 1);
    if ((switchFlags as readonly string[]).includes(name)) {
      if (inline !== undefined) return { kind: 'error', message: `--${name} takes no value.` };
      if (name === 'help') return { kind: 'help' };
      if (switches.has(name)) return { kind: 'error', message: `--${name} is given twice.` };
      switches.add(name);
      continue;
    }
    if (!(valueFlags as readonly string[]).includes(name)) {
      const owner = COMMANDS.find((other) => other !== command && (FLAGS[other].values as readonly string[]).includes(name));
      return { kind: 'error', message: owner === undefined ? `Unknown flag "--${name}".` : `--${name} is a flag of ${owner}, not of ${command}.` };
    }
    if (values[name] !== undefined) return { kind: 'error', message: `--${name} is given twice.` };
    let value = inline;
    if (value === undefined) {
      const next = rest[i + 1];
      if (next === undefined || next.startsWith('--')) return { kind: 'error', message: `--${name} needs a value.` };
      value = next;
      i++;
    }
    if (value.trim() === '') return { kind: 'error', message: `--${name} needs a value.` };
    values[name] = value;
  }
  return { kind: 'flags', values: values as Partial<Record<ValueFlag<C>, string>>, switches };
}

/**
 * Parses the arguments after the script name (`process.argv.slice(2)`).
 * Flags take their value as the next argument or after `=` (`--epochs=5`);
 * each may appear once. Checks everything that can be checked without
 * reading a file: the command, known flags, required flags, numbers,
 * the backend name, and that no column gets two roles. Column names are
 * checked against the file by {@link checkColumns}; scenario files by
 * scripts/cli/scenario.ts.
 */
export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  const [command, ...rest] = argv;
  if (command === undefined) return { ok: false, message: 'No command given.' };
  if (command === '--help' || command === '-h' || command === 'help') return { ok: true, command: { kind: 'help' } };
  if (command === 'train') return parseTrain(rest);
  if (command === 'predict') return parsePredict(rest);
  return { ok: false, message: `Unknown command "${command}" (the commands are "train" and "predict").` };
}

function parseTrain(rest: readonly string[]): ParsedArgs {
  const scanned = scanFlags('train', rest);
  if (scanned.kind === 'help') return { ok: true, command: { kind: 'help' } };
  if (scanned.kind === 'error') return { ok: false, message: scanned.message };
  const { values, switches } = scanned;

  const { csv, target, time, out } = values;
  if (csv === undefined) return { ok: false, message: 'Missing --csv PATH (the file to read).' };
  if (target === undefined) return { ok: false, message: 'Missing --target COL (the column to predict).' };

  const series = values.series === undefined ? { ok: true as const, value: [] } : columnList('series', values.series);
  if (!series.ok) return series;
  const levers = values.levers === undefined ? { ok: true as const, value: [] } : columnList('levers', values.levers);
  if (!levers.ok) return levers;

  let epochs: number | undefined;
  if (values.epochs !== undefined) {
    const parsed = wholeNumber('epochs', values.epochs, 1, MAX_EPOCHS);
    if (!parsed.ok) return parsed;
    epochs = parsed.value;
  }
  let seed: number | undefined;
  if (values.seed !== undefined) {
    const parsed = wholeNumber('seed', values.seed, 0, MAX_SEED);
    if (!parsed.ok) return parsed;
    seed = parsed.value;
  }

  const backend = values.backend ?? 'wasm';
  if (!(CLI_BACKENDS as readonly string[]).includes(backend)) {
    return { ok: false, message: `--backend must be one of ${CLI_BACKENDS.join(', ')}, got "${backend}".` };
  }

  // One role per column: the flags would otherwise silently overwrite each other.
  const claims = namedColumns({ target, ...(time === undefined ? {} : { time }), series: series.value, levers: levers.value });
  const claimedBy = new Map<string, string>();
  for (const [flag, column] of claims) {
    const earlier = claimedBy.get(column);
    if (earlier !== undefined) return { ok: false, message: `Column "${column}" is given two roles (${earlier} and ${flag}).` };
    claimedBy.set(column, flag);
  }

  return {
    ok: true,
    command: {
      kind: 'train',
      csv,
      target,
      ...(time === undefined ? {} : { time }),
      series: series.value,
      levers: levers.value,
      ...(epochs === undefined ? {} : { epochs }),
      ...(seed === undefined ? {} : { seed }),
      json: switches.has('json'),
      backend: backend as CliBackend,
      ...(out === undefined ? {} : { out }),
    },
  };
}

function parsePredict(rest: readonly string[]): ParsedArgs {
  const scanned = scanFlags('predict', rest);
  if (scanned.kind === 'help') return { ok: true, command: { kind: 'help' } };
  if (scanned.kind === 'error') return { ok: false, message: scanned.message };
  const { values, switches } = scanned;
  const { model, scenario } = values;
  if (model === undefined) return { ok: false, message: 'Missing --model BUNDLE (the .promocast.zip file to use).' };
  if (scenario === undefined) return { ok: false, message: 'Missing --scenario CSV (the file of scenarios to forecast).' };
  const backend = values.backend ?? 'wasm';
  if (!(PREDICT_BACKENDS as readonly string[]).includes(backend)) {
    return { ok: false, message: `--backend must be one of ${PREDICT_BACKENDS.join(', ')} for predict, got "${backend}".` };
  }
  return { ok: true, command: { kind: 'predict', model, scenario, json: switches.has('json'), backend: backend as PredictBackend } };
}

/**
 * Checks that every column the command names is in the file (`columns`:
 * its column names, as read). Returns a message naming the flag, the missing
 * column and the file's columns, or null when all are there.
 */
export function checkColumns(command: TrainCommand, fileName: string, columns: readonly string[]): string | null {
  const known = new Set(columns);
  for (const [flag, column] of namedColumns(command)) {
    if (known.has(column)) continue;
    const sameButCase = columns.find((c) => c.toLowerCase() === column.toLowerCase());
    const hint = sameButCase === undefined ? '' : ` Did you mean "${sameButCase}"?`;
    return `${flag}: ${fileName} has no column "${column}".${hint} Its columns: ${columns.join(', ')}.`;
  }
  return null;
}
