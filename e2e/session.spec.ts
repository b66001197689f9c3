import { expect, test } from './fixtures';

test('a reload brings back the data, roles, model, metrics and what-if; Start over clears it', async ({ data, page }) => {
  test.setTimeout(420_000);
  await data.trySample();
  await data.expectRows(10_950);
  await data.role('is_holiday').selectOption('ignore');
  await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill('2');
  await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('wasm');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const metrics = page.getByRole('table', { name: 'Test metrics' });
  await expect(metrics).toBeVisible({ timeout: 300_000 });
  const lstmRow = metrics.getByRole('row', { name: /^LSTM/ });
  const cells = async () => (await lstmRow.getByRole('cell').allTextContents()).join('|');
  const before = await cells();
  const prediction = page.getByRole('region', { name: 'Prediction' });
  await expect(prediction).toContainText('Predicted', { timeout: 120_000 });
  const predicted = await prediction.textContent();

  await page.reload();
  await data.expectRows(10_950);
  await expect(data.role('is_holiday')).toHaveValue('ignore');
  await expect.poll(cells, { timeout: 120_000 }).toBe(before);
  await expect.poll(() => prediction.textContent(), { timeout: 120_000 }).toBe(predicted);

  await page.getByRole('button', { name: 'Start over' }).click();
  await page.getByRole('button', { name: 'Clear everything' }).click();
  await expect(page.getByRole('button', { name: 'Try sample data' })).toBeVisible();
  await page.waitForLoadState('load');
  await expect(page.getByText(/^[\d,]+ rows$/)).toHaveCount(0);
  await expect(metrics).toHaveCount(0);
});

test('a reload during training resumes from the last checkpoint', async ({ data, page }) => {
  test.setTimeout(420_000);
  await data.trySample();
  await data.expectRows(10_950);
  await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill('3');
  // A fixed backend keeps the timing predictable on a loaded CI machine (Auto is covered in train.spec).
  await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('wasm');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByText(/Epoch 2 of 3 · batch/)).toBeVisible({ timeout: 240_000 });
  await page.reload();
  await data.expectRows(10_950);
  // Resumes at epoch 2, not from scratch.
  await expect(page.getByText(/Epoch [23] of 3 · batch/)).toBeVisible({ timeout: 120_000 });
  await expect(page.getByText(/^Done: 3 epochs/)).toBeVisible({ timeout: 300_000 });
  await expect(page.getByRole('table', { name: 'Test metrics' })).toBeVisible();
});
