import { describe, expect, it } from 'vitest';
import { cli, project } from './helpers.js';

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

  it('a phase with nothing left is still green', async () => {
    const dir = project({ 'src/services/clean.ts': 'export async function load(): Promise<number> {\n  return 1;\n}\n' });
    const run = await cli(dir, 'migrate', '--phase', 'services');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/nothing to change\./);
  });
});
