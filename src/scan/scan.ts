import path from 'node:path';
import { ruleSelection } from '../config/load.js';
import type { RuleSelection } from '../core/analyze.js';
import { FAMILY_OF_RULE } from '../core/meta/index.js';
import { type RuleId, type TS, type TypeScriptApi } from '../core/types.js';
import { Fingerprints, resolveCacheFile, type CachedResult, type GraphNode } from './cache.js';
import { toPosix } from './discover.js';
import { analyzeParsedFile, loadAnalysisCore, type FileAnalysis, type ProjectWork } from './file-analysis.js';
import { hashParts, hashText } from './hash.js';
import { loadProject, type Targets } from './load.js';
import { createProgram, parseDiagnostics, recordGraph, TrackedChecker } from './program.js';
import { nothingAnalysedMessage } from './nothing.js';
import { inferredOptions, parseProjects, type BrokenProject, type ProjectInfo } from './project.js';
import { CacheSession, settingsKey, type CachedLayout, type ReusedWork, type ScanProject } from './reuse.js';
import { loadPythonParser } from '../python/parser.js';
import { scanPython } from '../python/scan.js';
import { readSource } from './source.js';
import { chooseTypeBackend, fallbackNotice, reportedBackend, requestedBackend, startTypescript7Early, type Notice } from './type-backend.js';
import { ScanUsageError, type ScanError, type ScanFinding, type ScanOptions, type ScanProgress, type ScanResult, type TypeBackendOption } from './types.js';
import { loadTypeScript, saveCodeCaches } from './typescript.js';
import { typescript7ProcessesStarted, Typescript7Unavailable, type Typescript7Session } from './typescript7.js';
import { analyzeProjectWithTypescript7, parseProject, type ParsedProject } from './typescript7-run.js';

function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}

/**
 * Scans files for the event-loop disease with the analysis core and the TypeScript type checker.
 * Never executes the scanned code: files are only read and parsed. Throws ScanUsageError for a
 * missing path or a missing/broken tsconfig and ConfigError for a bad configuration.
 *
 * Target resolution and the project layout come from the shared loader (load.ts); with a cache,
 * the layout and the results of unchanged files come from the previous run (reuse.ts); the rest
 * is analysed one program per project (`analyzeProjects`); then the cache is written and the
 * result assembled.
 */
