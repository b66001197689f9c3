import { useCallback } from 'react';
import { translate, type Locale, type MessageKey, type MessageParams } from '../lib/i18n';
import { useAppStore } from './store';

/** The current locale's translate function: `t('data.rows', { count: 3 })`. */
export function useT(): (key: MessageKey, params?: MessageParams) => string {
  const locale = useAppStore((s) => s.locale);
  return useCallback((key: MessageKey, params?: MessageParams) => translate(locale, key, params), [locale]);
}

export function useLocale(): Locale {
  return useAppStore((s) => s.locale);
}
