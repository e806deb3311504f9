import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/rule-tester.js';
import { installScenario, packedTarball, readmeBlocks, removeWorkspaces, runBin, tarballFiles, workspace, type Installed, type Scenario } from './support/install.js';

/**
 * A newcomer's set-ups, for real: the packed package installed with `npm install` from the
 * registry into scratch projects (plain JavaScript; TypeScript 6; TypeScript 7 alone; TypeScript 7
 * with typescript-eslint on the README's side-by-side TypeScript 6), the README's snippets pasted
 * verbatim, and the real `eslint`, `oxlint` and `loop-audit` binaries run on real folders.
 * Installs are shared across runs (test/e2e/support/install.ts): the first run pays for them.
 */

afterAll(removeWorkspaces);

const MARKER = /\/\/\s*expect(-typed)?:\s*([a-z-]+(?:\s*,\s*[a-z-]+)*)/;

/** `file:line loop-audit/rule` for every marker; typed-only markers only when `typed`. */
function expectedTriples(files: Record<string, string>, typed: boolean): string[] {
  const triples: string[] = [];
  for (const [file, text] of Object.entries(files)) {
    text.split('\n').forEach((line, index) => {
      const marker = MARKER.exec(line);
      if (!marker || (marker[1] && !typed)) return;
      for (const rule of marker[2]!.split(',')) triples.push(`${file}:${index + 1} loop-audit/${rule.trim()}`);
    });
  }
  return triples.sort();
}

interface EslintResult {
  filePath: string;
  messages: { ruleId: string | null; line: number; fatal?: boolean; message: string }[];
}

/** `npx eslint .` with the JSON formatter: the files it linted and what loop-audit reported in them. */
function eslint(root: string): { linted: string[]; triples: string[]; fatal: string[] } {
  const run = runBin(root, 'eslint', ['.', '--format', 'json']);
  expect(run.status, run.stderr).toBeLessThanOrEqual(1);
  const results = JSON.parse(run.stdout) as EslintResult[];
  const relative = (file: string) => path.relative(root, file).split(path.sep).join('/');
  return {
    linted: results.map((result) => relative(result.filePath)).sort(),
    triples: [...new Set(results.flatMap((result) => result.messages.filter((m) => m.ruleId?.startsWith('loop-audit/')).map((m) => `${relative(result.filePath)}:${m.line} ${m.ruleId}`)))].sort(),
    fatal: results.flatMap((result) => result.messages.filter((m) => m.fatal).map((m) => `${relative(result.filePath)}: ${m.message}`)),
  };
}

interface ScanReport {
  tool: { typeBackend: string };
  errors: unknown[];
  summary: { files: number };
  findings: { file: string; line: number; ruleId: string }[];
}

