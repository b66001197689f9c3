import { useEffect } from 'react';
import { LOCALES, type Locale } from '../lib/i18n';
import { useT } from '../state/i18n';
import { useAppStore } from '../state/store';
import { DataStep } from './DataStep';
import { ErrorBoundary } from './ErrorBoundary';
import { EvaluateStep } from './EvaluateStep';
import { TrainStep } from './TrainStep';
import { UpdateStep } from './UpdateStep';
import { WhatIfStep } from './WhatIfStep';
import { OptimizeStep } from './OptimizeStep';
import { SessionBar } from './SessionBar';
import { ModelBar } from './ModelBar';

/** The workbench: header with language switch, then the flow steps. */
export function App() {
  const t = useT();
  const locale = useAppStore((s) => s.locale);
  const setLocale = useAppStore((s) => s.setLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = t('app.title');
  }, [locale, t]);
  return (
    <div className="app">
      <header className="app-header">
        <div>
          <h1>{t('app.title')}</h1>
          <p className="tagline">{t('app.tagline')}</p>
        </div>
        <SessionBar />
        <label className="locale">
          <span>{t('app.language')}</span>
          <select aria-label={t('app.language')} value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
            {LOCALES.map((l) => (
              <option key={l.id} value={l.id}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
      </header>
      <main>
        <ErrorBoundary locale={locale}>
          <ModelBar />
          <DataStep />
          <TrainStep />
          <EvaluateStep />
          <UpdateStep />
          <WhatIfStep />
          <OptimizeStep />
        </ErrorBoundary>
      </main>
    </div>
  );
}
