#!/usr/bin/env node
// The codemod on real code: `npm run codemod [-- <name>...]` (builds first). For each repository of
// bench/codemod/repos.json: a copy of the pinned commit goes to <CODEMOD_WORK>/<name> (its own git
// repository, so discovery stops there and every step is a commit to diff), its dependencies are installed
// with the repository's own package manager, and @loop-audit/runtime from this workspace's packed tarball
// (what `npm install` would fetch once it is published). Then the repository's own checks (tsc, tests,
// format check) run before and after each loop-audit step, and each step runs a second time to show it has
// nothing left to do. Results: bench/.work/codemod/results.json and a markdown table on stdout
// (docs/codemod-results.md is written from it).
//
// The copies live outside this repository (CODEMOD_WORK, default <tmpdir>/loop-audit-codemod): prettier,
// vitest and ESLint look for their config in parent folders, so a copy inside this repository would be
// checked with loop-audit's .prettierrc.json and vitest.config.ts instead of its own defaults.
//
// The snapshots come from the search tool's mirror (LOOP_AUDIT_MIRROR, default /work/.mirror):
// `fetch github:<owner>/<name>` brings a repository there with its history; this script only reads it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const resultsDir = path.join(root, 'bench/.work/codemod');
const work = path.resolve(process.env.CODEMOD_WORK ?? path.join(os.tmpdir(), 'loop-audit-codemod'));
// CODEMOD_BIN: a copy of dist/ to measure while the sources change (the test setup rebuilds dist/).
const bin = process.env.CODEMOD_BIN ? path.resolve(process.env.CODEMOD_BIN) : path.join(root, 'dist/src/cli/bin.js');
const mirror = process.env.LOOP_AUDIT_MIRROR ?? '/work/.mirror';
const config = JSON.parse(readFileSync(path.join(root, 'bench/codemod/repos.json'), 'utf8'));
const only = process.argv.slice(2);
const TIMEOUT = 15 * 60 * 1000;

function run(command, args, cwd, extra = {}) {
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: TIMEOUT,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', ...extra.env },
    input: extra.input,
  });
  return { status: result.status ?? (result.signal ? 128 : 1), stdout: result.stdout ?? '', stderr: result.stderr ?? '', seconds: (Date.now() - started) / 1000 };
}

function sh(command, args, cwd) {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
}

function git(dir, ...args) {
  return sh('git', ['-c', 'user.email=bench@loop-audit', '-c', 'user.name=bench', ...args], dir);
}

