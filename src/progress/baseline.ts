import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/types.js';
import { RULE_IDS, type RuleId } from '../core/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { FingerprintedFinding, ProgressFinding } from './fingerprint.js';

/** Where `loop-audit baseline` writes by default, relative to the project root. */
export const DEFAULT_BASELINE_FILE = '.loop-audit/baseline.json';
export const BASELINE_VERSION = 1;

/** One accepted finding. No line numbers: they change with every unrelated edit above them. */
export interface BaselineEntry {
  fingerprint: string;
  ruleId: RuleId;
  file: string;
  context: string;
  textHash: string;
  occurrence: number;
  message: string;
}

export interface Baseline {
  version: typeof BASELINE_VERSION;
  /** Sorted by file, rule, context, text hash, occurrence: the order diffs and merges best in. */
  findings: BaselineEntry[];
}

/** A missing field or a broken file: reported like a configuration error (exit code 2), never read as empty. */
export class BaselineError extends ConfigError {
  override name = 'BaselineError';
}

function compareEntries(a: BaselineEntry, b: BaselineEntry): number {
  return cmp(a.file, b.file) || cmp(a.ruleId, b.ruleId) || cmp(a.context, b.context) || cmp(a.textHash, b.textHash) || a.occurrence - b.occurrence || cmp(a.fingerprint, b.fingerprint);
}

/** Code-unit order, not locale order: the file must sort the same on every machine. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function entryOf(item: FingerprintedFinding): BaselineEntry {
  return {
    fingerprint: item.fingerprint,
    ruleId: item.ruleId,
    file: item.file,
    context: item.context,
    textHash: item.textHash,
    occurrence: item.occurrence,
    message: item.finding.message,
  };
}

export function makeBaseline(entries: Iterable<BaselineEntry>): Baseline {
  const unique = new Map<string, BaselineEntry>();
  for (const entry of entries) unique.set(entry.fingerprint, entry);
  return { version: BASELINE_VERSION, findings: [...unique.values()].sort(compareEntries) };
}

/** The file's text: keys in a fixed order, one entry per line group, a final newline. */
export function serializeBaseline(baseline: Baseline): string {
  const findings = baseline.findings.map((e) => ({
    fingerprint: e.fingerprint,
    ruleId: e.ruleId,
    file: e.file,
    context: e.context,
    textHash: e.textHash,
    occurrence: e.occurrence,
    message: e.message,
  }));
  return `${JSON.stringify({ version: baseline.version, findings }, null, 2)}\n`;
}

export function writeBaseline(file: string, baseline: Baseline): void {
  writeFileAtomic(file, serializeBaseline(baseline));
}

/** Parses and checks a baseline; a broken one is an error, never an empty baseline (that would fail every build, or worse, pass it). */
export function parseBaseline(text: string, source: string): Baseline {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BaselineError(`${source}: a baseline must be a JSON object`);
  const { version, findings } = raw as { version?: unknown; findings?: unknown };
  if (version !== BASELINE_VERSION) throw new BaselineError(`${source}: unsupported baseline version ${JSON.stringify(version)} (expected ${BASELINE_VERSION})`);
  if (!Array.isArray(findings)) throw new BaselineError(`${source}: "findings" must be an array`);
  const entries = findings.map((item: unknown, i): BaselineEntry => {
    const where = `${source}: findings[${i}]`;
    if (typeof item !== 'object' || item === null) throw new BaselineError(`${where} must be an object`);
    const e = item as Record<string, unknown>;
    for (const key of ['fingerprint', 'ruleId', 'file', 'context', 'textHash', 'message'] as const) {
      if (typeof e[key] !== 'string') throw new BaselineError(`${where}.${key} must be a string`);
    }
    if (!(RULE_IDS as readonly string[]).includes(e.ruleId as string)) throw new BaselineError(`${where}.ruleId: unknown rule "${String(e.ruleId)}"`);
    if (typeof e.occurrence !== 'number' || !Number.isInteger(e.occurrence) || e.occurrence < 0) throw new BaselineError(`${where}.occurrence must be a whole number`);
    return {
      fingerprint: e.fingerprint as string,
      ruleId: e.ruleId as RuleId,
      file: e.file as string,
      context: e.context as string,
      textHash: e.textHash as string,
      occurrence: e.occurrence,
      message: e.message as string,
    };
  });
  return makeBaseline(entries);
}

/** The baseline at `file`, or undefined when there is none. */
export function readBaseline(file: string): Baseline | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BaselineError(`cannot read the baseline ${file}: ${(error as Error).message}`);
  }
  return parseBaseline(text, file);
}

export interface BaselineComparison<F extends ProgressFinding = ProgressFinding> {
  /** Findings the baseline does not know: what `scan --baseline` reports and fails on. */
  new: FingerprintedFinding<F>[];
  /** Findings the baseline accepted and that are still there. */
  known: FingerprintedFinding<F>[];
  /** Baseline entries no longer found: progress. */
  resolved: BaselineEntry[];
}

export function compareWithBaseline<F extends ProgressFinding>(current: readonly FingerprintedFinding<F>[], baseline: Baseline): BaselineComparison<F> {
  const accepted = new Map(baseline.findings.map((entry) => [entry.fingerprint, entry]));
  const seen = new Set<string>();
  const result: BaselineComparison<F> = { new: [], known: [], resolved: [] };
  for (const item of current) {
    if (accepted.has(item.fingerprint)) {
      result.known.push(item);
      seen.add(item.fingerprint);
    } else result.new.push(item);
  }
  result.resolved = baseline.findings.filter((entry) => !seen.has(entry.fingerprint));
  return result;
}

/**
 * The ratchet: the updated baseline drops what was resolved and keeps what is still there;
 * new findings join it only when `acceptNew` says so. Without it the baseline can only shrink.
 * `untouched` entries (of files a partial scan did not look at) are kept as they are.
 */
export function updateBaseline<F extends ProgressFinding>(baseline: Baseline, comparison: BaselineComparison<F>, acceptNew: boolean, untouched: readonly BaselineEntry[] = []): Baseline {
  const kept = new Set([...comparison.known.map((item) => item.fingerprint), ...untouched.map((entry) => entry.fingerprint)]);
  const entries = baseline.findings.filter((entry) => kept.has(entry.fingerprint));
  if (acceptNew) entries.push(...comparison.new.map(entryOf));
  return makeBaseline(entries);
}
