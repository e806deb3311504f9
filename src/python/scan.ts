import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RuleSelection } from '../core/analyze.js';
import type { CachedResult, Fingerprints, PythonCacheData, PythonCachedResult } from '../scan/cache.js';
import { hashParts, hashText } from '../scan/hash.js';
import type { ScanProgress } from '../scan/types.js';

export interface PythonScanInput {
  /** Every discovered Python file (absolute, sorted). */
  files: readonly string[];
  roots: readonly string[];
  selection: RuleSelection;
  previous: PythonCacheData | undefined;
  fingerprints: Fingerprints;
  progress: (event: ScanProgress) => void;
}

export interface PythonScanOutput {
  /** One result per Python file, as the TypeScript side's (`project` -1, never `typed`). */
  results: Map<string, CachedResult>;
  /** Files whose result must not be cached (unreadable, vanished, a failed analysis). */
  transient: Set<string>;
  analyzed: number;
  cache: PythonCacheData;
  /** Whether anything differs from `previous` (the cache file needs writing). */
  changed: boolean;
}

/** The manifests above the Python files (their console scripts are entry points), with their hashes. */
function manifestKey(files: readonly string[]): string[] {
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    for (let dir = path.dirname(file); !seen.has(dir); dir = path.dirname(dir)) {
      seen.add(dir);
      for (const name of ['pyproject.toml', 'setup.cfg']) {
        const manifest = path.join(dir, name);
        if (existsSync(manifest)) {
          let text = '';
          try {
            text = readFileSync(manifest, 'utf8');
          } catch {
            // unreadable: its absence of entry points is what the analysis saw
          }
          parts.push(manifest, hashText(text));
        }
      }
      if (path.dirname(dir) === dir) break;
    }
  }
  return parts.sort();
}

/**
 * The Python half of a scan: reuses cached results whose inputs are unchanged, analyses the
 * rest with the Python frontend (loaded only when there is something to analyse), and returns
 * the results and the cache section to store.
 */
export async function scanPython(input: PythonScanInput): Promise<PythonScanOutput> {
  const { files, fingerprints, progress } = input;
  const structure = hashParts(['python', ...files, '|manifests', ...manifestKey(files)]);
  const previous = input.previous?.structure === structure ? input.previous : undefined;
  const results = new Map<string, CachedResult>();
  const stored: Record<string, PythonCachedResult> = {};
  const transient = new Set<string>();
  const dirty: string[] = [];
  let changed = input.previous === undefined || previous === undefined;
  for (const file of files) {
    const cached = previous?.files[file];
    const current = cached ? fingerprints.current(file, cached) : undefined;
    const depsUnchanged = cached !== undefined && Object.entries(cached.deps).every(([dep, hash]) => fingerprints.current(dep, previous!.files[dep]) === hash);
    if (cached && current === cached.hash && depsUnchanged) {
      const stat = fingerprints.statOf(file);
      if (JSON.stringify(stat) !== JSON.stringify(cached.stat)) changed = true;
      stored[file] = { ...cached, ...(stat ? { stat } : {}) };
      if (!stat) delete stored[file].stat;
      results.set(file, { hash: cached.hash, typed: false, project: -1, findings: cached.findings, errors: cached.errors });
    } else dirty.push(file);
  }
  if (previous) for (const file of Object.keys(previous.files)) if (!files.includes(file)) changed = true;
  if (dirty.length > 0) {
    changed = true;
    const { analyzePythonFiles } = await import('./engine.js');
    let done = 0;
    const outcomes = await analyzePythonFiles({
      files,
      analyze: dirty,
      roots: input.roots,
      selection: input.selection,
      onFile: (file) => progress({ phase: 'analyze', done: ++done, total: dirty.length, file }),
    });
    for (const [file, outcome] of outcomes) {
      results.set(file, { hash: outcome.hash, typed: false, project: -1, findings: outcome.findings, errors: outcome.errors });
      if (outcome.transient) {
        transient.add(file);
        continue;
      }
      const hash = outcome.hash === '' ? fingerprints.current(file) : fingerprints.record(file, '', outcome.hash).hash;
      const deps: Record<string, string> = {};
      for (const dep of outcome.deps) deps[dep] = fingerprints.current(dep);
      const stat = fingerprints.statOf(file);
      stored[file] = { hash, ...(stat ? { stat } : {}), deps, findings: outcome.findings, errors: outcome.errors };
    }
  }
  return { results, transient, analyzed: dirty.length, cache: { structure, files: stored }, changed };
}
