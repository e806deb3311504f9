import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/types.js';
import { computeProgress } from '../../src/progress/compute.js';
import { BRIDGE_PACKAGES, DEFAULT_PHASES, PYTHON_BRIDGE_PACKAGES, phaseMatcher, phaseProblems, resolvePhases } from '../../src/progress/phases.js';
import { runProgress } from '../../src/progress/run.js';
import { cli, LEGACY_APP } from './support.js';

function layerOf(file: string): string[] {
  return DEFAULT_PHASES.filter((phase) => phase.globs.length > 0 && phaseMatcher(phase)(file)).map((phase) => phase.name);
}

describe('the default phases', () => {
  it('follow the seeds: stabilize, then bottom-up layers, then cleanup', () => {
    expect(DEFAULT_PHASES.map((p) => [p.name, p.order])).toEqual([
      ['stabilize', 1],
      ['data-layer', 2],
      ['services', 3],
      ['application', 4],
      ['background-jobs', 5],
      ['cleanup', 6],
    ]);
    expect(DEFAULT_PHASES[0]!.rules).toEqual(['no-loop-per-call', 'no-sync-bridge']);
    expect(DEFAULT_PHASES.at(-1)!.rules).toEqual(['no-sync-wrapper', 'no-sync-bridge', 'no-floating-promise']);
    expect(DEFAULT_PHASES.at(-1)!.packages).toEqual(expect.arrayContaining(['deasync', 'make-synchronous', 'sync-rpc', 'fibers', 'deasync-promise', 'do-sync', 'sync-threads']));
    expect(resolvePhases(undefined)).toEqual(DEFAULT_PHASES);
  });

  it('assign files to layers by their globs; a file in no layer belongs to the everywhere phases only', () => {
    expect(layerOf('src/repositories/user.ts')).toEqual(['data-layer']);
    expect(layerOf('packages/api/src/db/pool.ts')).toEqual(['data-layer', 'application']);
    expect(layerOf('lib/clients/http.js')).toEqual(['data-layer']);
    expect(layerOf('src/services/billing/invoice.ts')).toEqual(['services']);
    expect(layerOf('src/commands/sync.ts')).toEqual(['application']);
    expect(layerOf('bin/tool.mjs')).toEqual(['application']);
    expect(layerOf('src/controllers/orders.ts')).toEqual(['application']);
    expect(layerOf('app/cron/nightly.ts')).toEqual(['background-jobs']);
    expect(layerOf('src/queues/mail.ts')).toEqual(['background-jobs']);
    expect(layerOf('src/lib/run-sync.ts')).toEqual([]);
    expect(layerOf('services.ts')).toEqual([]);

    const report = computeProgress({
      root: '/project',
      phases: DEFAULT_PHASES,
      findings: [
        { ruleId: 'no-sync-wrapper', file: 'src/lib/run-sync.ts', fingerprint: 'a' },
        { ruleId: 'no-sync-wrapper', file: 'src/services/a.ts', fingerprint: 'b' },
      ],
      files: ['src/lib/run-sync.ts', 'src/services/a.ts'],
    });
    expect(Object.fromEntries(report.phases.map((p) => [p.name, p.findings]))).toEqual({
      stabilize: 0,
      'data-layer': 0,
      services: 1,
      application: 0,
      'background-jobs': 0,
      cleanup: 2,
    });
    expect(report.phases.find((p) => p.name === 'services')!.files).toBe(1);
  });

  it('checks bridge packages in every dependency field', () => {
    const report = computeProgress({
      root: '/project',
      phases: DEFAULT_PHASES,
      findings: [],
      files: [],
      packageJson: { dependencies: { deasync: '1', express: '4' }, devDependencies: { synckit: '0.9' }, optionalDependencies: { fibers: '5' } },
    });
    const cleanup = report.phases.at(-1)!;
    expect(cleanup.packages).toEqual([
      { name: 'deasync', field: 'dependencies' },
      { name: 'synckit', field: 'devDependencies' },
      { name: 'fibers', field: 'optionalDependencies' },
    ]);
    expect(cleanup.status).toBe('not started');
    expect(cleanup.remaining).toBe(3);
    expect(report.currentPhase).toBe('cleanup');
    expect(report.phases.slice(0, -1).every((p) => p.status === 'done')).toBe(true);
  });
});

