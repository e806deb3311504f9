import { readFileSync } from 'node:fs';
import { RULE_IDS, type Family, type RuleId } from '../core/types.js';
import { isPythonFile } from '../python/files.js';
import { readPythonText } from '../python/source.js';
import type { ScanFinding, ScanResult } from '../scan/types.js';
import { PACKAGE, ruleDocsUrl as docsUrlOf } from '../version.js';

export const RULE_PREFIX = 'loop-audit/';
export const HOMEPAGE = PACKAGE.repositoryUrl;

/** The public rule id, as in an ESLint config: `loop-audit/no-sync-bridge`. */
export function publicRuleId(id: RuleId): string {
  return `${RULE_PREFIX}${id}`;
}

export function ruleDocsUrl(id: RuleId): string {
  return docsUrlOf(id);
}

export const FAMILIES: readonly Family[] = ['loop-per-call', 'sync-bridge', 'sync-wrapper', 'floating-promise'];

export interface Counts {
  errors: number;
  warnings: number;
}

export interface Summary {
  files: number;
  findings: number;
  errors: number;
  warnings: number;
  /** Files with at least one finding. */
  filesWithFindings: number;
  byRule: Record<RuleId, Counts>;
  byFamily: Record<Family, Counts>;
}

export function summarize(result: ScanResult): Summary {
  const byRule = Object.fromEntries(RULE_IDS.map((id) => [id, { errors: 0, warnings: 0 }])) as Record<RuleId, Counts>;
  const byFamily = Object.fromEntries(FAMILIES.map((f) => [f, { errors: 0, warnings: 0 }])) as Record<Family, Counts>;
  let errors = 0;
  let warnings = 0;
  const withFindings = new Set<string>();
  for (const finding of result.findings) {
    const key = finding.severity === 'error' ? 'errors' : 'warnings';
    byRule[finding.ruleId][key]++;
    byFamily[finding.family][key]++;
    if (finding.severity === 'error') errors++;
    else warnings++;
    withFindings.add(finding.file);
  }
  return { files: result.files.length, findings: result.findings.length, errors, warnings, filesWithFindings: withFindings.size, byRule, byFamily };
}

/** Source text for code frames and fingerprints, read once per file; undefined if the file is gone. */
export function sourceReader(): (path: string) => string | undefined {
  const texts = new Map<string, string | undefined>();
  return (path) => {
    if (!texts.has(path)) {
      let text: string | undefined;
      try {
        // A Python file may declare its encoding (PEP 263): read it as the scanner did.
        text = isPythonFile(path) ? readPythonText(path) : readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
      } catch {
        text = undefined;
      }
      texts.set(path, text);
    }
    return texts.get(path);
  };
}

/** Lines split as ESLint and TypeScript split them: \r\n, \n, \r, U+2028, U+2029. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|[\n\r\u2028\u2029]/);
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

export function groupByFile(findings: readonly ScanFinding[]): Map<string, ScanFinding[]> {
  const groups = new Map<string, ScanFinding[]>();
  for (const finding of findings) {
    const list = groups.get(finding.file);
    if (list) list.push(finding);
    else groups.set(finding.file, [finding]);
  }
  return groups;
}
