import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';

test('download the model, start over, import it: the same what-if answer without the data', async ({ data, page }) => {
  test.setTimeout(420_000);
  await data.trySample();
  await data.expectRows(10_950);
  await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill('1');
  await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('wasm');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const prediction = page.getByRole('region', { name: 'Prediction' });
  await expect(prediction).toContainText('Predicted', { timeout: 300_000 });
  const value = async () => Number(await prediction.locator('[data-value]').getAttribute('data-value'));
  const before = await value();

  // Exports: test predictions as CSV, and a chart as SVG and PNG.
  const csvDownload = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download test predictions (CSV)' }).click();
  const csv = readFileSync(await (await csvDownload).path(), 'utf8');
  const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
  expect(lines[0]).toBe('series,date,actual_conversion_rate,predicted,lower_90,upper_90');
  expect(lines).toHaveLength(2190 + 1);
  expect(lines[1]).toMatch(/^apparel \/ bargain_hunters,2024-\d\d-\d\d,0\.\d+,0\.\d+,0\.\d+,0\.\d+$/);
  for (const format of ['SVG', 'PNG']) {
    const chart = page.waitForEvent('download');
    await page.getByRole('button', { name: `Download “Loss per epoch” as ${format}` }).click();
    const saved = readFileSync(await (await chart).path());
    if (format === 'SVG') expect(saved.toString('utf8')).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    else expect(saved.subarray(1, 4).toString('latin1')).toBe('PNG');
  }

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download model' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^conversion_rate-\d{4}-\d{2}-\d{2}\.promocast\.zip$/);
  const path = await file.path();

  await page.getByRole('button', { name: 'Start over' }).click();
  await page.getByRole('button', { name: 'Clear everything' }).click();
  await expect(page.getByRole('button', { name: 'Download model' })).toBeDisabled();
  await expect(prediction).toHaveCount(0);

  await page.getByLabel('Import model').setInputFiles(path);
  await expect(page.getByText(/^Model “conversion_rate-.*” is loaded/)).toBeVisible({ timeout: 60_000 });
  await expect(prediction).toContainText('Predicted', { timeout: 60_000 });
  const after = await value();
  expect(Math.abs(after - before) / Math.abs(before)).toBeLessThan(1e-5);
  await expect(page.getByRole('table', { name: 'Test metrics' })).toBeVisible();

  // With data loaded, importing (this time by dropping the bundle on the page) says which columns and categories differ.
  const [header, ...rows] = readFileSync(new URL('../public/samples/promotions.csv', import.meta.url), 'utf8').trim().split('\n') as [string, ...string[]];
  const drop = header.split(',').indexOf('ad_spend');
  const changed = [header, ...rows].map((line) => line.split(',').filter((_, i) => i !== drop).join(',').replace(',gift,', ',voucher,'));
  await data.uploadContent('promotions-changed.csv', changed.join('\n'));
  await data.expectRows(10_950);
  await data.drop('model.promocast.zip', readFileSync(path));
  await expect(page.getByText('Column "ad_spend" (a lever of the model) is missing from the data.')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText('Column "promo_type" has values the model never saw in training: "voucher".')).toBeVisible();

  // A session opened from a bundle alone can be cleared too.
  await page.getByRole('button', { name: 'Start over' }).click();
  await page.getByRole('button', { name: 'Clear everything' }).click();
  await expect(prediction).toHaveCount(0, { timeout: 60_000 });
  await page.waitForLoadState('load');
  await page.reload();
  await expect(page.getByRole('button', { name: 'Try sample data' })).toBeVisible();
  await expect(prediction).toHaveCount(0);
});

const bad: { name: string; bytes: Buffer; message: RegExp }[] = [
  { name: 'notes.promocast.zip', bytes: Buffer.from('not a zip at all'), message: /not a Promocast model bundle/ },
  { name: 'sample.promocast.zip', bytes: readFileSync(new URL('../public/samples/promotions.csv', import.meta.url)).subarray(0, 200), message: /not a Promocast model bundle/ },
];

for (const b of bad) {
  test(`a bad bundle (${b.name}) is refused with a message and nothing is lost`, async ({ data, page }) => {
    await data.trySample();
    await data.expectRows(10_950);
    await page.getByLabel('Import model').setInputFiles({ name: b.name, mimeType: 'application/zip', buffer: b.bytes });
    await expect(page.getByRole('alert')).toContainText(b.message);
    await data.expectRows(10_950);
  });
}