describe('user-defined phases', () => {
  it('replace the defaults: renamed, reordered, added and dropped, sorted by order', () => {
    const phases = resolvePhases([
      { name: 'cleanup', rules: ['loop-audit/no-sync-wrapper'], order: 9 },
      { name: 'repositories', globs: ['src/repositories/**'], rules: ['no-sync-wrapper'], order: 2 },
      { name: 'stabilize', rules: ['no-sync-bridge', 'no-loop-per-call', 'no-sync-bridge'], order: 1 },
      { name: 'tests', description: 'tests await what they start', globs: ['test/**'], rules: ['no-floating-promise'], order: 2, packages: ['sync-rpc'] },
    ]);
    expect(phases.map((p) => p.name)).toEqual(['stabilize', 'repositories', 'tests', 'cleanup']);
    expect(phases[0]!.rules).toEqual(['no-sync-bridge', 'no-loop-per-call']);
    expect(phases[0]!.packages).toEqual([]);
    expect(phases[2]).toMatchObject({ description: 'tests await what they start', packages: ['sync-rpc'] });
    // A phase named cleanup keeps the bridge-package check unless it says otherwise.
    expect(phases[3]!.packages).toEqual([...BRIDGE_PACKAGES, ...PYTHON_BRIDGE_PACKAGES]);
    expect(
      resolvePhases([
        { name: 'a', rules: ['no-sync-wrapper'] },
        { name: 'b', rules: ['no-sync-bridge'] },
      ]).map((p) => p.order),
    ).toEqual([1, 2]);
  });

  it('errors name the bad key path', () => {
    const problems = phaseProblems([
      { name: 'a', rules: ['no-such-rule'], colour: 'red' },
      { name: 'a', globs: 'src/**', rules: [] },
      'stabilize',
      { rules: ['no-sync-wrapper'], order: 'first', globs: ['/abs/**'], packages: [3] },
    ]);
    expect(problems).toEqual([
      'phases[0].colour: unknown key (allowed: name, description, globs, rules, order, packages)',
      'phases[0].rules[0]: unknown rule "no-such-rule" (known: no-loop-per-call, no-sync-bridge, no-sync-wrapper, no-floating-promise)',
      'phases[1].name: duplicate phase name "a" (also phases[0])',
      'phases[1].globs: must be an array of strings, got string "src/**"',
      'phases[1].rules: must name at least one rule',
      'phases[2]: a phase must be an object, got string "stabilize"',
      'phases[3].name: is required',
      `phases[3].globs[0]: must be relative to the configuration's directory, got "/abs/**"`,
      'phases[3].order: must be a number, got string "first"',
      'phases[3].packages[0]: must be a non-empty string, got number 3',
    ]);
    expect(phaseProblems({ stabilize: {} })).toEqual(['phases: must be an array of phases, got an object']);
    expect(() => resolvePhases([{ name: 'x', rules: ['nope'] }], 'loop-audit.config.json')).toThrow(ConfigError);
    expect(() => resolvePhases([{ name: 'x', rules: ['nope'] }], 'loop-audit.config.json')).toThrow(/invalid phases in loop-audit\.config\.json:\n {2}- phases\[0\]\.rules\[0\]: unknown rule "nope"/);
  });
});

describe('phases from the configuration file', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'loop-audit-phases-'));
    cpSync(LEGACY_APP, dir, { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a custom plan measures the legacy app by its own phases', async () => {
    writeFileSync(
      path.join(dir, 'loop-audit.config.json'),
      JSON.stringify({
        phases: [
          { name: 'bridge', description: 'one bridge, no worker per call', rules: ['no-loop-per-call', 'no-sync-bridge'], order: 1 },
          { name: 'jobs-first', globs: ['src/jobs/**'], rules: ['no-floating-promise'], order: 2 },
          { name: 'repositories', globs: ['src/repositories/**'], rules: ['loop-audit/no-sync-wrapper'], order: 3 },
          { name: 'everything-else', rules: ['no-sync-wrapper', 'no-floating-promise'], order: 4 },
        ],
      }),
    );
    const { report } = await runProgress({ cwd: dir });
    expect(report.phases.map((p) => [p.name, p.status, p.remaining])).toEqual([
      ['bridge', 'not started', 2],
      ['jobs-first', 'blocked', 2],
      ['repositories', 'blocked', 5],
      ['everything-else', 'blocked', 9],
    ]);
    expect(report.phases[0]!.description).toBe('one bridge, no worker per call');
  });

  it('a phase can name the packages that must leave package.json', async () => {
    writeFileSync(
      path.join(dir, 'loop-audit.config.json'),
      JSON.stringify({ phases: [{ name: 'no-cli-framework', rules: ['no-sync-bridge'], globs: ['nowhere/**'], packages: ['commander', 'yargs'] }] }),
    );
    const { report } = await runProgress({ cwd: dir });
    expect(report.phases[0]).toMatchObject({ status: 'not started', remaining: 1, findings: 0, packages: [{ name: 'commander', field: 'dependencies' }] });
    writeFileSync(path.join(dir, 'loop-audit.config.json'), JSON.stringify({ phases: [{ name: 'x', rules: ['no-sync-bridge'], packages: 'deasync' }] }));
    const run = await cli(dir, 'progress');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('phases[0].packages: must be an array of strings');
  });

  it('a bad phases block is a configuration error naming the key, exit code 2', async () => {
    writeFileSync(
      path.join(dir, 'loop-audit.config.json'),
      JSON.stringify({
        phases: [
          { name: 'stabilize', rules: ['no-sync-bridge'] },
          { name: 'services', glob: ['src/services/**'], rules: ['no-sync-wraper'] },
        ],
      }),
    );
    await expect(runProgress({ cwd: dir })).rejects.toThrow(ConfigError);
    const run = await cli(dir, 'progress');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('phases[1].glob: unknown key');
    expect(run.stderr).toContain('phases[1].rules[0]: unknown rule "no-sync-wraper"');
    writeFileSync(path.join(dir, 'loop-audit.config.json'), JSON.stringify({ phases: 'stabilize' }));
    const notArray = await cli(dir, 'progress');
    expect(notArray.code).toBe(2);
    expect(notArray.stderr).toContain('phases: must be an array of phases');
  });
});
