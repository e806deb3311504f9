import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The packed tarballs of the e2e tests: `npm pack` of a package folder, kept under a name made of
 * the hash of every file it ships, so a later run (or another process) reuses it. No vitest here:
 * the e2e project's global setup packs through this module, before any test process starts.
 */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CACHE = path.join(repoRoot, 'node_modules', '.cache', 'loop-audit-e2e');
export const NPM_ENV = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_loglevel: 'warn' };

export function hash(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(part).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** Earlier tarballs and installs of the same thing, made from other contents: dead weight. */
export function pruneSiblings(dir: string, prefix: string, keep: string): void {
  const same = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[0-9a-f]{16}(?:\\.tgz)?$`);
  for (const name of readdirSync(dir)) {
    if (same.test(name) && name !== keep) rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

const tarballs = new Map<string, string>();

/** One package folder packed (absolute path of the tarball), made at most once per content. */
export function packFolder(dir: string, prefix: string): string {
  const known = tarballs.get(dir);
  if (known) return known;
  // dist/ is built once, before the test files, by test/support/global-setup.ts; a tarball without it would ship nothing that runs.
  if (!existsSync(path.join(repoRoot, 'dist/src/eslint-plugin.js'))) throw new Error('dist/ is not built (test/support/global-setup.ts builds it before the tests)');
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

export interface Tarballs {
  /** loop-audit's tarball. */
  tool: string;
  /** @loop-audit/runtime's tarball. */
  runtime: string;
}

/** Both packages packed (or found packed from the same contents). */
export function packBoth(): Tarballs {
  return { tool: packFolder(repoRoot, 'loop-audit-'), runtime: packFolder(path.join(repoRoot, 'runtime'), 'loop-audit-runtime-') };
}
