import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LoopAuditConfig, ResolvedConfig } from '../config/types.js';
import { RULE_IDS } from '../core/types.js';
import { scan } from '../scan/scan.js';
import { requireAnalysedFiles, ScanUsageError, type ScanFinding, type ScanResult } from '../scan/types.js';
import { PACKAGE } from '../version.js';
import { isPythonFile } from '../python/files.js';
import { readPythonManifest } from '../python/manifests.js';
import { readPythonText } from '../python/source.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import {
  compareWithBaseline,
  DEFAULT_BASELINE_FILE,
  entryOf,
  makeBaseline,
  readBaseline,
  updateBaseline,
  writeBaseline,
  type Baseline,
  type BaselineComparison,
  type BaselineEntry,
} from './baseline.js';
import { computeProgress, DEPENDENCY_FIELDS, readPackageJson, type ProgressReport } from './compute.js';
import { fingerprintFindings, type FingerprintedFinding, type ProgressFinding } from './fingerprint.js';
import { formatProgress, type ProgressFormat } from './format.js';
import { computeHistory, type CommitScan } from './history.js';
import type { HistoryReport } from './history-types.js';
import { resolvePhases, type Phase } from './phases.js';

/** A bad flag or an unknown phase: the CLI prints it and exits with code 2. */
export class ProgressUsageError extends ScanUsageError {
  override name = 'ProgressUsageError';
}

export interface ScanSelection {
  /** Project root; default process.cwd(). */
  cwd?: string;
  paths?: string[];
  tsconfig?: string;
  /** A configuration file to use instead of finding one. */
  config?: string;
}

export function fingerprintScan(result: Pick<ScanResult, 'root' | 'findings'>): FingerprintedFinding<ScanFinding>[] {
  return fingerprintFindings(result.findings, (file) => {
    try {
      const absolute = path.join(result.root, file);
      // A Python file may declare its encoding (PEP 263): read it as the scanner did.
      return isPythonFile(file) ? readPythonText(absolute) : readFileSync(absolute, 'utf8');
    } catch {
      return undefined;
    }
  });
}

/**
 * A scan of some paths only says nothing about the files it did not look at: their baseline
 * entries are neither resolved nor pruned. An entry counts as resolved when its file was scanned
 * and the finding is gone, or when the file no longer exists.
 */
export function scopeToScan<F extends ProgressFinding>(comparison: BaselineComparison<F>, result: Pick<ScanResult, 'root' | 'files'>): BaselineComparison<F> & { outOfScope: BaselineEntry[] } {
  const scanned = new Set(result.files);
  const resolved: BaselineEntry[] = [];
  const outOfScope: BaselineEntry[] = [];
  for (const entry of comparison.resolved) {
    if (scanned.has(entry.file) || !existsSync(path.join(result.root, entry.file))) resolved.push(entry);
    else outOfScope.push(entry);
  }
  return { ...comparison, resolved, outOfScope };
}

function resolveBaselinePath(root: string, file: string | undefined): string {
  return path.resolve(root, file ?? DEFAULT_BASELINE_FILE);
}