/** `loop-audit scan --format json` in `root` (with `--type-backend` when given): the report, and its findings as triples. */
function scanReport(root: string, backend?: string): { report: ScanReport; triples: string[] } {
  const run = runBin(root, 'loop-audit', ['scan', '--format', 'json', ...(backend ? ['--type-backend', backend] : [])]);
  expect(run.status, run.stderr).toBeLessThanOrEqual(1);
  const report = JSON.parse(run.stdout) as ScanReport;
  return { report, triples: report.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`).sort() };
}

const [RECOMMENDED_SNIPPET, TYPED_SNIPPET] = readmeBlocks('js', '// eslint.config.js');

const JS_SOURCES = {
  'src/server.js': `import { Worker } from 'node:worker_threads';
async function save(record) {
  return record;
}
export function handle(record) {
  save(record); // expect: no-floating-promise
  const worker = new Worker('./resize.js'); // expect: no-loop-per-call
  worker.postMessage(record);
}
`,
  'src/jobs.mjs': `export function start(emitter) {
  emitter.on('job', async (job) => { // expect: no-floating-promise
    await job.run();
  });
}
`,
  'src/legacy.cjs': `const { execFileSync } = require('node:child_process');
function version() {
  return execFileSync(process.execPath, ['-e', 'console.log(1)']).toString(); // expect: no-loop-per-call, no-sync-bridge
}
module.exports = { version };
`,
  'src/view.jsx': `export function Button({ onSave }) {
  return <button onClick={async () => { await onSave(); }}>Save</button>;
}
export function mount(emitter) {
  setTimeout(async () => { // expect: no-floating-promise
    await emitter.flush();
  }, 10);
}
`,
};

const TS_SOURCES = {
  'src/server.ts': `import { Worker } from 'node:worker_threads';
async function save(record: string): Promise<string> {
  return record;
}
export function handle(record: string): void {
  save(record); // expect: no-floating-promise
  const worker = new Worker('./resize.js'); // expect: no-loop-per-call
  worker.postMessage(record);
}
`,
  'src/queue-types.ts': `export interface Queue {
  push(item: string): Promise<void>;
}
`,
  // Only the type checker knows that \`push\` returns a promise here.
  'src/enqueue.ts': `import type { Queue } from './queue-types.js';
export function enqueue(queue: Queue): void {
  queue.push('job'); // expect-typed: no-floating-promise
}
`,
  'src/view.tsx': `export function mount(emitter: { flush(): Promise<void> }): void {
  setTimeout(async () => { // expect: no-floating-promise
    await emitter.flush();
  }, 10);
}
export const label = (text: string) => <b>{text}</b>;
`,
  'src/esm.mts': `export async function load(): Promise<number> {
  return 1;
}
export function boot(): void {
  load(); // expect: no-floating-promise
}
`,
  'src/cjs.cts': `import { fork } from 'node:child_process';
export function render(): void {
  fork('./render.js'); // expect: no-loop-per-call
}
`,
};

/** A plain tsconfig of a small project: sources under src, nothing else (not eslint.config.js). */
const PLAIN_TSCONFIG = `${JSON.stringify({ compilerOptions: { target: 'es2022', module: 'nodenext', strict: true, jsx: 'react-jsx', noEmit: true, skipLibCheck: true, types: [] }, include: ['src'] }, null, 2)}\n`;

const SCENARIOS = {
  js: { name: 'plain-js', installs: [['install', '--save-dev', 'eslint@^10', 'oxlint', 'loop-audit']] },
  ts6: { name: 'typescript-6', installs: [['install', '--save-dev', 'typescript@~6.0.2', 'eslint@^10', 'loop-audit']] },
  ts7: { name: 'typescript-7', installs: [['install', '--save-dev', 'typescript@7', 'loop-audit']] },
  ts7Eslint: { name: 'typescript-7-typescript-eslint', installs: [readmeSideBySideInstall()] },
} satisfies Record<string, Scenario>;

/** The README's side-by-side install command for TypeScript 7 with typescript-eslint, as arguments. */
function readmeSideBySideInstall(): string[] {
  const line = readmeBlocks('sh')
    .flatMap((block) => block.split('\n'))
    .find((text) => text.startsWith('npm install') && text.includes('@typescript/typescript6'));
  if (!line) throw new Error('README: no side-by-side TypeScript 6 install command');
  return line
    .replace(/\s+#.*$/, '')
    .split(/\s+/)
    .slice(1);
}

function installed(scenario: Scenario): Installed {
  return installScenario(scenario);
}

describe('the package', () => {
  it('ships its LICENSE, names its repository, and every rule links to a docs page the package and the repository hold', async () => {
    const files = tarballFiles(packedTarball());
    expect(files).toContain('LICENSE');
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    const web = String(pkg.repository.url)
      .replace(/^git\+/, '')
      .replace(/\.git$/, '');
    expect(web).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
    expect(pkg.homepage).toMatch(new RegExp(`^${web}`));
    expect(pkg.bugs.url).toBe(`${web}/issues`);
    const plugin = (await import('../../src/eslint-plugin.js')).default;
    const { formatReport, scan } = await import('../../src/index.js');
    for (const [name, rule] of Object.entries(plugin.rules)) {
      const url = (rule as { meta: { docs: { url: string } } }).meta.docs.url;
      expect(url.startsWith(`${web}/blob/main/`), url).toBe(true);
      const docPath = url.slice(`${web}/blob/main/`.length);
      expect(docPath).toBe(`docs/rules/${name}.md`);
      expect(files).toContain(docPath);
      expect(readFileSync(path.join(repoRoot, docPath), 'utf8').split('\n')[0]).toBe(`# \`loop-audit/${name}\``);
    }
    // SARIF links to the same pages.
    const sarif = JSON.parse(formatReport(await scan({ cwd: repoRoot, paths: ['fixtures/sample'], config: false }), 'sarif'));
    const helpUris = (sarif.runs[0].tool.driver.rules as { helpUri: string }[]).map((rule) => rule.helpUri).sort();
    expect(helpUris).toEqual(
      Object.values(plugin.rules)
        .map((rule) => rule.meta.docs!.url)
        .sort(),
    );
  });
});

