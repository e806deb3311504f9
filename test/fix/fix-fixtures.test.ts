import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { typeCheck } from '../support/typecheck.js';
import { cleanupCopies, copyFixture, fixtureProjects, readTree, repoRoot, runBin, runCli } from './helpers.js';

/**
 * The autofixes over every fixture project, through the CLI (in-process; the built binary once, below): every file they change still
 * parses, a second run has nothing left to change, and the TypeScript compiler reports nothing
 * new (the runtime import resolves: the copy's node_modules links this package).
 */
const runtimeVersion = (JSON.parse(readFileSync(path.join(repoRoot, 'runtime/package.json'), 'utf8')) as { version: string }).version;
afterAll(cleanupCopies);

/** `tsc --noEmit -p`'s errors as `file: TSnnnn message`, without positions (the fixes move lines). */
function compilerErrors(root: string): string[] {
  return typeCheck(path.join(root, 'tsconfig.json'), root)
    .output.split('\n')
    .filter((line) => /error TS\d+/.test(line))
    .map((line) => line.replace(/^(.*?)\(\d+,\d+\): /, '$1: '))
    .sort();
}

function parseErrors(file: string, text: string): number {
  const kind = /\.[cm]?tsx?$/.test(file) ? (file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS) : ts.ScriptKind.JS;
  return (ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind) as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length;
}

describe.each(fixtureProjects())('fixtures/%s', (name) => {
  it('fixed files parse, a second run changes nothing, tsc reports nothing new', async () => {
    const root = copyFixture(name);
    const before = readTree(root);
    const errorsBefore = compilerErrors(root);

    const first = await runCli(['fix', '--write', '--fail-on', 'off'], root);
    expect(first.status).toBe(0);
    const after = readTree(root);
    const changed = Object.keys(after).filter((file) => after[file] !== before[file]);
    for (const file of changed) {
      const text = Buffer.from(after[file]!, 'latin1').toString('utf8');
      if (file.endsWith('package.json')) continue;
      expect({ file, parseErrors: parseErrors(file, text) }).toEqual({ file, parseErrors: 0 });
    }
    // The fixed code imports the runtime package: the fixture's package.json now depends on it, and nothing else changed there.
    const importsRuntime = changed.some((file) => /from ['"]@loop-audit\/runtime['"]|require\(['"]@loop-audit\/runtime['"]\)/.test(after[file]!));
    if (before['package.json'] !== undefined) {
      const manifest = JSON.parse(after['package.json']!) as { dependencies?: Record<string, string> };
      const { ['@loop-audit/runtime']: added, ...rest } = manifest.dependencies ?? {};
      expect(added).toBe(importsRuntime ? `^${runtimeVersion}` : undefined);
      const original = JSON.parse(before['package.json']) as { dependencies?: Record<string, string> };
      expect({ ...manifest, dependencies: rest }).toEqual({ ...original, dependencies: original.dependencies ?? {} });
    }

    const second = await runCli(['fix', '--fail-on', 'off'], root);
    expect(second.status).toBe(0);
    expect(second.stdout).toBe('');
    expect(second.stderr).toMatch(/nothing to fix/);
    const again = await runCli(['fix', '--write', '--fail-on', 'off', '-q'], root);
    expect(again.stdout).toBe('');
    expect(readTree(root)).toEqual(after);

    const errorsAfter = compilerErrors(root);
    // Nothing new: every error after the fixes was there before (a fix may remove some).
    const remaining = [...errorsBefore];
    const added = errorsAfter.filter((error) => {
      const index = remaining.indexOf(error);
      if (index === -1) return true;
      remaining.splice(index, 1);
      return false;
    });
    expect(added).toEqual([]);
    expect(errorsAfter.length).toBeLessThanOrEqual(errorsBefore.length);
  });
});

describe('the built binary', () => {
  it('fix --write through dist/src/cli/bin.js writes what the in-process CLI writes, and says the same', async () => {
    const viaBinary = copyFixture('autofix');
    const inProcess = copyFixture('autofix');
    const before = readTree(viaBinary);
    const binary = runBin(['fix', '--write', '--fail-on', 'off'], viaBinary);
    const cli = await runCli(['fix', '--write', '--fail-on', 'off'], inProcess);
    expect(binary.status).toBe(0);
    expect(binary).toEqual({ ...cli, stdout: cli.stdout.split(inProcess).join(viaBinary), stderr: cli.stderr.split(inProcess).join(viaBinary) });
    const fixed = readTree(viaBinary);
    expect(fixed).toEqual(readTree(inProcess));
    expect(Object.keys(fixed).filter((file) => fixed[file] !== before[file]).length).toBeGreaterThan(0);
  });
});
