import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint as ESLint10, type Linter } from 'eslint';
import { ESLint as ESLint9 } from 'eslint-v9';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/eslint-plugin.js';
import { MANY_LINTS_PER_PROCESS, repoRoot } from '../support/rule-tester.js';

const fixtureRoot = path.join(repoRoot, 'fixtures/floating-promise');
const RULE = 'loop-audit/no-floating-promise';

/** The constructor surface both ESLint majors share for this test. */
type ESLintClass = new (options: { cwd: string; overrideConfigFile: true; overrideConfig: Linter.Config[] }) => {
  lintFiles(patterns: string[]): Promise<{ filePath: string; messages: { ruleId: string | null; line: number; fatal?: boolean; message: string }[] }[]>;
};

const versions: [string, ESLintClass][] = [
  ['ESLint 10', ESLint10],
  ['ESLint 9', ESLint9],
];

const parsers: { name: string; patterns: string[]; config: Linter.Config[] }[] = [
  {
    // ESLint's default parser: the rules parse the text with TypeScript themselves.
    name: 'espree',
    patterns: ['src/**/*.js'],
    config: [],
  },
  {
    // The `recommended` set-up: the TypeScript parser's AST, no program.
    name: '@typescript-eslint/parser without type information',
    patterns: ['src/**/*.ts', 'src/**/*.js', 'test/**/*.ts'],
    config: [{ files: ['**/*.ts', '**/*.js'], languageOptions: { parser: tseslint.parser } }],
  },
  {
    name: '@typescript-eslint/parser with type information',
    patterns: ['src/**/*.ts', 'src/**/*.js', 'test/**/*.ts'],
    config: [
      {
        files: ['**/*.ts', '**/*.js'],
        languageOptions: {
          parser: tseslint.parser,
          parserOptions: { project: './tsconfig.json', tsconfigRootDir: fixtureRoot, ...MANY_LINTS_PER_PROCESS },
        },
      },
    ],
  },
];

function expectedLines(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((text, i) => (/\/\/ expect: .*\bno-floating-promise\b/.test(text) ? [i + 1] : []));
}

describe('the plugin under ESLint 9 and 10', () => {
  for (const [version, ESLint] of versions) {
    for (const parser of parsers) {
      it(`${version}, ${parser.name}: recommended config runs all four rules; no-floating-promise matches the fixture`, async () => {
        const eslint = new ESLint({
          cwd: fixtureRoot,
          overrideConfigFile: true,
          overrideConfig: [...parser.config, plugin.configs.recommended as unknown as Linter.Config],
        });
        // A crashing rule makes lintFiles reject, so resolving is the no-crash check.
        const results = await eslint.lintFiles(parser.patterns);
        expect(results.length).toBeGreaterThan(0);
        for (const result of results) {
          const file = path.relative(fixtureRoot, result.filePath);
          expect(
            result.messages.filter((m) => m.fatal || m.ruleId === null),
            file,
          ).toEqual([]);
          for (const message of result.messages) expect(message.ruleId, file).toMatch(/^loop-audit\//);
          const lines = [...new Set(result.messages.filter((m) => m.ruleId === RULE).map((m) => m.line))].sort((a, b) => a - b);
          expect({ file, lines }).toEqual({ file, lines: expectedLines(result.filePath) });
        }
      });
    }
  }
});
