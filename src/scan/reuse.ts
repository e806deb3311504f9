import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RuleSelection } from '../core/analyze.js';
import { RULE_IDS, type TS } from '../core/types.js';
import {
  CACHE_FORMAT,
  Fingerprints,
  listingFingerprint,
  readCache,
  toolIdentity,
  writeCache,
  type CacheData,
  type CachedResult,
  type GraphNode,
  type PythonCacheData,
  type ToolIdentity,
} from './cache.js';
import { findGitRoot } from './discover.js';
import { hashParts, hashText } from './hash.js';
import type { Targets } from './load.js';
import { isDirectory } from '../util/paths.js';
import type { BrokenProject, ConfigInputs } from './project.js';

/**
 * One scan's use of the scan cache (cache.ts says what a result is keyed on): whether the project
 * layout can be reused without TypeScript, which results are still valid, and the write at the end.
 */

const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb'];

/** A project as the scanner knows it: its options are unknown (not parsed) when its layout came from the cache. */
export interface ScanProject {
  configFile: string | undefined;
  options: TS.CompilerOptions | undefined;
  fileNames: readonly string[];
}

/** The project layout recorded by the previous run, valid because nothing that decides it changed. */
export interface CachedLayout {
  projects: ScanProject[];
  files: string[];
  assignment: Map<string, number>;
  /** Broken tsconfigs found beside the sources, reported again on every run while they are broken. */
  broken: BrokenProject[];
  outDirFiles: number;
  outsideTsconfig: number;
}

function fileHash(file: string): string {
  try {
    return hashText(readFileSync(file, 'utf8'));
  } catch {
    return '';
  }
}

/** package.json files from each root up to the repository (or filesystem) root, and lockfiles beside them. */
function packageInputs(roots: readonly string[], discovered: readonly string[]): string[] {
  const packageJsons = new Set(discovered);
  for (const root of roots) {
    const start = isDirectory(root) ? root : path.dirname(root);
    const stop = findGitRoot(start);
    for (let dir = start; ; dir = path.dirname(dir)) {
      packageJsons.add(path.join(dir, 'package.json'));
      if (dir === stop || path.dirname(dir) === dir) break;
    }
  }
  const inputs = new Set<string>();
  for (const pkg of packageJsons) {
    inputs.add(pkg);
    for (const lock of LOCKFILES) inputs.add(path.join(path.dirname(pkg), lock));
  }
  return [...inputs].sort();
}

/** Everything that decides which files go into which program with which options, as one hash. */
function structureKey(base: readonly string[], inputs: ConfigInputs, cacheFile: string): string {
  const parts = [...base, '|config-files'];
  for (const file of Object.keys(inputs.files).sort()) parts.push(file, fileHash(file));
  parts.push('|listings');
  for (const listing of inputs.listings) parts.push(listing.dir, listing.extensions.join(','), listingFingerprint(listing.dir, listing.extensions, cacheFile));
  return hashParts(parts);
}

/** Files that depend, directly or not, on a changed file: reverse reachability in the import graph. */
function affectedBy(graph: Record<string, GraphNode>, changed: ReadonlySet<string>): Set<string> {
  const importers = new Map<string, string[]>();
  for (const [file, node] of Object.entries(graph)) {
    for (const dep of node.deps) {
      const list = importers.get(dep);
      if (list) list.push(file);
      else importers.set(dep, [file]);
    }
  }
  const affected = new Set(changed);
  const queue = [...changed];
  while (queue.length > 0) {
    for (const importer of importers.get(queue.pop()!) ?? []) {
      if (!affected.has(importer)) {
        affected.add(importer);
        queue.push(importer);
      }
    }
  }
  return affected;
}

