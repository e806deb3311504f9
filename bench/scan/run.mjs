#!/usr/bin/env node
// Scanner benchmark: `npm run bench` (builds first). In one run, over the same files of real,
// pinned TypeScript code bases from the npm registry (bench/scan/subjects.mjs: rxjs and the
// mongodb driver), it times loop-audit scan with its TypeScript 7 backend and with its TypeScript 6
// backend (cold), typed ESLint with typescript-eslint's no-floating-promises + no-misused-promises,
// `oxlint --type-aware` with the same two rules, and loop-audit scan warm with --cache (nothing
// changed, then one file edited).
//
// Every contender runs in each round, interleaved, so a busy moment of a shared machine hits all
// alike; the report gives medians with the wall-time range. Wall time is measured here; CPU time
// and peak memory are sampled every 10 ms over the whole process tree (loop-audit's Node process
// plus its TypeScript 7 Go process, oxlint plus its tsgolint, ESLint's one process) from /proc:
// peak RSS is the peak of the tree's summed RSS, CPU the user + system time of every process in
// it. Both checks of this run are also asserted: the two backends' JSON reports must be equal.
//
//   BENCH_REPEATS=5 npm run bench        rounds (default 3)
//   BENCH_WARM_REPEATS=5                 warm runs per round (default 5)
//   BENCH_SUBJECTS=rxjs                  only some subjects
//   BENCH_COMPARE_BIN=<other build>/dist/src/cli/bin.js   also time another build's cold TypeScript 6 run
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { prepareSubject, REPO, SUBJECTS, WORK } from './subjects.mjs';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
/** Warm runs are short: more of them per round. */
const WARM_REPEATS = Number(process.env.BENCH_WARM_REPEATS ?? 5);
const ONLY = process.env.BENCH_SUBJECTS?.split(',');
const bin = path.join(REPO, 'dist/src/cli/bin.js');
const oxlintBin = path.join(REPO, 'node_modules/.bin/oxlint');
const eslintBin = path.join(REPO, 'node_modules/eslint/bin/eslint.js');
const compareBin = process.env.BENCH_COMPARE_BIN ? path.resolve(process.env.BENCH_COMPARE_BIN) : undefined;
const TICKS = 100; // USER_HZ on Linux
const PAGE = 4096;

