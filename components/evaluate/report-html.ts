/**
 * The evaluation report: one self-contained HTML file (inline CSS and SVG, no scripts, no external
 * assets) with the metrics, the gates, the champion comparison, the confusion matrix and plots of
 * the ROC and precision–recall curves, calibration, score distribution and training history.
 */

export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  readonly color: string;
  readonly dashed?: boolean;
}

export interface Marker {
  readonly x: number;
  readonly y: number;
  readonly label: string;
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly markers?: readonly Marker[];
  readonly xDomain?: readonly [number, number];
  readonly yDomain?: readonly [number, number];
  /** Draw y = x (chance line for ROC, perfect calibration). */
  readonly diagonal?: boolean;
}

const W = 420;
const H = 320;
const PAD = { left: 54, right: 16, top: 30, bottom: 44 };

export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 2 : 0);
}

function domain(values: number[], fixed?: readonly [number, number]): [number, number] {
  if (fixed) return [fixed[0], fixed[1]];
  const finite = values.filter(Number.isFinite);
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

export function lineChart(o: ChartOptions): string {
  const [x0, x1] = domain(o.series.flatMap((s) => s.points.map((p) => p[0])), o.xDomain);
  const [y0, y1] = domain(o.series.flatMap((s) => s.points.map((p) => p[1])), o.yDomain);
  const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => H - PAD.bottom - ((y - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(o.title)}">`);
  parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" class="t">${esc(o.title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const xv = x0 + ((x1 - x0) * i) / 4;
    const yv = y0 + ((y1 - y0) * i) / 4;
    parts.push(`<line x1="${sx(xv)}" y1="${PAD.top}" x2="${sx(xv)}" y2="${H - PAD.bottom}" class="g"/>`);
    parts.push(`<line x1="${PAD.left}" y1="${sy(yv)}" x2="${W - PAD.right}" y2="${sy(yv)}" class="g"/>`);
    parts.push(`<text x="${sx(xv)}" y="${H - PAD.bottom + 14}" text-anchor="middle" class="a">${fmt(xv)}</text>`);
    parts.push(`<text x="${PAD.left - 6}" y="${sy(yv) + 4}" text-anchor="end" class="a">${fmt(yv)}</text>`);
  }
  parts.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${W - PAD.left - PAD.right}" height="${H - PAD.top - PAD.bottom}" class="f"/>`);
  parts.push(`<text x="${W / 2}" y="${H - 8}" text-anchor="middle" class="l">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${H / 2}) rotate(-90)" text-anchor="middle" class="l">${esc(o.yLabel)}</text>`);
  if (o.diagonal) parts.push(`<line x1="${sx(Math.max(x0, y0))}" y1="${sy(Math.max(x0, y0))}" x2="${sx(Math.min(x1, y1))}" y2="${sy(Math.min(x1, y1))}" class="d"/>`);
  o.series.forEach((s, i) => {
    const d = s.points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1])).map((p, j) => `${j ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join('');
    if (d) parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    parts.push(`<rect x="${PAD.left + 8}" y="${PAD.top + 8 + i * 16}" width="10" height="10" fill="${s.color}"/><text x="${PAD.left + 22}" y="${PAD.top + 17 + i * 16}" class="a">${esc(s.name)}</text>`);
  });
  for (const m of o.markers ?? []) {
    parts.push(`<circle cx="${sx(m.x).toFixed(1)}" cy="${sy(m.y).toFixed(1)}" r="5" class="m"/><text x="${(sx(m.x) + 8).toFixed(1)}" y="${(sy(m.y) - 8).toFixed(1)}" class="a">${esc(m.label)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

export interface Bar {
  readonly label: string;
  readonly values: readonly number[];
}

/** Grouped bars (one colour per series), values on a log₁₊ scale when they span orders of magnitude. */
export function barChart(title: string, seriesNames: readonly string[], colors: readonly string[], bars: readonly Bar[], yLabel: string): string {
  const max = Math.max(1, ...bars.flatMap((b) => b.values));
  const log = max > 1000;
  const scale = (v: number) => (log ? Math.log10(1 + v) / Math.log10(1 + max) : v / max);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const groupW = plotW / Math.max(1, bars.length);
  const barW = (groupW * 0.8) / Math.max(1, seriesNames.length);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">`];
  parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" class="t">${esc(title)}</text>`);
  parts.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" class="f"/>`);
  bars.forEach((b, i) => {
    b.values.forEach((v, j) => {
      const h = scale(v) * plotH;
      parts.push(`<rect x="${(PAD.left + i * groupW + groupW * 0.1 + j * barW).toFixed(1)}" y="${(H - PAD.bottom - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${colors[j]}"><title>${esc(`${b.label} ${seriesNames[j]}: ${v}`)}</title></rect>`);
    });
    if (i % Math.ceil(bars.length / 10) === 0) parts.push(`<text x="${(PAD.left + i * groupW + groupW / 2).toFixed(1)}" y="${H - PAD.bottom + 14}" text-anchor="middle" class="a">${esc(b.label)}</text>`);
  });
  seriesNames.forEach((s, j) => parts.push(`<rect x="${PAD.left + 8}" y="${PAD.top + 8 + j * 16}" width="10" height="10" fill="${colors[j]}"/><text x="${PAD.left + 22}" y="${PAD.top + 17 + j * 16}" class="a">${esc(s)}</text>`));
  parts.push(`<text transform="translate(14 ${H / 2}) rotate(-90)" text-anchor="middle" class="l">${esc(log ? `${yLabel} (log scale)` : yLabel)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

export interface ReportTable {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
  /** Per row: 'pass' | 'fail' colours the row. */
  readonly status?: readonly ('pass' | 'fail' | undefined)[];
}

export function table(t: ReportTable): string {
  const cell = (v: string | number) => `<td>${esc(typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(4)) : v)}</td>`;
  const rows = t.rows.map((r, i) => `<tr${t.status?.[i] ? ` class="${t.status[i]}"` : ''}>${r.map(cell).join('')}</tr>`).join('');
  return `<h2>${esc(t.title)}</h2><table><thead><tr>${t.header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>`;
}

export interface ReportPage {
  readonly title: string;
  readonly summary: string;
  readonly passed: boolean;
  readonly tables: readonly ReportTable[];
  readonly charts: readonly string[];
  readonly notes?: readonly string[];
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:24px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}tr.pass td{background:#eef8ee}tr.fail td{background:#fbeaea}
.badge{display:inline-block;padding:2px 10px;border-radius:10px;color:#fff;font-weight:600}.ok{background:#2e7d32}.no{background:#c62828}
.charts{display:flex;flex-wrap:wrap;gap:12px}svg{border:1px solid #eee;background:#fff}
.t{font-size:13px;font-weight:600}.a{font-size:10px;fill:#444}.l{font-size:11px;fill:#222}.g{stroke:#eee}.f{fill:none;stroke:#999}
.d{stroke:#aaa;stroke-dasharray:4 4}.m{fill:#c62828;stroke:#fff}`;

export function renderReport(p: ReportPage): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(p.title)}</title><style>${CSS}</style></head>
<body><h1>${esc(p.title)} <span class="badge ${p.passed ? 'ok' : 'no'}">${p.passed ? 'PASSED' : 'FAILED'}</span></h1>
<p>${esc(p.summary)}</p>
${p.tables.map(table).join('\n')}
<h2>Plots</h2><div class="charts">${p.charts.join('\n')}</div>
${(p.notes ?? []).map((n) => `<p>${esc(n)}</p>`).join('\n')}
</body></html>
`;
}
