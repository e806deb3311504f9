// The seeds' AsyncRunner test suite (test_async_runner.py), ported: run_async(coro, timeout) is
// defineSync(...)(args) with { timeoutMs }, run_async_safe is the { default } option.
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { RunnerTimeoutError, createRunner } from '@loop-audit/runtime';
import { Gate } from './gate.js';
import { fixture } from './helpers.js';

const math = fixture('math.mjs');
const runner = createRunner();
afterAll(() => runner.shutdown());

describe('ported seed tests (TestAsyncRunner)', () => {
  it('test_basic_async_operation', () => {
    const simpleOperation = runner.defineSync(math, 'sleepThen');
    expect(simpleOperation(100, 'success')).toBe('success');
  });

  it('test_timeout_handling', () => {
    // The seed's slow coroutine, held until the test lets it go instead of sleeping past the timeout.
    const slowOperation = runner.defineSync(math, 'holdUntilOpen', { timeoutMs: 500 });
    const gate = new Gate();
    expect(() => slowOperation(gate.buffer, 'too_slow')).toThrow(RunnerTimeoutError);
    gate.open();
  });

  it('test_exception_propagation', () => {
    const failingOperation = runner.syncFunction(async () => {
      class ValueError extends Error {
        override name = 'ValueError';
      }
      throw new ValueError('Test error');
    });
    expect(() => failingOperation()).toThrow(expect.objectContaining({ name: 'ValueError', message: 'Test error' }) as never);
    expect(() => failingOperation()).toThrow(/Test error/);
  });

  it('test_concurrent_operations: 10 operations from 4 caller threads', async () => {
    // The seed submits run_async from a 4-thread pool; here 4 worker threads are the pool, each
    // blocking on its own runner while the others run.
    const values = Array.from({ length: 10 }, (_, i) => i);
    const shares = [0, 1, 2, 3].map((t) => values.filter((v) => v % 4 === t));
    const results = await Promise.all(
      shares.map(
        (share) =>
          new Promise<[number, number][]>((resolve, reject) => {
            const caller = new Worker(fixture('concurrent-caller.mjs'), { workerData: { values: share } });
            caller.once('message', resolve);
            caller.once('error', reject);
          }),
      ),
    );
    const byValue = new Map(results.flat());
    expect(values.map((v) => byValue.get(v))).toEqual(values.map((i) => i * 2));
  });

  it('run_async_safe: the default instead of the error', () => {
    const safe = runner.defineSync(math, 'failWithCause', { default: null });
    expect(safe('boom')).toBeNull();
  });
});
