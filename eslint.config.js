// The project lints itself: typescript-eslint's type-checked rules plus loop-audit's own plugin,
// built from this checkout (`npm run lint` builds first).
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
    rules: {
      // With noUncheckedIndexedAccess on, `items[0]!` after a length check is how this code states
      // what the compiler cannot prove; the tsconfig flag is the check that matters.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // TypeScript's own AST types `node.parent` as always present, yet it is undefined above the
      // SourceFile: the core's parent walks (`while (node.parent)`) would be reported as "always truthy".
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // Messages and reports interpolate counts, flags and file positions by design.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}', '**/vitest.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    // The rules of the plugin's `strict` config, on typescript-eslint's parser set up above (typed).
    plugins: { 'loop-audit': loopAudit },
    rules: loopAudit.configs.strict.rules,
  },
);
