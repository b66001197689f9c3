import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkColumns, parseCliArgs, type PredictCommand, type TrainCommand } from './cli/args';
import { parseScenarios, type ScenarioModel } from './cli/scenario';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

const base = ['train', '--csv', 'data.csv', '--target', 'y'];
const minimal: TrainCommand = { kind: 'train', csv: 'data.csv', target: 'y', series: [], levers: [], json: false, backend: 'wasm' };
const predictMinimal: PredictCommand = { kind: 'predict', model: 'm.promocast.zip', scenario: 's.csv', json: false, backend: 'wasm' };
const predictBase = ['predict', '--model', 'm.promocast.zip', '--scenario', 's.csv'];

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
    ['train --out', [...base, '--out', 'models/m.promocast.zip'], { ...minimal, out: 'models/m.promocast.zip' }],
    ['train --out=PATH with the other flags', [...base, '--epochs', '1', '--out=m.zip', '--json'], { ...minimal, epochs: 1, out: 'm.zip', json: true }],
    ['predict with the required flags', ['predict', '--model', 'm.promocast.zip', '--scenario', 's.csv'], predictMinimal],
    ['predict --json --backend cpu', ['predict', '--json', '--scenario=s.csv', '--model=m.promocast.zip', '--backend', 'cpu'], { ...predictMinimal, json: true, backend: 'cpu' }],
    ['predict --help wins over missing flags', ['predict', '--help'], { kind: 'help' }],
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
    ['--out without its value', [...base, '--out'], /--out needs a value/],
    ['--out given twice', [...base, '--out', 'a.zip', '--out', 'b.zip'], /--out is given twice/],
    ['a predict flag on train', [...base, '--model', 'm.zip'], /--model is a flag of predict, not of train/],
    ['predict without --model', ['predict', '--scenario', 's.csv'], /Missing --model BUNDLE/],
    ['predict without --scenario', ['predict', '--model', 'm.zip'], /Missing --scenario CSV/],
    ['predict with nothing', ['predict'], /Missing --model/],
    ['a train flag on predict', [...predictBase, '--csv', 'data.csv'], /--csv is a flag of train, not of predict/],
    ['--out on predict', [...predictBase, '--out', 'x'], /--out is a flag of train, not of predict/],
    ['predict --backend auto', [...predictBase, '--backend', 'auto'], /--backend must be one of wasm, cpu for predict/],
    ['predict --json given twice', [...predictBase, '--json', '--json'], /--json is given twice/],
    ['a stray value after predict', [...predictBase, 'extra'], /Unexpected argument "extra"/],
    ['an unknown command names both', ['forecast'], /Unknown command "forecast" \(the commands are "train" and "predict"\)/],
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

