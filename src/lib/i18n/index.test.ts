import { describe, expect, it } from 'vitest';
import { formatBytes, formatDay, formatNumber, formatPercent, type Locale } from './index';

describe('formatNumber', () => {
  it.each<[Locale, number, number | undefined, string]>([
    ['en', 1234.5678, undefined, '1,234.568'],
    ['en', 1234.5678, 0, '1,235'],
    ['en', 0.5, 2, '0.5'],
    ['zh-CN', 1234567.891, 1, '1,234,567.9'],
    ['en', NaN, undefined, '—'],
    ['en', Infinity, 2, '—'],
  ])('%s %d (%s decimals) → %s', (locale, value, digits, expected) => {
    expect(formatNumber(locale, value, digits)).toBe(expected);
  });

  it('keeps each precision apart (formatters are reused per locale and precision)', () => {
    expect([formatNumber('en', 2.345, 1), formatNumber('en', 2.345, 2), formatNumber('en', 2.345, 1)]).toEqual(['2.3', '2.35', '2.3']);
  });
});

describe('formatPercent, formatDay, formatBytes', () => {
  it.each<[Locale, number, string]>([
    ['en', 0.0234, '2.3%'],
    ['en', 1, '100%'],
    ['zh-CN', 0.5, '50%'],
  ])('percent %s %d → %s', (locale, share, expected) => {
    expect(formatPercent(locale, share)).toBe(expected);
  });

  it.each<[Locale, number, string]>([
    ['en', 0, 'Jan 1, 1970'],
    ['en', 20_038, 'Nov 11, 2024'],
    ['zh-CN', 20_038, '2024年11月11日'],
    ['en', NaN, '—'],
  ])('day %s %d → %s', (locale, day, expected) => {
    expect(formatDay(locale, day)).toBe(expected);
  });

  it('formats the same value the same way after a locale switch and back', () => {
    const first = formatDay('en', 20_038);
    formatDay('zh-CN', 20_038);
    expect(formatDay('en', 20_038)).toBe(first);
  });

  it.each<[number, string]>([
    [512, '512 B'],
    [1536, '1.5 KB'],
    [5 * 1024 * 1024, '5 MB'],
  ])('bytes %d → %s', (bytes, expected) => {
    expect(formatBytes('en', bytes)).toBe(expected);
  });
});
