import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBaseline } from '../../src/progress/baseline.js';
import type { ProgressReport } from '../../src/progress/compute.js';
import { computeHistory, HistoryError } from '../../src/progress/history.js';
import { DEFAULT_PHASES } from '../../src/progress/phases.js';
import { runProgress } from '../../src/progress/run.js';
import { asyncDataAndServices, finish, moveCode, stabilize, swapWrapper } from './legacy-states.js';
import { cli, commitAll, git, LEGACY_APP, legacyRepo, progressSchemaErrors } from './support.js';

const CHROMIUM = '/usr/bin/chromium';
const PHASES = ['stabilize', 'data-layer', 'services', 'application', 'background-jobs', 'cleanup'];

function column<K extends keyof ProgressReport['phases'][number]>(report: ProgressReport, key: K): Array<ProgressReport['phases'][number][K]> {
  return report.phases.map((phase) => phase[key]);
}

function phase(report: ProgressReport, name: string): ProgressReport['phases'][number] {
  const found = report.phases.find((p) => p.name === name);
  if (!found) throw new Error(`no phase ${name}`);
  return found;
}

/** The user's side of the repository: what must be identical before and after a history run. */
function userState(dir: string): string {
  return [
    git(dir, 'status', '--porcelain=v1', '--untracked-files=all'),
    git(dir, 'diff'),
    git(dir, 'diff', '--cached'),
    git(dir, 'rev-parse', 'HEAD'),
    git(dir, 'worktree', 'list', '--porcelain'),
  ].join('\n--\n');
}

