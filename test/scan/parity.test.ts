import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/eslint-plugin.js';
import { scan } from '../../src/scan/scan.js';
import { fixturesRoot } from './helpers.js';
import { MANY_LINTS_PER_PROCESS } from '../support/rule-tester.js';

/**
 * The scanner and the ESLint plugin are two fronts of one core: over every fixture project, the
 * scanner's findings (file, line, column, rule) must be exactly those of a real typed ESLint run
 * (@typescript-eslint/parser with the fixture's tsconfig, every loop-audit rule on), and their
 * lines exactly the fixture's `// expect: <rule>` markers.
 */
const MARKER = /\/\/\s*expect:\s*([a-z-]+(?:\s*,\s*[a-z-]+)*)/;
const projects = readdirSync(fixturesRoot)
  .filter((name) => name !== 'rule-tester' && statSync(path.join(fixturesRoot, name, 'tsconfig.json'), { throwIfNoEntry: false })?.isFile())
  .sort();

describe.each(projects)('fixtures/%s', (name) => {
  const root = path.join(fixturesRoot, name);

  it('the scanner reports exactly what typed ESLint with the plugin reports, and the expect markers', async () => {
    const result = await scan({ cwd: root, tsconfig: 'tsconfig.json', config: false });
    expect(result.errors).toEqual([]);
    expect(result.files.length).toBeGreaterThan(0);

    const eslint = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      ignore: false,
      overrideConfig: [
        {
          files: ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
          languageOptions: { parser: tsParser, parserOptions: { project: path.join(root, 'tsconfig.json'), tsconfigRootDir: root, ...MANY_LINTS_PER_PROCESS } },
          plugins: { 'loop-audit': plugin as never },
          rules: Object.fromEntries(Object.keys(plugin.rules).map((id) => [`loop-audit/${id}`, 'error'])),
        },
      ],
    });
    const lint = await eslint.lintFiles(result.files.map((file) => path.join(root, file)));
    // Only our rules: a fixture's `eslint-disable` comment for a rule not loaded here is no concern of this test.
    const fatal = lint.flatMap((r) => r.messages.filter((m) => m.fatal).map((m) => `${r.filePath}: ${m.message}`));
    expect(fatal).toEqual([]);
    const fromEslint = lint
      .flatMap((r) => r.messages.filter((m) => m.ruleId?.startsWith('loop-audit/')).map((m) => `${path.relative(root, r.filePath).split(path.sep).join('/')}:${m.line}:${m.column} ${m.ruleId}`))
      .sort();
    const fromScanner = result.findings.map((f) => `${f.file}:${f.line}:${f.column} loop-audit/${f.ruleId}`).sort();
    expect(fromScanner).toEqual(fromEslint);

    const marked = new Set<string>();
    for (const file of result.files) {
      readFileSync(path.join(root, file), 'utf8')
        .split('\n')
        .forEach((line, index) => {
          const marker = MARKER.exec(line);
          if (marker) for (const ruleId of marker[1]!.split(',')) marked.add(`${file}:${index + 1} ${ruleId.trim()}`);
        });
    }
    const scannedLines = new Set(result.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`));
    expect([...scannedLines].sort()).toEqual([...marked].sort());
  });
});
