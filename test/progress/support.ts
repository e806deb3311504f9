import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { cliInProcess, type CliRun } from '../support/cli.js';

export const LEGACY_APP = fileURLToPath(new URL('../../fixtures/legacy-app', import.meta.url));

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
}

/** A fresh git repository holding a copy of the legacy app, committed once. */
export function legacyRepo(prefix = 'loop-audit-progress-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  cpSync(LEGACY_APP, dir, { recursive: true, filter: (source) => !/[\\/](node_modules|\.loop-audit)([\\/]|$)/.test(source) });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Progress Test');
  git(dir, 'config', 'user.email', 'progress@example.org');
  git(dir, 'config', 'commit.gpgsign', 'false');
  commitAll(dir, 'legacy app', '2024-01-01T10:00:00Z');
  return dir;
}

export function commitAll(dir: string, message: string, date: string): string {
  git(dir, 'add', '-A');
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', message], {
    cwd: dir,
    env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date },
  });
  return git(dir, 'rev-parse', 'HEAD').trim();
}

export function read(dir: string, file: string): string {
  return readFileSync(path.join(dir, file), 'utf8');
}

export function write(dir: string, file: string, text: string): void {
  writeFileSync(path.join(dir, file), text);
}

/** Replaces exactly one occurrence of `from`: a migration step that silently did nothing would make the test meaningless. */
export function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const text = read(dir, file);
  const matches = typeof from === 'string' ? text.split(from).length - 1 : (text.match(new RegExp(from.source, `${from.flags.replace('g', '')}g`)) ?? []).length;
  if (matches !== 1) throw new Error(`${file}: expected exactly one match of ${String(from)}, found ${matches}`);
  write(dir, file, text.replace(from, to));
}

export function remove(dir: string, file: string): void {
  rmSync(path.join(dir, file));
}

export type { CliRun } from '../support/cli.js';

/** `loop-audit <args>` in `cwd`, in-process. */
export function cli(cwd: string, ...args: string[]): Promise<CliRun> {
  return cliInProcess(cwd, args);
}

let progressValidator: ReturnType<Ajv['compile']> | undefined;

/** Errors of a `progress --format json` output against schema/progress.schema.json; empty when it conforms. */
export function progressSchemaErrors(value: unknown): string[] {
  progressValidator ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync(new URL('../../schema/progress.schema.json', import.meta.url), 'utf8')));
  return progressValidator(value) ? [] : (progressValidator.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
