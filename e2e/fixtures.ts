import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** ../shared/data beside the repo (CI lays it there); null when absent. */
export const sharedData = (() => {
  const dir = fileURLToPath(new URL('../../shared/data/', import.meta.url));
  return existsSync(dir) ? dir : null;
})();

/** The Data step as an analyst uses it. */
export class DataStepPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/');
    await expect(this.page.getByRole('button', { name: 'Try sample data' })).toBeVisible();
  }

  /** Picks a file from disk with the "Upload CSV" input. */
  async upload(path: string): Promise<void> {
    await this.page.getByLabel('Upload CSV').setInputFiles(path);
  }

  /** Picks in-memory content with the "Upload CSV" input. */
  async uploadContent(name: string, content: string | Buffer, mimeType = 'text/csv'): Promise<void> {
    await this.page.getByLabel('Upload CSV').setInputFiles({ name, mimeType, buffer: typeof content === 'string' ? Buffer.from(content) : content });
  }

  /** A real drag-and-drop: a DataTransfer holding the file, dropped on the drop zone. */
  async drop(name: string, content: Buffer): Promise<void> {
    const dataTransfer = await this.page.evaluateHandle(
      ({ name, base64 }) => {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name, { type: 'text/csv' }));
        return transfer;
      },
      { name, base64: content.toString('base64') },
    );
    const zone = this.dropZone();
    await zone.dispatchEvent('dragenter', { dataTransfer });
    await zone.dispatchEvent('dragover', { dataTransfer });
    await zone.dispatchEvent('drop', { dataTransfer });
  }

  async trySample(): Promise<void> {
    await this.page.getByRole('button', { name: 'Try sample data' }).click();
  }

  dropZone(): Locator {
    return this.page.getByRole('region', { name: 'Drop a CSV here' });
  }

  columns(): Locator {
    return this.page.getByRole('table', { name: 'Columns' });
  }

  /** The row of the Columns table for one column. */
  column(name: string): Locator {
    // The row header may add a note ("renamed from …") after the name.
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return this.columns().getByRole('row').filter({ has: this.page.getByRole('rowheader', { name: new RegExp(`^${escaped}(\\s|$)`) }) });
  }

  role(name: string): Locator {
    return this.page.getByRole('combobox', { name: `Role for ${name}`, exact: true });
  }

  /** Waits until the loaded data states "<N> rows" (thousands separated). */
  async expectRows(count: number, timeout?: number): Promise<void> {
    await expect(this.page.getByText(/^[\d,]+ rows$/)).toHaveText(`${count.toLocaleString('en-US')} rows`, timeout === undefined ? {} : { timeout });
  }

  alert(): Locator {
    return this.page.getByRole('alert');
  }

  qualityReport(): Locator {
    return this.page.getByRole('list', { name: 'Data quality report' });
  }
}

export const test = base.extend<{ data: DataStepPage }>({
  data: async ({ page }, use) => {
    const data = new DataStepPage(page);
    await data.open();
    await use(data);
  },
});

export { expect };

export function readShared(relative: string): Buffer {
  return readFileSync(`${sharedData}${relative}`);
}
