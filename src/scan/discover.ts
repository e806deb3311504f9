import { readdirSync, readFileSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Ignore } from 'ignore';
import type picomatchType from 'picomatch';
import { isPythonFile, PYTHON_SKIPPED_DIRS } from '../python/files.js';
import type { ScanError } from './types.js';

// Loaded on first use: a warm cached scan of a tree without .gitignore files or globs never pays for them.
const requireLazily = createRequire(import.meta.url);
let ignoreFactory: (() => Ignore) | undefined;
let picomatchFn: typeof picomatchType | undefined;
function newIgnore(): Ignore {
  ignoreFactory ??= requireLazily('ignore') as () => Ignore;
  return ignoreFactory();
}

export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'] as const;

/** Never walked into, wherever they are: dependencies, VCS data, our own cache. */
const ALWAYS_SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', '.loop-audit-cache']);
/** Third-party code copied in by a package manager: skipped and counted (name the folder to scan it). */
const VENDORED_DIRS = new Set(['bower_components', 'jspm_packages', 'web_modules']);
/** What TypeScript emits beside a source: `x.js` for `x.ts` or `x.tsx`, `x.jsx` for `x.tsx` (jsx: preserve), `x.mjs` for `x.mts`, `x.cjs` for `x.cts`. */
const EMITTED_FROM: Readonly<Record<string, readonly string[]>> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };
/** Python's installed packages, byte-code caches, virtual environments and tool caches. */
const PYTHON_SKIPPED = new Set<string>(PYTHON_SKIPPED_DIRS);
/**
 * Build output and tool caches: skipped when they sit in a package or project root (beside a
 * package.json or tsconfig.json), where these names mean generated code, not sources.
 */
const BUILD_OUTPUT_DIRS = new Set(['dist', 'build', 'out', 'coverage', '.next', '.nuxt', '.output', '.svelte-kit', '.turbo', '.vercel', '.cache', '.parcel-cache', 'storybook-static']);

export function isSourceFile(file: string): boolean {
  const lower = file.toLowerCase();
  return SOURCE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** `.d.ts`, `.d.mts`, `.d.cts` and `x.d.css.ts`: declarations feed the type checker but hold no code to analyse. */
export function isDeclarationFile(file: string): boolean {
  return /\.d\.([^/\\]+\.)?[cm]?ts$/i.test(file);
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** A predicate over absolute paths for globs relative to `baseDir`. A pattern naming a directory covers what is inside it. */
export function globMatcher(globs: readonly string[], baseDir: string): (absolute: string) => boolean {
  if (globs.length === 0) return () => false;
  const patterns = globs.flatMap((glob) => {
    const trimmed = glob.replace(/^\.\//, '').replace(/\/+$/, '');
    return [trimmed, `${trimmed}/**`];
  });
  picomatchFn ??= requireLazily('picomatch') as typeof picomatchType;
  const isMatch = picomatchFn(patterns, { dot: true });
  return (absolute) => isMatch(toPosix(path.relative(baseDir, absolute)));
}

export interface DiscoverOptions {
  /** Absolute files or directories. */
  roots: string[];
  /** Include globs (none: everything) and exclude globs, as predicates over absolute paths. */
  isIncluded: (absolute: string) => boolean;
  isExcluded: (absolute: string) => boolean;
}

/** Why a file or folder was left out without being asked to. */
export type SkipReason = 'build-output' | 'vendored';

/** A folder (or a file) discovery skipped and how many source files it holds. */
export interface SkippedPath {
  path: string;
  reason: SkipReason;
  /** Source files in it (1 for a file). */
  files: number;
}

export interface Discovery {
  /** Absolute paths of the source files to analyse (declaration files excluded), sorted, unique by real path. */
  files: string[];
  /** Absolute paths of the Python files (`.py`) to analyse, sorted, unique by real path: the Python frontend's, not TypeScript's. */
  pythonFiles: string[];
  /** tsconfig.json files found in the walked directories. */
  tsconfigs: string[];
  /** package.json files found in the walked directories (their `type` decides module formats). */
  packageJsons: string[];
  /** Skipped entries: symlink loops, unreadable directories, dangling links. */
  notices: Omit<ScanError, 'file'>[];
  /** Build output and vendored code left out: folders by their name, and compiled `.js` files beside their `.ts`. */
  skipped: SkippedPath[];
  /**
   * What the user's filters left out, to explain a run that found nothing: source files outside
   * the include globs or matched by the exclude globs, and files and folders .gitignore'd or
   * excluded (folders are not walked; `countSourceFiles` counts them when it matters).
   */
  filtered: { notIncluded: number; excluded: number; ignored: number; excludedDirs: string[]; ignoredDirs: string[] };
}

/** Source files under `dir`, counted without analysing anything (dependencies and VCS folders aside). */
export function countSourceFiles(dir: string): number {
  let count = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !ALWAYS_SKIPPED_DIRS.has(entry.name)) pending.push(path.join(current, entry.name));
      else if (entry.isFile() && isSourceFile(entry.name) && !isDeclarationFile(entry.name)) count++;
    }
  }
  return count;
}

