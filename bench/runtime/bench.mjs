// Median round trip of a sync call into async code: loop-audit/runtime's defineSync against the
// raw floor, synckit and per-call bridges, all measured in one run.
//
//   npm run bench:runtime             (builds first)
//   node bench/runtime/bench.mjs [--no-pin] [--json FILE]
//
// On the 2-core machines this project runs on, an unpinned wake-up of the sleeping caller lands
// on either core and the distribution is bimodal, so the run re-executes itself under
// `taskset -c 0` when taskset exists: both threads share one CPU and every contender pays the
// same context switch.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads';

const args = process.argv.slice(2);
const jsonIndex = args.indexOf('--json');
const jsonFile = jsonIndex === -1 ? undefined : args[jsonIndex + 1];
const PINNED_ENV = 'LOOP_AUDIT_BENCH_PINNED';

if (!args.includes('--no-pin') && process.env[PINNED_ENV] === undefined) {
  const child = spawnSync('taskset', ['-c', '0', process.execPath, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: { ...process.env, [PINNED_ENV]: '1' },
  });
  if (child.error === undefined) process.exit(child.status ?? 1);
  console.log(`taskset unavailable (${child.error.code}); running unpinned\n`);
}

const { createRunner } = await import('../../dist/src/runtime/index.js');
const { createSyncFn } = await import('synckit');
const { default: makeSynchronous } = await import('make-synchronous');
const { default: makeSynchronousSubprocess } = await import('make-synchronous/subprocess');

const here = (file) => new URL(file, import.meta.url);

function rawFloor(timeoutMs) {
  const control = new SharedArrayBuffer(16);
  const words = new Int32Array(control);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(here('./raw-floor-worker.mjs'), { workerData: { control, port: port2 }, transferList: [port2] });
  worker.unref();
  return {
    call(value) {
      const seen = Atomics.load(words, 0);
      port1.postMessage(value);
      // eslint-disable-next-line loop-audit/no-sync-bridge -- the raw floor this benchmark measures bridges against
      Atomics.wait(words, 0, seen, timeoutMs);
      return receiveMessageOnPort(port1).message;
    },
    close: () => worker.terminate(),
  };
}

function workerPerCall(value) {
  const control = new SharedArrayBuffer(4);
  const words = new Int32Array(control);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(here('./per-call-worker.mjs'), { workerData: { control, port: port2, value }, transferList: [port2] });
  // eslint-disable-next-line loop-audit/no-sync-bridge -- the per-call worker is a contender this benchmark measures
  Atomics.wait(words, 0, 0);
  const result = receiveMessageOnPort(port1).message;
  void worker.terminate();
  port1.close();
  return result;
}

const runner = createRunner();
const raw = rawFloor();
// Same floor with a deadline on the wait: what any bridge with timeouts pays for a timed futex wait.
const rawTimed = rawFloor(30_000);
const synckitEcho = createSyncFn(fileURLToPath(here('./synckit-worker.mjs')));
const contenders = [
  { key: 'raw', label: 'raw floor (bare worker, SAB + Atomics + MessagePort)', call: raw.call, fast: true },
  { key: 'rawTimed', label: 'raw floor + 30 s deadline on the wait', call: rawTimed.call, fast: true },
  { key: 'defineSync', label: 'loop-audit/runtime defineSync (30 s timeout)', call: runner.defineSync(here('./target.mjs'), 'echo'), fast: true },
  {
    key: 'defineSyncNoTimeout',
    label: 'loop-audit/runtime defineSync (timeoutMs: Infinity)',
    call: runner.defineSync(here('./target.mjs'), 'echo', { timeoutMs: Infinity }),
    fast: true,
  },
  { key: 'synckit', label: 'synckit createSyncFn', call: synckitEcho, fast: true },
  // eslint-disable-next-line loop-audit/no-sync-wrapper -- make-synchronous is a contender this benchmark measures
  { key: 'makeSynchronous', label: 'make-synchronous 2.x (worker cached per function)', call: makeSynchronous(async (value) => value), fast: true },
  { key: 'workerPerCall', label: 'new Worker per call', call: workerPerCall, fast: false },
  {
    key: 'processPerCall',
    label: 'make-synchronous/subprocess (node process per call)',
    // eslint-disable-next-line loop-audit/no-sync-wrapper -- make-synchronous is a contender this benchmark measures
    call: makeSynchronousSubprocess(async (value) => value),
    fast: false,
  },
];

