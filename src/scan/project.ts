import { statSync } from 'node:fs';
import path from 'node:path';
import type { TS, TypeScriptApi } from '../core/types.js';
import { isUnder } from '../util/paths.js';
import { hashText } from './hash.js';
import { ScanUsageError } from './types.js';

/** Everything a tsconfig's parse read: the files (with content hashes) and the directories it listed. */
export interface ConfigInputs {
  files: Record<string, string>;
  /** Directories expanded for `include` globs, with the extensions asked for. */
  listings: { dir: string; extensions: string[] }[];
}

export interface ProjectInfo {
  /** Absolute tsconfig path, or undefined for the inferred project of files no tsconfig includes. */
  configFile: string | undefined;
  options: TS.CompilerOptions;
  /** Absolute root file names as TypeScript lists them (forward slashes). */
  fileNames: string[];
  /** Build output directories to keep out of the scan. */
  outputDirs: string[];
  /**
   * Files this project emits into an outDir at or above its own folder (no filter then): `index.js`
   * for `src/index.ts` under `outDir: "."` and `rootDir: "src"`. Beside-the-source output is discover.ts's.
   */
  emittedFiles: string[];
}

/** A tsconfig that could not be used: its files go to the inferred project, and the run reports it. */
export interface BrokenProject {
  configFile: string;
  message: string;
}

export interface ProjectSetup {
  projects: ProjectInfo[];
  inputs: ConfigInputs;
  /** Broken or missing tsconfigs that were found, not named by the user (those throw). */
  broken: BrokenProject[];
}

/** What TypeScript writes to `outDir` for these sources: their path below `rootDir` (or their common folder), `.ts` as `.js`. */
function emittedInto(outDir: string, fileNames: readonly string[], rootDir: string | undefined): string[] {
  const sources = fileNames.filter((file) => /\.(?:[cm]?ts|tsx)$/i.test(file) && !/\.d\.(?:[cm]?ts|[^.]+\.ts)$/i.test(file));
  if (sources.length === 0) return [];
  const root = rootDir ? path.resolve(rootDir) : commonFolder(sources);
  const emitted: string[] = [];
  for (const source of sources) {
    if (!isUnder(source, root)) continue;
    const target = path.join(outDir, path.relative(root, source));
    // A source that is its own output path (outDir equal to rootDir) emits nothing we could tell apart.
    const js = target
      .replace(/\.tsx$/i, '.js')
      .replace(/\.mts$/i, '.mjs')
      .replace(/\.cts$/i, '.cjs')
      .replace(/\.ts$/i, '.js');
    if (js !== source) emitted.push(js);
    if (/\.tsx$/i.test(target)) emitted.push(target.replace(/\.tsx$/i, '.jsx'));
  }
  return emitted;
}

function commonFolder(files: readonly string[]): string {
  let common = path.dirname(files[0]!);
  for (const file of files) while (!isUnder(file, common) && path.dirname(common) !== common) common = path.dirname(common);
  return common;
}

/** Compiler options for a tree without a tsconfig: every JS/TS file, JS allowed, nothing emitted. */
export function inferredOptions(ts: TypeScriptApi): TS.CompilerOptions {
  return {
    allowJs: true,
    checkJs: false,
    noEmit: true,
    target: ts.ScriptTarget.ESNext,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    jsx: ts.JsxEmit.Preserve,
    resolveJsonModule: true,
    skipLibCheck: true,
    esModuleInterop: true,
    allowSyntheticDefaultImports: true,
    // Types of a JS dependency come from its declarations, never from crawling its JS.
    maxNodeModuleJsDepth: 0,
  };
}

