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
// LOOP_AUDIT_BIN: another build's CLI (a before/after comparison with the same judgements).
const bin = process.env.LOOP_AUDIT_BIN ? path.resolve(process.env.LOOP_AUDIT_BIN) : path.join(repo, 'dist/src/cli/bin.js');
const ruffCheck = path.join(repo, 'bench/python/ruff-check.mjs');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** The speed subject: Django 3.2 as Debian 12 installs it (its tests are not packaged). */
const SPEED_SUBJECT = { package: 'python3-django', version: '3:3.2.25-0+deb12u7', dirs: ['django'] };
/**
 * Async code bases whose findings are judged by hand (judgements.tsv), in three generations:
 * - `tuned`: read while the detectors were first written (17 packages);
 * - `held-out`: judged once after that, before the second round of changes (10 packages);
 * - `fresh`: 26 packages added for the second round (libraries and applications: a wallet, chat
 *   clients and bots, a hub, CLI tools, REPLs), judged before any change, then split by a seeded
 *   random draw (`FRESH_SEED`) into `fresh-tuning` (read while changing the detectors) and
 *   `fresh-held-out` (judged, never read while tuning);
 * - `unseen`: 16 packages added after the last change to the detectors, judged once.
 */
export const ACCURACY_SUBJECTS = [
  { package: 'python3-aiohttp', version: '3.8.4-1+deb12u2', dirs: ['aiohttp'], set: 'tuned' },
  { package: 'python3-httpx', version: '0.23.3-1', dirs: ['httpx'], set: 'tuned' },
  { package: 'python3-anyio', version: '3.6.2-1', dirs: ['anyio'], set: 'tuned' },
  { package: 'python3-asgiref', version: '3.6.0-1', dirs: ['asgiref'], set: 'tuned' },
  { package: 'python3-uvicorn', version: '0.17.6-1', dirs: ['uvicorn'], set: 'tuned' },
  { package: 'python3-starlette', version: '0.26.1-1+deb12u2', dirs: ['starlette'], set: 'tuned' },
  { package: 'python3-websockets', version: '10.4-1', dirs: ['websockets'], set: 'tuned' },
  { package: 'python3-motor', version: '2.3.0-3', dirs: ['motor'], set: 'tuned' },
  { package: 'python3-aioredis', version: '1.3.1-2', dirs: ['aioredis'], set: 'tuned' },
  { package: 'python3-aiosqlite', version: '0.17.0-2', dirs: ['aiosqlite'], set: 'tuned' },
  { package: 'python3-aiortc', version: '1.4.0-2', dirs: ['aiortc'], set: 'tuned' },
  { package: 'python3-jupyter-client', version: '7.4.9-2', dirs: ['jupyter_client'], set: 'tuned' },
  { package: 'python3-ipykernel', version: '6.17.0-1', dirs: ['ipykernel'], set: 'tuned' },
  { package: 'python3-notebook', version: '6.4.12-2.2', dirs: ['notebook'], set: 'tuned' },
  { package: 'python3-django-channels', version: '4.0.0-1', dirs: ['channels'], set: 'tuned' },
  { package: 'mitmproxy', version: '8.1.1-2', dirs: ['mitmproxy'], set: 'tuned' },
  { package: 'python3-django', version: '3:3.2.25-0+deb12u7', dirs: ['django'], set: 'tuned' },
  { package: 'python3-slixmpp', version: '1.8.3-1', dirs: ['slixmpp'], set: 'held-out' },
  { package: 'python3-aiosmtpd', version: '1.4.3-1.1+deb12u1', dirs: ['aiosmtpd'], set: 'held-out' },
  { package: 'python3-hypercorn', version: '0.13.2-3', dirs: ['hypercorn'], set: 'held-out' },
  { package: 'python3-quart', version: '0.18.3-2', dirs: ['quart'], set: 'held-out' },
  { package: 'python3-socketio', version: '5.7.2-2', dirs: ['socketio'], set: 'held-out' },
  { package: 'python3-engineio', version: '4.3.4-2', dirs: ['engineio'], set: 'held-out' },
  { package: 'python3-asyncssh', version: '2.10.1-2+deb12u2', dirs: ['asyncssh'], set: 'held-out' },
  { package: 'python3-aio-pika', version: '8.2.5-1', dirs: ['aio_pika'], set: 'held-out' },
  { package: 'python3-matrix-nio', version: '0.20.1-3', dirs: ['nio'], set: 'held-out' },
  { package: 'python3-discord', version: '2.2.2+dfsg-1', dirs: ['discord'], set: 'held-out' },
  // Applications.
  { package: 'python3-electrum', version: '4.3.4+dfsg1-1+deb12u2', dirs: ['electrum'], set: 'fresh' },
  { package: 'poezio', version: '0.14-2', dirs: ['poezio', 'poezio_plugins'], set: 'fresh' },
  { package: 'errbot', version: '6.1.7+ds-1', dirs: ['errbot'], set: 'fresh' },
  { package: 'jupyterhub', version: '3.0.0+ds1-1', dirs: ['jupyterhub'], set: 'fresh' },
  { package: 'vdirsyncer', version: '0.19.0-1', dirs: ['vdirsyncer'], set: 'fresh' },
  { package: 'mailman3', version: '3.3.8-2~deb12u2', dirs: ['mailman'], set: 'fresh' },
  { package: 'yt-dlp', version: '2023.03.04-1', dirs: ['yt_dlp'], set: 'fresh' },
  { package: 'python3-streamlink', version: '5.2.1-1', dirs: ['streamlink'], set: 'fresh' },
  { package: 'ptpython', version: '3.0.22-2', dirs: ['ptpython'], set: 'fresh' },
  { package: 'python3-jupyter-console', version: '6.4.4-2', dirs: ['jupyter_console'], set: 'fresh' },
  { package: 'python3-qtconsole', version: '5.4.0-1', dirs: ['qtconsole'], set: 'fresh' },
  { package: 'python3-ipyparallel', version: '7.1.0-5', dirs: ['ipyparallel'], set: 'fresh' },
  { package: 'xonsh', version: '0.13.4+dfsg-1', dirs: ['xonsh', 'xontrib'], set: 'fresh' },
  // Libraries.
  { package: 'python3-telethon', version: '1.25.1-1', dirs: ['telethon'], set: 'fresh' },
  { package: 'python3-zeroconf', version: '0.47.3-1', dirs: ['zeroconf'], set: 'fresh' },
  { package: 'python3-distributed', version: '2022.12.1+ds.1-3', dirs: ['distributed'], set: 'fresh' },
  { package: 'python3-nbclient', version: '0.7.2-1', dirs: ['nbclient'], set: 'fresh' },
  { package: 'python3-jupyter-server', version: '1.23.3-1', dirs: ['jupyter_server'], set: 'fresh' },
  { package: 'python3-bleak', version: '0.20.2-1', dirs: ['bleak'], set: 'fresh' },
  { package: 'python3-tornado', version: '6.2.0-3+deb12u4', dirs: ['tornado'], set: 'fresh' },
  { package: 'python3-pymodbus', version: '3.0.0-7', dirs: ['pymodbus'], set: 'fresh' },
  { package: 'python3-dbus-next', version: '0.2.3-3', dirs: ['dbus_next'], set: 'fresh' },
  { package: 'python3-aioxmpp', version: '0.13.3-1', dirs: ['aioxmpp'], set: 'fresh' },
  { package: 'python3-textual', version: '0.1.13-1', dirs: ['textual'], set: 'fresh' },
  { package: 'python3-prompt-toolkit', version: '3.0.36-2', dirs: ['prompt_toolkit'], set: 'fresh' },
  { package: 'python3-ipython', version: '8.5.0-4', dirs: ['IPython'], set: 'fresh' },
  // Unseen: added after the last change to the detectors and judged once, never read while changing them.
  { package: 'python3-daphne', version: '4.0.0-1', dirs: ['daphne'], set: 'unseen' },
  { package: 'python3-apscheduler', version: '3.9.1-2', dirs: ['apscheduler'], set: 'unseen' },
  { package: 'python3-sentry-sdk', version: '1.9.10-2+deb12u1', dirs: ['sentry_sdk'], set: 'unseen' },
  { package: 'python3-nbconvert', version: '6.5.3-3', dirs: ['nbconvert'], set: 'unseen' },
  { package: 'python3-scrapy', version: '2.8.0-2', dirs: ['scrapy'], set: 'unseen' },
  { package: 'python3-pyroute2', version: '0.7.2-2', dirs: ['pyroute2', 'pr2modules'], set: 'unseen' },
  { package: 'python3-aiorpcx', version: '0.22.1-2', dirs: ['aiorpcx'], set: 'unseen' },
  { package: 'python3-asyncio-mqtt', version: '0.16.1-3', dirs: ['asyncio_mqtt'], set: 'unseen' },
  { package: 'python3-pytest-asyncio', version: '0.20.3-1', dirs: ['pytest_asyncio'], set: 'unseen' },
  { package: 'python3-miio', version: '0.5.0.1-2', dirs: ['miio'], set: 'unseen' },
  { package: 'python3-databases', version: '0.7.0-1', dirs: ['databases'], set: 'unseen' },
  { package: 'python3-aiosmtplib', version: '2.0.0-1', dirs: ['aiosmtplib'], set: 'unseen' },
  { package: 'python3-celery', version: '5.2.6-5', dirs: ['celery'], set: 'unseen' },
  { package: 'python3-kombu', version: '5.2.4-1', dirs: ['kombu'], set: 'unseen' },
  { package: 'python3-httpcore', version: '0.16.3-1', dirs: ['httpcore'], set: 'unseen' },
  { package: 'python3-aiormq', version: '6.4.2-1', dirs: ['aiormq'], set: 'unseen' },
];

