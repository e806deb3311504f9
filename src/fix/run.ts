import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Severity } from '../config/types.js';
import { ruleSelection } from '../config/load.js';
import { analyzeFile, type RuleSelection } from '../core/analyze.js';
import { formatMessage } from '../core/messages.js';
import { scriptKindOf } from '../core/module-facts.js';
import { FAMILY_OF_RULE } from '../core/meta/index.js';
import { RULE_IDS, type Family, type Finding, type RuleId, type TypeScriptApi } from '../core/types.js';
import { RUNTIME_PACKAGE } from '../core/runtime-package.js';
import { toPosix } from '../scan/discover.js';
import { parseDiagnostics } from '../scan/program.js';
import { readSource } from '../scan/source.js';
import { ScanUsageError } from '../scan/types.js';
import { nothingAnalysedMessage } from '../scan/nothing.js';
import { loadProject, type LoadOptions } from '../scan/load.js';
import { loadTsMorph, ProjectPrograms } from '../scan/program.js';
import { fixText, type FixDriver } from './apply.js';
import { formatRewritten, resetFormatters, type FormatterName } from './format.js';
import { runtimeDependencyChanges, runtimePolicy, type ManifestChange } from './dependency.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { lineAndColumn } from '../util/line-column.js';
import { resolveWritableTarget, unifiedDiff, UnsafeWriteError } from './write.js';

export interface FixOptions extends LoadOptions {
  /** Rule ids or families whose fixes to apply (`no-sync-bridge`, `loop-audit/no-sync-bridge`, `sync-bridge`); all when empty. */
  rules?: string[];
  /** Write the fixed files (atomically); otherwise only report what would change. */
  write?: boolean;
  /**
   * Let fixes that import the runtime apply in a published library (package.json with `main` or
   * `exports`, not `private`) that does not depend on it yet; otherwise they are suggestions there.
   */
  allowRuntimeDependency?: boolean;
  /**
   * Run the project's formatter (prettier, biome or dprint, when configured and installed) on the
   * fixed files that it kept formatted before (default true; `--no-format` turns it off).
   */
  format?: boolean;
}

/** A finding located in a file's text, as reported by `fix`. */
export interface FixFinding {
  ruleId: RuleId;
  severity: Exclude<Severity, 'off'>;
  line: number;
  column: number;
  message: string;
}

export interface FixedFile {
  /** Relative to the root, forward slashes. */
  file: string;
  path: string;
  before: string;
  after: string;
  /** The findings whose fixes were applied, in the pass they were applied in. */
  fixed: { ruleId: RuleId; message: string }[];
  /** Fixes left out because the file would not parse with them. */
  dropped: (FixFinding & { reason: string })[];
  /** Findings the fixed text still has (all of them in the selected rules, fixable or not). */
  remaining: FixFinding[];
  /** Why the file could not be fixed or written: unreadable, a syntax error, a refused write. */
  error?: string;
  /** The write was refused (or would be, in a dry run): a symbolic link, outside the root, changed meanwhile. */
  refused?: boolean;
  written: boolean;
  /** Findings left with a suggestion that stands for a fix withheld from a library (see `library`). */
  runtimeSuggestions?: number;
  /** Remaining findings that carry suggestions (edits an editor applies on request). */
  suggested?: number;
  /** Set when the file is in a published library that does not depend on the runtime: fixes that need it were left as suggestions. */
  library?: string;
  /** The formatter that formatted the fixed text. */
  formatted?: FormatterName;
}

/** A package.json the fixes need to change: the runtime package added to its `dependencies`. */
export interface DependencyChange extends ManifestChange {
  /** Relative to the root, forward slashes. */
  relative: string;
  written: boolean;
  error?: string;
}

