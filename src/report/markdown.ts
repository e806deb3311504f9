import { RULE_IDS } from '../core/types.js';
import type { ScanResult } from '../scan/types.js';
import { plural, publicRuleId, ruleDocsUrl, summarize } from './common.js';

/** A table cell: pipes escaped, line breaks flattened, HTML-significant characters neutralised. */
export function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Inline code that survives backticks in the content. */
function code(text: string): string {
  const ticks = '`'.repeat(Math.max(1, ...(text.match(/`+/g) ?? []).map((m) => m.length + 1)));
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${cell(text).replace(/&lt;/g, '<').replace(/&gt;/g, '>')}${pad}${ticks}`;
}

/** A report for a pull-request comment: a headline, a findings table, a per-rule summary, and what was not analysed. */
export function formatMarkdown(result: ScanResult): string {
  const summary = summarize(result);
  const out: string[] = [];
  if (summary.findings === 0) {
    out.push(`### loop-audit: no problems in ${plural(summary.files, 'file')}`);
  } else {
    out.push(
      `### loop-audit: ${plural(summary.findings, 'problem')} (${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}) in ${summary.filesWithFindings} of ${plural(summary.files, 'file')}`,
      '',
      '| Severity | Rule | Location | Message |',
      '| --- | --- | --- | --- |',
    );
    for (const f of result.findings) {
      const severity = f.severity === 'error' ? ':x: error' : ':warning: warning';
      out.push(`| ${severity} | [${code(publicRuleId(f.ruleId))}](${ruleDocsUrl(f.ruleId)}) | ${code(`${f.file}:${f.line}:${f.column}`)} | ${cell(f.message)} |`);
    }
    out.push('', '| Rule | Errors | Warnings |', '| --- | ---: | ---: |');
    for (const id of RULE_IDS) out.push(`| ${code(publicRuleId(id))} | ${summary.byRule[id].errors} | ${summary.byRule[id].warnings} |`);
  }
  if (result.errors.length > 0) {
    out.push('', `<details><summary>${plural(result.errors.length, 'file')} not analysed</summary>`, '', '| File | Reason |', '| --- | --- |');
    for (const e of result.errors) out.push(`| ${code(e.file)} | ${cell(e.message)} |`);
    out.push('', '</details>');
  }
  return `${out.join('\n')}\n`;
}
