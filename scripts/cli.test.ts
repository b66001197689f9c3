import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkColumns, parseCliArgs, type TrainCommand } from './cli/args';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

const base = ['train', '--csv', 'data.csv', '--target', 'y'];
const minimal: TrainCommand = { kind: 'train', csv: 'data.csv', target: 'y', series: [], levers: [], json: false, backend: 'wasm' };

describe('parseCliArgs', () => {
  it.each<[label: string, argv: string[], command: unknown]>([
    ['the required flags only', base, minimal],
    [
      'every flag',
      [...base, '--time', 'date', '--series', 'store,region', '--levers', 'price', '--epochs', '3', '--seed', '7', '--json', '--backend', 'cpu'],
      { ...minimal, time: 'date', series: ['store', 'region'], levers: ['price'], epochs: 3, seed: 7, json: true, backend: 'cpu' },
    ],
    ['flag=value', ['train', '--csv=data.csv', '--target=y', '--epochs=2'], { ...minimal, epochs: 2 }],
    ['flags in any order', ['train', '--json', '--target', 'y', '--csv', 'data.csv'], { ...minimal, json: true }],
    ['lists are trimmed and deduplicated', [...base, '--series', ' a , b,a'], { ...minimal, series: ['a', 'b'] }],
    ['a path with spaces and an = sign', ['train', '--csv', 'my data=1.csv', '--target', 'y'], { ...minimal, csv: 'my data=1.csv' }],
    ['seed 0', [...base, '--seed', '0'], { ...minimal, seed: 0 }],
    ['backend auto', [...base, '--backend', 'auto'], { ...minimal, backend: 'auto' }],
    ['--help', ['--help'], { kind: 'help' }],
    ['help', ['help'], { kind: 'help' }],
    ['train --help wins over missing flags', ['train', '--help'], { kind: 'help' }],
  ])('%s', (_label, argv, command) => {
    expect(parseCliArgs(argv)).toEqual({ ok: true, command });
  });

  // Each of these makes the CLI print the message and the usage, and exit 2.
  it.each<[label: string, argv: string[], message: RegExp]>([
    ['no command', [], /No command/],
    ['an unknown command', ['fit', '--csv', 'a.csv'], /Unknown command "fit"/],
    ['an unknown flag', [...base, '--bogus'], /Unknown flag "--bogus"/],
    ['a single-dash flag', [...base, '-e', '3'], /Unexpected argument "-e"/],
    ['a stray value', [...base, 'extra'], /Unexpected argument "extra"/],
    ['missing --csv', ['train', '--target', 'y'], /Missing --csv/],
    ['missing --target', ['train', '--csv', 'data.csv'], /Missing --target/],
    ['a flag without its value at the end', [...base, '--epochs'], /--epochs needs a value/],
    ['a flag followed by another flag', ['train', '--csv', '--target', 'y'], /--csv needs a value/],
    ['an empty value', [...base, '--time='], /--time needs a value/],
    ['a value on a switch', [...base, '--json=yes'], /--json takes no value/],
    ['a flag given twice', [...base, '--epochs', '2', '--epochs', '3'], /--epochs is given twice/],
    ['non-numeric --epochs', [...base, '--epochs', 'ten'], /--epochs must be a whole number/],
    ['fractional --epochs', [...base, '--epochs', '1.5'], /--epochs must be a whole number/],
    ['zero --epochs', [...base, '--epochs', '0'], /--epochs must be a whole number from 1/],
    ['negative --seed', [...base, '--seed', '-1'], /--seed must be a whole number/],
    ['non-numeric --seed', [...base, '--seed', 'abc'], /--seed must be a whole number/],
    ['an unknown backend', [...base, '--backend', 'webgpu'], /--backend must be one of wasm, cpu, auto/],
    ['an empty column in a list', [...base, '--levers', 'a,,b'], /--levers has an empty column name/],
    ['the target also a lever', [...base, '--levers', 'y'], /Column "y" is given two roles \(--target and --levers\)/],
    ['the time column also a series key', [...base, '--time', 'd', '--series', 'd'], /Column "d" is given two roles \(--time and --series\)/],
  ])('%s → a message', (_label, argv, message) => {
    const parsed = parseCliArgs(argv);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });
});

