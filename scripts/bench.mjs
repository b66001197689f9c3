#!/usr/bin/env node
// `npm run bench`: Promocast's benchmarks. Prints a table; `-- --json PATH`
// also writes the figures to PATH (merged into the JSON already there).
//
//   npm run bench                      # 1,000,000 rows
//   npm run bench -- --rows 100000     # a quick run
//   npm run bench -- --json bench-results/latest.json
//
// Part 1, ingest: a generated promotion CSV through the real app (Upload CSV
// until "N rows" shows), against bare papaparse in a worker of the same page.
// Benchmarks print figures; a missed target does not fail the run. The exit
// code is non-zero only when the benchmark itself crashes.
import { join } from 'node:path';
import { benchCsv } from './bench/generate.mjs';
import { ROOT, cleanup, ensureBuild, launchBrowser, mergeJson, printTable, startPreview } from './bench/harness.mjs';
import { INGEST_BROWSER_ARGS, benchIngest } from './bench/ingest.mjs';

const PORT = 4174;
const TARGET_RATIO = 0.8;
const TARGET_TASK_MS = 50;

function parseArgs(argv) {
  const options = { rows: 1_000_000, json: null, runs: 3, heap: 'auto' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--rows':
      case '--runs': {
        const raw = value();
        const n = Number(raw.replace(/[_,]/g, ''));
        if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} takes a positive whole number, not ${raw}`);
        options[flag.slice(2)] = n;
        break;
      }
      case '--json':
        options.json = value();
        break;
      case '--heap': {
        const v = value();
        if (v !== 'auto' && v !== 'cdp') throw new Error('--heap takes auto or cdp');
        options.heap = v;
        break;
      }
      case '--help':
      case '-h':
        console.log('usage: npm run bench -- [--rows N] [--runs N] [--json PATH] [--heap auto|cdp]');
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${argv[i]} (try --help)`);
    }
  }
  return options;
}

const log = (line) => console.log(`· ${line}`);

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const startedAt = Date.now();

  const csv = benchCsv(join(ROOT, '.cache/bench'), options.rows);
  log(`data: ${csv.path.slice(ROOT.length)} — ${options.rows.toLocaleString('en-US')} rows × 10 columns, ${(csv.bytes / 1e6).toFixed(1)} MB${csv.generated ? ' (generated now)' : ' (cached)'}`);

  ensureBuild(log);
  const preview = await startPreview(PORT);
  log(`preview: ${preview.url}`);
  const browser = await launchBrowser(INGEST_BROWSER_ARGS);
  log(`browser: Chromium ${browser.version()}`);

  const ingest = await benchIngest({
    browser,
    url: preview.url,
    file: csv.path,
    bytes: csv.bytes,
    rows: options.rows,
    runs: options.runs,
    heapMethod: options.heap,
    log,
  });

  const n = options.runs;
  printTable(`Ingest — ${options.rows.toLocaleString('en-US')} rows, ${ingest.fileMB} MB (MB = 10^6 bytes; medians of ${n} runs)`, [
    { metric: 'end to end (Upload CSV → row count shown), s', value: ingest.endToEndS },
    { metric: 'end to end, MB/s', value: ingest.endToEndMBps },
    { metric: 'worker parse (the app\'s "read in"), s', value: ingest.workerParseS },
    { metric: 'worker parse, MB/s', value: ingest.workerParseMBps },
    { metric: 'bare papaparse in a worker, MB/s', value: ingest.barePapaparseMBps },
    { metric: 'end to end / bare papaparse', value: ingest.ratioToBare, target: `≥ ${TARGET_RATIO}`, ok: ingest.ratioToBare >= TARGET_RATIO },
    { metric: 'worker parse / bare papaparse', value: ingest.workerRatioToBare },
    {
      metric: 'longest main-thread task during ingest, ms',
      value: ingest.longestMainThreadTaskMs,
      target: `≤ ${TARGET_TASK_MS}`,
      ok: ingest.longestMainThreadTaskMs <= TARGET_TASK_MS,
    },
    { metric: 'peak JS heap during ingest (page + workers), MB', value: ingest.peakHeapMB },
    { metric: 'peak JS heap used incl. garbage (CDP), MB', value: ingest.peakHeapUsedMB },
  ]);
  console.log(`heap method: ${ingest.heapMethod}`);

  if (options.json) {
    mergeJson(options.json, 'ingest', ingest);
    console.log(`wrote ${options.json}`);
  }
  console.log(`bench took ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping the preview server and the browser`);
    void cleanup().finally(() => process.exit(130));
  });
}

try {
  await main();
  await cleanup();
  process.exit(0);
} catch (error) {
  if (stopping) await new Promise(() => {}); // interrupted: the signal handler cleans up and exits
  console.error(`\nbench crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await cleanup();
  process.exit(1);
}
