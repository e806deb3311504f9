import { lstatSync } from 'node:fs';
import path from 'node:path';
import { findSyncWrappers } from '../core/detectors/sync-wrapper.js';
import { FileFacts } from '../core/facts.js';
import { RUNTIME_PACKAGE } from '../core/runtime-package.js';
import { runtimeDependencyChanges, withDependency } from '../fix/dependency.js';
import { formatRewritten, resetFormatters } from '../fix/format.js';
import { resolveWritableTarget, unifiedDiff, UnsafeWriteError } from '../fix/write.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { AsyncPlanner } from './async.js';
import { deleteUnusedHelpers, pruneDeadPrivates, removeUnusedPackages, settleImports } from './cleanup.js';
import { EditConflictError, syntaxErrorCount, type FileEdits } from './edits.js';
import { fixEntryPointsAndFloating, hasEntryPointWork } from './floating.js';
import { Plan } from './plan.js';
import { loadMigrationProject, resolveScope, type MigrationProject, type Scope } from './project.js';
import { findPassThroughs } from './pass-through.js';
import { moveWrappersToRunner } from './runner.js';
import type { FileOutcome, MigrateOptions, MigrateResult, MigrationMode, Unhandled } from './types.js';
import { unhandledFindings } from './unhandled.js';
import { RULE_IDS } from '../core/types.js';
import { ScanUsageError } from '../scan/types.js';
import { describeWrapper, type WrapperInfo } from './wrappers.js';
import type { TypeScriptApi } from '../core/types.js';

/**
 * Runs one migration step: the sync wrappers in scope are removed (their callers await the async
 * sibling, transitively up to the entry points) or, in a bridge-only phase like `stabilize`,
 * moved onto loop-audit/runtime's runner; then entry points and, for phases that have the rule,
 * floating promises are fixed. Nothing is written without `write`; a file whose rewrite would not
 * parse, or that is not safe to write, is left whole as it was.
 */
