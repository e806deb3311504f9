import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { RunnerStoppedError, createRunner, type Runner, type RunnerOptions, type TaskInfo } from '@loop-audit/runtime';
import { fixture, runNode } from './helpers.js';

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

function collector(): { reports: { error: unknown; task: TaskInfo }[]; onTaskError: RunnerOptions['onTaskError'] } {
  const reports: { error: unknown; task: TaskInfo }[] = [];
  return { reports, onTaskError: (error, task) => void reports.push({ error, task }) };
}

describe('spawn', () => {
  it('reports 10,000 tasks’ rejections exactly once each, none unhandled (in this process)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { reports, onTaskError } = collector();
      const runner = make({ onTaskError });
      const expected = new Set<string>();
      const settled: Promise<unknown>[] = [];
      for (let i = 0; i < 10_000; i++) {
        const name = `t${i}`;
        const fails = i % 5 === 0;
        if (fails) expected.add(name);
        const task = async (): Promise<number> => {
          await sleep(i % 11);
          if (fails) throw new Error(`boom ${name}`);
          return i;
        };
        settled.push(runner.spawn(i % 2 ? task : task(), { name }));
      }
      expect(runner.pendingTasks).toBe(10_000);
      expect(await runner.drain({ timeoutMs: 50_000 })).toEqual({ drained: true, pendingTasks: 0 });
      const values = await Promise.all(settled);
      await sleep(20);
      expect(unhandled).toEqual([]);
      expect(reports).toHaveLength(expected.size);
      const names = reports.map((r) => r.task.name);
      expect(new Set(names).size).toBe(names.length);
      expect(new Set(names)).toEqual(expected);
      for (const { error, task } of reports) expect((error as Error).message).toBe(`boom ${task.name}`);
      expect(values.filter((v) => v === undefined)).toHaveLength(expected.size);
      expect(runner.health()).toMatchObject({ tasksSpawned: 10_000, taskFailures: expected.size, pendingTasks: 0 });
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('reports 10,000 tasks’ rejections exactly once each, none unhandled (in a fresh process)', async () => {
    const result = await runNode('tasks-10k.mjs');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      pendingAtStart: 10_000,
      drained: { drained: true, pendingTasks: 0 },
      expectedFailures: 1_429,
      reported: 1_429,
      reportedMoreThanOnce: 0,
      resolvedValues: 10_000 - 1_429,
      undefinedValues: 1_429,
      unhandled: 0,
    });
  });

  it('resolves to the task’s value, or undefined when it failed; never rejects', async () => {
    const { reports, onTaskError } = collector();
    const runner = make({ onTaskError });
    await expect(runner.spawn(Promise.resolve(7))).resolves.toBe(7);
    await expect(runner.spawn(async () => 'v')).resolves.toBe('v');
    await expect(runner.spawn(() => 3)).resolves.toBe(3);
    await expect(runner.spawn(Promise.reject(new Error('x')))).resolves.toBeUndefined();
    expect(reports).toHaveLength(1);
  });

  it('catches a task function that throws synchronously', async () => {
    const { reports, onTaskError } = collector();
    const runner = make({ onTaskError });
    await runner.spawn(() => {
      throw new RangeError('sync throw');
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]!.error).toBeInstanceOf(RangeError);
  });

  it('names tasks from the option, else the function, else "anonymous task"', async () => {
    const { reports, onTaskError } = collector();
    const runner = make({ onTaskError });
    async function refreshCache(): Promise<void> {
      throw new Error('a');
    }
    await runner.spawn(refreshCache);
    await runner.spawn(refreshCache, { name: 'explicit' });
    await runner.spawn(Promise.reject(new Error('c')));
    expect(reports.map((r) => r.task.name)).toEqual(['refreshCache', 'explicit', 'anonymous task']);
  });

  it('survives an onTaskError that throws or rejects, reporting both errors on stderr', async () => {
    const logged: string[] = [];
    const original = console.error;
    const exitCode = process.exitCode;
    console.error = (...args: unknown[]) => void logged.push(args.join(' '));
    try {
      // A broken handler leaves the failure unhandled; exitOnTaskFailure: false keeps this test process alive.
      const throwing = make({
        exitOnTaskFailure: false,
        onTaskError: () => {
          throw new Error('handler broke');
        },
      });
      await throwing.spawn(Promise.reject(new Error('task broke')), { name: 'first' });
      const rejecting = make({ exitOnTaskFailure: false, onTaskError: async () => Promise.reject(new Error('async handler broke')) });
      await rejecting.spawn(Promise.reject(new Error('task broke too')), { name: 'second' });
      await sleep(10);
      expect(process.exitCode).toBe(1);
    } finally {
      console.error = original;
      process.exitCode = exitCode;
    }
    const text = logged.join('\n');
    expect(text).toMatch(/onTaskError threw while reporting task "first".*handler broke/s);
    expect(text).toContain('task broke');
    expect(text).toMatch(/"second".*async handler broke/s);
  });

  it('with no onTaskError, reports each failure with the task name and stack, then exits 1 despite an interval (child process)', async () => {
    const result = await runNode('default-task-error.mjs');
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('exiting with code 1 because task "named-task" failed and nothing handled its error');
    expect(result.stderr).toContain('task "nightlySync" failed: Error: remote refused');
    expect(result.stderr).toMatch(/at nightlySync \(.*default-task-error\.mjs:\d+:\d+\)/);
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).toContain('task "named-task" failed: TypeError: explicitly named');
    expect(result.stderr.match(/failed:/g)).toHaveLength(2);
  });
});

