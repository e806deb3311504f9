import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RuleId } from '../core/types.js';
import { ScanUsageError } from '../scan/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { computeProgress, DEPENDENCY_FIELDS } from './compute.js';
import type { HistoryPoint, HistoryReport } from './history-types.js';
import type { Phase } from './phases.js';
import type { PythonDependency } from '../python/manifests.js';

const run = promisify(execFile);

/** Not a git work tree, an unknown --since: a usage problem (exit code 2). */
export class HistoryError extends ScanUsageError {
  override name = 'HistoryError';
}

/** What a scan of one past commit yields: enough to count any phase configuration later. */
export interface CommitScan {
  findings: Array<{ ruleId: RuleId; file: string }>;
  files: string[];
  /** The package.json dependency fields, names only. */
  packageJson?: Partial<Record<(typeof DEPENDENCY_FIELDS)[number], Record<string, string>>>;
  /** What the Python manifests declared at that commit. */
  pythonDependencies?: PythonDependency[];
}

/** Scans a directory (a checkout of a past commit) and reports its findings relative to it. */
export type DirectoryScanner = (dir: string) => Promise<CommitScan>;

export interface HistoryOptions {
  /** Absolute project root (the scan root), inside a git work tree. */
  root: string;
  phases: readonly Phase[];
  /** The directory the phase globs are relative to; default the root. */
  globBase?: string;
  /** A commit (`v1.2`, `HEAD~40`) or a date git understands (`2024-01-31`, `3 months ago`). */
  since?: string;
  /** At most this many points, evenly spaced over the first-parent commits, first and last included. */
  maxPoints?: number;
  scan: DirectoryScanner;
  /** Directory of the per-commit cache; default `<root>/.loop-audit/cache`. */
  cacheDir?: string;
  /** Whatever changes what a scan finds (tool version, rule configuration): part of each cache entry's key. */
  cacheKey: string;
}

export const DEFAULT_MAX_POINTS = 20;

/**
 * Git without the variables a hook or an outer git command may have set: with GIT_INDEX_FILE or
 * GIT_DIR inherited, a checkout in the temporary worktree would write the user's index.
 */
function gitEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_PREFIX', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY']) delete env[key];
  return env;
}

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, env: gitEnv(), maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new HistoryError(`git ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`);
  }
}

async function gitOk(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await run('git', args, { cwd, env: gitEnv() });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** The synchronous cleanup a signal handler can still do. */
function removeWorktreeSync(top: string, tree: string, holder: string): void {
  for (const args of [
    ['worktree', 'remove', '--force', tree],
    ['worktree', 'prune'],
  ]) {
    try {
      execFileSync('git', args, { cwd: top, env: gitEnv(), stdio: 'ignore' });
    } catch {
      // not added yet, or already gone: the directory removal below is what matters
    }
  }
  rmSync(holder, { recursive: true, force: true });
}

interface CommitInfo {
  commit: string;
  date: string;
  subject: string;
}

function parseLog(stdout: string): CommitInfo[] {
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [commit, date, ...subject] = line.split('\u001f');
      return { commit: commit!, date: date!, subject: subject.join('\u001f') };
    });
}

const LOG_FORMAT = '--format=%H%x1f%cI%x1f%s';

/** Evenly spaced indices into a list of `n`, at most `k`, first and last included. */
export function sampleIndices(n: number, k: number): number[] {
  if (n <= 0) return [];
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  if (k <= 1) return [n - 1];
  const picked = new Set<number>();
  for (let i = 0; i < k; i++) picked.add(Math.round((i * (n - 1)) / (k - 1)));
  return [...picked].sort((a, b) => a - b);
}

function looksLikeDate(text: string): boolean {
  return !Number.isNaN(Date.parse(text)) || /^\d{4}-\d{2}(-\d{2})?/.test(text) || /\b(ago|yesterday|today|now)\b/.test(text) || /^\d+\.(second|minute|hour|day|week|month|year)s?/.test(text);
}

/** The first-parent commits to sample, oldest first, and what limited them. */
async function commitsInRange(top: string, since: string | undefined): Promise<{ commits: CommitInfo[]; notes: string[]; shallow: boolean }> {
  const notes: string[] = [];
  if ((await gitOk(top, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])) === undefined) throw new HistoryError('the repository has no commits yet');
  const shallow = (await gitOk(top, ['rev-parse', '--is-shallow-repository'])) === 'true';
  let commits: CommitInfo[];
  if (since === undefined) {
    commits = parseLog(await git(top, ['log', '--first-parent', '--reverse', LOG_FORMAT, 'HEAD']));
  } else {
    const rev = await gitOk(top, ['rev-parse', '--verify', '--quiet', `${since}^{commit}`]);
    if (rev) {
      const start = parseLog(await git(top, ['log', '-1', LOG_FORMAT, rev]));
      commits = [...start, ...parseLog(await git(top, ['log', '--first-parent', '--reverse', LOG_FORMAT, `${rev}..HEAD`]))];
    } else if (looksLikeDate(since)) {
      commits = parseLog(await git(top, ['log', '--first-parent', '--reverse', LOG_FORMAT, `--since=${since}`, 'HEAD']));
      if (commits.length === 0) notes.push(`no commit since ${since}: nothing to plot`);
    } else {
      throw new HistoryError(
        shallow ? `--since ${since}: no such commit in this shallow clone, and not a date (git fetch --unshallow, or --deepen, to reach it)` : `--since ${since}: neither a commit nor a date`,
      );
    }
  }
  if (shallow && commits.length > 0) {
    const oldest = commits[0]!;
    notes.push(
      `shallow clone: history goes back only to ${oldest.commit.slice(0, 12)} (${oldest.date}), ${commits.length} first-parent commit${commits.length === 1 ? '' : 's'}; run git fetch --unshallow for the whole burndown`,
    );
  }
  return { commits, notes, shallow };
}

