/**
 * Hand-written SVG charts for RESULTS.md: horizontal bars (one per system) and simple line
 * charts (one series per system over a parameter). No chart library.
 */
export interface Bar {
  label: string;
  value: number;
  /** Optional second value drawn as a thin marker (e.g. p99 next to a p50 bar). */
  marker?: number;
}

const PALETTE = ['#2b6cb0', '#dd6b20', '#38a169', '#805ad5', '#d53f8c', '#718096', '#b7791f'];
const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const formatValue = (value: number) =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);

export function barChart(title: string, unit: string, bars: readonly Bar[]): string {
  const labelWidth = 260;
  const plotWidth = 420;
  const rowHeight = 24;
  const top = 34;
  const height = top + bars.length * rowHeight + 16;
  const max = Math.max(1e-9, ...bars.map((bar) => Math.max(bar.value, bar.marker ?? 0)));
  const rows = bars.map((bar, index) => {
    const y = top + index * rowHeight;
    const width = Number.isFinite(bar.value) ? (bar.value / max) * plotWidth : 0;
    const marker =
      bar.marker !== undefined && Number.isFinite(bar.marker)
        ? `<line x1="${labelWidth + (bar.marker / max) * plotWidth}" x2="${labelWidth + (bar.marker / max) * plotWidth}" y1="${y + 2}" y2="${y + rowHeight - 6}" stroke="#1a202c" stroke-width="2"/>`
        : '';
    return [
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${width.toFixed(1)}" height="${rowHeight - 10}" fill="${PALETTE[index % PALETTE.length]}"/>`,
      marker,
      `<text x="${labelWidth + width + 6}" y="${y + 15}">${formatValue(bar.value)} ${escapeXml(unit)}</text>`,
    ].join('');
  });
  return svg(labelWidth + plotWidth + 110, height, title, rows.join('\n'));
}

export interface Series {
  label: string;
  points: { x: number; y: number }[];
}

/** Line chart; `logX` spaces x logarithmically (map widths 1..1000). */
export function lineChart(
  title: string,
  xLabel: string,
  yLabel: string,
  series: readonly Series[],
  logX = false,
): string {
  const left = 60;
  const top = 34;
  const plotWidth = 480;
  const plotHeight = 220;
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y));
  const xs = all.map((p) => (logX ? Math.log10(Math.max(1, p.x)) : p.x));
  const minX = Math.min(...xs, 0);
  const maxX = Math.max(...xs, 1);
  const maxY = Math.max(...all.map((p) => p.y), 1e-9);
  const px = (x: number) =>
    left + (((logX ? Math.log10(Math.max(1, x)) : x) - minX) / (maxX - minX || 1)) * plotWidth;
  const py = (y: number) => top + plotHeight - (y / maxY) * plotHeight;
  const lines = series.map((s, index) => {
    const color = PALETTE[index % PALETTE.length];
    const path = s.points
      .filter((p) => Number.isFinite(p.y))
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`)
      .join(' ');
    const legendY = top + 14 + index * 16;
    return `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/><rect x="${left + plotWidth + 14}" y="${legendY - 9}" width="10" height="10" fill="${color}"/><text x="${left + plotWidth + 28}" y="${legendY}">${escapeXml(s.label)}</text>`;
  });
  const ticks = [...new Set(all.map((p) => p.x))]
    .map((x) => `<text x="${px(x)}" y="${top + plotHeight + 16}" text-anchor="middle">${x}</text>`)
    .join('');
  const axes = [
    `<line x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}" stroke="#4a5568"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#4a5568"/>`,
    `<text x="${left - 6}" y="${top + 4}" text-anchor="end">${formatValue(maxY)}</text>`,
    `<text x="${left - 6}" y="${top + plotHeight}" text-anchor="end">0</text>`,
    `<text x="${left + plotWidth / 2}" y="${top + plotHeight + 32}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text x="14" y="${top + plotHeight / 2}" transform="rotate(-90 14 ${top + plotHeight / 2})" text-anchor="middle">${escapeXml(yLabel)}</text>`,
  ].join('');
  return svg(left + plotWidth + 240, top + plotHeight + 44, title, axes + ticks + lines.join(''));
}

function svg(width: number, height: number, title: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>
${body}
</svg>
`;
}