export async function migrate(options: MigrateOptions = {}): Promise<MigrateResult> {
  const root = path.resolve(options.cwd ?? process.cwd());
  // A path that is no glob must exist, as for every other command.
  for (const given of options.paths ?? []) {
    if (/[*?[\]{}]/.test(given)) continue;
    try {
      lstatSync(path.resolve(root, given));
    } catch {
      throw new ScanUsageError(`no such file or directory: ${path.resolve(root, given)}`);
    }
  }
  const project = await loadMigrationProject({ cwd: root, tsconfig: options.tsconfig, config: options.config });
  const scope = resolveScope(project.config, root, options.phase, options.paths);
  const phase = scope.phase;
  const bridgeOnly = phase !== undefined && !phase.rules.includes('no-sync-wrapper') && (phase.rules.includes('no-sync-bridge') || phase.rules.includes('no-loop-per-call'));
  const mode: MigrationMode = options.mode ?? (bridgeOnly ? 'runner' : 'async');
  const handlesWrappers = mode === 'runner' || phase === undefined || phase.rules.includes('no-sync-wrapper') || options.mode === 'async';
  const fixFloating = phase?.rules.includes('no-floating-promise') ?? false;
  const wrapperOptions = project.config.rules['no-sync-wrapper'].options;
  const floatingOptions = project.config.rules['no-floating-promise'].options;

  if (![...project.files].some((file) => scope.includes(file))) {
    // Zero is never green: a migration of nothing is a mistake in the phase globs or the paths.
    const found = project.files.size;
    throw new ScanUsageError(
      found === 0
        ? `migrate: no source files found under ${root}${project.unwritable.size > 0 ? ` that may be written (${project.unwritable.size} may not)` : ''}`
        : `migrate: ${scope.label} matches none of the ${found} source files found under ${root}${scope.phase && scope.phase.globs.length > 0 ? ` (the phase's globs: ${scope.phase.globs.join(', ')}, relative to ${project.config.file ? path.dirname(project.config.file) : root})` : ''}`,
    );
  }

  // Plan, rewrite, and plan again without any file whose rewrite would not parse, until none is refused.
  const excluded = new Map<string, string>();
  let round: Round;
  for (;;) {
    const view: MigrationProject = excluded.size === 0 ? project : { ...project, files: new Set([...project.files].filter((file) => !excluded.has(file))), excluded };
    round = planRound(
      view,
      scope,
      mode,
      handlesWrappers,
      { keepPublicSync: options.keepPublicSync === true, keepNames: options.keepNames === true },
      wrapperOptions,
      options.allowRuntimeDependency === true,
    );
    const failed = [...round.refused].filter(([file]) => !excluded.has(file));
    if (failed.length === 0) break;
    for (const [file, reason] of failed) excluded.set(file, reason);
  }
  const { plan, stats, wrappers, before, after } = round;
  const refusedFiles = new Map(excluded);
  const inScope = [...plan.project.files].filter((file) => scope.includes(file)).sort();

  const { removed, moved, kept, madeAsync, sites, entries } = stats;

  // Entry points and floating promises, on the rewritten text.
  let floatingFixed = 0;
  const secondPass = new Set<string>(plan.httpHandlers.keys());
  if (fixFloating || mode === 'async') {
    for (const file of inScope) {
      if (refusedFiles.has(file)) continue;
      if (after.has(file)) secondPass.add(file);
      else {
        const sourceFile = project.program.getSourceFile(file);
        if (sourceFile && hasEntryPointWork(project, sourceFile, fixFloating, floatingOptions, options.allowRuntimeDependency === true)) secondPass.add(file);
      }
    }
  }
  for (const file of [...secondPass].sort()) {
    if (refusedFiles.has(file)) continue;
    const original = before.get(file) ?? project.program.getSourceFile(file)?.text;
    if (original === undefined) continue;
    const current = after.get(file) ?? original;
    const edits = plan.edits.get(file);
    const offsets = (plan.httpHandlers.get(file) ?? []).map((offset) => (edits ? edits.mapOffset(offset) : offset));
    const outcome = fixEntryPointsAndFloating(project, file, current, {
      fixFloating: fixFloating && scope.includes(file),
      allHttpHandlers: scope.includes(file) && (fixFloating || mode === 'async'),
      httpOffsets: offsets,
      ruleOptions: floatingOptions,
      allowRuntimeDependency: options.allowRuntimeDependency === true,
    });
    for (const fix of outcome.fixed) {
      plan.changes.push({ kind: 'floating-fixed', file: plan.relative(file), line: fix.line, message: fix.message });
      floatingFixed++;
    }
    for (const reason of outcome.dropped) plan.notes.add(`${plan.relative(file)}: ${reason}`);
    if (outcome.text !== original) {
      before.set(file, original);
      after.set(file, outcome.text);
    }
  }

  // The cleanup phase's bridge packages, and the runtime once nothing imports it any more.
  const manifest = phase && phase.packages.length > 0 ? removeUnusedPackages(plan, [...phase.packages, RUNTIME_PACKAGE], after) : undefined;
  if (manifest) {
    before.set(manifest.file, manifest.before);
    after.set(manifest.file, manifest.after);
  }
  // The runtime the rewritten code now imports, in the dependencies of its package.
  const sources = [...after].filter(([file]) => !refusedFiles.has(file) && !file.endsWith('package.json')).map(([file, text]) => ({ path: file, before: before.get(file)!, after: text }));
  const dependencies = runtimeDependencyChanges(sources);
  for (const note of dependencies.notes) plan.notes.add(note);
  for (const change of dependencies.changes) {
    const current = after.get(change.file);
    const text = current === undefined ? change.after : withDependency(current, RUNTIME_PACKAGE, change.range)?.text;
    if (text === undefined) {
      plan.notes.add(`add "${RUNTIME_PACKAGE}": "${change.range}" to the dependencies in ${plan.relative(change.file)} by hand`);
      continue;
    }
    if (!before.has(change.file)) before.set(change.file, change.before);
    after.set(change.file, text);
    plan.changes.push({ kind: 'package-added', file: plan.relative(change.file), line: 1, message: change.message });
  }

  // The project's formatter on the rewritten code (package.json edits keep their own formatting).
  if (options.format !== false) {
    resetFormatters();
    for (const [file, text] of after) {
      if (refusedFiles.has(file) || file.endsWith('package.json')) continue;
      const outcome = await formatRewritten(root, file, before.get(file)!, text);
      after.set(file, outcome.text);
      if (outcome.formatter) plan.notes.add(`rewritten files were formatted with the project's ${outcome.formatter}`);
      if (outcome.skipped) plan.notes.add(`${plan.relative(file)}: ${outcome.skipped}`);
    }
  }

  // Safety of every write, then the writes (or just the diff).
  const files: FileOutcome[] = [];
  const writable = new Map<string, string>();
  for (const [file, reason] of refusedFiles) {
    files.push({ file: plan.relative(file), status: 'refused', reason });
    plan.refusals.push({ kind: 'syntax', file: plan.relative(file), line: 1, message: reason });
  }
  for (const file of after.keys()) {
    try {
      writable.set(file, resolveWritableTarget(root, file));
    } catch (error) {
      if (!(error instanceof UnsafeWriteError)) throw error;
      refusedFiles.set(file, error.message);
      files.push({ file: plan.relative(file), status: 'refused', reason: error.message });
      plan.refusals.push({ kind: 'unsafe-write', file: plan.relative(file), line: 1, message: error.message });
    }
  }
  const changed = [...after.keys()].filter((file) => !refusedFiles.has(file)).sort();
  let diff = '';
  for (const file of changed) {
    diff += unifiedDiff(plan.relative(file), before.get(file)!, after.get(file)!);
    if (options.write) writeFileAtomic(writable.get(file)!, after.get(file)!);
    files.push({ file: plan.relative(file), status: options.write ? 'written' : 'changed' });
  }
  files.sort((a, b) => a.file.localeCompare(b.file));
  const refusedRelative = new Set([...refusedFiles.keys()].map((file) => plan.relative(file)));
  const changes = plan.changes.filter((change) => !refusedRelative.has(change.file)).sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  const refusals = [...plan.refusals].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  // What the phase still has in the files this run did not change, and why it did not touch it.
  // (A changed file's findings would need its new program: a second run lists those.)
  const changedSet = new Set(changed);
  const untouched = inScope.filter((file) => !changedSet.has(file));
  const unhandled: Unhandled[] = unhandledFindings(project, project.config, untouched, phase?.rules ?? RULE_IDS, refusals, (file) => plan.relative(file), options.allowRuntimeDependency === true);
  return {
    root,
    scope: scope.label,
    mode,
    write: options.write === true,
    files,
    changes,
    refusals,
    unhandled,
    notes: [...plan.notes],
    diff,
    summary: {
      wrappersFound: wrappers.length,
      wrappersRemoved: removed,
      wrappersMovedToRunner: moved,
      wrappersKept: kept,
      functionsMadeAsync: madeAsync,
      callSitesRewritten: sites,
      entryPoints: entries,
      floatingFixed,
      filesChanged: changed.length,
      filesRefused: refusedFiles.size,
      refusals: refusals.length,
      filesInScope: inScope.length,
      unhandled: unhandled.length,
    },
  };
}

interface Round {
  plan: Plan;
  wrappers: WrapperInfo[];
  stats: { removed: number; moved: number; kept: number; madeAsync: number; sites: number; entries: number };
  before: Map<string, string>;
  after: Map<string, string>;
  refused: Map<string, string>;
}

/** One planning round over the files the migration may change: wrappers, propagation, cleanup, and the rewritten texts. */
function planRound(
  project: MigrationProject,
  scope: Scope,
  mode: MigrationMode,
  handlesWrappers: boolean,
  names: { keepPublicSync: boolean; keepNames: boolean },
  wrapperOptions: object,
  allowRuntimeDependency: boolean,
): Round {
  const { ts, checker } = project;
  const plan = new Plan(project);
  plan.allowRuntimeDependency = allowRuntimeDependency;
  const wrappers: WrapperInfo[] = [];
  if (handlesWrappers) {
    for (const file of [...project.files].filter((f) => scope.includes(f)).sort()) {
      const sourceFile = project.program.getSourceFile(file);
      if (!sourceFile) continue;
      const facts = FileFacts.of({ ts, sourceFile, checker });
      for (const wrapper of findSyncWrappers(facts, wrapperOptions)) wrappers.push(describeWrapper(project, sourceFile, wrapper));
      // Async wrappers that only await their sibling under a `…Sync` name go the same way (async mode only).
      if (mode === 'async') for (const wrapper of findPassThroughs(ts, sourceFile)) wrappers.push({ ...describeWrapper(project, sourceFile, wrapper), passThrough: true });
    }
  }
  const stats = { removed: 0, moved: 0, kept: 0, madeAsync: 0, sites: 0, entries: 0 };
  if (mode === 'runner') {
    const outcome = moveWrappersToRunner(plan, wrappers);
    stats.moved = outcome.moved;
    stats.kept = outcome.kept;
  } else {
    const outcome = new AsyncPlanner(plan, { ...names, inScope: (file) => scope.includes(file) }).run(wrappers);
    Object.assign(stats, outcome);
  }
  deleteUnusedHelpers(plan);
  pruneDeadPrivates(plan);
  settleImports(plan);
  const before = new Map<string, string>();
  const after = new Map<string, string>();
  const refused = new Map<string, string>();
  for (const [file, edits] of plan.edits) {
    if (edits.size === 0) continue;
    const outcome = rewriteFile(ts, file, edits);
    if ('reason' in outcome) refused.set(file, outcome.reason);
    else if (outcome.text !== edits.text) {
      before.set(file, edits.text);
      after.set(file, outcome.text);
    }
  }
  return { plan, wrappers, stats, before, after, refused };
}

/**
 * A file's planned edits applied, or why the file must stay as it is: edits that conflict, or a
 * result with more syntax errors than the file had.
 */
export function rewriteFile(ts: TypeScriptApi, file: string, edits: FileEdits): { text: string } | { reason: string } {
  let text: string;
  try {
    text = edits.apply();
  } catch (error) {
    if (!(error instanceof EditConflictError)) throw error;
    return { reason: `the planned edits conflict (${error.message}); nothing in this file is changed` };
  }
  if (syntaxErrorCount(ts, file, text) > syntaxErrorCount(ts, file, edits.text)) {
    return { reason: 'the rewritten file would not parse; nothing in this file is changed' };
  }
  return { text };
}
