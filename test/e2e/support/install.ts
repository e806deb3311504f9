import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../support/rule-tester.js';

/**
 * Real installs, shared. The package is packed once (`npm pack`, keyed by the hash of every file
 * it ships) and each scenario is installed once per tarball with a real `npm install` from the
 * registry, exactly as its install command reads; later runs and other test files reuse both.
 * Nothing is locked: a tarball or an install is made under a private name and renamed into place,
 * so two test processes racing make the same thing twice at worst, never half of it.
 *
 * Tests never write into a shared install: `workspace()` gives each a fresh folder whose
 * node_modules is the scenario's (a symbolic link), for its own sources and configs.
 */

const CACHE = path.join(repoRoot, 'node_modules', '.cache', 'loop-audit-e2e');
const NPM_ENV = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_loglevel: 'warn' };

function hash(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(part).update('\0');
  return h.digest('hex').slice(0, 16);
}

function ensureBuilt(): void {
  if (existsSync(path.join(repoRoot, 'dist/src/eslint-plugin.js'))) return;
  execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', path.join(repoRoot, 'tsconfig.build.json')]);
}

/** Earlier tarballs and installs of the same thing, made from other contents: dead weight. */
function pruneSiblings(dir: string, prefix: string, keep: string): void {
  const same = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[0-9a-f]{16}(?:\\.tgz)?$`);
  for (const name of readdirSync(dir)) {
    if (same.test(name) && name !== keep) rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

const tarballs = new Map<string, string>();

/** One package folder packed (absolute path of the tarball), made at most once per content. */
function packFolder(dir: string, prefix: string): string {
  const known = tarballs.get(dir);
  if (known) return known;
  const listing = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8', env: NPM_ENV })) as { files: { path: string }[] }[];
  const files = listing[0]!.files.map((file) => file.path).sort();
  const key = hash(files.flatMap((file) => [file, readFileSync(path.join(dir, file), 'utf8')]));
  const target = path.join(CACHE, 'tarballs', `${prefix}${key}.tgz`);
  if (!existsSync(target)) {
    mkdirSync(path.dirname(target), { recursive: true });
    pruneSiblings(path.dirname(target), prefix, path.basename(target));
    const scratch = mkdtempSync(path.join(path.dirname(target), 'pack-'));
    const name = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', scratch], { cwd: dir, encoding: 'utf8', env: NPM_ENV }).trim().split('\n').pop()!;
    renameSync(path.join(scratch, name), target);
    rmSync(scratch, { recursive: true, force: true });
  }
  tarballs.set(dir, target);
  return target;
}

/** The packed package (absolute path), made at most once per content. */
export function packedTarball(): string {
  ensureBuilt();
  return packFolder(repoRoot, 'loop-audit-');
}

/**
 * loop-audit's own workspace dependency, @loop-audit/runtime, packed too: until it is on the
 * registry, a scratch install gets it from this tarball, as a user gets it from the registry.
 */
export function packedRuntimeTarball(): string {
  ensureBuilt();
  return packFolder(path.join(repoRoot, 'runtime'), 'loop-audit-runtime-');
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
  const run = spawnSync(path.join(root, 'node_modules', '.bin', bin), args, { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, maxBuffer: 64 * 1024 * 1024 });
  if (run.error) throw run.error;
  return { status: run.status ?? -1, stdout: run.stdout, stderr: run.stderr };
}

/** The README's fenced blocks of a language whose first line is this comment (`// eslint.config.js`). */
export function readmeBlocks(language: string, firstLine?: string): string[] {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1]!);
  return firstLine === undefined ? blocks : blocks.filter((block) => block.startsWith(`${firstLine}\n`));
}
