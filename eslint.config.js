// The project lints itself: typescript-eslint's strict type-checked rules plus loop-audit's own
// plugin (its `strict` config), built from this checkout: `npm run lint` builds first.
import { existsSync } from 'node:fs';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const pluginEntry = new URL('./dist/src/eslint-plugin.js', import.meta.url);
if (!existsSync(pluginEntry)) {
  throw new Error("eslint.config.js lints with this checkout's own plugin: run `npm run build` first (`npm run lint` does).");
}
const { default: loopAudit } = await import(pluginEntry.href);

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'fixtures/**', 'runtime/test/fixtures/**', 'test/**/fixtures-tmp/**', 'bench/.work/**', 'coverage/**'],
  },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './runtime/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    // The rules of the plugin's `strict` config, on typescript-eslint's parser set up here (typed).
    plugins: { 'loop-audit': loopAudit },
    rules: {
      ...loopAudit.configs.strict.rules,
      // With noUncheckedIndexedAccess on, `items[0]!` after a length check is how this code states
      // what the compiler cannot prove; the tsconfig flag is the check that matters.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // TypeScript's own AST types `node.parent` as always present, yet it is undefined above the
      // SourceFile: the core's parent walks (`while (node.parent)`) would be reported as "always truthy".
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // Arrow shorthands such as `(line) => lines.push(line)` are this codebase's style; braces change nothing.
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // The core runs on TypeScript 5.0 to 7: `isTypeOnly` and the AMD/UMD/System module kinds are
      // deprecated in 6 but are the only spelling the older versions have.
      '@typescript-eslint/no-deprecated': 'off',
      // Records keyed by package or file name (package.json dependencies, history entries): delete is the operation.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // `_name` marks a deliberately unused binding, e.g. a property taken out with a rest pattern.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Messages and reports interpolate counts, flags and file positions by design.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    files: ['src/scan/typescript7*.ts'],
    rules: {
      // The TypeScript 7 bridge compares and passes enum values between two copies of TypeScript
      // (6's API types, 7's values): same numbers, distinct enum types by construction.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      '@typescript-eslint/no-unsafe-enum-assignment': 'off',
    },
  },
  {
    files: ['test/**/*.ts', 'runtime/test/**/*.ts'],
    rules: {
      // Tests read JSON reports and child-process output (`any` by nature) and assert on their
      // shape; the assertion is the check, a cast before every `expect` adds nothing.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Async functions without `await` are the subject of many tests (the siblings a bridge blocks on).
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      // The CLI tests match ANSI colour escapes on purpose.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['runtime/test/**/*.ts'],
    rules: {
      // `runner.spawn(...)` returns a promise that never rejects, which typescript-eslint cannot be
      // told for a class method; loop-audit's own rule checks these files (intended uses disabled inline).
      '@typescript-eslint/no-floating-promises': 'off',
    },
  },
  {
    // Scripts and config files outside every tsconfig: linted without type information.
    files: ['**/*.{js,mjs,cjs}', '**/vitest.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
);