describe('plain JavaScript: npm install --save-dev eslint oxlint loop-audit', () => {
  it('the README recommended config, verbatim, lints .js/.mjs/.cjs/.jsx and reports exactly the marked lines', () => {
    const root = workspace(installed(SCENARIOS.js), { 'eslint.config.js': RECOMMENDED_SNIPPET!, ...JS_SOURCES });
    const result = eslint(root);
    expect(result.fatal).toEqual([]);
    expect(result.linted).toEqual(['eslint.config.js', ...Object.keys(JS_SOURCES)].sort());
    expect(result.triples).toEqual(expectedTriples(JS_SOURCES, false));
  });

  it('scan needs no tsconfig and no typescript of the project: TypeScript 7 answers, and TypeScript 6 alike', () => {
    const root = workspace(installed(SCENARIOS.js), { ...JS_SOURCES });
    const seven = scanReport(root);
    expect(seven.report.tool.typeBackend).toBe('typescript7');
    expect(seven.report.errors).toEqual([]);
    expect(seven.report.summary.files).toBe(Object.keys(JS_SOURCES).length);
    expect(seven.triples).toEqual(expectedTriples(JS_SOURCES, false));
    expect(scanReport(root, 'typescript6').triples).toEqual(seven.triples);
  });

  it('oxlint with the README .oxlintrc.json (jsPlugins) runs the rules, untyped, and reports the same lines', () => {
    const oxlintrc = readmeBlocks('json').find((block) => block.includes('"jsPlugins"'));
    expect(oxlintrc).toBeDefined();
    const root = workspace(installed(SCENARIOS.js), { '.oxlintrc.json': oxlintrc!, ...JS_SOURCES });
    const run = runBin(root, 'oxlint', ['--format', 'json', 'src']);
    expect(run.status, run.stderr).toBe(1);
    const diagnostics = JSON.parse(run.stdout).diagnostics as { code: string; filename: string; labels: { span: { line: number } }[] }[];
    const triples = diagnostics.filter((d) => d.code.startsWith('loop-audit(')).map((d) => `${d.filename}:${d.labels[0]!.span.line} loop-audit/${d.code.slice('loop-audit('.length, -1)}`);
    expect([...new Set(triples)].sort()).toEqual(expectedTriples(JS_SOURCES, false));
  });
});

describe('TypeScript 6: npm install --save-dev typescript@6 eslint loop-audit (no typescript-eslint)', () => {
  it('scan answers type questions with loop-audit’s own TypeScript 7, as TypeScript 6 does; the project’s tsc stays its TypeScript 6', () => {
    const root = workspace(installed(SCENARIOS.ts6), { 'tsconfig.json': PLAIN_TSCONFIG, ...TS_SOURCES });
    const seven = scanReport(root);
    expect(seven.report.tool.typeBackend).toBe('typescript7');
    expect(seven.report.errors).toEqual([]);
    expect(seven.triples).toEqual(expectedTriples(TS_SOURCES, true));
    const six = scanReport(root, 'typescript6');
    expect(six.report.tool.typeBackend).toBe('typescript6');
    expect(six.triples).toEqual(seven.triples);
    // loop-audit's typescript7 (TypeScript 7.0.2 under another name) links a `tsc` too: the project's own wins.
    expect(execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['--version'], { encoding: 'utf8' })).toMatch(/^Version 6\./);
  });

  it('the README recommended config, verbatim, parses and lints .ts/.tsx/.mts/.cts with no parser configured', () => {
    const root = workspace(installed(SCENARIOS.ts6), { 'eslint.config.js': RECOMMENDED_SNIPPET!, 'tsconfig.json': PLAIN_TSCONFIG, ...TS_SOURCES });
    const result = eslint(root);
    expect(result.fatal).toEqual([]);
    expect(result.linted).toEqual(['eslint.config.js', ...Object.keys(TS_SOURCES)].sort());
    expect(result.triples).toEqual(expectedTriples(TS_SOURCES, false));
  });

  it('the README type-checked config, verbatim, with a tsconfig that includes only src: typed findings, and eslint.config.js linted too', () => {
    const root = workspace(installed(SCENARIOS.ts6), { 'eslint.config.js': TYPED_SNIPPET!, 'tsconfig.json': PLAIN_TSCONFIG, ...TS_SOURCES });
    const result = eslint(root);
    expect(result.fatal).toEqual([]);
    expect(result.linted).toEqual(['eslint.config.js', ...Object.keys(TS_SOURCES)].sort());
    expect(result.triples).toEqual(expectedTriples(TS_SOURCES, true));
  });
});