interface CacheFile {
  version: 1;
  /** commit → scan, for one cache key. */
  points: Record<string, CommitScan>;
}

function cachePath(cacheDir: string, cacheKey: string): string {
  return path.join(cacheDir, `history-${createHash('sha256').update(cacheKey).digest('hex').slice(0, 16)}.json`);
}

function readCache(file: string): CacheFile {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    if (data.version === 1 && typeof data.points === 'object' && data.points !== null) return data;
  } catch {
    // missing or corrupt: start over, it is only a cache
  }
  return { version: 1, points: {} };
}

/** The cache lives in the project but must never show up in `git status`. */
function prepareCacheDir(cacheDir: string): void {
  mkdirSync(cacheDir, { recursive: true });
  const ignore = path.join(cacheDir, '.gitignore');
  if (!existsSync(ignore)) writeFileAtomic(ignore, '# loop-audit cache: not for version control\n*\n');
}

/** Counts per phase from one commit's scan, with today's phase definitions. */
function countPhases(scan: CommitScan, phases: readonly Phase[], root: string, globBase: string): { phases: Record<string, number>; total: number } {
  const findings = scan.findings.map((f, i) => ({ ruleId: f.ruleId, file: f.file, fingerprint: String(i) }));
  const report = computeProgress({ root, globBase, phases, findings, files: scan.files, packageJson: scan.packageJson, pythonDependencies: scan.pythonDependencies });
  return { phases: Object.fromEntries(report.phases.map((p) => [p.name, p.remaining])), total: scan.findings.length };
}

/**
 * The burndown: each phase's remaining count at evenly spaced first-parent commits. Past
 * commits are checked out in a temporary `git worktree` (its own index and files), never in the
 * user's work tree; the worktree is removed afterwards whatever happens. Each commit's scan is
 * cached by commit id (and `cacheKey`), so a second run only scans new commits.
 */
export async function computeHistory(options: HistoryOptions): Promise<HistoryReport> {
  const root = path.resolve(options.root);
  const top = await gitOk(root, ['rev-parse', '--show-toplevel']);
  if (!top) throw new HistoryError(`${root} is not inside a git work tree: --history needs the project's git history`);
  const rootInRepo = path.relative(top, root);
  const globBaseInRepo = path.relative(top, path.resolve(options.globBase ?? root));
  const maxPoints = Math.max(1, Math.floor(options.maxPoints ?? DEFAULT_MAX_POINTS));
  const { commits, notes, shallow } = await commitsInRange(top, options.since);
  const sampled = sampleIndices(commits.length, maxPoints).map((i) => commits[i]!);

  const cacheDir = path.resolve(options.cacheDir ?? path.join(root, '.loop-audit', 'cache'));
  const cacheFile = cachePath(cacheDir, options.cacheKey);
  const cache = readCache(cacheFile);
  const scans = new Map<string, { scan: CommitScan; cached: boolean }>();
  for (const info of sampled) {
    const hit = cache.points[info.commit];
    if (hit) scans.set(info.commit, { scan: hit, cached: true });
  }

  const missing = sampled.filter((info) => !scans.has(info.commit));
  if (missing.length > 0) {
    const holder = mkdtempSync(path.join(tmpdir(), 'loop-audit-history-'));
    const tree = path.join(holder, 'tree');
    let added = false;
    // Interrupted (Ctrl-C in a terminal, a cancelled CI job): remove the worktree before dying of the signal.
    const onSignal = (signal: NodeJS.Signals): void => {
      stopListening();
      removeWorktreeSync(top, tree, holder);
      process.kill(process.pid, signal);
    };
    const stopListening = (): void => {
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeListener(signal, onSignal);
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, onSignal);
    try {
      await git(top, ['worktree', 'add', '--detach', '--quiet', tree, missing[0]!.commit]);
      added = true;
      prepareCacheDir(cacheDir);
      for (const info of missing) {
        await git(tree, ['checkout', '--detach', '--quiet', '--force', info.commit]);
        await git(tree, ['clean', '-fdxq']);
        const dir = path.join(tree, rootInRepo);
        if (!existsSync(dir)) {
          notes.push(`${info.commit.slice(0, 12)}: the project directory did not exist yet; counted as empty`);
          scans.set(info.commit, { scan: { findings: [], files: [] }, cached: false });
          continue;
        }
        let scan: CommitScan;
        try {
          scan = await options.scan(dir);
        } catch (error) {
          notes.push(`${info.commit.slice(0, 12)}: could not be scanned (${(error as Error).message.split('\n')[0]}); left out`);
          continue;
        }
        scans.set(info.commit, { scan, cached: false });
        cache.points[info.commit] = scan;
        writeFileAtomic(cacheFile, `${JSON.stringify(cache)}\n`);
      }
    } finally {
      stopListening();
      if (added) await gitOk(top, ['worktree', 'remove', '--force', tree]);
      rmSync(holder, { recursive: true, force: true });
      await gitOk(top, ['worktree', 'prune']);
    }
  }

  const points: HistoryPoint[] = [];
  for (const info of sampled) {
    const entry = scans.get(info.commit);
    if (!entry) continue;
    // Counted as if the checkout were the root, with the globs' base at the same place inside it.
    const virtualRoot = path.join('/', rootInRepo);
    const counts = countPhases(entry.scan, options.phases, virtualRoot, path.join('/', globBaseInRepo));
    points.push({ ...info, ...counts, cached: entry.cached });
  }
  return { points, commitsInRange: commits.length, maxPoints, since: options.since ?? null, shallow, notes };
}
