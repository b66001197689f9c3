import { toCsv, UTF8_BOM } from '../lib/csv';

/** Saves a Blob as a file through a temporary link. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The chart's SVG as standalone markup (namespaced, white background, text styled inline). */
export function svgOf(container: Element): string | null {
  const svg = container.querySelector('svg.recharts-surface, svg.chart-svg');
  if (!svg) return null;
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const width = svg.getAttribute('width') ?? String(svg.clientWidth);
  const height = svg.getAttribute('height') ?? String(svg.clientHeight);
  copy.setAttribute('width', width);
  copy.setAttribute('height', height);
  copy.setAttribute('style', 'font-family: system-ui, sans-serif; font-size: 12px; background: #fff');
  const background = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  background.setAttribute('width', '100%');
  background.setAttribute('height', '100%');
  background.setAttribute('fill', '#fff');
  copy.insertBefore(background, copy.firstChild);
  return new XMLSerializer().serializeToString(copy);
}

/** Renders SVG markup to a PNG at twice its size (sharp on high-density screens). */
export async function svgToPng(markup: string, scale = 2): Promise<Blob | null> {
  const image = new Image();
  const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml' }));
  try {
    image.src = url;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(image.width * scale));
    canvas.height = Math.max(1, Math.round(image.height * scale));
    const context = canvas.getContext('2d');
    if (!context) return null;
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Saves a table as a spreadsheet-safe CSV file (UTF-8 with BOM so Excel reads Chinese text). */
export function downloadCsv(fileName: string, columns: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): void {
  downloadBlob(new Blob([UTF8_BOM + toCsv(columns, rows)], { type: 'text/csv' }), fileName);
}
