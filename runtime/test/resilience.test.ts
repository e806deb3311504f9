// Retry and circuit breaking come from cockatiel (an optional peer), composed around runner
// calls; the runner's typed errors are what lets the policies tell transient failures apart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokenCircuitError, ConsecutiveBreaker, ConstantBackoff, circuitBreaker, handleType, retry, wrap } from 'cockatiel';
import { afterAll, describe, expect, it } from 'vitest';
import { RunnerCrashedError, RunnerLoadError, RunnerTimeoutError, createRunner } from '@loop-audit/runtime';
import { Gate } from './gate.js';
import { fixture } from './helpers.js';

const math = fixture('math.mjs');
const dir = mkdtempSync(join(tmpdir(), 'loop-audit-resilience-'));
const runner = createRunner({ restartBackoffMs: 10, maxRestartBackoffMs: 50, maxRestarts: 50 });
afterAll(async () => {
  await runner.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

describe('cockatiel composition', () => {
  it('retries crashes (transient) until the call succeeds', async () => {
    const crashUntil = runner.defineSync(math, 'crashUntil');
    const counter = join(dir, 'crash-twice');
    const attempts: number[] = [];
    const policy = retry(handleType(RunnerCrashedError).orType(RunnerTimeoutError), {
      maxAttempts: 5,
      backoff: new ConstantBackoff(100),
    });
    policy.onRetry(({ attempt }) => void attempts.push(attempt));
    const result = await policy.execute(() => crashUntil(counter, 2));
    expect(result).toBe('ok after 3 attempts');
    expect(attempts).toEqual([1, 2]);
    expect(runner.health().restarts).toBeGreaterThanOrEqual(2);
  });

  it('does not retry a load error or the function’s own error', async () => {
    let calls = 0;
    const policy = retry(handleType(RunnerCrashedError).orType(RunnerTimeoutError), { maxAttempts: 3 });
    const missing = runner.defineSync(math, 'missingExport');
    await expect(
      policy.execute(() => {
        calls++;
        return missing();
      }),
    ).rejects.toBeInstanceOf(RunnerLoadError);
    const fail = runner.defineSync(math, 'failWithCause');
    await expect(
      policy.execute(() => {
        calls++;
        return fail('invalid');
      }),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    expect(calls).toBe(2);
  });

  it('opens a circuit after consecutive timeouts, then fails fast without calling', async () => {
    const held = runner.defineSync(math, 'holdUntilOpen', { timeoutMs: 30 });
    const gate = new Gate();
    let calls = 0;
    const breaker = circuitBreaker(handleType(RunnerTimeoutError), {
      halfOpenAfter: 600_000,
      breaker: new ConsecutiveBreaker(3),
    });
    const call = (): Promise<unknown> =>
      breaker.execute(() => {
        calls++;
        return held(gate.buffer, 'late');
      });
    for (let i = 0; i < 3; i++) await expect(call()).rejects.toBeInstanceOf(RunnerTimeoutError);
    await expect(call()).rejects.toBeInstanceOf(BrokenCircuitError);
    expect(calls).toBe(3);
    expect(runner.health().timeouts).toBeGreaterThanOrEqual(3);
    gate.open();
  });

  it('composes retry inside a breaker with wrap()', async () => {
    const crashUntil = runner.defineSync(math, 'crashUntil');
    const counter = join(dir, 'crash-once');
    const policy = wrap(
      circuitBreaker(handleType(RunnerCrashedError), { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(5) }),
      retry(handleType(RunnerCrashedError), { maxAttempts: 3, backoff: new ConstantBackoff(100) }),
    );
    await expect(policy.execute(() => crashUntil(counter, 1))).resolves.toBe('ok after 2 attempts');
  });
});
