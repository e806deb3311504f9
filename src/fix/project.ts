import { lstatSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, resolveConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/types.js';
import type { RuleSelection } from '../core/analyze.js';
import { RULE_IDS, type RuleId, type TS, type TypeScriptApi } from '../core/types.js';
import { discover, globMatcher } from '../scan/discover.js';
import { loadTsMorph, TrackedChecker } from '../scan/program.js';
import { assignProjects, findNearestTsconfig, inferredOptions, isDirectory, isUnder, parseProjects } from '../scan/project.js';
import { ScanUsageError, type ScanError } from '../scan/types.js';

type TsMorph = Awaited<ReturnType<typeof loadTsMorph>>;

/**
 * The scanner's view of a project, for the fixer: the same configuration, the same files (its
 * discovery, include/exclude and tsconfig rules) in the same TypeScript projects with the same
 * compiler options, so `fix` analyses exactly what `scan` reports. Built from the scanner's
 * exported pieces; the scanner's cache does not apply (a fix must see the files as they are).
 */
export interface LoadOptions {
  cwd: string;
  paths?: string[];
  tsconfig?: string;
  /** A config file path, `false` for the built-in defaults, undefined to find one. */
  config?: string | false;
  include?: string[];
  exclude?: string[];
}

export interface LoadedProject {
  ts: TypeScriptApi;
  morph: TsMorph;
  config: ResolvedConfig;
  /** Absolute working directory: the root that writes must stay inside. */
  root: string;
  projects: { configFile: string | undefined; options: TS.CompilerOptions; fileNames: readonly string[] }[];
  /** Files to analyse, absolute, sorted, each with its project's index. */
  files: { path: string; project: number }[];
  /** What discovery skipped (links, unreadable folders). */
  notices: Omit<ScanError, 'file'>[];
}




/** The rules to run: the configuration's (rules set to `off` are not run), narrowed to `only` when given. */
export function ruleSelection(config: ResolvedConfig, only?: ReadonlySet<RuleId>): RuleSelection {
  const selection: RuleSelection = {};
  for (const id of RULE_IDS) {
    const rule = config.rules[id];
    selection[id] = rule.severity === 'off' || (only && !only.has(id)) ? false : rule.options;
  }
  return selection;
}

/** Throws ScanUsageError (exit 2) for a missing path or tsconfig, ConfigError for a bad configuration. */
export async function loadProject(options: LoadOptions): Promise<LoadedProject> {
  const cwd = path.resolve(options.cwd);
  const config =
    options.config === false ? await resolveConfig(undefined, undefined, cwd) : await loadConfig(cwd, options.config);
  const includeConfig = globMatcher(config.include, config.baseDir);
  const includeCli = globMatcher(options.include ?? [], cwd);
  const hasInclude = config.include.length > 0 || (options.include?.length ?? 0) > 0;
  const excludeConfig = globMatcher(config.exclude, config.baseDir);
  const excludeCli = globMatcher(options.exclude ?? [], cwd);

  const tsconfigOption = options.tsconfig ? path.resolve(cwd, options.tsconfig) : undefined;
  if (tsconfigOption && !statSync(tsconfigOption, { throwIfNoEntry: false })) throw new ScanUsageError(`tsconfig not found: ${tsconfigOption}`);
  const explicitPaths = options.paths && options.paths.length > 0 ? [...new Set(options.paths.map((p) => path.resolve(cwd, p)))] : undefined;
  for (const p of explicitPaths ?? []) {
    try {
      lstatSync(p);
    } catch {
      throw new ScanUsageError(`no such file or directory: ${p}`);
    }
  }
  const roots = explicitPaths ?? [tsconfigOption ? path.dirname(tsconfigOption) : cwd];
  const discovery = discover({
    roots,
    isIncluded: (file) => !hasInclude || includeConfig(file) || includeCli(file),
    isExcluded: (file) => excludeConfig(file) || excludeCli(file),
  });

  const morph = await loadTsMorph();
  const ts = morph.ts as unknown as TypeScriptApi;
  const configCandidates = tsconfigOption
    ? [tsconfigOption]
    : [
        ...new Set([
          ...roots.map((root) => findNearestTsconfig(isDirectory(root) ? root : path.dirname(root))).filter((f): f is string => f !== undefined),
          ...discovery.tsconfigs,
        ]),
      ];
  const setup = parseProjects(ts, configCandidates);
  const outputDirs = setup.projects.flatMap((p) => p.outputDirs);
  let files = discovery.files.filter((file) => !outputDirs.some((dir) => isUnder(file, dir)) || explicitPaths?.includes(file));
  const projects: LoadedProject['projects'] = setup.projects.map((p) => ({ configFile: p.configFile, options: p.options, fileNames: p.fileNames }));
  const assignment = assignProjects(files, projects);
  if (tsconfigOption && !explicitPaths) files = files.filter((file) => assignment.has(file));
  const orphans = files.filter((file) => !assignment.has(file));
  if (orphans.length > 0) {
    const inferred = projects.push({ configFile: undefined, options: inferredOptions(ts), fileNames: orphans }) - 1;
    for (const file of orphans) assignment.set(file, inferred);
  }
  return { ts, morph, config, root: cwd, projects, files: files.map((file) => ({ path: file, project: assignment.get(file)! })), notices: discovery.notices };
}

/**
 * One project's program, built like the scanner's, that can be re-typed with one file's text
 * replaced: what typed linting sees while `eslint --fix` works on that file (its new text, the
 * other files as they are on disk). ts-morph rebuilds the program from the previous one, so only
 * the replaced file is parsed and bound again.
 */
export class ProjectPrograms {
  private readonly project: InstanceType<TsMorph['Project']>;
  private readonly originals = new Map<string, string>();
  private program: TS.Program;
  private checker: TrackedChecker;

  constructor(morph: TsMorph, options: TS.CompilerOptions, roots: readonly string[], texts: ReadonlyMap<string, string>) {
    const { configFile: _configFile, ...compilerOptions } = options as TS.CompilerOptions & { configFile?: unknown };
    this.project = new morph.Project({ compilerOptions, skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
    for (const root of roots) {
      const text = texts.get(root);
      if (text !== undefined) this.project.createSourceFile(root, text, { overwrite: true });
      else this.project.addSourceFileAtPathIfExists(root);
    }
    for (const [file, text] of texts) this.originals.set(file, text);
    this.program = this.project.getProgram().compilerObject as unknown as TS.Program;
    this.checker = new TrackedChecker(this.program);
  }

  /** The program (and a lazily created checker) in which `file` has `text`. */
  typed(file: string, text: string): { program: TS.Program; sourceFile: TS.SourceFile | undefined; checker: TS.TypeChecker } {
    const current = this.program.getSourceFile(file);
    if (!current || current.text !== text) this.replace(file, text);
    return { program: this.program, sourceFile: this.program.getSourceFile(file), checker: this.checker.checker };
  }

  /** Puts `file` back to the text it was loaded with, so the next file is analysed against the originals. */
  restore(file: string): void {
    const original = this.originals.get(file);
    if (original !== undefined && this.program.getSourceFile(file)?.text !== original) this.replace(file, original);
  }

  private replace(file: string, text: string): void {
    this.project.createSourceFile(file, text, { overwrite: true });
    this.program = this.project.getProgram().compilerObject as unknown as TS.Program;
    this.checker = new TrackedChecker(this.program);
  }
}
