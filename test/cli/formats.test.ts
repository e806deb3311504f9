import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
// CommonJS module: its default export is `module.exports`, whose `default` is the class.
import AjvDraft04 from 'ajv-draft-04';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatReport, FORMATS } from '../../src/report/index.js';
import { escapeData, escapeProperty, formatGithub } from '../../src/report/github.js';
import { cell, formatMarkdown } from '../../src/report/markdown.js';
import { toSarif } from '../../src/report/sarif.js';
import { scan } from '../../src/scan/scan.js';
import type { ScanResult } from '../../src/scan/types.js';
import { fixturesRoot, repoRoot } from '../scan/helpers.js';

let result: ScanResult;

beforeAll(async () => {
  result = await scan({ cwd: repoRoot, paths: ['fixtures/sample'], config: false });
});

/** A result with hostile text in every field a format has to escape. */
function hostile(): ScanResult {
  const finding = result.findings[0]!;
  return {
    ...result,
    findings: [{ ...finding, file: 'src/we,ird:na%me|x.ts', message: 'line one\r\nline two: 100% | `code` <b>, done' }],
    errors: [{ file: 'src/bad,file.ts', path: '/x/src/bad,file.ts', kind: 'syntax', message: 'syntax error: 1:1: a\nb', skipped: false }],
  };
}

