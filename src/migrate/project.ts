import path from 'node:path';
import type { Project } from 'ts-morph';
import type { ResolvedConfig } from '../config/types.js';
import type { TS, TypeScriptApi } from '../core/types.js';
import { resolveWritableTarget, UnsafeWriteError } from '../fix/write.js';
import { phaseMatcher, resolvePhases, type Phase } from '../progress/phases.js';
import { globMatcher, toPosix } from '../scan/discover.js';
import { loadProject } from '../scan/load.js';
import { languageServiceProject, loadTsMorph } from '../scan/program.js';
import { inferredOptions } from '../scan/project.js';
import { isDirectory, isUnder } from '../util/paths.js';
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

/** Why `file` may not be written by the migration, or undefined when it may. */
function writeRefusal(root: string, file: string): string | undefined {
  try {
    resolveWritableTarget(root, file);
    return undefined;
  } catch (error) {
    if (!(error instanceof UnsafeWriteError)) throw error;
    return error.message;
  }
}

/**
 * The scanner's loader over the whole root (the root is the one path: a `--tsconfig` names the
 * options, not the files), with the nearest tsconfig only, since one program takes its options.
 * Write safety is decided before planning, so that no rewrite elsewhere depends on a file that
 * cannot be written.
 */
export async function loadMigrationProject(options: LoadOptions): Promise<MigrationProject> {
  const root = path.resolve(options.cwd);
  const loaded = await loadProject(
    { cwd: root, paths: [root], tsconfig: options.tsconfig, config: options.config },
    {
      typescript: async () => (await loadTsMorph()).ts as unknown as TypeScriptApi,
      nestedTsconfigs: false,
      strictTsconfigs: true,
      unwritable: (file) => writeRefusal(root, file),
    },
  );
  const { ts, layout, config } = loaded;
  const morph = await loadTsMorph();
  const compilerOptions = layout.projects[0]?.options ?? inferredOptions(ts);
  const files = new Set(layout.files);
  const configured = layout.projects.filter((p) => p.configFile !== undefined).flatMap((p) => p.fileNames);
  const { project, program, languageService } = languageServiceProject(morph, compilerOptions, new Set([...configured, ...files, ...layout.unwritable.keys()]));
  return {
    root,
    ts,
    project,
    program,
    checker: program.getTypeChecker(),
    languageService,
    files,
    unwritable: layout.unwritable,
    config,
    tsconfig: loaded.tsconfigs[0],
    compilerOptions,
  };
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
  const inPaths = pathList.length === 0 ? () => true : (file: string) => pathList.some((p) => file === p || (isDirectory(p) && isUnder(file, p))) || pathMatcher(file);
  const labels = [phase ? `phase ${phase.name}` : undefined, paths && paths.length > 0 ? `paths ${paths.join(' ')}` : undefined].filter(Boolean);
  return {
    label: labels.join(', ') || 'the whole project',
    phase,
    includes: (file) => inPaths(file) && inPhase(toPosix(path.relative(config.baseDir, file))),
  };
}
