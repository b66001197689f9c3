import { memo } from 'react';
import { formatNumber } from '../lib/i18n';
import { useLocale, useT } from '../state/i18n';
import { leverSliderRange } from '../state/slices/whatIfSlice';
import { useAppStore } from '../state/store';

/**
 * A slider for a numeric lever (observed range plus a marked extension),
 * segmented buttons for a categorical one. Memoised: moving one lever
 * re-renders only its own control.
 */
export const LeverControl = memo(function LeverControl({ lever }: { lever: string }) {
  const t = useT();
  const locale = useLocale();
  const context = useAppStore((s) => s.whatIfContext);
  const value = useAppStore((s) => s.scenario?.levers[lever] ?? null);
  const setLever = useAppStore((s) => s.setLever);
  const focusLever = useAppStore((s) => s.focusLever);
  if (!context) return null;
  const range = context.leverRanges[lever];
  if (range?.kind === 'category') {
    return (
      <div className="lever">
        <span className="lever-name" id={`lever-${lever}`}>
          {lever}
        </span>
        <div role="radiogroup" aria-labelledby={`lever-${lever}`} className="segmented">
          {range.values.map((v) => (
            <button key={v} type="button" role="radio" aria-checked={value === v} className={value === v ? 'on' : ''} onClick={() => setLever(lever, v)}>
              {v}
            </button>
          ))}
        </div>
      </div>
    );
  }
  const slider = leverSliderRange(context, lever);
  if (!slider) return null;
  const current = typeof value === 'number' ? value : slider.min;
  const beyond = current > slider.observedMax;
  const markerAt = ((slider.observedMax - slider.min) / (slider.max - slider.min)) * 100;
  return (
    <div className="lever">
      <label className="lever-name" htmlFor={`lever-${lever}`}>
        {lever}
      </label>
      <div className="slider-wrap">
        <input
          id={`lever-${lever}`}
          type="range"
          aria-label={lever}
          aria-valuetext={`${formatNumber(locale, current)}${beyond ? ` (${t('whatif.extrapolationShort')})` : ''}`}
          min={slider.min}
          max={slider.max}
          step={slider.step}
          value={current}
          onChange={(e) => setLever(lever, Number(e.target.value))}
          onFocus={() => focusLever(lever)}
          onBlur={() => focusLever(null)}
        />
        <span className="observed-max" style={{ left: `${markerAt}%` }} title={t('whatif.observedMax')} aria-hidden="true" />
      </div>
      <output className={beyond ? 'warn' : ''}>{formatNumber(locale, current)}</output>
    </div>
  );
});