function sameMemo(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/** The hash of the rule settings a cache's results were computed with. */
export function settingsKey(selection: RuleSelection): string {
  return hashParts(RULE_IDS.map((id) => `${id}=${JSON.stringify(selection[id])}`));
}

/** What the analysis starts from: the results still valid, the files to analyse again, and the import graphs to update. */
export interface ReusedWork {
  results: Map<string, CachedResult>;
  dirty: string[];
  graphs: Record<string, GraphNode>[];
}

export class CacheSession {
  readonly fingerprints: Fingerprints;
  /** The previous run's data, while it is still usable (same tool, same settings, and then same structure). */
  private previous: CacheData | undefined;
  private readonly knownTool: ToolIdentity | undefined;
  private readonly tool: ToolIdentity;
  private readonly structureBase: string[];
  private structure: string | undefined;
  private configInputs: ConfigInputs | undefined;
  /** A warm run that changed nothing leaves the cache file alone. */
  private changed = false;
  /** The Python files' section of the previous run (same tool and settings), kept whatever happens to the TypeScript layout. */
  readonly previousPython: PythonCacheData | undefined;

  constructor(
    private readonly cacheFile: string,
    startedAt: number,
    targets: Targets,
    private readonly settings: string,
  ) {
    this.fingerprints = new Fingerprints(startedAt);
    const packageFiles = packageInputs(targets.roots, targets.discovery.packageJsons);
    this.structureBase = [
      `tsconfig=${targets.tsconfig ?? ''}`,
      `explicit=${targets.explicitPaths ? 1 : 0}`,
      ...targets.tsconfigs,
      '|files',
      ...targets.discovery.files,
      '|packages',
      ...packageFiles.flatMap((file) => [file, fileHash(file)]),
    ];
    let previous = readCache(cacheFile);
    this.knownTool = previous && { key: previous.tool, ...(previous.toolFiles ? { files: previous.toolFiles } : {}) };
    this.tool = toolIdentity(startedAt, this.knownTool);
    if (previous && (previous.tool !== this.tool.key || previous.settings !== settings)) previous = undefined;
    this.previous = previous;
    this.previousPython = previous?.python;
  }

  /** Whether results of an earlier run are being reused (a warm run). */
  get warm(): boolean {
    return this.previous !== undefined;
  }

  /** The tsconfigs of the previous run's projects (null: the inferred one). */
  get previousProjects(): readonly (string | null)[] {
    return this.previous?.projects ?? [];
  }

  /** The previous run's layout, when the structure is provably unchanged: then no TypeScript is needed to know it. */
  reuseLayout(discovered: readonly string[]): CachedLayout | undefined {
    const previous = this.previous;
    if (!previous || structureKey(this.structureBase, previous.configInputs, this.cacheFile) !== previous.structure) {
      this.previous = undefined;
      return undefined;
    }
    this.structure = previous.structure;
    this.configInputs = previous.configInputs;
    const assignment = new Map(Object.entries(previous.assignment));
    return {
      projects: previous.projects.map((configFile) => ({ configFile: configFile ?? undefined, options: undefined, fileNames: [] })),
      files: discovered.filter((file) => assignment.has(file)),
      assignment,
      broken: previous.brokenProjects ?? [],
      outDirFiles: previous.outDirFiles ?? 0,
      outsideTsconfig: previous.outsideTsconfig ?? 0,
    };
  }

  /** A layout computed afresh (a cold run, or a changed structure): the previous results are all dropped. */
  adoptLayout(inputs: ConfigInputs): void {
    this.previous = undefined;
    this.configInputs = inputs;
    this.structure = structureKey(this.structureBase, inputs, this.cacheFile);
  }

  /**
   * Which results can be reused: a file whose text is unchanged keeps its result, unless it was
   * computed with the checker and a file in its import closure (or a global one) changed.
   */
  reuseResults(files: readonly string[], assignment: ReadonlyMap<string, number>, projectCount: number): ReusedWork {
    const previous = this.previous;
    const fingerprints = this.fingerprints;
    const results = new Map<string, CachedResult>();
    const graphs: Record<string, GraphNode>[] = Array.from({ length: projectCount }, (_, i) => ({ ...(previous?.graphs[i] ?? {}) }));
    if (!previous) {
      this.changed = true;
      return { results, dirty: [...files], graphs };
    }
    // A tool identity computed afresh (its files' stat memos moved, or were too recent to record) is worth recording.
    if (this.tool.files !== undefined && this.tool !== this.knownTool) this.changed = true;
    const dirty: string[] = [];
    const invalid = graphs.map((graph) => {
      const changed = new Set<string>();
      let globalChanged = false;
      for (const [file, node] of Object.entries(graph)) {
        const current = fingerprints.current(file, node);
        if (current !== node.hash) {
          changed.add(file);
          if (node.global) globalChanged = true;
          graph[file] = { ...node, hash: current };
        }
        const stat = fingerprints.statOf(file);
        if (!sameMemo(stat, node.stat)) {
          this.changed = true;
          graph[file] = { ...graph[file]!, ...(stat ? { stat } : {}) };
          if (!stat) delete graph[file]!.stat;
        }
      }
      return { globalChanged, affected: affectedBy(graph, changed) };
    });
    for (const file of files) {
      const cached = previous.results[file];
      const project = assignment.get(file)!;
      if (!cached || fingerprints.current(file, cached) !== cached.hash) dirty.push(file);
      else if (cached.typed && project >= 0 && (invalid[project]!.globalChanged || invalid[project]!.affected.has(file))) dirty.push(file);
      else {
        const stat = fingerprints.statOf(file);
        if (!sameMemo(stat, cached.stat)) this.changed = true;
        results.set(file, { ...cached, ...(stat ? { stat } : {}) });
      }
    }
    return { results, dirty, graphs };
  }

  /** Writes the cache when anything in it changed. Transient failures (unreadable files, failed analyses) are not kept. */
  write(
    layout: Pick<CachedLayout, 'files' | 'assignment' | 'projects' | 'broken' | 'outDirFiles' | 'outsideTsconfig'>,
    work: ReusedWork,
    transient: ReadonlySet<string>,
    python?: { cache: PythonCacheData; changed: boolean },
  ): void {
    const { files, assignment, projects } = layout;
    if (work.dirty.length > 0 || python?.changed) this.changed = true;
    if (this.structure === undefined || this.configInputs === undefined || !this.changed) return;
    const stored: Record<string, CachedResult> = {};
    for (const file of files) {
      const result = work.results.get(file);
      if (!result || transient.has(file)) continue;
      const stat = this.fingerprints.statOf(file);
      stored[file] = { ...result, project: assignment.get(file)!, ...(stat ? { stat } : {}) };
      if (!stat) delete stored[file].stat;
    }
    const data: CacheData = {
      format: CACHE_FORMAT,
      tool: this.tool.key,
      ...(this.tool.files ? { toolFiles: this.tool.files } : {}),
      settings: this.settings,
      structure: this.structure,
      configInputs: this.configInputs,
      projects: projects.map((p) => p.configFile ?? null),
      assignment: Object.fromEntries(files.map((file) => [file, assignment.get(file)!])),
      graphs: work.graphs,
      results: stored,
      ...(layout.broken.length > 0 ? { brokenProjects: layout.broken } : {}),
      ...(layout.outDirFiles > 0 ? { outDirFiles: layout.outDirFiles } : {}),
      ...(layout.outsideTsconfig > 0 ? { outsideTsconfig: layout.outsideTsconfig } : {}),
      ...(python && Object.keys(python.cache.files).length > 0 ? { python: python.cache } : {}),
    };
    writeCache(this.cacheFile, data);
  }
}
