import type { PhaseProgress, PhaseStatus, ProgressReport } from './compute.js';
import type { HistoryReport } from './history-types.js';

export const PROGRESS_FORMATS = ['pretty', 'json', 'markdown', 'html'] as const;
export type ProgressFormat = (typeof PROGRESS_FORMATS)[number];

export interface FormatOptions {
  /** ANSI colours in `pretty`. */
  color?: boolean;
  history?: HistoryReport;
}

/** What `--format json` prints: the report, and the burndown when `--history` was asked for. */
export interface ProgressJson extends ProgressReport {
  history?: HistoryReport;
}

export function formatProgress(report: ProgressReport, format: ProgressFormat, options: FormatOptions = {}): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(options.history ? { ...report, history: options.history } : report, null, 2)}\n`;
    case 'markdown':
      return formatMarkdown(report, options.history);
    case 'html':
      return formatHtml(report, options.history);
    default:
      return formatPretty(report, options);
  }
}

function bar(percent: number, width: number): string {
  const full = Math.round((percent / 100) * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

function dash(value: number | null): string {
  return value === null ? '-' : String(value);
}

const STATUS_COLOR: Record<PhaseStatus, string> = { done: '32', 'in progress': '33', 'not started': '36', blocked: '90' };

function packagesNote(phase: PhaseProgress): string | undefined {
  if (phase.packages.length === 0) return undefined;
  return `${phase.name}: bridge packages still declared: ${phase.packages.map((p) => `${p.name} (${p.field})`).join(', ')}`;
}

function baselineLine(report: ProgressReport): string {
  return report.baseline
    ? `baseline ${report.baseline.file} (${report.baseline.findings} findings): ${report.totals.resolved} resolved, ${report.totals.new} new`
    : 'no baseline: run `loop-audit baseline` to measure progress within a phase';
}

export function formatPretty(report: ProgressReport, options: FormatOptions = {}): string {
  const paint = (code: string, text: string): string => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const nameWidth = Math.max(5, ...report.phases.map((p) => p.name.length));
  const header = ['#'.padStart(2), 'phase'.padEnd(nameWidth), 'status'.padEnd(11), 'progress'.padEnd(25), 'remaining', 'resolved', 'new'];
  const lines = [`loop-audit progress: ${report.root}`, baselineLine(report), '', header.join('  ')];
  report.phases.forEach((phase, i) => {
    const status = paint(STATUS_COLOR[phase.status], phase.status.padEnd(11));
    const progress = `${bar(phase.percent, 20)} ${String(phase.percent).padStart(3)}%`;
    lines.push(
      [String(i + 1).padStart(2), phase.name.padEnd(nameWidth), status, progress, String(phase.remaining).padStart(9), dash(phase.resolved).padStart(8), dash(phase.new).padStart(3)].join('  '),
    );
  });
  lines.push('');
  for (const phase of report.phases) {
    const note = packagesNote(phase);
    if (note) lines.push(note);
  }
  lines.push(report.currentPhase ? `current phase: ${report.currentPhase}; overall ${report.overallPercent}%` : `migration complete: every phase is done (overall ${report.overallPercent}%)`);
  if (options.history) lines.push(historySummary(options.history));
  return `${lines.join('\n')}\n`;
}

function historySummary(history: HistoryReport): string {
  const first = history.points[0];
  const last = history.points.at(-1);
  const span =
    first && last
      ? `${history.points.length} points from ${first.commit.slice(0, 8)} (${first.date.slice(0, 10)}) to ${last.commit.slice(0, 8)} (${last.date.slice(0, 10)}): ${first.total} → ${last.total} findings`
      : 'no commits in range';
  return [`history: ${span}`, ...history.notes].join('\n');
}

const STATUS_MARK: Record<PhaseStatus, string> = { done: '✅', 'in progress': '🟡', 'not started': '⚪', blocked: '⛔' };

function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function formatMarkdown(report: ProgressReport, history?: HistoryReport): string {
  const title = report.currentPhase
    ? `### loop-audit migration progress: ${report.overallPercent}% overall, current phase \`${report.currentPhase}\``
    : `### loop-audit migration progress: complete (${report.overallPercent}%)`;
  const lines = [title, '', `_${mdCell(baselineLine(report))}_`, '', '| # | phase | status | progress | remaining | resolved | new |', '| ---: | --- | --- | --- | ---: | ---: | ---: |'];
  report.phases.forEach((phase, i) => {
    lines.push(
      `| ${i + 1} | ${mdCell(phase.name)} | ${STATUS_MARK[phase.status]} ${phase.status} | \`${bar(phase.percent, 10)}\` ${phase.percent}% | ${phase.remaining} | ${dash(phase.resolved)} | ${dash(phase.new)} |`,
    );
  });
  const notes = report.phases.map(packagesNote).filter((n): n is string => n !== undefined);
  if (notes.length > 0) lines.push('', ...notes.map((n) => `- ${mdCell(n)}`));
  if (history) {
    lines.push(
      '',
      '<details><summary>Burndown</summary>',
      '',
      `| commit | date | ${report.phases.map((p) => mdCell(p.name)).join(' | ')} | total |`,
      `| --- | --- | ${report.phases.map(() => '---:').join(' | ')} | ---: |`,
    );
    for (const point of history.points) {
      lines.push(`| \`${point.commit.slice(0, 8)}\` | ${point.date.slice(0, 10)} | ${report.phases.map((p) => point.phases[p.name] ?? 0).join(' | ')} | ${point.total} |`);
    }
    if (history.notes.length > 0) lines.push('', ...history.notes.map((n) => `- ${mdCell(n)}`));
    lines.push('', '</details>');
  }
  return `${lines.join('\n')}\n`;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STATUS_FILL: Record<PhaseStatus, string> = { done: '#2e9e5b', 'in progress': '#d9a400', 'not started': '#3a7bd5', blocked: '#9aa0a6' };
