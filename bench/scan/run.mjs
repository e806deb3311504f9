#!/usr/bin/env node
// Scanner benchmark: `npm run bench` (builds first). In one run, over the same files of a real,
// pinned TypeScript code base from the npm registry, it times loop-audit scan cold, typed ESLint
// with typescript-eslint's no-floating-promises + no-misused-promises, `oxlint --type-aware` with the
// same two rules, and loop-audit scan warm with --cache (unchanged, then with one file edited).
// Wall time, CPU time (user + system) and peak RSS come from /usr/bin/time (GNU time) when present.
// The machine may be shared: every contender runs BENCH_REPEATS times (default 3), in interleaved
// rounds so a busy moment hits all of them alike, and the report gives medians with the range.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SUBJECT = { name: 'rxjs', version: '7.8.2' };
// A leaf operator: re-exported by the barrels, imported by no other operator.
const EDITED_FILE = 'src/internal/operators/skipLast.ts';
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
/** Warm runs are short: more of them per round. */
const WARM_REPEATS = Number(process.env.BENCH_WARM_REPEATS ?? 5);

const work = path.join(repo, 'bench/.work/scan');
const project = path.join(work, `${SUBJECT.name}-${SUBJECT.version}`, 'package');
const bin = path.join(repo, 'dist/src/cli/bin.js');
// Its own directory: the scan cache and the V8 code caches kept beside it; a cold run removes it all.
const cacheDir = path.join(work, 'cache');
const cacheFile = path.join(cacheDir, 'scan-cache.json');
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function sh(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
}

/** npm pack the pinned version into bench/.work (gitignored) and unpack it; its code is never committed. */
function setup() {
  if (existsSync(path.join(project, 'src'))) return;
  mkdirSync(work, { recursive: true });
  const tarball = sh('npm', ['pack', `${SUBJECT.name}@${SUBJECT.version}`, '--silent', '--pack-destination', work], { cwd: work }).trim().split('\n').pop();
  const into = path.dirname(project);
  mkdirSync(into, { recursive: true });
  sh('tar', ['xzf', path.join(work, tarball), '-C', into]);
  // A repository of its own, as the project would be: the .gitignore of this repository (which
  // ignores bench/.work) does not apply to it, for loop-audit and oxlint alike.
  sh('git', ['init', '-q', project]);
  // typescript-eslint and oxlint read their configuration from the project.
  writeFileSync(
    path.join(project, 'eslint.config.mjs'),
    `import tseslint from 'typescript-eslint';
export default [
  {
    files: ['src/**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: { '@typescript-eslint/no-floating-promises': 'error', '@typescript-eslint/no-misused-promises': 'error' },
  },
];
`,
  );
  writeFileSync(
    path.join(project, '.oxlintrc.json'),
    JSON.stringify({ categories: { correctness: 'off' }, rules: { 'typescript/no-floating-promises': 'error', 'typescript/no-misused-promises': 'error' } }, null, 2),
  );
}

