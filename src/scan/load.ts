import { lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, resolveConfig } from '../config/load.js';
import type { LoopAuditConfig, ResolvedConfig } from '../config/types.js';
import type { TS, TypeScriptApi } from '../core/types.js';
import { discover, globMatcher, type Discovery } from './discover.js';
import { isDirectory, isUnder } from '../util/paths.js';
import { assignProjects, findNearestTsconfig, inferredOptions, parseProjects, type BrokenProject, type ConfigInputs } from './project.js';
import { ScanUsageError } from './types.js';

/**
 * The one project loader of `scan`, `fix` and `migrate`: what the user asked for is resolved and
 * discovered on disk (`resolveTargets`, no TypeScript needed), then the tsconfigs are parsed and
 * every file is given its project (`layoutProjects`). Programs are built by each caller from the
 * layout with the builders in program.ts: the scanner's lean per-project programs, fix's
 * re-typable `ProjectPrograms`, migrate's single language-service program.
 */
export interface LoadOptions {
  /** Working directory and root: file names in results are relative to it. */
  cwd: string;
  /** Files and directories, relative to `cwd`. Default: `cwd` (or, with `tsconfig`, that project's files). */
  paths?: string[];
  /** Use this tsconfig (and its references) instead of finding them. */
  tsconfig?: string;
  /** An object (validated here), a config file path, `false` for the built-in defaults, undefined to find one. */
  config?: LoopAuditConfig | string | false;
  /** Extra globs, relative to `cwd`, added to the configuration's. */
  include?: string[];
  exclude?: string[];
}

/** What the user asked to analyse, as found on disk. */
export interface Targets {
  /** Absolute working directory: the root of relative names, and the root writes must stay inside. */
  cwd: string;
  config: ResolvedConfig;
  /** The `--tsconfig` file, absolute. */
  tsconfig: string | undefined;
  /** The paths named explicitly, absolute and unique; undefined when none were named. */
  explicitPaths: string[] | undefined;
  /** Where discovery started. */
  roots: string[];
  discovery: Discovery;
  /** The tsconfigs to parse: `--tsconfig`, else the nearest one of each root and those discovery found. */
  tsconfigs: string[];
}

export interface TargetOptions {
  /**
   * Whether tsconfigs found below the roots are projects too (scan, fix), or only the nearest one
   * at or above each root counts (migrate, which builds one program with that project's options).
   */
  nestedTsconfigs?: boolean;
}

async function configFor(options: LoadOptions, cwd: string): Promise<ResolvedConfig> {
  if (options.config === false) return resolveConfig(undefined, undefined, cwd);
  if (typeof options.config === 'string') return loadConfig(cwd, options.config);
  if (options.config) {
    const { validateConfig } = await import('../config/validate.js');
    return resolveConfig(validateConfig(options.config, 'the configuration object'), undefined, cwd);
  }
  return loadConfig(cwd);
}

/**
 * Discovery, in one place: the configuration, the include/exclude globs (configuration's and
 * command line's), the checks of the named paths and tsconfig, the files under the roots, and the
 * tsconfigs that may claim them. Throws ScanUsageError (exit 2) for a missing path or tsconfig and
 * ConfigError for a bad configuration. Loads no TypeScript.
 */
export async function resolveTargets(options: LoadOptions, { nestedTsconfigs = true }: TargetOptions = {}): Promise<Targets> {
  const cwd = path.resolve(options.cwd);
  const config = await configFor(options, cwd);
  const includeConfig = globMatcher(config.include, config.baseDir);
  const includeCli = globMatcher(options.include ?? [], cwd);
  const hasInclude = config.include.length > 0 || (options.include?.length ?? 0) > 0;
  const excludeConfig = globMatcher(config.exclude, config.baseDir);
  const excludeCli = globMatcher(options.exclude ?? [], cwd);

  const tsconfig = options.tsconfig ? path.resolve(cwd, options.tsconfig) : undefined;
  if (tsconfig) {
    try {
      statSync(tsconfig);
    } catch {
      throw new ScanUsageError(`tsconfig not found: ${tsconfig}`);
    }
  }
  const explicitPaths = options.paths && options.paths.length > 0 ? [...new Set(options.paths.map((p) => path.resolve(cwd, p)))] : undefined;
  for (const p of explicitPaths ?? []) {
    try {
      lstatSync(p);
    } catch {
      throw new ScanUsageError(`no such file or directory: ${p}`);
    }
  }
  const roots = explicitPaths ?? [tsconfig ? path.dirname(tsconfig) : cwd];
  const discovery = discover({
    roots,
    isIncluded: (file) => !hasInclude || includeConfig(file) || includeCli(file),
    isExcluded: (file) => excludeConfig(file) || excludeCli(file),
  });
  const nearest = roots.map((root) => findNearestTsconfig(isDirectory(root) ? root : path.dirname(root))).filter((f): f is string => f !== undefined);
  const tsconfigs = tsconfig ? [tsconfig] : [...new Set(nestedTsconfigs ? [...nearest, ...discovery.tsconfigs] : nearest)];
  return { cwd, config, tsconfig, explicitPaths, roots, discovery, tsconfigs };
}

export interface ProjectEntry {
  /** Absolute tsconfig path, or undefined for the inferred project of files no tsconfig includes. */
  configFile: string | undefined;
  options: TS.CompilerOptions;
  /** Absolute root file names (the inferred project's are the files it was made for). */
  fileNames: readonly string[];
}

