import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuleTester } from '@typescript-eslint/rule-tester';
import * as espree from 'espree';
import { afterAll, describe, it } from 'vitest';

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** A tiny project whose tsconfig includes `file.ts`, `file.tsx` and `file.js`, for typed cases. */
export const typedFixtureRoot = path.join(repoRoot, 'fixtures/rule-tester');

/**
 * typescript-eslint guesses a one-off CLI run from `CI=true` and then builds each program once per
 * process; a second ESLint instance in the same process (every test file here makes several) gets
 * a program whose checker no longer sees the lib's members (`Promise#then` missing), so typed
 * rules, its own no-floating-promises included, report nothing. Tests lint many times per process.
 */
export const MANY_LINTS_PER_PROCESS = { disallowAutomaticSingleRunInference: true } as const;

/** @typescript-eslint/parser without type information (the `recommended` setup). */
export const untypedTester = new RuleTester();

/** @typescript-eslint/parser with a program: the rules get a type checker. Use `filename: 'file.ts'`. */
export const typedTester = new RuleTester({
  languageOptions: {
    parserOptions: { project: './tsconfig.json', tsconfigRootDir: typedFixtureRoot, ...MANY_LINTS_PER_PROCESS },
  },
});

/** ESLint's default parser: the rules parse the text with TypeScript themselves. JS only. */
export const espreeTester = new RuleTester({
  languageOptions: { parser: espree as never, ecmaVersion: 'latest', sourceType: 'module' },
});

/** Path of the typed fixture's main file, for `filename:` in typed cases. */
export const typedFile = path.join(typedFixtureRoot, 'file.ts');