export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  const startedAt = Date.now();
  const t0 = performance.now();
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const progress = options.onProgress ?? (() => {});
  const cacheFile = options.cache ? resolveCacheFile(cwd, options.cacheLocation) : undefined;
  // The V8 code cache of TypeScript lives beside the scan cache (typescript.ts): a run with work to do loads it faster.
  const codeCacheDir = cacheFile ? path.dirname(cacheFile) : undefined;

  let session: CacheSession | undefined;
  let selection: RuleSelection = {};
  let backend: TypeBackendOption = 'auto';
  let discovered: Targets | undefined;
  let early: Typescript7Session | undefined;
  const processesBefore = typescript7ProcessesStarted();
  try {
    return await scanWith();
  } finally {
    // Closed by the analysis once used; a failure before (a broken tsconfig) must not leave the process behind.
    early?.close();
  }

  async function scanWith(): Promise<ScanResult> {
    const loaded = await loadProject<CachedLayout>(
      { ...options, cwd },
      {
        // A layout computed afresh means a cold run: TypeScript 7 starts on the tsconfigs first (see startTypescript7Early).
        typescript: () => {
          if (backend !== 'typescript6' && discovered && discovered.discovery.files.length > 0 && discovered.tsconfigs.length > 0) early = startTypescript7Early(discovered.tsconfigs, cwd);
          return loadTypeScript(codeCacheDir).ts;
        },
        onDiscovered: (targets) => {
          progress({ phase: 'discover', files: targets.discovery.files.length + targets.discovery.pythonFiles.length });
          selection = ruleSelection(targets.config);
          backend = requestedBackend(options, targets.config);
          discovered = targets;
        },
        // Projects and file assignment from the cache when the structure is provably unchanged (no TypeScript needed).
        reuse: (targets) => {
          if (cacheFile) session = new CacheSession(cacheFile, startedAt, targets, hashParts([settingsKey(selection), `typeBackend=${backend}`]));
          // Nothing for TypeScript (a Python project): it is not even loaded.
          if (targets.discovery.files.length === 0 && targets.tsconfigs.length === 0) {
            const unchanged = session?.reuseLayout([]);
            if (unchanged) return unchanged;
            session?.adoptLayout({ files: {}, listings: [] });
            return { projects: [], files: [], assignment: new Map<string, number>(), broken: [], outDirFiles: 0, outsideTsconfig: 0 };
          }
          return session?.reuseLayout(targets.discovery.files);
        },
      },
    );
    let ts: TypeScriptApi | undefined;
    let layout: CachedLayout;
    if (loaded.reused) {
      layout = loaded.reused;
    } else {
      ts = loaded.ts;
      layout = loaded.layout;
      session?.adoptLayout(loaded.layout.inputs);
    }
    const { files, assignment, projects } = layout;

    const fingerprints = session?.fingerprints ?? new Fingerprints(startedAt);
    const work: ReusedWork = session ? session.reuseResults(files, assignment, projects.length) : { results: new Map(), dirty: [...files], graphs: projects.map(() => ({})) };
    const transient = new Set<string>();
    const explicit = new Set(loaded.explicitPaths ?? []);
    const notices: Notice[] = [];
    // Python files: the Python frontend (src/python), with its own section of the cache.
    const pythonFiles = loaded.discovery.pythonFiles;
    const python = await scanPython({ files: pythonFiles, roots: loaded.roots, selection, previous: session?.previousPython, fingerprints, progress });
    const analysis = await analyzeProjects({
      ts,
      codeCacheDir,
      progress,
      selection,
      fingerprints,
      session,
      projects,
      assignment,
      work,
      transient,
      explicit,
      recordGraphs: cacheFile !== undefined,
      cwd,
      backend,
      early,
      notices,
    });
    session?.write(layout, work, transient, python);
    for (const [file, result] of python.results) work.results.set(file, result);
    // Fingerprinting Python findings (baseline, progress) parses their files again, synchronously.
    if ([...python.results.values()].some((result) => result.findings.length > 0)) await loadPythonParser();

    const used = new Set(files.map((file) => assignment.get(file)));
    const result = assemble(
      loaded,
      layout.broken,
      notices,
      [...files, ...pythonFiles],
      work.results,
      projects.filter((_, i) => used.has(i)),
      {
        analyzed: work.dirty.length + python.analyzed,
        cached: files.length - work.dirty.length + pythonFiles.length - python.analyzed,
        programFiles: analysis.programFiles,
        typescript7Processes: typescript7ProcessesStarted() - processesBefore,
        durationMs: performance.now() - t0,
      },
    );
    const { discovery } = loaded;
    result.skipped = {
      buildOutput: discovery.skipped.filter((s) => s.reason === 'build-output').reduce((n, s) => n + s.files, 0) + layout.outDirFiles,
      vendored: discovery.skipped.filter((s) => s.reason === 'vendored').reduce((n, s) => n + s.files, 0),
      minified: result.errors.filter((error) => error.kind === 'minified').length,
    };
    // Zero is never green: no file analysed and nothing that failed says so, with the reason (the commands exit 2 on it).
    if (result.files.length === 0 && result.errors.every((error) => error.skipped)) {
      result.nothingAnalysed = nothingAnalysedMessage({
        cwd,
        roots: loaded.roots,
        discovery,
        outDirFiles: layout.outDirFiles,
        outsideTsconfig: layout.outsideTsconfig,
        skippedOnRead: result.errors.filter((error) => error.skipped && assignment.has(error.path)).map((error) => ({ file: error.file, message: error.message })),
      });
    }
    return result;
  }
}

