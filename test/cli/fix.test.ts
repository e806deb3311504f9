import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Finding } from '../../src/core/types.js';
import { main, type CliIo } from '../../src/cli/main.js';
import { cleanupProjects, makeProject, TSCONFIG } from '../scan/helpers.js';

/**
 * A fix that would not parse never comes from the real rules (the sweep over the fixtures shows
 * none does), so the guard's path through the CLI is reached with one injected finding: any file
 * holding the marker `/* unbalance *\/` also gets a "fix" that deletes a closing parenthesis.
 */
vi.mock('../../src/core/analyze.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/core/analyze.js')>();
  return {
    ...original,
    analyzeFile: (...args: Parameters<typeof original.analyzeFile>): Finding[] => {
      const findings = original.analyzeFile(...args);
      const text = args[0].sourceFile.text;
      const marker = text.indexOf('/* unbalance */');
      if (marker === -1) return findings;
      const close = text.indexOf(')', marker);
      return [
        ...findings,
        { ruleId: 'no-sync-bridge', messageId: 'atomicsWait', data: { bridge: 'x', where: 'here' }, start: marker, end: close + 1, fix: [{ start: close, end: close + 1, text: '' }] },
      ];
    },
  };
});

afterAll(cleanupProjects);

/** The range fixes add: a caret on the runtime version this checkout builds. */
const RANGE = `^${(JSON.parse(readFileSync(new URL('../../runtime/package.json', import.meta.url), 'utf8')) as { version: string }).version}`;

async function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { isTTY: false, write: (s: string) => ((stdout += s), true) },
    stderr: { isTTY: false, columns: 100, write: (s: string) => ((stderr += s), true) },
    env: {},
    cwd,
  };
  const code = await main(['node', 'loop-audit', ...args], io);
  return { code, stdout, stderr };
}

const FLOATING = `async function save(): Promise<void> {}
export function handler(): void {
  save();
}
`;
const FLOATING_FIXED = `import { spawn } from '@loop-audit/runtime';

async function save(): Promise<void> {}
export function handler(): void {
  spawn(save(), { name: 'handler' });
}
`;
const PER_CALL = `import makeSynchronous from 'make-synchronous';
export function upper(text: string): string {
  return makeSynchronous(async (value: string) => value.toUpperCase())(text);
}
`;
const PER_CALL_FIXED = `import { syncFunction } from '@loop-audit/runtime';

const upperSync = syncFunction(async (value: string) => value.toUpperCase());

export function upper(text: string): string {
  return upperSync(text);
}
`;
const WORKER_PER_CALL = `import { Worker } from 'node:worker_threads';
export function thumbnail(file: string) {
  new Worker('./thumb.js', { workerData: file }).unref();
}
`;

function project(extra: Record<string, string> = {}): string {
  return makeProject({ 'tsconfig.json': TSCONFIG, 'package.json': '{ "type": "module" }', 'src/jobs.ts': FLOATING, 'src/upper.ts': PER_CALL, ...extra });
}

