import { FAMILY_OF_RULE } from '../core/meta/index.js';
import { RULE_IDS } from '../core/types.js';
import type { ScanFinding, ScanResult } from '../scan/types.js';
import { FAMILIES, groupByFile, plural, publicRuleId, sourceReader, splitLines, summarize, type Counts } from './common.js';

export interface PrettyOptions {
  color: boolean;
  /** Lines of context around the reported line in code frames. */
  context?: number;
  readSource?: (path: string) => string | undefined;
}

type Paint = (text: string) => string;

function palette(color: boolean) {
  const wrap = (open: number, close: number): Paint => (color ? (text) => `\u001b[${open}m${text}\u001b[${close}m` : (text) => text);
  return { red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), cyan: wrap(36, 39), dim: wrap(2, 22), bold: wrap(1, 22), underline: wrap(4, 24) };
}

/** Longest line shown in a code frame: longer lines are cut to a window around the finding. */
const FRAME_WIDTH = 160;

function codeFrame(lines: readonly string[], finding: ScanFinding, context: number, c: ReturnType<typeof palette>): string[] {
  const first = Math.max(1, finding.line - context);
  const last = Math.min(lines.length, finding.line + context);
  const gutter = String(last).length;
  const target = lines[finding.line - 1] ?? '';
  // A window over very long lines, so the caret stays on screen.
  const windowStart = target.length > FRAME_WIDTH ? Math.max(0, Math.min(finding.column - 1 - 40, target.length - FRAME_WIDTH)) : 0;
  const cut = (line: string): string => {
    if (line.length <= FRAME_WIDTH && windowStart === 0) return line;
    const piece = line.slice(windowStart, windowStart + FRAME_WIDTH);
    return `${windowStart > 0 ? '…' : ''}${piece}${line.length > windowStart + FRAME_WIDTH ? '…' : ''}`;
  };
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const marker = n === finding.line ? c.red('>') : ' ';
    const text = cut(lines[n - 1] ?? '');
    out.push(`  ${marker} ${c.dim(`${String(n).padStart(gutter)} |`)} ${text}`);
    if (n === finding.line) {
      const startCol = finding.column - 1;
      const endCol = finding.endLine === finding.line ? finding.endColumn - 1 : target.length;
      const shownStart = startCol - windowStart + (windowStart > 0 ? 1 : 0);
      const width = Math.max(1, Math.min(endCol, windowStart + FRAME_WIDTH) - startCol);
      // Tabs stay tabs under the code so the caret lines up whatever the tab width.
      const pad = cut(target).slice(0, Math.max(0, shownStart)).replace(/[^\t]/g, ' ');
      out.push(`    ${c.dim(`${' '.repeat(gutter)} |`)} ${pad}${c.red('^'.repeat(width))}`);
    }
  }
  return out;
}

function table(rows: string[][], align: ('left' | 'right')[]): string[] {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => stripAnsi(row[col]!).length)));
  return rows.map((row) =>
    row
      .map((cell, col) => {
        const padding = ' '.repeat(widths[col]! - stripAnsi(cell).length);
        return align[col] === 'right' ? padding + cell : cell + padding;
      })
      .join('  ')
      .trimEnd(),
  );
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[\d+m/g, '');
}

/**
 * The human report: findings grouped by file with a code frame each, the files that could not be
 * analysed, then a summary table per rule and per family and a one-line verdict.
 */
export function formatPretty(result: ScanResult, options: PrettyOptions): string {
  const c = palette(options.color);
  const read = options.readSource ?? sourceReader();
  const context = options.context ?? 1;
  const out: string[] = [];
  for (const [file, findings] of groupByFile(result.findings)) {
    out.push(c.underline(c.bold(file)));
    const text = read(findings[0]!.path);
    const lines = text === undefined ? undefined : splitLines(text);
    for (const finding of findings) {
      const severity = finding.severity === 'error' ? c.red('error') : c.yellow('warn ');
      out.push(`  ${c.dim(`${finding.line}:${finding.column}`)}  ${severity}  ${finding.message}  ${c.dim(publicRuleId(finding.ruleId))}`);
      if (lines) out.push(...codeFrame(lines, finding, context, c));
      out.push('');
    }
  }
  const failed = result.errors.filter((e) => !e.skipped);
  const skipped = result.errors.filter((e) => e.skipped);
  if (failed.length > 0) {
    out.push(c.bold(c.red(`${plural(failed.length, 'file')} could not be analysed:`)));
    for (const error of failed) out.push(`  ${error.file}  ${error.message}`);
    out.push('');
  }
  if (skipped.length > 0) {
    out.push(c.bold(`${plural(skipped.length, 'file')} skipped:`));
    for (const error of skipped) out.push(`  ${error.file}  ${c.dim(error.message.replace(/^skipped: /, ''))}`);
    out.push('');
  }
  const summary = summarize(result);
  if (summary.findings > 0) {
    const counts = (n: Counts): string[] => [n.errors > 0 ? c.red(String(n.errors)) : '0', n.warnings > 0 ? c.yellow(String(n.warnings)) : '0'];
    const ruleRows = [[c.bold('Rule'), c.bold('Family'), c.bold('Errors'), c.bold('Warnings')]];
    for (const id of RULE_IDS) ruleRows.push([publicRuleId(id), result.config.rules[id].severity === 'off' ? c.dim('(off)') : FAMILY_OF_RULE[id], ...counts(summary.byRule[id])]);
    out.push(...table(ruleRows, ['left', 'left', 'right', 'right']), '');
    const familyRows = [[c.bold('Family'), c.bold('Errors'), c.bold('Warnings')]];
    for (const family of FAMILIES) familyRows.push([family, ...counts(summary.byFamily[family])]);
    out.push(...table(familyRows, ['left', 'right', 'right']), '');
    const verdict = `✖ ${plural(summary.findings, 'problem')} (${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}) in ${summary.filesWithFindings} of ${plural(summary.files, 'file')}`;
    out.push(summary.errors > 0 ? c.bold(c.red(verdict)) : c.bold(c.yellow(verdict)));
  } else {
    out.push(c.bold(c.green(`✔ no problems in ${plural(summary.files, 'file')}`)));
  }
  const left = skippedLine(result);
  if (left) out.push(c.dim(left));
  return `${out.join('\n')}\n`;
}

/** What was left out without being asked to, and how to include it: never a silent gap in the count. */
export function skippedLine(result: ScanResult): string | undefined {
  const skipped = result.skipped;
  if (!skipped) return undefined;
  const parts = [
    skipped.buildOutput > 0 ? `${plural(skipped.buildOutput, 'file')} as build output` : undefined,
    skipped.vendored > 0 ? `${plural(skipped.vendored, 'file')} as vendored` : undefined,
    skipped.minified > 0 ? `${plural(skipped.minified, 'file')} as minified` : undefined,
  ].filter((part): part is string => part !== undefined);
  if (parts.length === 0) return undefined;
  return `Not scanned: ${parts.join(', ')}. Name a folder or file to scan it (loop-audit scan dist); a named path is always scanned.`;
}