/**
 * A task failure nobody handles ends the process, in order, whatever keeps its event loop alive:
 * what the floating promise the task replaced would have done (an unhandled rejection exits 1).
 * Each child waits for the test's signal (a file written, a request), never for time; the
 * runNode guard only kills a hung child, and a killed child fails the `signal`/`code` checks.
 */
describe('unhandled task failures', () => {
  const writeWhenWatching =
    (name: string) =>
    (text: string): void => {
      const match = /watching (.+)\n/.exec(text);
      if (match && !existsSync(path.join(match[1]!, name))) writeFileSync(path.join(match[1]!, name), '{');
    };

  it('a failed task exits 1 while a fs.watch handle is open, after the other task settles', async () => {
    const result = await runNode('task-failure-watcher.mjs', { onStdout: writeWhenWatching('job.json') });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('task "onChange" failed: Error: cannot parse job.json');
    expect(result.stderr).toContain('exiting with code 1 because task "onChange" failed');
    expect(result.stdout).toContain('other task finished');
  });

  it('a failed task exits 1 while a server is listening', async () => {
    let answered = '';
    const result = await runNode('task-failure-server.mjs', {
      onStdout(text) {
        const match = /listening (\d+)/.exec(text);
        if (match && answered === '') {
          answered = 'pending';
          void fetch(`http://127.0.0.1:${match[1]}/orders/7`).then(
            (response) => response.text().then((body) => (answered = `${response.status} ${body}`)),
            (error: unknown) => (answered = String(error)),
          );
        }
      },
    });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('task "auditLog" failed: Error: audit log unavailable for /orders/7');
    expect(answered).toBe('202 accepted');
  });

  it("under runMain, a failed task aborts main's signal (which closes the watcher), drains and exits 1", async () => {
    const result = await runNode('runmain-task-failure.mjs', { onStdout: writeWhenWatching('job.json') });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('aborted: a spawned task failed');
    expect(result.stderr).toContain('task "onChange" failed: Error: cannot parse job.json');
  });

  it("an application's own unhandledRejection listener gets the failure, as it got the floating promise's: no exit, no exit code", async () => {
    const result = await runNode('task-failure-app-listener.mjs', { onStdout: writeWhenWatching('job.json') });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('reported: cannot parse job.json (with its promise)');
    expect(result.stderr).not.toContain('@loop-audit/runtime');
  });

  it('exitOnTaskFailure: false only reports and sets the exit code; the program decides when to stop', async () => {
    const result = await runNode('task-failure-report-only.mjs', { onStdout: writeWhenWatching('job.json') });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('still running, exitCode 1');
    expect(result.stderr).not.toContain('exiting with code 1');
  });

  it('an onTaskError that handles the failure keeps the process and its exit code as they were', async () => {
    const { reports, onTaskError } = collector();
    const runner = make({ onTaskError });
    const exitCode = process.exitCode;
    await runner.spawn(Promise.reject(new Error('handled')), { name: 'handled' });
    expect(reports).toHaveLength(1);
    expect(process.exitCode).toBe(exitCode);
  });
});

