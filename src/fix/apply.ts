import type { Finding, TextEdit } from '../core/types.js';

const BOM = '\uFEFF';
/** ESLint's own limit; the same number keeps `eslint --fix` and `loop-audit fix` in step. */
export const MAX_FIX_PASSES = 10;

/**
 * One report's edits as one replacement spanning all of them, the way ESLint merges the
 * fixes of a report. Two findings whose spans overlap then wait for the next pass in both
 * tools alike, which is what keeps their outputs byte-identical.
 */
export function mergeEdits(text: string, edits: readonly TextEdit[]): TextEdit {
  if (edits.length === 0) throw new Error('loop-audit: a fix needs at least one edit');
  if (edits.length === 1) return { ...edits[0]! };
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const start = sorted[0]!.start;
  const end = sorted.at(-1)!.end;
  let merged = '';
  let lastPos = Number.MIN_SAFE_INTEGER;
  for (const edit of sorted) {
    if (edit.start < lastPos) throw new Error('loop-audit: the edits of one fix overlap');
    if (edit.start > end || edit.start > edit.end) throw new Error('loop-audit: an edit has an inverted range');
    merged += text.slice(Math.max(start, lastPos), edit.start) + edit.text;
    lastPos = edit.end;
  }
  merged += text.slice(Math.max(start, lastPos), end);
  return { start, end, text: merged };
}

export interface PassResult {
  output: string;
  applied: Finding[];
}

/** Applies the non-overlapping fixes of one pass, in range order; overlapping ones wait. */
export function applyFixPass(text: string, findings: readonly Finding[]): PassResult {
  const fixes = findings
    .filter((finding) => finding.fix && finding.fix.length > 0)
    .map((finding) => ({ finding, edit: mergeEdits(text, finding.fix!) }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end);
  let output = '';
  let lastPos = Number.NEGATIVE_INFINITY;
  const applied: Finding[] = [];
  for (const { finding, edit } of fixes) {
    if (lastPos >= edit.start || edit.start > edit.end) continue;
    output += text.slice(Math.max(0, lastPos), Math.max(0, edit.start)) + edit.text;
    lastPos = edit.end;
    applied.push(finding);
  }
  output += text.slice(Math.max(0, lastPos));
  return { output, applied };
}

export interface FixOutcome {
  output: string;
  /** Findings whose fixes were applied, across all passes (offsets of the pass they were applied in). */
  applied: Finding[];
  /** Fixes left out because the file did not parse with them, with the text their offsets are in. */
  dropped: { finding: Finding; reason: string; text: string }[];
  passes: number;
}

export interface FixDriver {
  /** Analyses a version of the file's text (BOM removed) and returns its findings with fixes. */
  analyze(text: string): Finding[];
  /** How many syntax errors the text has: a fix may never add one. */
  syntaxErrors(text: string): number;
}

/**
 * Fixes a file the way `eslint --fix` does (analyse, apply non-overlapping fixes, repeat, up to
 * ten passes), except that a pass whose result parses worse than its input is redone fix by
 * fix, and the fixes that break the parse are dropped with a reason.
 */
export function fixText(source: string, driver: FixDriver, only?: (finding: Finding) => boolean): FixOutcome {
  const bom = source.startsWith(BOM) ? BOM : '';
  let text = bom ? source.slice(1) : source;
  const applied: Finding[] = [];
  const dropped: FixOutcome['dropped'] = [];
  const refused = new Set<string>();
  let passes = 0;
  while (passes < MAX_FIX_PASSES) {
    const candidates = driver.analyze(text).filter((finding) => finding.fix && finding.fix.length > 0 && (!only || only(finding)) && !refused.has(fixKey(text, finding)));
    if (candidates.length === 0) break;
    passes++;
    const baseline = driver.syntaxErrors(text);
    let pass = applyFixPass(text, candidates);
    if (driver.syntaxErrors(pass.output) > baseline) {
      const safe = candidates.filter((finding) => {
        const alone = applyFixPass(text, [finding]).output;
        if (driver.syntaxErrors(alone) <= baseline) return true;
        refused.add(fixKey(text, finding));
        dropped.push({ finding, reason: `the fix of ${finding.ruleId} would leave a syntax error; not applied`, text });
        return false;
      });
      pass = applyFixPass(text, safe);
      // Each fix parses alone but not together: keep only the first, the rest wait a pass.
      if (driver.syntaxErrors(pass.output) > baseline) pass = applyFixPass(text, safe.slice(0, 1));
    }
    if (pass.applied.length === 0 || pass.output === text) break;
    applied.push(...pass.applied);
    text = pass.output;
  }
  return { output: bom + text, applied, dropped, passes };
}

/** Identifies a fix within one version of the text, so a refused fix is not retried on it. */
function fixKey(text: string, finding: Finding): string {
  const edit = mergeEdits(text, finding.fix!);
  return `${finding.ruleId}:${edit.start}:${edit.end}:${edit.text}`;
}
