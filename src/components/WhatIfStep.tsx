import { memo, useDeferredValue, useMemo, useState } from 'react';
import { CurveChart } from '../charts/CurveChart';
import { PlanForecastChart } from '../charts/PlanForecastChart';
import { formatDay, formatNumber, formatPercent, type Locale } from '../lib/i18n';
import { extrapolationOf } from '../state/extrapolation';
import { useLocale, useT } from '../state/i18n';
import { contextSeries, dataEndDay, leverSliderRange, type ContextChoice } from '../state/slices/whatIfSlice';
import { useAppStore, type AppState } from '../state/store';
import { scenarioView, type ScenarioView } from '../state/whatIfView';
import { useScenarioView } from '../state/useScenarioView';
import type { Scenario } from '../state/slices/whatIfSlice';
import type { WhatIfContext } from '../workers/protocol';
import { LeverControl } from './LeverControl';
import { ScenarioCompare } from './ScenarioCompare';
import { KpiTable } from './KpiTable';

function targetFormatter(locale: Locale, kind: string): (v: number) => string {
  return kind === 'rate' || kind === 'binary' ? (v) => formatPercent(locale, v) : (v) => formatNumber(locale, v, Math.abs(v) < 10 ? 2 : 0);
}

function dayInput(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

function encodeChoice(c: ContextChoice): string {
  return c.kind === 'series' ? `s:${c.index}` : c.kind === 'key' ? `k:${c.column}:${c.value}` : 'all';
}

function decodeChoice(v: string): ContextChoice {
  if (v === 'all') return { kind: 'all' };
  const [kind, a, ...rest] = v.split(':');
  return kind === 's' ? { kind: 'series', index: Number(a) } : { kind: 'key', column: Number(a), value: rest.join(':') };
}

interface WhatIfChartsProps {
  readonly view: ScenarioView | null;
  readonly context: WhatIfContext;
  readonly scenario: Scenario | null;
}

/** The forecast chart and the response curves of a scenario's view. */
const WhatIfCharts = memo(function WhatIfCharts({ view, context, scenario }: WhatIfChartsProps) {
  const t = useT();
  const locale = useLocale();
  if (!view || !scenario) return null;
  const spec = context.spec;
  const format = targetFormatter(locale, spec.target.kind);
  const hasTime = !spec.crossSection;
  return (
    <>
      {hasTime && (
        <PlanForecastChart
          points={view.days.map((day, d) => ({ time: day, actual: view.actual[d] ?? null, predicted: view.forecast[d]!.target, band: [view.forecast[d]!.lower, view.forecast[d]!.upper] as [number, number], noPromotion: view.noPromotion[d]!.target }))}
          formatTime={(d) => formatDay(locale, d)}
          formatValue={format}
          labels={{ title: t('whatif.chart'), actual: t('eval.actual'), predicted: t('eval.predicted'), interval: t('eval.interval'), noPromotion: t('whatif.noPromotion') }}
        />
      )}
      <h3>{t('whatif.curves')}</h3>
      <div className="curve-grid">
        {view.curves.map((c) => {
          const range = leverSliderRange(context, c.lever);
          const categorical = context.leverRanges[c.lever]?.kind === 'category';
          return (
            <CurveChart
              key={c.lever}
              title={c.lever}
              categorical={categorical}
              points={c.points.map((p) => ({ label: String(p.value), x: typeof p.value === 'number' ? p.value : 0, mean: p.mean, band: [p.lower, p.upper], error: [p.lower, p.upper] }))}
              current={scenario.levers[c.lever] ?? null}
              extrapolateFrom={range ? range.observedMax : null}
              extrapolationLabel={t('whatif.extrapolationShort')}
              formatValue={format}
            />
          );
        })}
      </div>
    </>
  );
});

/** How long the last update took: its own component, so the timings written after each answer redraw only this line. */
function WhatIfLatency() {
  const t = useT();
  const locale = useLocale();
  const latency = useAppStore((s) => s.whatIfLatencyMs);
  const curvesMs = useAppStore((s) => s.whatIfCurvesMs);
  const windows = useAppStore((s) => s.whatIfCharts?.result.windows ?? 0);
  if (latency === null) return null;
  return <p className="muted small">{curvesMs === null ? t('whatif.latencyNumbers', { ms: formatNumber(locale, latency, 0) }) : t('whatif.latency', { ms: formatNumber(locale, latency, 0), curvesMs: formatNumber(locale, curvesMs, 0), windows })}</p>;
}

type Charts = AppState['whatIfCharts'];

/** The last charts drawn at once (kept curves), until the charts go (a new model). */
function useLastInstant(charts: Charts): Charts {
  const [last, setLast] = useState<Charts>(null);
  if (charts?.instant && charts !== last) setLast(charts);
  else if (!charts && last) setLast(null);
  return charts?.instant ? charts : last;
}

/**
 * What the charts draw: kept curves at once; others from the background
 * render, but never older than the last drawn at once (the background value
 * may still be one from before it).
 */
function chartsToShow(charts: Charts, deferred: Charts, lastInstant: Charts): Charts {
  if (charts?.instant) return charts;
  if (lastInstant && (deferred?.seq ?? -1) < (lastInstant.seq ?? -1)) return lastInstant;
  return deferred;
}

/** Step 4: drag a lever, read the forecast, KPIs and response curves; save and compare scenarios. */
export function WhatIfStep() {
  const t = useT();
  const locale = useLocale();
  const context = useAppStore((s) => s.whatIfContext);
  const scenario = useAppStore((s) => s.scenario);
  const aov = useAppStore((s) => s.averageOrderValue);
  const margin = useAppStore((s) => s.margin);
  const update = useAppStore((s) => s.updateScenario);
  const setKpiInputs = useAppStore((s) => s.setKpiInputs);
  const saveScenario = useAppStore((s) => s.saveScenario);
  const [name, setName] = useState('');
  const charts = useAppStore((s) => s.whatIfCharts);
  const inputCount = useAppStore((s) => s.whatIfInputs);
  // Save waits for the numbers of the scenario on screen.
  const answered = useAppStore((s) => s.whatIfAnswered === s.scenario);
  const view = useScenarioView();
  // The numbers render at once; the charts (most of the render time, their view
  // included) follow once the curves are in, in a background render that a newer answer interrupts.
  // Curves that were kept come with the numbers and render with them, in the input's frame.
  const deferred = useDeferredValue(charts);
  const shownCharts = chartsToShow(charts, deferred, useLastInstant(charts));
  const chartsView = useMemo(() => (context && shownCharts ? scenarioView(context, shownCharts.scenario, shownCharts.result, { averageOrderValue: aov, margin }, shownCharts.placement) : null), [context, shownCharts, aov, margin]);
  // Busy until the charts on screen show the scenario on screen (its full curves answered, their render done).
  const chartsBusy = charts?.scenario !== scenario || shownCharts !== charts || charts.coarse === true;
  if (!context || !scenario) return null;

  const spec = context.spec;
  const format = targetFormatter(locale, spec.target.kind);
  const series = contextSeries(context, scenario.context);
  const warnings = extrapolationOf(context, scenario, series);
  const hasTime = !spec.crossSection;
  const dataEnd = dataEndDay(context);

  const keyOptions = spec.seriesColumns.flatMap((column, c) =>
    Array.from(new Set(context.seriesKeys.map((k) => k[c] ?? ''))).sort().map((value) => ({ choice: { kind: 'key', column: c, value } as ContextChoice, label: t('whatif.allWith', { column, value }) })),
  );

  return (
    <section className="step" aria-labelledby="whatif-heading">
      <h2 id="whatif-heading">{t('whatif.heading')}</h2>
      <p className="muted">{t('whatif.intro')}</p>
      <div className="whatif-context">
        <label>
          <span>{t('whatif.context')}</span>
          <select aria-label={t('whatif.context')} value={encodeChoice(scenario.context)} onChange={(e) => update({ context: decodeChoice(e.target.value) })}>
            {context.seriesLabels.map((label, i) => (
              <option key={`s${i}`} value={`s:${i}`}>
                {label}
              </option>
            ))}
            {context.seriesLabels.length > 1 &&
              keyOptions.map((o) => (
                <option key={encodeChoice(o.choice)} value={encodeChoice(o.choice)}>
                  {o.label}
                </option>
              ))}
            {context.seriesLabels.length > 1 && <option value="all">{t('whatif.allSeries')}</option>}
          </select>
        </label>
        {hasTime && (
          <label>
            <span>{t('whatif.start')}</span>
            <input
              type="date"
              value={dayInput(scenario.startDay)}
              min={dayInput(Math.min(...context.firstDay) + spec.windowLength * Math.max(1, spec.periodDays))}
              onChange={(e) => {
                const ms = Date.parse(`${e.target.value}T00:00:00Z`);
                if (Number.isFinite(ms)) update({ startDay: Math.round(ms / 86_400_000) });
              }}
            />
          </label>
        )}
        {hasTime && (
          <label>
            <span>{t('whatif.horizon')}</span>
            <input type="number" min={1} max={28} value={scenario.horizon} onChange={(e) => update({ horizon: Number(e.target.value), promoDuration: Math.max(scenario.promoDuration, 1) })} />
          </label>
        )}
        {hasTime && scenario.horizon > 1 && (
          <>
            <label>
              <span>{t('whatif.promoStart', { day: scenario.promoStart + 1 })}</span>
              <input type="range" aria-label={t('whatif.promoStartLabel')} min={1} max={scenario.horizon} value={scenario.promoStart + 1} onChange={(e) => update({ promoStart: Number(e.target.value) - 1 })} />
            </label>
            <label>
              <span>{t('whatif.promoDuration', { days: scenario.promoDuration })}</span>
              <input type="range" aria-label={t('whatif.promoDurationLabel')} min={1} max={scenario.horizon - scenario.promoStart} value={scenario.promoDuration} onChange={(e) => update({ promoDuration: Number(e.target.value) })} />
            </label>
          </>
        )}
      </div>
      {hasTime && scenario.startDay <= dataEnd && <p className="muted small">{t('whatif.pastStart')}</p>}
      <div className="levers">
        {spec.levers.map((lever) => (
          <LeverControl key={lever} lever={lever} />
        ))}
      </div>
      {warnings.length > 0 && (
        <p className="notice" role="status">
          {t('whatif.extrapolation', { levers: warnings.join(', ') })}
        </p>
      )}
      <section className="prediction" aria-label={t('whatif.prediction')} aria-busy={!answered}>
        {view ? (
          <>
            <p className="prediction-main" data-value={view.kpis.target}>
              {t('whatif.predicted', { target: spec.target.column, value: format(view.kpis.target), lower: format(view.kpis.targetLower), upper: format(view.kpis.targetUpper) })}
            </p>
            <p>
              {t('whatif.vsNone', { value: format(view.noPromotionKpis.target), diff: spec.target.kind === 'rate' ? `${view.kpis.target >= view.noPromotionKpis.target ? '+' : '−'}${formatNumber(locale, Math.abs(view.kpis.target - view.noPromotionKpis.target) * 100, 2)} pt` : `${view.kpis.target >= view.noPromotionKpis.target ? '+' : '−'}${format(Math.abs(view.kpis.target - view.noPromotionKpis.target))}` })}
            </p>
          </>
        ) : (
          <p className="muted">{t('whatif.computing')}</p>
        )}
      </section>
      {view && (
        <>
          <div className="kpi-row">
            <KpiTable view={view} />
            <div className="kpi-inputs">
              <label>
                <span>{t('whatif.aov')}</span>
                <input type="number" min={0} step="any" value={aov ?? context.kpi[series[0] ?? 0]?.averageOrderValue?.toFixed(2) ?? ''} onChange={(e) => setKpiInputs({ averageOrderValue: e.target.value === '' ? null : Number(e.target.value) })} />
              </label>
              <label>
                <span>{t('whatif.margin')}</span>
                <input type="number" min={0} max={100} step={1} value={Math.round(margin * 100)} onChange={(e) => setKpiInputs({ margin: Math.min(1, Math.max(0, Number(e.target.value) / 100)) })} />
              </label>
              <WhatIfLatency />
            </div>
          </div>
          <div className="whatif-charts" aria-busy={chartsBusy} data-inputs-behind={shownCharts?.seq === undefined ? undefined : inputCount - shownCharts.seq} data-coarse={shownCharts?.coarse ? 'true' : undefined}>
            <WhatIfCharts view={chartsView} context={context} scenario={shownCharts?.scenario ?? null} />
          </div>
          <div className="save-scenario">
            <label>
              <span>{t('whatif.scenarioName')}</span>
              <input type="text" value={name} onChange={(e) => setName(e.target.value)} />
            </label>
            <button
              type="button"
              className="button"
              disabled={name.trim() === '' || !answered}
              onClick={() => {
                saveScenario(name);
                setName('');
              }}
            >
              {t('whatif.save')}
            </button>
          </div>
          <ScenarioCompare />
        </>
      )}
    </section>
  );
}