/** The seed of the draw that split the fresh packages, fixed before any of their findings was read. */
export const FRESH_SEED = 1304;

/** mulberry32: a small seeded generator, so the draw is the same on every machine. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The fresh packages in a seeded shuffle of their sorted names: the first half tunes, the rest is held out. */
export function freshSplit(subjects = ACCURACY_SUBJECTS, seed = FRESH_SEED) {
  const names = subjects
    .filter((s) => s.set === 'fresh')
    .map((s) => s.package)
    .sort();
  const random = seeded(seed);
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [names[i], names[j]] = [names[j], names[i]];
  }
  const half = Math.ceil(names.length / 2);
  return { tuning: new Set(names.slice(0, half)), heldOut: new Set(names.slice(half)) };
}

/** The set a subject is reported in. */
export function setOf(subject) {
  if (subject.set !== 'fresh') return subject.set;
  return freshSplit().tuning.has(subject.package) ? 'fresh-tuning' : 'fresh-held-out';
}

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
  return {
    files: report.summary.files,
    errors: report.errors.length,
    findings: report.findings.map((f) => ({ file: path.resolve(repo, f.file), line: f.line, ruleId: f.ruleId, messageId: f.messageId, message: f.message })),
  };
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

/**
 * judgements.tsv: package, file (relative to the package's directory), line, rule, verdict, reason.
 * `TP` and `FP` judge a finding; a `TP` row is also a known positive, so one that the current
 * detectors no longer report counts against recall. Rows whose reason starts `(by reading)` are
 * positives found by reading the code (grepping for the bridges, loops and task APIs and judging
 * each site), whether or not any version of the detectors reported them.
 */