describe('TypeScript 7: npm install --save-dev typescript@7 loop-audit', () => {
  it('installs with no flags, no peer warnings, and a valid tree', () => {
    const { dir, logs } = installed(SCENARIOS.ts7);
    expect(logs[0]!.status).toBe(0);
    // No peer conflict of any kind (a deprecation notice of some transitive package would be no failure of ours).
    expect(logs[0]!.output).not.toMatch(/ERESOLVE|peer dep|overriding peer|conflicting peer/i);
    const ls = spawnSync('npm', ['ls', '--all'], { cwd: dir, encoding: 'utf8' });
    expect(ls.status, ls.stdout + ls.stderr).toBe(0);
    expect(execFileSync(path.join(dir, 'node_modules/.bin/tsc'), ['--version'], { encoding: 'utf8' })).toMatch(/^Version 7\./);
  });

  it('scan works on a project whose tsconfig is the one TypeScript 7 `tsc --init` writes', () => {
    const root = workspace(installed(SCENARIOS.ts7), { ...TS_SOURCES });
    execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['--init'], { cwd: root });
    expect(readFileSync(path.join(root, 'tsconfig.json'), 'utf8')).toContain('"module": "nodenext"');
    const run = runBin(root, 'loop-audit', ['scan', '--format', 'json']);
    expect(run.status, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.errors).toEqual([]);
    expect(report.summary.files).toBe(Object.keys(TS_SOURCES).length);
    // The typed-only finding: the program was built from that tsconfig, with the type checker.
    expect(report.findings.map((f: { file: string; line: number; ruleId: string }) => `${f.file}:${f.line} ${f.ruleId}`).sort()).toEqual(expectedTriples(TS_SOURCES, true));
    // Answered by TypeScript 7 (loop-audit's pinned copy: the project's typescript@7 has no JavaScript API to share), and alike by TypeScript 6.
    expect(report.tool.typeBackend).toBe('typescript7');
    expect(scanReport(root, 'typescript6').triples).toEqual(expectedTriples(TS_SOURCES, true));
  });
});

describe('TypeScript 7 with typescript-eslint, TypeScript 6 side by side (the README install command)', () => {
  it('typescript-eslint and loop-audit share one copy of every typescript-eslint package; tsc 7 is there', () => {
    const { dir } = installed(SCENARIOS.ts7Eslint);
    for (const name of ['@typescript-eslint/utils', '@typescript-eslint/parser', '@typescript-eslint/typescript-estree']) {
      const ls = spawnSync('npm', ['ls', name, '--all', '--parseable'], { cwd: dir, encoding: 'utf8' });
      expect(ls.status, ls.stdout + ls.stderr).toBe(0);
      const copies = new Set(ls.stdout.split('\n').filter((line) => line.includes(`node_modules/${name}`)));
      expect([...copies], name).toHaveLength(1);
    }
    const tseslint = JSON.parse(readFileSync(path.join(dir, 'node_modules/typescript-eslint/package.json'), 'utf8'));
    expect(tseslint.version).toMatch(/^8\./);
    expect(execFileSync(process.execPath, [path.join(dir, 'node_modules/typescript7/bin/tsc'), '--version'], { encoding: 'utf8' })).toMatch(/^Version 7\./);
  });

  it('both README configs, verbatim, lint every TypeScript file; the typed one with types', () => {
    const install = installed(SCENARIOS.ts7Eslint);
    const plain = eslint(workspace(install, { 'eslint.config.js': RECOMMENDED_SNIPPET!, 'tsconfig.json': PLAIN_TSCONFIG, ...TS_SOURCES }));
    expect(plain.fatal).toEqual([]);
    expect(plain.triples).toEqual(expectedTriples(TS_SOURCES, false));
    const typed = eslint(workspace(install, { 'eslint.config.js': TYPED_SNIPPET!, 'tsconfig.json': PLAIN_TSCONFIG, ...TS_SOURCES }));
    expect(typed.fatal).toEqual([]);
    expect(typed.linted).toEqual(['eslint.config.js', ...Object.keys(TS_SOURCES)].sort());
    expect(typed.triples).toEqual(expectedTriples(TS_SOURCES, true));
  });
});
