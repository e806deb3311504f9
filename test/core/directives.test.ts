import { Linter } from 'eslint';
import ts from 'typescript';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/core/analyze.js';
import plugin from '../../src/eslint-plugin.js';

const BRIDGE = 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);';

/** Every line has one bridge; the comments decide which ESLint keeps. */
const SOURCE = `export function sleep(ready: boolean) {
  ${BRIDGE} // line 2: reported
  ${BRIDGE} // eslint-disable-line loop-audit/no-sync-bridge -- line 3
  // eslint-disable-next-line loop-audit/no-sync-bridge -- line 5
  ${BRIDGE}
  // eslint-disable-next-line loop-audit/no-floating-promise -- another rule: line 7 reported
  ${BRIDGE}
  if (ready) {
    return;
  }
  // eslint-disable-next-line -- every rule: line 12
  else ${BRIDGE}
  /* eslint-disable loop-audit/no-sync-bridge */
  ${BRIDGE}
  ${BRIDGE}
  /* eslint-enable loop-audit/no-sync-bridge */
  ${BRIDGE} // line 17: reported again
  const text = \`\${ready} // eslint-disable-line\`; ${BRIDGE} // line 18: a template is no comment
  /* eslint-disable-next-line loop-audit/no-sync-bridge */
  ${BRIDGE}
  ${BRIDGE} // eslint-disable-line loop-audit/no-sync-bridgeX -- a different name: line 21 reported
  return text;
}
`;

function scannerLines(): number[] {
  const sourceFile = ts.createSourceFile('/virtual/sleep.ts', SOURCE, ts.ScriptTarget.Latest, true);
  return analyzeFile({ ts, sourceFile }, { 'no-floating-promise': false, 'no-loop-per-call': false, 'no-sync-wrapper': false })
    .filter((finding) => finding.ruleId === 'no-sync-bridge')
    .map((finding) => sourceFile.getLineAndCharacterOfPosition(finding.start).line + 1);
}

function eslintLines(): number[] {
  const linter = new Linter({ configType: 'flat' });
  const messages = linter.verify(
    SOURCE,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser },
        plugins: { 'loop-audit': plugin as never },
        rules: { 'loop-audit/no-sync-bridge': 'error' },
        linterOptions: { reportUnusedDisableDirectives: 'off' },
      },
    ],
    'sleep.ts',
  );
  expect(messages.filter((message) => message.fatal)).toEqual([]);
  return messages.filter((message) => message.ruleId === 'loop-audit/no-sync-bridge').map((message) => message.line);
}

describe('inline eslint-disable comments outside ESLint (scan, fix, migrate)', () => {
  it('drop exactly the findings ESLint drops', () => {
    const expected = [2, 7, 17, 18, 21];
    expect(eslintLines()).toEqual(expected);
    expect(scannerLines()).toEqual(expected);
  });

  it("typescript-eslint's floating-promise rules silence no-floating-promise on their lines, in the scanner and in ESLint alike", () => {
    const source = `async function save(): Promise<void> {}
export function handler(): void {
  save(); // line 3: reported
  // eslint-disable-next-line @typescript-eslint/no-floating-promises -- judged: line 5
  save();
  save(); // eslint-disable-line @typescript-eslint/no-misused-promises
  /* eslint-disable @typescript-eslint/no-floating-promises */
  save();
  /* eslint-enable @typescript-eslint/no-floating-promises */
  save(); // line 10: reported
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- another rule: line 12 reported
  save();
}
`;
    const sourceFile = ts.createSourceFile('/virtual/handler.ts', source, ts.ScriptTarget.Latest, true);
    const scanned = analyzeFile({ ts, sourceFile }, { 'no-loop-per-call': false, 'no-sync-bridge': false, 'no-sync-wrapper': false }).map(
      (finding) => sourceFile.getLineAndCharacterOfPosition(finding.start).line + 1,
    );
    const messages = new Linter({ configType: 'flat' }).verify(
      source,
      [
        {
          files: ['**/*.ts'],
          languageOptions: { parser: tseslint.parser },
          plugins: { 'loop-audit': plugin as never, '@typescript-eslint': tseslint.plugin },
          rules: { 'loop-audit/no-floating-promise': 'error' },
          linterOptions: { reportUnusedDisableDirectives: 'off' },
        },
      ],
      'handler.ts',
    );
    expect(messages.filter((message) => message.fatal)).toEqual([]);
    const linted = messages.filter((message) => message.ruleId === 'loop-audit/no-floating-promise').map((message) => message.line);
    expect(scanned).toEqual([3, 10, 12]);
    expect(linted).toEqual([3, 10, 12]);
  });

  it('leave a file without directives untouched', () => {
    const sourceFile = ts.createSourceFile('/virtual/plain.ts', `export function f() {\n  ${BRIDGE}\n}\n`, ts.ScriptTarget.Latest, true);
    expect(analyzeFile({ ts, sourceFile }).map((finding) => finding.ruleId)).toEqual(['no-sync-bridge']);
  });
});