const SERIES_COLORS = ['#3a7bd5', '#d9534f', '#2e9e5b', '#d9a400', '#8e44ad', '#16a085', '#e67e22', '#34495e'];

/** Horizontal bars, one per phase: percent done, coloured by status. */
function phaseChart(report: ProgressReport): string {
  const rowHeight = 28;
  const labelWidth = 150;
  const barWidth = 400;
  const height = report.phases.length * rowHeight + 30;
  const rows = report.phases.map((phase, i) => {
    const y = 10 + i * rowHeight;
    const w = Math.round((phase.percent / 100) * barWidth);
    return [
      `<g class="phase-bar" data-phase="${esc(phase.name)}" data-percent="${phase.percent}">`,
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${esc(phase.name)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${barWidth}" height="20" fill="#eceff1"/>`,
      `<rect x="${labelWidth}" y="${y}" width="${w}" height="20" fill="${STATUS_FILL[phase.status]}"><title>${esc(`${phase.name}: ${phase.percent}% (${phase.status})`)}</title></rect>`,
      `<text x="${labelWidth + barWidth + 8}" y="${y + 15}">${phase.percent}% · ${esc(phase.status)}</text>`,
      '</g>',
    ].join('');
  });
  return `<svg id="phase-chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="percent done per phase" width="${labelWidth + barWidth + 140}" height="${height}" font-family="sans-serif" font-size="13">${rows.join('')}</svg>`;
}

/** Lines of remaining findings per phase (and in total) over the sampled commits. */
function burndownChart(report: ProgressReport, history: HistoryReport): string {
  const width = 720;
  const height = 300;
  const pad = { left: 50, right: 20, top: 20, bottom: 60 };
  const points = history.points;
  const series = [...report.phases.map((p) => ({ name: p.name, values: points.map((pt) => pt.phases[p.name] ?? 0) })), { name: 'total', values: points.map((pt) => pt.total) }];
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const x = (i: number): number => pad.left + (points.length <= 1 ? 0 : (i * (width - pad.left - pad.right)) / (points.length - 1));
  const y = (v: number): number => pad.top + (height - pad.top - pad.bottom) * (1 - v / max);
  const parts: string[] = [];
  parts.push(`<line x1="${pad.left}" y1="${y(0)}" x2="${width - pad.right}" y2="${y(0)}" stroke="#555"/>`, `<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${y(0)}" stroke="#555"/>`);
  for (const tick of [0, Math.round(max / 2), max]) parts.push(`<text x="${pad.left - 6}" y="${y(tick) + 4}" text-anchor="end">${tick}</text>`);
  // Label at most eight commits (always the first and the last) so dates never overlap.
  const labelEvery = Math.max(1, Math.ceil(points.length / 8));
  points.forEach((point, i) => {
    if (i % labelEvery !== 0 && i !== points.length - 1) return;
    parts.push(
      `<text x="${x(i)}" y="${height - pad.bottom + 16}" text-anchor="middle" font-size="10">${esc(point.date.slice(0, 10))}</text>`,
      `<text x="${x(i)}" y="${height - pad.bottom + 28}" text-anchor="middle" font-size="9" fill="#666">${esc(point.commit.slice(0, 7))}</text>`,
    );
  });
  series.forEach((s, k) => {
    const color = s.name === 'total' ? '#000' : SERIES_COLORS[k % SERIES_COLORS.length];
    const coords = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline class="series" data-series="${esc(s.name)}" fill="none" stroke="${color}" stroke-width="${s.name === 'total' ? 3 : 2}" points="${coords}"><title>${esc(s.name)}</title></polyline>`,
    );
    s.values.forEach((v, i) =>
      parts.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${color}"><title>${esc(`${s.name} at ${points[i]!.commit.slice(0, 8)}: ${v}`)}</title></circle>`),
    );
    parts.push(
      `<rect x="${pad.left + k * 110}" y="${height - 22}" width="10" height="10" fill="${color}"/><text x="${pad.left + k * 110 + 14}" y="${height - 13}" font-size="11">${esc(s.name)}</text>`,
    );
  });
  return `<svg id="burndown-chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="remaining findings per phase over time" width="${Math.max(width, pad.left + series.length * 110)}" height="${height}" font-family="sans-serif" font-size="12">${parts.join('')}</svg>`;
}

