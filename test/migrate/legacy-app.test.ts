/**
 * The proof of the migration plan on fixtures/legacy-app: a copy is migrated phase by phase with
 * the built CLI (`migrate --phase <name> --write` for each default phase, then `fix --write`), and
 * after every step the type checker reports nothing new, the app's own vitest suite passes, and the
 * scan shows that phase's findings gone.
 *
 * The CLI is this repository built as `npm run build` builds it, but into a directory of the test's
 * own: other work rebuilding dist/ in the same checkout during the run cannot mix two builds.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PHASES, phaseMatcher, type Phase } from '../../src/progress/phases.js';
import { read, REPO } from './helpers.js';

const LEGACY_APP = path.join(REPO, 'fixtures/legacy-app');
// A hang guard only (the app's own test run and tsc happen inside a step): no step needs to finish within any time.
const STEP_TIMEOUT = 900_000;
let build = '';
let BIN = '';

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

function loopAudit(dir: string, ...args: string[]): Step {
  return runNode([BIN, ...args], dir);
}

function typecheck(dir: string): string {
  const step = runNode([path.join(REPO, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', path.join(dir, 'tsconfig.json')], dir);
  return step.code === 0 ? '' : `${step.stdout}${step.stderr}`;
}

function appTests(dir: string): Step {
  return runNode([path.join(REPO, 'node_modules/vitest/vitest.mjs'), 'run', '--root', dir], dir);
}

function findings(dir: string): Finding[] {
  const step = loopAudit(dir, 'scan', '--format', 'json', '--fail-on', 'off');
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
    // A package directory like the published one: package.json (its exports map), dist/, the dependencies.
    build = mkdtempSync(path.join(tmpdir(), 'loop-audit-build-'));
    cpSync(path.join(REPO, 'package.json'), path.join(build, 'package.json'));
    symlinkSync(path.join(REPO, 'node_modules'), path.join(build, 'node_modules'));
    runNode([path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', path.join(REPO, 'tsconfig.build.json'), '--outDir', path.join(build, 'dist')], REPO);
    BIN = path.join(build, 'dist/src/cli/bin.js');
    if (!existsSync(BIN) || !existsSync(path.join(build, 'dist/src/runtime/index.js'))) throw new Error(`building loop-audit into ${build} produced no CLI`);
    dir = mkdtempSync(path.join(tmpdir(), 'loop-audit-legacy-migrate-'));
    cpSync(LEGACY_APP, dir, { recursive: true, filter: (source) => !/[\\/](node_modules|\.loop-audit|\.loop-audit-cache)([\\/]|$)/.test(source) });
    // What the app resolves from: this repository's packages, and loop-audit itself.
    mkdirSync(path.join(dir, 'node_modules/@types'), { recursive: true });
    for (const pkg of ['commander', 'typescript', 'vitest']) symlinkSync(path.join(REPO, 'node_modules', pkg), path.join(dir, 'node_modules', pkg));
    symlinkSync(path.join(REPO, 'node_modules/@types/node'), path.join(dir, 'node_modules/@types/node'));
    symlinkSync(build, path.join(dir, 'node_modules/loop-audit'));
    // The runtime package the rewritten code imports, as `npm install` of the added dependency links it.
    mkdirSync(path.join(dir, 'node_modules/@loop-audit'), { recursive: true });
    symlinkSync(path.join(REPO, 'runtime'), path.join(dir, 'node_modules/@loop-audit/runtime'));
    baseline = typecheck(dir);
  }, STEP_TIMEOUT);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (build) rmSync(build, { recursive: true, force: true });
  });

  it('starts type-clean, with findings in every phase', () => {
    expect(baseline).toBe('');
    const all = findings(dir);
    for (const phase of DEFAULT_PHASES) expect(phaseFindings(all, phase).length, phase.name).toBeGreaterThan(0);
  });

  for (const phase of DEFAULT_PHASES) {
    it(
      `migrate --phase ${phase.name} --write: tsc adds nothing, the app's tests pass, the phase's findings are gone`,
      () => {
        const step = loopAudit(dir, 'migrate', '--phase', phase.name, '--write');
        expect(step.code, `${step.stdout}${step.stderr}`).toBe(0);
        expect(step.stdout).toMatch(new RegExp(`^loop-audit migrate \\(phase ${phase.name}, (?:async|runner)\\)`));
        expect(typecheck(dir)).toBe(baseline);
        const tests = appTests(dir);
        expect(tests.code, `${tests.stdout}${tests.stderr}`).toBe(0);
        expect(tests.stdout).toMatch(/Tests\s+13 passed \(13\)/);
        expect(phaseFindings(findings(dir), phase)).toEqual([]);
      },
      STEP_TIMEOUT,
    );
  }

  it(
    'fix --write, then: no sync wrapper, no bridge, no floating promise anywhere, and the bridge package is gone',
    () => {
      const step = loopAudit(dir, 'fix', '--write');
      expect(step.code, `${step.stdout}${step.stderr}`).toBe(0);
      expect(typecheck(dir)).toBe(baseline);
      const tests = appTests(dir);
      expect(tests.code, `${tests.stdout}${tests.stderr}`).toBe(0);
      expect(findings(dir)).toEqual([]);
      const pkg = JSON.parse(read(dir, 'package.json')) as { dependencies: Record<string, string> };
      // The bridge is gone; the runtime is there exactly when the migrated code imports it (spawn in the HTTP handlers).
      const runtimeUsers = (readdirSync(path.join(dir, 'src'), { recursive: true }) as string[]).filter((file) => /\.ts$/.test(file) && read(dir, `src/${file}`).includes("from '@loop-audit/runtime'"));
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
    () => {
      for (const phase of DEFAULT_PHASES) {
        const step = loopAudit(dir, 'migrate', '--phase', phase.name);
        expect(step.code, step.stderr).toBe(0);
        expect(step.stdout, phase.name).toBe('');
        expect(step.stderr).toContain('nothing to change');
      }
    },
    STEP_TIMEOUT,
  );
});
