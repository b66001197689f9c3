// Seeded generator of a large promotion CSV for the ingest benchmark.
// One row per date × category × segment (20 × 10 = 200 series), dates from
// 2010-01-01 on, until the requested row count is reached. Same row count,
// same bytes. Written once and cached under .cache/bench/.
import { closeSync, existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Bump when the generated content changes, so stale caches are not reused. */
const GENERATOR_VERSION = 1;

const CATEGORIES = [
  'electronics', 'apparel', 'beauty', 'home', 'grocery', 'toys', 'sports', 'books', 'health', 'automotive',
  'garden', 'pets', 'baby', 'jewelry', 'shoes', 'office', 'music', 'tools', 'furniture', 'outdoor',
];
const SEGMENTS = [
  'bargain_hunters', 'loyal_members', 'new_visitors', 'students', 'families',
  'seniors', 'urban', 'rural', 'premium', 'lapsed',
];
const PROMO_TYPES = ['none', 'percent_off', 'spend_threshold', 'gift', 'flash_sale', 'free_shipping'];
const PROMO_WEIGHTS = [0.5, 0.15, 0.12, 0.08, 0.1, 0.05];
const DISCOUNTS = [5, 10, 15, 20, 25, 30, 40, 50];
const HEADER = 'date,category,segment,promo_type,discount_pct,ad_spend,is_holiday,visitors,orders,conversion_rate';

/** mulberry32: a small, fast, seeded 32-bit PRNG returning [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function isHoliday(month, day) {
  return (
    (month === 1 && day === 1) ||
    (month === 2 && day === 14) ||
    (month === 5 && day <= 3) ||
    (month === 6 && day === 18) ||
    (month === 10 && day <= 7) ||
    (month === 11 && (day === 11 || (day >= 24 && day <= 28))) ||
    (month === 12 && (day === 12 || day === 24 || day === 25))
  );
}

/** Writes `rows` data rows to `path` (atomically, via a temporary file). */
function writeCsv(path, rows, seed = 20240618) {
  const random = mulberry32(seed);
  const series = CATEGORIES.length * SEGMENTS.length;
  // Fixed per-series traits: traffic level and base conversion.
  const level = Float64Array.from({ length: series }, () => 300 + random() * 5000);
  const baseConv = Float64Array.from({ length: series }, () => 0.01 + random() * 0.05);
  const cumulative = [];
  PROMO_WEIGHTS.reduce((sum, w) => (cumulative.push(sum + w), sum + w), 0);

  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, `${HEADER}\n`);
    let lines = [];
    const start = Date.UTC(2010, 0, 1);
    let written = 0;
    for (let dayIndex = 0; written < rows; dayIndex++) {
      const when = new Date(start + dayIndex * 86_400_000);
      const month = when.getUTCMonth() + 1;
      const day = when.getUTCDate();
      const date = when.toISOString().slice(0, 10);
      const holiday = isHoliday(month, day);
      const weekday = when.getUTCDay();
      const season = 1 + 0.25 * Math.sin((2 * Math.PI * dayIndex) / 365.25) + (weekday === 0 || weekday === 6 ? 0.15 : 0) + (holiday ? 0.6 : 0);
      for (let s = 0; s < series && written < rows; s++) {
        const category = CATEGORIES[Math.floor(s / SEGMENTS.length)];
        const segment = SEGMENTS[s % SEGMENTS.length];
        const u = random();
        let p = 0;
        while (p < cumulative.length - 1 && u >= cumulative[p]) p++;
        const promo = PROMO_TYPES[p];
        const discount = promo === 'none' || promo === 'free_shipping' ? 0 : DISCOUNTS[Math.floor(random() * DISCOUNTS.length)];
        const adSpend = random() < 0.1 ? 0 : Math.exp(3 + random() * 5); // ~20 .. 3000
        const noise = 0.8 + random() * 0.4;
        const visitors = Math.max(1, Math.round(level[s] * season * noise * (1 + adSpend / 8000) * (promo === 'none' ? 1 : 1.2)));
        const conv = Math.min(0.9, baseConv[s] * (1 + discount / 40) * (holiday ? 1.3 : 1) * (0.85 + random() * 0.3));
        const orders = Math.min(visitors, Math.round(visitors * conv));
        lines.push(
          `${date},${category},${segment},${promo},${discount},${adSpend.toFixed(2)},${holiday ? 1 : 0},${visitors},${orders},${(orders / visitors).toFixed(4)}`,
        );
        written++;
        if (lines.length === 20_000) {
          writeSync(fd, `${lines.join('\n')}\n`);
          lines = [];
        }
      }
    }
    if (lines.length > 0) writeSync(fd, `${lines.join('\n')}\n`);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * Returns the path of the cached CSV with `rows` data rows under `dir`,
 * generating it first when missing, and whether it was generated now.
 */
export function benchCsv(dir, rows) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `promotions-${rows}-v${GENERATOR_VERSION}.csv`);
  let generated = false;
  if (!existsSync(path)) {
    writeCsv(path, rows);
    generated = true;
  }
  return { path, bytes: statSync(path).size, generated };
}
