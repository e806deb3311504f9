#!/usr/bin/env node
// Python benchmark: `npm run bench:python` (builds first).
//
// Speed: `loop-audit scan` (cold, no cache, the CLI as a user runs it) against ruff with
// `--select ASYNC,RUF006` (its WebAssembly build from npm; Debian 12 packages no ruff binary)
// over the same files: the installed sources of Debian's python3-django, pinned. Files per second,
// wall time, CPU time (user + system) and peak RSS from /usr/bin/time when present. The machine
// may be shared: every contender runs BENCH_REPEATS times (default 3) in interleaved rounds, and
// the report gives medians with the range.
//
// Overlap: on the same files and on the async packages of ACCURACY_SUBJECTS, which findings of
// each tool fall on the same line (ruff's RUF006 against our dropped tasks; ruff's ASYNC rules
// are blocking calls inside async code, a family loop-audit does not have).
//
// Accuracy: every loop-audit finding on ACCURACY_SUBJECTS is looked up in judgements.tsv (judged
// by hand: TP or FP with a reason); the report gives the precision and lists findings not judged yet.
//
// Sources come from Debian with `apt-get download` + `dpkg -x` into bench/.work/python (gitignored);
// none is committed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = path.join(repo, 'bench/.work/python');
const bin = path.join(repo, 'dist/src/cli/bin.js');
const ruffCheck = path.join(repo, 'bench/python/ruff-check.mjs');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** The speed subject: Django 3.2 as Debian 12 installs it (its tests are not packaged). */
const SPEED_SUBJECT = { package: 'python3-django', version: '3:3.2.25-0+deb12u7', dirs: ['django'] };
/** Async code bases whose findings are judged by hand (judgements.tsv). */
export const ACCURACY_SUBJECTS = [
  { package: 'python3-aiohttp', version: '3.8.4-1+deb12u2', dirs: ['aiohttp'] },
  { package: 'python3-httpx', version: '0.23.3-1', dirs: ['httpx'] },
  { package: 'python3-anyio', version: '3.6.2-1', dirs: ['anyio'] },
  { package: 'python3-asgiref', version: '3.6.0-1', dirs: ['asgiref'] },
  { package: 'python3-uvicorn', version: '0.17.6-1', dirs: ['uvicorn'] },
  { package: 'python3-starlette', version: '0.26.1-1+deb12u2', dirs: ['starlette'] },
  { package: 'python3-websockets', version: '10.4-1', dirs: ['websockets'] },
  { package: 'python3-motor', version: '2.3.0-3', dirs: ['motor'] },
  { package: 'python3-aioredis', version: '1.3.1-2', dirs: ['aioredis'] },
  { package: 'python3-aiosqlite', version: '0.17.0-2', dirs: ['aiosqlite'] },
  { package: 'python3-aiortc', version: '1.4.0-2', dirs: ['aiortc'] },
  { package: 'python3-jupyter-client', version: '7.4.9-2', dirs: ['jupyter_client'] },
  { package: 'python3-ipykernel', version: '6.17.0-1', dirs: ['ipykernel'] },
  { package: 'python3-notebook', version: '6.4.12-2.2', dirs: ['notebook'] },
  { package: 'python3-django-channels', version: '4.0.0-1', dirs: ['channels'] },
  { package: 'mitmproxy', version: '8.1.1-2', dirs: ['mitmproxy'] },
  { package: 'python3-django', version: '3:3.2.25-0+deb12u7', dirs: ['django'] },
  // Held out: judged after the last change to the detectors, never used to tune them.
  { package: 'python3-slixmpp', version: '1.8.3-1', dirs: ['slixmpp'], heldOut: true },
  { package: 'python3-aiosmtpd', version: '1.4.3-1.1+deb12u1', dirs: ['aiosmtpd'], heldOut: true },
  { package: 'python3-hypercorn', version: '0.13.2-3', dirs: ['hypercorn'], heldOut: true },
  { package: 'python3-quart', version: '0.18.3-2', dirs: ['quart'], heldOut: true },
  { package: 'python3-socketio', version: '5.7.2-2', dirs: ['socketio'], heldOut: true },
  { package: 'python3-engineio', version: '4.3.4-2', dirs: ['engineio'], heldOut: true },
  { package: 'python3-asyncssh', version: '2.10.1-2+deb12u2', dirs: ['asyncssh'], heldOut: true },
  { package: 'python3-aio-pika', version: '8.2.5-1', dirs: ['aio_pika'], heldOut: true },
  { package: 'python3-matrix-nio', version: '0.20.1-3', dirs: ['nio'], heldOut: true },
  { package: 'python3-discord', version: '2.2.2+dfsg-1', dirs: ['discord'], heldOut: true },
];

function sh(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 * 1024 * 1024, ...options });
}