export interface FixResult {
  root: string;
  write: boolean;
  files: FixedFile[];
  /** Files discovery skipped (symlink loops, unreadable folders, binary or minified files). */
  notices: { file: string; message: string }[];
  /** package.json changes: the runtime package the fixed code now imports, added to `dependencies`. */
  dependencies: DependencyChange[];
  /** What the user must do by hand (a package.json that could not be edited exactly, a library left alone). */
  notes: string[];
}

const FAMILIES = new Set<string>(Object.values(FAMILY_OF_RULE));
/** Suggestions that stand for a fix withheld because the package may not depend on the runtime. */
const RUNTIME_SUGGESTIONS = new Set(['spawnWithRuntime', 'runnerWithRuntime']);

/** `no-sync-bridge`, `loop-audit/no-sync-bridge` or the family `sync-bridge` → the rule id; a ScanUsageError otherwise. */
export function parseRuleFilter(values: readonly string[]): Set<RuleId> | undefined {
  if (values.length === 0) return undefined;
  const ids = new Set<RuleId>();
  for (const raw of values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean)) {
    const name = raw.replace(/^loop-audit\//, '');
    const id = (RULE_IDS as readonly string[]).includes(name) ? (name as RuleId) : FAMILIES.has(name) ? RULE_IDS.find((r) => FAMILY_OF_RULE[r] === (name as Family)) : undefined;
    if (!id) throw new ScanUsageError(`unknown rule or family '${raw}' (expected one of ${RULE_IDS.join(', ')}, or a family: ${[...FAMILIES].join(', ')})`);
    ids.add(id);
  }
  return ids;
}

/**
 * Fixes the project's files the way `eslint --fix` does with the plugin (typed, all selected
 * rules): per file, analyse with the project's type checker, apply the non-overlapping fixes,
 * re-analyse the new text with the program updated to it (other files as they are on disk), up
 * to ten passes; a fix that would break the parse is dropped and reported. Every file is
 * computed before anything is written, so each sees the others unchanged, as ESLint does.
 * With `write`, changed files are written atomically, only inside the root, never through a
 * symbolic link, and only if they still hold what was read.
 */
