#!/usr/bin/env node
// Scanner benchmark: `npm run bench` (builds first). In one run, over the same files of a real,
// pinned TypeScript code base from the npm registry, it times loop-audit scan cold, typed ESLint
// with typescript-eslint's no-floating-promises + no-misused-promises, `oxlint --type-aware` with the
// same two rules, and loop-audit scan warm with --cache (unchanged, then with one file edited).
// Wall time and peak RSS come from /usr/bin/time (GNU time) when present.
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

const work = path.join(repo, 'bench/.work/scan');
const project = path.join(work, `${SUBJECT.name}-${SUBJECT.version}`, 'package');
const bin = path.join(repo, 'dist/src/cli/bin.js');
const cacheFile = path.join(work, 'scan-cache.json');
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

/** Runs a command to completion and returns wall seconds and peak RSS (MiB), plus its exit status. */
function measure(label, command, args) {
  const started = process.hrtime.bigint();
  const wrapped = gnuTime ? [gnuTime, ['-f', '__TIME__ %e %M', command, ...args]] : [command, args];
  const child = spawnSync(wrapped[0], wrapped[1], { cwd: project, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const line = (child.stderr ?? '').split('\n').find((l) => l.startsWith('__TIME__'));
  const rssMiB = line ? Number(line.split(' ')[2]) / 1024 : undefined;
  if (child.error) throw child.error;
  return { label, wall, rssMiB, status: child.status, stdout: child.stdout, stderr: (child.stderr ?? '').replace(/^__TIME__.*$/m, '').trim() };
}

function median(runs) {
  const sorted = [...runs].sort((a, b) => a.wall - b.wall);
  return sorted[Math.floor(sorted.length / 2)];
}

const scanArgs = [bin, 'scan', 'src', '--format', 'json', '--fail-on', 'off', '--quiet', '--cache', '--cache-location', cacheFile];

function main() {
  setup();
  const editedPath = path.join(project, EDITED_FILE);
  const original = readFileSync(editedPath, 'utf8');
  const results = {};
  try {
    rmSync(cacheFile, { force: true });
    results.cold = measure('loop-audit scan, cold', process.execPath, scanArgs);
    const report = JSON.parse(results.cold.stdout);
    results.files = report.summary.files;
    results.findings = report.summary.findings;

    results.eslint = measure('eslint (typed: no-floating-promises, no-misused-promises)', process.execPath, [
      path.join(repo, 'node_modules/eslint/bin/eslint.js'),
      '--no-warn-ignored',
      '--format',
      'json',
      'src',
    ]);
    const eslintReport = JSON.parse(results.eslint.stdout || '[]');
    results.eslintFiles = eslintReport.length;
    results.eslintFindings = eslintReport.reduce((n, r) => n + r.messages.length, 0);

    const oxlintBin = path.join(repo, 'node_modules/.bin/oxlint');
    if (existsSync(oxlintBin)) {
      results.oxlint = measure('oxlint --type-aware (same two rules)', oxlintBin, ['--type-aware', '--format', 'json', 'src']);
      try {
        const parsed = JSON.parse(results.oxlint.stdout);
        results.oxlintFindings = (parsed.diagnostics ?? []).length;
      } catch {
        results.oxlintFindings = undefined;
      }
    }

    results.warm = median(Array.from({ length: REPEATS }, () => measure('loop-audit scan --cache, unchanged', process.execPath, scanArgs)));
    results.edit = median(
      Array.from({ length: REPEATS }, (_, i) => {
        writeFileSync(editedPath, `${original}\n// bench edit ${Date.now()} ${i}\n`);
        return measure(`loop-audit scan --cache, ${EDITED_FILE} edited`, process.execPath, scanArgs);
      }),
    );
  } finally {
    writeFileSync(editedPath, original);
  }

  const fmt = (r) => `${r.wall.toFixed(3).padStart(8)} s  ${r.rssMiB === undefined ? '    n/a' : `${r.rssMiB.toFixed(0).padStart(5)} MiB`}  (exit ${r.status})  ${r.label}`;
  const cpu = os.cpus();
  console.log(`Subject: ${SUBJECT.name}@${SUBJECT.version} (npm), ${results.files} source files scanned, ${results.findings} loop-audit findings; eslint linted ${results.eslintFiles} files (${results.eslintFindings} messages)${results.oxlint ? `, oxlint reported ${results.oxlintFindings ?? '?'}` : ''}`);
  console.log(`Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, node ${process.version}`);
  console.log('');
  for (const key of ['cold', 'eslint', 'oxlint', 'warm', 'edit']) if (results[key]) console.log(fmt(results[key]));
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
  if (results.oxlint) checks.push(['cold / oxlint', ratio(results.cold.wall, results.oxlint.wall), undefined]);
  for (const [name, value, target] of checks) {
    const verdict = target === undefined ? '' : value <= target ? `  ≤ target ${target === 1 ? '1' : `1/${Math.round(1 / target)}`}: met` : `  > target ${target === 1 ? '1' : `1/${Math.round(1 / target)}`}: MISSED`;
    console.log(`${name.padEnd(24)} ${value.toFixed(4)} (1/${(1 / value).toFixed(1)})${verdict}`);
  }
  writeFileSync(path.join(work, 'results.json'), JSON.stringify(results, (k, v) => (k === 'stdout' ? undefined : v), 2));
}

main();
