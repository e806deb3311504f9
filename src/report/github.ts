import type { ScanResult } from '../scan/types.js';
import { plural, publicRuleId, summarize } from './common.js';

/** Workflow-command message data: `%`, CR and LF would end or corrupt the command. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow-command property values: also `:` and `,`, which separate properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(kind: 'error' | 'warning' | 'notice', properties: Record<string, string | number | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${kind}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

/** GitHub Actions annotations: one workflow command per finding (and per file that failed or was skipped). */
export function formatGithub(result: ScanResult): string {
  const lines: string[] = [];
  for (const f of result.findings) {
    lines.push(
      command(
        f.severity === 'error' ? 'error' : 'warning',
        { file: f.file, line: f.line, endLine: f.endLine, col: f.column, endColumn: f.endLine === f.line ? f.endColumn : undefined, title: publicRuleId(f.ruleId) },
        f.message,
      ),
    );
  }
  for (const e of result.errors) {
    lines.push(command(e.skipped ? 'notice' : 'error', { file: e.file, title: 'loop-audit' }, e.message));
  }
  const summary = summarize(result);
  lines.push(`loop-audit: ${plural(summary.findings, 'problem')} (${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}) in ${plural(summary.files, 'file')}`);
  return `${lines.join('\n')}\n`;
}
