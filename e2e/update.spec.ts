import { readFileSync } from 'node:fs';
import { expect, sharedData, test } from './fixtures';

// The sample with its last month withheld, then added back (with the 3 days
// before it again: overlaps, which replace the same rows).
const lines = readFileSync(new URL('../public/samples/promotions.csv', import.meta.url), 'utf8').trim().split('\n');
const [header, ...rows] = lines as [string, ...string[]];
const base = rows.filter((r) => r < '2024-12-01');
const newer = rows.filter((r) => r >= '2024-11-28');
const overlapping = newer.filter((r) => r < '2024-12-01').length;

test('an update with the last month withheld, then added, shows the error before and after fine-tuning, and a reload keeps it all', async ({ data, page }) => {
  test.setTimeout(420_000);
  await data.uploadContent('promotions-to-november.csv', [header, ...base].join('\n'));
  await data.expectRows(base.length);
  await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill('2');
  await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('wasm');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Test metrics' })).toBeVisible({ timeout: 300_000 });
  const prediction = page.getByRole('region', { name: 'Prediction' });
  await expect(prediction).toContainText('Predicted', { timeout: 120_000 });

  // A file without the target column is refused with a message naming it; nothing else changes.
  const noTarget = [header.replace(',conversion_rate', ''), ...newer.map((r) => r.split(',').filter((_, i) => i !== 11).join(','))].join('\n');
  await page.getByRole('button', { name: 'Update with new data' }).setInputFiles({ name: 'no-target.csv', mimeType: 'text/csv', buffer: Buffer.from(noTarget) });
  await expect(page.getByRole('alert').filter({ hasText: 'no column “conversion_rate”' })).toBeVisible({ timeout: 60_000 });

  await page.getByRole('button', { name: 'Update with new data' }).setInputFiles({ name: 'promotions-december.csv', mimeType: 'text/csv', buffer: Buffer.from([header, ...newer].join('\n')) });
  // Fine-tuning shows its progress (it takes ~15 s here).
  await expect(page.getByText(/Fine-tuning on promotions-december\.csv: epoch [1-3] of 3/)).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole('progressbar', { name: 'Update with new data' })).toHaveAttribute('value', /\d/);
  // Meanwhile nothing can swap the data or the model under it.
  for (const name of ['Upload CSV', 'Import model']) await expect(page.getByRole('button', { name })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  const table = page.getByRole('table', { name: 'Update' });
  await expect(table).toBeVisible({ timeout: 300_000 });
  await expect(page.getByText(`${newer.length - overlapping} new rows appended, ${overlapping} overlapping rows replaced`)).toBeVisible();
  await expect(page.getByText(/^Error on the newest 9 days \(Dec 22, 2024 – Dec 30, 2024, 135 targets/)).toBeVisible();
  for (const name of ['Before fine-tuning', 'After fine-tuning']) {
    const cells = await table.getByRole('row', { name: new RegExp(`^${name}`) }).getByRole('cell').allTextContents();
    expect(cells).toHaveLength(2);
    expect(cells[1]).toMatch(/^\d+(\.\d+)?%$/);
  }
  await expect(page.getByText('Error over time (WAPE per week)')).toBeVisible();
  // What-if now plans from the end of the new rows: its default start is the day after them.
  await expect(page.getByLabel('Plan starts')).toHaveValue('2024-12-31', { timeout: 60_000 });
  const merged = base.length + newer.length - overlapping;
  await data.expectRows(merged);
  const scores = async () => (await table.getByRole('row').allTextContents()).join('|');
  const shown = await scores();
  const predicted = await prediction.textContent();

  // A reload brings back the merged data (the stored update file is appended again), the Update table and the plan.
  await page.reload();
  await data.expectRows(merged, 120_000);
  await expect(table).toBeVisible({ timeout: 120_000 });
  expect(await scores()).toBe(shown);
  await expect(page.getByLabel('Plan starts')).toHaveValue('2024-12-31', { timeout: 120_000 });
  await expect.poll(() => prediction.textContent(), { timeout: 120_000 }).toBe(predicted);
});

test('weekly data (Meridian geo simulation): the update holds out the newest weeks and says so in weeks', async ({ data, page }) => {
  test.skip(!sharedData, '../shared/data is not beside the repo');
  test.setTimeout(420_000);
  const [head, ...body] = readFileSync(`${sharedData}meridian_geo_sim/geo_all_channels.csv`, 'utf8').trim().split('\n') as [string, ...string[]];
  const at = head.split(',').indexOf('time');
  const time = (line: string) => line.split(',')[at]!;
  const weeks = [...new Set(body.map(time))].sort();
  // The last 8 weeks come later, with the 2 weeks before them again.
  const older = body.filter((l) => time(l) < weeks.at(-8)!);
  const later = body.filter((l) => time(l) >= weeks.at(-10)!);
  await data.uploadContent('geo-older.csv', [head, ...older].join('\n'));
  await data.expectRows(older.length, 60_000);
  await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill('2');
  await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('wasm');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Test metrics' })).toBeVisible({ timeout: 300_000 });
  // A file with nothing newer is refused with a message saying where the data ends; the rows stay as they were.
  await page.getByRole('button', { name: 'Update with new data' }).setInputFiles({ name: 'geo-again.csv', mimeType: 'text/csv', buffer: Buffer.from([head, ...older.slice(-80)].join('\n')) });
  await expect(page.getByRole('alert').filter({ hasText: `geo-again.csv has no days after the data the model has (it ends ${weeks.at(-9)!})` })).toBeVisible({ timeout: 60_000 });
  await data.expectRows(older.length);
  await page.getByRole('button', { name: 'Update with new data' }).setInputFiles({ name: 'geo-later.csv', mimeType: 'text/csv', buffer: Buffer.from([head, ...later].join('\n')) });
  await expect(page.getByRole('table', { name: 'Update' })).toBeVisible({ timeout: 300_000 });
  // 40 geos × the 3 newest weeks (the last 30 % of the new days, at least 7), dated by the first held-out Monday.
  await expect(page.getByText(/^Error on the newest 3 weeks \(Jan 1, 2024 – Jan 15, 2024, 120 targets/)).toBeVisible();
  await data.expectRows(body.length);
});
