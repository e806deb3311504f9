import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RuleId } from '../core/types.js';
import { normalizeDistribution, type PythonDependency } from '../python/manifests.js';
import type { Baseline, BaselineComparison } from './baseline.js';
import type { FingerprintedFinding, ProgressFinding } from './fingerprint.js';
import { phaseMatcher, type Phase } from './phases.js';

export type PhaseStatus = 'done' | 'in progress' | 'not started' | 'blocked';

export const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;
export type DependencyField = (typeof DEPENDENCY_FIELDS)[number];

export interface DeclaredPackage {
  name: string;
  /** The package.json field, or for Python the manifest and table (`pyproject.toml [project.dependencies]`, `requirements.txt`). */
  field: DependencyField | string;
}

export interface PhaseProgress {
  name: string;
  description: string;
  order: number;
  globs: string[];
  rules: RuleId[];
  status: PhaseStatus;
  /** Findings of the phase's rules in its layer, plus its forbidden packages still declared. */
  remaining: number;
  findings: number;
  byRule: Partial<Record<RuleId, number>>;
  /** Forbidden packages still in package.json. */
  packages: DeclaredPackage[];
  /** Baseline entries of the phase no longer found; null without a baseline. */
  resolved: number | null;
  /** Findings of the phase the baseline does not know (regressions or newly detected); null without a baseline. */
  new: number | null;
  /** resolved / (resolved + remaining), floored; 100 when nothing remains; 0 or 100 without a baseline. */
  percent: number;
  /** Files analysed that belong to the phase's layer. */
  files: number;
}

export interface ProgressReport {
  version: 1;
  /** Absolute project root. */
  root: string;
  baseline: { file: string; findings: number } | null;
  phases: PhaseProgress[];
  /** The first phase (by order) that is not done; null when the migration is complete. */
  currentPhase: string | null;
  /** Mean of the phases' percentages, floored. */
  overallPercent: number;
  totals: { findings: number; resolved: number | null; new: number | null; files: number };
}

/** What counting needs of a finding; the fingerprint only matters against a baseline. */
export type CountedFinding = Pick<FingerprintedFinding, 'ruleId' | 'file' | 'fingerprint'>;

export interface ProgressInput<F extends ProgressFinding = ProgressFinding> {
  root: string;
  phases: readonly Phase[];
  findings: readonly CountedFinding[];
  /** Every file the scan analysed (relative to the root), so empty layers count too. */
  files: readonly string[];
  /** The directory phase globs are relative to (the configuration's), default the root. */
  globBase?: string;
  baseline?: { file: string; baseline: Baseline; comparison: BaselineComparison<F> };
  /** Parsed package.json of the project, if any. */
  packageJson?: unknown;
  /** What the project's Python manifests (pyproject.toml, setup.cfg, requirements*.txt, Pipfile) declare. */
  pythonDependencies?: readonly PythonDependency[];
}

/** Reads `<root>/package.json`, or undefined if there is none or it is not JSON (the scan reports broken files; progress need not). */
export function readPackageJson(root: string): unknown {
  try {
    return JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

export function declaredPackages(packageJson: unknown, names: readonly string[], pythonDependencies: readonly PythonDependency[] = []): DeclaredPackage[] {
  const wanted = new Set(names);
  const found: DeclaredPackage[] = [];
  if (typeof packageJson === 'object' && packageJson !== null) {
    for (const field of DEPENDENCY_FIELDS) {
      const deps = (packageJson as Record<string, unknown>)[field];
      if (typeof deps !== 'object' || deps === null) continue;
      for (const name of Object.keys(deps).sort()) if (wanted.has(name)) found.push({ name, field });
    }
  }
  // Python distribution names compare normalised: `nest_asyncio` in a manifest is `nest-asyncio`.
  const wantedPython = new Set(names.map(normalizeDistribution));
  for (const dependency of pythonDependencies) if (wantedPython.has(dependency.name)) found.push({ name: dependency.name, field: dependency.manifest });
  return found;
}

/** A finding's path as the phase globs see it: relative to the configuration's directory. */
function globRelative(root: string, globBase: string, file: string): string {
  if (path.resolve(root) === path.resolve(globBase)) return file;
  return path.relative(globBase, path.resolve(root, file)).split(path.sep).join('/');
}

/**
 * Measures each phase from one scan: what remains, what was resolved since the baseline, the
 * status (a phase is `blocked` while an earlier one is not done), the current phase and the
 * overall percentage.
 */
export function computeProgress<F extends ProgressFinding>(input: ProgressInput<F>): ProgressReport {
  const globBase = input.globBase ?? input.root;
  const rel = (file: string): string => globRelative(input.root, globBase, file);
  const newSet = new Set(input.baseline?.comparison.new.map((item) => item.fingerprint));
  const phases: PhaseProgress[] = [];
  let earlierUnfinished = false;
  for (const phase of input.phases) {
    const inLayer = phaseMatcher(phase);
    const rules = new Set<RuleId>(phase.rules);
    const mine = input.findings.filter((item) => rules.has(item.ruleId) && inLayer(rel(item.file)));
    const byRule: Partial<Record<RuleId, number>> = {};
    for (const item of mine) byRule[item.ruleId] = (byRule[item.ruleId] ?? 0) + 1;
    const packages = declaredPackages(input.packageJson, phase.packages, input.pythonDependencies);
    const remaining = mine.length + packages.length;
    let resolved: number | null = null;
    let fresh: number | null = null;
    if (input.baseline) {
      resolved = input.baseline.comparison.resolved.filter((entry) => rules.has(entry.ruleId) && inLayer(rel(entry.file))).length;
      fresh = mine.filter((item) => newSet.has(item.fingerprint)).length;
    }
    const percent = remaining === 0 ? 100 : resolved ? Math.floor((100 * resolved) / (resolved + remaining)) : 0;
    let status: PhaseStatus;
    if (remaining === 0) status = 'done';
    else if (earlierUnfinished) status = 'blocked';
    else status = resolved ? 'in progress' : 'not started';
    if (remaining > 0) earlierUnfinished = true;
    phases.push({
      name: phase.name,
      description: phase.description,
      order: phase.order,
      globs: [...phase.globs],
      rules: [...phase.rules],
      status,
      remaining,
      findings: mine.length,
      byRule,
      packages,
      resolved,
      new: fresh,
      percent,
      files: input.files.filter((file) => inLayer(rel(file))).length,
    });
  }
  const overallPercent = phases.length === 0 ? 100 : Math.floor(phases.reduce((sum, phase) => sum + phase.percent, 0) / phases.length);
  return {
    version: 1,
    root: input.root,
    baseline: input.baseline ? { file: input.baseline.file, findings: input.baseline.baseline.findings.length } : null,
    phases,
    currentPhase: phases.find((phase) => phase.status !== 'done')?.name ?? null,
    overallPercent,
    totals: {
      findings: input.findings.length,
      resolved: input.baseline ? input.baseline.comparison.resolved.length : null,
      new: input.baseline ? input.baseline.comparison.new.length : null,
      files: input.files.length,
    },
  };
}