interface AnalysisContext {
  /** Loaded when the layout was computed; loaded here when the layout came from the cache and there is work to do. */
  ts: TypeScriptApi | undefined;
  codeCacheDir: string | undefined;
  progress: (event: ScanProgress) => void;
  selection: RuleSelection;
  fingerprints: Fingerprints;
  session: CacheSession | undefined;
  projects: ScanProject[];
  assignment: ReadonlyMap<string, number>;
  work: ReusedWork;
  /** Files whose result must not be cached (a read error, a failed analysis): filled in here. */
  transient: Set<string>;
  /** Files named on the command line: analysed even when they look minified. */
  explicit: ReadonlySet<string>;
  recordGraphs: boolean;
  cwd: string;
  backend: TypeBackendOption;
  /** A cold run's TypeScript 7 session, already building the programs of the tsconfigs found. */
  early: Typescript7Session | undefined;
  /** Notices about the run itself (a fallback to TypeScript 6): filled in here. */
  notices: Notice[];
}

/**
 * Analyses the dirty files, one program per project, over their import closure (all of a
 * project's files on a cold run): first the texts and roots of every project, then the type
 * backend is chosen for the run, then each project is analysed with it.
 */
async function analyzeProjects(context: AnalysisContext): Promise<{ programFiles: number }> {
  const { work, progress } = context;
  const counter = { done: 0, total: work.dirty.length };
  const byProject = new Map<number, string[]>();
  for (const file of work.dirty) {
    const project = context.assignment.get(file)!;
    const list = byProject.get(project);
    if (list) list.push(file);
    else byProject.set(project, [file]);
  }
  const state: ProjectsState = { parsedAgain: undefined, sharedLibs: new Map() };
  const projects: ProjectWork[] = [];
  for (const [index, projectFiles] of [...byProject].sort((a, b) => a[0] - b[0])) {
    const item = readProject(context, state, index, projectFiles, counter);
    if (item) projects.push(item);
  }
  let programFiles = 0;
  if (projects.length === 0) context.early?.close();
  else {
    const ts = context.ts!;
    const run: FileAnalysis = { ts, core: await loadAnalysisCore(), selection: context.selection, results: work.results, transient: context.transient };
    // TypeScript 7's trees are parsed while its programs are being built (the early session's).
    const parsed = context.backend === 'typescript6' ? undefined : new Map(projects.map((item) => [item.index, parseProject(ts, item.texts)]));
    const choice = chooseTypeBackend(ts, context.backend, projects, context.cwd, context.early);
    if (choice.notice) context.notices.push(choice.notice);
    let fellBack = choice.run === undefined;
    if (choice.run) {
      try {
        for (const item of projects) programFiles += analyzeWithTypescript7(context, run, item, parsed!.get(item.index)!, choice.run, counter);
      } catch (error) {
        if (!(error instanceof Typescript7Unavailable)) throw error;
        // The Go process failed mid-run: every project again, with TypeScript 6.
        if (context.backend === 'typescript7') throw new ScanUsageError(`type backend typescript7: ${error.message}`);
        context.notices.push(fallbackNotice(error, context.cwd));
        for (const item of projects) for (const file of item.texts.keys()) work.results.delete(file);
        counter.done -= projects.reduce((n, item) => n + item.texts.size, 0);
        programFiles = 0;
        fellBack = true;
      } finally {
        for (const session of choice.run.sessions) session.close();
      }
    }
    if (fellBack) for (const item of projects) programFiles += analyzeWithTypescript6(context, state, run, item, counter);
  }
  progress({ phase: 'done' });
  if (context.codeCacheDir && context.ts) saveCodeCaches();
  return { programFiles };
}

interface ProjectsState {
  /** The tsconfigs parsed again (options only) on a warm run with work to do. */
  parsedAgain: ProjectInfo[] | undefined;
  /** Library SourceFiles parsed (and bound) once for all the programs of this scan: see createProgram. */
  sharedLibs: Map<string, TS.SourceFile>;
}

