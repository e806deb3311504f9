import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Builds dist/ once, before any test file runs, when it is older than the sources (`npm test`
 * has just built it: then nothing is done). Test files never build it themselves: a build in one
 * test process rewrote dist/ while another process was loading the binary from it, and the lock
 * that was meant to serialise them went stale after a fixed two minutes, which a loaded CI
 * machine outlasts.
 */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function newestMtime(dir: string, filter: (file: string) => boolean): number {
  let newest = 0;
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (filter(full)) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  walk(dir);
  return newest;
}

function oldestMtime(dir: string): number {
  let oldest = Infinity;
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (full.endsWith('.js')) oldest = Math.min(oldest, statSync(full).mtimeMs);
    }
  };
  walk(dir);
  return oldest;
}

export default function setup(): void {
  const dist = path.join(repoRoot, 'dist');
  const sources = Math.max(...['src', 'rules'].map((dir) => newestMtime(path.join(repoRoot, dir), (file) => file.endsWith('.ts'))), statSync(path.join(repoRoot, 'tsconfig.build.json')).mtimeMs);
  let built: number;
  try {
    built = oldestMtime(dist);
  } catch {
    built = 0;
  }
  if (built !== Infinity && built >= sources) return;
  // tsc emits even when a module has a type error; `npm run typecheck` is where those fail.
  try {
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: repoRoot, stdio: 'ignore' });
  } catch {
    // the emitted files are what the tests need
  }
}
