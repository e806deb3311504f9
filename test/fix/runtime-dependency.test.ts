import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import plugin from '../../src/eslint-plugin.js';
import { runtimePolicy, withDependency } from '../../src/fix/dependency.js';
import { fixProject, formatDiff } from '../../src/fix/run.js';
import { migrate } from '../../src/migrate/migrate.js';
import { cleanupProjects, makeProject, repoRoot, TSCONFIG } from '../scan/helpers.js';

afterAll(cleanupProjects);

const RUNTIME = '@loop-audit/runtime';
const RANGE = `^${(JSON.parse(readFileSync(path.join(repoRoot, 'runtime/package.json'), 'utf8')) as { version: string }).version}`;

/** The project's own node_modules: the runtime package (as `npm install` would link it) and Node's types. */
function linkRuntime(root: string): void {
  mkdirSync(path.join(root, 'node_modules/@loop-audit'), { recursive: true });
  symlinkSync(path.join(repoRoot, 'runtime'), path.join(root, 'node_modules/@loop-audit/runtime'));
  mkdirSync(path.join(root, 'node_modules/@types'), { recursive: true });
  symlinkSync(path.join(repoRoot, 'node_modules/@types/node'), path.join(root, 'node_modules/@types/node'));
}

function typeErrors(root: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const program = ts.createProgram(config.fileNames, config.options);
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? path.relative(root, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
}

function runNode(file: string): { code: number | null; signal: NodeJS.Signals | null; stderr: string } {
  // The guard only stops a hang; a killed child fails the `signal` check.
  const result = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 50_000, killSignal: 'SIGKILL' });
  return { code: result.status, signal: result.signal, stderr: result.stderr };
}

const STRICT_TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: 'es2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noUnusedLocals: true,
    noEmit: true,
    skipLibCheck: true,
    allowJs: true,
    types: ['node'],
  },
});

describe('package.json gets the runtime, written as the file is written', () => {
  const cases: [string, string, string][] = [
    [
      'two spaces, a sorted section: the key goes in order',
      '{\n  "name": "app",\n  "dependencies": {\n    "express": "^4.0.0",\n    "zod": "^3.0.0"\n  }\n}\n',
      `{\n  "name": "app",\n  "dependencies": {\n    "${RUNTIME}": "${RANGE}",\n    "express": "^4.0.0",\n    "zod": "^3.0.0"\n  }\n}\n`,
    ],
    [
      'an unsorted section: the key goes last',
      '{\n  "dependencies": {\n    "zod": "^3.0.0",\n    "express": "^4.0.0"\n  }\n}\n',
      `{\n  "dependencies": {\n    "zod": "^3.0.0",\n    "express": "^4.0.0",\n    "${RUNTIME}": "${RANGE}"\n  }\n}\n`,
    ],
    [
      'tabs, CRLF, no final newline, a compact array kept',
      '{\r\n\t"name": "app",\r\n\t"files": ["dist", "README.md"]\r\n}',
      `{\r\n\t"name": "app",\r\n\t"files": ["dist", "README.md"],\r\n\t"dependencies": {\r\n\t\t"${RUNTIME}": "${RANGE}"\r\n\t}\r\n}`,
    ],
    [
      'four spaces, a new section before devDependencies',
      '{\n    "name": "app",\n    "devDependencies": {\n        "vitest": "^4.0.0"\n    }\n}\n',
      `{\n    "name": "app",\n    "dependencies": {\n        "${RUNTIME}": "${RANGE}"\n    },\n    "devDependencies": {\n        "vitest": "^4.0.0"\n    }\n}\n`,
    ],
    ['an empty section', '{\n  "dependencies": {}\n}\n', `{\n  "dependencies": {\n    "${RUNTIME}": "${RANGE}"\n  }\n}\n`],
    [
      'moved out of devDependencies: fixed code imports it at run time',
      `{\n  "dependencies": {\n    "zod": "^3.0.0"\n  },\n  "devDependencies": {\n    "${RUNTIME}": "^0.0.9",\n    "vitest": "^4.0.0"\n  }\n}\n`,
      `{\n  "dependencies": {\n    "${RUNTIME}": "${RANGE}",\n    "zod": "^3.0.0"\n  },\n  "devDependencies": {\n    "vitest": "^4.0.0"\n  }\n}\n`,
    ],
    ['a one-line manifest stays on one line', '{ "type": "module" }', `{ "type": "module", "dependencies": { "${RUNTIME}": "${RANGE}" } }`],
    ['a byte-order mark stays', '\ufeff{\n  "name": "app"\n}\n', `\ufeff{\n  "name": "app",\n  "dependencies": {\n    "${RUNTIME}": "${RANGE}"\n  }\n}\n`],
  ];
  for (const [name, before, after] of cases) {
    it(name, () => {
      expect(withDependency(before, RUNTIME, RANGE)?.text).toBe(after);
    });
  }

  it('devDependencies for code only tests import: into a sorted section, or a new section; never moved out of dependencies', () => {
    expect(withDependency('{\n  "name": "lib",\n  "devDependencies": {\n    "vitest": "^4.0.0"\n  }\n}\n', RUNTIME, RANGE, 'devDependencies')?.text).toBe(
      `{\n  "name": "lib",\n  "devDependencies": {\n    "${RUNTIME}": "${RANGE}",\n    "vitest": "^4.0.0"\n  }\n}\n`,
    );
    expect(withDependency('{\n  "name": "lib",\n  "dependencies": {\n    "ms": "^2.1.3"\n  }\n}\n', RUNTIME, RANGE, 'devDependencies')?.text).toBe(
      `{\n  "name": "lib",\n  "dependencies": {\n    "ms": "^2.1.3"\n  },\n  "devDependencies": {\n    "${RUNTIME}": "${RANGE}"\n  }\n}\n`,
    );
  });

  it('refuses what it cannot edit exactly: not JSON, or a dependencies section that is not an object', () => {
    expect(withDependency('{ "name": "app", }', RUNTIME, RANGE)).toBeUndefined();
    expect(withDependency('{ "dependencies": [] }', RUNTIME, RANGE)).toBeUndefined();
  });
});