/** One project's dirty files read, its options known and its program's roots chosen; undefined when none could be read. */
function readProject(context: AnalysisContext, state: ProjectsState, index: number, projectFiles: readonly string[], counter: { done: number; total: number }): ProjectWork | undefined {
  const { work, progress, fingerprints, transient } = context;
  const results = work.results;
  const texts = new Map<string, string>();
  for (const file of projectFiles) {
    // A file named on the command line is analysed even if it looks minified: the user asked for it.
    const read = readSource(file, { minified: !context.explicit.has(file) });
    if (read.ok) {
      texts.set(file, read.text);
      continue;
    }
    if (read.error.skipped) {
      results.set(file, { hash: fingerprints.current(file), typed: false, project: -1, findings: [], errors: [{ kind: read.error.kind, message: read.error.message, skipped: true }] });
    } else {
      transient.add(file);
      results.set(file, { hash: '', typed: false, project: -1, findings: [], errors: [{ kind: read.error.kind, message: read.error.message, skipped: false }] });
    }
    progress({ phase: 'analyze', done: ++counter.done, total: counter.total, file });
  }
  if (texts.size === 0) return undefined;

  // TypeScript loads only when there is something to analyse.
  context.ts ??= loadTypeScript(context.codeCacheDir).ts;
  const ts = context.ts;
  const warm = context.session?.warm ?? false;
  let project = context.projects[index]!;
  if (!project.options) {
    // Warm run with work to do: the structure is unchanged, so re-parsing yields the same options.
    // The file lists are not needed (the program's roots are the dirty files and the recorded
    // global ones), so the include globs are not expanded again.
    state.parsedAgain ??= parseProjects(
      ts,
      context.session!.previousProjects.filter((p): p is string => p !== null),
      { listFiles: false },
    ).projects;
    const parsed = project.configFile ? state.parsedAgain.find((p) => p.configFile === project.configFile) : undefined;
    project = { configFile: project.configFile, options: parsed?.options ?? inferredOptions(ts), fileNames: parsed?.fileNames ?? [] };
  }
  const graph: Record<string, GraphNode> = work.graphs[index]!;
  const skippedHere = new Set(projectFiles.filter((file) => !texts.has(file)));
  const roots = warm
    ? unique([
        ...texts.keys(),
        ...Object.entries(graph)
          .filter(([file, node]) => node.global && node.hash !== '' && !skippedHere.has(file))
          .map(([file]) => file),
      ])
    : unique([...project.fileNames.filter((file) => !skippedHere.has(file)), ...texts.keys()]);
  const ownRoots = !warm && project.configFile !== undefined && skippedHere.size === 0 && [...texts.keys()].every((file) => project.fileNames.includes(file));
  return { index, project, texts, roots, ownRoots };
}

/** One project analysed in-process: a TypeScript 6 program over its roots, its checker's answers. Returns the program's file count. */
function analyzeWithTypescript6(context: AnalysisContext, state: ProjectsState, run: FileAnalysis, item: ProjectWork, counter: { done: number; total: number }): number {
  const { work, progress, fingerprints, transient } = context;
  const { index, project, texts, roots } = item;
  const ts = run.ts;
  progress({ phase: 'program', project: project.configFile ?? '(inferred)', files: roots.length });
  const program = createProgram(loadTypeScript(context.codeCacheDir), project.options!, roots, texts, state.sharedLibs);
  const tracked = new TrackedChecker(program);
  const hashes = new Map<string, string>();
  for (const [file, text] of texts) {
    const sourceFile = program.getSourceFile(file);
    const hash = hashText(text);
    hashes.set(file, hash);
    if (!sourceFile) {
      transient.add(file);
      work.results.set(file, { hash, typed: false, project: index, findings: [], errors: [{ kind: 'analysis', message: 'the TypeScript program did not load this file', skipped: false }] });
    } else {
      const syntax = parseDiagnostics(program, sourceFile).filter((d) => d.category === ts.DiagnosticCategory.Error);
      tracked.consulted = false;
      analyzeParsedFile(run, { path: file, hash, project: index, sourceFile, syntax }, { ts, sourceFile, checker: tracked.checker }, () => tracked.consulted, 'typescript6');
    }
    progress({ phase: 'analyze', done: ++counter.done, total: counter.total, file });
  }
  if (context.recordGraphs) recordGraph(ts, program, fingerprints, work.graphs[index]!, tracked.created, hashes);
  return program.getSourceFiles().length;
}

