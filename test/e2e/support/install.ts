import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { CACHE, hash, NPM_ENV, packFolder, pruneSiblings, repoRoot } from './pack.js';

/**
 * Real installs, shared. The package is packed once (`npm pack`, keyed by the hash of every file
 * it ships: ./pack.ts; once per run by the e2e project's global setup) and each scenario is installed once per tarball with a real `npm install` from the
 * registry, exactly as its install command reads; later runs and other test files reuse both.
 * Nothing is locked: a tarball or an install is made under a private name and renamed into place,
 * so two test processes racing make the same thing twice at worst, never half of it.
 *
 * Tests never write into a shared install: `workspace()` gives each a fresh folder whose
 * node_modules is the scenario's (a symbolic link), for its own sources and configs.
 */

/** The packed package (absolute path): packed once per run by the e2e project's global setup, and once per content at all. */
export function packedTarball(): string {
  return inject('e2eTarballs')?.tool ?? packFolder(repoRoot, 'loop-audit-');
}

/**
 * loop-audit's own workspace dependency, @loop-audit/runtime, packed too: until it is on the
 * registry, a scratch install gets it from this tarball, as a user gets it from the registry.
 */
export function packedRuntimeTarball(): string {
  return inject('e2eTarballs')?.runtime ?? packFolder(path.join(repoRoot, 'runtime'), 'loop-audit-runtime-');
}

/** The files a packed tarball holds (`package/...` stripped). */
export function tarballFiles(file: string): string[] {
  return execFileSync('tar', ['tzf', file], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((entry) => entry.replace(/^package\//, ''));
}

export interface Scenario {
  /** A name for the folder. */
  name: string;
  /** npm install commands as a user types them; `loop-audit` stands for the packed tarball. */
  installs: string[][];
}

export interface Installed {
  dir: string;
  /** What each install command printed (stdout and stderr), in order. */
  logs: { command: string; status: number; output: string }[];
}

/** The scenario installed for real (once per tarball and scenario), and what npm printed doing it. */
export function installScenario(scenario: Scenario): Installed {
  const packed = packedTarball();
  const runtime = packedRuntimeTarball();
  const dir = path.join(CACHE, 'projects', `${scenario.name}-${hash([packed, runtime, JSON.stringify(scenario.installs)])}`);
  const logFile = path.join(dir, 'install-log.json');
  if (!existsSync(logFile)) {
    mkdirSync(path.dirname(dir), { recursive: true });
    pruneSiblings(path.dirname(dir), `${scenario.name}-`, path.basename(dir));
    // A sibling of the final folder: the relative `file:` path npm records stays right after the rename.
    const scratch = mkdtempSync(`${dir}.tmp-`);
    writeFileSync(path.join(scratch, 'package.json'), `${JSON.stringify({ name: `e2e-${scenario.name}`, private: true, type: 'module' }, null, 2)}\n`);
    const logs: Installed['logs'] = [];
    for (const args of scenario.installs) {
      const real = args.flatMap((arg) => (arg === 'loop-audit' ? [runtime, packed] : [arg]));
      const run = spawnSync('npm', real, { cwd: scratch, encoding: 'utf8', env: NPM_ENV });
      logs.push({ command: `npm ${args.join(' ')}`, status: run.status ?? -1, output: `${run.stdout}${run.stderr}` });
      if (run.status !== 0) {
        rmSync(scratch, { recursive: true, force: true });
        throw new Error(`npm ${args.join(' ')} failed (${run.status}):\n${run.stdout}${run.stderr}`);
      }
    }
    writeFileSync(path.join(scratch, 'install-log.json'), JSON.stringify(logs, null, 2));
    try {
      renameSync(scratch, dir);
    } catch {
      // Another process installed the same scenario meanwhile: theirs is as good.
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  return { dir, logs: JSON.parse(readFileSync(logFile, 'utf8')) };
}

const workspaces: string[] = [];

/** A fresh project folder using the scenario's installed node_modules, with these files in it. */
export function workspace(installed: Installed, files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'loop-audit-e2e-'));
  workspaces.push(root);
  symlinkSync(path.join(installed.dir, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  writeFileSync(path.join(root, 'package.json'), readFileSync(path.join(installed.dir, 'package.json')));
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return root;
}

export function removeWorkspaces(): void {
  for (const root of workspaces.splice(0)) rmSync(root, { recursive: true, force: true });
}

/** Runs a binary of the workspace's node_modules/.bin (a real install's) there. */
export function runBin(root: string, bin: string, args: string[]): { status: number; stdout: string; stderr: string } {
  // A real install runs as a user runs it: the suite's own backend switch (npm run test:typescript6/7)
  // must not choose for it; a test that wants a backend passes --type-backend.
  const { LOOP_AUDIT_TYPE_BACKEND: _suiteBackend, ...userEnv } = process.env;
  const run = spawnSync(path.join(root, 'node_modules', '.bin', bin), args, { cwd: root, encoding: 'utf8', env: { ...userEnv, NO_COLOR: '1', FORCE_COLOR: '0' }, maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/** The README's fenced blocks of a language whose first line is this comment (`// eslint.config.js`). */
export function readmeBlocks(language: string, firstLine?: string): string[] {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1]!);
  return firstLine === undefined ? blocks : blocks.filter((block) => block.startsWith(`${firstLine}\n`));
}
