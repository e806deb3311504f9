import { describe, expect, it } from 'vitest';
import { runNode } from './helpers.js';

// Each fixture imports the package by name ('@loop-audit/runtime'), resolved through the exports
// map to the build in dist/, so these also check the published entry point.
describe('real node processes', () => {
  it('a process that uses the runner exits on its own, without shutdown()', async () => {
    const result = await runNode('exits-alone.mjs');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ sum: 42, triple: 15 });
    expect(JSON.parse(result.stdout).threadId).toBeGreaterThan(0);
  });

  it('names the spawned tasks still unfinished when the process exits', async () => {
    const result = await runNode('pending-at-exit.mjs');
    expect(result.code).toBe(0);
    expect(result.stderr.trim()).toBe('@loop-audit/runtime: process exiting with 1 spawned task(s) unfinished: "never-ends"');
  });

  it('works from CommonJS: require("@loop-audit/runtime") with modules given as paths', async () => {
    const result = await runNode('cjs-caller.cjs');
    // No top-level await in the module graph: require(esm) loads it without a warning.
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      add: 5,
      multiply: 20,
      esmAdd: 2,
      square: 81,
      loadError: { isLoadError: true, name: 'RunnerLoadError', code: 'ERR_RUNNER_LOAD' },
      drained: true,
    });
  });

  it('works from ESM with import.meta.url-relative modules', async () => {
    const result = await runNode('esm-caller.mjs');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ add: 3, echo: { nested: [1, 2, 3] } });
  });

  it('runMain: SIGTERM aborts main, drains tasks (which may still use the bridge), exits 143', async () => {
    let signalled = false;
    const result = await runNode('runmain-sigterm.mjs', {
      onStdout(text, child) {
        if (!signalled && text.includes('ready 42')) {
          signalled = true;
          child.kill('SIGTERM');
        }
      },
    });
    expect(signalled).toBe(true);
    expect(result.stdout).toContain('cleanup finished, add(1, 2) = 3');
    expect(result.signal).toBeNull();
    expect(result.code).toBe(143);
  });

  it('runMain: a rejected main prints a clear message and exits 1 even with the loop held open', async () => {
    const result = await runNode('runmain-reject.mjs');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('@loop-audit/runtime: main failed: Error: config file missing');
    expect(result.stderr).toMatch(/runmain-reject\.mjs:\d+:\d+/);
  });

  it('runMain: a resolved main waits for its spawned tasks, then the process ends normally', async () => {
    const result = await runNode('runmain-ok.mjs');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual(['main done', 'task done', 'runMain resolved']);
  });
});