describe('who may get the runtime as a dependency', () => {
  it('an application yes; a published library only when it depends on it already or with the flag', () => {
    const root = makeProject({
      'app/package.json': '{ "name": "app", "private": true, "main": "index.js" }',
      'cli/package.json': '{ "name": "cli", "bin": "cli.js" }',
      'lib/package.json': '{ "name": "lib", "main": "index.js" }',
      'esm-lib/package.json': '{ "name": "esm-lib", "exports": "./index.js" }',
      'lib-with-runtime/package.json': `{ "name": "lib2", "main": "index.js", "dependencies": { "${RUNTIME}": "${RANGE}" } }`,
    });
    const allowed = (dir: string, flag = false): boolean => runtimePolicy(path.join(root, dir, 'src/a.ts'), flag).allowed;
    expect(allowed('app')).toBe(true);
    expect(allowed('cli')).toBe(true);
    expect(allowed('lib')).toBe(false);
    expect(allowed('esm-lib')).toBe(false);
    expect(allowed('lib', true)).toBe(true);
    expect(allowed('lib-with-runtime')).toBe(true);
  });

  it("a published library's tests and benchmarks may: its users never run them (a dev dependency)", () => {
    const root = makeProject({
      'lib/package.json': '{ "name": "lib", "main": "index.js" }',
      'lib-dev/package.json': `{ "name": "lib-dev", "main": "index.js", "devDependencies": { "${RUNTIME}": "${RANGE}" } }`,
    });
    const policy = (file: string) => runtimePolicy(path.join(root, file));
    expect(policy('lib/test/watch.ts')).toMatchObject({ allowed: true, reason: 'dev-only' });
    expect(policy('lib/src/watch.test.ts')).toMatchObject({ allowed: true, reason: 'dev-only' });
    expect(policy('lib/bench/watch.ts')).toMatchObject({ allowed: true, reason: 'dev-only' });
    expect(policy('lib/src/watch.ts')).toMatchObject({ allowed: false, reason: 'library' });
    expect(policy('lib/bin/cli.ts')).toMatchObject({ allowed: false, reason: 'library' });
    // A dev dependency serves the tests, not the code the library ships.
    expect(policy('lib-dev/test/watch.ts')).toMatchObject({ allowed: true, reason: 'present' });
    expect(policy('lib-dev/src/watch.ts')).toMatchObject({ allowed: false, reason: 'library' });
  });
});

