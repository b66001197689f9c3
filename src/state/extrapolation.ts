import { extrapolation } from '../ml/whatif';
import type { Dataset } from '../ml/types';
import type { WhatIfContext } from '../workers/protocol';
import type { Scenario } from './slices/whatIfSlice';

/** Levers whose value lies outside what a context's series saw in training ("lever (series)"). */
export function extrapolationOf(context: WhatIfContext, scenario: Scenario, series: readonly number[]): string[] {
  const view = { leverRanges: context.leverRanges, seriesLeverRanges: context.seriesLeverRanges } as Pick<Dataset, 'leverRanges' | 'seriesLeverRanges'> as Dataset;
  const out: string[] = [];
  for (const lever of context.spec.levers) {
    const value = scenario.levers[lever] ?? null;
    const where = series.filter((si) => extrapolation(view, si, lever, value) !== null);
    if (where.length === 0) continue;
    out.push(where.length === series.length ? lever : `${lever} (${where.map((si) => context.seriesLabels[si]).join(', ')})`);
  }
  return out;
}
