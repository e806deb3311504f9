import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesRoot = path.join(repoRoot, 'fixtures');

const made: string[] = [];

/** A real project in a fresh temp directory: path → content. Removed by `cleanupProjects`. */
export function makeProject(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'loop-audit-scan-'));
  made.push(root);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(root, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return root;
}

export function cleanupProjects(): void {
  for (const root of made.splice(0)) rmSync(root, { recursive: true, force: true });
}

/** A tsconfig that resolves node's types from this repository's node_modules, as the fixtures do. */
export const TSCONFIG = JSON.stringify({
  compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, allowJs: true, types: [] },
});

/** Two findings the detectors report in any mode: a floating call of a local async function and a worker per call. */
export const DISEASED_TS = `import { Worker } from 'node:worker_threads';
async function save(): Promise<void> {}
export function handler(): void {
  save();
  new Worker('./w.js');
}
`;

/** Moves every file's times back, so the cache may trust their stat (as for files not touched just before a run). */
export function age(root: string): void {
  const past = new Date(Date.now() - 60_000);
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else utimesSync(full, past, past);
    }
  };
  walk(root);
}
