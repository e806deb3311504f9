/**
 * The two packages as users get them: `npm pack` of @loop-audit/runtime and of loop-audit,
 * installed from the tarballs into a scratch project with real `npm install` (the tarballs and the
 * install are the e2e suite's shared ones, test/e2e/support/install.ts: packed once per content,
 * installed once per tarball; the project's own files are fresh for every run). loop-audit is a
 * dev dependency there; `loop-audit fix --write` rewrites the project's code and puts the runtime
 * in its `dependencies`; a production install of that package.json (the runtime tarball standing
 * in for the registry) holds the runtime and nothing of loop-audit's analysis stack, and the
 * fixed code runs.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/rule-tester.js';
import { installScenario, packedRuntimeTarball, packedTarball, removeWorkspaces, tarballFiles, workspace } from './support/install.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const runtimeManifest = JSON.parse(readFileSync(path.join(repoRoot, 'runtime/package.json'), 'utf8')) as { name: string; version: string; dependencies?: object };
let work = '';
let runtimeTarball = '';
let toolTarball = '';

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  // npm must not think it runs inside this repository's workspace or this test run.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_') && !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'));
  return spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
    maxBuffer: 64 * 1024 * 1024,
  });
}

function ok(result: SpawnSyncReturns<string>): string {
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

const REPORT = `import { writeFileSync } from 'node:fs';

async function write(file, text) {
  await new Promise((resolve) => setImmediate(resolve));
  writeFileSync(file, text);
}

export function report(file) {
  write(file, 'report written');
}
`;
const MAIN = `import { report } from './src/report.js';

async function main() {
  if (!process.argv[2]) throw new Error('usage: main.js <file>');
  report(process.argv[2]);
}

main();
`;

let runtimeFiles: string[] = [];
let toolManifest: { dependencies: Record<string, string> } = { dependencies: {} };

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'loop-audit-pack-'));
  runtimeTarball = packedRuntimeTarball();
  runtimeFiles = tarballFiles(runtimeTarball).sort();
  toolTarball = packedTarball();
  toolManifest = JSON.parse(ok(run('tar', ['-xOzf', toolTarball, 'package/package.json'], work))) as typeof toolManifest;
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  removeWorkspaces();
});

describe('npm pack', () => {
  it('@loop-audit/runtime: the built runtime, its types, README and LICENSE, and no dependencies', () => {
    expect(runtimeFiles).toEqual(
      [
        'LICENSE',
        'README.md',
        'package.json',
        ...['errors', 'index', 'main', 'protocol', 'runner', 'types', 'wire', 'worker-source'].flatMap((name) => [`dist/${name}.d.ts`, `dist/${name}.js`]),
      ].sort(),
    );
    expect(runtimeManifest.dependencies).toBeUndefined();
  });

  it('loop-audit depends on the runtime by a range its version satisfies', () => {
    expect(toolManifest.dependencies['@loop-audit/runtime']).toBe(`^${runtimeManifest.version}`);
  });
});

describe('installed from the tarballs into a scratch project', () => {
  it('fix --write adds the runtime to dependencies; a production install has only the runtime, and the fixed code runs', () => {
    const installed = installScenario({ name: 'scratch-app', installs: [['install', '--save-dev', '--prefer-offline', 'loop-audit']] });
    expect(installed.logs.map((log) => log.status)).toEqual([0]);
    // The project: the installed package.json (both tarballs in devDependencies) and node_modules, and its own sources.
    const app = workspace(installed, { 'src/report.js': REPORT, 'main.js': MAIN });
    // loop-audit's own dependency on the runtime is the tarball's package: the range resolved.
    const tree = JSON.parse(ok(run(npm, ['ls', '--all', '--json', '@loop-audit/runtime'], installed.dir))) as {
      dependencies: Record<string, { version: string; dependencies?: Record<string, { version: string; invalid?: string; missing?: boolean }> }>;
    };
    expect(tree.dependencies['loop-audit']!.dependencies!['@loop-audit/runtime']).toMatchObject({ version: runtimeManifest.version });

    // loop-audit/runtime is the same module as @loop-audit/runtime: one default runner for both names.
    const same = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const [a, b] = await Promise.all([import('loop-audit/runtime'), import('@loop-audit/runtime')]); console.log(a.getRunner === b.getRunner && a.getRunner() === b.getRunner() && a.spawn === b.spawn)",
      ],
      app,
    );
    expect(same.stdout.trim(), same.stderr).toBe('true');

    const fix = run(process.execPath, [path.join(app, 'node_modules/loop-audit/dist/src/cli/bin.js'), 'fix', '--write'], app);
    expect(fix.status, `${fix.stdout}${fix.stderr}`).toBe(0);
    expect(fix.stderr).toContain(`package.json: added @loop-audit/runtime ^${runtimeManifest.version} to dependencies (moved from devDependencies`);
    expect(readFileSync(path.join(app, 'src/report.js'), 'utf8')).toContain("import { spawn } from '@loop-audit/runtime';");
    const manifest = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(manifest.dependencies).toEqual({ '@loop-audit/runtime': `^${runtimeManifest.version}` });
    expect(Object.keys(manifest.devDependencies)).toEqual(['loop-audit']);

    // Deployed: the fixed code and its package.json, installed for production. The tarball stands in
    // for the registry copy of the same version.
    const deploy = path.join(work, 'deploy');
    mkdirSync(deploy);
    cpSync(path.join(app, 'src'), path.join(deploy, 'src'), { recursive: true });
    cpSync(path.join(app, 'main.js'), path.join(deploy, 'main.js'));
    // The devDependencies' `file:` specs are relative to the shared install's folder: made absolute here, as they are never installed.
    const devDependencies = { ...manifest.devDependencies, 'loop-audit': `file:${toolTarball}` };
    writeFileSync(path.join(deploy, 'package.json'), JSON.stringify({ ...manifest, devDependencies, dependencies: { '@loop-audit/runtime': `file:${runtimeTarball}` } }, null, 2));
    ok(run(npm, ['install', '--omit=dev', '--prefer-offline'], deploy));
    const production = ok(run(npm, ['ls', '--prod', '--all', '--parseable'], deploy))
      .split('\n')
      .filter(Boolean)
      .map((line) => path.relative(deploy, line).split(path.sep).join('/'))
      .filter(Boolean);
    expect(production).toEqual(['node_modules/@loop-audit/runtime']);
    expect(production.join('\n')).not.toMatch(/ts-morph|typescript|eslint/);

    const out = path.join(deploy, 'out.txt');
    const ran = run(process.execPath, ['main.js', out], deploy);
    expect(ran.stderr).toBe('');
    expect(ran.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('report written');
    // And its failure still fails: main throws, the process exits 1.
    const failed = run(process.execPath, ['main.js'], deploy);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('usage: main.js <file>');
  }, 600_000);
});
