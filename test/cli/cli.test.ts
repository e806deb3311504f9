import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, useColor, type CliIo } from '../../src/cli/main.js';
import { ProgressBar } from '../../src/cli/progress.js';
import { cleanupProjects, DISEASED_TS, makeProject, repoRoot, TSCONFIG } from '../scan/helpers.js';

afterAll(cleanupProjects);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], options: { cwd?: string; tty?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { isTTY: options.tty ?? false, write: (s: string) => ((stdout += s), true) },
    stderr: { isTTY: options.tty ?? false, columns: 100, write: (s: string) => ((stderr += s), true) },
    env: options.env ?? {},
    cwd: options.cwd ?? repoRoot,
  };
  const code = await main(['node', 'loop-audit', ...args], io);
  return { code, stdout, stderr };
}

describe('loop-audit scan (in process)', () => {
  it('exit codes: 1 for findings at or above --fail-on, 0 below it or with off', async () => {
    const errors = await run(['scan', 'fixtures/sample', '--format', 'json']);
    expect(errors.code).toBe(1);
    expect(JSON.parse(errors.stdout).findings.length).toBe(8);
    expect((await run(['scan', 'fixtures/sample', '--fail-on', 'off', '--format', 'json'])).code).toBe(0);

    const warnOnly = makeProject({
      'tsconfig.json': TSCONFIG,
      'loop-audit.config.json': JSON.stringify({ rules: { 'no-loop-per-call': 'warn', 'no-floating-promise': 'warn' } }),
      'src/a.ts': DISEASED_TS,
    });
    expect((await run(['scan'], { cwd: warnOnly })).code).toBe(0);
    expect((await run(['scan', '--fail-on', 'warn'], { cwd: warnOnly })).code).toBe(1);
    const clean = makeProject({ 'tsconfig.json': TSCONFIG, 'src/a.ts': 'export const a = 1;\n' });
    expect((await run(['scan', '--fail-on', 'warn'], { cwd: clean })).code).toBe(0);
    const broken = makeProject({ 'tsconfig.json': TSCONFIG, 'src/a.ts': 'export const = ;\n' });
    expect((await run(['scan'], { cwd: broken })).code).toBe(1);
  });

  it('exit code 2 for usage and configuration errors, with a clear message', async () => {
    const badConfig = makeProject({
      'loop-audit.config.json': JSON.stringify({
        phases: [
          { name: 'a', rules: [] },
          { name: 'b', rules: [] },
          { name: 'c', rulez: [] },
        ],
      }),
      'a.js': '',
    });
    const config = await run(['scan'], { cwd: badConfig });
    expect(config.code).toBe(2);
    expect(config.stderr).toContain('phases[2].rulez: unknown key');
    const tsconfig = await run(['scan', '--tsconfig', 'missing.json'], { cwd: makeProject({ 'a.ts': '' }) });
    expect(tsconfig).toMatchObject({ code: 2, stderr: expect.stringContaining('tsconfig not found') });
    // A broken tsconfig the user names is a usage error; one found beside the sources is an error entry (exit 1).
    const brokenTsconfig = makeProject({ 'tsconfig.json': '{ "compilerOptions": { "target": "es1000" } }', 'a.ts': '' });
    expect(await run(['scan', '--tsconfig', 'tsconfig.json'], { cwd: brokenTsconfig })).toMatchObject({ code: 2, stderr: expect.stringContaining('broken tsconfig') });
    const found = await run(['scan', '--format', 'json'], { cwd: brokenTsconfig });
    expect(found.code).toBe(1);
    expect(JSON.parse(found.stdout)).toMatchObject({ errors: [{ file: 'tsconfig.json', message: expect.stringContaining('broken tsconfig') }], summary: { files: 1 } });
    expect((await run(['scan', 'no/such/dir'])).code).toBe(2);
    expect((await run(['scan', '--format', 'xml'])).code).toBe(2);
    expect((await run(['scan', '--fail-on', 'sometimes'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('zero is never green: exit 2, saying why, when no file was analysed', async () => {
    const empty = await run(['scan'], { cwd: makeProject({ 'README.md': '# nothing here\n' }) });
    expect(empty).toMatchObject({ code: 2, stdout: '' });
    expect(empty.stderr).toMatch(/no file was analysed: no JavaScript or TypeScript source files .* under \./);
    const distOnly = await run(['scan', '--format', 'json'], {
      cwd: makeProject({ 'package.json': '{}', 'dist/index.js': 'export const a = 1;\n', 'dist/index.d.ts': 'export declare const a: number;\n' }),
    });
    expect(distOnly.code).toBe(2);
    expect(JSON.parse(distOnly.stdout).summary).toMatchObject({ files: 0, skipped: { buildOutput: 1, vendored: 0, minified: 0 } });
    expect(distOnly.stderr).toMatch(/no file was analysed under \.: 1 file of build output\. To scan them, name a skipped folder/);
    const excluded = makeProject({ 'src/a.ts': DISEASED_TS, 'src/b.ts': DISEASED_TS, 'loop-audit.config.json': JSON.stringify({ exclude: ['src/**'] }) });
    const all = await run(['scan'], { cwd: excluded });
    expect(all.code).toBe(2);
    expect(all.stderr).toMatch(/2 files matched by the exclude globs.*change `include`\/`exclude`/);
    const notIncluded = await run(['scan', '--include', 'lib/**'], { cwd: makeProject({ 'src/a.ts': DISEASED_TS }) });
    expect(notIncluded).toMatchObject({ code: 2, stderr: expect.stringMatching(/1 file outside the include globs/) });
    for (const command of ['progress', 'baseline', 'fix']) {
      expect(await run([command], { cwd: makeProject({ 'README.md': '' }) }), command).toMatchObject({ code: 2, stderr: expect.stringMatching(/no file was analysed/) });
    }
    expect(await run(['migrate'], { cwd: makeProject({ 'README.md': '' }) })).toMatchObject({ code: 2, stderr: expect.stringMatching(/no source files found/) });
  });

  it('every command exits 2 on a missing path', async () => {
    const root = makeProject({ 'tsconfig.json': TSCONFIG, 'src/a.ts': DISEASED_TS });
    for (const command of ['scan', 'fix', 'migrate', 'progress', 'baseline']) {
      expect(await run([command, 'no/such/dir'], { cwd: root }), command).toMatchObject({ code: 2, stderr: expect.stringMatching(/no such file or directory: .*no\/such\/dir/) });
    }
  });

  it('the summary says how many files were left out as build output, vendored or minified, and how to include them', async () => {
    const root = makeProject({
      'package.json': '{}',
      'tsconfig.json': TSCONFIG,
      'src/a.ts': DISEASED_TS,
      'dist/a.js': 'export const a = 1;\n',
      'bower_components/lib/x.js': 'var x = 1;\n',
      'src/vendor.min.js': 'var y = 1;\n',
    });
    const pretty = await run(['scan'], { cwd: root });
    expect(pretty.stdout).toMatch(/Not scanned: 1 file as build output, 1 file as vendored, 1 file as minified\. Name a folder or file to scan it/);
    const named = await run(['scan', 'dist', 'src/vendor.min.js', '--format', 'json'], { cwd: root });
    expect(JSON.parse(named.stdout).summary.files).toBe(2);
  });

  it('prints pretty by default, coloured on a terminal only, json when asked; --output writes the file (format from its extension) and a summary on stderr', async () => {
    const terminal = (await run(['scan', 'fixtures/sample'], { tty: true })).stdout;
    expect(terminal).toContain('\u001b[');
    expect(terminal.replace(/\u001b\[[0-9;]*m/g, '')).toMatch(/^fixtures\/sample\/src\/db\/notes-repository\.ts$/m);
    // Off a terminal (a pipe, a CI log): the same pretty report, without escape codes.
    const piped = (await run(['scan', 'fixtures/sample'])).stdout;
    expect(piped).toMatch(/^fixtures\/sample\/src\/db\/notes-repository\.ts$/m);
    expect(piped).toMatch(/✖ 8 problems/);
    expect(piped).not.toContain('\u001b[');
    expect(JSON.parse((await run(['scan', 'fixtures/sample', '--format', 'json'])).stdout).version).toBe(1);
    const out = makeProject({});
    const sarif = await run(['scan', 'fixtures/sample', '--output', path.join(out, 'reports', 'scan.sarif')]);
    expect(sarif.stdout).toBe('');
    expect(sarif.stderr).toMatch(/8 findings .* sarif report written to/);
    expect(JSON.parse(readFileSync(path.join(out, 'reports', 'scan.sarif'), 'utf8')).version).toBe('2.1.0');
    expect(readdirSync(path.join(out, 'reports'))).toEqual(['scan.sarif']);
    const quiet = await run(['scan', 'fixtures/sample', '-q', '--format', 'markdown', '--output', path.join(out, 'r.md')]);
    expect(quiet.stderr).toBe('');
    expect(readFileSync(path.join(out, 'r.md'), 'utf8')).toMatch(/^### loop-audit:/);
  });

  it('colours: on a terminal only, off with NO_COLOR or --no-color, forced with FORCE_COLOR', async () => {
    const ansi = /\u001b\[/;
    expect((await run(['scan', 'fixtures/sample', '--format', 'pretty'], { tty: true })).stdout).toMatch(ansi);
    expect((await run(['scan', 'fixtures/sample', '--format', 'pretty'], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toMatch(ansi);
    expect((await run(['scan', 'fixtures/sample', '--format', 'pretty', '--no-color'], { tty: true })).stdout).not.toMatch(ansi);
    expect((await run(['scan', 'fixtures/sample', '--format', 'pretty'], { tty: false })).stdout).not.toMatch(ansi);
    expect(useColor(true, false, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor(true, true, { NO_COLOR: '' })).toBe(true);
  });

  it('a progress bar only on a terminal stderr, never with --quiet or in CI; nothing on a pipe', async () => {
    expect(ProgressBar.enabled({ isTTY: true, write: () => true }, false)).toBe(!process.env.CI);
    expect(ProgressBar.enabled({ isTTY: true, write: () => true }, true)).toBe(false);
    expect(ProgressBar.enabled({ isTTY: false, write: () => true }, false)).toBe(false);
    const piped = await run(['scan', 'fixtures/sample', '--format', 'json']);
    expect(piped.stderr).toBe('');
    let drawn = '';
    const bar = new ProgressBar({ isTTY: true, columns: 60, write: (s) => ((drawn += s), true) });
    (bar as unknown as { started: number }).started = Date.now() - 10_000;
    bar.update({ phase: 'analyze', done: 5, total: 10, file: 'src/a-very-long-file-name-that-does-not-fit-in-the-terminal.ts' });
    expect(drawn).toMatch(/^\r\u001b\[Kloop-audit \[#{12}-{12}\] 5\/10 src\/a-very/);
    expect(drawn.length).toBeLessThanOrEqual(60 + 4);
    bar.update({ phase: 'done' });
    expect(drawn.endsWith('\r\u001b[K')).toBe(true);
  });

  it('--cache and --cache-location', async () => {
    const root = makeProject({ 'tsconfig.json': TSCONFIG, 'src/a.ts': DISEASED_TS });
    expect((await run(['scan', '--cache', '--format', 'json'], { cwd: root })).code).toBe(1);
    expect(existsSync(path.join(root, '.loop-audit-cache', 'scan-cache.json'))).toBe(true);
    await run(['scan', '--cache-location', 'tmp/cache.json', '--format', 'json'], { cwd: root });
    expect(statSync(path.join(root, 'tmp', 'cache.json')).isFile()).toBe(true);
  });
});

describe('the loop-audit binary', () => {
  const bin = path.join(repoRoot, 'dist/src/cli/bin.js');

  // The binary runs dist/, built once before the test files (test/support/global-setup.ts).

  it('runs the demo scan of the bundled sample', () => {
    const demo = spawnSync(process.execPath, [bin, 'scan', 'fixtures/sample', '--format', 'pretty', '--fail-on', 'off'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '' } });
    expect(demo.status).toBe(0);
    expect(demo.stdout).toContain('✖ 8 problems (6 errors, 2 warnings) in 4 of 8 files');
    // The real binary with stdout on a pipe, as in CI: the pretty report, no escape codes.
    const piped = spawnSync(process.execPath, [bin, 'scan', 'fixtures/sample'], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '' } });
    expect(piped.status).toBe(1);
    expect(piped.stdout).toContain('✖ 8 problems (6 errors, 2 warnings) in 4 of 8 files');
    expect(piped.stdout).not.toContain('\u001b[');
    const json = spawnSync(process.execPath, [bin, 'scan', 'fixtures/sample', '--format', 'json'], { cwd: repoRoot, encoding: 'utf8' });
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout).summary.findings).toBe(8);
  });

  it('reports an unreadable file and goes on (run as an unprivileged user when the tests run as root)', () => {
    const root = makeProject({ 'tsconfig.json': TSCONFIG, 'src/secret.ts': DISEASED_TS, 'src/ok.ts': DISEASED_TS });
    chmodSync(root, 0o755);
    chmodSync(path.join(root, 'src'), 0o755);
    chmodSync(path.join(root, 'src/secret.ts'), 0o000);
    const asRoot = process.getuid?.() === 0;
    const result = spawnSync(process.execPath, [bin, 'scan', '--format', 'json'], {
      cwd: root,
      encoding: 'utf8',
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      env: { PATH: process.env.PATH ?? '', HOME: root },
    });
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report.errors).toEqual([{ file: 'src/secret.ts', message: expect.stringMatching(/^cannot read file \(EACCES/) }]);
    expect(report.summary.files).toBe(1);
    expect(result.status).toBe(1);
  });

  it('baseline writes the baseline and progress reads it back, as the binary', () => {
    const root = makeProject({ 'tsconfig.json': TSCONFIG, 'src/a.ts': DISEASED_TS });
    const scan = spawnSync(process.execPath, [bin, 'scan', '--format', 'json'], { cwd: root, encoding: 'utf8' });
    const findings = (JSON.parse(scan.stdout) as { summary: { findings: number } }).summary.findings;
    expect(findings).toBeGreaterThan(0);
    const baseline = spawnSync(process.execPath, [bin, 'baseline'], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(baseline.status, baseline.stderr).toBe(0);
    expect(baseline.stderr).toContain(`baseline .loop-audit/baseline.json: ${findings} findings in 1 file`);
    const progress = spawnSync(process.execPath, [bin, 'progress', '--format', 'json'], { cwd: root, encoding: 'utf8' });
    expect(progress.status, progress.stderr).toBe(0);
    const report = JSON.parse(progress.stdout) as { baseline: { file: string; findings: number } };
    expect(report.baseline).toEqual({ file: '.loop-audit/baseline.json', findings });
  });

  it('is executable through npm bin semantics (shebang)', () => {
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
    expect(execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' })).toContain('scan [options] [paths...]');
  });
});