/** apt-get download of the pinned version, unpacked with dpkg -x; returns the package's source directories. */
function setup(subject) {
  const into = path.join(work, `${subject.package}_${subject.version.replace(/[:]/g, '%3a')}`);
  const site = path.join(into, 'usr/lib/python3/dist-packages');
  const dirs = subject.dirs.map((dir) => path.join(site, dir));
  // A repository of its own, as the installed tree would be: this repository's .gitignore (which
  // ignores bench/.work) must not apply to it.
  if (dirs.every((dir) => existsSync(dir))) {
    if (!existsSync(path.join(into, '.git'))) sh('git', ['init', '-q', into]);
    return dirs;
  }
  mkdirSync(into, { recursive: true });
  const debs = path.join(work, 'debs');
  mkdirSync(debs, { recursive: true });
  try {
    sh('apt-get', ['-o', 'APT::Sandbox::User=root', 'download', `${subject.package}=${subject.version}`], { cwd: debs });
  } catch {
    throw new Error(`cannot download ${subject.package}=${subject.version} with apt-get (run 'apt-get update' first; the version is pinned, Debian 12 'bookworm')`);
  }
  const deb = readdirSync(debs).find((name) => name.startsWith(`${subject.package}_`) && name.includes(subject.version.split(':').pop()));
  if (!deb) throw new Error(`apt-get download left no .deb for ${subject.package}`);
  sh('dpkg', ['-x', path.join(debs, deb), into]);
  for (const dir of dirs) if (!existsSync(dir)) throw new Error(`${subject.package}: ${dir} is not in the package`);
  sh('git', ['init', '-q', into]);
  return dirs;
}

function countPy(dirs) {
  let n = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== '__pycache__') walk(path.join(dir, entry.name));
      else if (entry.isFile() && entry.name.endsWith('.py')) n++;
    }
  };
  for (const dir of dirs) walk(dir);
  return n;
}

