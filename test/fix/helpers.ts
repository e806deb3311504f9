import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliInProcess } from '../support/cli.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesRoot = path.join(repoRoot, 'fixtures');
export const bin = path.join(repoRoot, 'dist/src/cli/bin.js');

/** Every fixture project (a folder with a tsconfig.json), except the rule tester's scratch project. */
export function fixtureProjects(): string[] {
  return readdirSync(fixturesRoot)
    .filter((name) => name !== 'rule-tester' && statSync(path.join(fixturesRoot, name, 'tsconfig.json'), { throwIfNoEntry: false })?.isFile())
    .sort();
}

const made: string[] = [];

/**
 * A copy of a fixture in a fresh temp directory, with a node_modules that resolves what the
 * fixture resolves inside the repository (its packages and @types from the repository's
 * node_modules) plus `loop-audit` itself, so the runtime import the fixes add type-checks.
 */
export function copyFixture(name: string): string {
  const root = mkdtempSync(path.join(tmpdir(), `loop-audit-fix-${name}-`));
  made.push(root);
  cpSync(path.join(fixturesRoot, name), root, { recursive: true, filter: (source) => !source.split(path.sep).includes('node_modules') });
  const modules = path.join(root, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(path.join(repoRoot, 'node_modules'))) {
    if (entry.startsWith('.')) continue;
    symlinkSync(path.join(repoRoot, 'node_modules', entry), path.join(modules, entry));
  }
  symlinkSync(repoRoot, path.join(modules, 'loop-audit'));
  return root;
}

export function cleanupCopies(): void {
  for (const root of made.splice(0)) rmSync(root, { recursive: true, force: true });
}

/** Every file of a tree (outside node_modules), path → content, for byte comparisons. */
export function readTree(root: string): Record<string, string> {
  const tree: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile()) tree[path.relative(root, file).split(path.sep).join('/')] = readFileSync(file, 'latin1');
    }
  };
  walk(root);
  return tree;
}

/** Runs the built CLI (dist/, built once before the test files: test/support/global-setup.ts). */
export function runBin(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `loop-audit <args>` in `cwd`, in-process (test/support/cli.ts), with the exit code as `status` like `runBin`. */
export async function runCli(args: string[], cwd: string): Promise<{ status: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await cliInProcess(cwd, args);
  return { status: code, stdout, stderr };
}
