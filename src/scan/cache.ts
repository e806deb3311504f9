import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../util/atomic-write.js';
import { PACKAGE } from '../version.js';
import { DEFAULT_CACHE_DIR, ensureCacheDir } from './cache-dir.js';
import { hashParts, hashText } from './hash.js';
import { isPythonFile } from '../python/files.js';
import { readPythonText } from '../python/source.js';
import { stripBom } from './source.js';
import type { ScanErrorKind } from './types.js';

/**
 * The scan cache. A file's result is reused only when everything it was computed from is unchanged:
 * - the tool (this package's version, its analysis core's code, ts-morph's TypeScript), the rule
 *   settings, and the project's structure (every tsconfig read and directory it listed, the files
 *   discovered, package.json and lockfiles) — any change there and the whole cache is dropped;
 * - the file's own text; and, when its analysis asked the type checker anything, the text of every
 *   file in its transitive import closure and of every global declaration file in its program.
 *   A result computed without a single type query depends on the file's text alone (detectors
 *   are pure functions of the syntax tree and the checker's answers), so editing a module does not
 *   dirty a barrel that re-exports it.
 * File identity is content (SHA-1 of the text); a stat memo (size, mtime, ctime, inode) spares
 * re-reading files whose metadata did not move, except files modified shortly before the run that
 * recorded them ("racily clean", as git calls them), which are always re-hashed.
 */
export const CACHE_FORMAT = 1;
export { DEFAULT_CACHE_DIR };
export const DEFAULT_CACHE_FILE = 'scan-cache.json';
/** Modification times this close to the recording run are not trusted to reveal later edits. */
const RACY_WINDOW_MS = 2000;

export type StatMemo = [size: number, mtimeMs: number, ctimeMs: number, ino: number];

export interface GraphNode {
  hash: string;
  stat?: StatMemo;
  /** Files this one imports or references directly (absolute paths). */
  deps: string[];
  /** A script or a file with ambient/global declarations: it can change any typed answer in its program. */
  global?: true;
}

export interface CachedFinding {
  ruleId: string;
  messageId: string;
  data?: Record<string, string | number>;
  message: string;
  start: number;
  end: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  fix?: { start: number; end: number; text: string }[];
  suggestions?: { messageId: string; data?: Record<string, string | number>; edits: { start: number; end: number; text: string }[] }[];
}

export interface CachedResult {
  /** Hash of the file's text when analysed. */
  hash: string;
  /** Whether the analysis asked the type checker anything (then the import closure is part of the key). */
  typed: boolean;
  /** The TypeScript that answered its type questions (absent: never analysed with types). */
  backend?: 'typescript6' | 'typescript7';
  /** Index into `projects`, or -1 for a file that never reached a program (skipped, unreadable). */
  project: number;
  stat?: StatMemo;
  findings: CachedFinding[];
  errors: { kind: ScanErrorKind; message: string; skipped: boolean }[];
}

export interface CacheData {
  format: number;
  tool: string;
  settings: string;
  structure: string;
  /** What the tsconfig parse read, re-checked on the next run to validate `structure` without TypeScript. */
  configInputs: { files: Record<string, string>; listings: { dir: string; extensions: string[] }[] };
  /** tsconfig per project (null: the inferred project of files no tsconfig includes). */
  projects: (string | null)[];
  /** Every scanned file and the index of its project. */
  assignment: Record<string, number>;
  /** One import graph per project: every non-library file its program held. */
  graphs: Record<string, GraphNode>[];
  results: Record<string, CachedResult>;
  /** Stat memos of the files `tool` was computed from (see `toolIdentity`). */
  toolFiles?: Record<string, StatMemo>;
  /** Broken tsconfigs found (not named) when the layout was computed: reported again on a warm run. */
  brokenProjects?: { configFile: string; message: string }[];
  /** Discovered files left out as some tsconfig's outDir, and outside the `--tsconfig` project. */
  outDirFiles?: number;
  outsideTsconfig?: number;
  /** The Python files' results (src/python/scan.ts). */
  python?: PythonCacheData;
}

/**
 * What the scan cache keeps of the Python files: a result is reused when the file's text and the
 * texts of the project files its analysis consulted (imported helpers, siblings, classes) are
 * unchanged, and the set of Python files and the manifests declaring entry points are too.
 */
export interface PythonCacheData {
  structure: string;
  files: Record<string, PythonCachedResult>;
}

