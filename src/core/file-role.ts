import { statSync } from 'node:fs';
import path from 'node:path';

/**
 * What a file is for, judged from where it sits in its package: code that runs once per process
 * (a test, a script, a benchmark, a CLI entry) or library/application code that may run per call.
 * no-loop-per-call does not report run-once code (a benchmark that times cold runs, a test that
 * forks the process it checks), and no-sync-bridge does not call a script's `execSync` of node a
 * bridge: running a program and reading its output is the script's work.
 */
export type FileRole = 'test' | 'script' | 'benchmark' | 'bin' | 'source';

const TEST_DIRS = new Set(['test', 'tests', '__tests__', 'spec', 'specs', '__mocks__', 'e2e']);
const SCRIPT_DIRS = new Set(['script', 'scripts', 'tools']);
const BENCHMARK_DIRS = new Set(['bench', 'benches', 'benchmark', 'benchmarks', 'perf']);
const BIN_DIRS = new Set(['bin']);
const TEST_FILE = /(?:[.-](?:test|spec|e2e)|^test|^tests)\.[cm]?[jt]sx?$/i;
const BENCHMARK_FILE = /[.-](?:bench|benchmark)\.[cm]?[jt]sx?$/i;

/** The role of a file, from its path relative to the nearest package root (the directory holding package.json). */
export function fileRole(fileName: string): FileRole {
  const root = packageRoot(path.dirname(path.resolve(fileName)));
  const relative = root === undefined ? path.basename(fileName) : path.relative(root, path.resolve(fileName));
  return roleOfRelativePath(relative.split(path.sep).join('/'));
}

/** The role of a path relative to its package root, with forward slashes. */
export function roleOfRelativePath(relative: string): FileRole {
  const segments = relative.split('/');
  const base = segments.pop() ?? '';
  if (TEST_FILE.test(base)) return 'test';
  if (BENCHMARK_FILE.test(base)) return 'benchmark';
  for (const segment of segments) {
    const lower = segment.toLowerCase();
    if (TEST_DIRS.has(lower)) return 'test';
    if (BENCHMARK_DIRS.has(lower)) return 'benchmark';
    if (SCRIPT_DIRS.has(lower)) return 'script';
    if (BIN_DIRS.has(lower)) return 'bin';
  }
  return 'source';
}

/** Whether code in the file runs once per process rather than per call. */
export function runsOncePerProcess(fileName: string): boolean {
  return fileRole(fileName) !== 'source';
}

const rootCache = new Map<string, string | undefined>();

/** The nearest directory at or above `dir` that holds a package.json. */
export function packageRoot(dir: string): string | undefined {
  if (rootCache.has(dir)) return rootCache.get(dir);
  let found: string | undefined;
  try {
    if (statSync(path.join(dir, 'package.json')).isFile()) found = dir;
  } catch {
    // no package.json here
  }
  if (found === undefined) {
    const parent = path.dirname(dir);
    found = parent === dir ? undefined : packageRoot(parent);
  }
  rootCache.set(dir, found);
  return found;
}
