/**
 * The second migration proof, on fixtures/legacy-shop: an app of another shape than legacy-app
 * (repository classes with sync method wrappers over their async methods, an interface declaring
 * both, a subclass overriding the wrappers, a DI container, a command handler map, an event-driven
 * job). A copy is migrated with the built CLI, every default phase in order; after each phase tsc
 * reports nothing the app did not have before and the app's own suite passes.
 *
 * The CLI runs in-process (the `main` the binary calls) and tsc through the TypeScript API; the
 * binary itself is smoke-tested in legacy-app.test.ts. The app's own suite runs as a real child process.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PHASES } from '../../src/progress/phases.js';
import { cli, read, REPO, typecheck as typecheckDir } from './helpers.js';

const LEGACY_SHOP = path.join(REPO, 'fixtures/legacy-shop');
// A hang guard only: no step needs to finish within any time.
const STEP_TIMEOUT = 900_000;
const APP_TESTS = 8;

interface Step {
  code: number;
  stdout: string;
  stderr: string;
}

function runNode(args: string[], cwd: string): Step {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS' && key !== 'TEST'));
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' }, maxBuffer: 64 * 1024 * 1024 });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Every file of the app but node_modules, as text: what tells whether a phase changed anything. */
function snapshot(dir: string): string {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => !file.startsWith('node_modules') && /\.(?:ts|mjs|cjs|json)$/.test(file))
    .sort()
    .map((file) => `${file}\n${readFileSync(path.join(dir, file), 'utf8')}`)
    .join('\n');
}

describe('the legacy shop (classes, a container, a handler map, event jobs), migrated phase by phase', () => {
  let dir = '';
  let baseline = '';

  const loopAudit = (...args: string[]): Promise<Step> => cli(dir, ...args);
  const typecheck = (): string => typecheckDir(dir);
  const appTests = (): Step => runNode([path.join(REPO, 'node_modules/vitest/vitest.mjs'), 'run', '--root', dir], dir);
  const findings = async (): Promise<string[]> => {
    const step = await loopAudit('scan', '--format', 'json', '--fail-on', 'off');
    expect(step.code, step.stderr).toBe(0);
    return (JSON.parse(step.stdout) as { findings: { ruleId: string; file: string; line: number }[] }).findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`);
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'loop-audit-legacy-shop-'));
    cpSync(LEGACY_SHOP, dir, { recursive: true, filter: (source) => !/[\\/](node_modules|\.loop-audit-cache)([\\/]|$)/.test(source) });
    mkdirSync(path.join(dir, 'node_modules/@types'), { recursive: true });
    for (const pkg of ['typescript', 'vitest']) symlinkSync(path.join(REPO, 'node_modules', pkg), path.join(dir, 'node_modules', pkg));
    symlinkSync(path.join(REPO, 'node_modules/@types/node'), path.join(dir, 'node_modules/@types/node'));
    // The runtime package the migrated code imports, as `npm install` of the added dependency links it.
    mkdirSync(path.join(dir, 'node_modules/@loop-audit'), { recursive: true });
    symlinkSync(path.join(REPO, 'runtime'), path.join(dir, 'node_modules/@loop-audit/runtime'));
    baseline = typecheck();
  }, STEP_TIMEOUT);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'starts type-clean with its suite passing, and sync wrappers in the data layer',
    async () => {
      expect(baseline).toBe('');
      const tests = appTests();
      expect(tests.code, `${tests.stdout}${tests.stderr}`).toBe(0);
      expect(tests.stdout).toMatch(new RegExp(`Tests\\s+${APP_TESTS} passed \\(${APP_TESTS}\\)`));
      expect((await findings()).filter((f) => f.endsWith('no-sync-wrapper'))).toHaveLength(6);
    },
    STEP_TIMEOUT,
  );

  for (const phase of DEFAULT_PHASES) {
    it(
      `migrate --phase ${phase.name} --write: tsc no worse, the app's tests pass`,
      async () => {
        const before = snapshot(dir);
        const step = await loopAudit('migrate', '--phase', phase.name, '--write');
        if (phase.name === 'stabilize') {
          // The runner cannot take a method wrapper (an instance cannot cross into its worker): each is refused
          // with that reason (exit 1), nothing is written, and the data-layer phase removes them instead.
          expect(step.code, `${step.stdout}${step.stderr}`).toBe(1);
          expect(step.stdout).toContain('0 of 6 wrappers moved');
          expect(step.stdout.match(/an instance cannot cross into the runner's worker/g)).toHaveLength(6);
        } else {
          expect(step.code, `${step.stdout}${step.stderr}`).toBe(0);
        }
        expect(typecheck()).toBe(baseline);
        // A phase that changed no file cannot change the suite's result: it ran after the last one that did.
        if (snapshot(dir) === before) return;
        const tests = appTests();
        expect(tests.code, `${tests.stdout}${tests.stderr}`).toBe(0);
        expect(tests.stdout).toMatch(new RegExp(`Tests\\s+${APP_TESTS} passed \\(${APP_TESTS}\\)`));
      },
      STEP_TIMEOUT,
    );
  }

  it('ends with no finding: every wrapper gone, the override moved, the handlers async, the job a tracked task', async () => {
    expect(await findings()).toEqual([]);
    const cached = read(dir, 'src/repositories/cached-product-repository.ts');
    expect(cached).toContain('override async findAsync(sku: string): Promise<Product | undefined> {');
    expect(cached).toContain('const product = await super.findAsync(sku);');
    expect(cached).toContain('override async saveAsync(product: Product): Promise<Product> {');
    const catalog = read(dir, 'src/repositories/product-repository.ts');
    expect(catalog).not.toMatch(/\bfind\(sku: string\)|\bsave\(product: Product\)|runSync/);
    expect(read(dir, 'src/services/inventory-service.ts')).toContain('async placeOrder(sku: string, quantity: number): Promise<Order> {');
    expect(read(dir, 'src/handlers/commands.ts')).toContain("order: async (container, [sku = '', quantity = '1'], out) => {");
    expect(read(dir, 'src/jobs/restock-job.ts')).toMatch(/spawn\(async \(\) => \{\n\s+await container\.resolve\(InventoryService\)\.restock\(sku, RESTOCK_QUANTITY\);/);
    const pkg = JSON.parse(read(dir, 'package.json')) as { dependencies?: Record<string, string> };
    expect(Object.keys(pkg.dependencies ?? {})).toEqual(['@loop-audit/runtime']);
  });

  it(
    'a second run of every phase changes nothing',
    async () => {
      for (const phase of DEFAULT_PHASES) {
        const step = await loopAudit('migrate', '--phase', phase.name);
        expect(step.code, step.stderr).toBe(0);
        expect(step.stdout, phase.name).toBe('');
      }
    },
    STEP_TIMEOUT,
  );
});