/** The TypeScript source a file in this folder was compiled from, if it sits beside it. */
function compiledFrom(name: string, names: ReadonlySet<string>): string | undefined {
  const ext = path.extname(name).toLowerCase();
  const sources = EMITTED_FROM[ext];
  if (!sources) return undefined;
  const stem = name.slice(0, -ext.length);
  return sources.map((source) => `${stem}${source}`).find((candidate) => names.has(candidate));
}

interface IgnoreLayer {
  base: string;
  matcher: Ignore;
}

function readIgnoreFile(file: string): Ignore | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return newIgnore().add(text);
}

/** The repository root above `dir` (a directory holding `.git`), if any. */
export function findGitRoot(dir: string): string | undefined {
  for (let current = dir; ;) {
    try {
      statSync(path.join(current, '.git'));
      return current;
    } catch {
      // not here
    }
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** .gitignore files from the repository root down to `dir` (exclusive), and the repository's info/exclude. */
function ancestorIgnoreLayers(dir: string): IgnoreLayer[] {
  const gitRoot = findGitRoot(dir);
  if (!gitRoot) return [];
  const layers: IgnoreLayer[] = [];
  const exclude = readIgnoreFile(path.join(gitRoot, '.git', 'info', 'exclude'));
  if (exclude) layers.push({ base: gitRoot, matcher: exclude });
  const chain: string[] = [];
  for (let current = dir; current.startsWith(gitRoot); current = path.dirname(current)) {
    chain.unshift(current);
    if (current === gitRoot) break;
  }
  for (const current of chain.slice(0, -1)) {
    const matcher = readIgnoreFile(path.join(current, '.gitignore'));
    if (matcher) layers.push({ base: current, matcher });
  }
  return layers;
}

function isIgnored(layers: readonly IgnoreLayer[], absolute: string, isDirectory: boolean): boolean {
  for (const layer of layers) {
    const rel = toPosix(path.relative(layer.base, absolute));
    if (!rel || rel.startsWith('..')) continue;
    if (layer.matcher.ignores(isDirectory ? `${rel}/` : rel)) return true;
  }
  return false;
}

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'EIO';
}

/**
 * Walks the roots and lists the source files to scan: .gitignore'd paths, dependencies, VCS
 * folders and build output are skipped; symlinked directories are followed once (a link back
 * into its own ancestry is a loop, reported and not followed); files reached twice through links
 * are analysed once. Roots named explicitly are always walked, whatever their name.
 */
export function discover(options: DiscoverOptions): Discovery {
  const files = new Map<string, string>(); // real path → path as found
  const pythonFiles = new Map<string, string>();
  const tsconfigs = new Set<string>();
  const packageJsons = new Set<string>();
  const notices: Omit<ScanError, 'file'>[] = [];
  const skipped: SkippedPath[] = [];
  const walkedRealDirs = new Set<string>();

  const filtered: Discovery['filtered'] = { notIncluded: 0, excluded: 0, ignored: 0, excludedDirs: [], ignoredDirs: [] };
  const addFile = (absolute: string, realPath: string): void => {
    const python = isPythonFile(absolute);
    if (!python && (!isSourceFile(absolute) || isDeclarationFile(absolute))) return;
    if (options.isExcluded(absolute)) {
      filtered.excluded++;
      return;
    }
    if (!options.isIncluded(absolute)) {
      filtered.notIncluded++;
      return;
    }
    const into = python ? pythonFiles : files;
    if (!into.has(realPath)) into.set(realPath, absolute);
  };

  const walk = (dir: string, realDir: string, ancestry: readonly string[], layers: readonly IgnoreLayer[]): void => {
    walkedRealDirs.add(realDir);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      notices.push({ path: dir, kind: 'unreadable', message: `skipped: cannot read directory (${errnoOf(error)})`, skipped: true });
      return;
    }
    const names = new Set(entries.map((e) => e.name));
    // A Python virtual environment (whatever its name): installed packages, not the project's code.
    if (names.has('pyvenv.cfg') && ancestry.length > 1) return;
    const isProjectRoot = names.has('package.json') || names.has('tsconfig.json');
    const own = names.has('.gitignore') ? readIgnoreFile(path.join(dir, '.gitignore')) : undefined;
    const here = own ? [...layers, { base: dir, matcher: own }] : layers;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const absolute = path.join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let realPath = absolute;
      if (entry.isSymbolicLink()) {
        let stats: Stats;
        try {
          stats = statSync(absolute);
          realPath = realpathSync(absolute);
        } catch (error) {
          const code = errnoOf(error);
          if (code === 'ELOOP') {
            notices.push({ path: absolute, kind: 'symlink-loop', message: 'skipped: symbolic link loop', skipped: true });
          } else if (isSourceFile(absolute) || isPythonFile(absolute)) {
            notices.push({ path: absolute, kind: 'unreadable', message: `skipped: dangling symbolic link (${code})`, skipped: true });
          }
          continue;
        }
        isDir = stats.isDirectory();
        isFile = stats.isFile();
      } else if (isDir) {
        realPath = path.join(realDir, entry.name);
      }
      if (isDir) {
        if (ALWAYS_SKIPPED_DIRS.has(entry.name) || PYTHON_SKIPPED.has(entry.name)) continue;
        if (isIgnored(here, absolute, true)) {
          filtered.ignoredDirs.push(absolute);
          continue;
        }
        if (options.isExcluded(absolute)) {
          filtered.excludedDirs.push(absolute);
          continue;
        }
        const reason: SkipReason | undefined = VENDORED_DIRS.has(entry.name) ? 'vendored' : isProjectRoot && BUILD_OUTPUT_DIRS.has(entry.name) ? 'build-output' : undefined;
        if (reason) {
          skipped.push({ path: absolute, reason, files: countSourceFiles(absolute) });
          continue;
        }
        if (ancestry.includes(realPath)) {
          notices.push({ path: absolute, kind: 'symlink-loop', message: `skipped: symbolic link loop (points back to ${realPath})`, skipped: true });
          continue;
        }
        // Reached before through another link: its files are already listed.
        if (walkedRealDirs.has(realPath)) continue;
        walk(absolute, realPath, [...ancestry, realPath], here);
      } else if (isFile) {
        if (isIgnored(here, absolute, false)) {
          if (isSourceFile(absolute) && !isDeclarationFile(absolute)) filtered.ignored++;
          continue;
        }
        if (entry.name === 'tsconfig.json') tsconfigs.add(absolute);
        else if (entry.name === 'package.json') packageJsons.add(absolute);
        else if (isSourceFile(absolute) && compiledFrom(entry.name, names)) {
          // Compiled output beside its TypeScript source (an outDir of "." or none): the source is analysed.
          if (options.isIncluded(absolute) && !options.isExcluded(absolute)) skipped.push({ path: absolute, reason: 'build-output', files: 1 });
        } else addFile(absolute, realPath);
      }
    }
  };

  for (const root of options.roots) {
    let stats: Stats;
    let realRoot: string;
    try {
      stats = statSync(root);
      realRoot = realpathSync(root);
    } catch (error) {
      const code = errnoOf(error);
      notices.push({
        path: root,
        kind: code === 'ELOOP' ? 'symlink-loop' : 'unreadable',
        message: code === 'ELOOP' ? 'skipped: symbolic link loop' : `skipped: cannot read (${code})`,
        skipped: true,
      });
      continue;
    }
    if (stats.isDirectory()) {
      if (walkedRealDirs.has(realRoot)) continue;
      walk(root, realRoot, [realRoot], ancestorIgnoreLayers(root));
    } else if (stats.isFile()) {
      // A file named on the command line is scanned even if ignored: the user asked for it.
      if (isSourceFile(root) && !isDeclarationFile(root) && !files.has(realRoot)) files.set(realRoot, root);
      else if (isPythonFile(root) && !pythonFiles.has(realRoot)) pythonFiles.set(realRoot, root);
    }
  }

  return {
    files: [...files.values()].sort(),
    pythonFiles: [...pythonFiles.values()].sort(),
    tsconfigs: [...tsconfigs].sort(),
    packageJsons: [...packageJsons].sort(),
    notices,
    skipped: skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    filtered,
  };
}
