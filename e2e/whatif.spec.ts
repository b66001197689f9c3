import { readFileSync } from 'node:fs';
import { expect, sharedData, test } from './fixtures';

test('what-if and optimize on the trained sample', async ({ data, page }) => {
  test.setTimeout(420_000);
  await data.trySample();
  await data.expectRows(10_950);
  await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill('2');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const prediction = page.getByRole('region', { name: 'Prediction' });
  await expect(prediction).toContainText(/Predicted conversion_rate: [\d.]+%/, { timeout: 300_000 });

  // A slider per numeric lever, named by its column; moving discount_pct by keyboard changes the Prediction.
  for (const lever of ['discount_pct', 'ad_spend', 'threshold', 'threshold_amount']) await expect(page.getByRole('slider', { name: lever, exact: true })).toBeVisible();
  await expect(page.getByRole('radiogroup', { name: 'promo_type' })).toBeVisible();
  const before = (await prediction.textContent()) ?? '';
  const curve = page.getByRole('figure', { name: 'discount_pct', exact: true });
  await expect(curve.locator('.curve-current')).toHaveCount(1);
  const markerBefore = await curve.locator('.curve-current').getAttribute('x1');
  // The other levers' curves hold discount_pct at its value: they move with it.
  const adSpendLine = page.getByRole('figure', { name: 'ad_spend', exact: true }).locator('.curve-mean');
  const adSpendBefore = await adSpendLine.getAttribute('d');
  const slider = page.getByRole('slider', { name: 'discount_pct', exact: true });
  await slider.focus();
  for (let i = 0; i < 15; i++) await page.keyboard.press('ArrowRight');
  await expect(prediction).not.toHaveText(before);
  await expect.poll(async () => curve.locator('.curve-current').getAttribute('x1')).not.toBe(markerBefore);
  await expect.poll(async () => adSpendLine.getAttribute('d')).not.toBe(adSpendBefore);
  await expect(page.locator('.whatif-charts')).toHaveAttribute('aria-busy', 'false');
  await expect(page.getByText(/^Updated in [\d,]+ ms; curves in [\d,]+ ms \([\d,]+ model windows\)\.$/)).toBeVisible();

  // Save two scenarios and compare them.
  await page.getByRole('textbox', { name: 'Scenario name' }).fill('deep discount');
  await page.getByRole('button', { name: 'Save scenario' }).click();
  await page.getByRole('radio', { name: 'gift' }).click();
  await page.getByRole('textbox', { name: 'Scenario name' }).fill('gift');
  await page.getByRole('button', { name: 'Save scenario' }).click();
  const saved = page.getByRole('table', { name: 'Saved scenarios' });
  await expect(saved.getByRole('rowheader')).toHaveText(['deep discount', 'gift']);
  await expect(page.getByRole('figure', { name: /Saved scenarios: forecast/ })).toBeVisible();

  // Optimize: one row per segment, within the budget.
  await page.getByRole('spinbutton', { name: 'Total ad budget' }).fill('50000');
  await page.getByRole('button', { name: 'Optimize' }).click();
  const plan = page.getByRole('table', { name: 'Plan', exact: true });
  await expect(plan).toBeVisible({ timeout: 300_000 });
  await expect(plan.getByRole('rowheader')).toHaveText(['bargain_hunters', 'loyal_members', 'new_visitors']);
  const summary = (await page.getByText(/^All segments:/).textContent()) ?? '';
  const [, spend, budget] = /ad spend ([\d,]+) of a ([\d,]+) budget/.exec(summary) ?? [];
  expect(Number(spend?.replace(/,/g, ''))).toBeLessThanOrEqual(Number(budget?.replace(/,/g, '')));
  const planCsv = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download plan (CSV)' }).click();
  const planLines = readFileSync(await (await planCsv).path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
  expect(planLines).toHaveLength(4);
  expect(planLines[0]).toMatch(/^group,promo_type,discount_pct,ad_spend_per_day,/);
  const scenariosCsv = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download scenarios (CSV)' }).click();
  const scenarioLines = readFileSync(await (await scenariosCsv).path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
  expect(scenarioLines.map((l) => l.split(',')[0])).toEqual(['scenario', 'deep discount', 'gift']);
  await plan.getByRole('button', { name: 'Apply the plan for loyal_members to what-if' }).click();
  await expect(page.getByRole('combobox', { name: 'Context' })).toHaveValue(/^k:1:loyal_members$/);
});

test('a cross-section (fast-food A/B test): the what-if predicts one outcome per scenario, not a sum over days', async ({ data, page }) => {
  test.skip(!sharedData, '../shared/data is not beside the repo');
  test.setTimeout(300_000);
  await data.upload(`${sharedData}fastfood_promo_ab/WA_Fn-UseC_-Marketing-Campaign-Eff-UseC_-FastF.csv`);
  await data.expectRows(548, 60_000);
  await page.getByRole('spinbutton', { name: 'Epochs', exact: true }).fill('3');
  await page.getByRole('combobox', { name: 'Compute backend' }).selectOption('wasm');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const prediction = page.getByRole('region', { name: 'Prediction' });
  await expect(prediction).toContainText('Predicted', { timeout: 200_000 });
  // Weekly sales per store run 17–100 (thousands): one store-week, not seven of them added up.
  const value = Number(await prediction.locator('[data-value]').getAttribute('data-value'));
  expect(value).toBeGreaterThan(10);
  expect(value).toBeLessThan(150);
  // No time: Optimize asks for no horizon or start window.
  await expect(page.getByRole('button', { name: 'Optimize' })).toBeVisible();
  await expect(page.getByRole('spinbutton', { name: 'Horizon (days)' })).toHaveCount(0);
  // Setting the promotion moves the average over the stores.
  const slider = page.getByRole('slider', { name: 'Promotion' });
  await slider.focus();
  await page.keyboard.press('End');
  await expect.poll(async () => Number(await prediction.locator('[data-value]').getAttribute('data-value')), { timeout: 60_000 }).not.toBe(value);
  await page.getByRole('button', { name: 'Optimize' }).click();
  await expect(page.getByRole('table', { name: 'Plan' }).getByRole('row')).not.toHaveCount(0, { timeout: 120_000 });
});