/** One project analysed with TypeScript 7's answers (typescript7-run.ts). Returns the program's file count. */
function analyzeWithTypescript7(
  context: AnalysisContext,
  run: FileAnalysis,
  item: ProjectWork,
  parsed: ParsedProject,
  typescript7: NonNullable<ReturnType<typeof chooseTypeBackend>['run']>,
  counter: { done: number; total: number },
): number {
  const { index, project, roots } = item;
  context.progress({ phase: 'program', project: project.configFile ?? '(inferred)', files: roots.length });
  const graph = context.recordGraphs ? { options: project.options!, fingerprints: context.fingerprints, nodes: context.work.graphs[index]! } : undefined;
  return analyzeProjectWithTypescript7(
    run.ts,
    typescript7.typescript7,
    typescript7.projects.get(index)!,
    parsed,
    (file, questions) => {
      analyzeParsedFile(run, { ...file, project: index }, { ts: run.ts, sourceFile: file.sourceFile, types: questions }, () => questions.consulted, 'typescript7');
      context.progress({ phase: 'analyze', done: ++counter.done, total: counter.total, file: file.path });
    },
    graph,
  );
}

/** The scan's result: findings with their configured severity, errors and notices, everything sorted. */
function assemble(
  targets: Targets,
  broken: readonly BrokenProject[],
  runNotices: readonly Notice[],
  files: readonly string[],
  results: ReadonlyMap<string, CachedResult>,
  projects: readonly ScanProject[],
  stats: ScanResult['stats'],
): ScanResult {
  const { cwd, config } = targets;
  const notices = [
    ...targets.discovery.notices,
    ...broken.map((project) => ({ path: project.configFile, kind: 'tsconfig' as const, message: `${project.message}\n(its files were analysed without it, in the inferred program)`, skipped: false })),
    ...runNotices,
  ];
  const relative = (file: string): string => toPosix(path.relative(cwd, file)) || path.basename(file);
  const findings: ScanFinding[] = [];
  const errors: ScanError[] = notices.map((notice) => ({ ...notice, file: relative(notice.path) }));
  const reported: string[] = [];
  for (const file of files) {
    const result = results.get(file);
    if (!result) continue;
    for (const error of result.errors) errors.push({ file: relative(file), path: file, ...error });
    if (result.errors.length > 0) continue;
    reported.push(relative(file));
    for (const finding of result.findings) {
      const ruleId = finding.ruleId as RuleId;
      const severity = config.rules[ruleId]?.severity;
      if (!severity || severity === 'off') continue;
      findings.push({
        ruleId,
        family: FAMILY_OF_RULE[ruleId],
        severity,
        file: relative(file),
        path: file,
        line: finding.line,
        column: finding.column,
        endLine: finding.endLine,
        endColumn: finding.endColumn,
        start: finding.start,
        end: finding.end,
        messageId: finding.messageId,
        ...(finding.data ? { data: finding.data } : {}),
        message: finding.message,
        fixable: finding.fix !== undefined && finding.fix.length > 0,
        ...(finding.fix ? { fix: finding.fix } : {}),
        ...(finding.suggestions ? { suggestions: finding.suggestions } : {}),
      });
    }
  }
  const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  findings.sort((a, b) => byName(a.file, b.file) || a.line - b.line || a.column - b.column || byName(a.ruleId, b.ruleId) || a.start - b.start);
  errors.sort((a, b) => byName(a.file, b.file) || byName(a.message, b.message));
  return {
    root: cwd,
    files: reported.sort(byName),
    findings,
    errors,
    projects: projects.map((p) => p.configFile).filter((f): f is string => f !== undefined),
    config,
    stats,
    typeBackend: reportedBackend(files, results),
  };
}
