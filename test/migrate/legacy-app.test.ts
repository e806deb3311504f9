/**
 * The proof of the migration plan on fixtures/legacy-app: a copy is migrated phase by phase with
 * the CLI (`migrate --phase <name> --write` for each default phase, then `fix --write`), and
 * after every step the type checker reports nothing new, the app's own vitest suite passes, and the
 * scan shows that phase's findings gone.
 *
 * The CLI runs in-process (the `main` the binary calls); the first phase runs through the built
 * binary, dist/src/cli/bin.js (built once before the test files: test/support/global-setup.ts),
 * which the app also resolves as `loop-audit`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PHASES, phaseMatcher, type Phase } from '../../src/progress/phases.js';
import { typeCheck } from '../support/typecheck.js';
import { cli, read, REPO } from './helpers.js';

const LEGACY_APP = path.join(REPO, 'fixtures/legacy-app');
const BIN = path.join(REPO, 'dist/src/cli/bin.js');
// A hang guard only (the app's own test run and tsc happen inside a step): no step needs to finish within any time.
const STEP_TIMEOUT = 900_000;

interface Finding {
  ruleId: string;
  file: string;
  line: number;
  message: string;
}

interface Step {
  code: number;
  stdout: string;
  stderr: string;
}

function runNode(args: string[], cwd: string): Step {
  // The app's suite must not think it runs inside this one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS' && key !== 'TEST'));
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' }, maxBuffer: 64 * 1024 * 1024 });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** `loop-audit <args>` in `dir`, in-process. */
function loopAudit(dir: string, ...args: string[]): Promise<Step> {
  return cli(dir, ...args);
}

/** `loop-audit <args>` in `dir`, through the built binary. */
function loopAuditBinary(dir: string, ...args: string[]): Step {
  return runNode([BIN, ...args], dir);
}

/** `tsc --noEmit -p` (in-process): '' when clean, else what tsc prints. */
function typecheck(dir: string): string {
  const result = typeCheck(path.join(dir, 'tsconfig.json'));
  return result.status === 0 ? '' : result.output;
}

function appTests(dir: string): Step {
  return runNode([path.join(REPO, 'node_modules/vitest/vitest.mjs'), 'run', '--root', dir], dir);
}

