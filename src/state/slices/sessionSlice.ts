import type { StateCreator } from 'zustand';
import type { Locale } from '../../lib/i18n';
import type { AppState } from '../store';

export interface SessionSlice {
  locale: Locale;
  /** True while a reload brings the last session back. */
  restoring: boolean;
  setLocale: (locale: Locale) => void;
}

function initialLocale(): Locale {
  return typeof navigator !== 'undefined' && navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export const createSessionSlice: StateCreator<AppState, [], [], SessionSlice> = (set) => ({
  locale: initialLocale(),
  restoring: false,
  setLocale: (locale) => set({ locale }),
});
