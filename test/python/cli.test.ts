import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, edit, git, progressSchemaErrors, write } from '../progress/support.js';
import { scan } from '../../src/scan/scan.js';
import { cleanupProjects, fixturesRoot, makeProject, repoRoot } from '../scan/helpers.js';

/**
 * The Python experience end to end, through the real CLI (in-process, as `loop-audit <args>`):
 * scan in every format, baseline, scan --baseline, progress through the migration's phases, the
 * cache, and bad input, on fixtures/legacy-app-py (a runnable layered app) and scratch projects.
 */
const APP = path.join(fixturesRoot, 'legacy-app-py');
const temps: string[] = [];

function appCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'loop-audit-py-'));
  temps.push(dir);
  cpSync(APP, dir, { recursive: true, filter: (source) => !source.includes('__pycache__') });
  git(dir, 'init', '-q');
  return dir;
}

/** `file:line rule` of every `# expect: <rule-id>` marker under a directory. */
function markers(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.py')) {
        readFileSync(full, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            const match = /#\s*expect:\s*([\w, -]+)$/.exec(line);
            if (match) for (const rule of match[1]!.split(',').map((r) => r.trim())) found.push(`${path.relative(root, full).split(path.sep).join('/')}:${i + 1} loop-audit/${rule}`);
          });
      }
    }
  };
  walk(root);
  return found.sort();
}

interface JsonReport {
  findings: { ruleId: string; family: string; file: string; line: number; column: number; message: string }[];
  errors: { file: string; message: string }[];
  summary: { files: number; findings: number };
}

async function scanJson(cwd: string, ...args: string[]): Promise<{ code: number; report: JsonReport }> {
  const run = await cli(cwd, 'scan', '--format', 'json', ...args);
  expect(run.stderr).toBe('');
  return { code: run.code, report: JSON.parse(run.stdout) as JsonReport };
}

afterAll(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
  cleanupProjects();
});

