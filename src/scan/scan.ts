import path from 'node:path';
import { ruleSelection } from '../config/load.js';
import type { RuleSelection } from '../core/analyze.js';
import { FAMILY_OF_RULE } from '../core/meta/index.js';
import { type RuleId, type TS, type TypeScriptApi } from '../core/types.js';
import { Fingerprints, resolveCacheFile, type CachedFinding, type CachedResult, type GraphNode } from './cache.js';
import { toPosix } from './discover.js';
import { hashText } from './hash.js';
import { loadProject, type Targets } from './load.js';
import { createProgram, parseDiagnostics, recordGraph, TrackedChecker } from './program.js';
import { nothingAnalysedMessage } from './nothing.js';
import { inferredOptions, parseProjects, type BrokenProject, type ProjectInfo } from './project.js';
import { CacheSession, settingsKey, type CachedLayout, type ReusedWork, type ScanProject } from './reuse.js';
import { loadPythonParser } from '../python/parser.js';
import { scanPython } from '../python/scan.js';
import { readSource } from './source.js';
import type { ScanError, ScanFinding, ScanOptions, ScanProgress, ScanResult } from './types.js';
import { loadTypeScript, saveCodeCaches } from './typescript.js';

function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
}

function locate(sourceFile: TS.SourceFile, start: number, end: number) {
  const from = sourceFile.getLineAndCharacterOfPosition(start);
  const to = sourceFile.getLineAndCharacterOfPosition(end);
  return { line: from.line + 1, column: from.character + 1, endLine: to.line + 1, endColumn: to.character + 1 };
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
  const loaded = await loadProject<CachedLayout>(
    { ...options, cwd },
    {
      typescript: () => loadTypeScript(codeCacheDir).ts,
      onDiscovered: (targets) => {
        progress({ phase: 'discover', files: targets.discovery.files.length + targets.discovery.pythonFiles.length });
        selection = ruleSelection(targets.config);
      },
      // Projects and file assignment from the cache when the structure is provably unchanged (no TypeScript needed).
      reuse: (targets) => {
        if (cacheFile) session = new CacheSession(cacheFile, startedAt, targets, settingsKey(selection));
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
  const work: ReusedWork = session
    ? session.reuseResults(files, assignment, projects.length)
    : { results: new Map(), dirty: [...files], graphs: projects.map(() => ({})) };
  const transient = new Set<string>();
  const explicit = new Set(loaded.explicitPaths ?? []);
  // Python files: the Python frontend (src/python), with its own section of the cache.
  const pythonFiles = loaded.discovery.pythonFiles;
  const python = await scanPython({ files: pythonFiles, roots: loaded.roots, selection, previous: session?.previousPython, fingerprints, progress });
  const analysis = await analyzeProjects({ ts, codeCacheDir, progress, selection, fingerprints, session, projects, assignment, work, transient, explicit, recordGraphs: cacheFile !== undefined });
  session?.write(layout, work, transient, python);
  for (const [file, result] of python.results) work.results.set(file, result);
  // Fingerprinting Python findings (baseline, progress) parses their files again, synchronously.
  if ([...python.results.values()].some((result) => result.findings.length > 0)) await loadPythonParser();

  const used = new Set(files.map((file) => assignment.get(file)));
  const result = assemble(loaded, layout.broken, [...files, ...pythonFiles], work.results, projects.filter((_, i) => used.has(i)), {
    analyzed: work.dirty.length + python.analyzed,
    cached: files.length - work.dirty.length + pythonFiles.length - python.analyzed,
    programFiles: analysis.programFiles,
    durationMs: performance.now() - t0,
  });
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
}

/** Analyses the dirty files, one program per project, over their import closure (all of a project's files on a cold run). */
async function analyzeProjects(context: AnalysisContext): Promise<{ programFiles: number }> {
  const { work, progress } = context;
  let programFiles = 0;
  const counter = { done: 0, total: work.dirty.length };
  const byProject = new Map<number, string[]>();
  for (const file of work.dirty) {
    const project = context.assignment.get(file)!;
    const list = byProject.get(project);
    if (list) list.push(file);
    else byProject.set(project, [file]);
  }
  const state: ProjectsState = { parsedAgain: undefined, sharedLibs: new Map() };
  for (const [index, projectFiles] of [...byProject].sort((a, b) => a[0] - b[0])) {
    programFiles += await analyzeProject(context, state, index, projectFiles, counter);
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

/** One project's dirty files: read, put in a program, checked for syntax errors, analysed. Returns the program's file count. */
async function analyzeProject(context: AnalysisContext, state: ProjectsState, index: number, projectFiles: readonly string[], counter: { done: number; total: number }): Promise<number> {
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
  if (texts.size === 0) return 0;

  // The analysis core loads with TypeScript, only when there is something to analyse.
  const loaded = loadTypeScript(context.codeCacheDir);
  const [{ analyzeFile }, { formatMessage }, { helperLookupUsedChecker }] = await Promise.all([
    import('../core/analyze.js'),
    import('../core/messages.js'),
    import('../core/bridge-helpers.js'),
  ]);
  context.ts ??= loaded.ts;
  const ts = context.ts;
  const warm = context.session?.warm ?? false;
  let project = context.projects[index]!;
  if (!project.options) {
    // Warm run with work to do: the structure is unchanged, so re-parsing yields the same options.
    // The file lists are not needed (the program's roots are the dirty files and the recorded
    // global ones), so the include globs are not expanded again.
    state.parsedAgain ??= parseProjects(ts, context.session!.previousProjects.filter((p): p is string => p !== null), { listFiles: false }).projects;
    const parsed = project.configFile ? state.parsedAgain.find((p) => p.configFile === project.configFile) : undefined;
    project = { configFile: project.configFile, options: parsed?.options ?? inferredOptions(ts), fileNames: parsed?.fileNames ?? [] };
  }
  const graph: Record<string, GraphNode> = work.graphs[index]!;
  const skippedHere = new Set(projectFiles.filter((file) => !texts.has(file)));
  const roots = warm
    ? unique([...texts.keys(), ...Object.entries(graph).filter(([file, node]) => node.global && node.hash !== '' && !skippedHere.has(file)).map(([file]) => file)])
    : unique([...project.fileNames.filter((file) => !skippedHere.has(file)), ...texts.keys()]);
  progress({ phase: 'program', project: project.configFile ?? '(inferred)', files: roots.length });
  const program = createProgram(loaded, project.options!, roots, texts, state.sharedLibs);
  const tracked = new TrackedChecker(program);
  const hashes = new Map<string, string>();
  for (const [file, text] of texts) {
    const sourceFile = program.getSourceFile(file);
    const hash = hashText(text);
    hashes.set(file, hash);
    if (!sourceFile) {
      transient.add(file);
      results.set(file, { hash, typed: false, project: index, findings: [], errors: [{ kind: 'analysis', message: 'the TypeScript program did not load this file', skipped: false }] });
    } else {
      const syntax = parseDiagnostics(program, sourceFile).filter((d) => d.category === ts.DiagnosticCategory.Error);
      if (syntax.length > 0) {
        const first = syntax[0]!;
        const at = first.start !== undefined ? sourceFile.getLineAndCharacterOfPosition(first.start) : undefined;
        const where = at ? `${at.line + 1}:${at.character + 1}: ` : '';
        const more = syntax.length > 1 ? ` (and ${syntax.length - 1} more)` : '';
        const message = `syntax error: ${where}${ts.flattenDiagnosticMessageText(first.messageText, ' ')}${more}`;
        results.set(file, { hash, typed: false, project: index, findings: [], errors: [{ kind: 'syntax', message, skipped: false }] });
      } else {
        tracked.consulted = false;
        try {
          const findings = analyzeFile({ ts, sourceFile, checker: tracked.checker }, context.selection);
          const located: CachedFinding[] = findings.map((finding) => ({
            ruleId: finding.ruleId,
            messageId: finding.messageId,
            ...(finding.data ? { data: finding.data } : {}),
            message: formatMessage(finding),
            start: finding.start,
            end: finding.end,
            ...locate(sourceFile, finding.start, finding.end),
            ...(finding.fix ? { fix: finding.fix } : {}),
            ...(finding.suggestions ? { suggestions: finding.suggestions } : {}),
          }));
          // Typed also when this file's bridge helpers were worked out with the checker while another file was analysed.
          const typed = tracked.consulted || helperLookupUsedChecker(sourceFile);
          results.set(file, { hash, typed, project: index, findings: located, errors: [] });
        } catch (error) {
          transient.add(file);
          const message = `analysis failed: ${(error as Error).message ?? String(error)}`;
          results.set(file, { hash, typed: true, project: index, findings: [], errors: [{ kind: 'analysis', message, skipped: false }] });
        }
      }
    }
    progress({ phase: 'analyze', done: ++counter.done, total: counter.total, file });
  }
  if (context.recordGraphs) recordGraph(ts, program, fingerprints, graph, tracked.created, hashes);
  return program.getSourceFiles().length;
}

/** The scan's result: findings with their configured severity, errors and notices, everything sorted. */
function assemble(targets: Targets, broken: readonly BrokenProject[], files: readonly string[], results: ReadonlyMap<string, CachedResult>, projects: readonly ScanProject[], stats: ScanResult['stats']): ScanResult {
  const { cwd, config } = targets;
  const notices = [
    ...targets.discovery.notices,
    ...broken.map((project) => ({ path: project.configFile, kind: 'tsconfig' as const, message: `${project.message}\n(its files were analysed without it, in the inferred program)`, skipped: false })),
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
  };
}

