import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCache, toolIdentity } from '../../src/scan/cache.js';
import { scan } from '../../src/scan/scan.js';
import type { ScanResult } from '../../src/scan/types.js';
import { age, cleanupProjects, makeProject, TSCONFIG } from './helpers.js';

afterAll(cleanupProjects);

/** What a report shows, without timings and cache statistics. */
function shape(result: ScanResult) {
  return { files: result.files, findings: result.findings, errors: result.errors };
}

function project() {
  return makeProject({
    'tsconfig.json': TSCONFIG,
    // A typed-only finding: `load()` is a promise only because the checker says so (imported).
    'src/db.ts': 'export function load(): number {\n  return 1;\n}\n',
    'src/use.ts': "import { load } from './db.js';\nexport function run(): void {\n  load();\n}\n",
    // A barrel that asks the checker nothing: its result depends on its own text only.
    'src/index.ts': "export * from './db.js';\nexport * from './use.js';\n",
    'src/leaf.ts': 'async function tick(): Promise<void> {}\nexport function go(): void {\n  tick();\n}\n',
  });
}

describe('scan cache', () => {
  it('the cache folder ignores itself: after a cached scan in a git repository, `git add -A` stages none of it', async () => {
    const root = project();
    execFileSync('git', ['init', '-q', root]);
    await scan({ cwd: root, config: false, cache: true });
    expect(readFileSync(path.join(root, '.loop-audit-cache', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    execFileSync('git', ['add', '-A'], { cwd: root });
    const staged = execFileSync('git', ['diff', '--cached', '--name-only'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(staged).toContain('src/db.ts');
    expect(staged.filter((file) => file.startsWith('.loop-audit-cache'))).toEqual([]);
  });

  it('a warm run with nothing changed reuses every result without building a program, and reports the same', async () => {
    const root = project();
    age(root);
    const cold = await scan({ cwd: root, config: false, cache: true });
    expect(cold.stats).toMatchObject({ analyzed: 4, cached: 0 });
    expect(cold.stats.programFiles).toBeGreaterThan(0);
    const warm = await scan({ cwd: root, config: false, cache: true });
    expect(warm.stats).toMatchObject({ analyzed: 0, cached: 4, programFiles: 0 });
    expect(shape(warm)).toEqual(shape(cold));
  });

  it('is sound: editing an imported module re-analyses its typed importers, and the new finding appears', async () => {
    const root = project();
    age(root);
    const cold = await scan({ cwd: root, config: false, cache: true });
    expect(cold.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['src/leaf.ts:3']);
    writeFileSync(path.join(root, 'src/db.ts'), 'export async function load(): Promise<number> {\n  return 1;\n}\n');
    const warm = await scan({ cwd: root, config: false, cache: true });
    // db.ts changed; use.ts asked the checker about `load()`, so its closure is part of its key. index.ts
    // (re-exports only, no type query) and leaf.ts (imports nothing) are reused.
    expect(warm.stats).toMatchObject({ analyzed: 2, cached: 2 });
    expect(warm.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['src/leaf.ts:3', 'src/use.ts:3']);
    const fresh = await scan({ cwd: root, config: false });
    expect(shape(warm)).toEqual(shape(fresh));
  });

  it('editing one leaf file re-analyses it alone, over its own import closure', async () => {
    const root = project();
    age(root);
    await scan({ cwd: root, config: false, cache: true });
    writeFileSync(path.join(root, 'src/leaf.ts'), 'async function tick(): Promise<void> {}\nexport async function go(): Promise<void> {\n  await tick();\n}\n');
    const warm = await scan({ cwd: root, config: false, cache: true });
    expect(warm.stats).toMatchObject({ analyzed: 1, cached: 3 });
    expect(warm.findings).toEqual([]);
    expect(shape(warm)).toEqual(shape(await scan({ cwd: root, config: false })));
  });

  it('a changed tsconfig, rule settings or a new file start over; the cache is written atomically', async () => {
    const root = project();
    age(root);
    const location = path.join(root, 'cache-dir') + path.sep;
    await scan({ cwd: root, config: false, cache: true, cacheLocation: location });
    expect(readdirSync(path.join(root, 'cache-dir')).sort()).toEqual(['.gitignore', 'scan-cache.json']);
    expect(readCache(path.join(root, 'cache-dir', 'scan-cache.json'))).toBeDefined();

    writeFileSync(path.join(root, 'src/extra.ts'), 'export const x = 1;\n');
    expect((await scan({ cwd: root, config: false, cache: true, cacheLocation: location })).stats).toMatchObject({ analyzed: 5, cached: 0 });

    writeFileSync(path.join(root, 'tsconfig.json'), TSCONFIG.replace('"strict":true', '"strict":false'));
    expect((await scan({ cwd: root, config: false, cache: true, cacheLocation: location })).stats).toMatchObject({ analyzed: 5, cached: 0 });

    const off = await scan({ cwd: root, config: { rules: { 'no-floating-promise': 'off' } }, cache: true, cacheLocation: location });
    expect(off.stats).toMatchObject({ analyzed: 5, cached: 0 });
    expect(off.findings).toEqual([]);
    expect(readdirSync(path.join(root, 'cache-dir')).sort()).toEqual(['.gitignore', 'scan-cache.json']);
  });

  it('a corrupt or foreign cache file is ignored (cold run) and replaced', async () => {
    const root = project();
    const file = path.join(root, '.loop-audit-cache', 'scan-cache.json');
    const cold = await scan({ cwd: root, config: false, cache: true });
    expect(existsSync(file)).toBe(true);
    writeFileSync(file, '{"format": 1, "tool": "x"');
    const again = await scan({ cwd: root, config: false, cache: true });
    expect(again.stats.cached).toBe(0);
    expect(shape(again)).toEqual(shape(cold));
    expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe(1);
  });

  it('a file touched without a content change is re-hashed, not re-analysed', async () => {
    const root = project();
    age(root);
    await scan({ cwd: root, config: false, cache: true });
    const now = new Date();
    utimesSync(path.join(root, 'src/use.ts'), now, now);
    expect((await scan({ cwd: root, config: false, cache: true })).stats).toMatchObject({ analyzed: 0, cached: 4 });
  });

  it('trusts the tool identity it recorded while its files keep their stat memos, and recomputes it when one moved', () => {
    const later = Date.now() + 10_000;
    const fresh = toolIdentity(later);
    expect(fresh.files).toBeDefined();
    // A recorded identity whose files did not move is taken as it is, without reading them.
    const recorded = { key: `${fresh.key.slice(0, fresh.key.indexOf(':'))}:recorded`, files: fresh.files };
    expect(toolIdentity(later, recorded).key).toBe(recorded.key);
    const [first] = Object.keys(fresh.files!);
    expect(toolIdentity(later, { ...recorded, files: { ...fresh.files!, [first!]: [1, 2, 3, 4] } }).key).toBe(fresh.key);
    const { [first!]: _gone, ...fewer } = fresh.files!;
    expect(toolIdentity(later, { ...recorded, files: fewer }).key).toBe(fresh.key);
    // Files modified shortly before a run are no witnesses: nothing is recorded then.
    expect(toolIdentity(0).files).toBeUndefined();
    expect(toolIdentity(0).key).toBe(fresh.key);
  });

  it('is sound when a file’s bridge helpers were worked out with the checker while another file was analysed', async () => {
    // a.ts (analysed first) calls b.ts's readSync with a parameter, so b.ts's helpers are worked
    // out during a.ts's analysis. Whether readSync is a helper (then it is no sync wrapper)
    // depends on which parameter c.ts's runBlocking treats as a promise: b.ts must be re-analysed
    // when c.ts changes, although its own analysis asks the checker nothing.
    const blocking = (promise: 'first' | 'second') => `import deasync from 'deasync';
export function runBlocking(first: unknown, second: unknown): unknown {
  let done = false;
  let value: unknown;
  void (${promise} as Promise<unknown>).then((v) => {
    value = v;
    done = true;
  });
  deasync.loopWhile(() => !done);
  return value;
}
`;
    const root = makeProject({
      'tsconfig.json': TSCONFIG,
      'src/a.ts': "import { readSync } from './b.js';\nexport function load(p: Promise<number>): unknown {\n  return readSync(p);\n}\n",
      'src/b.ts':
        "import { runBlocking } from './c.js';\nasync function readAsync(): Promise<string> {\n  return 'x';\n}\nexport function readSync(p: Promise<unknown>): unknown {\n  return runBlocking(p, readAsync());\n}\n",
      'src/c.ts': blocking('first'),
    });
    age(root);
    const before = await scan({ cwd: root, config: false, cache: true });
    expect(before.findings.map((f) => `${f.file} ${f.ruleId}`)).toEqual(['src/c.ts no-sync-bridge']);
    writeFileSync(path.join(root, 'src/c.ts'), blocking('second'));
    const warm = await scan({ cwd: root, config: false, cache: true });
    expect(shape(warm)).toEqual(shape(await scan({ cwd: root, config: false })));
    expect(warm.findings.map((f) => `${f.file} ${f.ruleId}`)).toEqual(['src/b.ts no-sync-wrapper', 'src/c.ts no-sync-bridge']);
  });
});
