import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const runtimeDir = fileURLToPath(new URL('..', import.meta.url));
const repoModules = path.resolve(runtimeDir, '../node_modules');
const app = fileURLToPath(new URL('./fixtures/bundle-app/', import.meta.url));

let work = '';
let source = '';

/** Runs a bundle from a folder with no node_modules anywhere above it: only what the bundle carries exists. */
function run(file: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [file], { cwd: path.dirname(file), encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'loop-audit-bundle-'));
  source = path.join(work, 'app');
  cpSync(app, source, { recursive: true });
  mkdirSync(path.join(source, 'node_modules/@loop-audit'), { recursive: true });
  symlinkSync(runtimeDir, path.join(source, 'node_modules/@loop-audit/runtime'));
  symlinkSync(path.join(repoModules, '@types'), path.join(source, 'node_modules/@types'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('bundled with the app', () => {
  it('esbuild, ESM: the worker travels inside the bundle; defineSync, syncFunction and spawn work', async () => {
    const out = path.join(work, 'esbuild-esm');
    await build({ absWorkingDir: source, entryPoints: ['main.ts', 'users.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20', outdir: out, logLevel: 'silent' });
    expect(files(out)).toEqual(['main.js', 'users.js']);
    expect(readFileSync(path.join(out, 'main.js'), 'utf8')).not.toMatch(/from ["']@loop-audit\/runtime["']|worker\.js/);
    const result = run(path.join(out, 'main.js'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ user: { id: 'u1', name: 'Ada' }, hash: 'ba7816bf', spawned: 'done', worker: true });
  });

  it('esbuild, CommonJS: the same from a require()d runtime', async () => {
    const out = path.join(work, 'esbuild-cjs');
    await build({
      absWorkingDir: source,
      entryPoints: ['main.cts', 'users.ts'],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outdir: out,
      outExtension: { '.js': '.js' },
      logLevel: 'silent',
    });
    expect(files(out)).toEqual(['main.js', 'users.js']);
    const result = run(path.join(out, 'main.js'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ user: { id: 'u2', name: 'Ada' }, twice: 42 });
  });

  it('ncc (webpack): no stray worker chunk, and the bundle runs', async () => {
    const out = path.join(work, 'ncc');
    // ncc copies the module a `new URL(..., import.meta.url)` names as it is: give it the compiled one.
    await build({ absWorkingDir: source, entryPoints: ['users.ts'], platform: 'node', format: 'esm', outfile: path.join(source, 'users.js'), logLevel: 'silent' });
    const ncc = spawnSync(process.execPath, [path.join(repoModules, '@vercel/ncc/dist/ncc/cli.js'), 'build', 'main.ts', '-o', out, '--quiet'], { cwd: source, encoding: 'utf8', timeout: 300_000 });
    expect(ncc.status, `${ncc.stdout}${ncc.stderr}`).toBe(0);
    // The bundle, its package.json, and the defineSync target module relocated as an asset: no worker chunk.
    expect(files(out)).toEqual(['index.js', 'package.json', 'users.js']);
    const result = run(path.join(out, 'index.js'));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ user: { id: 'u1', name: 'Ada' }, hash: 'ba7816bf', spawned: 'done', worker: true });
  });
});
