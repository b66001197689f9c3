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
}

export type CliCommand = TrainCommand | { readonly kind: 'help' };

export type ParsedArgs = { readonly ok: true; readonly command: CliCommand } | { readonly ok: false; readonly message: string };

/** What `--help` prints, and what follows every argument error. */
export const USAGE = `Usage: npm run cli -- train --csv PATH --target COL [options]

Reads a CSV, trains the LSTM and compares it with the baselines on the test
period (the last 20 % of dates), all in this process. Progress goes to stderr.

Options:
  --csv PATH        the CSV file to read (required)
  --target COL      the column to predict (required)
  --time COL        the time column (default: the suggested one)
  --series A,B      columns that identify a series (added to the suggested ones)
  --levers A,B      columns you control, e.g. discount (added to the suggested ones)
  --epochs N        training epochs (default 30, early stopping after 5 without improvement)
  --seed N          seed of the split and the initial weights (default 42)
  --backend NAME    wasm (default), cpu, or auto (measure both, take the faster)
  --json            print one JSON line on stdout instead of a table
  --help            show this message

Exit codes: 0 done, 1 the file or the data cannot be used, 2 bad arguments.`;

type ValueFlag = 'csv' | 'target' | 'time' | 'series' | 'levers' | 'epochs' | 'seed' | 'backend';
type SwitchFlag = 'json' | 'help';

const VALUE_FLAGS: readonly ValueFlag[] = ['csv', 'target', 'time', 'series', 'levers', 'epochs', 'seed', 'backend'];
const SWITCH_FLAGS: readonly SwitchFlag[] = ['json', 'help'];

/** Seeds are used as unsigned 32-bit integers. */
const MAX_SEED = 0xffffffff;
const MAX_EPOCHS = 10_000;

const isValueFlag = (name: string): name is ValueFlag => (VALUE_FLAGS as readonly string[]).includes(name);
const isSwitchFlag = (name: string): name is SwitchFlag => (SWITCH_FLAGS as readonly string[]).includes(name);

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

/**
 * Parses the arguments after the script name (`process.argv.slice(2)`).
 * Flags take their value as the next argument or after `=` (`--epochs=5`);
 * each may appear once. Checks everything that can be checked without
 * reading the file: the command, known flags, required flags, numbers,
 * the backend name, and that no column gets two roles. Column names are
 * checked against the file by {@link checkColumns}.
 */
export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  const [command, ...rest] = argv;
  if (command === undefined) return { ok: false, message: 'No command given.' };
  if (command === '--help' || command === '-h' || command === 'help') return { ok: true, command: { kind: 'help' } };
  if (command !== 'train') return { ok: false, message: `Unknown command "${command}" (the command is "train").` };

  const values: Partial<Record<ValueFlag, string>> = {};
  const switches = new Set<SwitchFlag>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '-h') return { ok: true, command: { kind: 'help' } };
    if (!arg.startsWith('--')) return { ok: false, message: `Unexpected argument "${arg}" (every value follows its flag, e.g. --csv PATH).` };
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
    const inline = equals === -1 ? undefined : arg.slice(equals + 1);
    if (isSwitchFlag(name)) {
      if (inline !== undefined) return { ok: false, message: `--${name} takes no value.` };
      if (name === 'help') return { ok: true, command: { kind: 'help' } };
      if (switches.has(name)) return { ok: false, message: `--${name} is given twice.` };
      switches.add(name);
      continue;
    }
    if (!isValueFlag(name)) return { ok: false, message: `Unknown flag "--${name}".` };
    if (values[name] !== undefined) return { ok: false, message: `--${name} is given twice.` };
    let value = inline;
    if (value === undefined) {
      const next = rest[i + 1];
      if (next === undefined || next.startsWith('--')) return { ok: false, message: `--${name} needs a value.` };
      value = next;
      i++;
    }
    if (value.trim() === '') return { ok: false, message: `--${name} needs a value.` };
    values[name] = value;
  }

  const { csv, target, time } = values;
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
    },
  };
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
