import { describe, expect, it } from 'vitest';
import { cli, project, read, run } from './helpers.js';
import { BRIDGE, DEASYNC_TYPES, USERS } from './sources.js';

/** A service whose only finding of the services phase is no wrapper: a node process run for its output, inside a function that does more. */
const SERVICE = `import { execFileSync } from 'node:child_process';
export function nodeVersion(): string {
  const out = execFileSync(process.execPath, ['--version']).toString();
  return out.trim().replace(/^v/, '');
}
`;

describe('migrate: zero is never green', () => {
  it('a path that does not exist is exit 2, as for every command', async () => {
    const dir = project({ 'src/a.ts': 'export const a = 1;\n' });
    const run = await cli(dir, 'migrate', 'no-such-dir');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no such file or directory: .*no-such-dir/);
    expect((await cli(dir, 'migrate', '--path', 'nope/')).code).toBe(2);
  });

  it('a phase whose globs match no source file is exit 2, naming the globs', async () => {
    const dir = project({ 'src/a.ts': 'export const a = 1;\n' });
    const run = await cli(dir, 'migrate', '--phase', 'data-layer');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/phase data-layer matches none of the 1 source files .*the phase's globs: /);
  });

  it('a run that changes some files lists what it left in the others, and exits 1', async () => {
    const greeter = `import { loadUserSync } from '../data/users.js';\n\nexport function greet(id: string): string {\n  return \`hi \${loadUserSync(id)?.name}\`;\n}\n`;
    const dir = project({ 'types/deasync.d.ts': DEASYNC_TYPES, 'src/lib/bridge.ts': BRIDGE, 'src/data/users.ts': USERS, 'src/services/greeter.ts': greeter, 'src/services/jobs.ts': SERVICE });
    const run = await cli(dir, 'migrate', '--format', 'json');
    const result = JSON.parse(run.stdout);
    expect(result.summary.filesChanged).toBeGreaterThan(0);
    expect(result.files.map((f: { file: string }) => f.file)).not.toContain('src/services/jobs.ts');
    expect(result.unhandled.map((u: { file: string; line: number; ruleId: string }) => `${u.file}:${u.line} ${u.ruleId}`)).toEqual([
      'src/services/jobs.ts:3 loop-audit/no-loop-per-call',
      'src/services/jobs.ts:3 loop-audit/no-sync-bridge',
    ]);
    expect(run.code).toBe(1);
    const pretty = await cli(dir, 'migrate');
    expect(pretty.stderr).toMatch(
      /Left in .* \(2\): findings this run does not handle in the files it did not change \(a second run checks the changed ones\)\n {2}src\/services\/jobs\.ts:3 {2}loop-audit\/no-loop-per-call/,
    );
  });

  it('a run that changes nothing while its phase has findings lists each with why and what to do, and exits 1', async () => {
    const dir = project({ 'src/services/jobs.ts': SERVICE });
    const run = await cli(dir, 'migrate', '--phase', 'services', '--format', 'json');
    const result = JSON.parse(run.stdout);
    expect(result.diff).toBe('');
    expect(result.summary).toMatchObject({ filesChanged: 0, filesInScope: 1, unhandled: 1 });
    // Only the phase's rules (services: no-sync-wrapper, no-sync-bridge), as progress counts them.
    expect(result.unhandled.map((u: { file: string; line: number; ruleId: string }) => `${u.file}:${u.line} ${u.ruleId}`)).toEqual(['src/services/jobs.ts:3 loop-audit/no-sync-bridge']);
    for (const item of result.unhandled) {
      expect(item.reason).toMatch(/\w/);
      expect(item.todo).toMatch(/\w/);
    }
    expect(run.code).toBe(1);
    const pretty = await cli(dir, 'migrate', '--phase', 'services');
    expect(pretty.code).toBe(1);
    expect(pretty.stderr).toMatch(/nothing to change, but 1 finding is left in scope/);
    expect(pretty.stderr).toMatch(/src\/services\/jobs\.ts:3 {2}loop-audit\/no-sync-bridge: .*\n {6}why: .*\n {6}do: {2}/);
  });

  it('a floating promise whose fix needs the runtime, in a published library, says so and how to apply it', async () => {
    const files = {
      'src/jobs/tick.ts': `export async function refresh(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1));
}

export function onTick(): void {
  refresh();
}
`,
    };
    const library = { name: 'ticker', version: '1.0.0', private: false, exports: './dist/index.js' };
    const dir = project(files, { packageJson: library });
    const result = await run(dir, { phase: 'cleanup' });
    expect(result.diff).toBe('');
    expect(result.unhandled).toHaveLength(1);
    expect(result.unhandled[0]).toMatchObject({ file: 'src/jobs/tick.ts', line: 6, ruleId: 'loop-audit/no-floating-promise' });
    expect(result.unhandled[0]!.reason).toBe(
      "its autofix hands the promise to spawn() from @loop-audit/runtime, and package.json is a published library that does not depend on it: the fix stays a suggestion rather than add a dependency to the library's users",
    );
    expect(result.unhandled[0]!.todo).toMatch(/^rerun with --allow-runtime-dependency to apply it and add @loop-audit\/runtime to package\.json's dependencies/);
    // What the advice says is what happens.
    const allowed = await run(dir, { phase: 'cleanup', allowRuntimeDependency: true });
    expect(allowed.summary.floatingFixed).toBe(1);
    expect(read(dir, 'src/jobs/tick.ts')).toMatch(/spawn\(refresh\(\)/);
    expect(JSON.parse(read(dir, 'package.json')).dependencies).toHaveProperty('@loop-audit/runtime');
  });

  it('a phase with nothing left is still green', async () => {
    const dir = project({ 'src/services/clean.ts': 'export async function load(): Promise<number> {\n  return 1;\n}\n' });
    const run = await cli(dir, 'migrate', '--phase', 'services');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/nothing to change\./);
  });
});
