import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import { changedOnlyStorage } from './prefsStorage';
import { createDataSlice, type DataSlice } from './slices/dataSlice';
import { createSessionSlice, type SessionSlice } from './slices/sessionSlice';
import { createTrainingSlice, type TrainingSlice } from './slices/trainingSlice';
import { createWhatIfSlice, type WhatIfSlice } from './slices/whatIfSlice';
import { createOptimizeSlice, type OptimizeSlice } from './slices/optimizeSlice';
import { createModelSlice, type ModelSlice } from './slices/modelSlice';

/** The whole app state: one store from typed slices, one per flow step. */
export type AppState = DataSlice & SessionSlice & TrainingSlice & WhatIfSlice & OptimizeSlice & ModelSlice;

type Prefs = Pick<AppState, 'locale' | 'rolesBySchema' | 'trainSettings' | 'backendChoice' | 'margin' | 'optimizeSettings'>;

/**
 * The one store. Middleware is applied once here. Small preferences (locale,
 * role choices per file layout) persist in localStorage.
 */
export const useAppStore = create<AppState>()(
  persist(
    (...a) => ({
      ...createDataSlice(...a),
      ...createSessionSlice(...a),
      ...createTrainingSlice(...a),
      ...createWhatIfSlice(...a),
      ...createOptimizeSlice(...a),
      ...createModelSlice(...a),
    }),
    {
      name: 'promocast.prefs',
      version: 1,
      storage: changedOnlyStorage<Prefs>(() => localStorage),
      partialize: (state): Prefs => ({ locale: state.locale, rolesBySchema: state.rolesBySchema, trainSettings: state.trainSettings, backendChoice: state.backendChoice, margin: state.margin, optimizeSettings: state.optimizeSettings }),
    },
  ),
);
