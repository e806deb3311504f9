import { lstatSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, resolveConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/types.js';
import type { RuleSelection } from '../core/analyze.js';
import { FAMILY_OF_RULE, RULE_IDS, type RuleId, type TS, type TypeScriptApi } from '../core/types.js';
import {
  CACHE_FORMAT,
  Fingerprints,
  listingFingerprint,
  readCache,
  resolveCacheFile,
  toolIdentity,
  writeCache,
  type CacheData,
  type CachedFinding,
  type CachedResult,
  type GraphNode,
} from './cache.js';
import { discover, findGitRoot, globMatcher, toPosix } from './discover.js';
import { hashParts, hashText } from './hash.js';
import { createProgram, parseDiagnostics, recordGraph, TrackedChecker } from './program.js';
import { assignProjects, findNearestTsconfig, inferredOptions, isDirectory, isUnder, parseProjects, type ConfigInputs, type ProjectInfo } from './project.js';
import { loadPythonParser } from '../python/parser.js';
import { scanPython } from '../python/scan.js';
import { readSource } from './source.js';
import { ScanUsageError, type ScanError, type ScanFinding, type ScanOptions, type ScanResult } from './types.js';
import { loadTypeScript, saveCodeCaches } from './typescript.js';

const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb'];

async function configFor(options: ScanOptions, cwd: string): Promise<ResolvedConfig> {
  if (options.config === false) return resolveConfig(undefined, undefined, cwd);
  if (typeof options.config === 'string') return loadConfig(cwd, options.config);
  if (options.config) {
    const { validateConfig } = await import('../config/validate.js');
    return resolveConfig(validateConfig(options.config, 'the configuration object'), undefined, cwd);
  }
  return loadConfig(cwd);
}

function unique<T>(items: Iterable<T>): T[] {
  return [...new Set(items)];
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
function structureKey(base: readonly string[], inputs: ConfigInputs, cacheFile: string | undefined): string {
  const parts = [...base, '|config-files'];
  for (const file of Object.keys(inputs.files).sort()) parts.push(file, fileHash(file));
  parts.push('|listings');
  for (const listing of inputs.listings) parts.push(listing.dir, listing.extensions.join(','), listingFingerprint(listing.dir, listing.extensions, cacheFile));
  return hashParts(parts);
}

function ruleSelection(config: ResolvedConfig): RuleSelection {
  const selection: RuleSelection = {};
  for (const id of RULE_IDS) {
    const rule = config.rules[id];
    selection[id] = rule.severity === 'off' ? false : rule.options;
  }
  return selection;
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

function locate(sourceFile: TS.SourceFile, start: number, end: number) {
  const from = sourceFile.getLineAndCharacterOfPosition(start);
  const to = sourceFile.getLineAndCharacterOfPosition(end);
  return { line: from.line + 1, column: from.character + 1, endLine: to.line + 1, endColumn: to.character + 1 };
}

interface Project {
  configFile: string | undefined;
  options: TS.CompilerOptions | undefined;
  fileNames: readonly string[];
}

/**
 * Scans files for the event-loop disease with the analysis core and the TypeScript type checker.
 * Never executes the scanned code: files are only read and parsed. Throws ScanUsageError for a
 * missing path or a missing/broken tsconfig and ConfigError for a bad configuration.
 */
export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  const startedAt = Date.now();
  const t0 = performance.now();
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const config = await configFor(options, cwd);
  const progress = options.onProgress ?? (() => {});

  const includeConfig = globMatcher(config.include, config.baseDir);
  const includeCli = globMatcher(options.include ?? [], cwd);
  const hasInclude = config.include.length > 0 || (options.include?.length ?? 0) > 0;
  const excludeConfig = globMatcher(config.exclude, config.baseDir);
  const excludeCli = globMatcher(options.exclude ?? [], cwd);
  const isIncluded = (file: string): boolean => !hasInclude || includeConfig(file) || includeCli(file);
  const isExcluded = (file: string): boolean => excludeConfig(file) || excludeCli(file);

  const tsconfigOption = options.tsconfig ? path.resolve(cwd, options.tsconfig) : undefined;
  if (tsconfigOption) {
    try {
      statSync(tsconfigOption);
    } catch {
      throw new ScanUsageError(`tsconfig not found: ${tsconfigOption}`);
    }
  }
  const explicitPaths = options.paths && options.paths.length > 0 ? unique(options.paths.map((p) => path.resolve(cwd, p))) : undefined;
  for (const p of explicitPaths ?? []) {
    try {
      lstatSync(p);
    } catch {
      throw new ScanUsageError(`no such file or directory: ${p}`);
    }
  }
  const roots = explicitPaths ?? [tsconfigOption ? path.dirname(tsconfigOption) : cwd];
  const discovery = discover({ roots, isIncluded, isExcluded });
  progress({ phase: 'discover', files: discovery.files.length + discovery.pythonFiles.length });

  const configCandidates = tsconfigOption
    ? [tsconfigOption]
    : unique([
        ...roots.map((root) => findNearestTsconfig(isDirectory(root) ? root : path.dirname(root))).filter((f): f is string => f !== undefined),
        ...discovery.tsconfigs,
      ]);
  const selection = ruleSelection(config);
  const settings = hashParts(RULE_IDS.map((id) => `${id}=${JSON.stringify(selection[id])}`));
  const packageFiles = packageInputs(roots, discovery.packageJsons);
  const structureBase = [
    `tsconfig=${tsconfigOption ?? ''}`,
    `explicit=${explicitPaths ? 1 : 0}`,
    ...configCandidates,
    '|files',
    ...discovery.files,
    '|packages',
    ...packageFiles.flatMap((file) => [file, fileHash(file)]),
  ];

  const cacheFile = options.cache ? resolveCacheFile(cwd, options.cacheLocation) : undefined;
  // The V8 code cache of TypeScript lives beside the scan cache (typescript.ts): a run with work to do loads it faster.
  const codeCacheDir = cacheFile ? path.dirname(cacheFile) : undefined;
  let previous = cacheFile ? readCache(cacheFile) : undefined;
  const knownTool = previous && { key: previous.tool, ...(previous.toolFiles ? { files: previous.toolFiles } : {}) };
  const tool = cacheFile ? toolIdentity(startedAt, knownTool) : undefined;
  if (previous && (previous.tool !== tool!.key || previous.settings !== settings)) previous = undefined;
  const previousPython = previous?.python;

  // Projects and file assignment: from the cache when the structure is provably unchanged (no TypeScript needed), else parsed.
  let ts: TypeScriptApi | undefined;
  let projects: Project[];
  let assignment: Map<string, number>;
  let configInputs: ConfigInputs;
  let structure: string | undefined;
  let files: string[];
  if (previous && structureKey(structureBase, previous.configInputs, cacheFile) === previous.structure) {
    structure = previous.structure;
    configInputs = previous.configInputs;
    projects = previous.projects.map((configFile) => ({ configFile: configFile ?? undefined, options: undefined, fileNames: [] }));
    assignment = new Map(Object.entries(previous.assignment));
    files = discovery.files.filter((file) => assignment.has(file));
  } else if (discovery.files.length === 0 && configCandidates.length === 0) {
    // Nothing for TypeScript (a Python project): it is not even loaded.
    previous = undefined;
    configInputs = { files: {}, listings: [] };
    projects = [];
    assignment = new Map();
    files = [];
    if (cacheFile) structure = structureKey(structureBase, configInputs, cacheFile);
  } else {
    previous = undefined;
    ts = loadTypeScript(codeCacheDir).ts;
    const setup = parseProjects(ts, configCandidates);
    configInputs = setup.inputs;
    const outputDirs = setup.projects.flatMap((p) => p.outputDirs);
    files = discovery.files.filter((file) => !outputDirs.some((dir) => isUnder(file, dir)) || explicitPaths?.includes(file));
    assignment = assignProjects(files, setup.projects);
    projects = setup.projects.map((p) => ({ configFile: p.configFile, options: p.options, fileNames: p.fileNames }));
    if (tsconfigOption && !explicitPaths) files = files.filter((file) => assignment.has(file));
    const orphans = files.filter((file) => !assignment.has(file));
    if (orphans.length > 0) {
      const inferred = projects.push({ configFile: undefined, options: inferredOptions(ts), fileNames: orphans }) - 1;
      for (const file of orphans) assignment.set(file, inferred);
    }
    if (cacheFile) structure = structureKey(structureBase, configInputs, cacheFile);
  }

  // Which results can be reused.
  const fingerprints = new Fingerprints(startedAt);
  const results = new Map<string, CachedResult>();
  const graphs: Record<string, GraphNode>[] = projects.map((_, i) => ({ ...(previous?.graphs[i] ?? {}) }));
  const dirty: string[] = [];
  // A warm run that changed nothing leaves the cache file alone.
  let cacheChanged = previous === undefined;
  // A tool identity computed afresh (its files' stat memos moved, or were too recent to record) is worth recording.
  if (previous && tool!.files !== undefined && tool !== knownTool) cacheChanged = true;
  if (previous) {
    const invalid = projects.map((_, i) => {
      const graph = graphs[i]!;
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
          cacheChanged = true;
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
        if (!sameMemo(stat, cached.stat)) cacheChanged = true;
        results.set(file, { ...cached, ...(stat ? { stat } : {}) });
      }
    }
  } else {
    dirty.push(...files);
  }

  // Analyse the dirty files, one program per project, over their import closure (all of a project's files on a cold run).
  let programFiles = 0;
  const transient = new Set<string>();
  const total = dirty.length;
  let done = 0;
  const byProject = new Map<number, string[]>();
  for (const file of dirty) {
    const project = assignment.get(file)!;
    const list = byProject.get(project);
    if (list) list.push(file);
    else byProject.set(project, [file]);
  }
  let parsedAgain: ProjectInfo[] | undefined;
  // Library SourceFiles parsed (and bound) once for all the programs of this scan: see createProgram.
  const sharedLibs = new Map<string, TS.SourceFile>();
  for (const [index, projectFiles] of [...byProject].sort((a, b) => a[0] - b[0])) {
    const texts = new Map<string, string>();
    for (const file of projectFiles) {
      const read = readSource(file);
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
      progress({ phase: 'analyze', done: ++done, total, file });
    }
    if (texts.size === 0) continue;

    // The analysis core loads with TypeScript, only when there is something to analyse.
    const loaded = loadTypeScript(codeCacheDir);
    const [{ analyzeFile }, { formatMessage }, { helperLookupUsedChecker }] = await Promise.all([
      import('../core/analyze.js'),
      import('../core/messages.js'),
      import('../core/bridge-helpers.js'),
    ]);
    ts ??= loaded.ts;
    let project = projects[index]!;
    if (!project.options) {
      // Warm run with work to do: the structure is unchanged, so re-parsing yields the same options.
      // The file lists are not needed (the program's roots are the dirty files and the recorded
      // global ones), so the include globs are not expanded again.
      parsedAgain ??= parseProjects(ts, previous!.projects.filter((p): p is string => p !== null), { listFiles: false }).projects;
      const parsed = project.configFile ? parsedAgain.find((p) => p.configFile === project.configFile) : undefined;
      project = { configFile: project.configFile, options: parsed?.options ?? inferredOptions(ts), fileNames: parsed?.fileNames ?? [] };
    }
    const skippedHere = new Set(projectFiles.filter((file) => !texts.has(file)));
    const roots = previous
      ? unique([...texts.keys(), ...Object.entries(graphs[index]!).filter(([file, node]) => node.global && node.hash !== '' && !skippedHere.has(file)).map(([file]) => file)])
      : unique([...project.fileNames.filter((file) => !skippedHere.has(file)), ...texts.keys()]);
    progress({ phase: 'program', project: project.configFile ?? '(inferred)', files: roots.length });
    const program = createProgram(loaded, project.options!, roots, texts, sharedLibs);
    const tracked = new TrackedChecker(program);
    const api = ts;
    const hashes = new Map<string, string>();
    for (const [file, text] of texts) {
      const sourceFile = program.getSourceFile(file);
      const hash = hashText(text);
      hashes.set(file, hash);
      if (!sourceFile) {
        transient.add(file);
        results.set(file, { hash, typed: false, project: index, findings: [], errors: [{ kind: 'analysis', message: 'the TypeScript program did not load this file', skipped: false }] });
      } else {
        const syntax = parseDiagnostics(program, sourceFile).filter((d) => d.category === api.DiagnosticCategory.Error);
        if (syntax.length > 0) {
          const first = syntax[0]!;
          const at = first.start !== undefined ? sourceFile.getLineAndCharacterOfPosition(first.start) : undefined;
          const where = at ? `${at.line + 1}:${at.character + 1}: ` : '';
          const more = syntax.length > 1 ? ` (and ${syntax.length - 1} more)` : '';
          const message = `syntax error: ${where}${api.flattenDiagnosticMessageText(first.messageText, ' ')}${more}`;
          results.set(file, { hash, typed: false, project: index, findings: [], errors: [{ kind: 'syntax', message, skipped: false }] });
        } else {
          tracked.consulted = false;
          try {
            const findings = analyzeFile({ ts: api, sourceFile, checker: tracked.checker }, selection);
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
      progress({ phase: 'analyze', done: ++done, total, file });
    }
    programFiles += program.getSourceFiles().length;
    if (cacheFile) recordGraph(ts, program, fingerprints, graphs[index]!, tracked.created, hashes);
  }
  // Python files: the Python frontend, with its own section of the cache.
  const python = await scanPython({ files: discovery.pythonFiles, roots, selection, previous: previousPython, fingerprints, progress });
  for (const [file, result] of python.results) results.set(file, result);
  if (python.changed) cacheChanged = true;
  progress({ phase: 'done' });
  if (codeCacheDir && ts) saveCodeCaches();

  if (dirty.length > 0) cacheChanged = true;
  if (cacheFile && structure !== undefined && cacheChanged) {
    const stored: Record<string, CachedResult> = {};
    for (const file of files) {
      const result = results.get(file);
      if (!result || transient.has(file)) continue;
      const stat = fingerprints.statOf(file);
      stored[file] = { ...result, project: assignment.get(file)!, ...(stat ? { stat } : {}) };
      if (!stat) delete stored[file].stat;
    }
    const data: CacheData = {
      format: CACHE_FORMAT,
      tool: tool!.key,
      ...(tool!.files ? { toolFiles: tool!.files } : {}),
      settings,
      structure,
      configInputs,
      projects: projects.map((p) => p.configFile ?? null),
      assignment: Object.fromEntries(files.map((file) => [file, assignment.get(file)!])),
      graphs,
      results: stored,
      ...(discovery.pythonFiles.length > 0 ? { python: python.cache } : {}),
    };
    writeCache(cacheFile, data);
  }
  // Fingerprinting Python findings (baseline, progress) parses their files again, synchronously.
  if ([...python.results.values()].some((result) => result.findings.length > 0)) await loadPythonParser();

  const used = new Set(files.map((file) => assignment.get(file)));
  return assemble(cwd, config, [...files, ...discovery.pythonFiles], results, discovery.notices, projects.filter((_, i) => used.has(i)), {
    analyzed: dirty.length + python.analyzed,
    cached: files.length - dirty.length + discovery.pythonFiles.length - python.analyzed,
    programFiles,
    durationMs: performance.now() - t0,
  });
}

function assemble(
  cwd: string,
  config: ResolvedConfig,
  files: readonly string[],
  results: ReadonlyMap<string, CachedResult>,
  notices: readonly Omit<ScanError, 'file'>[],
  projects: readonly Project[],
  stats: ScanResult['stats'],
): ScanResult {
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

