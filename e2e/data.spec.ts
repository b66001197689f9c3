import { readFileSync } from 'node:fs';
import { expect, readShared, sharedData, test } from './fixtures';

const sample = readFileSync(new URL('../public/samples/promotions.csv', import.meta.url));

test('dropping the sample shows typed columns and suggested roles', async ({ data }) => {
  await data.drop('promotions.csv', sample);
  await data.expectRows(730 * 5 * 3);
  const expected: [column: string, type: string, role: string][] = [
    ['date', 'date', 'time'],
    ['category', 'category', 'series'],
    ['segment', 'category', 'series'],
    ['promo_type', 'category', 'lever'],
    ['discount_pct', 'number', 'lever'],
    ['ad_spend', 'number', 'lever'],
    ['is_holiday', 'yes/no', 'covariate'],
    ['conversion_rate', 'number', 'target'],
  ];
  for (const [column, type, role] of expected) {
    await expect(data.column(column).getByRole('cell').first(), column).toHaveText(new RegExp(`^${type}`));
    await expect(data.role(column), column).toHaveValue(role);
  }
  await expect(data.page.getByRole('heading', { name: 'Data quality report' })).toBeVisible();
});

test('the sample button loads the sample, and a role choice sticks across reloads of the file', async ({ data, page }) => {
  await data.trySample();
  await data.expectRows(10_950);
  await data.role('is_holiday').selectOption('ignore');
  await data.role('orders').selectOption('target');
  await expect(data.role('conversion_rate')).toHaveValue('ignore');
  await page.reload();
  await data.trySample();
  await data.expectRows(10_950);
  await expect(data.role('is_holiday')).toHaveValue('ignore');
  await expect(data.role('orders')).toHaveValue('target');
  await page.getByRole('button', { name: 'Reset to suggestions' }).click();
  await expect(data.role('conversion_rate')).toHaveValue('target');
});

test('the UI switches to Simplified Chinese', async ({ data, page }) => {
  await data.trySample();
  await data.expectRows(10_950);
  await page.getByRole('combobox', { name: 'Language' }).selectOption('zh-CN');
  await expect(page.getByRole('table', { name: '列' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'date 的角色' })).toHaveValue('time');
  await expect(page.getByText('10,950 行')).toBeVisible();
});

/** Every shared dataset, with the counts its PROVENANCE.txt states. */
const shared: { file: string; rows: number; columns: number; time: string | null; target: string }[] = [
  { file: 'frat_promo_weekly/frat_transactions_9stores.csv', rows: 65_032, columns: 12, time: 'WEEK_END_DATE', target: 'UNITS' },
  { file: 'hillstrom_email/hillstrom.csv', rows: 64_000, columns: 12, time: null, target: 'conversion' },
  { file: 'fb_ad_conversion/KAG_conversion_data.csv', rows: 1_143, columns: 11, time: null, target: 'Approved_Conversion' },
  { file: 'ifood_marketing_campaign/marketing_campaign.csv', rows: 2_240, columns: 29, time: null, target: 'Response' },
  { file: 'fastfood_promo_ab/WA_Fn-UseC_-Marketing-Campaign-Eff-UseC_-FastF.csv', rows: 548, columns: 7, time: null, target: 'SalesInThousands' },
  { file: 'meridian_geo_sim/geo_all_channels.csv', rows: 6_240, columns: 20, time: 'time', target: 'conversions' },
];

for (const d of shared) {
  test(`shared dataset ${d.file} loads with its stated shape`, async ({ data }) => {
    test.skip(!sharedData, '../shared/data is not beside the repo');
    await data.upload(`${sharedData}${d.file}`);
    await data.expectRows(d.rows);
    await expect(data.columns().getByRole('combobox')).toHaveCount(d.columns);
    await expect(data.role(d.target)).toHaveValue('target');
    const timeSelects = data.columns().getByRole('combobox').filter({ has: data.page.locator('option:checked', { hasText: /^time$/ }) });
    if (d.time) await expect(data.role(d.time)).toHaveValue('time');
    else await expect(timeSelects).toHaveCount(0);
  });
}

test('frat lookups load too, and the frat panel reports its gaps', async ({ data, page }) => {
  test.skip(!sharedData, '../shared/data is not beside the repo');
  await data.upload(`${sharedData}frat_promo_weekly/frat_products.csv`);
  await data.expectRows(58);
  await data.upload(`${sharedData}frat_promo_weekly/frat_stores.csv`);
  await data.expectRows(77);
  await data.uploadContent('frat.csv', readShared('frat_promo_weekly/frat_transactions_9stores.csv'));
  await data.expectRows(65_032);
  await expect(page.getByRole('term').filter({ hasText: 'Gaps' }).locator('xpath=following-sibling::dd')).toHaveText('4,755');
  await expect(data.column('UPC').getByRole('cell').first()).toHaveText(/^id/);
  await expect(data.column('WEEK_END_DATE').getByRole('cell').first()).toHaveText(/^date/);
});