const FAST = { warmup: 2_000, rounds: 25, perRound: 1_000 };
const SLOW = { warmup: 2, rounds: 5, perRound: 6 };

function measure(contender, count, samples) {
  const { call } = contender;
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const out = call(i);
    const elapsed = performance.now() - start;
    if (out !== i) throw new Error(`${contender.key} returned ${out} for ${i}`);
    if (samples) samples.push(elapsed);
  }
}

for (const c of contenders) {
  c.samples = [];
  measure(c, c.fast ? FAST.warmup : SLOW.warmup);
}
// Rounds interleave the contenders so drift in machine load hits all of them alike.
for (let round = 0; round < FAST.rounds; round++) {
  for (const c of contenders) {
    if (c.fast) measure(c, FAST.perRound, c.samples);
    else if (round < SLOW.rounds) measure(c, SLOW.perRound, c.samples);
  }
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
for (const c of contenders) {
  const sorted = Float64Array.from(c.samples).sort();
  c.median = quantile(sorted, 0.5) * 1000;
  c.p90 = quantile(sorted, 0.9) * 1000;
  c.n = sorted.length;
}
const by = Object.fromEntries(contenders.map((c) => [c.key, c]));
const floor = by.raw.median;

const pinned = process.env[PINNED_ENV] !== undefined;
console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${availableParallelism()} usable by this run, ${pinned ? 'pinned with taskset -c 0' : 'unpinned'}`);
console.log('');
console.log('contender'.padEnd(56) + 'median µs'.padStart(12) + 'p90 µs'.padStart(12) + '× floor'.padStart(10) + 'samples'.padStart(9));
for (const c of contenders) {
  console.log(c.label.padEnd(56) + c.median.toFixed(1).padStart(12) + c.p90.toFixed(1).padStart(12) + (c.median / floor).toFixed(2).padStart(10) + String(c.n).padStart(9));
}
const ratios = {
  defineSyncOverFloor: by.defineSync.median / floor,
  defineSyncOverTimedFloor: by.defineSync.median / by.rawTimed.median,
  untimedDefineSyncOverFloor: by.defineSyncNoTimeout.median / floor,
  defineSyncOverSynckit: by.defineSync.median / by.synckit.median,
  workerPerCallOverDefineSync: by.workerPerCall.median / by.defineSync.median,
  processPerCallOverDefineSync: by.processPerCall.median / by.defineSync.median,
};
const verdict = (ok) => (ok ? 'met' : 'MISSED');
console.log('');
console.log(`defineSync / raw floor        ${ratios.defineSyncOverFloor.toFixed(3)}×   target ≤ 1.15: ${verdict(ratios.defineSyncOverFloor <= 1.15)}`);
console.log(`defineSync / timed raw floor  ${ratios.defineSyncOverTimedFloor.toFixed(3)}×   (information: the same timed wait on both sides)`);
console.log(`untimed defineSync / floor    ${ratios.untimedDefineSyncOverFloor.toFixed(3)}×   (information: no deadline, the floor's own untimed wait)`);
console.log(`defineSync / synckit          ${ratios.defineSyncOverSynckit.toFixed(3)}×   target ≤ 1.00: ${verdict(ratios.defineSyncOverSynckit <= 1)}`);
console.log(`worker per call / defineSync  ${ratios.workerPerCallOverDefineSync.toFixed(0)}×   target ≥ 1000: ${verdict(ratios.workerPerCallOverDefineSync >= 1000)}`);
console.log(`process per call / defineSync ${ratios.processPerCallOverDefineSync.toFixed(0)}×   target ≥ 1000: ${verdict(ratios.processPerCallOverDefineSync >= 1000)}`);

if (jsonFile) {
  const results = Object.fromEntries(contenders.map((c) => [c.key, { medianUs: c.median, p90Us: c.p90, samples: c.n }]));
  writeFileSync(jsonFile, JSON.stringify({ node: process.version, cpus: cpus().length, pinned, results, ratios }, null, 2) + '\n');
}

await raw.close();
await rawTimed.close();
await runner.shutdown();
process.exit(0);
