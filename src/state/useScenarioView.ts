import { useMemo } from 'react';
import { useAppStore } from './store';
import { scenarioView, type ScenarioView } from './whatIfView';

/**
 * The what-if view of the latest answer, with the scenario it answers (null
 * before one): while a slider move is in flight the numbers stay those of the
 * last answer, never new lever costs beside old predictions.
 */
export function useScenarioView(): ScenarioView | null {
  const context = useAppStore((s) => s.whatIfContext);
  const scenario = useAppStore((s) => s.whatIfAnswered);
  const result = useAppStore((s) => s.whatIfResult);
  const averageOrderValue = useAppStore((s) => s.averageOrderValue);
  const margin = useAppStore((s) => s.margin);
  return useMemo(() => (context && scenario && result && result.plans.length >= 2 ? scenarioView(context, scenario, result, { averageOrderValue, margin }) : null), [context, scenario, result, averageOrderValue, margin]);
}