/** The pinned commit, unpacked into a fresh directory that is a git repository of its own. */
function materialize(entry) {
  const gitDir = path.join(mirror, entry.repo.replace('/', '+'), 'repo');
  if (!existsSync(gitDir)) throw new Error(`${entry.repo}: no snapshot in ${gitDir}; fetch github:${entry.repo} with the search tool first`);
  const dir = path.join(work, entry.name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = spawnSync('git', ['--git-dir', gitDir, 'archive', '--format=tar', entry.commit], { maxBuffer: 1024 * 1024 * 1024 });
  if (archive.status !== 0) throw new Error(`${entry.repo}: commit ${entry.commit} is not in the snapshot (${archive.stderr})`);
  spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', `${entry.repo}@${entry.commit}`);
  return dir;
}

/** tsc's errors as `file: TScode message` (no positions: a fix moves lines), counted. */
function tscErrors(output) {
  const errors = new Map();
  for (const line of output.split('\n')) {
    const match = /^(.+?)\(\d+,\d+\): error (TS\d+): (.*)$/.exec(line.trim());
    if (!match) continue;
    const key = `${match[1]}: ${match[2]} ${match[3]}`;
    errors.set(key, (errors.get(key) ?? 0) + 1);
  }
  const total = (output.match(/error TS\d+/g) ?? []).length;
  return { total, errors };
}

/** Passed and failed test counts from jest's, vitest's, mocha's or node's summary, else just the exit code. */
function testCounts(raw) {
  // eslint-disable-next-line no-control-regex
  const output = raw.replace(/\x1b\[[0-9;]*m/g, '');
  const jest = /Tests:\s+(?:(\d+) failed, )?(?:(\d+) skipped, )?(?:(\d+) passed, )?(\d+) total/.exec(output);
  if (jest) return { passed: Number(jest[3] ?? 0), failed: Number(jest[1] ?? 0) };
  // vitest: ` Tests  2 failed | 45 passed | 1 skipped (48)`
  const vitest = [...output.matchAll(/^\s*Tests\s+(.*\(\d+\))\s*$/gm)].at(-1);
  if (vitest) {
    const count = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(vitest[1])?.[1] ?? 0);
    return { passed: count('passed'), failed: count('failed') };
  }
  const mocha = /^\s*(\d+) passing \([^)]*\)\s*$(?:[\s\S]*?^\s*(?:\d+) pending\s*$)?(?:[\s\S]*?^\s*(\d+) failing\s*$)?/m.exec(output);
  if (mocha) return { passed: Number(mocha[1]), failed: Number(mocha[2] ?? 0) };
  const should = [...output.matchAll(/(\d+) (?:tests? )?passed(?:, (\d+) failed)?/g)].at(-1);
  if (should) return { passed: Number(should[1]), failed: Number(should[2] ?? 0) };
  const node = /# pass (\d+)[\s\S]*?# fail (\d+)/.exec(output);
  if (node) return { passed: Number(node[1]), failed: Number(node[2]) };
  return {};
}

/** The files a format check names (prettier's `[warn] file`, biome's `file format`). */
function formatFiles(output) {
  return [...new Set([...output.matchAll(/^\[warn\] (?!Code style issues)(.+)$/gm)].map((m) => m[1].trim()))].sort();
}

/**
 * The repository's checks. A test suite that fails is run again, up to TEST_RUNS times in all, so a
 * timing-sensitive suite (real fs events) reports how often it fails rather than one draw.
 */
const TEST_RUNS = Number(process.env.CODEMOD_TEST_RUNS ?? 3);

function checks(entry, dir) {
  const result = {};
  const tsc = run(entry.checks.tsc[0], entry.checks.tsc.slice(1), dir);
  result.tsc = { status: tsc.status, ...tscErrors(`${tsc.stdout}\n${tsc.stderr}`) };
  const runs = [];
  for (let i = 0; i < TEST_RUNS; i++) {
    const test = run(entry.checks.test[0], entry.checks.test.slice(1), dir);
    runs.push({ status: test.status, ...testCounts(`${test.stdout}\n${test.stderr}`), seconds: test.seconds, tail: `${test.stdout}\n${test.stderr}`.trim().split('\n').slice(-15).join('\n') });
    if (test.status === 0) break;
  }
  result.test = { ...runs.at(-1), runs: runs.length, failedRuns: runs.filter((r) => r.status !== 0).length, firstFailure: runs.find((r) => r.status !== 0)?.tail };
  const format = run(entry.checks.format[0], entry.checks.format.slice(1), dir);
  result.format = { status: format.status, files: formatFiles(`${format.stdout}\n${format.stderr}`) };
  return result;
}

function scanCounts(dir) {
  const scan = run(process.execPath, [bin, 'scan', '--format', 'json', '--fail-on', 'off'], dir);
  if (scan.status !== 0) throw new Error(`loop-audit scan failed in ${dir}: ${scan.stderr}`);
  const report = JSON.parse(scan.stdout);
  const findings = report.findings ?? [];
  return {
    files: report.summary.files,
    findings: findings.length,
    fixable: findings.filter((f) => f.fixable).length,
    byRule: Object.fromEntries(['no-floating-promise', 'no-sync-bridge', 'no-loop-per-call', 'no-sync-wrapper'].map((rule) => [rule, findings.filter((f) => f.ruleId.endsWith(rule)).length])),
  };
}