const FLOATING = `async function save(): Promise<void> {}
export function handler(): void {
  save();
}
`;

describe('fix in an application and in a library', () => {
  it('an application: the fix applies and package.json gets the dependency; the fixed project type-checks under strict options', async () => {
    const root = makeProject({ 'tsconfig.json': STRICT_TSCONFIG, 'package.json': '{\n  "name": "app",\n  "private": true,\n  "type": "module"\n}\n', 'src/jobs.ts': FLOATING });
    linkRuntime(root);
    const dry = await fixProject({ cwd: root });
    expect(formatDiff(dry)).toContain(`+  "type": "module",\n+  "dependencies": {\n+    "${RUNTIME}": "${RANGE}"\n+  }\n`);
    expect(readFileSync(path.join(root, 'package.json'), 'utf8')).not.toContain(RUNTIME);
    const written = await fixProject({ cwd: root, write: true });
    expect(written.dependencies.map((d) => [d.relative, d.written, d.message])).toEqual([['package.json', true, `added ${RUNTIME} ${RANGE} to dependencies; run npm install`]]);
    expect(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))).toEqual({ name: 'app', private: true, type: 'module', dependencies: { [RUNTIME]: RANGE } });
    expect(typeErrors(root)).toEqual([]);
    const again = await fixProject({ cwd: root });
    expect(formatDiff(again)).toBe('');
  });

  it('a published library: no runtime import by surprise; a suggestion and a note instead, applied with allowRuntimeDependency', async () => {
    const manifest = '{\n  "name": "small-lib",\n  "version": "1.0.0",\n  "main": "dist/index.js",\n  "dependencies": {\n    "ms": "^2.1.3"\n  }\n}\n';
    const root = makeProject({ 'tsconfig.json': TSCONFIG, 'package.json': manifest, 'src/jobs.ts': FLOATING });
    const result = await fixProject({ cwd: root, write: true });
    expect(result.files.find((f) => f.file === 'src/jobs.ts')?.after).toBe(FLOATING);
    expect(result.files.find((f) => f.file === 'src/jobs.ts')?.remaining.map((f) => f.ruleId)).toEqual(['no-floating-promise']);
    expect(result.dependencies).toEqual([]);
    expect(result.notes).toEqual([
      `package.json is a published library that does not depend on ${RUNTIME}: fixes that need it are left as suggestions (--allow-runtime-dependency applies them and adds the dependency)`,
    ]);
    expect(readFileSync(path.join(root, 'package.json'), 'utf8')).toBe(manifest);

    const allowed = await fixProject({ cwd: root, write: true, allowRuntimeDependency: true });
    expect(readFileSync(path.join(root, 'src/jobs.ts'), 'utf8')).toContain(`import { spawn } from '${RUNTIME}';`);
    expect(allowed.dependencies.map((d) => d.written)).toEqual([true]);
    expect(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).dependencies).toEqual({ [RUNTIME]: RANGE, ms: '^2.1.3' });
  });
});