export interface PythonCachedResult {
  hash: string;
  stat?: StatMemo;
  /** Files consulted → their hash when analysed. */
  deps: Record<string, string>;
  findings: CachedFinding[];
  errors: CachedResult['errors'];
}

export function resolveCacheFile(cwd: string, location: string | undefined): string {
  if (!location) return path.join(cwd, DEFAULT_CACHE_DIR, DEFAULT_CACHE_FILE);
  const absolute = path.resolve(cwd, location);
  if (location.endsWith('/') || location.endsWith(path.sep)) return path.join(absolute, DEFAULT_CACHE_FILE);
  try {
    if (statSync(absolute).isDirectory()) return path.join(absolute, DEFAULT_CACHE_FILE);
  } catch {
    // a file to be created
  }
  return absolute;
}

/** A missing, unreadable, corrupt or foreign cache file is no cache: the run is cold. */
export function readCache(file: string): CacheData | undefined {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const cache = data as Partial<CacheData>;
  if (cache.format !== CACHE_FORMAT || typeof cache.tool !== 'string' || !Array.isArray(cache.graphs) || typeof cache.results !== 'object' || typeof cache.assignment !== 'object') return undefined;
  return cache as CacheData;
}

/** Written atomically (a reader never sees half a cache), without a flush: a cache lost to a crash is rebuilt. */
export function writeCache(file: string, data: CacheData): void {
  ensureCacheDir(path.dirname(file));
  writeFileAtomic(file, JSON.stringify(data), { durable: false });
}

function statMemoOf(stats: Stats): StatMemo {
  return [stats.size, stats.mtimeMs, stats.ctimeMs, stats.ino];
}

function sameStat(a: StatMemo | undefined, b: StatMemo): boolean {
  return a !== undefined && a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}

/** Text hashes of files on disk, trusting a recorded stat only when it was recorded safely. */
/**
 * A file's text as the analysis reads it, so that its hash matches the one the analysis recorded:
 * a Python file in a declared encoding (PEP 263, `# -*- coding: latin-1 -*-`) is decoded in that
 * encoding; everything else, and a Python file the scan skips, is read as UTF-8.
 */
function analysedText(file: string): string {
  if (isPythonFile(file)) {
    const text = readPythonText(file);
    if (text !== undefined) return text;
  }
  return readFileSync(file, 'utf8');
}

export class Fingerprints {
  private readonly memo = new Map<string, { hash: string; stat: StatMemo | undefined }>();

  /** @param runStartedAt wall-clock start of this run: files touched after it are never memoised. */
  constructor(private readonly runStartedAt: number) {}

  /** The current hash of `file` ('' when it is missing), reusing `known` when the stat proves it unchanged. */
  current(file: string, known?: { hash: string; stat?: StatMemo }): string {
    const cached = this.memo.get(file);
    if (cached) return cached.hash;
    let stats: Stats;
    try {
      stats = statSync(file);
    } catch {
      this.memo.set(file, { hash: '', stat: undefined });
      return '';
    }
    const stat = statMemoOf(stats);
    if (known && sameStat(known.stat, stat)) {
      this.memo.set(file, { hash: known.hash, stat });
      return known.hash;
    }
    let hash: string;
    try {
      hash = hashText(stripBom(analysedText(file)));
    } catch {
      hash = '';
    }
    this.memo.set(file, { hash, stat: this.safeStat(stat) });
    return hash;
  }

  /** Records the hash of text already in memory (a program's source file), or the hash already computed of that very text. */
  record(file: string, text: string, knownHash?: string): { hash: string; stat?: StatMemo } {
    const hash = knownHash ?? hashText(stripBom(text));
    let stat: StatMemo | undefined;
    try {
      stat = this.safeStat(statMemoOf(statSync(file)));
    } catch {
      stat = undefined;
    }
    this.memo.set(file, { hash, stat });
    return stat ? { hash, stat } : { hash };
  }

  statOf(file: string): StatMemo | undefined {
    return this.memo.get(file)?.stat;
  }

  /** A stat is a safe witness only if the file was last modified well before this run began. */
  private safeStat(stat: StatMemo): StatMemo | undefined {
    return Math.max(stat[1], stat[2]) < this.runStartedAt - RACY_WINDOW_MS ? stat : undefined;
  }
}