function exists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The nearest tsconfig.json at or above `start` (a file's directory or a directory). */
export function findNearestTsconfig(start: string): string | undefined {
  for (let dir = start; ;) {
    const candidate = path.join(dir, 'tsconfig.json');
    if (exists(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function formatDiagnostic(ts: TypeScriptApi, diagnostic: TS.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (diagnostic.file && diagnostic.start !== undefined) {
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `${diagnostic.file.fileName}:${line + 1}:${character + 1}: ${message}`;
  }
  return message;
}

/** "No inputs were found in config file": a project with nothing to scan, not a broken one. */
const NO_INPUTS = 18003;

/**
 * Parses the given tsconfig files and, transitively, the projects they reference (solution-style
 * configs). A missing or broken config the user named (`explicit`) is a ScanUsageError naming the
 * file and the problem; any other one (found beside the sources, or referenced) is returned in
 * `broken` with the same message, so one bad tsconfig among many costs only its own type
 * information. Every file the parse read and every directory it listed is recorded for the cache.
 *
 * `listFiles: false` skips expanding `include`/`files` globs (the projects come back with no file
 * names and no listings): for a warm run, which only needs the options of projects whose files
 * the cache already knows, after it checked that nothing the first parse read or listed changed.
 */
export function parseProjects(
  ts: TypeScriptApi,
  configFiles: readonly string[],
  {
    listFiles = true,
    explicit,
  }: {
    listFiles?: boolean;
    /** The tsconfigs the user named: only these throw when broken. Default: every one throws. */
    explicit?: readonly string[];
  } = {},
): ProjectSetup {
  const inputs: ConfigInputs = { files: {}, listings: [] };
  const projects: ProjectInfo[] = [];
  const broken: BrokenProject[] = [];
  const named = explicit === undefined ? undefined : new Set(explicit.map((file) => path.resolve(file)));
  const seen = new Set<string>();
  let unrecoverable: TS.Diagnostic | undefined;
  const host: TS.ParseConfigFileHost = {
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
    getCurrentDirectory: () => process.cwd(),
    fileExists: (file) => ts.sys.fileExists(file),
    readFile: (file) => {
      const text = ts.sys.readFile(file);
      inputs.files[path.resolve(file)] = text === undefined ? '' : hashText(text);
      return text;
    },
    readDirectory: (root, extensions, excludes, includes, depth) => {
      if (!listFiles) return [];
      inputs.listings.push({ dir: path.resolve(root), extensions: [...(extensions ?? [])] });
      return ts.sys.readDirectory(root, extensions, excludes, includes, depth);
    },
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      unrecoverable = diagnostic;
    },
  };
  const extendedCache = new Map<string, TS.ExtendedConfigCacheEntry>();

  // A tsconfig the user named takes the projects it references along: they are asked for too.
  const visit = (configFile: string, referencedFrom: string | undefined, asked = named === undefined || named.has(path.resolve(configFile))): void => {
    const absolute = path.resolve(configFile);
    if (seen.has(absolute)) return;
    seen.add(absolute);
    const fromWhere = referencedFrom ? ` (referenced from ${referencedFrom})` : '';
    const fail = (message: string): void => {
      if (asked) throw new ScanUsageError(message);
      broken.push({ configFile: absolute, message });
    };
    if (!exists(absolute)) return fail(`tsconfig not found: ${absolute}${fromWhere}`);
    unrecoverable = undefined;
    const parsed = ts.getParsedCommandLineOfConfigFile(absolute, undefined, host, extendedCache);
    if (!parsed || unrecoverable) {
      return fail(`cannot read tsconfig ${absolute}${fromWhere}: ${unrecoverable ? formatDiagnostic(ts, unrecoverable) : 'unknown error'}`);
    }
    // JSON syntax errors live in the config file's own parse diagnostics, not in `errors`.
    const errors = ts.getConfigFileParsingDiagnostics(parsed).filter((d) => d.code !== NO_INPUTS && d.category === ts.DiagnosticCategory.Error);
    if (errors.length > 0) {
      return fail(`broken tsconfig ${absolute}${fromWhere}:\n${errors.map((d) => `  ${formatDiagnostic(ts, d)}`).join('\n')}`);
    }
    // An outDir at or above the project's own folder ("./", ".", "..") holds the sources too: it
    // is no filter then; compiled files are told by the TypeScript source beside them (discover.ts).
    const outDirs = [parsed.options.outDir, parsed.options.declarationDir].filter((d): d is string => d !== undefined).map((d) => path.resolve(d));
    const outputDirs = outDirs.filter((dir) => !isUnder(path.dirname(absolute), dir));
    const fileNames = parsed.fileNames.map((f) => path.resolve(f));
    const emittedFiles = parsed.options.outDir && outputDirs.length < outDirs.length ? emittedInto(path.resolve(parsed.options.outDir), fileNames, parsed.options.rootDir) : [];
    projects.push({ configFile: absolute, options: parsed.options, fileNames, outputDirs, emittedFiles });
    for (const reference of parsed.projectReferences ?? []) {
      const target = ts.resolveProjectReferencePath(reference);
      visit(target, absolute, asked || named?.has(path.resolve(target)));
    }
  };
  for (const file of configFiles) visit(file, undefined);
  return { projects, inputs, broken };
}

/** Picks the project for a file: among the tsconfigs that include it, the one nearest to it. */
export function assignProjects(files: readonly string[], projects: readonly { configFile: string | undefined; fileNames: readonly string[] }[]): Map<string, number> {
  const owners = new Map<string, number[]>();
  projects.forEach((project, index) => {
    for (const file of project.fileNames) {
      const list = owners.get(file);
      if (list) list.push(index);
      else owners.set(file, [index]);
    }
  });
  const assignment = new Map<string, number>();
  for (const file of files) {
    const candidates = owners.get(file);
    if (!candidates) continue;
    let best = candidates[0]!;
    let bestDepth = -1;
    for (const index of candidates) {
      const dir = path.dirname(projects[index]!.configFile!);
      const depth = file.startsWith(dir + path.sep) ? dir.length : -1;
      if (depth > bestDepth) {
        best = index;
        bestDepth = depth;
      }
    }
    assignment.set(file, best);
  }
  return assignment;
}
