import { readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/types.js';
import { toJsonReport } from '../../src/report/json.js';
import { scan } from '../../src/scan/scan.js';
import { ScanUsageError, type ScanResult } from '../../src/scan/types.js';
import { FileFacts } from '../../src/core/facts.js';
import type { TS } from '../../src/core/types.js';
import { loadTypeScript } from '../../src/scan/typescript.js';
import { loadTypescript7, Typescript7Session, Typescript7Unavailable } from '../../src/scan/typescript7.js';
import { Typescript7Questions } from '../../src/scan/typescript7-questions.js';
import { parseForAnalysis } from '../../src/scan/typescript7-run.js';
import { answersOfBothBackends } from '../support/type-answers.js';
import { age, cleanupProjects, fixturesRoot, makeProject, TSCONFIG } from './helpers.js';

afterAll(cleanupProjects);

const fixtures = readdirSync(fixturesRoot)
  .filter((name) => statSync(path.join(fixturesRoot, name, 'tsconfig.json'), { throwIfNoEntry: false })?.isFile())
  .sort();

/** What a report shows, without timings and statistics. */
function shape(result: ScanResult) {
  return { files: result.files, findings: result.findings, errors: result.errors };
}

describe.each(fixtures)('fixtures/%s', (name) => {
  const root = path.join(fixturesRoot, name);

  it('TypeScript 7 and TypeScript 6 report the same', async () => {
    const seven = await scan({ cwd: root, tsconfig: 'tsconfig.json', config: false, typeBackend: 'typescript7' });
    const six = await scan({ cwd: root, tsconfig: 'tsconfig.json', config: false, typeBackend: 'typescript6' });
    expect(seven.typeBackend).toBe('typescript7');
    expect(six.typeBackend).toBe('typescript6');
    expect(seven.files.length).toBeGreaterThan(0);
    expect(shape(seven)).toEqual(shape(six));
    expect(toJsonReport(seven).tool.typeBackend).toBe('typescript7');
    expect(toJsonReport(six).tool.typeBackend).toBe('typescript6');
  });

  // rule-tester holds the empty files RuleTester's typed cases stand in for: nothing to ask about.
  it.skipIf(name === 'rule-tester')('both backends answer every question alike, node by node', () => {
    const { six, seven, nodes } = answersOfBothBackends(path.join(root, 'tsconfig.json'));
    expect(nodes).toBeGreaterThan(20);
    expect(seven).toEqual(six);
  });
});

describe('the TypeScript 7 backend', () => {
  const saved = process.env.LOOP_AUDIT_TYPE_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.LOOP_AUDIT_TYPE_BACKEND;
    else process.env.LOOP_AUDIT_TYPE_BACKEND = saved;
  });

  it('finds nodes after characters outside the BMP and in other scripts (positions in UTF-16 units)', async () => {
    const root = makeProject({
      'tsconfig.json': TSCONFIG,
      'src/text.ts': [
        "const greeting = '😀 héllo 世界 𝔘𝔫𝔦𝔠𝔬𝔡𝔢';",
        'async function 保存(): Promise<void> {}',
        '/* 🚀🚀🚀 */ export function run(): void {',
        '  保存(); // 🎉',
        '  const tag = `${greeting} 🌍`; void tag;',
        '  Promise.resolve(greeting);',
        '}',
        '',
      ].join('\n'),
    });
    const seven = await scan({ cwd: root, config: false, typeBackend: 'typescript7' });
    const six = await scan({ cwd: root, config: false, typeBackend: 'typescript6' });
    expect(seven.findings.map((f) => `${f.line}:${f.column}`)).toEqual(['4:3', '6:3']);
    expect(shape(seven)).toEqual(shape(six));
  });

  it('analyses the files no tsconfig includes (an inferred project) as TypeScript 6 does', async () => {
    const root = makeProject({
      'tsconfig.json': JSON.stringify({ compilerOptions: JSON.parse(TSCONFIG).compilerOptions, include: ['src'] }),
      'src/app.ts': 'async function save(): Promise<void> {}\nexport function go(): void {\n  save();\n}\n',
      'scripts/build.js': 'async function step() {}\nfunction main() {\n  step();\n}\nmain();\n',
    });
    const seven = await scan({ cwd: root, config: false, typeBackend: 'typescript7' });
    const six = await scan({ cwd: root, config: false, typeBackend: 'typescript6' });
    expect(seven.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['scripts/build.js:3', 'src/app.ts:3']);
    expect(shape(seven)).toEqual(shape(six));
  });

  it('auto falls back to TypeScript 6 with a notice for a tsconfig TypeScript 7 cannot load; forcing TypeScript 7 there is a usage error', async () => {
    const root = makeProject({
      'tsconfig.json': JSON.stringify({ compilerOptions: { ...JSON.parse(TSCONFIG).compilerOptions, module: 'commonjs', moduleResolution: 'node', baseUrl: '.' } }),
      'src/app.ts': 'async function save(): Promise<void> {}\nexport function go(): void {\n  save();\n}\n',
    });
    const auto = await scan({ cwd: root, config: false, typeBackend: 'auto' });
    expect(auto.typeBackend).toBe('typescript6');
    expect(auto.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['src/app.ts:3']);
    const notices = auto.errors.filter((e) => e.kind === 'type-backend');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ file: 'tsconfig.json', skipped: true });
    expect(notices[0]!.message).toMatch(/TS510[28] .*removed.*analysed with TypeScript 6 instead/);
    await expect(scan({ cwd: root, config: false, typeBackend: 'typescript7' })).rejects.toThrow(ScanUsageError);
    await expect(scan({ cwd: root, config: false, typeBackend: 'typescript7' })).rejects.toThrow(/TS510[28]/);
  });

  it('takes the backend from the configuration file, then from LOOP_AUDIT_TYPE_BACKEND; a bad value is a clear error', async () => {
    const root = makeProject({
      'tsconfig.json': TSCONFIG,
      'src/app.ts': 'async function save(): Promise<void> {}\nexport function go(): void {\n  save();\n}\n',
    });
    delete process.env.LOOP_AUDIT_TYPE_BACKEND;
    expect((await scan({ cwd: root, config: { typeBackend: 'typescript6' } })).typeBackend).toBe('typescript6');
    expect((await scan({ cwd: root, config: false })).typeBackend).toBe('typescript7');
    await expect(scan({ cwd: root, config: { typeBackend: 'go' as never } })).rejects.toThrow(ConfigError);
    await expect(scan({ cwd: root, config: { typeBackend: 'go' as never } })).rejects.toThrow(/typeBackend: must be one of "auto", "typescript7", "typescript6"/);
    process.env.LOOP_AUDIT_TYPE_BACKEND = 'typescript6';
    expect((await scan({ cwd: root, config: false })).typeBackend).toBe('typescript6');
    expect((await scan({ cwd: root, config: { typeBackend: 'typescript7' } })).typeBackend).toBe('typescript7');
    process.env.LOOP_AUDIT_TYPE_BACKEND = 'tsgo';
    await expect(scan({ cwd: root, config: false })).rejects.toThrow(/LOOP_AUDIT_TYPE_BACKEND must be one of auto, typescript7, typescript6/);
  });

  it('with the cache: a warm run with nothing changed starts no TypeScript 7 process; an edit asks only about the dirty files over their import closure', async () => {
    const root = makeProject({
      'tsconfig.json': TSCONFIG,
      'src/db.ts': 'export function load(): number {\n  return 1;\n}\n',
      'src/use.ts': "import { load } from './db.js';\nexport function run(): void {\n  load();\n}\n",
      'src/leaf.ts': 'async function tick(): Promise<void> {}\nexport function go(): void {\n  tick();\n}\n',
      'src/other.ts': "import { go } from './leaf.js';\nexport function again(): void {\n  go();\n}\n",
      ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`src/pad${i}.ts`, `export const pad${i} = ${i};\n`])),
    });
    age(root);
    const options = { cwd: root, config: false as const, cache: true, typeBackend: 'typescript7' as const };
    const cold = await scan(options);
    expect(cold.stats).toMatchObject({ analyzed: 24, cached: 0, typescript7Processes: 1 });
    expect(cold.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['src/leaf.ts:3']);

    const warm = await scan(options);
    expect(warm.stats).toMatchObject({ analyzed: 0, cached: 24, programFiles: 0, typescript7Processes: 0 });
    expect(warm.typeBackend).toBe('typescript7');
    expect(shape(warm)).toEqual(shape(cold));

    // A leaf edit: that file alone, in a program of its closure (not the other 23 files).
    writeFileSync(path.join(root, 'src/pad3.ts'), 'export const pad3 = 33;\n');
    const edit = await scan(options);
    expect(edit.stats).toMatchObject({ analyzed: 1, cached: 23, typescript7Processes: 1 });
    expect(edit.stats.programFiles).toBeLessThan(cold.stats.programFiles - 20);

    // Soundness: db.ts turns async; use.ts asked the checker about `load()`, so it is analysed again.
    writeFileSync(path.join(root, 'src/db.ts'), 'export async function load(): Promise<number> {\n  return 1;\n}\n');
    const sound = await scan(options);
    expect(sound.stats).toMatchObject({ analyzed: 2, typescript7Processes: 1 });
    expect(sound.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['src/leaf.ts:3', 'src/use.ts:3']);
    expect(shape(sound)).toEqual(shape(await scan({ cwd: root, config: false, typeBackend: 'typescript6' })));
  });
});

