import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { declarationRange, FileEdits } from '../../src/migrate/edits.js';
import { rewriteFile } from '../../src/migrate/migrate.js';
import { loadTsMorph } from '../../src/scan/program.js';
import type { TS, TypeScriptApi } from '../../src/core/types.js';
import { cli, project, read, refusals, run, typecheck, write } from './helpers.js';
import { BRIDGE, DEASYNC_TYPES, USERS } from './sources.js';

const BASE = { 'types/deasync.d.ts': DEASYNC_TYPES, 'src/lib/bridge.ts': BRIDGE, 'src/data/users.ts': USERS };
const GREETER = `import { loadUserSync } from '../data/users.js';

export function greet(id: string): string {
  return \`hi \${loadUserSync(id)?.name}\`;
}
`;

const outside: string[] = [];
afterEach(() => {
  for (const dir of outside.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function snapshot(dir: string, files: string[]): Record<string, string> {
  return Object.fromEntries(files.map((file) => [file, read(dir, file)]));
}

describe('migrate: safety', () => {
  it('a dry run prints the diff and writes nothing', async () => {
    const dir = project({ ...BASE, 'src/services/greeter.ts': GREETER });
    const files = ['src/data/users.ts', 'src/lib/bridge.ts', 'src/services/greeter.ts'];
    const before = snapshot(dir, files);
    const result = await run(dir, { write: false });
    expect(snapshot(dir, files)).toEqual(before);
    expect(result.write).toBe(false);
    expect(result.diff).toContain('--- a/src/services/greeter.ts\n+++ b/src/services/greeter.ts');
    expect(result.diff).toContain('\n-export function greet(id: string): string {\n');
    expect(result.diff).toContain('\n+export async function greet(id: string): Promise<string> {\n');
    expect(result.files).toEqual([
      { file: 'src/data/users.ts', status: 'changed' },
      { file: 'src/lib/bridge.ts', status: 'changed' },
      { file: 'src/services/greeter.ts', status: 'changed' },
    ]);
  });

  it('is idempotent: a second run changes nothing', async () => {
    const dir = project({ ...BASE, 'src/services/greeter.ts': GREETER });
    const first = await run(dir);
    expect(first.summary.filesChanged).toBe(3);
    const files = ['src/data/users.ts', 'src/lib/bridge.ts', 'src/services/greeter.ts'];
    const after = snapshot(dir, files);
    const second = await run(dir);
    expect(second.diff).toBe('');
    expect(second.changes).toEqual([]);
    expect(second.summary).toMatchObject({ wrappersFound: 0, filesChanged: 0 });
    expect(snapshot(dir, files)).toEqual(after);

    const stabilized = project({ ...BASE, 'src/services/greeter.ts': GREETER });
    expect((await run(stabilized, { phase: 'stabilize' })).summary.wrappersMovedToRunner).toBe(1);
    const again = await run(stabilized, { phase: 'stabilize' });
    expect(again.diff).toBe('');
    expect(again.summary.filesChanged).toBe(0);
  });

  it('never writes through a symbolic link: a linked file is planned around, and the wrapper it calls is kept', async () => {
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'loop-audit-migrate-outside-'));
    outside.push(elsewhere);
    const dir = project({ ...BASE });
    mkdirSync(path.join(dir, 'src/services'), { recursive: true });
    writeFileSync(path.join(elsewhere, 'greeter.ts'), GREETER.replace("'../data/users.js'", `'${path.join(dir, 'src/data/users.js').split(path.sep).join('/')}'`));
    symlinkSync(path.join(elsewhere, 'greeter.ts'), path.join(dir, 'src/services/greeter.ts'));
    const target = readFileSync(path.join(elsewhere, 'greeter.ts'), 'utf8');
    const result = await run(dir);
    expect(readFileSync(path.join(elsewhere, 'greeter.ts'), 'utf8')).toBe(target);
    expect(refusals(result)).toContainEqual(
      expect.stringMatching(/^kept: 'loadUserSync' is kept: it is used at src\/services\/greeter\.ts:4, which migrate may not change \(refusing to write .* it is a symbolic link\)/),
    );
    expect(read(dir, 'src/data/users.ts')).toContain('export function loadUserSync(');
  });

  it('never changes a file outside the root, even when the tsconfig includes it', async () => {
    const files: Record<string, string> = {};
    for (const [file, text] of Object.entries(BASE)) files[`app/${file}`] = text;
    files['shared/report.ts'] = `import { loadUserSync } from '../app/src/data/users.js';\n\nexport function report(): string {\n  return loadUserSync('x')?.name ?? '';\n}\n`;
    const parent = project(files);
    const tsconfig = JSON.parse(read(parent, 'tsconfig.json')) as { include: string[] };
    tsconfig.include = ['**/*.ts', '../shared/**/*.ts'];
    write(parent, 'app/tsconfig.json', JSON.stringify(tsconfig));
    write(parent, 'app/package.json', read(parent, 'package.json'));
    const shared = read(parent, 'shared/report.ts');
    const result = await run(path.join(parent, 'app'));
    expect(read(parent, 'shared/report.ts')).toBe(shared);
    expect(refusals(result)).toContainEqual(expect.stringMatching(/^kept: 'loadUserSync' is kept: it is used at \.\.\/shared\/report\.ts:4, outside the files migrate may change/));
    expect(read(parent, 'app/src/data/users.ts')).toContain('export function loadUserSync(');
  });

  it('a rewrite that would not parse, or whose edits conflict, leaves the file as it was', async () => {
    const ts = (await loadTsMorph()).ts as unknown as TypeScriptApi;
    const text = 'export function f(): number {\n  return g();\n}\n';
    const broken = new FileEdits(text);
    broken.insert(text.indexOf('g()'), 'await (');
    expect(rewriteFile(ts, 'f.ts', broken)).toEqual({ reason: 'the rewritten file would not parse; nothing in this file is changed' });
    const conflicting = new FileEdits(text);
    conflicting.replace(0, 10, 'x');
    conflicting.replace(5, 20, 'y');
    expect(rewriteFile(ts, 'f.ts', conflicting)).toMatchObject({ reason: expect.stringMatching(/^the planned edits conflict/) });
    const fine = new FileEdits(text);
    fine.insert(text.indexOf('function'), 'async ');
    fine.insert(text.indexOf('g()'), 'await ');
    fine.replace(text.indexOf('number'), text.indexOf('number') + 6, 'Promise<number>');
    expect(rewriteFile(ts, 'f.ts', fine)).toEqual({ text: 'export async function f(): Promise<number> {\n  return await g();\n}\n' });
  });

  it("deleting a class's last members leaves no blank line before its closing brace, without a formatter", async () => {
    const ts = (await loadTsMorph()).ts as unknown as TypeScriptApi;
    const withoutWrappers = (text: string): string => {
      const sourceFile = ts.createSourceFile('f.ts', text, ts.ScriptTarget.Latest, true);
      const edits = new FileEdits(text);
      for (const member of (sourceFile.statements[0] as TS.ClassDeclaration).members) {
        if (!member.name?.getText(sourceFile).endsWith('Sync')) continue;
        const range = declarationRange(ts, sourceFile, member);
        edits.remove(range.start, range.end);
      }
      return edits.apply();
    };
    expect(withoutWrappers('class Repo {\n  list() {}\n\n  listSync() {}\n\n  getSync() {}\n}\n')).toBe('class Repo {\n  list() {}\n}\n');
    expect(withoutWrappers('class Repo {\n  list() {}\n\n  listSync() {}\n  getSync() {}\n}\n')).toBe('class Repo {\n  list() {}\n}\n');
    expect(withoutWrappers('class Repo {\n  listSync() {}\n\n  getSync() {}\n\n  list() {}\n}\n')).toBe('class Repo {\n  list() {}\n}\n');
    expect(withoutWrappers('class Repo {\n  list() {}\n\n  listSync() {}\n\n  get() {}\n\n  getSync() {}\n}\n')).toBe('class Repo {\n  list() {}\n\n  get() {}\n}\n');
  });
});

describe('migrate: --keep-public-sync', () => {
  it('an exported function keeps a marked sync boundary over the runner; callers that can await use the async one', async () => {
    const dir = project({
      ...BASE,
      'src/services/greeter.ts': GREETER,
      'src/app.ts': `import { greet } from './services/greeter.js';

export class Banner {
  text: string;
  constructor() {
    this.text = greet('banner');
  }
}

export async function show(): Promise<void> {
  console.log(greet('ada'));
}
`,
    });
    const result = await run(dir, { keepPublicSync: true });
    const greeter = read(dir, 'src/services/greeter.ts');
    expect(greeter).toContain(`export async function greetAsync(id: string): Promise<string> {
  return \`hi \${(await loadUser(id))?.name}\`;
}

/** @deprecated sync boundary kept by loop-audit migrate --keep-public-sync */
export function greet(id: string): string {
  return defineSync<typeof greetAsync>(import.meta.url, 'greetAsync')(id);
}`);
    expect(greeter).toContain("import { defineSync } from '@loop-audit/runtime';");
    const app = read(dir, 'src/app.ts');
    expect(app).toContain("console.log(await greetAsync('ada'));");
    expect(app).toContain("this.text = greet('banner');");
    expect(app).toContain("import { greet, greetAsync } from './services/greeter.js';");
    expect(result.notes.some((note) => note.includes("runs greetAsync in @loop-audit/runtime's worker thread"))).toBe(true);
    expect(result.changes.some((c) => c.kind === 'public-boundary')).toBe(true);
  });

  it('refuses a boundary that could not behave like the function: a function parameter cannot reach the worker', async () => {
    const dir = project({
      ...BASE,
      'src/services/each.ts': `import { loadUserSync } from '../data/users.js';

export function describeWith(id: string, format: (name: string) => string): string {
  return format(loadUserSync(id)?.name ?? '');
}
`,
    });
    const result = await run(dir, { keepPublicSync: true });
    expect(refusals(result)).toContainEqual(expect.stringMatching(/^public-boundary: 'describeWith' stays sync: parameter 'format' is a function, which cannot be copied to the runner's worker/));
    expect(read(dir, 'src/services/each.ts')).toContain('return format(loadUserSync(id)?.name');
    expect(typecheck(dir)).toBe('');
  });

  it("refuses a boundary whose body reads module state: the worker would see its own copy (issue 11's findUser/saveUser Map)", async () => {
    const dir = project({
      ...BASE,
      'src/services/directory.ts': `import { loadUserSync } from '../data/users.js';

const seen = new Map<string, string>();

export function remember(id: string): string {
  const name = loadUserSync(id)?.name ?? '';
  seen.set(id, name);
  return name;
}

export function recall(id: string): string | undefined {
  return seen.get(id);
}
`,
    });
    const result = await run(dir, { keepPublicSync: true });
    expect(refusals(result)).toContainEqual(
      expect.stringMatching(/^public-boundary: 'remember' stays sync: it reads `seen`, a module-level `const` holding `new Map\(\)`.*the boundary would run it in the runner's worker/),
    );
    expect(read(dir, 'src/services/directory.ts')).toContain('const name = loadUserSync(id)?.name');
    expect(typecheck(dir)).toBe('');
  });
});

describe('migrate: the CLI', () => {
  it('dry run: the diff on stdout, the report on stderr, exit 0 when everything was migrated', async () => {
    const dir = project({ ...BASE, 'src/services/greeter.ts': GREETER });
    const run1 = await cli(dir, 'migrate');
    expect(run1.code).toBe(0);
    expect(run1.stdout).toMatch(/^=+\n--- a\/src\/data\/users\.ts/);
    expect(run1.stderr).toContain('loop-audit migrate (the whole project, async): 2 of 2 wrappers removed');
    expect(run1.stderr).toContain('3 files would change (dry run: run with --write to apply)');
    expect(read(dir, 'src/services/greeter.ts')).toBe(GREETER);
  });

  it('--write --format json: the report as JSON, exit 1 when something was left', async () => {
    const dir = project({
      ...BASE,
      'src/services/greeter.ts': GREETER,
      'src/card.ts': `import { loadUserSync } from './data/users.js';\n\nexport class Card {\n  name: string;\n  constructor() {\n    this.name = loadUserSync('x')?.name ?? '';\n  }\n}\n`,
    });
    const out = await cli(dir, 'migrate', '--write', '--format', 'json');
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as Record<string, unknown> & { summary: Record<string, number>; refusals: { kind: string }[]; files: { status: string }[] };
    expect(Object.keys(report)).toEqual(['version', 'tool', 'command', 'root', 'scope', 'mode', 'write', 'files', 'changes', 'refusals', 'unhandled', 'notes', 'diff', 'summary']);
    expect(report).toMatchObject({ version: 1, tool: 'loop-audit', command: 'migrate', mode: 'async', write: true });
    expect(report.summary).toMatchObject({ wrappersFound: 2, wrappersRemoved: 1, wrappersKept: 1 });
    expect(report.refusals.map((r) => r.kind)).toContain('constructor');
    expect(report.files.every((f) => f.status === 'written')).toBe(true);
    expect(read(dir, 'src/services/greeter.ts')).toContain('export async function greet');
  });

  it('an unknown phase is a usage error (exit 2)', async () => {
    const dir = project({ ...BASE });
    const out = await cli(dir, 'migrate', '--phase', 'nope');
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('unknown phase "nope" (phases: stabilize, data-layer, services, application, background-jobs, cleanup)');
  });

  it('--phase limits the wrappers to the layer; --path to the files named', async () => {
    const dir = project({
      ...BASE,
      'src/services/greeter.ts': GREETER,
      'src/services/wrapped.ts': `import { runAsync } from '../lib/bridge.js';\n\nexport async function nameAsync(): Promise<string> {\n  return 'n';\n}\n\nexport function nameSync(): string {\n  return runAsync(nameAsync());\n}\n`,
    });
    const dataLayer = await run(dir, { phase: 'data-layer', write: false });
    expect(dataLayer.scope).toBe('phase data-layer');
    expect(dataLayer.summary.wrappersFound).toBe(2);
    const services = await run(dir, { paths: ['src/services'], write: false });
    expect(services.scope).toBe('paths src/services');
    expect(services.summary.wrappersFound).toBe(1);
  });
});
