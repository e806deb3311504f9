import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discover } from '../../src/scan/discover.js';
import { scan } from '../../src/scan/scan.js';
import { cleanupProjects, makeProject } from './helpers.js';

afterAll(cleanupProjects);

const FLOATING = 'async function save(): Promise<void> {}\nexport function run(): void {\n  save();\n}\n';
// What tsc emits for it, beside the source when outDir is the project's own folder.
const EMITTED = 'async function save() { }\nexport function run() {\n    save();\n}\n';

const findingsOf = (result: Awaited<ReturnType<typeof scan>>) => result.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`);

describe('build output', () => {
  it.each([
    ['"./"', { compilerOptions: { outDir: './', declaration: true, module: 'nodenext', strict: true }, files: ['src/index.ts', 'src/util.ts'] }],
    ['"."', { compilerOptions: { outDir: '.', declaration: true, module: 'nodenext', strict: true }, exclude: ['node_modules'] }],
  ])('an outDir of %s does not hide the sources: they are analysed, the compiled .js beside them are skipped as build output', async (_label, tsconfig) => {
    const root = makeProject({
      'package.json': '{ "type": "module" }',
      'tsconfig.json': JSON.stringify(tsconfig),
      'src/index.ts': FLOATING,
      'src/index.js': EMITTED,
      'src/index.d.ts': 'export declare function run(): void;\n',
      'src/util.ts': 'export const one = 1;\n',
      'src/util.js': 'export const one = 1;\n',
    });
    for (const paths of [[], ['src'], ['.']]) {
      const result = await scan({ cwd: root, paths, config: false });
      expect(result.files).toEqual(['src/index.ts', 'src/util.ts']);
      expect(findingsOf(result)).toEqual(['src/index.ts:3 no-floating-promise']);
      expect(result.projects).toEqual([path.join(root, 'tsconfig.json')]);
    }
    const discovery = discover({ roots: [root], isIncluded: () => true, isExcluded: () => false });
    expect(discovery.skipped.map((s) => [path.relative(root, s.path), s.reason, s.files])).toEqual([
      ['src/index.js', 'build-output', 1],
      ['src/util.js', 'build-output', 1],
    ]);
  });

  it("a tsconfig's outDir of its own is build output, unless named: `scan lib` scans it", async () => {
    const root = makeProject({
      'tsconfig.json': JSON.stringify({ compilerOptions: { outDir: 'lib', rootDir: 'src', allowJs: true }, include: ['src'] }),
      'src/index.ts': FLOATING,
      'lib/index.js': EMITTED,
    });
    const all = await scan({ cwd: root, config: false });
    expect(all.files).toEqual(['src/index.ts']);
    expect(all.skipped).toMatchObject({ buildOutput: 1 });
    const named = await scan({ cwd: root, paths: ['lib'], config: false });
    expect(named.files).toEqual(['lib/index.js']);
    expect(findingsOf(named)).toEqual(['lib/index.js:3 no-floating-promise']);
  });

  it('a compiled file named explicitly is analysed', async () => {
    const root = makeProject({ 'tsconfig.json': JSON.stringify({ compilerOptions: { outDir: './', allowJs: true }, files: ['src/index.ts'] }), 'src/index.ts': FLOATING, 'src/index.js': EMITTED });
    const result = await scan({ cwd: root, paths: ['src/index.js'], config: false });
    expect(result.files).toEqual(['src/index.js']);
    expect(findingsOf(result)).toEqual(['src/index.js:3 no-floating-promise']);
  });

  it('build-output and vendored folders are skipped and counted; a hand-written .js with no .ts twin is analysed', () => {
    const root = makeProject({
      'package.json': '{}',
      'src/app.js': 'export const a = 1;\n',
      'src/app.test.ts': 'export const t = 1;\n',
      'dist/app.js': 'export const a = 1;\n',
      'dist/chunks/b.js': 'export const b = 1;\n',
      'dist/app.d.ts': 'export declare const a: number;\n',
      'bower_components/jquery/jquery.js': 'var $ = 1;\n',
    });
    const discovery = discover({ roots: [root], isIncluded: () => true, isExcluded: () => false });
    expect(discovery.files.map((f) => path.relative(root, f))).toEqual(['src/app.js', 'src/app.test.ts']);
    expect(discovery.skipped.map((s) => [path.relative(root, s.path), s.reason, s.files])).toEqual([
      ['bower_components', 'vendored', 1],
      ['dist', 'build-output', 2],
    ]);
  });
});