describe('progress of the legacy app through its migration', () => {
  let dir = '';
  const commits: Record<string, string> = {};

  beforeAll(() => {
    dir = legacyRepo();
    commits.legacy = git(dir, 'rev-parse', 'HEAD').trim();
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('legacy state, no baseline: stabilize is the current phase, every later one blocked, deasync still declared', async () => {
    const { report, exitCode } = await runProgress({ cwd: dir });
    expect(exitCode).toBe(0);
    expect(column(report, 'name')).toEqual(PHASES);
    expect(column(report, 'status')).toEqual(['not started', 'blocked', 'blocked', 'blocked', 'blocked', 'blocked']);
    // stabilize: the worker per call and Atomics.wait; data layer: five wrappers; services: one;
    // application: the async 'request' listener; jobs: two async callbacks; cleanup: all but the
    // worker per call, plus the deasync dependency.
    expect(column(report, 'remaining')).toEqual([2, 5, 1, 1, 2, 11]);
    expect(column(report, 'percent')).toEqual([0, 0, 0, 0, 0, 0]);
    expect(column(report, 'resolved')).toEqual([null, null, null, null, null, null]);
    expect(phase(report, 'cleanup').packages).toEqual([{ name: 'deasync', field: 'dependencies' }]);
    expect(phase(report, 'data-layer').byRule).toEqual({ 'no-sync-wrapper': 5 });
    expect(report.currentPhase).toBe('stabilize');
    expect(report.overallPercent).toBe(0);
    expect(report.baseline).toBeNull();
  });

  it('records a sorted, byte-stable baseline', async () => {
    const first = await cli(dir, 'baseline');
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('11 findings in 7 files');
    const file = path.join(dir, '.loop-audit/baseline.json');
    const text = readFileSync(file, 'utf8');
    const baseline = parseBaseline(text, file);
    expect(baseline.findings).toHaveLength(11);
    const keys = baseline.findings.map((e) => `${e.file}\0${e.ruleId}\0${e.context}\0${e.textHash}\0${e.occurrence}`);
    expect(keys).toEqual([...keys].sort());
    expect(baseline.findings.find((e) => e.ruleId === 'no-floating-promise' && e.file === 'src/jobs/receipt-job.ts')?.context).toBe('startReceiptMailer > events.on("order-paid")');
    expect(text).not.toMatch(/"line"|"column"|Date|timestamp/);
    await cli(dir, 'baseline');
    expect(readFileSync(file, 'utf8')).toBe(text);
    commits.baseline = commitAll(dir, 'record the loop-audit baseline', '2024-01-15T10:00:00Z');
  });

  it('moved, reordered and reformatted code keeps its fingerprints', async () => {
    moveCode(dir);
    const run = await cli(dir, 'scan', '--baseline', '--format', 'json', '--fail-on', 'warn');
    expect(JSON.parse(run.stdout).findings).toEqual([]);
    expect(run.stderr).toContain('0 new, 11 known, 0 resolved');
    expect(run.code).toBe(0);
    commits.moved = commitAll(dir, 'dashboard count, tidy the repositories', '2024-02-01T10:00:00Z');
  });

  it('one wrapper fixed and another added in the same file is exactly one new finding', async () => {
    swapWrapper(dir);
    const run = await cli(dir, 'scan', '--baseline', '--format', 'json', '--fail-on', 'warn');
    const findings = JSON.parse(run.stdout).findings as Array<{ ruleId: string; file: string; message: string }>;
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ ruleId: 'loop-audit/no-sync-wrapper', file: 'src/repositories/order-repository.ts' });
    expect(findings[0]!.message).toContain('listOpenOrdersSync');
    expect(run.stderr).toContain('1 new, 10 known, 1 resolved');
    expect(run.code).toBe(1);
    commits.swapped = commitAll(dir, 'open orders for the nightly export', '2024-02-15T10:00:00Z');
  });

  it('the ratchet prunes resolved entries and adds new ones only with --accept-new', async () => {
    copyFileSync(path.join(dir, '.loop-audit/baseline.json'), path.join(dir, '.loop-audit/ratchet.json'));
    const ratchet = (): string[] => parseBaseline(readFileSync(path.join(dir, '.loop-audit/ratchet.json'), 'utf8'), 'ratchet').findings.map((e) => e.message);
    try {
      // A scan of one directory neither resolves nor prunes the other files' entries.
      const partial = await cli(dir, 'scan', 'src/jobs', '--baseline', '.loop-audit/ratchet.json', '--update-baseline', '--format', 'json', '--fail-on', 'warn');
      expect(partial.stderr).toContain('0 new, 2 known, 0 resolved; 9 in files not scanned left as they are; updated: 0 pruned, 0 added, 11 entries');
      expect(partial.code).toBe(0);
      expect(ratchet()).toHaveLength(11);

      const pruned = await cli(dir, 'scan', '--baseline', '.loop-audit/ratchet.json', '--update-baseline', '--format', 'json', '--fail-on', 'warn');
      expect(pruned.stderr).toContain('1 pruned, 0 added, 10 entries');
      expect(pruned.stderr).toContain('--accept-new');
      expect(pruned.code).toBe(1);
      expect(ratchet()).toHaveLength(10);
      expect(ratchet().some((m) => m.includes("'findOrderSync'"))).toBe(false);
      const still = await cli(dir, 'scan', '--baseline', '.loop-audit/ratchet.json', '--format', 'json', '--fail-on', 'warn');
      expect(JSON.parse(still.stdout).findings).toHaveLength(1);
      expect(still.code).toBe(1);

      const accepted = await cli(dir, 'scan', '--baseline', '.loop-audit/ratchet.json', '--update-baseline', '--accept-new', '--format', 'json', '--fail-on', 'warn');
      expect(accepted.stderr).toContain('0 pruned, 1 added, 11 entries');
      expect(ratchet().some((m) => m.includes("'listOpenOrdersSync'"))).toBe(true);
      const clean = await cli(dir, 'scan', '--baseline', '.loop-audit/ratchet.json', '--format', 'json', '--fail-on', 'warn');
      expect(JSON.parse(clean.stdout).findings).toEqual([]);
      expect(clean.code).toBe(0);

      const misuse = await cli(dir, 'scan', '--accept-new', '--format', 'json');
      expect(misuse.code).toBe(2);
      expect(misuse.stderr).toContain('--accept-new only makes sense with --update-baseline');
      const missing = await cli(dir, 'scan', '--baseline', '.loop-audit/none.json', '--format', 'json');
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('baseline not found');
    } finally {
      rmSync(path.join(dir, '.loop-audit/ratchet.json'), { force: true });
    }
  });

  it('stabilized: phase 1 done, the data layer in progress, later phases blocked; --fail-below-phase gates', async () => {
    stabilize(dir);
    commits.stabilized = commitAll(dir, 'bridge through the loop-audit runner', '2024-03-01T10:00:00Z');
    const { report } = await runProgress({ cwd: dir });
    expect(column(report, 'status')).toEqual(['done', 'in progress', 'blocked', 'blocked', 'blocked', 'blocked']);
    expect(column(report, 'remaining')).toEqual([0, 5, 1, 1, 2, 10]);
    expect(column(report, 'resolved')).toEqual([2, 1, 0, 0, 0, 2]);
    expect(column(report, 'new')).toEqual([0, 1, 0, 0, 0, 1]);
    expect(column(report, 'percent')).toEqual([100, 16, 0, 0, 0, 16]);
    expect(report.currentPhase).toBe('data-layer');
    expect(report.overallPercent).toBe(22);
    expect(report.baseline).toEqual({ file: '.loop-audit/baseline.json', findings: 11 });

    const pass = await cli(dir, 'progress', '--fail-below-phase', 'stabilize', '--format', 'json');
    expect(pass.code).toBe(0);
    expect(JSON.parse(pass.stdout).currentPhase).toBe('data-layer');
    expect(progressSchemaErrors(JSON.parse(pass.stdout))).toEqual([]);
    const gate = await cli(dir, 'progress', '--fail-below-phase', 'data-layer', '--format', 'markdown');
    expect(gate.code).toBe(1);
    expect(gate.stderr).toContain('phase data-layer is not done: 5 remaining (in progress)');
    expect(gate.stdout).toContain('| 2 | data-layer | 🟡 in progress |');
    const unknown = await cli(dir, 'progress', '--fail-below-phase', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no such phase');
    const pretty = await cli(dir, 'progress');
    expect(pretty.stdout).toMatch(/stabilize\s+done\s+█{20}\s+100%/);
    expect(pretty.stdout).toContain('current phase: data-layer; overall 22%');
  });

  it('data layer and services async: the application phase is next, not started', async () => {
    asyncDataAndServices(dir);
    commits.asyncCore = commitAll(dir, 'async repositories and services', '2024-04-01T10:00:00Z');
    const { report } = await runProgress({ cwd: dir });
    expect(column(report, 'status')).toEqual(['done', 'done', 'done', 'not started', 'blocked', 'blocked']);
    expect(column(report, 'remaining')).toEqual([0, 0, 0, 1, 2, 4]);
    expect(phase(report, 'cleanup').resolved).toBe(7);
    expect(phase(report, 'cleanup').percent).toBe(63);
    expect(report.currentPhase).toBe('application');
    expect(report.overallPercent).toBe(60);
  });

  it('finished: every phase done and the bridge package gone', async () => {
    finish(dir);
    commits.finished = commitAll(dir, 'handle every promise; drop the bridge and deasync', '2024-05-01T10:00:00Z');
    const { report } = await runProgress({ cwd: dir });
    expect(column(report, 'status')).toEqual(PHASES.map(() => 'done'));
    expect(column(report, 'percent')).toEqual(PHASES.map(() => 100));
    expect(phase(report, 'cleanup').packages).toEqual([]);
    expect(report.currentPhase).toBeNull();
    expect(report.overallPercent).toBe(100);
    const gate = await cli(dir, 'progress', '--fail-below-phase', 'cleanup', '--format', 'markdown');
    expect(gate.code).toBe(0);
    expect(gate.stdout).toContain('migration progress: complete (100%)');
    // The format follows the output file's extension unless --format says otherwise.
    const toFile = await cli(dir, 'progress', '--output', 'out/progress.md');
    expect(toFile.stdout).toBe('');
    expect(toFile.stderr).toContain('markdown progress report written to out/progress.md');
    expect(readFileSync(path.join(dir, 'out/progress.md'), 'utf8')).toMatch(/^### loop-audit migration progress: complete/);
    rmSync(path.join(dir, 'out'), { recursive: true });
  });

  describe('burndown over history', () => {
    it('samples evenly spaced first-parent commits in a temporary worktree, leaving the user tree and index alone', async () => {
      // A user mid-work: an unstaged edit, a staged edit and an untracked file.
      const readme = path.join(dir, 'README.md');
      const original = readFileSync(readme, 'utf8');
      await import('node:fs').then(({ writeFileSync, appendFileSync }) => {
        appendFileSync(readme, '\nunstaged note\n');
        writeFileSync(path.join(dir, 'src/domain.ts'), `${readFileSync(path.join(dir, 'src/domain.ts'), 'utf8')}\nexport const STAGED = true;\n`);
        writeFileSync(path.join(dir, 'notes.txt'), 'untracked\n');
      });
      git(dir, 'add', 'src/domain.ts');
      const before = userState(dir);

      const first = await runProgress({ cwd: dir, history: true, maxPoints: 4, format: 'json' });
      expect(userState(dir)).toBe(before);
      const history = first.history!;
      expect(history.commitsInRange).toBe(7);
      expect(history.shallow).toBe(false);
      // Indices 0, 2, 4 and 6 of the seven first-parent commits.
      expect(history.points.map((p) => p.commit)).toEqual([commits.legacy, commits.moved, commits.stabilized, commits.finished]);
      expect(history.points.map((p) => p.phases.cleanup)).toEqual([11, 11, 10, 0]);
      expect(history.points.map((p) => p.phases.stabilize)).toEqual([2, 2, 0, 0]);
      expect(history.points.map((p) => p.total)).toEqual([11, 11, 9, 0]);
      expect(history.points.every((p) => !p.cached)).toBe(true);
      expect(JSON.parse(first.text).history.points).toHaveLength(4);
      expect(progressSchemaErrors(JSON.parse(first.text))).toEqual([]);
      expect(existsSync(path.join(dir, '.loop-audit/cache'))).toBe(true);

      // Cached by commit id: nothing is scanned again, and a denser run reuses what it can.
      const again = await runProgress({ cwd: dir, history: true, maxPoints: 4, format: 'json' });
      expect(again.history!.points.map((p) => p.cached)).toEqual([true, true, true, true]);
      expect(again.history!.points.map((p) => p.phases)).toEqual(history.points.map((p) => p.phases));
      const dense = await runProgress({ cwd: dir, history: true, maxPoints: 7 });
      expect(dense.history!.points.map((p) => p.cached)).toEqual([true, false, true, false, true, false, true]);
      expect(dense.history!.points.map((p) => p.phases['data-layer'])).toEqual([5, 5, 5, 5, 5, 0, 0]);
      expect(userState(dir)).toBe(before);

      git(dir, 'reset', '-q', 'src/domain.ts');
      git(dir, 'checkout', '-q', '--', 'src/domain.ts');
      await import('node:fs').then(({ writeFileSync }) => writeFileSync(readme, original));
      rmSync(path.join(dir, 'notes.txt'));
    });

    it('--since takes a commit or a date', async () => {
      const fromCommit = await runProgress({ cwd: dir, history: true, since: commits.stabilized });
      expect(fromCommit.history!.points.map((p) => p.commit)).toEqual([commits.stabilized, commits.asyncCore, commits.finished]);
      const fromDate = await runProgress({ cwd: dir, history: true, since: '2024-02-10' });
      expect(fromDate.history!.points.map((p) => p.commit)).toEqual([commits.swapped, commits.stabilized, commits.asyncCore, commits.finished]);
      await expect(runProgress({ cwd: dir, history: true, since: 'no-such-thing' })).rejects.toThrow(HistoryError);
    });

    it('a shallow clone says how far back it could go', async () => {
      const holder = mkdtempSync(path.join(tmpdir(), 'loop-audit-shallow-'));
      try {
        const clone = path.join(holder, 'clone');
        git(holder, 'clone', '-q', '--depth', '2', `file://${dir}`, clone);
        const { history } = await runProgress({ cwd: clone, history: true });
        expect(history!.shallow).toBe(true);
        expect(history!.points.map((p) => p.commit)).toEqual([commits.asyncCore, commits.finished]);
        expect(history!.notes.join('\n')).toMatch(new RegExp(`shallow clone: history goes back only to ${commits.asyncCore!.slice(0, 12)}`));
        const rendered = await runProgress({ cwd: clone, history: true, format: 'markdown' });
        expect(rendered.text).toContain('shallow clone');
      } finally {
        rmSync(holder, { recursive: true, force: true });
      }
    });

    it('removes the worktree when scanning fails, and reports the commits it could not scan', async () => {
      const before = userState(dir);
      const cacheDir = mkdtempSync(path.join(tmpdir(), 'loop-audit-cache-'));
      let scannedIn = '';
      try {
        const history = await computeHistory({
          root: dir,
          phases: DEFAULT_PHASES,
          maxPoints: 2,
          cacheDir,
          cacheKey: 'failing scanner',
          scan: async (tree) => {
            scannedIn = tree;
            expect(existsSync(path.join(tree, 'package.json'))).toBe(true);
            throw new Error('scanner exploded');
          },
        });
        expect(history.points).toEqual([]);
        expect(history.notes).toHaveLength(2);
        expect(history.notes[0]).toContain('could not be scanned (scanner exploded)');
      } finally {
        rmSync(cacheDir, { recursive: true, force: true });
      }
      expect(scannedIn).not.toBe('');
      expect(existsSync(scannedIn)).toBe(false);
      expect(userState(dir)).toBe(before);
    });

    it.skipIf(!existsSync(CHROMIUM))(
      `the html report with the burndown renders in headless Chromium, offline${existsSync(CHROMIUM) ? '' : ` (SKIPPED: ${CHROMIUM} is not installed; apt-get install -y chromium)`}`,
      async () => {
        const written = await cli(dir, 'progress', '--history', '--max-points', '5', '--format', 'html', '--output', 'progress.html');
        expect(written.code).toBe(0);
        const file = path.join(dir, 'progress.html');
        const html = readFileSync(file, 'utf8');
        expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
        const { chromium } = await import('playwright-core');
        const browser = await chromium.launch({
          executablePath: CHROMIUM,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
        });
        try {
          const page = await browser.newPage();
          const requested: string[] = [];
          page.on('request', (request) => requested.push(request.url()));
          await page.goto(pathToFileURL(file).href);
          expect(requested).toEqual([pathToFileURL(file).href]);
          expect(await page.title()).toBe('loop-audit migration progress');
          expect(await page.locator('#phases tbody tr').count()).toBe(6);
          expect(await page.locator('#phase-chart .phase-bar').count()).toBe(6);
          // One line per phase and one for the total, each through the five sampled commits.
          const series = page.locator('#burndown-chart polyline.series');
          expect(await series.count()).toBe(7);
          expect((await series.first().getAttribute('points'))!.trim().split(/\s+/)).toHaveLength(5);
          const box = await page.locator('#burndown-chart').boundingBox();
          expect(box!.width).toBeGreaterThan(300);
          expect(box!.height).toBeGreaterThan(100);
          expect(await page.locator('#headline').textContent()).toContain('complete');
        } finally {
          await browser.close();
          rmSync(file, { force: true });
        }
      },
    );

    it('an interrupted run (SIGINT) still removes its worktree', async () => {
      const before = userState(dir);
      const holder = mkdtempSync(path.join(tmpdir(), 'loop-audit-signal-'));
      try {
        const script = path.join(holder, 'interrupted.mjs');
        const historyModule = pathToFileURL(fileURLToPath(new URL('../../src/progress/history.ts', import.meta.url))).href;
        writeFileSync(
          script,
          `import { computeHistory } from ${JSON.stringify(historyModule)};
await computeHistory({
  root: ${JSON.stringify(dir)}, phases: [], maxPoints: 1, cacheKey: 'interrupted', cacheDir: ${JSON.stringify(path.join(holder, 'cache'))},
  // A scan that never ends: the only way out is the signal.
  scan: (tree) => new Promise(() => { setInterval(() => {}, 1000); console.log('SCANNING ' + tree); }),
});
`,
        );
        // The legacy app's own TypeScript loader hooks run this repository's sources under plain node.
        const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(LEGACY_APP, 'src/lib/register-ts.mjs')).href, script], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        const tree = await new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (chunk) => {
            out += chunk;
            const match = /SCANNING (.+)\n/.exec(out);
            if (match) resolve(match[1]!);
          });
          child.on('exit', () => reject(new Error(`child exited before scanning: ${stderr}`)));
        });
        expect(existsSync(tree)).toBe(true);
        const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
        child.kill('SIGINT');
        expect(await exited).toBe('SIGINT');
        expect(existsSync(tree)).toBe(false);
        expect(userState(dir)).toBe(before);
      } finally {
        rmSync(holder, { recursive: true, force: true });
      }
    });

    it('needs a git work tree', async () => {
      const plain = mkdtempSync(path.join(tmpdir(), 'loop-audit-nogit-'));
      try {
        await expect(computeHistory({ root: plain, phases: DEFAULT_PHASES, cacheKey: 'x', scan: async () => ({ findings: [], files: [] }) })).rejects.toThrow(/not inside a git work tree/);
      } finally {
        rmSync(plain, { recursive: true, force: true });
      }
    });
  });
});