describe('report formats', () => {
  it('scans the sample with findings of every family', () => {
    expect(new Set(result.findings.map((f) => f.family))).toEqual(new Set(['loop-per-call', 'sync-bridge', 'sync-wrapper', 'floating-promise']));
  });

  it('json matches the shipped JSON Schema and the documented shape', () => {
    const schema = JSON.parse(readFileSync(path.join(repoRoot, 'schema/report.schema.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true }).compile(schema);
    const report = JSON.parse(formatReport(result, 'json'));
    expect((validate.errors ?? validate(report)) ? [] : validate.errors).toEqual([]);
    expect(validate(report)).toBe(true);
    expect(report.root).toBe(repoRoot);
    expect(report.findings[0]).toMatchObject({ ruleId: expect.stringMatching(/^loop-audit\//), file: expect.stringMatching(/^fixtures\/sample\//) });
    expect(report.summary.findings).toBe(result.findings.length);
    expect(Object.values(report.summary.byRule).reduce((a: number, b) => a + (b as number), 0)).toBe(result.findings.length);
    expect(validate(JSON.parse(formatReport(hostile(), 'json')))).toBe(true);
  });

  it('sarif validates against the official SARIF 2.1.0 schema, with rules, help and fingerprints', () => {
    // test/scan/sarif-schema-2.1.0.json: the OASIS SARIF 2.1.0 schema (revision rtm.5, the published 2.1.0),
    // vendored from the npm package @microsoft/jest-sarif@1.0.0-beta.0 (lib/schemas/sarif-2.1.0-rtm.5.json).
    const schema = JSON.parse(readFileSync(path.join(repoRoot, 'test/scan/sarif-schema-2.1.0.json'), 'utf8'));
    const validate = new AjvDraft04.default({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }).compile(schema);
    for (const subject of [result, hostile()]) {
      const sarif = toSarif(subject);
      const ok = validate(sarif);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
    // The validator has teeth: a level SARIF does not define is rejected.
    const broken = structuredClone(toSarif(result)) as { runs: { results: { level: string }[] }[] };
    broken.runs[0]!.results[0]!.level = 'fatal';
    expect(validate(broken)).toBe(false);
    const sarif = toSarif(result) as {
      version: string;
      runs: { tool: { driver: { rules: { id: string; help: { text: string } }[] } }; results: { ruleId: string; partialFingerprints: Record<string, string> }[] }[];
    };
    expect(sarif.version).toBe('2.1.0');
    const run = sarif.runs[0]!;
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(['loop-audit/no-loop-per-call', 'loop-audit/no-sync-bridge', 'loop-audit/no-sync-wrapper', 'loop-audit/no-floating-promise']);
    expect(run.tool.driver.rules.every((r) => r.help.text.length > 20)).toBe(true);
    expect(run.results).toHaveLength(result.findings.length);
    const prints = run.results.map((r) => r.partialFingerprints['loopAudit/v1']);
    expect(new Set(prints).size).toBe(prints.length);
    // Fingerprints follow the code, not the line number: the same scan of the same text gives the same prints.
    expect((toSarif(result) as typeof sarif).runs[0]!.results.map((r) => r.partialFingerprints['loopAudit/v1'])).toEqual(prints);
  });

  it('github annotations are workflow commands with escaped data and properties', () => {
    expect(escapeData('50% done\r\nnext')).toBe('50%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
    const lines = formatGithub(hostile()).trimEnd().split('\n');
    expect(lines[0]).toBe(
      `::error file=src/we%2Cird%3Ana%25me|x.ts,line=${result.findings[0]!.line},endLine=${result.findings[0]!.endLine},col=${result.findings[0]!.column}` +
        `${result.findings[0]!.endLine === result.findings[0]!.line ? `,endColumn=${result.findings[0]!.endColumn}` : ''},title=loop-audit/${result.findings[0]!.ruleId}` +
        '::line one%0D%0Aline two: 100%25 | `code` <b>, done',
    );
    expect(lines[1]).toBe('::error file=src/bad%2Cfile.ts,title=loop-audit::syntax error: 1:1: a%0Ab');
    expect(lines.every((line) => !line.includes('\r'))).toBe(true);
    const real = formatGithub(result).trimEnd().split('\n');
    expect(real.filter((l) => l.startsWith('::error ')).length).toBe(result.findings.filter((f) => f.severity === 'error').length);
    expect(real.filter((l) => l.startsWith('::warning ')).length).toBe(result.findings.filter((f) => f.severity === 'warn').length);
  });

  it('markdown is a table that survives pipes, newlines, backticks and HTML', () => {
    expect(cell('a|b\nc <x>')).toBe('a\\|b c &lt;x&gt;');
    const md = formatMarkdown(hostile());
    const row = md.split('\n').find((l) => l.includes('line one'))!;
    expect(row).toContain('line one line two: 100% \\| `code` &lt;b&gt;, done');
    // Four columns: the escaped pipe in the file name does not add one.
    expect(row.split(/(?<!\\)\|/).length).toBe(6);
    const real = formatMarkdown(result);
    expect(real).toMatch(/^### loop-audit: \d+ problems \(\d+ errors, \d+ warnings\) in \d+ of \d+ files/);
    expect(real.split('\n').filter((l) => l.startsWith('| :x: error') || l.startsWith('| :warning: warning'))).toHaveLength(result.findings.length);
  });

  it('pretty shows code frames and the per-rule and per-family tables, with colours only when asked', () => {
    const plain = formatReport(result, 'pretty', { color: false });
    expect(plain).not.toMatch(/\u001b\[/);
    expect(plain).toContain('fixtures/sample/src/server.ts');
    expect(plain).toMatch(/> +\d+ \| .*indexNote\(note\); \/\/ expect: no-floating-promise\n +\| +\^{16}\n/);
    expect(plain).toMatch(/^Rule +Family +Errors +Warnings$/m);
    expect(plain).toMatch(/^loop-audit\/no-sync-wrapper +sync-wrapper +0 +2$/m);
    expect(plain).toMatch(/^Family +Errors +Warnings$/m);
    expect(plain).toMatch(/✖ 8 problems \(6 errors, 2 warnings\) in 4 of 8 files/);
    expect(formatReport(result, 'pretty', { color: true })).toMatch(/\u001b\[31merror\u001b\[39m/);
  });

  it('every format renders a scan of fixtures/', async () => {
    const all = await scan({ cwd: repoRoot, paths: ['fixtures'], config: false });
    expect(all.findings.length).toBeGreaterThan(result.findings.length);
    expect(all.files.some((f) => f.startsWith(path.relative(repoRoot, fixturesRoot)))).toBe(true);
    for (const format of FORMATS) expect(formatReport(all, format).length).toBeGreaterThan(100);
  });
});