describe('parseScenarios', () => {
  const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
  const model: ScenarioModel = {
    seriesColumns: ['category', 'segment'],
    levers: [
      { name: 'promo_type', kind: 'category', values: ['none', 'gift', 'percent_off'], percent: false },
      { name: 'discount_pct', kind: 'numeric', values: [], percent: false },
      { name: 'share', kind: 'numeric', values: [], percent: true },
    ],
    series: [
      { label: 'electronics / bargain_hunters', keys: ['electronics', 'bargain_hunters'], firstDay: day('2024-01-01'), lastDay: day('2024-12-30'), ranges: { discount_pct: { kind: 'numeric', min: 0, max: 30 } } },
      { label: 'apparel / loyal_members', keys: ['apparel', 'loyal_members'], firstDay: day('2024-01-01'), lastDay: day('2024-12-30'), ranges: {} },
    ],
    periodDays: 1,
    windowLength: 14,
    horizonMax: 28,
    leverRanges: { discount_pct: { kind: 'numeric', min: 0, max: 40 }, share: { kind: 'numeric', min: 0, max: 0.5 } },
  };
  const start = day('2024-12-31');
  const plan = { series: [0], startDay: start, horizon: 7, promoStart: 0, promoDuration: 7, levers: {} };

  it.each<[label: string, csv: string, expected: { series: number; plan: object }[]]>([
    ['a label, whole-plan promotion by default', 'series,start,horizon,discount_pct\nelectronics / bargain_hunters,2024-12-31,7,20\n', [{ series: 0, plan: { ...plan, levers: { discount_pct: 20 } } }]],
    ['a loosely typed label and a category in another case', 'series,start,horizon,promo_type\n Apparel/Loyal_Members ,2024-12-31,3,GIFT\n', [{ series: 1, plan: { ...plan, series: [1], horizon: 3, promoDuration: 3, levers: { promo_type: 'gift' } } }]],
    ['key columns instead of the label', 'category,segment,start,horizon\napparel,loyal_members,2024-12-31,7\n', [{ series: 1, plan: { ...plan, series: [1] } }]],
    ['promo window as steps', 'series,start,horizon,promo_start,promo_duration\nelectronics / bargain_hunters,2024-12-31,10,2,3\n', [{ series: 0, plan: { ...plan, horizon: 10, promoStart: 2, promoDuration: 3 } }]],
    ['promo start as a date, duration to the end', 'series,start,horizon,promo_start\nelectronics / bargain_hunters,2024-12-31,10,2025-01-03\n', [{ series: 0, plan: { ...plan, horizon: 10, promoStart: 3, promoDuration: 7 } }]],
    ['no promotion, empty lever cells', 'series,start,horizon,promo_duration,discount_pct\nelectronics / bargain_hunters,2024-12-31,7,0,\n', [{ series: 0, plan: { ...plan, promoDuration: 0 } }]],
    ['percent text on a percent lever, yes/no', 'series,start,horizon,share,discount_pct\nelectronics / bargain_hunters,2024-12-31,7,20%,yes\n', [{ series: 0, plan: { ...plan, levers: { share: 0.2, discount_pct: 1 } } }]],
    ['two rows, a BOM and a blank line', '\uFEFFseries,start,horizon\nelectronics / bargain_hunters,2024-12-31,7\n\napparel / loyal_members,2025-01-02,7\n', [{ series: 0, plan }, { series: 1, plan: { ...plan, series: [1], startDay: start + 2 } }]],
  ])('%s', (_label, csv, expected) => {
    const parsed = parseScenarios(csv, 's.csv', model);
    expect(parsed.ok, parsed.ok ? '' : parsed.message).toBe(true);
    if (parsed.ok) expect(parsed.scenarios.map((s) => ({ series: s.seriesIndex, plan: s.plan }))).toEqual(expected);
  });

  // Each of these makes `predict` print the message and the scenario format, and exit 2.
  it.each<[label: string, csv: string, message: RegExp]>([
    ['an unknown series', 'series,start,horizon\ntoys / kids,2024-12-31,7\n', /^s\.csv: row 1, series: unknown series "toys \/ kids"\. The model's series: "electronics \/ bargain_hunters", "apparel \/ loyal_members"\.$/],
    ['unknown key values', 'category,segment,start,horizon\ntoys,kids,2024-12-31,7\n', /row 1: no series has category "toys", segment "kids"/],
    ['an unknown lever column, with a hint', 'series,start,horizon,Discount_Pct\nelectronics / bargain_hunters,2024-12-31,7,5\n', /unknown column "Discount_Pct".*Did you mean "discount_pct"\?/],
    ['an unknown lever column', 'series,start,horizon,coupon\nelectronics / bargain_hunters,2024-12-31,7,5\n', /unknown column "coupon".*levers: promo_type, discount_pct, share; series key columns: category, segment\./],
    ['a date that does not exist', 'series,start,horizon\nelectronics / bargain_hunters,2024-02-30,7\n', /row 1, start: "2024-02-30" is not a date in YYYY-MM-DD form/],
    ['a date in another format', 'series,start,horizon\nelectronics / bargain_hunters,31/12/2024,7\n', /row 1, start: "31\/12\/2024" is not a date/],
    ['a start before the kept history', 'series,start,horizon\nelectronics / bargain_hunters,2024-01-05,7\n', /too early.*2024-01-15 at the earliest/],
    ['a bad promo_start date', 'series,start,horizon,promo_start\nelectronics / bargain_hunters,2024-12-31,7,2025-13-01\n', /promo_start: "2025-13-01" is neither a step count/],
    ['a horizon of 0', 'series,start,horizon\nelectronics / bargain_hunters,2024-12-31,0\n', /horizon: must be a whole number of steps from 1 to 28, got "0"/],
    ['a horizon too long', 'series,start,horizon\nelectronics / bargain_hunters,2024-12-31,29\n', /horizon: must be a whole number/],
    ['a promotion past the plan', 'series,start,horizon,promo_start\nelectronics / bargain_hunters,2024-12-31,7,7\n', /promo_start: "7" lies outside the plan/],
    ['a promotion too long', 'series,start,horizon,promo_start,promo_duration\nelectronics / bargain_hunters,2024-12-31,7,2,6\n', /promo_duration: must be a whole number of steps from 0 to 5/],
    ['an unknown category', 'series,start,horizon,promo_type\nelectronics / bargain_hunters,2024-12-31,7,bogo\n', /promo_type: "bogo" is not a value the model knows\. Its values: "none", "gift", "percent_off"/],
    ['text in a numeric lever', 'series,start,horizon,discount_pct\nelectronics / bargain_hunters,2024-12-31,7,lots\n', /discount_pct: "lots" is not a number/],
    ['no series column', 'start,horizon\n2024-12-31,7\n', /missing column "series": the model has 2 series/],
    ['only some key columns', 'category,start,horizon\napparel,2024-12-31,7\n', /series key column segment is missing/],
    ['no start column', 'series,horizon\nelectronics / bargain_hunters,7\n', /missing column "start"/],
    ['a column twice', 'series,start,horizon,start\nelectronics / bargain_hunters,2024-12-31,7,2024-12-31\n', /column "start" appears twice/],
    ['no rows', 'series,start,horizon\n', /no scenarios/],
    ['an empty file', '', /no header row/],
  ])('%s → a message', (_label, csv, message) => {
    const parsed = parseScenarios(csv, 's.csv', model);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  it('warns about lever values outside the training range and plans beyond the trained horizon', () => {
    const parsed = parseScenarios('series,start,horizon,discount_pct\nelectronics / bargain_hunters,2025-02-01,7,35\n', 's.csv', model);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.warnings).toEqual([
      expect.stringMatching(/row 1, discount_pct: 35 is outside what electronics \/ bargain_hunters saw in training \(0 to 30\)/),
      expect.stringMatching(/the plan ends 39 steps after electronics \/ bargain_hunters's data \(2024-12-30\); the model was trained to forecast up to 28 steps ahead/),
    ]);
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

  it('trains with --out, then predicts scenarios from the bundle as one JSON line', async () => {
    const bundle = join(dir, 'm.promocast.zip');
    const trained = await runCli(['train', '--csv', csv, '--target', 'y', '--epochs', '1', '--backend', 'cpu', '--out', bundle, '--json']);
    expect(trained.code, trained.stderr).toBe(0);
    expect(JSON.parse(trained.stdout)).toMatchObject({ bundle });
    const scenarios = join(dir, 's.csv');
    writeFileSync(scenarios, ['series,start,horizon,promo_start,promo_duration,discount', 'north,2024-04-30,7,0,7,20', 'south,2024-04-30,5,,,', 'east,2024-05-02,3,1,1,10', ''].join('\n'));

    const run = await runCli(['predict', '--model', bundle, '--scenario', scenarios, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as { scenarios: Record<string, unknown>[] };
    expect(Object.keys(out)).toEqual(['scenarios']);
    expect(out.scenarios.map((s) => [s.series, s.start, s.horizon])).toEqual([
      ['north', '2024-04-30', 7],
      ['south', '2024-04-30', 5],
      ['east', '2024-05-02', 3],
    ]);
    for (const s of out.scenarios) {
      expect(Object.keys(s)).toEqual(['series', 'start', 'horizon', 'mean', 'lower', 'upper', 'daily']);
      const daily = s.daily as number[];
      expect(daily).toHaveLength(s.horizon as number);
      for (const v of [...daily, s.mean, s.lower, s.upper]) expect(Number.isFinite(v), JSON.stringify(s)).toBe(true);
      expect(s.mean as number).toBeCloseTo(daily.reduce((a, b) => a + b, 0) / daily.length, 9);
      expect(s.lower as number).toBeLessThan(s.mean as number);
      expect(s.upper as number).toBeGreaterThan(s.mean as number);
    }

    // A scenario the model cannot answer: exit 2 with the reason and the scenario format.
    writeFileSync(scenarios, 'series,start,horizon\nwest,2024-04-30,7\n');
    const unknown = await runCli(['predict', '--model', bundle, '--scenario', scenarios, '--json']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/s\.csv: row 1, series: unknown series "west"\. The model's series: "east", "north", "south"\./);
    expect(unknown.stderr).toMatch(/Scenario CSV/);
    expect(unknown.stdout).toBe('');
  }, 180_000);

  it('refuses a file that is not a bundle with the BundleError code and exit code 1', async () => {
    const bad = join(dir, 'random.promocast.zip');
    let state = 7;
    writeFileSync(bad, Uint8Array.from({ length: 4096 }, () => (state = (state * 1103515245 + 12345) % 2147483648) & 0xff));
    writeFileSync(join(dir, 'any.csv'), 'series,start,horizon\nnorth,2024-04-30,7\n');
    const run = await runCli(['predict', '--model', bad, '--scenario', join(dir, 'any.csv'), '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/random\.promocast\.zip: cannot use the model bundle: the file is not a zip archive.*\[notZip\] \{\}/);
    expect(run.stdout).toBe('');
  }, 60_000);

  it('answers a file it cannot read with the app’s message and exit code 1', async () => {
    const run = await runCli(['train', '--csv', join(dir, 'empty.csv'), '--target', 'y', '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/empty\.csv is empty\. Choose a CSV file with a header row/);
    expect(run.stdout).toBe('');
  }, 60_000);
});