describe("a library's tests", () => {
  const TIMER_TEST = `async function save(): Promise<void> {}
export function later(): void {
  setTimeout(async () => {
    await save();
  }, 10);
}
`;

  it('are fixed without the flag and get the runtime as a dev dependency; the shipped code waits for the flag, which moves it to dependencies', async () => {
    const manifest = '{\n  "name": "small-lib",\n  "version": "1.0.0",\n  "main": "dist/index.js",\n  "devDependencies": {\n    "vitest": "^4.0.0"\n  }\n}\n';
    const root = makeProject({ 'tsconfig.json': TSCONFIG, 'package.json': manifest, 'src/jobs.ts': FLOATING, 'test/jobs.test.ts': TIMER_TEST });
    const result = await fixProject({ cwd: root, write: true });
    expect(readFileSync(path.join(root, 'test/jobs.test.ts'), 'utf8')).toContain(`import { spawn } from '${RUNTIME}';`);
    expect(readFileSync(path.join(root, 'src/jobs.ts'), 'utf8')).toBe(FLOATING);
    expect(result.dependencies.map((d) => d.message)).toEqual([`added ${RUNTIME} ${RANGE} to devDependencies (only tests and benchmarks import it); run npm install`]);
    expect(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))).toMatchObject({ devDependencies: { [RUNTIME]: RANGE, vitest: '^4.0.0' } });
    expect(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).dependencies).toBeUndefined();

    const allowed = await fixProject({ cwd: root, write: true, allowRuntimeDependency: true });
    expect(readFileSync(path.join(root, 'src/jobs.ts'), 'utf8')).toContain(`import { spawn } from '${RUNTIME}';`);
    expect(allowed.dependencies.map((d) => d.message)).toEqual([`added ${RUNTIME} ${RANGE} to dependencies (moved from devDependencies: fixed code imports it at run time); run npm install`]);
    const after = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(after.dependencies).toEqual({ [RUNTIME]: RANGE });
    expect(after.devDependencies).toEqual({ vitest: '^4.0.0' });
  });
});

const ENTRY = (extra = '') => `${extra}async function main(): Promise<void> {
  // An open handle: without a crash the process would wait on it for ever.
  watch(${extra.includes('require') ? '__dirname' : 'import.meta.dirname'});
  await new Promise((resolve) => setImmediate(resolve));
  throw new Error('config file missing');
}
main();
`;

describe('entry points keep their crash', () => {
  it('the top level of an ES module that may await: `await main()`, and the fixed program exits 1', async () => {
    const root = makeProject({
      'tsconfig.json': STRICT_TSCONFIG,
      'package.json': '{ "name": "tool", "private": true, "type": "module" }',
      'bin/tool.mjs': ENTRY("import { watch } from 'node:fs';\n").replace('(): Promise<void>', '()'),
      'src/tool.ts': ENTRY("import { watch } from 'node:fs';\n"),
    });
    linkRuntime(root);
    const result = await fixProject({ cwd: root, write: true });
    expect(readFileSync(path.join(root, 'bin/tool.mjs'), 'utf8')).toMatch(/\nawait main\(\);\n$/);
    expect(readFileSync(path.join(root, 'src/tool.ts'), 'utf8')).toMatch(/\nawait main\(\);\n$/);
    expect(result.dependencies).toEqual([]);
    expect(typeErrors(root)).toEqual([]);
    const run = runNode(path.join(root, 'bin/tool.mjs'));
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('config file missing');
  });

  it('CommonJS: `runMain(() => main())`, which exits 1 whatever handles are open', async () => {
    const root = makeProject({
      'tsconfig.json': STRICT_TSCONFIG,
      'package.json': '{ "name": "tool", "private": true }',
      'bin/tool.cjs': ENTRY("const { watch } = require('node:fs');\n").replace('(): Promise<void>', '()'),
    });
    linkRuntime(root);
    await fixProject({ cwd: root, write: true });
    const fixed = readFileSync(path.join(root, 'bin/tool.cjs'), 'utf8');
    expect(fixed).toContain(`const { runMain } = require('${RUNTIME}');`);
    expect(fixed).toMatch(/\nrunMain\(\(\) => main\(\)\);\n$/);
    const run = runNode(path.join(root, 'bin/tool.cjs'));
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('main failed: Error: config file missing');
  });

  it('a published library (CommonJS): the dependency-free form, which also exits 1', async () => {
    const root = makeProject({
      'tsconfig.json': STRICT_TSCONFIG,
      'package.json': '{ "name": "tool", "version": "1.0.0", "main": "index.js", "bin": "bin/tool.cjs" }',
      'bin/tool.cjs': ENTRY("const { watch } = require('node:fs');\n").replace('(): Promise<void>', '()'),
    });
    linkRuntime(root);
    const result = await fixProject({ cwd: root, write: true });
    expect(readFileSync(path.join(root, 'bin/tool.cjs'), 'utf8')).toMatch(/\nmain\(\)\.catch\(\(error\) => \{\n {2}console\.error\(error\);\n {2}process\.exit\(1\);\n\}\);\n$/);
    expect(result.dependencies).toEqual([]);
    expect(typeErrors(root)).toEqual([]);
    const run = runNode(path.join(root, 'bin/tool.cjs'));
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('config file missing');
  });
});