export async function fixProject(options: FixOptions): Promise<FixResult> {
  const only = parseRuleFilter(options.rules ?? []);
  // ts-morph loads once discovery has found no problem with the paths: a usage error comes first.
  const loaded = await loadProject(options, { typescript: async () => (await loadTsMorph()).ts as unknown as TypeScriptApi });
  const morph = await loadTsMorph();
  const { ts, cwd: root, layout } = loaded;
  const selection = ruleSelection(loaded.config, only);
  const severityOf = (ruleId: RuleId): Exclude<Severity, 'off'> => loaded.config.rules[ruleId].severity as Exclude<Severity, 'off'>;
  const relative = (file: string): string => toPosix(path.relative(root, file)) || path.basename(file);
  const located = (text: string, finding: Finding): FixFinding => ({
    ruleId: finding.ruleId,
    severity: severityOf(finding.ruleId),
    ...lineAndColumn(text, finding.start),
    message: formatMessage(finding),
  });

  const files: FixedFile[] = [];
  const notices = loaded.discovery.notices.map((notice) => ({ file: relative(notice.path), message: notice.message }));
  const skippedOnRead: string[] = [];
  const byProject = new Map<number, string[]>();
  for (const file of layout.files) {
    const project = layout.assignment.get(file)!;
    const list = byProject.get(project);
    if (list) list.push(file);
    else byProject.set(project, [file]);
  }
  for (const [index, projectFiles] of [...byProject].sort((a, b) => a[0] - b[0])) {
    const texts = new Map<string, string>();
    const raws = new Map<string, string>();
    for (const file of projectFiles) {
      const read = readSource(file, { minified: !loaded.explicitPaths?.includes(file) });
      if (!read.ok) {
        if (read.error.skipped) {
          notices.push({ file: relative(file), message: read.error.message });
          skippedOnRead.push(file);
        } else files.push({ file: relative(file), path: file, before: '', after: '', fixed: [], dropped: [], remaining: [], error: read.error.message, written: false });
        continue;
      }
      texts.set(file, read.text);
      // The BOM is kept aside by fixText and put back: read the file as it is.
      raws.set(file, readFileSync(file, 'utf8'));
    }
    if (texts.size === 0) continue;
    const project = layout.projects[index]!;
    const roots = [...new Set([...project.fileNames, ...texts.keys()])];
    const programs = new ProjectPrograms(morph, project.options, roots, texts);
    for (const [file, text] of texts) {
      const policy = runtimePolicy(file, options.allowRuntimeDependency === true);
      const entry = fixOne(ts, programs, file, relative(file), raws.get(file)!, text, selection, located, policy.allowed);
      if (!policy.allowed) entry.library = relative(policy.manifest.file);
      files.push(entry);
      programs.restore(file);
    }
  }
  // Zero is never green: a fix run that analysed nothing says why (exit 2).
  if (files.length === 0) {
    throw new ScanUsageError(
      nothingAnalysedMessage({
        cwd: root,
        roots: loaded.roots,
        discovery: loaded.discovery,
        outDirFiles: layout.outDirFiles,
        outsideTsconfig: layout.outsideTsconfig,
        skippedOnRead: skippedOnRead.map((file) => notices.find((notice) => notice.file === relative(file))!),
      }),
    );
  }
  // A broken tsconfig found beside the sources: its files were fixed without it (inferred options), and the run says so.
  for (const broken of layout.broken) {
    files.push({
      file: relative(broken.configFile),
      path: broken.configFile,
      before: '',
      after: '',
      fixed: [],
      dropped: [],
      remaining: [],
      error: `${broken.message}\n(its files were fixed without it)`,
      written: false,
    });
  }
  files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));

  // The project's formatter on what the fixes rewrote (shown in the dry run's diff too).
  const formatNotes: string[] = [];
  if (options.format !== false) {
    resetFormatters();
    for (const entry of files) {
      if (entry.error || entry.after === entry.before) continue;
      const outcome = await formatRewritten(root, entry.path, entry.before, entry.after);
      entry.after = outcome.text;
      if (outcome.formatter) entry.formatted = outcome.formatter;
      if (outcome.skipped) formatNotes.push(`${entry.file}: ${outcome.skipped}`);
    }
  }

  // The package.json of each package whose code now imports the runtime.
  const fixedFiles = files.filter((entry) => !entry.error && entry.after !== entry.before);
  const planned = runtimeDependencyChanges(fixedFiles);
  const notes = [...planned.notes, ...formatNotes];
  const dependencies: DependencyChange[] = planned.changes.map((change) => ({ ...change, relative: relative(change.file), written: false }));
  const libraries = new Set(files.filter((entry) => entry.library !== undefined && entry.runtimeSuggestions).map((entry) => entry.library!));
  for (const library of [...libraries].sort()) {
    notes.push(
      `${library} is a published library that does not depend on ${RUNTIME_PACKAGE}: fixes that need it are left as suggestions (--allow-runtime-dependency applies them and adds the dependency)`,
    );
  }

  if (options.write) {
    for (const entry of files) {
      if (entry.error || entry.after === entry.before) continue;
      try {
        const target = resolveWritableTarget(root, entry.path);
        // Someone (an editor, another tool) changed it meanwhile: their edit wins, ours is redone next run.
        if (readFileSync(target, 'utf8') !== entry.before) throw new UnsafeWriteError(`refusing to write ${entry.path}: it changed on disk while it was being fixed`);
        writeFileAtomic(target, entry.after);
        entry.written = true;
      } catch (error) {
        if (!(error instanceof UnsafeWriteError)) throw error;
        entry.error = error.message;
        entry.refused = true;
      }
    }
  } else {
    // A dry run says the same about files it could not write.
    for (const entry of files) {
      if (entry.error || entry.after === entry.before) continue;
      try {
        resolveWritableTarget(root, entry.path);
      } catch (error) {
        if (!(error instanceof UnsafeWriteError)) throw error;
        entry.error = error.message;
        entry.refused = true;
      }
    }
  }
  for (const change of dependencies) {
    try {
      const target = resolveWritableTarget(root, change.file);
      if (!options.write) continue;
      // Only with the fixed code that needs it: if none of its importers was written, neither is this.
      if (!files.some((entry) => entry.written && change.importers.includes(entry.path))) continue;
      if (readFileSync(target, 'utf8') !== change.before) throw new UnsafeWriteError(`refusing to write ${change.file}: it changed on disk while it was being fixed`);
      writeFileAtomic(target, change.after);
      change.written = true;
    } catch (error) {
      if (!(error instanceof UnsafeWriteError)) throw error;
      change.error = error.message;
      notes.push(`add "${RUNTIME_PACKAGE}": "${change.range}" to the dependencies in ${change.relative} by hand: ${error.message}`);
    }
  }
  return { root, write: options.write === true, files, notices, dependencies, notes };
}