/** Runs a command to completion and returns wall seconds, CPU seconds (user + system) and peak RSS (MiB), plus its exit status. */
function measure(label, command, args) {
  const started = process.hrtime.bigint();
  const wrapped = gnuTime ? [gnuTime, ['-f', '__TIME__ %e %M %U %S', command, ...args]] : [command, args];
  const child = spawnSync(wrapped[0], wrapped[1], { cwd: project, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const line = (child.stderr ?? '').split('\n').find((l) => l.startsWith('__TIME__'));
  const fields = line?.split(' ');
  const rssMiB = fields ? Number(fields[2]) / 1024 : undefined;
  const cpu = fields ? Number(fields[3]) + Number(fields[4]) : undefined;
  if (child.error) throw child.error;
  return { label, wall, cpu, rssMiB, status: child.status, stdout: child.stdout, stderr: (child.stderr ?? '').replace(/^__TIME__.*$/m, '').trim() };
}

function middle(values) {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  return sorted.length === 0 ? undefined : sorted[Math.floor(sorted.length / 2)];
}

/** Medians of several runs of one contender (each measure on its own), with the wall-time range. */
function summarize(runs) {
  const walls = runs.map((r) => r.wall);
  return {
    label: runs[0].label,
    runs: runs.length,
    wall: middle(walls),
    wallMin: Math.min(...walls),
    wallMax: Math.max(...walls),
    cpu: middle(runs.map((r) => r.cpu)),
    rssMiB: middle(runs.map((r) => r.rssMiB)),
    status: runs[0].status,
    stdout: runs[runs.length - 1].stdout,
    stderr: runs[runs.length - 1].stderr,
  };
}

const scanArgs = [bin, 'scan', 'src', '--format', 'json', '--fail-on', 'off', '--quiet', '--cache', '--cache-location', cacheFile];
// BENCH_COMPARE_BIN=<another build's dist/src/cli/bin.js>: also time that build's cold, warm and
// one-edit runs in the same rounds (before/after comparisons on a noisy machine), with its own cache.
const compareBin = process.env.BENCH_COMPARE_BIN ? path.resolve(process.env.BENCH_COMPARE_BIN) : undefined;
const compareCacheDir = path.join(work, 'cache-compare');
const compareArgs = compareBin && [compareBin, 'scan', 'src', '--format', 'json', '--fail-on', 'off', '--quiet', '--cache', '--cache-location', path.join(compareCacheDir, 'scan-cache.json')];

function main() {
  setup();
  const editedPath = path.join(project, EDITED_FILE);
  const original = readFileSync(editedPath, 'utf8');
  const runs = { cold: [], eslint: [], oxlint: [], warm: [], edit: [], compareCold: [], compareWarm: [], compareEdit: [] };
  const results = {};
  const oxlintBin = path.join(repo, 'node_modules/.bin/oxlint');
  const eslintArgs = [path.join(repo, 'node_modules/eslint/bin/eslint.js'), '--no-warn-ignored', '--format', 'json', 'src'];
  // Node's own start-up, the floor under any warm run.
  results.nodeStartup = summarize(Array.from({ length: WARM_REPEATS }, () => measure('node -e 0', process.execPath, ['-e', '0'])));
  try {
    for (let round = 0; round < REPEATS; round++) {
      // Cold: no scan cache and no V8 code cache.
      rmSync(cacheDir, { recursive: true, force: true });
      runs.cold.push(measure('loop-audit scan, cold', process.execPath, scanArgs));
      runs.eslint.push(measure('eslint (typed: no-floating-promises, no-misused-promises)', process.execPath, eslintArgs));
      if (existsSync(oxlintBin)) runs.oxlint.push(measure('oxlint --type-aware (same two rules)', oxlintBin, ['--type-aware', '--format', 'json', 'src']));
      for (let i = 0; i < WARM_REPEATS; i++) runs.warm.push(measure('loop-audit scan --cache, unchanged', process.execPath, scanArgs));
      for (let i = 0; i < WARM_REPEATS; i++) {
        writeFileSync(editedPath, `${original}\n// bench edit ${Date.now()} ${round}.${i}\n`);
        runs.edit.push(measure(`loop-audit scan --cache, ${EDITED_FILE} edited`, process.execPath, scanArgs));
      }
      writeFileSync(editedPath, original);
      if (compareArgs) {
        rmSync(compareCacheDir, { recursive: true, force: true });
        runs.compareCold.push(measure(`compared build (${compareBin}): cold`, process.execPath, compareArgs));
        for (let i = 0; i < WARM_REPEATS; i++) runs.compareWarm.push(measure('compared build: --cache, unchanged', process.execPath, compareArgs));
        for (let i = 0; i < WARM_REPEATS; i++) {
          writeFileSync(editedPath, `${original}\n// bench edit ${Date.now()} ${round}.${i}\n`);
          runs.compareEdit.push(measure(`compared build: --cache, ${EDITED_FILE} edited`, process.execPath, compareArgs));
        }
        writeFileSync(editedPath, original);
        if (runs.compareCold.at(-1).stdout !== runs.cold.at(-1).stdout) console.log('note: the compared build reports differently from this one');
      }
    }
  } finally {
    writeFileSync(editedPath, original);
  }
  for (const [key, list] of Object.entries(runs)) if (list.length > 0) results[key] = summarize(list);

  const report = JSON.parse(results.cold.stdout);
  results.files = report.summary.files;
  results.findings = report.summary.findings;
  const eslintReport = JSON.parse(results.eslint.stdout || '[]');
  results.eslintFiles = eslintReport.length;
  results.eslintFindings = eslintReport.reduce((n, r) => n + r.messages.length, 0);
  if (results.oxlint) {
    try {
      results.oxlintFindings = (JSON.parse(results.oxlint.stdout).diagnostics ?? []).length;
    } catch {
      results.oxlintFindings = undefined;
    }
  }

  const seconds = (value) => (value === undefined ? '    n/a' : `${value.toFixed(3).padStart(7)}`);
  const fmt = (r) =>
    `${seconds(r.wall)} s [${r.wallMin.toFixed(3)}–${r.wallMax.toFixed(3)}]  cpu ${seconds(r.cpu)} s  ${r.rssMiB === undefined ? '    n/a' : `${r.rssMiB.toFixed(0).padStart(5)} MiB`}  (exit ${r.status}, ${r.runs} runs)  ${r.label}`;
  const cpu = os.cpus();
  console.log(`Subject: ${SUBJECT.name}@${SUBJECT.version} (npm), ${results.files} source files scanned, ${results.findings} loop-audit findings; eslint linted ${results.eslintFiles} files (${results.eslintFindings} messages)${results.oxlint ? `, oxlint reported ${results.oxlintFindings ?? '?'}` : ''}`);
  console.log(`Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('Medians (wall range in brackets):');
  console.log('');
  for (const key of ['cold', 'eslint', 'oxlint', 'warm', 'edit', 'nodeStartup', 'compareCold', 'compareWarm', 'compareEdit']) if (results[key]) console.log(fmt(results[key]));
  if (!results.oxlint) console.log('oxlint: not installed (npm i -D oxlint oxlint-tsgolint)');
  else if (results.oxlint.status !== 0 && results.oxlint.status !== 1) console.log(`oxlint failed: ${results.oxlint.stderr.slice(0, 500)}`);
  console.log('');
  const ratio = (a, b) => a / b;
  const checks = [
    ['cold / eslint', ratio(results.cold.wall, results.eslint.wall), 1 / 3],
    ['warm unchanged / cold', ratio(results.warm.wall, results.cold.wall), 1 / 50],
    ['warm one edit / cold', ratio(results.edit.wall, results.cold.wall), 1 / 10],
  ];
  if (results.cold.rssMiB !== undefined && results.eslint.rssMiB !== undefined) checks.push(['peak RSS cold / eslint', ratio(results.cold.rssMiB, results.eslint.rssMiB), 1]);
  if (results.cold.cpu !== undefined && results.eslint.cpu !== undefined) checks.push(['cpu cold / eslint', ratio(results.cold.cpu, results.eslint.cpu), undefined]);
  if (results.oxlint) checks.push(['cold / oxlint', ratio(results.cold.wall, results.oxlint.wall), undefined]);
  for (const [name, value, target] of checks) {
    const verdict = target === undefined ? '' : value <= target ? `  ≤ target ${target === 1 ? '1' : `1/${Math.round(1 / target)}`}: met` : `  > target ${target === 1 ? '1' : `1/${Math.round(1 / target)}`}: MISSED`;
    console.log(`${name.padEnd(24)} ${value.toFixed(4)} (1/${(1 / value).toFixed(1)})${verdict}`);
  }
  writeFileSync(path.join(work, 'results.json'), JSON.stringify(results, (k, v) => (k === 'stdout' ? undefined : v), 2));
}

main();