/** Runs a command under GNU time: wall seconds, CPU seconds, peak RSS in MB, and its stdout. */
function timed(command, args) {
  const start = performance.now();
  const full = gnuTime ? [gnuTime, ['-f', '__TIME__ %U %S %M', command, ...args]] : [command, args];
  const result = spawnSync(full[0], full[1], { cwd: repo, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wall = (performance.now() - start) / 1000;
  const line = (result.stderr ?? '').split('\n').find((l) => l.startsWith('__TIME__'));
  const [user, sys, rss] = line ? line.split(' ').slice(1).map(Number) : [NaN, NaN, NaN];
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { wall, cpu: user + sys, rss: rss / 1024, stdout: result.stdout };
}

function loopAuditScan(dirs) {
  // One scan root per directory, no cache: a cold run. JSON on stdout; exit 1 only means findings.
  return timed(process.execPath, [bin, 'scan', ...dirs, '--include', '**/*.py', '--format', 'json', '--fail-on', 'off']);
}

function ruff(dirs) {
  return timed(process.execPath, [ruffCheck, ...dirs]);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const range = (values) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;

function ours(stdout) {
  const report = JSON.parse(stdout);
  return { files: report.summary.files, errors: report.errors.length, findings: report.findings.map((f) => ({ file: path.resolve(repo, f.file), line: f.line, ruleId: f.ruleId, messageId: f.messageId, message: f.message })) };
}

function overlap(ourFindings, ruffDiagnostics) {
  const key = (file, line) => `${file}:${line}`;
  const ourDropped = new Set(ourFindings.filter((f) => f.ruleId.endsWith('no-floating-promise')).map((f) => key(f.file, f.line)));
  const ourAll = new Set(ourFindings.map((f) => key(f.file, f.line)));
  const ruf006 = new Set(ruffDiagnostics.filter((d) => d.code === 'RUF006').map((d) => key(d.file, d.line)));
  const asyncLines = new Set(ruffDiagnostics.filter((d) => d.code.startsWith('ASYNC')).map((d) => key(d.file, d.line)));
  const both = [...ruf006].filter((k) => ourDropped.has(k));
  const byCode = {};
  for (const d of ruffDiagnostics) byCode[d.code] = (byCode[d.code] ?? 0) + 1;
  const byRule = {};
  for (const f of ourFindings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
  return {
    ours: ourFindings.length,
    ruff: ruffDiagnostics.length,
    byRule,
    byCode,
    ruf006: ruf006.size,
    ourFloating: ourDropped.size,
    ruf006AlsoOurs: both.length,
    ruf006OnlyRuff: [...ruf006].filter((k) => !ourDropped.has(k)),
    floatingOnlyOurs: [...ourDropped].filter((k) => !ruf006.has(k)),
    asyncLinesAlsoOurs: [...asyncLines].filter((k) => ourAll.has(k)).length,
    asyncLines: asyncLines.size,
  };
}

/** judgements.tsv: package, file (relative to the package's directory), line, rule, verdict (TP/FP), reason. */
function readJudgements() {
  const file = path.join(repo, 'bench/python/judgements.tsv');
  const map = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [pkg, rel, lineNo, rule, verdict, reason] = line.split('\t');
    map.set(`${pkg}\t${rel}\t${lineNo}\t${rule}`, { verdict, reason });
  }
  return map;
}

function main() {
  const args = new Set(process.argv.slice(2));
  const doSpeed = !args.has('--accuracy-only');
  const doAccuracy = !args.has('--speed-only');
  mkdirSync(work, { recursive: true });
  if (!existsSync(bin)) throw new Error('build first: npm run build');
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}`);

  if (doSpeed) {
    const dirs = setup(SPEED_SUBJECT);
    const files = countPy(dirs);
    console.log(`\nspeed subject: ${SPEED_SUBJECT.package} ${SPEED_SUBJECT.version}, ${files} .py files`);
    const runs = { loopAudit: [], ruff: [] };
    let last;
    for (let round = 0; round < REPEATS; round++) {
      const a = loopAuditScan(dirs);
      const b = ruff(dirs);
      runs.loopAudit.push(a);
      runs.ruff.push(b);
      last = { a, b };
    }
    const ourReport = ours(last.a.stdout);
    const ruffReport = JSON.parse(last.b.stdout);
    if (ourReport.files === 0) throw new Error('loop-audit analysed no file');
    const row = (name, list, n) => {
      const walls = list.map((r) => r.wall);
      const wall = median(walls);
      const cpu = median(list.map((r) => r.cpu));
      return `| ${name} | ${n} | ${wall.toFixed(2)} s (${range(walls)}) | ${(n / wall).toFixed(0)} | ${cpu.toFixed(2)} s | ${(n / cpu).toFixed(0)} | ${median(list.map((r) => r.rss)).toFixed(0)} MB |`;
    };
    console.log('\n| tool | files | wall (median, range) | files/s (wall) | CPU | files/CPU-s | peak RSS |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
    console.log(row(`loop-audit scan (cold)`, runs.loopAudit, ourReport.files));
    console.log(row(`ruff ${ruffReport.version} wasm --select ASYNC,RUF006`, runs.ruff, ruffReport.files));
    const ratio = (key) => (median(runs.loopAudit.map((r) => r[key])) / median(runs.ruff.map((r) => r[key]))).toFixed(2);
    console.log(`\nratio loop-audit / ruff: wall ${ratio('wall')}, CPU ${ratio('cpu')}; loop-audit errors entries: ${ourReport.errors}`);
    console.log(`overlap on ${SPEED_SUBJECT.package}: ${JSON.stringify(overlap(ourReport.findings, ruffReport.diagnostics), null, 1)}`);
  }

  if (doAccuracy) {
    const judgements = readJudgements();
    const tally = { tuned: { tp: 0, fp: 0 }, heldOut: { tp: 0, fp: 0 } };
    const unjudged = [];
    const ourAll = [];
    const ruffAll = [];
    for (const subject of ACCURACY_SUBJECTS) {
      const dirs = setup(subject);
      const report = ours(loopAuditScan(dirs).stdout);
      const base = path.dirname(dirs[0]);
      for (const f of report.findings) {
        const rel = path.relative(base, f.file);
        const judged = judgements.get(`${subject.package}\t${rel}\t${f.line}\t${f.ruleId}`);
        const group = subject.heldOut ? tally.heldOut : tally.tuned;
        if (!judged) unjudged.push(`${subject.package}\t${rel}\t${f.line}\t${f.ruleId}\t?\t${f.message}`);
        else if (judged.verdict === 'TP') group.tp++;
        else group.fp++;
      }
      ourAll.push(...report.findings);
      ruffAll.push(...JSON.parse(ruff(dirs).stdout).diagnostics);
    }
    const precision = ({ tp, fp }) => `${tp} TP, ${fp} FP, precision ${tp + fp > 0 ? ((100 * tp) / (tp + fp)).toFixed(1) : '–'}%`;
    console.log(`\naccuracy, packages the detectors were tuned on (${ACCURACY_SUBJECTS.filter((s) => !s.heldOut).length}): ${precision(tally.tuned)}`);
    console.log(`accuracy, held-out packages (${ACCURACY_SUBJECTS.filter((s) => s.heldOut).length}): ${precision(tally.heldOut)}`);
    console.log(`${unjudged.length} findings not judged yet`);
    for (const line of unjudged) console.log(`  unjudged: ${line}`);
    console.log(`overlap with ruff on these packages: ${JSON.stringify(overlap(ourAll, ruffAll), null, 1)}`);
  }
}

try {
  main();
} catch (error) {
  console.error(`bench:python: ${error.message}`);
  process.exit(2);
} finally {
  rmSync(path.join(work, 'tmp'), { recursive: true, force: true });
}