/** The pids of a process and all its descendants, from /proc/<pid>/task/<tid>/children. */
function tree(root) {
  const pids = [root];
  for (let i = 0; i < pids.length; i++) {
    let tasks;
    try {
      tasks = readdirSync(`/proc/${pids[i]}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        for (const child of readFileSync(`/proc/${pids[i]}/task/${tid}/children`, 'utf8').split(' ')) if (child.trim()) pids.push(Number(child));
      } catch {
        // the task ended
      }
    }
  }
  return pids;
}

/** utime + stime (ticks) and RSS (pages) of one process, or undefined once it is gone. */
function sample(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { cpu: Number(fields[11]) + Number(fields[12]), rss: Number(fields[21]) };
  } catch {
    return undefined;
  }
}

/**
 * Runs a command to completion: wall seconds, CPU seconds of its process tree, peak summed RSS
 * (MiB) of the tree, exit status and output. The TypeScript 7 backend's Go process is part of
 * loop-audit's tree; tsgolint is part of oxlint's.
 */
function measure(label, cwd, command, args, env = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    const cpu = new Map();
    let peak = 0;
    const tick = () => {
      let rss = 0;
      for (const pid of tree(child.pid)) {
        const s = sample(pid);
        if (!s) continue;
        cpu.set(pid, Math.max(cpu.get(pid) ?? 0, s.cpu));
        rss += s.rss;
      }
      peak = Math.max(peak, rss);
    };
    const timer = setInterval(tick, 10);
    child.on('error', reject);
    child.on('close', (status) => {
      clearInterval(timer);
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      let ticks = 0;
      for (const value of cpu.values()) ticks += value;
      resolve({ label, wall, cpu: ticks / TICKS, rssMiB: (peak * PAGE) / 2 ** 20, status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8').trim() });
    });
  });
}

function middle(values) {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  return sorted.length === 0 ? undefined : sorted[Math.floor(sorted.length / 2)];
}

/** Medians of several runs of one contender, with the wall-time range. */
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
    status: runs.at(-1).status,
    stdout: runs.at(-1).stdout,
    stderr: runs.at(-1).stderr,
  };
}

function scanArgs(cacheDir, backend, which = bin) {
  return [which, 'scan', 'src', '--format', 'json', '--fail-on', 'off', '--quiet', '--cache', '--cache-location', path.join(cacheDir, 'scan-cache.json'), '--type-backend', backend];
}

async function benchSubject(subject) {
  const project = prepareSubject(subject);
  const work = path.join(WORK, `${subject.name}-${subject.version}`);
  const cache7 = path.join(work, 'cache-ts7');
  const cache6 = path.join(work, 'cache-ts6');
  const cacheCompare = path.join(work, 'cache-compare');
  const editedPath = path.join(project, subject.edited);
  const original = readFileSync(editedPath, 'utf8');
  const runs = { cold7: [], cold7code: [], cold6: [], eslint: [], oxlint: [], warm7: [], edit7: [], edit6: [], compareCold: [] };
  const editOnce = (round, i) => writeFileSync(editedPath, `${original}\n// bench edit ${Date.now()} ${round}.${i}\n`);
  try {
    for (let round = 0; round < REPEATS; round++) {
      // Cold: no scan cache and no V8 code cache (both live in the cache directory).
      rmSync(cache7, { recursive: true, force: true });
      runs.cold7.push(await measure('loop-audit scan, TypeScript 7 backend, cold', project, process.execPath, scanArgs(cache7, 'typescript7')));
      // No results, but the V8 code cache of TypeScript 6 the cold run left (a CI job that restores the cache folder after the tool changed).
      rmSync(path.join(cache7, 'scan-cache.json'), { force: true });
      runs.cold7code.push(await measure('loop-audit scan, TypeScript 7 backend, no results cached, code cache kept', project, process.execPath, scanArgs(cache7, 'typescript7')));
      rmSync(cache6, { recursive: true, force: true });
      runs.cold6.push(await measure('loop-audit scan, TypeScript 6 backend, cold', project, process.execPath, scanArgs(cache6, 'typescript6')));
      runs.eslint.push(await measure('eslint (typed: no-floating-promises, no-misused-promises)', project, process.execPath, [eslintBin, '--no-warn-ignored', '--format', 'json', 'src']));
      if (existsSync(oxlintBin)) runs.oxlint.push(await measure('oxlint --type-aware (same two rules)', project, oxlintBin, ['--type-aware', '--format', 'json', 'src']));
      for (let i = 0; i < WARM_REPEATS; i++) runs.warm7.push(await measure('loop-audit scan --cache, TypeScript 7, unchanged', project, process.execPath, scanArgs(cache7, 'typescript7')));
      for (let i = 0; i < WARM_REPEATS; i++) {
        editOnce(round, i);
        runs.edit7.push(await measure(`loop-audit scan --cache, TypeScript 7, ${subject.edited} edited`, project, process.execPath, scanArgs(cache7, 'typescript7')));
      }
      writeFileSync(editedPath, original);
      for (let i = 0; i < WARM_REPEATS; i++) {
        editOnce(round, i);
        runs.edit6.push(await measure(`loop-audit scan --cache, TypeScript 6, ${subject.edited} edited`, project, process.execPath, scanArgs(cache6, 'typescript6')));
      }
      writeFileSync(editedPath, original);
      if (compareBin) {
        rmSync(cacheCompare, { recursive: true, force: true });
        runs.compareCold.push(
          await measure(`compared build (${compareBin}): cold`, project, process.execPath, [
            compareBin,
            'scan',
            'src',
            '--format',
            'json',
            '--fail-on',
            'off',
            '--quiet',
            '--cache',
            '--cache-location',
            path.join(cacheCompare, 'scan-cache.json'),
          ]),
        );
      }
    }
  } finally {
    writeFileSync(editedPath, original);
  }
  const results = { subject: `${subject.name}@${subject.version}` };
  for (const [key, list] of Object.entries(runs)) if (list.length > 0) results[key] = summarize(list);
  const seven = JSON.parse(results.cold7.stdout);
  const six = JSON.parse(results.cold6.stdout);
  if (seven.tool.typeBackend !== 'typescript7' || six.tool.typeBackend !== 'typescript6') throw new Error(`${results.subject}: unexpected backends ${seven.tool.typeBackend}/${six.tool.typeBackend}`);
  const sameReport = JSON.stringify({ ...seven, tool: undefined }) === JSON.stringify({ ...six, tool: undefined });
  if (!sameReport) throw new Error(`${results.subject}: the TypeScript 7 and TypeScript 6 backends report differently`);
  results.files = seven.summary.files;
  results.findings = seven.summary.findings;
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
  return results;
}

function report(results) {
  const seconds = (value) => (value === undefined ? '    n/a' : `${value.toFixed(3).padStart(7)}`);
  const fmt = (r) =>
    `${seconds(r.wall)} s [${r.wallMin.toFixed(3)}–${r.wallMax.toFixed(3)}]  cpu ${seconds(r.cpu)} s  ${r.rssMiB.toFixed(0).padStart(5)} MiB  (exit ${r.status}, ${r.runs} runs)  ${r.label}`;
  console.log('');
  console.log(
    `Subject: ${results.subject} (npm), ${results.files} source files scanned, ${results.findings} loop-audit findings (the same from both backends); eslint linted ${results.eslintFiles} files (${results.eslintFindings} messages)${results.oxlint ? `, oxlint reported ${results.oxlintFindings ?? '?'}` : ''}`,
  );
  for (const key of ['cold7', 'cold7code', 'cold6', 'eslint', 'oxlint', 'warm7', 'edit7', 'edit6', 'compareCold']) if (results[key]) console.log(fmt(results[key]));
  if (!results.oxlint) console.log('oxlint: not installed (npm i -D oxlint oxlint-tsgolint)');
  else if (results.oxlint.status !== 0 && results.oxlint.status !== 1) console.log(`oxlint failed: ${results.oxlint.stderr.slice(0, 500)}`);
  const checks = [
    ['TS7 cold / eslint', results.cold7.wall / results.eslint.wall, 1 / 8],
    ['TS7 cold / TS6 cold', results.cold7.wall / results.cold6.wall, 1 / 3],
    ['peak RSS TS7 cold / eslint', results.cold7.rssMiB / results.eslint.rssMiB, 1],
  ];
  if (results.oxlint) {
    checks.push(['TS7 cold / oxlint', results.cold7.wall / results.oxlint.wall, 1.5]);
    checks.push(['TS7 one edit / oxlint', results.edit7.wall / results.oxlint.wall, 1]);
  }
  checks.push(['cpu TS7 cold / eslint', results.cold7.cpu / results.eslint.cpu, undefined]);
  checks.push(['cpu TS7 cold / TS6 cold', results.cold7.cpu / results.cold6.cpu, undefined]);
  if (results.oxlint) checks.push(['cpu TS7 cold / oxlint', results.cold7.cpu / results.oxlint.cpu, undefined]);
  checks.push(['TS6 cold / eslint', results.cold6.wall / results.eslint.wall, undefined]);
  console.log('');
  for (const [name, value, target] of checks) {
    const shown = target === undefined ? '' : value <= target ? `  ≤ target ${target}: met` : `  > target ${target}: MISSED`;
    console.log(`${name.padEnd(28)} ${value.toFixed(3)}${value < 1 ? ` (1/${(1 / value).toFixed(1)})` : ''}${shown}`);
  }
}

async function main() {
  const subjects = SUBJECTS.filter((subject) => !ONLY || ONLY.includes(subject.name));
  for (const subject of subjects) prepareSubject(subject);
  const starts = [];
  for (let i = 0; i < WARM_REPEATS; i++) starts.push(await measure('node -e 0', REPO, process.execPath, ['-e', '0']));
  const nodeStartup = summarize(starts);
  const cpu = os.cpus();
  console.log(
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, node ${process.version}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(`node -e 0: ${nodeStartup.wall.toFixed(3)} s, ${nodeStartup.rssMiB.toFixed(0)} MiB`);
  const all = [];
  for (const subject of subjects) {
    const results = await benchSubject(subject);
    all.push(results);
    report(results);
  }
  console.log(
    `\nload average at the end: ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  writeFileSync(
    path.join(WORK, 'results.json'),
    JSON.stringify({ nodeStartup, subjects: all }, (k, v) => (k === 'stdout' ? undefined : v), 2),
  );
}

await main();
