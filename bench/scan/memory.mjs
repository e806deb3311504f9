#!/usr/bin/env node
// Memory benchmark on a large plain-JavaScript subject: `npm run bench:memory` (builds first).
// The subject is webpack's lib folder (829 CommonJS files, typed only through JSDoc), from the
// pinned npm tarball, unpacked into bench/.work (gitignored; its code is never committed). In one
// run, in interleaved rounds, it measures peak RSS (and wall and CPU time) of a cold
// `loop-audit scan lib` and of typed ESLint over the same files with the same compiler options
// loop-audit infers for a tree without a tsconfig (allowJs, no checkJs), running
// typescript-eslint's no-floating-promises and no-misused-promises. GNU time gives the numbers.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SUBJECT = { name: 'webpack', version: '5.113.0' };
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const work = path.join(repo, 'bench/.work/memory');
const project = path.join(work, `${SUBJECT.name}-${SUBJECT.version}`, 'package');
const gnuTime = '/usr/bin/time';

function setup() {
  if (existsSync(path.join(project, 'lib'))) return;
  mkdirSync(work, { recursive: true });
  const tarball = execFileSync('npm', ['pack', `${SUBJECT.name}@${SUBJECT.version}`, '--silent', '--pack-destination', work], { cwd: work, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
  mkdirSync(path.dirname(project), { recursive: true });
  execFileSync('tar', ['xzf', path.join(work, tarball), '-C', path.dirname(project)]);
  // Its own repository, so this repository's .gitignore (which ignores bench/.work) does not apply.
  execFileSync('git', ['init', '-q', project]);
  // loop-audit's inferred options for a tree without a tsconfig (src/scan/project.ts inferredOptions).
  writeFileSync(
    path.join(project, 'tsconfig.lint.json'),
    `${JSON.stringify({ compilerOptions: { allowJs: true, checkJs: false, noEmit: true, target: 'esnext', module: 'esnext', moduleResolution: 'bundler', jsx: 'preserve', resolveJsonModule: true, skipLibCheck: true, esModuleInterop: true, allowSyntheticDefaultImports: true, maxNodeModuleJsDepth: 0 }, include: ['lib'] }, null, 2)}\n`,
  );
  writeFileSync(
    path.join(project, 'eslint.config.mjs'),
    `import tseslint from 'typescript-eslint';
export default [
  {
    files: ['lib/**/*.js'],
    languageOptions: { sourceType: 'commonjs', parser: tseslint.parser, parserOptions: { project: './tsconfig.lint.json', tsconfigRootDir: import.meta.dirname } },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: { '@typescript-eslint/no-floating-promises': 'error', '@typescript-eslint/no-misused-promises': 'error' },
  },
];
`,
  );
}

function measure(label, args) {
  const child = spawnSync(gnuTime, ['-f', '__TIME__ %e %M %U %S', process.execPath, ...args], { cwd: project, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  if (child.error) throw child.error;
  const fields = (child.stderr.split('\n').find((line) => line.startsWith('__TIME__')) ?? '').split(' ');
  if (fields.length < 5) throw new Error(`${label}: no GNU time output\n${child.stderr}`);
  return { label, wall: Number(fields[1]), rssMiB: Number(fields[2]) / 1024, cpu: Number(fields[3]) + Number(fields[4]), status: child.status, stdout: child.stdout };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function main() {
  if (!existsSync(gnuTime)) throw new Error('needs GNU time at /usr/bin/time (apt-get install time)');
  setup();
  const scanArgs = [path.join(repo, 'dist/src/cli/bin.js'), 'scan', 'lib', '--format', 'json', '--fail-on', 'off', '--quiet'];
  const eslintArgs = [path.join(repo, 'node_modules/eslint/bin/eslint.js'), '--no-warn-ignored', '--format', 'json', 'lib'];
  const runs = { scan: [], eslint: [] };
  for (let round = 0; round < REPEATS; round++) {
    runs.scan.push(measure('loop-audit scan lib (cold, no cache)', scanArgs));
    runs.eslint.push(measure('eslint lib (typed: no-floating-promises, no-misused-promises)', eslintArgs));
  }
  const report = JSON.parse(runs.scan.at(-1).stdout);
  const eslintReport = JSON.parse(runs.eslint.at(-1).stdout || '[]');
  const cpu = os.cpus();
  console.log(
    `Subject: ${SUBJECT.name}@${SUBJECT.version} lib/ (npm): loop-audit analysed ${report.summary.files} files (${report.errors.length} skipped or failed), ${report.summary.findings} findings; eslint linted ${eslintReport.length} files`,
  );
  console.log(
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const summary = {};
  for (const [key, list] of Object.entries(runs)) {
    summary[key] = {
      rssMiB: median(list.map((r) => r.rssMiB)),
      wall: median(list.map((r) => r.wall)),
      cpu: median(list.map((r) => r.cpu)),
      rssRange: [Math.min(...list.map((r) => r.rssMiB)), Math.max(...list.map((r) => r.rssMiB))],
    };
    const s = summary[key];
    console.log(
      `${s.rssMiB.toFixed(0).padStart(6)} MiB peak RSS [${s.rssRange.map((v) => v.toFixed(0)).join('–')}]  ${s.wall.toFixed(1).padStart(6)} s wall  ${s.cpu.toFixed(1).padStart(6)} s cpu  (${list.length} runs, exit ${list[0].status})  ${list[0].label}`,
    );
  }
  const ratio = summary.scan.rssMiB / summary.eslint.rssMiB;
  console.log(`peak RSS scan / eslint  ${ratio.toFixed(3)}  ${ratio <= 1 ? '≤ target 1: met' : '> target 1: MISSED'}`);
  writeFileSync(path.join(work, 'results.json'), JSON.stringify({ subject: SUBJECT, loadavg: os.loadavg(), summary }, null, 2));
}

main();