function loopAudit(dir, args) {
  const command = args[0];
  const format = command === 'migrate' ? ['--format', 'json'] : ['--format', 'json', '--fail-on', 'off'];
  const result = run(process.execPath, [bin, ...args, ...format], dir);
  let report;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    throw new Error(`loop-audit ${args.join(' ')} in ${dir} printed no JSON (exit ${result.status}): ${result.stderr}`);
  }
  return { status: result.status, report, stderr: result.stderr };
}

function compare(before, after) {
  const newTsc = [];
  for (const [key, count] of after.tsc.errors) if (count > (before.tsc.errors.get(key) ?? 0)) newTsc.push(key);
  const newFormat = after.format.files.filter((file) => !before.format.files.includes(file));
  return {
    newTscErrors: newTsc,
    newlyFailingTests: (after.test.failed ?? (after.test.status !== 0 ? 1 : 0)) - (before.test.failed ?? (before.test.status !== 0 ? 1 : 0)),
    testExitChanged: before.test.status !== after.test.status,
    newFormatIssues: newFormat,
    formatExitChanged: before.format.status !== after.format.status,
  };
}

const serialize = (value) => JSON.stringify(value, (key, v) => (v instanceof Map ? Object.fromEntries(v) : v), 2);

function main() {
  if (!existsSync(bin)) throw new Error('build first: npm run build (npm run codemod does)');
  mkdirSync(work, { recursive: true });
  mkdirSync(resultsDir, { recursive: true });
  const packed = sh('npm', ['pack', '--workspace', '@loop-audit/runtime', '--pack-destination', work, '--silent'], root).trim().split('\n').pop();
  const tarball = path.join(work, packed);
  const results = [];
  for (const entry of config.repos) {
    if (only.length > 0 && !only.includes(entry.name)) continue;
    process.stderr.write(`\n== ${entry.name} (${entry.repo}@${entry.commit.slice(0, 7)})\n`);
    const dir = materialize(entry);
    const install = run(entry.install[0], entry.install.slice(1), dir);
    if (install.status !== 0) throw new Error(`${entry.name}: install failed: ${install.stderr.slice(-2000)}`);
    // The runtime as the registry would give it once published. It has no dependencies, so unpacking the tarball
    // where every package manager resolves it (node_modules/@loop-audit/runtime) is the whole install, and it
    // leaves package.json and the lock file (npm's or pnpm's) as they are.
    const runtimeDir = path.join(dir, 'node_modules/@loop-audit/runtime');
    rmSync(runtimeDir, { recursive: true, force: true });
    mkdirSync(runtimeDir, { recursive: true });
    const runtime = run('tar', ['-xzf', tarball, '-C', runtimeDir, '--strip-components=1'], dir);
    if (runtime.status !== 0) throw new Error(`${entry.name}: unpacking the runtime failed: ${runtime.stderr.slice(-2000)}`);
    const scanBefore = scanCounts(dir);
    process.stderr.write(`   scan: ${scanBefore.findings} findings (${scanBefore.fixable} with an autofix) in ${scanBefore.files} files\n`);
    let before = checks(entry, dir);
    process.stderr.write(
      `   before: tsc ${before.tsc.total} errors, tests ${before.test.passed ?? '?'} passed / ${before.test.failed ?? '?'} failed (exit ${before.test.status}), format exit ${before.format.status}\n`,
    );
    const baseline = before;
    const steps = [];
    for (const args of entry.steps) {
      const first = loopAudit(dir, args);
      const summary = first.report.summary;
      git(dir, 'add', '-A');
      git(dir, 'commit', '-qm', `loop-audit ${args.join(' ')}`, '--allow-empty');
      const diffStat = git(dir, 'show', '--stat', '--format=', 'HEAD').trim();
      const after = checks(entry, dir);
      const second = loopAudit(dir, args);
      const status = git(dir, 'status', '--porcelain').trim();
      // Build output of the checks (chokidar's tsc emit) is not the codemod's doing: only tracked files count.
      const secondRunWrites = args[0] === 'migrate' ? second.report.files.filter((f) => f.status === 'written').length : second.report.summary.written;
      const step = {
        args,
        summary,
        notes: first.report.notes,
        dependencies: (first.report.dependencies ?? []).map((d) => d.message),
        files: (first.report.files ?? []).filter((f) => f.changed || f.status === 'written').map((f) => ({ file: f.file, fixes: (f.fixes ?? []).length, formatted: f.formatted })),
        diffStat,
        before,
        after,
        compared: compare(before, after),
        secondRun: { written: secondRunWrites, trackedChanges: status.split('\n').filter((line) => line && !line.startsWith('??')).length },
        scanAfter: scanCounts(dir),
      };
      steps.push(step);
      process.stderr.write(
        `   loop-audit ${args.join(' ')}: ${summary.fixes ?? summary.functionsMadeAsync} fixes in ${summary.written ?? summary.filesChanged} files, ${summary.remaining ?? summary.refusals} remaining, ${summary.suggestions ?? 0} with suggestions; after: tsc ${after.tsc.total}, tests ${after.test.passed ?? '?'}/${after.test.failed ?? '?'} (exit ${after.test.status}), format exit ${after.format.status}; second run wrote ${step.secondRun.written}\n`,
      );
      before = after;
    }
    results.push({ name: entry.name, repo: entry.repo, commit: entry.commit, shape: entry.shape, scanBefore, baseline, steps });
  }
  // A run of some repositories (`npm run codemod -- <name>`) replaces theirs and keeps the others' results.
  const resultsFile = path.join(resultsDir, 'results.json');
  const kept = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')).filter((r) => !results.some((n) => n.name === r.name)) : [];
  const all = config.repos.map((entry) => results.find((r) => r.name === entry.name) ?? kept.find((r) => r.name === entry.name)).filter(Boolean);
  writeFileSync(resultsFile, serialize(all));
  process.stdout.write(table(all));
}

