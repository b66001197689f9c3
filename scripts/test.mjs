#!/usr/bin/env node
// `npm test`: type-check, lint, unit tests (Vitest) and e2e (Playwright in
// Chromium). Prints, last, `tests: N passed, M failed` over unit + e2e; a
// failed type-check or lint counts as one failure each.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromiumPath } from './chromium.mjs';

const only = process.argv[2]; // 'unit' | 'e2e' | undefined (all)
mkdirSync('.cache', { recursive: true });
let passed = 0;
let failed = 0;

function run(label, command, args, env = {}) {
  console.log(`\n▶ ${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status === 0;
}

if (!only) {
  for (const project of ['tsconfig.json', 'src/workers/tsconfig.json', 'scripts/tsconfig.json']) {
    if (!run(`typecheck ${project}`, 'npx', ['tsc', '--noEmit', '-p', project])) failed++;
  }
  if (!run('lint', 'npx', ['eslint', '-c', 'scripts/eslint.config.js', '--max-warnings', '0', '.'])) failed++;
}

if (!only || only === 'unit') {
  const out = resolve('.cache/vitest.json');
  rmSync(out, { force: true });
  run('unit', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile=${out}`]);
  if (existsSync(out)) {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests + (report.numFailedTestSuites ?? 0);
  } else failed++;
}

if (!only || only === 'e2e') {
  const browser = chromiumPath();
  if (!browser) {
    console.error(
      '\n✖ e2e: no Chromium found. Install one:\n' +
        '    Debian/Ubuntu:  sudo apt-get install -y chromium   (gives /usr/bin/chromium)\n' +
        '    elsewhere:      npx playwright install chromium\n' +
        '  or point PROMOCAST_CHROMIUM at a Chromium/Chrome binary.',
    );
    failed++;
  } else if (!run('build', 'npx', ['vite', 'build', '--logLevel', 'warn'])) {
    failed++;
  } else {
    // Absolute: Playwright resolves a relative report path against the config's folder.
    const out = resolve('.cache/playwright.json');
    rmSync(out, { force: true });
    run('e2e', 'npx', ['playwright', 'test', '-c', 'e2e/playwright.config.ts', '--reporter=list,json'], {
      PLAYWRIGHT_JSON_OUTPUT_NAME: out,
      PROMOCAST_CHROMIUM: browser,
    });
    if (existsSync(out)) {
      const { stats } = JSON.parse(readFileSync(out, 'utf8'));
      passed += stats.expected + (stats.flaky ?? 0);
      failed += stats.unexpected;
      if (stats.expected + stats.unexpected + (stats.flaky ?? 0) === 0) failed++;
    } else failed++;
  }
}

const line = `tests: ${passed} passed, ${failed} failed`;
writeFileSync('.cache/test-summary.txt', `${line}\n`);
console.log(`\n${line}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