describe('drain', () => {
  it('resolves at once with nothing pending', async () => {
    await expect(make().drain()).resolves.toEqual({ drained: true, pendingTasks: 0 });
  });

  it('waits for tasks spawned while draining', async () => {
    const runner = make();
    const order: string[] = [];
    // eslint-disable-next-line loop-audit/no-floating-promise -- spawn's promise never rejects: drain() is what waits for it here
    runner.spawn(async () => {
      await sleep(20);
      order.push('first');
      // eslint-disable-next-line loop-audit/no-floating-promise -- spawn's promise never rejects: drain() is what waits for it here
      runner.spawn(async () => {
        await sleep(20);
        order.push('second');
      });
    });
    await runner.drain();
    expect(order).toEqual(['first', 'second']);
    expect(runner.pendingTasks).toBe(0);
  });

  it('gives up at the timeout and says how many are left', async () => {
    const runner = make();
    // eslint-disable-next-line loop-audit/no-floating-promise -- spawn's promise never rejects: drain() is what waits for it here
    runner.spawn(new Promise(() => {}), { name: 'never settles' });
    // eslint-disable-next-line loop-audit/no-floating-promise -- spawn's promise never rejects: drain() is what waits for it here
    runner.spawn(sleep(5));
    const result = await runner.drain({ timeoutMs: 100 });
    expect(result).toEqual({ drained: false, pendingTasks: 1 });
    expect(runner.pendingTasks).toBe(1);
  });
});

describe('shutdown', () => {
  it('drains tasks that still use the bridge, then stops the worker; idempotent', async () => {
    const runner = make();
    const add = runner.defineSync(math, 'add');
    const done: number[] = [];
    for (let i = 0; i < 200; i++) {
      // eslint-disable-next-line loop-audit/no-floating-promise -- spawn's promise never rejects: drain() is what waits for it here
      runner.spawn(async () => {
        await sleep(i % 20);
        done.push(add(i, 1));
      });
    }
    const first = runner.shutdown({ timeoutMs: 30_000 });
    const second = runner.shutdown();
    expect(second).toBe(first);
    expect(runner.health().status).toBe('stopped');
    await expect(first).resolves.toEqual({ drained: true, pendingTasks: 0 });
    expect(done).toHaveLength(200);
    expect(done.reduce((a, b) => a + b, 0)).toBe((199 * 200) / 2 + 200);
    expect(() => add(1, 1)).toThrow(RunnerStoppedError);
    const health = runner.health();
    expect(health).toMatchObject({ status: 'stopped', healthy: false, workerThreadId: null });
    expect(JSON.parse(JSON.stringify(health))).toEqual(health);
    expect(runner.defineSync(math, 'add', { default: 'stopped' })(1, 1)).toBe('stopped');
  });

  it('returns after its timeout when a task never settles, and still stops the worker', async () => {
    const runner = make();
    runner.defineSync(math, 'add')(1, 1);
    // eslint-disable-next-line loop-audit/no-floating-promise -- spawn's promise never rejects: shutdown() is what waits for it here
    runner.spawn(new Promise(() => {}), { name: 'stuck' });
    await expect(runner.shutdown({ timeoutMs: 100 })).resolves.toEqual({ drained: false, pendingTasks: 1 });
    expect(runner.health().workerThreadId).toBeNull();
  });

  it('works on a runner that never started a worker', async () => {
    await expect(make().shutdown()).resolves.toEqual({ drained: true, pendingTasks: 0 });
  });
});
