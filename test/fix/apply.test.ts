import { Linter, type Rule } from 'eslint';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { Finding, TextEdit } from '../../src/core/types.js';
import { applyFixPass, fixText, mergeEdits, type FixDriver } from '../../src/fix/apply.js';

/**
 * A driver whose "analysis" finds every `legacyCall(` and proposes a multi-edit fix: rename the
 * call and add an import at the top once. Several findings then overlap through the shared
 * import edit, which is the case where pass-by-pass behaviour matters.
 */
function renameDriver(): FixDriver {
  return {
    analyze(text) {
      const findings: Finding[] = [];
      const hasImport = text.startsWith('import { modernCall }');
      for (const match of text.matchAll(/legacyCall\(/g)) {
        const start = match.index;
        const edits: TextEdit[] = [{ start, end: start + 'legacyCall'.length, text: 'modernCall' }];
        if (!hasImport) edits.push({ start: 0, end: 0, text: "import { modernCall } from './modern.js';\n" });
        findings.push({ ruleId: 'no-sync-bridge', messageId: 'bridge', start, end: start + 10, fix: edits });
      }
      return findings;
    },
    syntaxErrors: (text) => syntaxErrorCount(text),
  };
}

function syntaxErrorCount(text: string): number {
  const file = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  return (file as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length;
}

/** The same fixes reported through a real ESLint rule, fixed by ESLint itself. */
function eslintFix(source: string, driver: FixDriver): string {
  const linter = new Linter({ configType: 'flat' });
  const rule = {
    meta: { type: 'problem' as const, fixable: 'code' as const, schema: [], messages: { m: 'm' } },
    create(context: Rule.RuleContext) {
      return {
        Program() {
          for (const finding of driver.analyze(context.sourceCode.text)) {
            context.report({
              messageId: 'm',
              loc: context.sourceCode.getLocFromIndex(finding.start),
              fix: (fixer: Rule.RuleFixer) => finding.fix!.map((e) => fixer.replaceTextRange([e.start, e.end], e.text)),
            });
          }
        },
      };
    },
  };
  const result = linter.verifyAndFix(source, [{ files: ['**/*.js'], plugins: { t: { rules: { r: rule } } }, rules: { 't/r': 'error' } }], { filename: 'x.js' });
  return result.output;
}

describe('mergeEdits', () => {
  it('spans all edits of a report and keeps the text between them', () => {
    const text = 'abcdefghij';
    expect(
      mergeEdits(text, [
        { start: 7, end: 8, text: 'H' },
        { start: 1, end: 2, text: 'B' },
      ]),
    ).toEqual({ start: 1, end: 8, text: 'BcdefgH' });
  });

  it('refuses overlapping edits within one fix', () => {
    expect(() =>
      mergeEdits('abcdef', [
        { start: 1, end: 4, text: 'x' },
        { start: 3, end: 5, text: 'y' },
      ]),
    ).toThrow(/overlap/);
  });
});

describe('applyFixPass', () => {
  it('applies non-overlapping fixes in range order and leaves overlapping ones for a later pass', () => {
    const findings: Finding[] = [
      { ruleId: 'no-sync-bridge', messageId: 'b', start: 4, end: 5, fix: [{ start: 4, end: 5, text: 'E' }] },
      { ruleId: 'no-sync-bridge', messageId: 'b', start: 0, end: 1, fix: [{ start: 0, end: 1, text: 'A' }] },
      { ruleId: 'no-sync-bridge', messageId: 'b', start: 0, end: 2, fix: [{ start: 0, end: 2, text: 'ZZ' }] },
    ];
    const pass = applyFixPass('abcdef', findings);
    expect(pass.output).toBe('AbcdEf');
    expect(pass.applied).toHaveLength(2);
  });
});

describe('fixText', () => {
  const sources = [
    'legacyCall(1);\n',
    'const a = legacyCall(1);\nconst b = legacyCall(2);\nfunction f() { return legacyCall(3); }\n',
    '\uFEFF// header\nlegacyCall(a);\r\nlegacyCall(b);\r\n',
    'no calls here\n',
  ];

  for (const source of sources) {
    it(`matches eslint --fix byte for byte: ${JSON.stringify(source.slice(0, 30))}`, () => {
      const driver = renameDriver();
      const ours = fixText(source, driver);
      expect(ours.output).toBe(eslintFix(source, driver));
      expect(ours.output.includes('legacyCall(')).toBe(false);
    });
  }

  it('is idempotent: fixing the fixed output changes nothing', () => {
    const driver = renameDriver();
    const once = fixText('legacyCall(1); legacyCall(2);\n', driver).output;
    const twice = fixText(once, driver);
    expect(twice.output).toBe(once);
    expect(twice.applied).toHaveLength(0);
  });

  it('drops a fix that would leave a syntax error, keeps the others, and says why', () => {
    const source = 'first();\nsecond();\n';
    const driver: FixDriver = {
      analyze(text) {
        const findings: Finding[] = [];
        const first = text.indexOf('first()');
        if (first >= 0) findings.push({ ruleId: 'no-floating-promise', messageId: 'f', start: first, end: first + 7, fix: [{ start: first, end: first + 7, text: 'await (first(' }] });
        const second = text.indexOf('second()');
        if (second >= 0 && !text.includes('void second()'))
          findings.push({ ruleId: 'no-floating-promise', messageId: 'f', start: second, end: second + 8, fix: [{ start: second, end: second + 8, text: 'void second()' }] });
        return findings;
      },
      syntaxErrors: syntaxErrorCount,
    };
    const outcome = fixText(source, driver);
    expect(outcome.output).toBe('first();\nvoid second();\n');
    expect(outcome.dropped).toHaveLength(1);
    expect(outcome.dropped[0]!.reason).toMatch(/syntax error/);
    expect(syntaxErrorCount(outcome.output)).toBe(0);
  });

  it('honours a filter of which findings to fix', () => {
    const driver = renameDriver();
    const outcome = fixText('legacyCall(1);\n', driver, (finding) => finding.ruleId === 'no-loop-per-call');
    expect(outcome.output).toBe('legacyCall(1);\n');
  });
});
