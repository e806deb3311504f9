import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RunnerCrashedError,
  RunnerError,
  RunnerTimeoutError,
  createRunner,
  type Runner,
  type RunnerOptions,
} from '@loop-audit/runtime';
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
    const slow = runner.defineSync(math, 'sleepThen', { timeoutMs: 100 });
    const echo = runner.defineSync(math, 'echo');
    const error = capture(() => slow(1_500, 'late value'));
    expect(error).toBeInstanceOf(RunnerTimeoutError);
    expect(error).toMatchObject({ code: 'ERR_RUNNER_TIMEOUT', timeoutMs: 100, workerReplaced: false });
    expect((error as Error).message).toContain('sleepThen() from math.mjs');
    const threadId = runner.health().workerThreadId;
    expect(runner.health().pendingCalls).toBe(1);
    expect(echo('fresh')).toBe('fresh');
    // Let the abandoned call finish in the worker, then make sure its reply is nowhere to be seen.
    const deadline = Date.now() + 30_000;
    while (runner.health().pendingCalls > 0 && Date.now() < deadline) await sleep(50);
    expect(runner.health().pendingCalls).toBe(0);
    expect(echo('after the late reply')).toBe('after the late reply');
    expect(echo(1)).toBe(1);
    const health = runner.health();
    expect(health.timeouts).toBe(1);
    // A slow call is not a sick worker: same thread, no restart.
    expect(health.workerThreadId).toBe(threadId);
    expect(health.restarts).toBe(0);
  });

  it('survives many timeouts in a row interleaved with normal calls', () => {
    const runner = make();
    const slow = runner.defineSync(math, 'sleepThen', { timeoutMs: 20 });
    const echo = runner.defineSync(math, 'echo');
    for (let i = 0; i < 5; i++) {
      expect(capture(() => slow(300, `late ${i}`))).toBeInstanceOf(RunnerTimeoutError);
      expect(echo(i)).toBe(i);
    }
    expect(runner.health().timeouts).toBe(5);
  });

  it('uses the runner default timeout, overridable per function', () => {
    const runner = make({ timeoutMs: 50 });
    expect(capture(() => runner.defineSync(math, 'sleepThen')(2_000, 'x'))).toMatchObject({ timeoutMs: 50 });
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
    await sleep(300);
    expect(runner.health()).toMatchObject({ workerThreadId: null, crashes: 1 });
    expect(runner.defineSync(math, 'add')(4, 4)).toBe(8);
    expect(runner.health()).toMatchObject({ restarts: 1, status: 'operational' });
  });

  it('notices an idle death even before the event loop reports it', () => {
    const runner = make();
    expect(runner.defineSync(math, 'exitSoon')(0)).toBe('bye');
    // No await: the 'exit' event cannot have been delivered; the shared state word tells.
    const deadline = Date.now() + 20_000;
    while (runner.health().workerThreadId !== null && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    expect(runner.health().workerThreadId).toBeNull();
    expect(runner.defineSync(math, 'add')(1, 1)).toBe(2);
  });

  it('backs off after repeated crashes (failing fast, never sleeping the caller), then recovers', async () => {
    const runner = make({ restartBackoffMs: 3_000, maxRestartBackoffMs: 3_000 });
    const exit = runner.defineSync(math, 'exitWorker');
    const add = runner.defineSync(math, 'add');
    expect(capture(() => exit(1))).toBeInstanceOf(RunnerCrashedError);
    // First crash: restarted right away.
    expect(capture(() => exit(1))).toBeInstanceOf(RunnerCrashedError);
    // Second crash in a row: the next start is held back, and the caller is told so at once.
    const held = capture(() => add(1, 1));
    expect(held).toBeInstanceOf(RunnerCrashedError);
    expect((held as Error).message).toMatch(/crashed 2 times in a row; backing off 3000 ms/);
    expect(runner.health()).toMatchObject({ status: 'degraded', restarts: 1 });
    let result: unknown;
    const deadline = Date.now() + 30_000;
    while (result === undefined && Date.now() < deadline) {
      await sleep(200);
      try {
        result = add(1, 1);
      } catch (error) {
        expect(error).toBeInstanceOf(RunnerCrashedError);
      }
    }
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
    const hog = runner.syncFunction(async () => {
      const hoard: number[][] = [];
      for (;;) hoard.push(new Array(100_000).fill(1));
    }, { timeoutMs: 3_000 });
    const error = capture(() => hog());
    // Out-of-memory skips the worker's exit hook; the timeout and the liveness probe catch it.
    expect(error).toBeInstanceOf(RunnerError);
    expect(runner.syncFunction(async (x: number) => x + 1)(1)).toBe(2);
    expect(runner.health().restarts).toBe(1);
  });
});