describe('Typescript7Questions', () => {
  const source = 'async function save(): Promise<void> {}\nexport function go(): void {\n  save();\n}\n';

  function opened(root: string) {
    const session = Typescript7Session.start(loadTypescript7(), root, false);
    const [project] = session.open([{ configFile: path.join(root, 'tsconfig.json') }]);
    return { session, project: project!.project };
  }

  function firstCall(tree: TS.SourceFile): TS.CallExpression {
    let found: TS.CallExpression | undefined;
    const visit = (node: TS.Node): void => {
      if (!found && ts.isCallExpression(node)) found = node;
      ts.forEachChild(node, visit);
    };
    visit(tree);
    return found!;
  }

  const ts = loadTypeScript().ts;

  it('answers about a file whose text TypeScript 7 read differently with an error for that file, not a wrong answer', () => {
    const root = makeProject({ 'tsconfig.json': TSCONFIG, 'src/app.ts': source });
    const { session, project } = opened(root);
    try {
      const file = path.join(root, 'src/app.ts');
      // The file as it was when this process read it, before an editor saved it again.
      const tree = parseForAnalysis(ts, file, `// edited\n${source}`);
      const questions = new Typescript7Questions(ts, loadTypescript7(), project, () => tree);
      questions.prepare(tree);
      expect(() => questions.typeAt(firstCall(tree))).toThrow(/changed while it was scanned/);
      expect(() => questions.typeAt(firstCall(tree))).not.toThrow(Typescript7Unavailable);
    } finally {
      session.close();
    }
  });

  it('a TypeScript 7 process that died makes every question fail as Typescript7Unavailable (the scan then falls back)', () => {
    const root = makeProject({ 'tsconfig.json': TSCONFIG, 'src/app.ts': source });
    const { session, project } = opened(root);
    const file = path.join(root, 'src/app.ts');
    const tree = parseForAnalysis(ts, file, source);
    const questions = new Typescript7Questions(ts, loadTypescript7(), project, () => tree);
    const facts = FileFacts.of({ ts, sourceFile: tree, types: questions });
    expect(facts.isPromiseValued(firstCall(tree))).toBe(true);
    session.close();
    const other = parseForAnalysis(ts, file, source);
    expect(() => questions.typeAt(firstCall(other))).toThrow(Typescript7Unavailable);
  });
});
