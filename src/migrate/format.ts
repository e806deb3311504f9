import type { MigrateResult } from './types.js';

/** The report as people read it: a summary line, then what changed, what was refused and why, and notes. */
export function formatMigrateReport(result: MigrateResult): string {
  const s = result.summary;
  const lines: string[] = [];
  const what =
    s.wrappersFound === 0
      ? 'no sync wrappers in scope'
      : result.mode === 'runner'
        ? `${s.wrappersMovedToRunner} of ${s.wrappersFound} wrappers moved onto @loop-audit/runtime's runner`
        : `${s.wrappersRemoved} of ${s.wrappersFound} wrappers removed, ${s.callSitesRewritten} calls rewritten, ${s.functionsMadeAsync} functions made async (${s.entryPoints} entry points)`;
  const floating = s.floatingFixed > 0 ? `, ${s.floatingFixed} entry points and floating promises fixed` : '';
  const written = result.write
    ? `${s.filesChanged} files written`
    : s.filesChanged > 0
      ? `${s.filesChanged} files would change (dry run: run with --write to apply)`
      : s.unhandled > 0
        ? `nothing to change, but ${s.unhandled} ${s.unhandled === 1 ? 'finding is' : 'findings are'} left in scope (below)`
        : 'nothing to change';
  lines.push(`loop-audit migrate (${result.scope}, ${result.mode}): ${what}${floating} in ${s.filesInScope} ${s.filesInScope === 1 ? 'file' : 'files'}; ${written}.`);
  if (result.changes.length > 0) {
    lines.push('', 'Changes:');
    for (const change of result.changes) lines.push(`  ${change.file}:${change.line}  ${change.message}`);
  }
  if (result.refusals.length > 0) {
    lines.push('', `Not migrated (${result.refusals.length}):`);
    for (const refusal of result.refusals) lines.push(`  ${refusal.file}:${refusal.line}  [${refusal.kind}] ${refusal.message}`);
  }
  if (result.unhandled.length > 0) {
    const elsewhere = s.filesChanged > 0 ? ' in the files it did not change (a second run checks the changed ones)' : '';
    lines.push('', `Left in ${result.scope} (${result.unhandled.length}): findings this run does not handle${elsewhere}`);
    for (const item of result.unhandled) {
      lines.push(`  ${item.file}:${item.line}  ${item.ruleId}: ${item.message}`);
      lines.push(`      why: ${item.reason}`);
      lines.push(`      do:  ${item.todo}`);
    }
  }
  if (result.notes.length > 0) {
    lines.push('', 'Notes:');
    for (const note of result.notes) lines.push(`  - ${note}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The JSON report: the result as it is, with a format version for tools that read it. */
export function formatMigrateJson(result: MigrateResult): string {
  return `${JSON.stringify({ version: 1, tool: 'loop-audit', command: 'migrate', ...result }, null, 2)}\n`;
}
