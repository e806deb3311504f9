import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fastScan, parseScanArguments } from '../../src/cli/fast-scan.js';
import { main, type CliIo } from '../../src/cli/main.js';
import { age, cleanupProjects, DISEASED_TS, makeProject, repoRoot, TSCONFIG } from '../scan/helpers.js';

afterAll(cleanupProjects);

interface Run {
  code: number | undefined;
  stdout: string;
  stderr: string;
}

type Runner = (argv: readonly string[], io: CliIo) => Promise<number | undefined>;

async function run(runner: Runner, args: string[], cwd: string, tty = false): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { isTTY: tty, write: (s: string) => ((stdout += s), true) },
    stderr: { isTTY: tty, columns: 100, write: (s: string) => ((stderr += s), true) },
    env: {},
    cwd,
  };
  const code = await runner(['node', 'loop-audit', ...args], io);
  return { code, stdout, stderr };
}

function project(): string {
  return makeProject({
    'tsconfig.json': TSCONFIG,
    'src/a.ts': DISEASED_TS,
    'src/db.ts': 'export async function load(): Promise<number> {\n  return 1;\n}\n',
    'src/use.ts': "import { load } from './db.js';\nexport function run(): void {\n  load();\n}\n",
    'src/broken.ts': 'export const = ;\n',
  });
}

describe('parseScanArguments', () => {
  it('reads the plain forms of the scan options as commander hands them to the action', () => {
    expect(parseScanArguments(['scan'])).toEqual({ paths: [], options: { failOn: 'error', color: true } });
    expect(
      parseScanArguments([
        'scan',
        'src',
        '--format',
        'sarif',
        '-o',
        'out.sarif',
        '--fail-on=warn',
        'lib',
        '--cache',
        '--cache-location',
        'c.json',
        '--no-color',
        '-q',
        '--tsconfig=tsconfig.json',
        '-c',
        'cfg.json',
      ]),
    ).toEqual({
      paths: ['src', 'lib'],
      options: { format: 'sarif', output: 'out.sarif', failOn: 'warn', cache: true, cacheLocation: 'c.json', color: false, quiet: true, tsconfig: 'tsconfig.json', config: 'cfg.json' },
    });
    expect(parseScanArguments(['scan', '-f', 'json', '--quiet'])).toEqual({ paths: [], options: { format: 'json', failOn: 'error', color: true, quiet: true } });
  });

  it('leaves everything else to commander', () => {
    for (const args of [
      [],
      ['fix'],
      ['--help'],
      ['scan', '--help'],
      ['scan', '-h'],
      ['scan', '--include', 'src'],
      ['scan', '--exclude=x'],
      ['scan', '-q', '-q'],
      ['scan', '--format', 'json', '--format', 'sarif'],
      ['scan', '--format', 'xml'],
      ['scan', '--fail-on', 'never'],
      ['scan', '--baseline'],
      ['scan', '--update-baseline'],
      ['scan', '--cache=yes'],
      ['scan', '-qf', 'json'],
      ['scan', '--'],
      ['scan', '-'],
      ['scan', ''],
      ['scan', '--output'],
      ['scan', '--output', '-x'],
      ['scan', '--tsconfig='],
      ['scan', '--unknown'],
    ]) {
      expect(parseScanArguments(args), args.join(' ')).toBeUndefined();
    }
  });
});