async function findings(dir: string): Promise<Finding[]> {
  const step = await loopAudit(dir, 'scan', '--format', 'json', '--fail-on', 'off');
  expect(step.code, step.stderr).toBe(0);
  const report = JSON.parse(step.stdout) as { findings: Finding[] };
  return report.findings.map((f) => ({ ...f, ruleId: f.ruleId.replace(/^loop-audit\//, '') }));
}

/** The findings a phase counts: its rules, in its layer (as `loop-audit progress` measures it). */
function phaseFindings(all: readonly Finding[], phase: Phase): string[] {
  const inLayer = phaseMatcher(phase);
  return all.filter((f) => (phase.rules as string[]).includes(f.ruleId) && inLayer(f.file)).map((f) => `${f.file}:${f.line} ${f.ruleId}`);
}

describe('the legacy app, migrated phase by phase', () => {
  let dir = '';
  let baseline = '';

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'loop-audit-legacy-migrate-'));
    cpSync(LEGACY_APP, dir, { recursive: true, filter: (source) => !/[\\/](node_modules|\.loop-audit|\.loop-audit-cache)([\\/]|$)/.test(source) });
    // What the app resolves from: this repository's packages, and loop-audit itself.
    mkdirSync(path.join(dir, 'node_modules/@types'), { recursive: true });
    for (const pkg of ['commander', 'typescript', 'vitest']) symlinkSync(path.join(REPO, 'node_modules', pkg), path.join(dir, 'node_modules', pkg));
    symlinkSync(path.join(REPO, 'node_modules/@types/node'), path.join(dir, 'node_modules/@types/node'));
    symlinkSync(REPO, path.join(dir, 'node_modules/loop-audit'));
    // The runtime package the rewritten code imports, as `npm install` of the added dependency links it.
    mkdirSync(path.join(dir, 'node_modules/@loop-audit'), { recursive: true });
    symlinkSync(path.join(REPO, 'runtime'), path.join(dir, 'node_modules/@loop-audit/runtime'));
    baseline = typecheck(dir);
  }, STEP_TIMEOUT);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('starts type-clean, with findings in every phase', async () => {
    expect(baseline).toBe('');
    const all = await findings(dir);
    for (const phase of DEFAULT_PHASES) expect(phaseFindings(all, phase).length, phase.name).toBeGreaterThan(0);
  });

  for (const [index, phase] of DEFAULT_PHASES.entries()) {
    it(
      `migrate --phase ${phase.name} --write${index === 0 ? ' (the built binary)' : ''}: tsc adds nothing, the app's tests pass, the phase's findings are gone`,
      async () => {
        const args = ['migrate', '--phase', phase.name, '--write'];
        const step = index === 0 ? loopAuditBinary(dir, ...args) : await loopAudit(dir, ...args);
        expect(step.code, `${step.stdout}${step.stderr}`).toBe(0);
        expect(step.stdout).toMatch(new RegExp(`^loop-audit migrate \\(phase ${phase.name}, (?:async|runner)\\)`));
        expect(typecheck(dir)).toBe(baseline);
        const tests = appTests(dir);
        expect(tests.code, `${tests.stdout}${tests.stderr}`).toBe(0);
        expect(tests.stdout).toMatch(/Tests\s+13 passed \(13\)/);
        expect(phaseFindings(await findings(dir), phase)).toEqual([]);
      },
      STEP_TIMEOUT,
    );
  }

  it(
    'fix --write, then: no sync wrapper, no bridge, no floating promise anywhere, and the bridge package is gone',
    async () => {
      const step = await loopAudit(dir, 'fix', '--write');
      expect(step.code, `${step.stdout}${step.stderr}`).toBe(0);
      expect(typecheck(dir)).toBe(baseline);
      const tests = appTests(dir);
      expect(tests.code, `${tests.stdout}${tests.stderr}`).toBe(0);
      expect(await findings(dir)).toEqual([]);
      const pkg = JSON.parse(read(dir, 'package.json')) as { dependencies: Record<string, string> };
      // The bridge is gone; the runtime is there exactly when the migrated code imports it (spawn in the HTTP handlers).
      const runtimeUsers = (readdirSync(path.join(dir, 'src'), { recursive: true }) as string[]).filter(
        (file) => /\.ts$/.test(file) && read(dir, `src/${file}`).includes("from '@loop-audit/runtime'"),
      );
      const runtimeVersion = (JSON.parse(readFileSync(path.join(REPO, 'runtime/package.json'), 'utf8')) as { version: string }).version;
      expect(runtimeUsers.length).toBeGreaterThan(0);
      expect(pkg.dependencies).toEqual({ '@loop-audit/runtime': `^${runtimeVersion}`, commander: '^14.0.0' });
      // The layers as the seeds describe their end state.
      expect(read(dir, 'src/lib/run-sync.ts')).not.toMatch(/Atomics\.wait|new Worker/);
      expect(read(dir, 'src/repositories/order-repository.ts')).not.toMatch(/Sync\(/);
      expect(read(dir, 'src/services/order-service.ts')).toContain('export async function placeOrder(userId: string, lines: OrderLine[], now = new Date()): Promise<Order> {');
      expect(read(dir, 'src/cli/main.ts')).toContain('await buildProgram().parseAsync();');
      expect(read(dir, 'src/routes/orders-route.ts')).toContain('res.statusCode = 500');
    },
    STEP_TIMEOUT,
  );

  it(
    'a second run of every phase changes nothing',
    async () => {
      for (const phase of DEFAULT_PHASES) {
        const step = await loopAudit(dir, 'migrate', '--phase', phase.name);
        expect(step.code, step.stderr).toBe(0);
        expect(step.stdout, phase.name).toBe('');
        expect(step.stderr).toContain('nothing to change');
      }
    },
    STEP_TIMEOUT,
  );
});