function cell(check) {
  if (!check) return '—';
  return check;
}

function table(results) {
  const lines = [
    '| repository | step | findings before → after | fixes | suggestions | tsc errors | tests (passed/failed, exit) | format check | second run |',
    '| --- | --- | ---: | ---: | ---: | --- | --- | --- | --- |',
  ];
  for (const result of results) {
    for (const step of result.steps) {
      const b = step.before;
      const a = step.after;
      const tests = (c) => `${c.test.passed ?? '?'}/${c.test.failed ?? '?'}, exit ${c.test.status}${c.test.failedRuns ? ` (failed ${c.test.failedRuns} of ${c.test.runs} runs)` : ''}`;
      const format = (c) => (c.format.status === 0 ? 'pass' : `fail (${c.format.files.length} files)`);
      lines.push(
        `| ${result.name} (\`${result.commit.slice(0, 7)}\`) | \`${step.args.join(' ')}\` | ${step.scanAfter ? `${stepFindings(result, step)} → ${step.scanAfter.findings}` : '—'} | ${step.summary.fixes ?? '—'} | ${step.summary.suggestions ?? '—'} | ${b.tsc.total} → ${a.tsc.total}${step.compared.newTscErrors.length ? ` (${step.compared.newTscErrors.length} new)` : ''} | ${tests(b)} → ${tests(a)} | ${format(b)} → ${format(a)} | ${cell(step.secondRun.written === 0 && step.secondRun.trackedChanges === 0 ? 'no-op' : `wrote ${step.secondRun.written}`)} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function stepFindings(result, step) {
  const index = result.steps.indexOf(step);
  return index === 0 ? result.scanBefore.findings : result.steps[index - 1].scanAfter.findings;
}

main();
