import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RunnerCrashedError, RunnerError, RunnerTimeoutError, createRunner, type Runner, type RunnerOptions } from '@loop-audit/runtime';
import { Gate, until } from './gate.js';
import { fixture } from './helpers.js';

const math = fixture('math.mjs');
const runners: Runner[] = [];
function make(options?: RunnerOptions): Runner {
  const runner = createRunner(options);
  runners.push(runner);
  return runner;
}
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.shutdown({ timeoutMs: 1_000 })));
});

function capture(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('timeouts', () => {
  it('throws RunnerTimeoutError, then the next call gets its own result, never the late one', async () => {
    const runner = make();
    const echo = runner.defineSync(math, 'echo');
    expect(echo('warm')).toBe('warm');
    const threadId = runner.health().workerThreadId;
    // A call that times out either never reached the worker (then the worker drops it unstarted)
    // or is running there (then its late reply must be discarded). Which one depends on how busy
    // the machine is, so the test waits to learn which happened, checks that branch, and tries
    // again with a longer timeout until it has seen the second one.
    let gate: Gate | undefined;
    let attempts = 0;
    for (let timeoutMs = 100; gate === undefined; timeoutMs *= 2) {
      attempts++;
      const candidate = new Gate();
      const error = capture(() => runner.defineSync(math, 'holdUntilOpen', { timeoutMs })(candidate.buffer, 'late value'));
      expect(error).toBeInstanceOf(RunnerTimeoutError);
      expect(error).toMatchObject({ code: 'ERR_RUNNER_TIMEOUT', timeoutMs, workerReplaced: false });
      expect((error as Error).message).toContain('holdUntilOpen() from math.mjs');
      await until(() => candidate.started || runner.health().pendingCalls === 0, 'the worker to start or drop the timed-out call');
      if (candidate.started) gate = candidate;
      else expect(runner.health().pendingCalls).toBe(0);
      if (timeoutMs > 60_000) throw new Error('the worker never started a call within its timeout');
    }
    // Running in the worker and held there until the gate opens: pending, whatever the load.
    expect(runner.health().pendingCalls).toBe(1);
    expect(echo('fresh')).toBe('fresh');
    // Now let it finish, and make sure its reply is nowhere to be seen.
    gate.open();
    await until(() => runner.health().pendingCalls === 0, 'the late reply');
    expect(echo('after the late reply')).toBe('after the late reply');
    expect(echo(1)).toBe(1);
    const health = runner.health();
    expect(health.timeouts).toBe(attempts);
    // A slow call is not a sick worker: same thread, no restart.
    expect(health.workerThreadId).toBe(threadId);
    expect(health.restarts).toBe(0);
  });

  it('survives many timeouts in a row interleaved with normal calls', () => {
    const runner = make();
    const held = runner.defineSync(math, 'holdUntilOpen', { timeoutMs: 20 });
    const echo = runner.defineSync(math, 'echo');
    const gates: Gate[] = [];
    for (let i = 0; i < 5; i++) {
      const gate = new Gate();
      gates.push(gate);
      expect(capture(() => held(gate.buffer, `late ${i}`))).toBeInstanceOf(RunnerTimeoutError);
      expect(echo(i)).toBe(i);
    }
    expect(runner.health().timeouts).toBe(5);
    for (const gate of gates) gate.open();
  });

  it('uses the runner default timeout, overridable per function', () => {
    const runner = make({ timeoutMs: 50 });
    const gate = new Gate();
    expect(capture(() => runner.defineSync(math, 'holdUntilOpen')(gate.buffer, 'x'))).toMatchObject({ timeoutMs: 50 });
    gate.open();
    expect(runner.defineSync(math, 'sleepThen', { timeoutMs: 20_000 })(60, 'in time')).toBe('in time');
    expect(() => make({ timeoutMs: 0 })).toThrow(RangeError);
    expect(() => runner.defineSync(math, 'add', { timeoutMs: -1 })).toThrow(RangeError);
  });

  it('replaces a worker wedged in synchronous code', () => {
    const runner = make();
    const add = runner.defineSync(math, 'add');
    expect(add(1, 1)).toBe(2);
    const before = runner.health().workerThreadId;
    const error = capture(() => runner.defineSync(math, 'spin', { timeoutMs: 200 })());
    expect(error).toBeInstanceOf(RunnerTimeoutError);
    expect(error).toMatchObject({ workerReplaced: true });
    expect(add(2, 3)).toBe(5);
    const health = runner.health();
    expect(health.workerThreadId).not.toBe(before);
    expect(health.restarts).toBe(1);
    expect(health.status).toBe('operational');
  });
});

describe('crashes and recovery', () => {
  it.each([
    ['an unhandled rejection', 'crashLater', [], /crashed \(uncaught TypeError: async boom\)/, 1],
    ['an uncaught exception', 'throwUncaught', [], /crashed \(uncaught Error: uncaught boom\)/, 1],
    ['process.exit()', 'exitWorker', [7], /exited with code 7/, 7],
  ])('%s in the worker: RunnerCrashedError at once, then a fresh worker', (_label, name, args, pattern, exitCode) => {
    const runner = make({ timeoutMs: 30_000 });
    const add = runner.defineSync(math, 'add');
    expect(add(1, 2)).toBe(3);
    const before = runner.health().workerThreadId;
    const error = capture(() => runner.defineSync(math, name)(...args));
    expect(error).toBeInstanceOf(RunnerCrashedError);
    expect(error).toBeInstanceOf(RunnerError);
    expect((error as RunnerCrashedError).message).toMatch(pattern);
    expect((error as RunnerCrashedError).exitCode).toBe(exitCode);
    expect((error as RunnerCrashedError).code).toBe('ERR_RUNNER_CRASHED');
    expect(runner.health()).toMatchObject({ status: 'degraded', healthy: false, workerThreadId: null, crashes: 1 });
    expect(runner.health().lastError).toMatchObject({ source: 'crash', name: 'RunnerCrashedError' });
    expect(add(2, 3)).toBe(5);
    const health = runner.health();
    expect(health).toMatchObject({ status: 'operational', restarts: 1 });
    expect(health.workerThreadId).not.toBe(before);
  });

  it('carries the worker’s own error as the cause', () => {
    const runner = make();
    const error = capture(() => runner.defineSync(math, 'crashLater')()) as RunnerCrashedError;
    expect(error.cause).toBeInstanceOf(TypeError);
    expect((error.cause as Error).message).toBe('async boom');
    expect((error.cause as Error).stack).toContain('math.mjs');
  });

  it('notices a worker that died between calls and restarts it transparently', async () => {
    const runner = make();
    expect(runner.defineSync(math, 'exitSoon')(20)).toBe('bye');
    // The worker's exit, as the runner learns of it: no fixed pause that a busy machine outlasts.
    await until(() => runner.health().workerThreadId === null, 'the idle worker to exit');
    expect(runner.health()).toMatchObject({ workerThreadId: null, crashes: 1 });
    expect(runner.defineSync(math, 'add')(4, 4)).toBe(8);
    expect(runner.health()).toMatchObject({ restarts: 1, status: 'operational' });
  });

  it('notices an idle death even before the event loop reports it', () => {
    const runner = make();
    expect(runner.defineSync(math, 'exitSoon')(0)).toBe('bye');
    // No await: the 'exit' event cannot have been delivered; the shared state word tells.
    const deadline = Date.now() + 20_000;
    // eslint-disable-next-line loop-audit/no-sync-bridge -- a sync test polling the runner's state word: blocking the thread is the point
    while (runner.health().workerThreadId !== null && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    expect(runner.health().workerThreadId).toBeNull();
    expect(runner.defineSync(math, 'add')(1, 1)).toBe(2);
  });

  it('backs off after repeated crashes, failing fast without sleeping the caller', () => {
    // A backoff no test run can outlast: "held back" cannot turn into "restarted" on a slow machine.
    const runner = make({ restartBackoffMs: 600_000, maxRestartBackoffMs: 600_000 });
    const exit = runner.defineSync(math, 'exitWorker');
    const add = runner.defineSync(math, 'add');
    expect(capture(() => exit(1))).toBeInstanceOf(RunnerCrashedError);
    // First crash: restarted right away.
    expect(capture(() => exit(1))).toBeInstanceOf(RunnerCrashedError);
    // Second crash in a row: the next start is held back, and the caller is told so at once.
    const held = capture(() => add(1, 1));
    expect(held).toBeInstanceOf(RunnerCrashedError);
    expect((held as Error).message).toMatch(/crashed 2 times in a row; backing off 600000 ms/);
    expect(runner.health()).toMatchObject({ status: 'degraded', restarts: 1 });
    expect(capture(() => add(1, 1))).toBeInstanceOf(RunnerCrashedError);
    expect(runner.health()).toMatchObject({ restarts: 1 });
  });

  it('recovers once the backoff has passed', async () => {
    const runner = make({ restartBackoffMs: 50, maxRestartBackoffMs: 50 });
    const exit = runner.defineSync(math, 'exitWorker');
    const add = runner.defineSync(math, 'add');
    expect(capture(() => exit(1))).toBeInstanceOf(RunnerCrashedError);
    expect(capture(() => exit(1))).toBeInstanceOf(RunnerCrashedError);
    let result: unknown;
    await until(() => {
      try {
        result = add(1, 1);
      } catch (error) {
        expect(error).toBeInstanceOf(RunnerCrashedError);
      }
      return result !== undefined;
    }, 'a call to succeed after the backoff');
    expect(result).toBe(2);
    expect(runner.health()).toMatchObject({ status: 'operational', restarts: 2, crashes: 2 });
  });

  it('stops restarting past maxRestarts within the window', () => {
    const runner = make({ maxRestarts: 2, restartBackoffMs: 0, restartWindowMs: 60_000 });
    const exit = runner.defineSync(math, 'exitWorker');
    const add = runner.defineSync(math, 'add');
    for (let i = 0; i < 3; i++) {
      expect(capture(() => exit(1))).toBeInstanceOf(RunnerCrashedError);
      if (i < 2) expect(add(i, 1)).toBe(i + 1);
    }
    const refused = capture(() => add(1, 1));
    expect(refused).toBeInstanceOf(RunnerCrashedError);
    expect((refused as Error).message).toMatch(/restart limit reached \(2 restarts within 60000 ms\)/);
    expect(runner.health()).toMatchObject({ restarts: 2, crashes: 3, status: 'degraded' });
  });

  it('recovers from a crash that happens while the module loads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loop-audit-runtime-'));
    try {
      const runner = make();
      const source = 'data:text/javascript,process.exit(3); export async function f() { return 1; }';
      const error = capture(() => runner.defineSync(source, 'f')());
      expect(error).toBeInstanceOf(RunnerCrashedError);
      expect((error as RunnerCrashedError).exitCode).toBe(3);
      expect(runner.defineSync(math, 'add')(1, 2)).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replaces a worker that runs out of memory (detected by the timeout)', () => {
    const runner = make({ resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 } });
    // eslint-disable-next-line loop-audit/no-sync-wrapper -- the runner's syncFunction is what this test exercises
    const hog = runner.syncFunction(
      async () => {
        const hoard: number[][] = [];
        for (;;) hoard.push(new Array(100_000).fill(1));
      },
      { timeoutMs: 3_000 },
    );
    const error = capture(() => hog());
    // Out-of-memory skips the worker's exit hook; the timeout and the liveness probe catch it.
    expect(error).toBeInstanceOf(RunnerError);
    expect(runner.syncFunction(async (x: number) => x + 1)(1)).toBe(2);
    expect(runner.health().restarts).toBe(1);
  });
});
