import { RULE_IDS } from '../core/types.js';
import { PACKAGE } from '../version.js';
import type { ScanResult } from '../scan/types.js';
import { publicRuleId } from './common.js';

/** The `json` report, version 1. Its JSON Schema is schema/report.schema.json; the README documents it. */
export interface JsonReport {
  version: 1;
  /** `typeBackend`: the TypeScript that answered the type questions (see ScanResult.typeBackend). */
  tool: { name: string; version: string; typeBackend: 'typescript7' | 'typescript6' | 'none' };
  root: string;
  findings: {
    ruleId: string;
    family: string;
    severity: 'error' | 'warn';
    file: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    message: string;
    fixable: boolean;
  }[];
  errors: { file: string; message: string }[];
  summary: { files: number; findings: number; byRule: Record<string, number>; skipped?: { buildOutput: number; vendored: number; minified: number } };
}

export function toJsonReport(result: ScanResult): JsonReport {
  const byRule: Record<string, number> = Object.fromEntries(RULE_IDS.map((id) => [publicRuleId(id), 0]));
  for (const finding of result.findings) byRule[publicRuleId(finding.ruleId)]!++;
  return {
    version: 1,
    tool: { name: PACKAGE.name, version: PACKAGE.version, typeBackend: result.typeBackend },
    root: result.root,
    findings: result.findings.map((f) => ({
      ruleId: publicRuleId(f.ruleId),
      family: f.family,
      severity: f.severity,
      file: f.file,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      message: f.message,
      fixable: f.fixable,
    })),
    errors: result.errors.map((e) => ({ file: e.file, message: e.message })),
    summary: { files: result.files.length, findings: result.findings.length, byRule, ...(result.skipped ? { skipped: result.skipped } : {}) },
  };
}

export function formatJson(result: ScanResult): string {
  return `${JSON.stringify(toJsonReport(result), null, 2)}\n`;
}
