import { en, type MessageKey } from './en';
import { zhCN } from './zhCN';

export type { MessageKey } from './en';
export type Locale = 'en' | 'zh-CN';
export const LOCALES: readonly { readonly id: Locale; readonly label: string }[] = [
  { id: 'en', label: 'English' },
  { id: 'zh-CN', label: '简体中文' },
];

const catalogs: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

export type MessageParams = Readonly<Record<string, string | number>>;

/** Fills `{name}` placeholders; numbers are formatted for the locale. */
export function translate(locale: Locale, key: MessageKey, params: MessageParams = {}): string {
  // A key missing from the catalog (a bug) shows as itself rather than breaking the page.
  const template: string = catalogs[locale][key] ?? en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? formatNumber(locale, value) : value;
  });
}

// Building an Intl formatter costs about as much as a hundred formats: charts
// format every tick on every render, so each formatter is built once.
const numberFormats = new Map<string, Intl.NumberFormat>();
const dayFormats = new Map<Locale, Intl.DateTimeFormat>();

function numberFormat(locale: Locale, style: 'decimal' | 'percent', maximumFractionDigits: number): Intl.NumberFormat {
  const key = `${locale}|${style}|${maximumFractionDigits}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style, maximumFractionDigits });
    numberFormats.set(key, format);
  }
  return format;
}

/** Thousands separators and up to 3 significant decimals, per locale. */
export function formatNumber(locale: Locale, value: number, maximumFractionDigits = 3): string {
  if (!Number.isFinite(value)) return '—';
  return numberFormat(locale, 'decimal', maximumFractionDigits).format(value);
}

/** Bytes as KB / MB with one decimal. */
export function formatBytes(locale: Locale, bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${formatNumber(locale, v, u === 0 ? 0 : 1)} ${units[u]}`;
}

/** A day number (days since 1970-01-01 UTC) as a locale date. */
export function formatDay(locale: Locale, day: number): string {
  if (!Number.isFinite(day)) return '—';
  let format = dayFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
    dayFormats.set(locale, format);
  }
  return format.format(new Date(day * 86_400_000));
}

/** A share in [0, 1] as a percent. */
export function formatPercent(locale: Locale, share: number): string {
  return numberFormat(locale, 'percent', 1).format(share);
}