export interface ProjectLayout {
  /** The parsed tsconfigs (references included), then the inferred project if any file needs it. */
  projects: ProjectEntry[];
  /** The files to analyse, absolute and sorted: discovered, minus build output, minus unwritable ones. */
  files: string[];
  /** Each file's project (index into `projects`), unwritable files included. */
  assignment: Map<string, number>;
  /** Files left out of `files` because they may not be written, and why (see `unwritable` in LayoutOptions). */
  unwritable: Map<string, string>;
  /** What the tsconfig parse read: the scanner's cache key. */
  inputs: ConfigInputs;
  /** Broken tsconfigs found beside the sources (not named): reported, their files in the inferred project. */
  broken: BrokenProject[];
  /** Discovered files left out as some tsconfig's outDir. */
  outDirFiles: number;
  /** Discovered files left out because they are outside the `--tsconfig` project. */
  outsideTsconfig: number;
}

export interface LayoutOptions {
  /**
   * Every broken tsconfig stops the run (migrate: a codemod plans with the project's own options or
   * not at all). Otherwise only a `--tsconfig` does, and any other broken one is reported in `broken`.
   */
  strictTsconfigs?: boolean;
  /** Why a file may not be written, or undefined: such files stay in the projects but leave `files` (migrate plans around them). */
  unwritable?: (file: string) => string | undefined;
}

/**
 * Parses the tsconfigs and gives each discovered file its project: build output of any project is
 * left out (unless named explicitly); with `--tsconfig` and no paths only that project's files
 * count; the nearest tsconfig that includes a file owns it; the rest go to one inferred project.
 */
export function layoutProjects(ts: TypeScriptApi, targets: Targets, options: LayoutOptions = {}): ProjectLayout {
  // Only a tsconfig the user named stops the run when broken: any other one is reported, and its files go to the inferred project.
  const setup = parseProjects(ts, targets.tsconfigs, options.strictTsconfigs ? {} : { explicit: targets.tsconfig ? [targets.tsconfig] : [] });
  const outputDirs = setup.projects.flatMap((p) => p.outputDirs);
  // A path named at or inside an output folder is scanned all the same: the user asked for it.
  const named = targets.explicitPaths ?? [];
  const emitted = new Set(setup.projects.flatMap((p) => p.emittedFiles));
  const isOutput = (file: string): boolean => outputDirs.some((dir) => isUnder(file, dir) && !named.some((p) => isUnder(file, p) && isUnder(p, dir))) || (emitted.has(file) && !named.includes(file));
  let files = targets.discovery.files.filter((file) => !isOutput(file));
  const outDirFiles = targets.discovery.files.length - files.length;
  const projects: ProjectEntry[] = setup.projects.map((p) => ({ configFile: p.configFile, options: p.options, fileNames: p.fileNames }));
  const assignment = assignProjects(files, projects);
  let outsideTsconfig = 0;
  if (targets.tsconfig && !targets.explicitPaths) {
    const before = files.length;
    files = files.filter((file) => assignment.has(file));
    outsideTsconfig = before - files.length;
  }
  const orphans = files.filter((file) => !assignment.has(file));
  if (orphans.length > 0) {
    const inferred = projects.push({ configFile: undefined, options: inferredOptions(ts), fileNames: orphans }) - 1;
    for (const file of orphans) assignment.set(file, inferred);
  }
  const unwritable = new Map<string, string>();
  if (options.unwritable) {
    for (const file of files) {
      const reason = options.unwritable(file);
      if (reason !== undefined) unwritable.set(file, reason);
    }
    if (unwritable.size > 0) files = files.filter((file) => !unwritable.has(file));
  }
  return { projects, files, assignment, unwritable, inputs: setup.inputs, broken: setup.broken, outDirFiles, outsideTsconfig };
}

export interface LoadHooks<Reused> extends TargetOptions, LayoutOptions {
  /** The TypeScript that parses the tsconfigs (and later builds the programs). Called only when a layout is computed. */
  typescript: () => TypeScriptApi | Promise<TypeScriptApi>;
  /** Called once discovery is done (the scanner's progress bar). */
  onDiscovered?: (targets: Targets) => void;
  /**
   * A layout the caller can prove unchanged since an earlier run (the scanner's cache): when it
   * returns one, no tsconfig is parsed and no TypeScript is loaded.
   */
  reuse?: (targets: Targets) => Reused | undefined;
}

export interface LoadedProject extends Targets {
  reused?: undefined;
  ts: TypeScriptApi;
  layout: ProjectLayout;
}

export interface ReusedProject<Reused> extends Targets {
  reused: Reused;
}

/** Discovery, then (unless `reuse` supplies one) the project layout: what scan, fix and migrate each call. */
export async function loadProject<Reused = never>(options: LoadOptions, hooks: LoadHooks<Reused>): Promise<LoadedProject | ([Reused] extends [never] ? never : ReusedProject<Reused>)> {
  const targets = await resolveTargets(options, hooks);
  hooks.onDiscovered?.(targets);
  const reused = hooks.reuse?.(targets);
  if (reused !== undefined) return { ...targets, reused } as ReusedProject<Reused> as never;
  const ts = await hooks.typescript();
  return { ...targets, ts, layout: layoutProjects(ts, targets, hooks) };
}
