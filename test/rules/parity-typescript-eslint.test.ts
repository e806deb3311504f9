import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { DETECTORS } from '../../src/core/analyze.js';
import plugin from '../../src/eslint-plugin.js';
import { MANY_LINTS_PER_PROCESS, repoRoot } from '../support/rule-tester.js';

const fixtureRoot = path.join(repoRoot, 'fixtures/floating-promise');
const docPath = path.join(repoRoot, 'docs/rules/no-floating-promise.md');
const THEIRS = '@typescript-eslint/no-floating-promises';
const OURS = 'loop-audit/no-floating-promise';

/**
 * The messageIds the rule's docs list under "Differences from @typescript-eslint/no-floating-promises":
 * the first cell of each table row in that section.
 */
function documentedExtraMessageIds(): Set<string> {
  const doc = readFileSync(docPath, 'utf8');
  const start = doc.indexOf('## Differences from @typescript-eslint/no-floating-promises');
  expect(start, 'the docs have a differences section').toBeGreaterThanOrEqual(0);
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  return new Set([...section.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((match) => match[1]!));
}

/**
 * The statements typescript-eslint reports that this rule skips on purpose: the keys of the table
 * "Statements typescript-eslint reports that this rule skips" in the docs (first cell, in backticks).
 */
function documentedSkips(): Set<string> {
  const doc = readFileSync(docPath, 'utf8');
  const start = doc.indexOf('### Statements typescript-eslint reports that this rule skips');
  expect(start, 'the docs list the statements this rule skips').toBeGreaterThanOrEqual(0);
  const end = doc.indexOf('\n#', start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  return new Set([...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((match) => match[1]!));
}

const SKIP_MARKER = /\/\/ skipped where typescript-eslint reports: ([a-z-]+)/;

/** `file:line` → the documented reason a fixture line carries for being skipped. */
function skipMarkers(): Map<string, string> {
  const skips = new Map<string, string>();
  for (const result of results) {
    const file = path.relative(fixtureRoot, result.filePath);
    readFileSync(result.filePath, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const marker = SKIP_MARKER.exec(text);
        if (marker) skips.set(`${file}:${i + 1}`, marker[1]!);
      });
  }
  return skips;
}

interface Reported {
  file: string;
  line: number;
  ruleId: string;
  messageId: string | undefined;
}

let results: ESLint.LintResult[];
let reported: Reported[];

beforeAll(async () => {
  const eslint = new ESLint({
    cwd: fixtureRoot,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts', '**/*.js'],
        languageOptions: {
          parser: tseslint.parser,
          parserOptions: { project: './tsconfig.json', tsconfigRootDir: fixtureRoot, ...MANY_LINTS_PER_PROCESS },
        },
        plugins: {
          '@typescript-eslint': tseslint.plugin as unknown as ESLint.Plugin,
          'loop-audit': plugin as unknown as ESLint.Plugin,
        },
        rules: {
          // typescript-eslint allows nothing by default; give it the node:test functions our
          // default allowlist holds (its docs' own example), so both start from the same ground.
          [THEIRS]: ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it'] }] }],
          [OURS]: 'error',
        },
      },
    ],
  });
  results = await eslint.lintFiles(['src/**/*.ts', 'src/**/*.js', 'test/**/*.ts']);
  reported = results.flatMap((result) =>
    result.messages.map((message) => ({
      file: path.relative(fixtureRoot, result.filePath),
      line: message.line,
      ruleId: message.ruleId ?? '<fatal>',
      messageId: message.messageId,
    })),
  );
});

const key = (r: Pick<Reported, 'file' | 'line'>) => `${r.file}:${r.line}`;

describe('no-floating-promise vs @typescript-eslint/no-floating-promises (one typed ESLint run)', () => {
  it('lints every fixture file with type information and no crash', () => {
    expect(results.length).toBeGreaterThanOrEqual(10);
    expect(reported.filter((r) => r.ruleId === '<fatal>')).toEqual([]);
    expect(results.map((r) => path.relative(fixtureRoot, r.filePath))).toContain('src/statement-forms.ts');
  });

  it('reports every line typescript-eslint reports', () => {
    const theirs = reported.filter((r) => r.ruleId === THEIRS);
    const ours = new Set(reported.filter((r) => r.ruleId === OURS).map(key));
    // The fixture is not trivial for typescript-eslint: statement forms, main(), the seed's patch.
    expect(theirs.length).toBeGreaterThanOrEqual(20);
    // Except the statements the docs list as skipped on purpose, each marked in the fixture with its reason.
    const skips = skipMarkers();
    expect(theirs.filter((r) => !ours.has(key(r)) && !skips.has(key(r)))).toEqual([]);
    // The equivalent allowlists are both in effect: node:test's top-level tests float for neither.
    expect(theirs.filter((r) => r.file.startsWith('test/'))).toEqual([]);
  });

  it('skips only statements the docs list, each of which typescript-eslint does report', () => {
    const documented = documentedSkips();
    const skips = skipMarkers();
    expect(skips.size).toBeGreaterThan(0);
    const theirs = new Set(reported.filter((r) => r.ruleId === THEIRS).map(key));
    const ours = new Set(reported.filter((r) => r.ruleId === OURS).map(key));
    for (const [where, reason] of skips) {
      expect(documented, `${where}: the reason '${reason}' is in the docs' table`).toContain(reason);
      expect(theirs.has(where), `${where}: typescript-eslint reports it`).toBe(true);
      expect(ours.has(where), `${where}: loop-audit skips it`).toBe(false);
    }
    // Every documented reason is exercised by the fixture.
    expect([...documented].sort()).toEqual([...new Set(skips.values())].sort());
  });

  it('reports more only in the categories its docs list as differences', () => {
    const documented = documentedExtraMessageIds();
    const messages = Object.keys(DETECTORS['no-floating-promise'].meta.messages);
    expect(documented.size).toBeGreaterThan(0);
    for (const messageId of documented) expect(messages, `documented messageId ${messageId} exists`).toContain(messageId);

    const theirs = new Set(reported.filter((r) => r.ruleId === THEIRS).map(key));
    const extra = reported.filter((r) => r.ruleId === OURS && !theirs.has(key(r)));
    // The fixture exercises the main difference: async callbacks handed to droppers.
    expect(extra.some((r) => r.messageId === 'asyncCallback')).toBe(true);
    expect(extra.filter((r) => !documented.has(r.messageId ?? ''))).toEqual([]);
  });

  it("matches the fixture's expect markers exactly (typed)", () => {
    for (const result of results) {
      const file = path.relative(fixtureRoot, result.filePath);
      const expected = readFileSync(result.filePath, 'utf8')
        .split('\n')
        .flatMap((text, i) => (/\/\/ expect: .*\bno-floating-promise\b/.test(text) ? [i + 1] : []));
      const actual = [...new Set(result.messages.filter((m) => m.ruleId === OURS).map((m) => m.line))];
      expect({ file, lines: actual.sort((a, b) => a - b) }).toEqual({ file, lines: expected });
    }
  });
});