const LISTING_SKIPPED = new Set(['node_modules', 'bower_components', 'jspm_packages', '.git', '.hg', '.svn', DEFAULT_CACHE_DIR]);

/**
 * The sorted file names under `dir` with one of `extensions`: changes when a file TypeScript would
 * list appears or goes. The cache file itself (and its temporary siblings) is not part of the project.
 */
export function listingFingerprint(dir: string, extensions: readonly string[], cacheFile?: string): string {
  const found: string[] = [];
  const walk = (current: string, depth: number): void => {
    if (depth > 64) return;
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (!LISTING_SKIPPED.has(entry.name)) walk(path.join(current, entry.name), depth + 1);
      } else if (extensions.length === 0 || extensions.some((ext) => entry.name.endsWith(ext))) {
        const full = path.join(current, entry.name);
        if (cacheFile === undefined || !full.startsWith(cacheFile)) found.push(full);
      } else if (entry.isSymbolicLink()) {
        found.push(`${path.join(current, entry.name)}@`);
      }
    }
  };
  walk(dir, 0);
  return hashParts(found.sort());
}

const requireHere = createRequire(import.meta.url);

/** The tool's identity and, when they were safe to record, the stat memos of the files it was computed from. */
export interface ToolIdentity {
  key: string;
  files?: Record<string, StatMemo>;
}

/**
 * The files the tool's identity is computed from, in a fixed order: ts-morph's and typescript7's
 * package.json (the two TypeScripts that answer type questions), the analysis core's code and
 * the TypeScript 7 backend's (it maps nodes and answers questions: its code decides results too).
 */
function toolFiles(): string[] {
  const files: string[] = [];
  for (const pkg of ['ts-morph/package.json', 'typescript7/package.json']) {
    try {
      files.push(requireHere.resolve(pkg));
    } catch {
      // resolved through exports only, or not installed: the version then comes from the code hash alone
    }
  }
  // The Python grammar and its runtime decide how Python parses.
  for (const name of ['web-tree-sitter/package.json', 'tree-sitter-python/package.json']) {
    try {
      files.push(requireHere.resolve(name));
    } catch {
      // not installed: Python files then fail to analyse, and say so
    }
  }
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(js|ts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(full);
    }
  };
  walk(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'core'));
  walk(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'python'));
  const scanDir = path.dirname(fileURLToPath(import.meta.url));
  for (const name of readdirSync(scanDir).sort()) if (/^typescript7.*\.(js|ts)$/.test(name) && !name.endsWith('.d.ts')) files.push(path.join(scanDir, name));
  return files;
}

/**
 * The tool's identity: package version, ts-morph's version (it pins the TypeScript that parses and
 * type-checks), and a hash of the analysis core's own code, so a changed detector never serves
 * stale results even before a version bump.
 *
 * Reading and hashing the core's code is a tenth of a warm run, so the identity the last run
 * computed is reused when the same files are there with the same stat memos (size, mtime, ctime,
 * inode) — the witness the cache trusts for every scanned file too, and recorded only when no
 * file was modified shortly before that run (see `RACY_WINDOW_MS`).
 */
export function toolIdentity(runStartedAt: number, known?: ToolIdentity): ToolIdentity {
  const base = `${PACKAGE.name}@${PACKAGE.version}`;
  const files = toolFiles();
  const stats: Record<string, StatMemo> = {};
  let safe = true;
  for (const file of files) {
    try {
      const stat = statMemoOf(statSync(file));
      stats[file] = stat;
      if (Math.max(stat[1], stat[2]) >= runStartedAt - RACY_WINDOW_MS) safe = false;
    } catch {
      safe = false;
    }
  }
  if (known?.files && known.key.startsWith(`${base}:`)) {
    const knownFiles = Object.keys(known.files);
    if (knownFiles.length === files.length && files.every((file, i) => knownFiles[i] === file && stats[file] !== undefined && sameStat(known.files![file], stats[file]))) return known;
  }
  const parts: string[] = [base];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      text = '';
      safe = false;
    }
    if (file.endsWith('package.json')) {
      try {
        const pkg = JSON.parse(text) as { name: string; version: string };
        parts.push(`${pkg.name}@${pkg.version}`);
      } catch {
        parts.push(`${path.basename(path.dirname(file))}@unknown`);
      }
    } else parts.push(path.basename(file), text);
  }
  return { key: `${base}:${hashParts(parts)}`, ...(safe ? { files: stats } : {}) };
}
