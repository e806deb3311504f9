import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { cliInProcess, type CliRun } from '../support/cli.js';
import { migrate } from '../../src/migrate/migrate.js';
import type { MigrateOptions, MigrateResult } from '../../src/migrate/types.js';
import { typeCheck } from '../support/typecheck.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

const TSCONFIG = {
  compilerOptions: {
    target: 'es2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    lib: ['es2023'],
    types: ['node'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  },
  include: ['**/*.ts'],
};

/**
 * A small TypeScript project in a temp directory: an ESM package with a strict nodenext
 * tsconfig, Node's types and the listed packages of this repository linked in, and the files given.
 */
export function project(files: Record<string, string>, options: { packageJson?: Record<string, unknown>; tsconfig?: unknown; link?: string[] } = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'loop-audit-migrate-'));
  // Removed after the test that made it (a hook of this test, not of the first file that imported this module: the unit files share one module graph).
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'sample', private: true, type: 'module', ...options.packageJson }, null, 2)}\n`);
  writeFileSync(path.join(dir, 'tsconfig.json'), `${JSON.stringify(options.tsconfig ?? TSCONFIG, null, 2)}\n`);
  mkdirSync(path.join(dir, 'node_modules/@types'), { recursive: true });
  symlinkSync(path.join(REPO, 'node_modules/@types/node'), path.join(dir, 'node_modules/@types/node'));
  for (const pkg of options.link ?? []) {
    mkdirSync(path.dirname(path.join(dir, 'node_modules', pkg)), { recursive: true });
    symlinkSync(path.join(REPO, 'node_modules', pkg), path.join(dir, 'node_modules', pkg));
  }
  for (const [file, text] of Object.entries(files)) write(dir, file, text);
  return dir;
}

export function write(dir: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), text);
}

export function read(dir: string, file: string): string {
  return readFileSync(path.join(dir, file), 'utf8');
}

export function run(dir: string, options: Omit<MigrateOptions, 'cwd'> = {}): Promise<MigrateResult> {
  return migrate({ cwd: dir, write: true, ...options });
}

/** The type checker's verdict on the project (`tsc --noEmit -p`, in-process): its diagnostics, or '' when it is clean. */
export function typecheck(dir: string): string {
  const result = typeCheck(path.join(dir, 'tsconfig.json'));
  return result.status === 0 ? '' : result.output || `tsc exited ${result.status}`;
}

export type { CliRun } from '../support/cli.js';

/** `loop-audit <args>` in `cwd`, in-process. */
export function cli(cwd: string, ...args: string[]): Promise<CliRun> {
  return cliInProcess(cwd, args);
}

/** The refusals of a result, as `kind: message` lines, for readable assertions. */
export function refusals(result: MigrateResult): string[] {
  return result.refusals.map((r) => `${r.kind}: ${r.message}`);
}