describe('migrate --write', () => {
  it('adds the runtime to the dependencies when wrappers move onto the runner, and says so', async () => {
    const root = makeProject({
      'tsconfig.json': STRICT_TSCONFIG,
      'package.json': '{\n  "name": "app",\n  "private": true,\n  "type": "module",\n  "dependencies": {\n    "deasync": "^0.1.30"\n  }\n}\n',
      'src/repo.ts': `import deasync from 'deasync';
import { callbackify } from 'node:util';
export async function findUser(id: string): Promise<string> {
  return id;
}
export const findUserSync = deasync(callbackify(findUser)) as (id: string) => string;
`,
      'src/deasync.d.ts': "declare module 'deasync' { const deasync: (fn: Function) => Function; export default deasync; }\n",
    });
    linkRuntime(root);
    const dry = await migrate({ cwd: root, mode: 'runner' });
    expect(dry.diff).toContain(`+    "${RUNTIME}": "${RANGE}",\n     "deasync": "^0.1.30"`);
    expect(dry.changes.filter((c) => c.kind === 'package-added').map((c) => c.message)).toEqual([`added ${RUNTIME} ${RANGE} to dependencies; run npm install`]);
    await migrate({ cwd: root, mode: 'runner', write: true });
    expect(JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).dependencies).toEqual({ [RUNTIME]: RANGE, deasync: '^0.1.30' });
    expect(readFileSync(path.join(root, 'src/repo.ts'), 'utf8')).toContain(`from '${RUNTIME}'`);
  });
});

describe('eslint --fix follows the same policy', () => {
  async function lint(root: string, settings: Record<string, unknown> = {}): Promise<{ output: string | undefined; suggestions: string[] }> {
    const eslint = new ESLint({
      cwd: root,
      fix: true,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.js'], plugins: { 'loop-audit': plugin as never }, rules: { 'loop-audit/no-floating-promise': 'error' }, settings }],
    });
    const [result] = await eslint.lintText('async function save() {}\nexport function handler() {\n  save();\n}\n', { filePath: path.join(root, 'src/jobs.js') });
    return { output: result!.output, suggestions: result!.messages.flatMap((m) => (m.suggestions ?? []).map((x) => x.desc)) };
  }

  it('a published library: no fix, the spawn edit as a suggestion; the setting allows it', async () => {
    const root = makeProject({ 'package.json': '{ "name": "lib", "main": "index.js", "type": "module" }' });
    const plain = await lint(root);
    expect(plain.output).toBeUndefined();
    expect(plain.suggestions).toContain('Track it with `spawn()` from @loop-audit/runtime (this package would then depend on @loop-audit/runtime).');
    const allowed = await lint(root, { 'loop-audit': { allowRuntimeDependency: true } });
    expect(allowed.output).toContain(`import { spawn } from '${RUNTIME}';`);
  });

  it('without a program, a .mjs entry point awaits at its top level; a .js one (no options known) gets runMain', async () => {
    const root = makeProject({ 'package.json': '{ "name": "app", "private": true, "type": "module" }' });
    const eslint = new ESLint({
      cwd: root,
      fix: true,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.{js,mjs}'], plugins: { 'loop-audit': plugin as never }, rules: { 'loop-audit/no-floating-promise': 'error' } }],
    });
    const code = 'async function main() {}\nmain();\n';
    const [mjs] = await eslint.lintText(code, { filePath: path.join(root, 'bin/main.mjs') });
    expect(mjs!.output).toBe('async function main() {}\nawait main();\n');
    const [js] = await eslint.lintText(code, { filePath: path.join(root, 'bin/main.js') });
    expect(js!.output).toBe(`import { runMain } from '${RUNTIME}';\n\nasync function main() {}\nrunMain(() => main());\n`);
  });

  it('an application: the fix', async () => {
    const root = makeProject({ 'package.json': '{ "name": "app", "private": true, "type": "module" }' });
    expect((await lint(root)).output).toContain(`spawn(save(), { name: 'handler' })`);
  });
});