describe('loop-audit fix', () => {
  it('prints a unified diff and changes nothing without --write', async () => {
    const root = project();
    const file = path.join(root, 'src/jobs.ts');
    const before = statSync(file);
    const result = await run(['fix'], root);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--- a/src/jobs.ts\n+++ b/src/jobs.ts\n');
    expect(result.stdout).toContain("+  spawn(save(), { name: 'handler' });\n");
    expect(result.stdout).toContain('--- a/src/upper.ts\n+++ b/src/upper.ts\n');
    // The runtime the fixed code imports, added to the dependencies: shown in the diff, not written.
    expect(result.stdout).toContain(
      `--- a/package.json\n+++ b/package.json\n@@ -1,1 +1,1 @@\n-{ "type": "module" }\n\\ No newline at end of file\n+{ "type": "module", "dependencies": { "@loop-audit/runtime": "${RANGE}" } }\n\\ No newline at end of file\n`,
    );
    expect(result.stderr).toBe(
      `loop-audit fix: package.json: would be changed: added @loop-audit/runtime ${RANGE} to dependencies; run npm install\n` +
        'loop-audit fix: 2 fixes in 2 files (dry run: nothing written; add --write to apply); 1 finding without an autofix remains (0 errors)\n',
    );
    expect(readFileSync(path.join(root, 'package.json'), 'utf8')).toBe('{ "type": "module" }');
    expect(readFileSync(file, 'utf8')).toBe(FLOATING);
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
    expect(statSync(file).ino).toBe(before.ino);
  });

  it('--write replaces the files atomically (a new inode, the mode kept, no temp file left), and a second run has nothing to do', async () => {
    const root = project();
    const file = path.join(root, 'src/jobs.ts');
    const before = statSync(file);
    const result = await run(['fix', '--write'], root);
    expect(result.code).toBe(0);
    // The sync function over the runner is still a sync wrapper (a warning): the migration's work, not a fix's.
    expect(result.stderr).toBe(
      `loop-audit fix: package.json: added @loop-audit/runtime ${RANGE} to dependencies; run npm install\n` +
        'loop-audit fix: wrote 2 files (2 fixes); 1 finding without an autofix remains (0 errors)\n',
    );
    expect(readFileSync(path.join(root, 'package.json'), 'utf8')).toBe(`{ "type": "module", "dependencies": { "@loop-audit/runtime": "${RANGE}" } }`);
    expect(readFileSync(file, 'utf8')).toBe(FLOATING_FIXED);
    expect(readFileSync(path.join(root, 'src/upper.ts'), 'utf8')).toBe(PER_CALL_FIXED);
    const after = statSync(file);
    expect(after.ino).not.toBe(before.ino);
    expect(after.mode).toBe(before.mode);
    expect(readdirSync(path.join(root, 'src')).sort()).toEqual(['jobs.ts', 'upper.ts']);

    const again = await run(['fix', '--write'], root);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(/nothing to fix/);
    expect(statSync(file).ino).toBe(after.ino);
  });

  it('exits 1 when findings without an autofix remain at or above --fail-on', async () => {
    const root = project({ 'src/thumbnail.ts': WORKER_PER_CALL });
    const result = await run(['fix', '--write'], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/wrote 2 files \(2 fixes\); 2 findings without an autofix remain \(1 error\)/);
    expect((await run(['fix', '--fail-on', 'off'], root)).code).toBe(0);
  });

  it('--rule limits the fixes to rules or families; an unknown one is a usage error', async () => {
    const root = project();
    const byId = await run(['fix', '--rule', 'no-loop-per-call', '--fail-on', 'off'], root);
    expect(byId.stdout).toContain('b/src/upper.ts');
    expect(byId.stdout).not.toContain('b/src/jobs.ts');
    const byFamily = await run(['fix', '--rule', 'floating-promise', '--write', '--fail-on', 'off'], root);
    expect(byFamily.stdout).toContain('b/src/jobs.ts');
    expect(readFileSync(path.join(root, 'src/upper.ts'), 'utf8')).toBe(PER_CALL);
    expect(readFileSync(path.join(root, 'src/jobs.ts'), 'utf8')).toBe(FLOATING_FIXED);
    const prefixed = await run(['fix', '--rule', 'loop-audit/no-loop-per-call', '--write'], root);
    expect(prefixed.code).toBe(0);
    expect(readFileSync(path.join(root, 'src/upper.ts'), 'utf8')).toBe(PER_CALL_FIXED);

    const unknown = await run(['fix', '--rule', 'no-such-rule'], root);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown rule or family 'no-such-rule'/);
    expect((await run(['fix', 'missing-dir'], root)).code).toBe(2);
  });

  it('refuses to write through a symlinked file, into a linked folder outside the root, or to a file outside the root', async () => {
    const outside = makeProject({ 'shared/jobs.ts': FLOATING, 'lib/upper.ts': PER_CALL, 'tsconfig.json': TSCONFIG });
    const root = makeProject({ 'tsconfig.json': TSCONFIG, 'package.json': '{ "type": "module" }', 'src/own.ts': PER_CALL });
    symlinkSync(path.join(outside, 'shared/jobs.ts'), path.join(root, 'src/linked.ts'));
    symlinkSync(path.join(outside, 'lib'), path.join(root, 'src/lib'));

    const result = await run(['fix', '--write'], root);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`loop-audit fix: src/linked.ts: refusing to write ${path.join(root, 'src/linked.ts')}: it is a symbolic link\n`);
    expect(result.stderr).toContain(`loop-audit fix: src/lib/upper.ts: refusing to write ${path.join(root, 'src/lib/upper.ts')}: its folder resolves outside the project root\n`);
    expect(readFileSync(path.join(outside, 'shared/jobs.ts'), 'utf8')).toBe(FLOATING);
    expect(readFileSync(path.join(outside, 'lib/upper.ts'), 'utf8')).toBe(PER_CALL);
    expect(lstatSync(path.join(root, 'src/linked.ts')).isSymbolicLink()).toBe(true);
    // The rest of the project is fixed all the same.
    expect(readFileSync(path.join(root, 'src/own.ts'), 'utf8')).toBe(PER_CALL_FIXED);

    // A dry run says so too, and does not print a diff it could never apply.
    const dry = await run(['fix', '--fail-on', 'off'], root);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toBe('');
    expect(dry.stderr).toContain('src/linked.ts: refusing to write');

    const explicit = await run(['fix', '--write', path.join(outside, 'lib/upper.ts')], root);
    expect(explicit.code).toBe(1);
    expect(explicit.stderr).toMatch(/refusing to write .*upper\.ts: outside the project root/);
    expect(readFileSync(path.join(outside, 'lib/upper.ts'), 'utf8')).toBe(PER_CALL);
  });

  it('drops a fix that would break the parse, says so, and applies the others', async () => {
    const root = project({ 'src/guarded.ts': 'export function f(a: number) {\n  return Math.max(a, /* unbalance */ 1);\n}\n' });
    const result = await run(['fix', '--write'], root);
    expect(result.stderr).toContain('loop-audit fix: src/guarded.ts:2:22: the fix of no-sync-bridge would leave a syntax error; not applied: x here blocks the main thread');
    expect(readFileSync(path.join(root, 'src/guarded.ts'), 'utf8')).toBe('export function f(a: number) {\n  return Math.max(a, /* unbalance */ 1);\n}\n');
    expect(readFileSync(path.join(root, 'src/jobs.ts'), 'utf8')).toBe(FLOATING_FIXED);
    // The finding stays: an error remains, so the exit code says the job is not done.
    expect(result.code).toBe(1);
  });

  it('--format json summarises what changed, what was dropped and what remains', async () => {
    const root = project({ 'src/thumbnail.ts': WORKER_PER_CALL });
    const result = await run(['fix', '--format', 'json'], root);
    const report = JSON.parse(result.stdout);
    expect(report.write).toBe(false);
    expect(report.summary).toEqual({ files: 3, changed: 2, written: 0, fixes: 2, dropped: 0, remaining: 2, suggestions: 0, errors: 0 });
    const jobs = report.files.find((f: { file: string }) => f.file === 'src/jobs.ts');
    expect(jobs).toMatchObject({ changed: true, written: false, fixes: [{ ruleId: 'no-floating-promise' }] });
    expect(jobs.diff).toContain('+++ b/src/jobs.ts');
    expect(report.files.find((f: { file: string }) => f.file === 'src/thumbnail.ts')).toMatchObject({
      changed: false,
      remaining: [{ ruleId: 'no-loop-per-call', severity: 'error', line: 3, column: 3 }],
    });
    expect(existsSync(path.join(root, 'src/jobs.ts'))).toBe(true);
    expect(readFileSync(path.join(root, 'src/jobs.ts'), 'utf8')).toBe(FLOATING);
  });

  it('keeps a CRLF file CRLF and a byte-order mark in place', async () => {
    const crlf = PER_CALL.replace(/\n/g, '\r\n');
    const root = makeProject({ 'tsconfig.json': TSCONFIG, 'package.json': '{ "type": "module" }', 'src/crlf.ts': crlf, 'src/bom.ts': `\uFEFF${FLOATING}` });
    mkdirSync(path.join(root, 'empty'));
    writeFileSync(path.join(root, 'src/clean.ts'), 'export const x = 1;\n');
    expect((await run(['fix', '--write'], root)).code).toBe(0);
    expect(readFileSync(path.join(root, 'src/crlf.ts'), 'utf8')).toBe(PER_CALL_FIXED.replace(/\n/g, '\r\n'));
    expect(readFileSync(path.join(root, 'src/bom.ts'), 'utf8')).toBe(`\uFEFF${FLOATING_FIXED}`);
    expect(readFileSync(path.join(root, 'src/clean.ts'), 'utf8')).toBe('export const x = 1;\n');
  });
});