/** One file, nothing fetched: inline styles, inline SVG, no script. */
export function formatHtml(report: ProgressReport, history?: HistoryReport): string {
  const rows = report.phases
    .map(
      (phase, i) =>
        `<tr data-phase="${esc(phase.name)}" data-status="${esc(phase.status)}"><td>${i + 1}</td><td><strong>${esc(phase.name)}</strong><div class="desc">${esc(phase.description)}</div></td><td><span class="status" style="background:${STATUS_FILL[phase.status]}">${esc(phase.status)}</span></td><td>${phase.percent}%</td><td>${phase.remaining}</td><td>${dash(phase.resolved)}</td><td>${dash(phase.new)}</td><td>${esc(phase.globs.join(', ') || 'everywhere')}</td><td>${phase.rules.map(esc).join('<br>')}</td></tr>`,
    )
    .join('\n');
  const notes = report.phases.map(packagesNote).filter((n): n is string => n !== undefined);
  const headline = report.currentPhase ? `${report.overallPercent}% overall · current phase <code>${esc(report.currentPhase)}</code>` : `complete · ${report.overallPercent}% overall`;
  const historyBlock = history
    ? `<h2>Burndown</h2>\n${history.points.length > 0 ? burndownChart(report, history) : '<p>No commits in range.</p>'}\n${history.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>loop-audit migration progress</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: 0.4rem 0.6rem; text-align: left; vertical-align: top; }
td:nth-child(4), td:nth-child(5), td:nth-child(6), td:nth-child(7) { text-align: right; }
.desc { color: #666; font-size: 0.85em; min-width: 16rem; max-width: 28rem; }
td:nth-child(8), td:nth-child(9) { font-size: 0.85em; font-family: ui-monospace, monospace; }
td:nth-child(9) { white-space: nowrap; }
.status { color: #fff; border-radius: 0.6rem; padding: 0.1rem 0.5rem; white-space: nowrap; }
.note { color: #8a4b00; }
</style>
</head>
<body>
<h1>loop-audit migration progress</h1>
<p id="headline">${headline}</p>
<p>${esc(baselineLine(report))}</p>
${phaseChart(report)}
<table id="phases">
<thead><tr><th>#</th><th>phase</th><th>status</th><th>done</th><th>remaining</th><th>resolved</th><th>new</th><th>layer</th><th>rules</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${notes.map((n) => `<p class="note">${esc(n)}</p>`).join('\n')}
${historyBlock}
</body>
</html>
`;
}
