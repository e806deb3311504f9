import path from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import plugin from '../../src/eslint-plugin.js';
import { scan } from '../../src/scan/scan.js';
import { MANY_LINTS_PER_PROCESS } from '../support/rule-tester.js';
import { cleanupCopies, copyFixture, fixtureProjects, readTree, runCli } from './helpers.js';

/**
 * `eslint --fix` with the plugin and `loop-audit fix --write` are two fronts of one core's
 * fixes: over a copy of every fixture project each, the real ESLint (typed: the
 * @typescript-eslint parser with the copy's tsconfig, every loop-audit rule on) and the CLI
 * (in-process: the binary's `main`; test/fix/fix-fixtures.test.ts runs the binary itself) must
 * leave byte-identical trees.
 */
/**
 * Fixtures whose findings have no autofix: loop-per-call's synckit worker holds its function
 * inline (a suggestion only), sync-bridge's and sync-wrapper's deasync wraps callback functions;
 * legacy-shop's are method wrappers over its own bridge, which only `migrate` rewrites.
 */
const WITHOUT_AUTOFIXES = new Set(['loop-per-call', 'sync-bridge', 'sync-wrapper', 'legacy-shop']);

afterAll(cleanupCopies);

describe.each(fixtureProjects())('fixtures/%s', (name) => {
  it('eslint --fix and loop-audit fix --write write the same bytes', async () => {
    const viaEslint = copyFixture(name);
    const viaCli = copyFixture(name);
    const before = readTree(viaEslint);

    // The files the scanner analyses in that project: the ones ESLint can parse with its tsconfig.
    const files = (await scan({ cwd: viaEslint, tsconfig: 'tsconfig.json', config: false })).files;
    expect(files.length).toBeGreaterThan(0);
    const eslint = new ESLint({
      cwd: viaEslint,
      fix: true,
      overrideConfigFile: true,
      ignore: false,
      overrideConfig: [
        {
          files: ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
          languageOptions: { parser: tsParser, parserOptions: { project: path.join(viaEslint, 'tsconfig.json'), tsconfigRootDir: viaEslint, ...MANY_LINTS_PER_PROCESS } },
          // Unused disable directives are fixable too; they are not loop-audit's fixes.
          linterOptions: { reportUnusedDisableDirectives: 'off' },
          plugins: { 'loop-audit': plugin as never },
          rules: Object.fromEntries(Object.keys(plugin.rules).map((id) => [`loop-audit/${id}`, 'error'])),
        },
      ],
    });
    const results = await eslint.lintFiles(files.map((file) => path.join(viaEslint, file)));
    expect(results.flatMap((r) => r.messages.filter((m) => m.fatal).map((m) => `${r.filePath}: ${m.message}`))).toEqual([]);
    await ESLint.outputFixes(results);

    const cli = await runCli(['fix', '--write', '--tsconfig', 'tsconfig.json', '--fail-on', 'off', '-q'], viaCli);
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);

    const fixedByEslint = readTree(viaEslint);
    const fixedByCli = readTree(viaCli);
    expect(Object.keys(fixedByCli).sort()).toEqual(Object.keys(fixedByEslint).sort());
    // ESLint edits code only; loop-audit fix also adds the runtime the fixed code imports to package.json.
    for (const file of Object.keys(fixedByEslint)) {
      if (file === 'package.json') continue;
      expect({ file, text: fixedByCli[file] }).toEqual({ file, text: fixedByEslint[file] });
    }
    if (fixedByEslint['package.json'] !== undefined) {
      const cliManifest = JSON.parse(fixedByCli['package.json']!) as { dependencies?: Record<string, string> };
      const { ['@loop-audit/runtime']: added, ...others } = cliManifest.dependencies ?? {};
      const eslintManifest = JSON.parse(fixedByEslint['package.json']) as { dependencies?: Record<string, string> };
      const importsRuntime = Object.values(fixedByEslint).some((text) => /['"]@loop-audit\/runtime['"]/.test(text) && !/"name": "@loop-audit\/runtime"/.test(text));
      expect(added !== undefined).toBe(importsRuntime);
      expect({ ...cliManifest, dependencies: others }).toEqual({ ...eslintManifest, dependencies: eslintManifest.dependencies ?? {} });
    }
    // The comparison means something only where fixes were made.
    const changed = Object.keys(before).filter((file) => before[file] !== fixedByEslint[file]);
    if (!WITHOUT_AUTOFIXES.has(name)) expect(changed.length).toBeGreaterThan(0);
  });
});
