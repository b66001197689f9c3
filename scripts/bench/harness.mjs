// Shared plumbing for `npm run bench`: build, preview server, browser,
// statistics, the results table and the JSON file.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium } from '@playwright/test';

export const ROOT = new URL('../..', import.meta.url).pathname;

/** The newest modification time (ms) of a file or of any file below a folder. */
function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Builds the app into dist/ when dist/ is missing or older than its sources. */
export function ensureBuild(log) {
  const builtAt = newestMtime(join(ROOT, 'dist/index.html'));
  const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', 'package-lock.json'];
  const sourcesAt = Math.max(...sources.map((p) => newestMtime(join(ROOT, p))));
  if (builtAt > 0 && builtAt >= sourcesAt) {
    log('build: dist/ is up to date');
    return;
  }
  log(builtAt === 0 ? 'build: dist/ missing, building…' : 'build: dist/ older than sources, building…');
  const started = Date.now();
  const result = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status ?? result.signal})`);
  log(`build: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** Things to stop on exit, newest first. */
const cleanups = [];
export function onCleanup(fn) {
  cleanups.unshift(fn);
}
export async function cleanup() {
  while (cleanups.length > 0) {
    const fn = cleanups.shift();
    try {
      await fn();
    } catch {
      // best effort: keep stopping the rest
    }
  }
}

/** Starts `vite preview` on `port` in its own process group and waits until it answers. */
export async function startPreview(port) {
  const child = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = null;
  child.on('exit', (code, signal) => (exited = code ?? signal));
  const stop = () => {
    if (exited !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM'); // the whole group: npx and vite under it
    } catch {
      child.kill('SIGTERM');
    }
  };
  onCleanup(stop);
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`vite preview exited (${exited}):\n${output.trim()}`);
    try {
      const response = await fetch(url);
      // `exit`: null while it runs, else its exit code or signal; `output`: what it printed.
      if (response.ok) return { url, stop, exit: () => exited, output: () => output.trim() };
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`vite preview did not answer on ${url} within 60 s:\n${output.trim()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Headless Chromium with the project's flags; closed by {@link cleanup}. */
export async function launchBrowser(extraArgs = []) {
  const browser = await chromium.launch({
    executablePath: process.env.PROMOCAST_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...extraArgs,
    ],
  });
  onCleanup(() => browser.close());
  return browser;
}

export function median(values) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function round(value, digits = 2) {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Prints rows of { metric, value, target, ok } as an aligned table. */
export function printTable(title, rows) {
  const cells = rows.map((r) => [r.metric, String(r.value ?? '—'), r.target ?? '', r.ok === undefined ? '' : r.ok ? 'yes' : 'NO']);
  const header = ['metric', 'value', 'target', 'ok?'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((x, i) => (i === 1 ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join('  ').trimEnd();
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

/** Writes `{ ...existing, [key]: value }` to `path`, keeping what other benchmark parts wrote. */
export function mergeJson(path, key, value) {
  let existing = {};
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    if (text.trim() !== '') {
      try {
        existing = JSON.parse(text);
      } catch (error) {
        throw new Error(`${path} exists but is not JSON (${error.message}); not overwriting it`, { cause: error });
      }
    }
    if (existing === null || typeof existing !== 'object' || Array.isArray(existing)) {
      throw new Error(`${path} does not hold a JSON object; not overwriting it`);
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ ...existing, [key]: value }, null, 2)}\n`);
}

/**
 * A Vite dev server for the repo (its vite.config.ts: COOP/COEP headers, the
 * WASM plugin) serving the bench pages under scripts/bench/, on `port`.
 * Its dependency cache is kept apart from the app's (.cache/bench/vite), and
 * tf.js is pre-bundled up front so that no re-optimisation reloads the page
 * mid-run. Closed by {@link cleanup}.
 */
export async function startDevServer(port, entries) {
  const { createServer } = await import('vite');
  const server = await createServer({
    configFile: join(ROOT, 'vite.config.ts'),
    root: ROOT,
    cacheDir: join(ROOT, '.cache/bench/vite'),
    logLevel: 'warn',
    clearScreen: false,
    server: { port, strictPort: true, host: '127.0.0.1', open: false, hmr: false, watch: null },
    optimizeDeps: {
      entries,
      include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'papaparse'],
    },
  });
  onCleanup(() => server.close());
  await server.listen();
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

/** The p-th percentile (0–100) of `values`, linear between the nearest ranks. */
export function percentile(values, p) {
  const sorted = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const at = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** The 1-, 5- and 15-minute load averages, as text. */
export function loadAverage() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}
