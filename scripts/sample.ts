/**
 * Writes the sample dataset and its ground truth:
 *   public/samples/promotions.csv         (the data, see scripts/sampleGenerator.ts for columns and units)
 *   public/samples/promotions.truth.json  (SampleTruth, pretty JSON)
 *
 * Usage: npx tsx scripts/sample.ts [seed]   (default seed 20240618 reproduces the committed files)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SEED, generateSample, truthToJson } from './sampleGenerator';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'public', 'samples');
const arg = process.argv[2];
const seed = arg === undefined ? DEFAULT_SEED : Number(arg);
if (!Number.isInteger(seed)) {
  console.error(`seed must be an integer, got ${arg}`);
  process.exit(1);
}

const { csv, truth } = generateSample(seed);
const json = truthToJson(truth);
mkdirSync(outDir, { recursive: true });
const csvPath = join(outDir, 'promotions.csv');
const truthPath = join(outDir, 'promotions.truth.json');
writeFileSync(csvPath, csv);
writeFileSync(truthPath, json);
const rows = csv.split('\n').length - 2; // header and trailing newline
console.log(`seed ${seed}`);
console.log(`${csvPath}: ${rows} rows, ${Buffer.byteLength(csv)} bytes`);
console.log(`${truthPath}: ${Buffer.byteLength(json)} bytes`);
