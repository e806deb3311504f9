import path from 'node:path';
import { expect, it } from 'vitest';
import type { RuleSelection } from '../../src/core/analyze.js';
import type { RuleId } from '../../src/core/types.js';
import { analyzePythonFiles, type LocatedFinding } from '../../src/python/engine.js';

export const VIRTUAL_ROOT = path.resolve('/virtual-python-project');

export interface PyResult {
  findings: (LocatedFinding & { file: string })[];
  errors: { file: string; kind: string; message: string }[];
}

/**
 * Analyses in-memory Python files (paths relative to a virtual root) with the real parser and
 * detectors; nothing touches the disk. The first file is the one analysed unless `analyze` says.
 */
export async function analyzeSources(files: Record<string, string>, options: { rules?: RuleSelection; analyze?: string[] } = {}): Promise<PyResult> {
  const absolute = new Map(Object.entries(files).map(([name, text]) => [path.join(VIRTUAL_ROOT, name), text]));
  const analyze = (options.analyze ?? [Object.keys(files)[0]!]).map((name) => path.join(VIRTUAL_ROOT, name));
  const outcomes = await analyzePythonFiles({
    files: [...absolute.keys()],
    analyze,
    roots: [VIRTUAL_ROOT],
    selection: options.rules ?? {},
    read: (file) => {
      const text = absolute.get(file);
      return text === undefined ? { ok: false, error: { path: file, kind: 'vanished', message: 'no such virtual file', skipped: false } } : { ok: true, text };
    },
  });
  const result: PyResult = { findings: [], errors: [] };
  for (const [file, outcome] of outcomes) {
    const rel = path.relative(VIRTUAL_ROOT, file);
    for (const finding of outcome.findings) result.findings.push({ ...finding, file: rel });
    for (const error of outcome.errors) result.errors.push({ file: rel, kind: error.kind, message: error.message });
  }
  return result;
}

/** Only one rule's findings, as `line:messageId`. */
export async function ruleFindings(ruleId: RuleId, code: string, others: Record<string, string> = {}, rules?: RuleSelection): Promise<string[]> {
  const result = await analyzeSources({ 'app/main.py': code, ...others }, { rules });
  if (result.errors.length > 0) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return result.findings.filter((f) => f.ruleId === ruleId).map((f) => `${f.line}:${f.messageId}`);
}

export interface RuleCase {
  name: string;
  /** The file analysed (`app/main.py` unless `file` says); lines ending `# expect: <messageId>` are the findings expected. */
  code: string;
  file?: string;
  /** Other project files, by path relative to the virtual root. */
  others?: Record<string, string>;
  options?: object;
}

/** `line:messageId` of every `# expect: a, b` marker in the code. */
export function expectedMarkers(code: string): string[] {
  const expected: string[] = [];
  code.split('\n').forEach((line, i) => {
    const match = /#\s*expect:\s*([\w, ]+)\s*$/.exec(line);
    if (match)
      for (const id of match[1]!
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean))
        expected.push(`${i + 1}:${id}`);
  });
  return expected.sort();
}

/** Runs one rule over a case and returns what it reported, in the markers' format. */
export async function caseFindings(ruleId: RuleId, c: RuleCase): Promise<string[]> {
  const file = c.file ?? 'app/main.py';
  const result = await analyzeSources({ [file]: c.code, ...(c.others ?? {}) }, { rules: { [ruleId]: c.options ?? {} } });
  if (result.errors.length > 0) throw new Error(`${c.name}: unexpected errors: ${JSON.stringify(result.errors)}`);
  return result.findings
    .filter((f) => f.ruleId === ruleId)
    .map((f) => `${f.line}:${f.messageId}`)
    .sort();
}

/** The per-rule case table's tests: at least 25 of each; every invalid case reports exactly its markers, no valid one reports. */
export function ruleCaseTests(ruleId: RuleId, valid: readonly RuleCase[], invalid: readonly RuleCase[]): void {
  it('has at least 25 valid and 25 invalid cases', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(25);
    expect(valid.length).toBeGreaterThanOrEqual(25);
  });
  for (const c of invalid) {
    it(`reports: ${c.name}`, async () => {
      const expected = expectedMarkers(c.code);
      expect(expected.length).toBeGreaterThan(0);
      expect(await caseFindings(ruleId, c)).toEqual(expected);
    });
  }
  for (const c of valid) {
    it(`does not report: ${c.name}`, async () => {
      expect(await caseFindings(ruleId, c)).toEqual([]);
    });
  }
}