const bad: { name: string; content: Buffer | string; message: RegExp }[] = [
  { name: 'empty.csv', content: '', message: /empty\.csv is empty/ },
  { name: 'header.csv', content: 'date,orders,discount\n', message: /header.csv has a header \(3 columns\) but no data rows/ },
  { name: 'book.xlsx', content: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0, 8, 0, 0, 0, 0x21, 0]), message: /book\.xlsx is an Excel workbook.*Save As/ },
  { name: 'image.csv', content: Buffer.from(Array.from({ length: 600 }, (_, i) => (i % 3 === 0 ? 0 : (i * 37) % 256))), message: /image\.csv is not a text file/ },
  { name: 'quote.csv', content: 'a,b\n1,2\n3,"unclosed\n5,6\n', message: /quote\.csv: a quoted field opened in row 3 is never closed/ },
];

for (const b of bad) {
  test(`bad input ${b.name} gets a clear message and keeps earlier data`, async ({ data }) => {
    await data.trySample();
    await data.expectRows(10_950);
    await data.uploadContent(b.name, b.content);
    await expect(data.alert()).toContainText(b.message);
    await expect(data.alert()).toContainText('The data loaded earlier is still here.');
    await data.expectRows(10_950);
  });
}

test('ragged rows, renamed columns, all-missing and constant columns are reported', async ({ data }) => {
  const csv = ['date,x,x,,blank,y', '2024-01-01,1,2,3,,5', '2024-01-02,1,2,3,NA,5,9', '2024-01-03,1,2', '2024-01-04,1,2,3,,5'].join('\n');
  await data.uploadContent('messy.csv', csv);
  await data.expectRows(4);
  const report = data.qualityReport();
  await expect(report).toContainText(/x_2/);
  await expect(report).toContainText(/column_4/);
  await expect(report).toContainText(/2 rows? .*fields|fields.*2 rows?/i);
  await expect(report).toContainText(/blank/);
  await expect(data.column('x_2')).toContainText('renamed from “x”');
});

test('a constant target and too few rows are problems the report names', async ({ data }) => {
  const rows = ['day,orders,discount'];
  for (let i = 1; i <= 9; i++) rows.push(`2024-01-0${i},5,${i}`);
  await data.uploadContent('tiny.csv', rows.join('\n'));
  await data.expectRows(9);
  // A constant column is not suggested as the target; the analyst picks it anyway.
  await expect(data.role('orders')).toHaveValue('ignore');
  await data.role('orders').selectOption('target');
  const report = data.qualityReport();
  await expect(report).toContainText(/orders/);
  await expect(report.getByRole('listitem').filter({ hasText: /same value \(5\) in every row/ })).not.toHaveCount(0);
  await expect(report.getByRole('listitem').filter({ hasText: /rows/i }).filter({ hasText: /training/i })).not.toHaveCount(0);
});

test('a 200 MB file streams with progress and can be cancelled; the next load works', async ({ data, page }) => {
  test.setTimeout(240_000);
  await data.trySample();
  await data.expectRows(10_950);
  // Build the file inside the page: shipping 200 MB over the test channel would dominate the run.
  const drop = () =>
    page.getByRole('region', { name: 'Drop a CSV here' }).evaluate((zone) => {
      const line = '2024-01-01,electronics,bargain_hunters,percent_off,15,1234.5,0,1200,40,0.0333,55,2345.67\n';
      const block = line.repeat(8192);
      const parts: string[] = ['date,category,segment,promo_type,discount_pct,ad_spend,is_holiday,visitors,orders,conversion_rate,units,revenue\n'];
      const target = 200 * 1024 * 1024;
      for (let size = 0; size < target; size += block.length) parts.push(block);
      const transfer = new DataTransfer();
      transfer.items.add(new File(parts, 'big.csv', { type: 'text/csv' }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    });
  await drop();
  const progress = page.getByRole('progressbar', { name: 'Reading big.csv' });
  await expect(progress).toBeVisible();
  await expect(page.getByText(/MB of 200/)).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(data.alert()).toContainText('Loading big.csv was cancelled.');
  await data.expectRows(10_950);
  await drop();
  await expect(page.getByText(/^2,3\d\d,\d{3} rows$/)).toBeVisible({ timeout: 180_000 });
  await expect(page.getByText(/big\.csv · 200/)).toBeVisible();
});
