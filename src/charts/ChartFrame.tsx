import { useRef, type ReactNode } from 'react';
import { useT } from '../state/i18n';
import { downloadBlob, svgOf, svgToPng } from './exportChart';

/** A titled chart with "SVG" and "PNG" download buttons. */
export function ChartFrame({ title, className, children }: { title: string; className?: string; children: ReactNode }) {
  const t = useT();
  const ref = useRef<HTMLElement>(null);
  const fileBase = title.replace(/[\\/:*?"<>|]+/g, '_').slice(0, 80);
  const svg = () => (ref.current ? svgOf(ref.current) : null);
  return (
    <figure ref={ref} className={`chart${className ? ` ${className}` : ''}`} aria-label={title}>
      <figcaption>
        <span>{title}</span>
        <span className="chart-actions">
          <button
            type="button"
            className="link"
            aria-label={t('chart.download', { title, format: 'SVG' })}
            onClick={() => {
              const text = svg();
              if (text) downloadBlob(new Blob([text], { type: 'image/svg+xml' }), `${fileBase}.svg`);
            }}
          >
            SVG
          </button>
          <button
            type="button"
            className="link"
            aria-label={t('chart.download', { title, format: 'PNG' })}
            onClick={() => {
              const text = svg();
              if (text) void svgToPng(text).then((png) => png && downloadBlob(png, `${fileBase}.png`));
            }}
          >
            PNG
          </button>
        </span>
      </figcaption>
      {children}
    </figure>
  );
}