describe('checkColumns', () => {
  const columns = ['date', 'Store', 'price', 'y'];
  it.each<[label: string, command: TrainCommand, message: RegExp | null]>([
    ['all columns present', { ...minimal, time: 'date', series: ['Store'], levers: ['price'] }, null],
    ['a missing target', { ...minimal, target: 'sales' }, /^--target: data\.csv has no column "sales"\. Its columns: date, Store, price, y\.$/],
    ['a missing time column', { ...minimal, time: 'day' }, /^--time: data\.csv has no column "day"/],
    ['a missing lever', { ...minimal, levers: ['price', 'discount'] }, /^--levers: data\.csv has no column "discount"/],
    ['a series key in the wrong case gets a hint', { ...minimal, series: ['store'] }, /^--series: .*no column "store"\. Did you mean "Store"\?/],
  ])('%s', (_label, command, message) => {
    const problem = checkColumns(command, 'data.csv', columns);
    if (message === null) expect(problem).toBeNull();
    else expect(problem).toMatch(message);
  });
});

// ---------------------------------------------------------------------------
// The CLI as a child process

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runCli(args: readonly string[]): Promise<Run> {
  return new Promise((done, failed) => {
    const child = spawn('npx', ['tsx', 'scripts/cli.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', failed);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** 3 stores × 120 days; y follows the discount with a little seeded noise. */
function smallCsv(): string {
  let state = 12345;
  const noise = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  };
  const lines = ['date,store,discount,y'];
  for (let day = 0; day < 120; day++) {
    const date = new Date(Date.UTC(2024, 0, 1 + day)).toISOString().slice(0, 10);
    for (const [k, store] of ['north', 'south', 'east'].entries()) {
      const discount = (day + 3 * k) % 7 === 0 ? 20 : 0;
      lines.push(`${date},${store},${discount},${(100 + 20 * k + 2 * discount + 10 * noise()).toFixed(2)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('the CLI process', () => {
  let dir = '';
  let csv = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'promocast-cli-'));
    csv = join(dir, 'small.csv');
    writeFileSync(csv, smallCsv());
    writeFileSync(join(dir, 'empty.csv'), '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains on cpu and prints one JSON line with every model’s scores', async () => {
    const run = await runCli(['train', '--csv', csv, '--target', 'y', '--epochs', '1', '--json', '--backend', 'cpu']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    expect(Object.keys(summary)).toEqual(['testRows', 'backend', 'samplesPerSec', 'models', 'coverage90']);
    expect(summary.testRows).toBeGreaterThan(0);
    expect(summary.backend).toBe('cpu');
    expect(summary.samplesPerSec).toBeGreaterThan(0);
    expect(summary.coverage90).toBeGreaterThanOrEqual(0);
    expect(summary.coverage90).toBeLessThanOrEqual(1);
    const models = summary.models as Record<string, Record<string, unknown>>;
    expect(Object.keys(models)).toEqual(['lstm', 'naive', 'seasonal_naive', 'linear']);
    for (const scores of Object.values(models)) {
      expect(Object.keys(scores)).toEqual(['mae', 'rmse', 'wape', 'smape', 'r2']);
      expect(scores.mae).toBeGreaterThan(0);
    }
    expect(run.stderr).toMatch(/epoch 1:/);
  }, 120_000);

  it('answers a bad flag with the usage on stderr and exit code 2', async () => {
    const run = await runCli(['train', '--csv', csv, '--target', 'y', '--bogus']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Unknown flag "--bogus"/);
    expect(run.stderr).toMatch(/usage/i);
    expect(run.stdout).toBe('');
  }, 60_000);

  it('answers a column that is not in the file with exit code 2', async () => {
    const run = await runCli(['train', '--csv', csv, '--target', 'sales', '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/small\.csv has no column "sales"/);
    expect(run.stderr).toMatch(/usage/i);
    expect(run.stdout).toBe('');
  }, 60_000);

  it('answers a file it cannot read with the app’s message and exit code 1', async () => {
    const run = await runCli(['train', '--csv', join(dir, 'empty.csv'), '--target', 'y', '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/empty\.csv is empty\. Choose a CSV file with a header row/);
    expect(run.stdout).toBe('');
  }, 60_000);
});