function display(root: string, file: string): string {
  const relative = path.relative(root, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : file;
}

/** The configuration as an object again, so every past commit is scanned with today's rules. */
function configObject(config: ResolvedConfig): LoopAuditConfig {
  return {
    rules: Object.fromEntries(RULE_IDS.map((id) => [id, [config.rules[id].severity, config.rules[id].options]])),
    include: config.include,
    exclude: config.exclude,
  };
}

function dependencyNames(packageJson: unknown): CommitScan['packageJson'] {
  if (typeof packageJson !== 'object' || packageJson === null) return undefined;
  const out: NonNullable<CommitScan['packageJson']> = {};
  for (const field of DEPENDENCY_FIELDS) {
    const deps = (packageJson as Record<string, unknown>)[field];
    if (typeof deps === 'object' && deps !== null) out[field] = Object.fromEntries(Object.keys(deps).map((name) => [name, '']));
  }
  return out;
}

export interface ProgressOptions extends ScanSelection {
  format?: ProgressFormat;
  /** Write the report here (atomically) instead of returning it for stdout. */
  output?: string;
  /** Baseline file, relative to the root; default `.loop-audit/baseline.json`; false: ignore any baseline. */
  baseline?: string | false;
  failBelowPhase?: string;
  history?: boolean;
  since?: string;
  maxPoints?: number;
  cacheDir?: string;
  color?: boolean;
}

export interface ProgressOutcome {
  report: ProgressReport;
  history?: HistoryReport;
  /** The formatted report (also when it was written to `output`). */
  text: string;
  exitCode: 0 | 1;
  /** Why the exit code is 1, for stderr. */
  failure?: string;
}

/** `loop-audit progress`: one scan, the baseline if any, optionally the burndown, formatted. */
export async function runProgress(options: ProgressOptions = {}): Promise<ProgressOutcome> {
  const root = path.resolve(options.cwd ?? process.cwd());
  const result = await scan({ cwd: root, paths: options.paths, tsconfig: options.tsconfig, config: options.config });
  requireAnalysedFiles(result);
  const phases = resolvePhases(result.config.phases, result.config.file ?? 'the configuration');
  if (options.failBelowPhase !== undefined && !phases.some((phase) => phase.name === options.failBelowPhase)) {
    throw new ProgressUsageError(`--fail-below-phase ${options.failBelowPhase}: no such phase (phases: ${phases.map((p) => p.name).join(', ')})`);
  }
  const findings = fingerprintScan(result);
  let baselineInput: Parameters<typeof computeProgress>[0]['baseline'];
  if (options.baseline !== false) {
    const file = resolveBaselinePath(root, options.baseline);
    const baseline = readBaseline(file);
    if (baseline) baselineInput = { file: display(root, file), baseline, comparison: scopeToScan(compareWithBaseline(findings, baseline), result) };
    else if (options.baseline !== undefined) throw new ProgressUsageError(`baseline not found: ${file}`);
  }
  const report = computeProgress({
    root: result.root,
    phases,
    findings,
    files: result.files,
    globBase: result.config.baseDir,
    baseline: baselineInput,
    packageJson: readPackageJson(result.root),
    pythonDependencies: readPythonManifest(result.root).dependencies,
  });
  let history: HistoryReport | undefined;
  if (options.history) history = await historyFor(root, result.config, phases, options);
  const format = options.format ?? 'pretty';
  const text = formatProgress(report, format, { color: options.color, history });
  if (options.output) writeFileAtomic(path.resolve(root, options.output), text);
  const outcome: ProgressOutcome = { report, history, text, exitCode: 0 };
  if (options.failBelowPhase !== undefined) {
    const phase = report.phases.find((p) => p.name === options.failBelowPhase)!;
    if (phase.status !== 'done') {
      outcome.exitCode = 1;
      outcome.failure = `phase ${phase.name} is not done: ${phase.remaining} remaining (${phase.status})`;
    }
  }
  return outcome;
}

async function historyFor(root: string, config: ResolvedConfig, phases: readonly Phase[], options: ProgressOptions): Promise<HistoryReport> {
  const asObject = configObject(config);
  const cacheDir = path.resolve(root, options.cacheDir ?? '.loop-audit/cache');
  const scanDir = async (dir: string): Promise<CommitScan> => {
    // Successive commits share most files: the scanner's content-keyed cache spares re-analysing them.
    const past = await scan({ cwd: dir, paths: options.paths, tsconfig: options.tsconfig, config: asObject, cache: true, cacheLocation: path.join(cacheDir, 'scan-cache.json') });
    return {
      findings: past.findings.map((f) => ({ ruleId: f.ruleId, file: f.file })),
      files: past.files,
      packageJson: dependencyNames(readPackageJson(dir)),
      pythonDependencies: readPythonManifest(dir).dependencies,
    };
  };
  return computeHistory({
    root,
    phases,
    globBase: config.baseDir,
    since: options.since,
    maxPoints: options.maxPoints,
    cacheDir,
    cacheKey: JSON.stringify({ tool: PACKAGE.version, config: asObject, paths: options.paths ?? [], tsconfig: options.tsconfig ?? null }),
    scan: scanDir,
  });
}

export interface BaselineOptions extends ScanSelection {
  /** Where to write; default `.loop-audit/baseline.json` under the root. */
  baseline?: string;
}

/** `loop-audit baseline`: records today's findings, replacing any earlier baseline. */
export async function runBaseline(options: BaselineOptions = {}): Promise<{ file: string; baseline: Baseline; message: string }> {
  const root = path.resolve(options.cwd ?? process.cwd());
  const result = await scan({ cwd: root, paths: options.paths, tsconfig: options.tsconfig, config: options.config });
  requireAnalysedFiles(result);
  const baseline = makeBaseline(fingerprintScan(result).map(entryOf));
  const file = resolveBaselinePath(root, options.baseline);
  writeBaseline(file, baseline);
  const files = new Set(baseline.findings.map((e) => e.file)).size;
  return { file, baseline, message: `baseline ${display(root, file)}: ${baseline.findings.length} finding${baseline.findings.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}` };
}

export interface ScanBaselineOptions {
  /** Baseline file relative to the scan root; true for the default. */
  baseline?: string | boolean;
  updateBaseline?: boolean;
  acceptNew?: boolean;
}

export interface ScanBaselineOutcome {
  /** The scan result with only the findings the baseline does not know. */
  result: ScanResult;
  comparison: BaselineComparison<ScanFinding>;
  /** One line for stderr: how many new, known and resolved; what was written. */
  message: string;
}

/**
 * `scan --baseline`: keeps only new findings (what the scan then reports and fails on), counts
 * resolved ones as progress, and with `--update-baseline` prunes resolved entries (adding new ones
 * only with `--accept-new`: the ratchet only tightens). Without a baseline file, `--update-baseline`
 * creates one from the scan only with `--accept-new`.
 */
export function applyScanBaseline(result: ScanResult, options: ScanBaselineOptions): ScanBaselineOutcome | undefined {
  if (!options.baseline && !options.updateBaseline) {
    if (options.acceptNew) throw new ProgressUsageError('--accept-new only makes sense with --update-baseline');
    return undefined;
  }
  if (options.acceptNew && !options.updateBaseline) throw new ProgressUsageError('--accept-new only makes sense with --update-baseline');
  const file = resolveBaselinePath(result.root, typeof options.baseline === 'string' ? options.baseline : undefined);
  const shown = display(result.root, file);
  const existing = readBaseline(file);
  if (!existing && !(options.updateBaseline && options.acceptNew)) {
    throw new ProgressUsageError(`baseline not found: ${file} (create it with \`loop-audit baseline\`, or --update-baseline --accept-new)`);
  }
  const baseline = existing ?? makeBaseline([]);
  const findings = fingerprintScan(result);
  const comparison = scopeToScan(compareWithBaseline(findings, baseline), result);
  const parts = [`baseline ${shown}: ${comparison.new.length} new, ${comparison.known.length} known, ${comparison.resolved.length} resolved`];
  if (comparison.outOfScope.length > 0) parts.push(`${comparison.outOfScope.length} in files not scanned left as they are`);
  if (options.updateBaseline) {
    // Entries of files this scan did not look at stay: a partial scan must not loosen or tighten them.
    const next = updateBaseline(baseline, comparison, options.acceptNew === true, comparison.outOfScope);
    writeBaseline(file, next);
    const added = options.acceptNew ? comparison.new.length : 0;
    parts.push(`updated: ${comparison.resolved.length} pruned, ${added} added, ${next.findings.length} entries`);
    if (!options.acceptNew && comparison.new.length > 0) parts.push('new findings were not added (use --accept-new to accept them)');
  }
  const fresh = new Set(comparison.new.map((item) => item.finding));
  const filtered = result.findings.filter((finding) => fresh.has(finding));
  return { result: { ...result, findings: filtered }, comparison, message: parts.join('; ') };
}
