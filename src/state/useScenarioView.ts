import { useMemo } from 'react';
import { useAppStore } from './store';
import { scenarioView, type ScenarioView } from './whatIfView';

/** The what-if view of the scenario on screen with its latest answer (null before one). */
export function useScenarioView(): ScenarioView | null {
  const context = useAppStore((s) => s.whatIfContext);
  const scenario = useAppStore((s) => s.scenario);
  const result = useAppStore((s) => s.whatIfResult);
  const averageOrderValue = useAppStore((s) => s.averageOrderValue);
  const margin = useAppStore((s) => s.margin);
  return useMemo(() => (context && scenario && result && result.plans.length >= 2 ? scenarioView(context, scenario, result, { averageOrderValue, margin }) : null), [context, scenario, result, averageOrderValue, margin]);
}
