import path from 'node:path';
import type { Project } from 'ts-morph';
import { loadConfig } from '../config/load.js';
import { resolveWritableTarget, UnsafeWriteError } from '../fix/write.js';
import type { ResolvedConfig } from '../config/types.js';
import type { TS, TypeScriptApi } from '../core/types.js';
import { phaseMatcher, resolvePhases, type Phase } from '../progress/phases.js';
import { discover, globMatcher, toPosix } from '../scan/discover.js';
import { loadTsMorph } from '../scan/program.js';
import { findNearestTsconfig, inferredOptions, isDirectory, parseProjects } from '../scan/project.js';
import { ScanUsageError } from '../scan/types.js';

/**
 * The project a migration works on: one ts-morph Project over every file of the tsconfig (and
 * its references) plus the sources found under the root, so that references are followed across
 * all of them with one language service.
 */
export interface MigrationProject {
  root: string;
  ts: TypeScriptApi;
  project: Project;
  program: TS.Program;
  checker: TS.TypeChecker;
  languageService: TS.LanguageService;
  /** Absolute paths of the files the migration may analyse and change (found under the root, not excluded, safe to write). */
  files: ReadonlySet<string>;
  /** Source files found under the root that may not be written (a symbolic link, a folder that resolves elsewhere), and why. */
  unwritable: ReadonlyMap<string, string>;
  /** Files a previous planning round refused (their rewrite would not parse), and why: planned around, never changed. */
  excluded?: ReadonlyMap<string, string>;
  config: ResolvedConfig;
  tsconfig: string | undefined;
  compilerOptions: TS.CompilerOptions;
}

export interface LoadOptions {
  cwd: string;
  tsconfig?: string;
  config?: string;
}

function isUnder(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

export async function loadMigrationProject(options: LoadOptions): Promise<MigrationProject> {
  const root = path.resolve(options.cwd);
  const config = await loadConfig(root, options.config);
  const morph = await loadTsMorph();
  const ts = morph.ts as unknown as TypeScriptApi;

  const tsconfig = options.tsconfig ? path.resolve(root, options.tsconfig) : findNearestTsconfig(root);
  if (options.tsconfig && !tsconfig) throw new ScanUsageError(`tsconfig not found: ${options.tsconfig}`);
  const setup = tsconfig ? parseProjects(ts, [tsconfig]) : undefined;
  const compilerOptions = setup?.projects[0]?.options ?? inferredOptions(ts);
  const outputDirs = setup?.projects.flatMap((p) => p.outputDirs) ?? [];

  const isIncluded = config.include.length > 0 ? globMatcher(config.include, config.baseDir) : () => true;
  const isExcluded = globMatcher(config.exclude, config.baseDir);
  const discovery = discover({ roots: [root], isIncluded, isExcluded });
  const files = new Set<string>();
  const unwritable = new Map<string, string>();
  for (const file of discovery.files) {
    if (outputDirs.some((dir) => isUnder(file, dir))) continue;
    // Decided before planning, so that no rewrite elsewhere depends on a file that cannot be written.
    try {
      resolveWritableTarget(root, file);
      files.add(file);
    } catch (error) {
      if (!(error instanceof UnsafeWriteError)) throw error;
      unwritable.set(file, error.message);
    }
  }

  const { configFile: _configFile, ...usable } = compilerOptions as TS.CompilerOptions & { configFile?: unknown };
  const project = new morph.Project({ compilerOptions: usable as never, skipAddingFilesFromTsConfig: true });
  const roots = new Set([...(setup?.projects.flatMap((p) => p.fileNames) ?? []), ...files, ...unwritable.keys()]);
  for (const file of roots) project.addSourceFileAtPathIfExists(file);
  const languageService = project.getLanguageService().compilerObject as unknown as TS.LanguageService;
  const program = languageService.getProgram();
  if (!program) throw new Error('loop-audit migrate: the language service built no program');
  return { root, ts, project, program, checker: program.getTypeChecker(), languageService, files, unwritable, config, tsconfig, compilerOptions };
}

export interface Scope {
  /** What the report calls the scope: `phase data-layer`, `paths src/services`. */
  label: string;
  phase: Phase | undefined;
  includes(file: string): boolean;
}

/**
 * The files whose wrappers (and, for phases that have the rule, floating promises) a run
 * migrates: those of the phase's layer, as `loop-audit progress` counts them (globs relative to
 * the configuration's directory), and/or under the given paths (relative to the root).
 */
export function resolveScope(config: ResolvedConfig, root: string, phaseName: string | undefined, paths: readonly string[] | undefined): Scope {
  let phase: Phase | undefined;
  if (phaseName !== undefined) {
    const phases = resolvePhases(config.phases, config.file ?? 'the default phases');
    phase = phases.find((p) => p.name === phaseName);
    if (!phase) throw new ScanUsageError(`unknown phase "${phaseName}" (phases: ${phases.map((p) => p.name).join(', ')})`);
  }
  const inPhase = phase ? phaseMatcher(phase) : () => true;
  const pathList = (paths ?? []).map((p) => path.resolve(root, p));
  const pathMatcher = globMatcher(paths ?? [], root);
  const inPaths =
    pathList.length === 0
      ? () => true
      : (file: string) => pathList.some((p) => file === p || (isDirectory(p) && isUnder(file, p))) || pathMatcher(file);
  const labels = [phase ? `phase ${phase.name}` : undefined, paths && paths.length > 0 ? `paths ${paths.join(' ')}` : undefined].filter(Boolean);
  return {
    label: labels.join(', ') || 'the whole project',
    phase,
    includes: (file) => inPaths(file) && inPhase(toPosix(path.relative(config.baseDir, file))),
  };
}
