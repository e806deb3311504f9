import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { createRunner, type RunnerHealth } from '@loop-audit/runtime';
import { fixture } from './helpers.js';

const math = fixture('math.mjs');

describe('health()', () => {
  const runner = createRunner({ onTaskError: () => {} });
  afterAll(() => runner.shutdown());

  it('is operational before the first call, with no worker yet', () => {
    const health = runner.health();
    expect(health).toMatchObject({
      healthy: true,
      status: 'operational',
      workerThreadId: null,
      pendingCalls: 0,
      pendingTasks: 0,
      restarts: 0,
      crashes: 0,
      timeouts: 0,
      calls: 0,
      errors: 0,
      lastError: null,
      latencyMs: null,
    });
    expect(new Date(health.timestamp).toISOString()).toBe(health.timestamp);
  });

  it('counts calls, errors, tasks and latency, and survives JSON', async () => {
    const add = runner.defineSync(math, 'add');
    for (let i = 0; i < 50; i++) add(i, i);
    expect(() => runner.defineSync(math, 'failWithCause')('x')).toThrow();
    runner.spawn(Promise.reject(new Error('task failed')), { name: 'bad' });
    runner.spawn(new Promise(() => {}), { name: 'pending' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const health = runner.health();
    expect(health).toMatchObject({ calls: 51, errors: 1, tasksSpawned: 2, taskFailures: 1, pendingTasks: 1 });
    expect(health.lastError).toMatchObject({ source: 'task', name: 'Error', message: 'task failed' });
    expect(health.workerThreadId).toEqual(expect.any(Number));
    expect(health.latencyMs!.p50).toBeGreaterThan(0);
    expect(health.latencyMs!.p99).toBeGreaterThanOrEqual(health.latencyMs!.p50);
    // User errors and task failures are not runner failures.
    expect(health.status).toBe('operational');
    expect(JSON.parse(JSON.stringify(health))).toEqual(health);
  });

  it('serves as a GET /health/async endpoint with node:http (the README example)', async () => {
    const server: Server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/health/async') {
        const health = runner.health();
        res.writeHead(health.healthy ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify(health));
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/health/async`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as RunnerHealth;
      expect(body).toMatchObject({ healthy: true, status: 'operational' });
      expect(typeof body.timestamp).toBe('string');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reports degraded after a runner failure until a call succeeds, stopped after shutdown', async () => {
    const other = createRunner();
    expect(() => other.defineSync(math, 'exitWorker')(2)).toThrow();
    expect(other.health()).toMatchObject({ status: 'degraded', healthy: false });
    expect(other.defineSync(math, 'add')(1, 1)).toBe(2);
    expect(other.health()).toMatchObject({ status: 'operational', healthy: true });
    await other.shutdown();
    expect(other.health()).toMatchObject({ status: 'stopped', healthy: false, workerThreadId: null });
  });
});