describe('the scan fast path', () => {
  it('prints byte for byte what commander’s scan prints, with the same exit code, cold and warm', async () => {
    const root = project();
    age(root);
    for (const args of [
      ['scan', '--format', 'json'],
      ['scan', 'src', '--format', 'sarif', '--fail-on', 'off'],
      ['scan', '--format', 'markdown', '--fail-on', 'warn'],
      ['scan', '--format', 'github'],
      ['scan', '--no-color'],
      ['scan', '--format=json', '--cache'],
      ['scan', '--format=json', '--cache'],
      ['scan', '--cache-location', 'tmp/cache.json', '-f', 'pretty', '--no-color'],
      ['scan', '--cache-location', 'tmp/cache.json', '-f', 'pretty', '--no-color'],
    ]) {
      const slow = await run(main, args, root);
      const fast = await run(fastScan, args, root);
      expect(fast, args.join(' ')).toEqual(slow);
    }
    // The pretty report on a terminal (colours follow the terminal; -q keeps the timed progress bar out).
    expect(await run(fastScan, ['scan', '--cache', '-q'], root, true)).toEqual(await run(main, ['scan', '--cache', '-q'], root, true));
  });

  it('writes --output files and reports usage errors as commander’s path does', async () => {
    const root = project();
    const slow = await run(main, ['scan', '--output', 'slow.sarif'], root);
    const fast = await run(fastScan, ['scan', '--output', 'fast.sarif'], root);
    expect(fast.code).toBe(slow.code);
    expect(fast.stderr).toBe(slow.stderr.replace('slow.sarif', 'fast.sarif'));
    expect(readFileSync(path.join(root, 'fast.sarif'), 'utf8')).toBe(readFileSync(path.join(root, 'slow.sarif'), 'utf8'));
    for (const args of [
      ['scan', '--tsconfig', 'missing.json'],
      ['scan', 'no/such/dir'],
      ['scan', '-c', 'missing-config.json'],
    ]) {
      const expected = await run(main, args, root);
      expect(expected.code).toBe(2);
      expect(await run(fastScan, args, root)).toEqual(expected);
    }
  });

  it('a warm run on a stale cache reports what a cold run reports', async () => {
    const root = project();
    age(root);
    await run(fastScan, ['scan', '--cache', '--format', 'json'], root);
    // The import's target changes: the typed result of use.ts must follow it.
    writeFileSync(path.join(root, 'src/db.ts'), 'export function load(): number {\n  return 1;\n}\n');
    writeFileSync(path.join(root, 'src/broken.ts'), 'export const fixed = 1;\n');
    const warm = await run(fastScan, ['scan', '--cache', '--format', 'json'], root);
    const cold = await run(main, ['scan', '--format', 'json'], root);
    expect(warm).toEqual(cold);
    expect(JSON.parse(warm.stdout).findings.map((f: { file: string }) => f.file)).toEqual(['src/a.ts', 'src/a.ts']);
  });
});

describe('the loop-audit binary', () => {
  const bin = path.join(repoRoot, 'dist/src/cli/bin.js');

  // The binary runs dist/, built once before the test files (test/support/global-setup.ts).

  const exec = (args: string[], cwd: string) => {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it('prints the same through the fast path as through commander (a repeated option sends it there)', () => {
    const root = project();
    age(root);
    for (const cache of [[], ['--cache'], ['--cache']]) {
      const fast = exec(['scan', '--format', 'json', '--fail-on', 'warn', ...cache], root);
      const slow = exec(['scan', '--format', 'json', '--fail-on', 'off', '--fail-on', 'warn', ...cache], root);
      expect(fast).toEqual(slow);
      expect(fast.status).toBe(1);
    }
  });

  it('keeps V8 code caches of TypeScript beside the scan cache, and survives corrupt ones', () => {
    const root = project();
    const cold = exec(['scan', '--cache', '--format', 'json'], root);
    const dir = path.join(root, '.loop-audit-cache', 'loop-audit-code-cache');
    const caches = readdirSync(dir);
    expect(caches.some((name) => /^typescript-[0-9a-f]+\.bin$/.test(name))).toBe(true);
    for (const name of caches) writeFileSync(path.join(dir, name), 'not a code cache');
    writeFileSync(path.join(root, 'src/extra.ts'), DISEASED_TS);
    const warm = exec(['scan', '--cache', '--format', 'json'], root);
    const fresh = exec(['scan', '--format', 'json'], root);
    expect(warm).toEqual(fresh);
    expect(JSON.parse(warm.stdout).summary.findings).toBe(JSON.parse(cold.stdout).summary.findings + 2);
    // Rejected caches are written again.
    for (const name of readdirSync(dir)) expect(readFileSync(path.join(dir, name)).length).toBeGreaterThan(1000);
  });
});