describe('Python: scan of the legacy app, every format', () => {
  let root: string;
  beforeAll(() => {
    root = appCopy();
  });

  it('json: exactly the findings the markers expect, with rule families, and valid against the report schema', async () => {
    const { code, report } = await scanJson(root);
    expect(code).toBe(1);
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`).sort()).toEqual(markers(root));
    expect(new Set(report.findings.map((f) => f.family))).toEqual(new Set(['loop-per-call', 'sync-wrapper', 'floating-promise']));
    expect(report.summary.files).toBe(21);
    const validate = new Ajv({ allErrors: true }).compile(JSON.parse(readFileSync(path.join(repoRoot, 'schema/report.schema.json'), 'utf8')));
    expect(validate(report) ? [] : validate.errors).toEqual([]);
  });

  it('pretty: code frames and the summary', async () => {
    const run = await cli(root, 'scan', '--format', 'pretty', '--no-color');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("'UserRepository.find_user' is a sync wrapper: it only blocks on its async sibling 'afind_user' through 'run_sync'.");
    expect(run.stdout).toMatch(/> 22 \| def monthly_report\(user_id: str, month: str\) -> dict:/);
    expect(run.stdout).toContain('✖ 11 problems (4 errors, 7 warnings) in 7 of 21 files');
  });

  it('sarif: valid SARIF 2.1.0 with one result per finding and stable fingerprints', async () => {
    const run = await cli(root, 'scan', '--format', 'sarif');
    const sarif = JSON.parse(run.stdout);
    const schema = JSON.parse(readFileSync(path.join(repoRoot, 'test/scan/sarif-schema-2.1.0.json'), 'utf8'));
    const validate = new AjvDraft04.default({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }).compile(schema);
    expect(validate(sarif) ? [] : validate.errors).toEqual([]);
    const results = sarif.runs[0].results as { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[]; partialFingerprints: Record<string, string> }[];
    expect(results).toHaveLength(11);
    expect(results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri)).toContain('orders_app/lib/run_sync.py');
    const again = JSON.parse((await cli(root, 'scan', '--format', 'sarif')).stdout);
    expect(again.runs[0].results.map((r: { partialFingerprints: object }) => r.partialFingerprints)).toEqual(results.map((r) => r.partialFingerprints));
  });

  it('github: one workflow command per finding', async () => {
    const run = await cli(root, 'scan', '--format', 'github');
    const lines = run.stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(lines).toHaveLength(11);
    expect(lines).toContain(lines.find((l) => l.startsWith('::warning file=orders_app/repositories/user_repository.py,line=24,')));
    expect(run.stdout).toContain('::error file=orders_app/lib/run_sync.py,line=12,');
  });

  it('markdown: a table per family', async () => {
    const run = await cli(root, 'scan', '--format', 'markdown');
    expect(run.stdout).toContain('orders_app/services/report_service.py');
    expect(run.stdout).toContain('| `loop-audit/no-sync-wrapper` | 0 | 7 |');
  });

  it('a scan of one layer still resolves the helpers and siblings of the modules it did not include', async () => {
    const { report } = await scanJson(root, 'orders_app/repositories');
    expect(report.summary.files).toBe(3);
    expect(report.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual(markers(root).filter((m) => m.startsWith('orders_app/repositories/')));
  });

  it('a tree of TypeScript and Python files: one report for both', async () => {
    const mixed = makeProject({
      'package.json': '{"type":"module"}',
      'web/handler.ts': "import { Worker } from 'node:worker_threads';\nexport function handle(): void {\n  new Worker('./w.js');\n}\n",
      'jobs/poll.py': 'import asyncio\n\nasync def tick():\n    asyncio.create_task(poll())\n',
    });
    const { report } = await scanJson(mixed);
    expect(report.summary.files).toBe(2);
    expect(report.findings.map((f) => `${f.file} ${f.ruleId}`)).toEqual(['jobs/poll.py loop-audit/no-floating-promise', 'web/handler.ts loop-audit/no-loop-per-call']);
  });

  it('configuration: a rule turned off, and an option (allowForKnownSafeCalls) applied to Python', async () => {
    write(root, 'loop-audit.config.json', JSON.stringify({ rules: { 'no-sync-wrapper': 'off', 'no-floating-promise': ['error', { allowForKnownSafeCalls: ['asyncio.ensure_future'] }] } }));
    try {
      const { report } = await scanJson(root);
      expect(report.findings.map((f) => f.ruleId).sort()).toEqual(['loop-audit/no-floating-promise', 'loop-audit/no-loop-per-call', 'loop-audit/no-loop-per-call']);
    } finally {
      rmSync(path.join(root, 'loop-audit.config.json'));
    }
  });
});

describe('Python: baseline and progress through the migration', () => {
  it('measures each phase, counts the wrappers per layer, and follows the migration to the end', async () => {
    const root = appCopy();
    const first = await cli(root, 'progress', '--format', 'json');
    const report = JSON.parse(first.stdout);
    expect(progressSchemaErrors(report)).toEqual([]);
    const remaining = Object.fromEntries(report.phases.map((p: { name: string; remaining: number }) => [p.name, p.remaining]));
    // Wrappers per layer: five in repositories/, one in services/, one in web/; the jobs' dropped tasks; nest-asyncio in pyproject.toml.
    expect(remaining).toEqual({ stabilize: 2, 'data-layer': 5, services: 1, application: 1, 'background-jobs': 2, cleanup: 10 });
    expect(report.phases.find((p: { name: string }) => p.name === 'cleanup').packages).toEqual([{ name: 'nest-asyncio', field: 'pyproject.toml [project.dependencies]' }]);
    expect(report.currentPhase).toBe('stabilize');

    expect((await cli(root, 'baseline')).code).toBe(0);
    // Stabilize: one persistent loop thread instead of a loop per call, and the report service awaits through it.
    write(
      root,
      'orders_app/lib/run_sync.py',
      `"""One event loop on its own thread for every sync caller."""
from __future__ import annotations

import asyncio
import threading

_loop = asyncio.new_event_loop()
threading.Thread(target=_loop.run_forever, daemon=True, name="run-sync").start()


def run_sync(fn, *args):
    return asyncio.run_coroutine_threadsafe(fn(*args), _loop).result(timeout=30)
`,
    );
    edit(root, 'orders_app/services/report_service.py', 'return asyncio.run(amonthly_report(user_id, month))  # expect: no-loop-per-call', 'return run_sync(amonthly_report, user_id, month)');
    edit(root, 'orders_app/services/report_service.py', 'import asyncio\n', 'from ..lib.run_sync import run_sync\n');
    let run = await cli(root, 'progress', '--format', 'json');
    let phases = JSON.parse(run.stdout).phases as { name: string; status: string; remaining: number; resolved: number; percent: number }[];
    expect(phases.find((p) => p.name === 'stabilize')).toMatchObject({ status: 'done', remaining: 0, resolved: 2 });
    expect(phases.find((p) => p.name === 'data-layer')).toMatchObject({ status: 'not started', remaining: 5 });

    // The runner-backed wrappers are still debt: scan --baseline shows nothing new, and says so.
    const known = await cli(root, 'scan', '--baseline', '--format', 'json');
    expect(JSON.parse(known.stdout).findings).toEqual([]);
    expect(known.stderr).toMatch(/0 new, 9 known, 2 resolved/);

    // Data layer: the repositories expose their async functions only.
    const orders = path.join(root, 'orders_app/repositories/order_repository.py');
    writeFileSync(orders, readFileSync(orders, 'utf8').split('\n\ndef find_order_sync')[0]!.replace('from ..lib.run_sync import run_sync\n', '') + '\n');
    const users = path.join(root, 'orders_app/repositories/user_repository.py');
    writeFileSync(users, readFileSync(users, 'utf8').replace(/\n\n {4}def (find_user|save_user)\(self[^\n]*\n {8}return run_sync\([^)]*\)/g, ''));
    run = await cli(root, 'progress', '--format', 'json');
    phases = JSON.parse(run.stdout).phases;
    expect(phases.find((p) => p.name === 'data-layer')).toMatchObject({ status: 'done', remaining: 0, resolved: 5, percent: 100 });
    expect(phases.find((p) => p.name === 'services')).toMatchObject({ status: 'not started', remaining: 1 });

    // A new bridge is a regression the baseline catches.
    write(root, 'orders_app/services/audit_service.py', 'import nest_asyncio\n\nnest_asyncio.apply()\n');
    const regression = await cli(root, 'scan', '--baseline', '--format', 'json');
    expect(regression.code).toBe(1);
    expect(JSON.parse(regression.stdout).findings.map((f: { ruleId: string; file: string }) => `${f.file} ${f.ruleId}`)).toEqual(['orders_app/services/audit_service.py loop-audit/no-sync-bridge']);
    const gate = await cli(root, 'progress', '--fail-below-phase', 'stabilize');
    expect(gate.code).toBe(1);
  });
});

describe('Python: the scan cache', () => {
  it('reuses unchanged results, and re-analyses a file whose imported helper changed', async () => {
    const root = makeProject({
      'app/__init__.py': '',
      'app/runner.py': 'import asyncio\n\ndef run_async(coro):\n    return asyncio.run(coro)\n',
      'app/repo.py': 'from .runner import run_async\n\nclass Repo:\n    async def aget(self):\n        return 1\n\n    def get(self):\n        return run_async(self.aget())\n',
      'app/other.py': 'def plain():\n    return 1\n',
    });
    const wrappers = async (): Promise<string[]> => (await scanJson(root, '--cache')).report.findings.filter((f) => f.ruleId === 'loop-audit/no-sync-wrapper').map((f) => `${f.file}:${f.line}`);
    expect(await wrappers()).toEqual(['app/repo.py:7']);
    const cacheFile = path.join(root, '.loop-audit-cache/scan-cache.json');
    const cache = JSON.parse(readFileSync(cacheFile, 'utf8'));
    expect(
      Object.keys(cache.python.files)
        .map((f) => path.relative(root, f))
        .sort(),
    ).toEqual(['app/__init__.py', 'app/other.py', 'app/repo.py', 'app/runner.py']);
    expect(Object.keys(cache.python.files[path.join(root, 'app/repo.py')].deps).map((f) => path.relative(root, f))).toContain('app/runner.py');
    const before = statSync(cacheFile).mtimeMs;
    expect(await wrappers()).toEqual(['app/repo.py:7']);
    expect(statSync(cacheFile).mtimeMs).toBe(before);
    // The helper stops bridging: the wrapper in the unchanged repo.py is gone on the warm run.
    write(root, 'app/runner.py', 'def run_async(coro):\n    return coro\n');
    expect(await wrappers()).toEqual([]);
    write(root, 'app/runner.py', 'import asyncio\n\ndef run_async(coro):\n    return asyncio.run(coro)\n');
    expect(await wrappers()).toEqual(['app/repo.py:7']);
  });
  it('a warm run re-analyses nothing when a file is in a declared non-UTF-8 encoding, nor what imports it', async () => {
    const latin1 = Buffer.concat([Buffer.from('# -*- coding: latin-1 -*-\nimport asyncio\nNAME = "'), Buffer.from([0xe9, 0x74, 0xe9]), Buffer.from('"\n\nasync def aget():\n    return NAME\n')]);
    const root = makeProject({
      'app/__init__.py': '',
      'app/legacy.py': latin1,
      'app/importer.py': 'import asyncio\nfrom app.legacy import aget\n\ndef get():\n    return asyncio.run(aget())\n',
    });
    // Files last written well before the runs: their stat is a safe witness, as in a real checkout.
    const past = new Date(Date.now() - 3_600_000);
    for (const file of ['app/__init__.py', 'app/legacy.py', 'app/importer.py']) utimesSync(path.join(root, file), past, past);
    const cold = await scan({ cwd: root, config: false, cache: true });
    expect(cold.stats.analyzed).toBe(3);
    expect(cold.findings.map((f) => `${f.file} ${f.ruleId}`).sort()).toEqual(['app/importer.py no-loop-per-call', 'app/importer.py no-sync-wrapper']);
    const warm = await scan({ cwd: root, config: false, cache: true });
    expect(warm.stats.analyzed).toBe(0);
    expect(warm.findings.length).toBe(2);
  });
});

describe('Python: bad input gets an errors entry and the scan goes on', () => {
  const good = 'import asyncio\n\ndef fetch():\n    return asyncio.run(get())\n';
  const latin1 = Buffer.concat([
    Buffer.from('# -*- coding: latin-1 -*-\nimport asyncio\nNAME = "'),
    Buffer.from([0xe9, 0x74, 0xe9]),
    Buffer.from('"\n\ndef fetch():\n    return asyncio.run(get())\n'),
  ]);

  it('syntax errors, Python 2, odd encodings, a BOM, binary and huge files', async () => {
    const root = makeProject({
      'ok.py': good,
      'broken.py': 'def f(:\n    pass\n',
      'py2_print.py': 'import asyncio\nprint "hello"\n',
      'py2_except.py': 'try:\n    x = 1\nexcept ValueError, e:\n    pass\n',
      'latin1.py': latin1,
      'undeclared.py': Buffer.concat([Buffer.from('NAME = "'), Buffer.from([0xe9]), Buffer.from('"\n')]),
      'bom.py': `\uFEFF${good}`,
      'binary.py': Buffer.from([0x00, 0x01, 0x02, 0x03]),
      'huge.py': `X = 1\n${'# filler line\n'.repeat(90_000)}`,
    });
    const { code, report } = await scanJson(root);
    expect(report.errors.map((e) => `${e.file}: ${e.message}`).sort()).toEqual([
      'binary.py: skipped: binary file (contains NUL bytes)',
      'broken.py: syntax error: 1:7: missing )',
      expect.stringMatching(/^huge\.py: skipped: file is too large \(\d+ bytes, limit 1048576\)$/),
      'py2_except.py: syntax error: 3:1: Python 2 syntax (`except X, e:`): loop-audit analyses Python 3',
      'py2_print.py: syntax error: 2:1: Python 2 syntax (print statement): loop-audit analyses Python 3',
      'undeclared.py: skipped: not UTF-8 text, and no other encoding declared (PEP 263)',
    ]);
    // The readable files are analysed: the declared latin-1 file and the BOM file, columns as without the BOM.
    expect(
      report.findings
        .filter((f) => f.ruleId === 'loop-audit/no-loop-per-call')
        .map((f) => `${f.file}:${f.line}:${f.column}`)
        .sort(),
    ).toEqual(['bom.py:4:12', 'latin1.py:6:12', 'ok.py:4:12']);
    expect(report.summary.files).toBe(3);
    // Non-skipped errors (syntax) make the run fail with 2 only when nothing was analysed; here findings decide: 1.
    expect(code).toBe(1);
  });

  it('the baseline fingerprints a latin-1 file as the scan read it', async () => {
    const root = makeProject({ 'latin1.py': latin1 });
    git(root, 'init', '-q');
    expect((await cli(root, 'baseline')).code).toBe(0);
    const baseline = JSON.parse(readFileSync(path.join(root, '.loop-audit/baseline.json'), 'utf8'));
    expect(baseline.findings.map((f: { ruleId: string; file: string; context: string }) => `${f.file} ${f.context} ${f.ruleId}`).sort()).toEqual([
      'latin1.py fetch no-loop-per-call',
      'latin1.py fetch no-sync-wrapper',
    ]);
    expect((await cli(root, 'scan', '--baseline', '--format', 'json')).code).toBe(0);
  });

  it('skips virtualenvs, __pycache__, site-packages and .gitignored paths', async () => {
    const root = makeProject({
      '.gitignore': 'generated/\n',
      'app/main.py': good,
      'env/pyvenv.cfg': 'home = /usr/bin\n',
      'env/lib/python3.11/site-packages/lib.py': good,
      '.venv/lib/x.py': good,
      'app/__pycache__/main.cpython-311.py': good,
      'vendor/site-packages/pkg/mod.py': good,
      'generated/out.py': good,
    });
    git(root, 'init', '-q');
    const { report } = await scanJson(root);
    expect(report.summary.files).toBe(1);
    expect([...new Set(report.findings.map((f) => f.file))]).toEqual(['app/main.py']);
  });
});

describe('Python: fixtures/legacy-app-py is a working app', () => {
  const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  const hasPython = python.status === 0 && /Python 3\.(1[0-9])/.test(python.stdout);
  it.skipIf(!hasPython)('its own unittest suite passes under python3 (real store, loops, HTTP server)', () => {
    if (!hasPython) return;
    const dir = appCopy();
    const result = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', 'tests', '-t', '.'], { cwd: dir, encoding: 'utf8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(result.stderr).toMatch(/Ran 6 tests[\s\S]*\nOK\s*$/);
    expect(result.status).toBe(0);
  });
  it('has no __pycache__ checked in', () => {
    expect(existsSync(path.join(APP, 'orders_app', '__pycache__'))).toBe(false);
  });
});

describe('Python: the binary', () => {
  it('scans a Python-only tree without loading TypeScript', () => {
    // dist/, built once before the test files (test/support/global-setup.ts).
    const bin = path.join(repoRoot, 'dist/src/cli/bin.js');
    const root = makeProject({ 'svc/app.py': 'import asyncio\n\ndef handler():\n    result = asyncio.run(work())\n    return result + 1\n' });
    writeFileSync(
      path.join(root, 'loader-probe.cjs'),
      "const M = require('module'); const orig = M._load; M._load = function (r, ...a) { if (r === 'typescript' || /ts-morph/.test(r)) process.stderr.write('LOADED ' + r + '\\n'); return orig.call(this, r, ...a); };\n",
    );
    const result = spawnSync(process.execPath, ['--require', path.join(root, 'loader-probe.cjs'), bin, 'scan', 'svc', '--format', 'json'], { cwd: root, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).summary.findings).toBe(1);
    expect(result.status).toBe(1);
  });
});
