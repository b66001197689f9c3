// Finds a Chromium for Playwright: $PROMOCAST_CHROMIUM, the Debian package,
// or the browser `npx playwright install chromium` fetched.
import { existsSync } from 'node:fs';

export function chromiumPath() {
  const candidates = [process.env.PROMOCAST_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  for (const path of candidates) if (path && existsSync(path)) return path;
  return null;
}