function fixOne(
  ts: TypeScriptApi,
  programs: ProjectPrograms,
  file: string,
  relativeFile: string,
  raw: string,
  text: string,
  selection: RuleSelection,
  located: (text: string, finding: Finding) => FixFinding,
  runtimeDependency: boolean,
): FixedFile {
  const base: FixedFile = { file: relativeFile, path: file, before: raw, after: raw, fixed: [], dropped: [], remaining: [], written: false };
  const initial = programs.typed(file, text);
  if (!initial.sourceFile) return { ...base, error: 'the TypeScript program did not load this file' };
  const syntax = parseDiagnostics(initial.program, initial.sourceFile).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (syntax.length > 0) return { ...base, error: `syntax error: ${ts.flattenDiagnosticMessageText(syntax[0]!.messageText, ' ')}; not fixed` };

  let last: { text: string; findings: Finding[] } | undefined;
  const analyze = (version: string): Finding[] => {
    if (last?.text === version) return last.findings;
    const { program, sourceFile, checker } = programs.typed(file, version);
    const findings = sourceFile ? analyzeFile({ ts, sourceFile, checker, compilerOptions: program.getCompilerOptions(), runtimeDependency }, selection) : [];
    last = { text: version, findings };
    return findings;
  };
  const kind = scriptKindOf(ts, file);
  const driver: FixDriver = {
    analyze,
    syntaxErrors: (version) => (ts.createSourceFile(file, version, ts.ScriptTarget.Latest, false, kind) as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length,
  };
  const outcome = fixText(raw, driver);
  const after = outcome.output;
  const finalText = after.charCodeAt(0) === 0xfeff ? after.slice(1) : after;
  const remaining = analyze(finalText);
  return {
    ...base,
    after,
    runtimeSuggestions: remaining.filter((finding) => finding.suggestions?.some((s) => RUNTIME_SUGGESTIONS.has(s.messageId))).length,
    suggested: remaining.filter((finding) => (finding.suggestions?.length ?? 0) > 0).length,
    // Offsets of applied fixes belong to the pass they were applied in; messages do not.
    fixed: outcome.applied.map((finding) => ({ ruleId: finding.ruleId, message: formatMessage(finding) })),
    dropped: outcome.dropped.map(({ finding, reason, text: version }) => ({ ...located(version, finding), reason })),
    remaining: remaining.map((finding) => located(finalText, finding)),
  };
}

/** The diff of every changed file that can be written, in file order, then the package.json changes. */
export function formatDiff(result: FixResult): string {
  return [
    ...result.files.filter((entry) => !entry.error && entry.after !== entry.before).map((entry) => unifiedDiff(entry.file, entry.before, entry.after)),
    ...result.dependencies.filter((change) => !change.error).map((change) => unifiedDiff(change.relative, change.before, change.after)),
  ].join('');
}