function readJudgements() {
  const file = path.join(repo, 'bench/python/judgements.tsv');
  const map = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [pkg, rel, lineNo, rule, verdict, reason] = line.split('\t');
    if (verdict !== 'TP' && verdict !== 'FP') throw new Error(`judgements.tsv: verdict must be TP or FP: ${line}`);
    map.set(`${pkg}\t${rel}\t${lineNo}\t${rule}`, { pkg, rule, verdict, reason });
  }
  return map;
}

const SETS = ['tuned', 'held-out', 'fresh-tuning', 'fresh-held-out', 'unseen'];

function main() {
  const argv = process.argv.slice(2);
  const args = new Set(argv);
  const option = (name) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const doSpeed = !args.has('--accuracy-only');
  const doAccuracy = !args.has('--speed-only');
  mkdirSync(work, { recursive: true });
  if (!existsSync(bin)) throw new Error('build first: npm run build');
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, node ${process.version}`,
  );

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
    const wanted = (value) => (value ? new Set(value.split(',')) : undefined);
    const onlySets = wanted(option('--set'));
    const onlyPackages = wanted(option('--package'));
    const split = freshSplit();
    console.log(`\nfresh split (seed ${FRESH_SEED}): tuning ${[...split.tuning].sort().join(', ')}; held out ${[...split.heldOut].sort().join(', ')}`);
    const tally = Object.fromEntries(SETS.map((set) => [set, { tp: 0, fp: 0, found: 0, known: 0, floating: { tp: 0, fp: 0 }, other: { tp: 0, fp: 0 }, packages: 0 }]));
    const unjudged = [];
    const missed = [];
    const falsePositives = [];
    const ourAll = [];
    const ruffAll = [];
    for (const subject of ACCURACY_SUBJECTS) {
      const set = setOf(subject);
      if ((onlySets && !onlySets.has(set)) || (onlyPackages && !onlyPackages.has(subject.package))) continue;
      const dirs = setup(subject);
      const report = ours(loopAuditScan(dirs).stdout);
      const base = path.dirname(dirs[0]);
      const group = tally[set];
      group.packages++;
      const reported = new Set();
      for (const f of report.findings) {
        const rel = path.relative(base, f.file);
        const key = `${subject.package}\t${rel}\t${f.line}\t${f.ruleId}`;
        reported.add(key);
        const judged = judgements.get(key);
        const family = f.ruleId.endsWith('no-floating-promise') ? group.floating : group.other;
        if (!judged) unjudged.push(`${key}\t?\t${f.message}`);
        else if (judged.verdict === 'TP') {
          group.tp++;
          family.tp++;
        } else {
          group.fp++;
          family.fp++;
          falsePositives.push(`${set}\t${key}\t${judged.reason}`);
        }
      }
      for (const [key, judged] of judgements) {
        if (judged.pkg !== subject.package || judged.verdict !== 'TP') continue;
        group.known++;
        if (reported.has(key)) group.found++;
        else missed.push(`${key}\t${judged.reason}`);
      }
      ourAll.push(...report.findings);
      if (!args.has('--no-ruff')) ruffAll.push(...JSON.parse(ruff(dirs).stdout).diagnostics);
    }
    const pct = (a, b) => (b > 0 ? `${((100 * a) / b).toFixed(1)}%` : '–');
    console.log('\n| set | packages | findings | TP | FP | precision | floating precision | other rules precision | known positives | found | recall |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const set of SETS) {
      const t = tally[set];
      if (t.packages === 0) continue;
      const f = t.floating;
      const o = t.other;
      console.log(
        `| ${set} | ${t.packages} | ${t.tp + t.fp} | ${t.tp} | ${t.fp} | ${pct(t.tp, t.tp + t.fp)} | ${pct(f.tp, f.tp + f.fp)} (${f.tp}/${f.tp + f.fp}) | ${pct(o.tp, o.tp + o.fp)} (${o.tp}/${o.tp + o.fp}) | ${t.known} | ${t.found} | ${pct(t.found, t.known)} |`,
      );
    }
    console.log(`\n${unjudged.length} findings not judged yet`);
    for (const line of unjudged) console.log(`  unjudged: ${line}`);
    console.log(`${falsePositives.length} false positives`);
    for (const line of falsePositives) console.log(`  FP: ${line}`);
    console.log(`${missed.length} known positives not reported`);
    for (const line of missed) console.log(`  missed: ${line}`);
    if (!args.has('--no-ruff')) console.log(`overlap with ruff on these packages: ${JSON.stringify(overlap(ourAll, ruffAll), null, 1)}`);
    if (args.has('--strict') && unjudged.length > 0) throw new Error(`${unjudged.length} findings not judged`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  try {
    main();
  } catch (error) {
    console.error(`bench:python: ${error.message}`);
    process.exit(2);
  } finally {
    rmSync(path.join(work, 'tmp'), { recursive: true, force: true });
  }
