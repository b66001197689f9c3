import { expect, sharedData, test } from './fixtures';

test('train on the sample: live loss chart, a named backend, and test metrics for the LSTM and baselines', async ({ data, page }) => {
  test.setTimeout(300_000);
  await data.trySample();
  await data.expectRows(10_950);
  await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill('2');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByRole('progressbar', { name: 'Training progress' })).toBeVisible();
  await expect(page.getByRole('status', { name: 'Backend' })).toHaveText(/^(webgpu|webgl|wasm|cpu)$/, { timeout: 120_000 });
  const metrics = page.getByRole('table', { name: 'Test metrics' });
  await expect(metrics).toBeVisible({ timeout: 240_000 });
  for (const header of ['MAE', 'RMSE', 'WAPE', 'sMAPE', 'R²']) await expect(metrics.getByRole('columnheader', { name: header, exact: true })).toBeVisible();
  const firstCells = metrics.getByRole('rowheader');
  await expect(firstCells).toHaveText(['LSTM', 'Naive', 'Seasonal naive', 'Linear']);
  const lstmWape = await metrics.getByRole('row', { name: /^LSTM/ }).getByRole('cell').nth(3).textContent();
  expect(lstmWape).toMatch(/^\d+(\.\d)?%$/);
  await expect(page.getByRole('figure', { name: 'Loss per epoch' }).locator('.recharts-line path').first()).toBeVisible();
  await expect(page.getByRole('table', { name: 'Backend self-test' })).toBeVisible();
  await expect(page.getByRole('figure', { name: /Predicted vs actual/ })).toBeVisible();
  await expect(page.getByRole('figure', { name: /Feature importance/ })).toBeVisible();
});

test('Stop ends training after the current batch and Resume continues', async ({ data, page }) => {
  test.setTimeout(300_000);
  await data.trySample();
  await data.expectRows(10_950);
  await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill('3');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByText(/Epoch 1 of 3 · batch \d+/)).toBeVisible({ timeout: 120_000 });
  await page.getByRole('button', { name: 'Stop' }).click();
  // The weights so far are evaluated at once (baselines and importance included: slow on a busy machine).
  await expect(page.getByText(/^Stopped after epoch/)).toBeVisible({ timeout: 180_000 });
  await expect(page.getByRole('table', { name: 'Test metrics' })).toBeVisible();
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByText(/^Done: 3 epochs/)).toBeVisible({ timeout: 240_000 });
  await expect(page.getByRole('figure', { name: 'Loss per epoch' })).toBeVisible();
});

test('a yes/no target (Hillstrom) shows ROC-AUC and a ROC curve', async ({ data, page }) => {
  test.skip(!sharedData, '../shared/data is not beside the repo');
  test.setTimeout(300_000);
  await data.upload(`${sharedData}hillstrom_email/hillstrom.csv`);
  await data.expectRows(64_000);
  await expect(page.getByText('No time column: each row is a sequence of length 1, so the LSTM acts as a gated dense model.')).toBeVisible();
  await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill('1');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const metrics = page.getByRole('table', { name: 'Test metrics' });
  await expect(metrics).toBeVisible({ timeout: 240_000 });
  await expect(metrics.getByRole('columnheader', { name: 'ROC-AUC' })).toBeVisible();
  const auc = Number(await metrics.getByRole('row', { name: /^LSTM/ }).getByRole('cell').first().textContent());
  expect(auc).toBeGreaterThan(0.5);
  await expect(page.getByRole('figure', { name: 'ROC curve (test)' })).toBeVisible();
});
