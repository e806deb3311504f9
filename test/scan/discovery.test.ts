import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isUnder } from '../../src/util/paths.js';
import { scan } from '../../src/scan/scan.js';
import { cleanupProjects, DISEASED_TS, makeProject, TSCONFIG } from './helpers.js';

afterAll(cleanupProjects);

describe('which files are scanned', () => {
  it('skips node_modules, build output beside a package.json, .gitignored paths and excluded globs', async () => {
    const root = makeProject({
      'package.json': '{ "name": "app", "type": "module" }',
      'tsconfig.json': TSCONFIG,
      '.gitignore': 'generated/\n*.gen.ts\n',
      'src/app.ts': DISEASED_TS,
      'src/schema.gen.ts': DISEASED_TS,
      'generated/client.ts': DISEASED_TS,
      'node_modules/dep/index.js': DISEASED_TS,
      'dist/app.js': DISEASED_TS,
      'coverage/lcov.js': DISEASED_TS,
      'src/build/steps.ts': DISEASED_TS,
      'test/app.test.ts': DISEASED_TS,
      'src/types.d.ts': 'declare const x: number;\n',
    });
    mkdirSync(path.join(root, '.git'));
    const result = await scan({ cwd: root, config: false, exclude: ['test'] });
    // src/build is not build output: only a build directory beside package.json or tsconfig.json is.
    expect(result.files).toEqual(['src/app.ts', 'src/build/steps.ts']);
  });

  it("a tsconfig that emits beside its sources (outDir '.', rootDir src, chokidar's layout): the sources are scanned, the output is not", async () => {
    const root = makeProject({
      'package.json': '{ "name": "watcher", "type": "module" }',
      'tsconfig.json': JSON.stringify({ compilerOptions: { outDir: '.', rootDir: 'src', module: 'node16', strict: true }, include: ['src'], exclude: ['node_modules'] }),
      'src/index.ts': DISEASED_TS,
      'index.js': DISEASED_TS,
    });
    mkdirSync(path.join(root, '.git'));
    const result = await scan({ cwd: root, config: false });
    expect(result.files).toEqual(['src/index.ts']);
  });

  it('honours include globs from the configuration and the command line, and explicit paths', async () => {
    const root = makeProject({
      'tsconfig.json': TSCONFIG,
      'loop-audit.config.json': JSON.stringify({ include: ['src/server/**'] }),
      'src/server/a.ts': DISEASED_TS,
      'src/client/b.ts': DISEASED_TS,
      'scripts/c.ts': DISEASED_TS,
    });
    expect((await scan({ cwd: root })).files).toEqual(['src/server/a.ts']);
    expect((await scan({ cwd: root, include: ['scripts/*.ts'] })).files).toEqual(['scripts/c.ts', 'src/server/a.ts']);
    expect((await scan({ cwd: root, paths: ['src/client/b.ts'] })).files).toEqual(['src/client/b.ts']);
  });

  it('scans a plain JS tree without a tsconfig (allowJs program over .js/.mjs/.cjs/.jsx)', async () => {
    const root = makeProject({
      'package.json': '{ "name": "legacy" }',
      'lib/server.js': `const { Worker } = require('node:worker_threads');\nfunction handle(request) {\n  new Worker('./w.js').postMessage(request);\n}\nmodule.exports = { handle };\n`,
      'lib/jobs.mjs': `async function tick() {}\nexport function start() {\n  tick();\n}\n`,
      'lib/legacy.cjs': `const deasync = require('deasync');\nfunction wait(done) {\n  deasync.loopWhile(() => !done());\n}\nmodule.exports = wait;\n`,
      'ui/button.jsx': `async function track() {}\nexport function Button() {\n  return <button onClick={() => { track(); }}>ok</button>;\n}\n`,
    });
    const result = await scan({ cwd: root, config: false });
    expect(result.projects).toEqual([]);
    expect(result.files).toEqual(['lib/jobs.mjs', 'lib/legacy.cjs', 'lib/server.js', 'ui/button.jsx']);
    expect(result.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual([
      'lib/jobs.mjs:3 no-floating-promise',
      'lib/legacy.cjs:3 no-sync-bridge',
      'lib/server.js:3 no-loop-per-call',
      'ui/button.jsx:3 no-floating-promise',
    ]);
  });

  it('follows solution-style references and analyses each file with its own project, typed', async () => {
    const base = { compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: true, types: [], composite: false } };
    const root = makeProject({
      'tsconfig.json': JSON.stringify({ files: [], references: [{ path: './packages/db' }, { path: './packages/api' }] }),
      'packages/db/tsconfig.json': JSON.stringify({ ...base, include: ['src'] }),
      'packages/db/src/store.ts': 'export class Store {\n  async save(): Promise<void> {}\n}\n',
      'packages/api/tsconfig.json': JSON.stringify({ ...base, include: ['src'] }),
      // Only the type checker knows `store.save()` returns a promise: the class comes from another project.
      'packages/api/src/handler.ts': `import { Store } from '../../db/src/store.js';\nconst store = new Store();\nexport function handle(): void {\n  store.save();\n}\n`,
    });
    const result = await scan({ cwd: root, config: false });
    expect(result.projects.map((p) => path.relative(root, p)).sort()).toEqual(['packages/api/tsconfig.json', 'packages/db/tsconfig.json']);
    expect(result.files).toEqual(['packages/api/src/handler.ts', 'packages/db/src/store.ts']);
    expect(result.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual(['packages/api/src/handler.ts:4 no-floating-promise']);
  });

  it('with --tsconfig and no paths, scans that project only', async () => {
    const root = makeProject({
      'tsconfig.json': JSON.stringify({ ...JSON.parse(TSCONFIG), include: ['src'] }),
      'src/a.ts': DISEASED_TS,
      'scripts/b.ts': DISEASED_TS,
    });
    expect((await scan({ cwd: root, config: false, tsconfig: 'tsconfig.json' })).files).toEqual(['src/a.ts']);
    // Without it, files no tsconfig includes are still scanned, in an inferred project.
    expect((await scan({ cwd: root, config: false })).files).toEqual(['scripts/b.ts', 'src/a.ts']);
  });
});

describe('isUnder (one containment test for scan, fix and migrate)', () => {
  const dir = path.resolve('/work/project/lib');
  it('counts the directory itself as under it: a path named as a root or an output directory is inside it', () => {
    expect(isUnder(dir, dir)).toBe(true);
    expect(isUnder(dir, dir + path.sep)).toBe(true);
  });
  it('counts files and folders below it, whatever their names start with', () => {
    expect(isUnder(path.join(dir, 'a.ts'), dir)).toBe(true);
    expect(isUnder(path.join(dir, 'deep', 'a.ts'), dir + path.sep)).toBe(true);
    // A name starting with two dots is inside: a path.relative-based test that rejects any `..` prefix gets this wrong.
    expect(isUnder(path.join(dir, '..generated.ts'), dir)).toBe(true);
  });
  it('does not count a sibling whose name merely starts with the directory name, or the parent', () => {
    expect(isUnder(`${dir}-old${path.sep}a.ts`, dir)).toBe(false);
    expect(isUnder(`${dir}x.ts`, dir)).toBe(false);
    expect(isUnder(path.dirname(dir), dir)).toBe(false);
    expect(isUnder(path.join(path.dirname(dir), 'a.ts'), dir)).toBe(false);
  });
});
