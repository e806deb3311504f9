import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, withBuildLock } from '../fix/helpers.js';

/**
 * The packed package, really installed with npm into three user projects: one with TypeScript 6
 * (the version this repository develops with) and typed ESLint, one whose `typescript` is
 * TypeScript 7 (its tsconfig written by TypeScript 7's `tsc --init`), one with no TypeScript at
 * all. In each, `loop-audit scan` answers type questions with TypeScript 7 (loop-audit's own
 * pinned copy, never the project's) and with TypeScript 6 on request, and the ESLint plugin runs.
 */
const TS6_VERSION = (JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/typescript/package.json'), 'utf8')) as { version: string }).version;
const TYPESCRIPT_ESLINT_VERSION = (JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/typescript-eslint/package.json'), 'utf8')) as { version: string }).version;

let workspace: string;
/** loop-audit's tarball and @loop-audit/runtime's (its dependency, not fetched from the registry). */
let tarballs: string[] = [];

const SOURCES: Record<string, string> = {
  // Typed only: `save` is a promise because the checker says so (it is imported).
  'src/db.ts': 'export async function save(value: string): Promise<void> {\n  await Promise.resolve(value);\n}\n',
  'src/app.ts': "import { save } from './db.js';\n\nexport function handle(value: string): void {\n  save(value);\n}\n",
  'src/jobs.js': 'async function save(value) {\n  await Promise.resolve(value);\n}\nexport function handle(value) {\n  save(value);\n}\n',
};

/** npm must not think it runs inside this repository's workspace or this test run. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_') && !key.startsWith('VITEST') && key !== 'NODE_OPTIONS' && key !== 'LOOP_AUDIT_TYPE_BACKEND'));
  return { ...env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
}

function npm(cwd: string, args: string[]): string {
  return execFileSync('npm', [...args, '--prefer-offline'], { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', env: cleanEnv() });
}

function project(name: string, extraPackages: string[], eslintConfig: string): string {
  const root = path.join(workspace, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }));
  for (const [file, text] of Object.entries(SOURCES)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  writeFileSync(path.join(root, 'eslint.config.js'), eslintConfig);
  npm(root, ['install', ...tarballs, 'eslint@10', ...extraPackages]);
  return root;
}

function scan(root: string, backend?: string): { tool: { typeBackend: string }; findings: { file: string; line: number; ruleId: string }[]; errors: unknown[] } {
  const result = spawnSync(path.join(root, 'node_modules/.bin/loop-audit'), ['scan', '--format', 'json', '--fail-on', 'off', ...(backend ? ['--type-backend', backend] : [])], { cwd: root, encoding: 'utf8', env: cleanEnv() });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout);
}

function eslint(root: string, files: string[]): { filePath: string; messages: { ruleId: string | null; line: number; message: string; fatal?: boolean }[] }[] {
  const result = spawnSync(path.join(root, 'node_modules/.bin/eslint'), ['--format', 'json', ...files], { cwd: root, encoding: 'utf8', env: cleanEnv() });
  expect(result.stderr).toBe('');
  expect([0, 1]).toContain(result.status);
  return JSON.parse(result.stdout);
}

const UNTYPED_CONFIG = "import loopAudit from 'loop-audit/eslint-plugin';\nexport default [loopAudit.configs.recommended];\n";

beforeAll(() => {
  workspace = mkdtempSync(path.join(tmpdir(), 'loop-audit-situations-'));
  if (!existsSync(path.join(repoRoot, 'dist/src/cli/bin.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does) before this test');
  // Packed under the build lock: no other test rebuilds dist/ while npm reads it.
  withBuildLock(() => {
    for (const dir of [repoRoot, path.join(repoRoot, 'runtime')]) {
      const [info] = JSON.parse(npm(dir, ['pack', '--json', '--pack-destination', workspace])) as { filename: string }[];
      tarballs.push(path.join(workspace, path.basename(info!.filename)));
    }
  });
}, 300_000);

afterAll(() => {
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

describe('a project without TypeScript', () => {
  it('scans with TypeScript 7 (or 6 on request) and lints with the plugin', { timeout: 300_000 }, () => {
    const root = project('no-typescript', [], UNTYPED_CONFIG);
    expect(existsSync(path.join(root, 'node_modules/typescript'))).toBe(false);
    const seven = scan(root);
    expect(seven.tool.typeBackend).toBe('typescript7');
    expect(seven.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual(['src/app.ts:4 loop-audit/no-floating-promise', 'src/jobs.js:5 loop-audit/no-floating-promise']);
    expect(seven.errors).toEqual([]);
    const six = scan(root, 'typescript6');
    expect(six.tool.typeBackend).toBe('typescript6');
    expect(six.findings).toEqual(seven.findings);
    const lint = eslint(root, ['src/jobs.js']);
    expect(lint.flatMap((r) => r.messages.map((m) => `${m.line} ${m.ruleId}`))).toEqual(['5 loop-audit/no-floating-promise']);
  });
});

describe('a project whose typescript is TypeScript 6', () => {
  it('scans with either backend, and typed ESLint (typescript-eslint on the project’s TypeScript 6) reports the typed finding', { timeout: 300_000 }, () => {
    const typedConfig = `import tseslint from 'typescript-eslint';
import loopAudit from 'loop-audit/eslint-plugin';
export default [
  { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
  loopAudit.configs['recommended-type-checked'],
];
`;
    const root = project('typescript-6', [`typescript@${TS6_VERSION}`, `typescript-eslint@${TYPESCRIPT_ESLINT_VERSION}`], typedConfig);
    writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'es2022', module: 'nodenext', strict: true, noEmit: true, allowJs: true }, include: ['src'] }));
    expect(JSON.parse(readFileSync(path.join(root, 'node_modules/typescript/package.json'), 'utf8')).version).toBe(TS6_VERSION);
    const seven = scan(root);
    expect(seven.tool.typeBackend).toBe('typescript7');
    expect(seven.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual(['src/app.ts:4 loop-audit/no-floating-promise', 'src/jobs.js:5 loop-audit/no-floating-promise']);
    expect(scan(root, 'typescript6').findings).toEqual(seven.findings);
    const lint = eslint(root, ['src/app.ts', 'src/jobs.js']);
    expect(lint.flatMap((r) => r.messages.filter((m) => m.fatal).map((m) => m.message))).toEqual([]);
    expect(lint.flatMap((r) => r.messages.map((m) => `${path.relative(root, r.filePath)}:${m.line} ${m.ruleId}`)).sort()).toEqual(['src/app.ts:4 loop-audit/no-floating-promise', 'src/jobs.js:5 loop-audit/no-floating-promise']);
  });
});

describe('a project whose typescript is TypeScript 7', () => {
  it('installs, scans with loop-audit’s own TypeScript 7 (the tsconfig tsc --init wrote), and lints with the plugin', { timeout: 300_000 }, () => {
    const root = project('typescript-7', ['typescript@7.0.2'], UNTYPED_CONFIG);
    expect(JSON.parse(readFileSync(path.join(root, 'node_modules/typescript/package.json'), 'utf8')).version).toBe('7.0.2');
    execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['--init'], { cwd: root, stdio: 'pipe', env: cleanEnv() });
    expect(existsSync(path.join(root, 'tsconfig.json'))).toBe(true);
    const seven = scan(root);
    expect(seven.tool.typeBackend).toBe('typescript7');
    expect(seven.errors).toEqual([]);
    expect(seven.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual(['src/app.ts:4 loop-audit/no-floating-promise', 'src/jobs.js:5 loop-audit/no-floating-promise']);
    expect(scan(root, 'typescript6').findings).toEqual(seven.findings);
    // The project's `typescript` is TypeScript 7, whose main export is only a version: the plugin parses with its own TypeScript 6.
    const lint = eslint(root, ['src/jobs.js']);
    expect(lint.flatMap((r) => r.messages.map((m) => `${m.line} ${m.ruleId}`))).toEqual(['5 loop-audit/no-floating-promise']);
  });
});
