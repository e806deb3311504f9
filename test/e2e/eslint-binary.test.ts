import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/rule-tester.js';

/**
 * The newcomer's path, for real: a project whose eslint.config.js is the README's snippet, word
 * for word, linted by the real `eslint` binary (ESLint 10, and ESLint 9 through the `eslint-v9`
 * alias) over every fixture project. What the binary reports must be exactly the fixtures'
 * `// expect:` markers: the plugin, its configs and the README agree with the core.
 */
const MARKER = /\/\/\s*expect:\s*([a-z-]+(?:\s*,\s*[a-z-]+)*)/;
const BINARIES = {
  'ESLint 10': path.join(repoRoot, 'node_modules/eslint/bin/eslint.js'),
  'ESLint 9': path.join(repoRoot, 'node_modules/eslint-v9/bin/eslint.js'),
};

let workspace: string;

function readmeSnippets(): string[] {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  return [...readme.matchAll(/```js\n(\/\/ eslint\.config\.js\n[\s\S]*?)```/g)].map((match) => match[1]!);
}

/** Project files (by each fixture's tsconfig) and the marked (file, line, rule) triples in them. */
function fixtureExpectations(root: string): { files: Set<string>; triples: string[] } {
  const files = new Set<string>();
  const triples: string[] = [];
  for (const name of readdirSync(root)) {
    const configPath = path.join(root, name, 'tsconfig.json');
    if (!existsSync(configPath)) continue;
    const config = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, path.dirname(configPath), undefined, configPath);
    for (const file of parsed.fileNames) {
      if (file.endsWith('.d.ts')) continue;
      const relative = path.relative(workspace, file).split(path.sep).join('/');
      files.add(relative);
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, index) => {
          const marker = MARKER.exec(line);
          if (marker) for (const rule of marker[1]!.split(',')) triples.push(`${relative}:${index + 1} loop-audit/${rule.trim()}`);
        });
    }
  }
  return { files, triples: triples.sort() };
}

interface LintMessage {
  ruleId: string | null;
  line: number;
  fatal?: boolean;
  message: string;
}

function runEslint(binary: string, configText: string): { results: { filePath: string; messages: LintMessage[] }[]; stderr: string } {
  writeFileSync(path.join(workspace, 'eslint.config.js'), configText);
  const run = spawnSync(process.execPath, [binary, '--format', 'json', '--no-warn-ignored', 'fixtures'], { cwd: workspace, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  // 0: clean, 1: findings; anything else is a crash of ESLint or of a rule.
  expect(run.status, run.stderr).toBeLessThanOrEqual(1);
  return { results: JSON.parse(run.stdout), stderr: run.stderr };
}

function reportedTriples(results: { filePath: string; messages: LintMessage[] }[], within: (file: string) => boolean): string[] {
  const triples: string[] = [];
  for (const result of results) {
    const file = path.relative(workspace, result.filePath).split(path.sep).join('/');
    if (!within(file)) continue;
    for (const message of result.messages) {
      expect(message.fatal ?? false, `${file}: ${message.message}`).toBe(false);
      if (message.ruleId?.startsWith('loop-audit/')) triples.push(`${file}:${message.line} ${message.ruleId}`);
    }
  }
  return [...new Set(triples)].sort();
}

beforeAll(() => {
  // loop-audit resolves to this repository, whose dist/ the global setup built (test/support/global-setup.ts).
  workspace = mkdtempSync(path.join(tmpdir(), 'loop-audit-eslint-e2e-'));
  writeFileSync(path.join(workspace, 'package.json'), JSON.stringify({ name: 'newcomer-app', private: true, type: 'module' }));
  // Installed as a user would have it: the repo's packages, and loop-audit itself by name.
  const modules = path.join(workspace, 'node_modules');
  mkdirSync(modules);
  for (const entry of readdirSync(path.join(repoRoot, 'node_modules'))) {
    if (entry.startsWith('.') || entry === 'loop-audit') continue;
    symlinkSync(path.join(repoRoot, 'node_modules', entry), path.join(modules, entry));
  }
  symlinkSync(repoRoot, path.join(modules, 'loop-audit'));
  const fixtures = path.join(workspace, 'fixtures');
  for (const name of readdirSync(path.join(repoRoot, 'fixtures'))) {
    if (name === 'rule-tester' || !statSync(path.join(repoRoot, 'fixtures', name)).isDirectory()) continue;
    cpSync(path.join(repoRoot, 'fixtures', name), path.join(fixtures, name), { recursive: true, filter: (source) => !source.includes(`${path.sep}node_modules`) });
  }
});

afterAll(() => {
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

describe('the README configs under the real eslint binary', () => {
  it('the README has the two eslint.config.js snippets', () => {
    const snippets = readmeSnippets();
    expect(snippets).toHaveLength(2);
    expect(snippets[0]).toContain('loopAudit.configs.recommended');
    expect(snippets[1]).toContain("loopAudit.configs['recommended-type-checked']");
  });

  for (const [version, binary] of Object.entries(BINARIES)) {
    it(`${version}: the plain recommended config, with no files or parser added, reports exactly the markers of every project file, TypeScript included`, () => {
      const { files, triples } = fixtureExpectations(path.join(workspace, 'fixtures'));
      const { results } = runEslint(binary, readmeSnippets()[0]!);
      const linted = new Set(results.map((result) => path.relative(workspace, result.filePath).split(path.sep).join('/')));
      for (const file of files) expect(linted.has(file), `${file} was not linted`).toBe(true);
      expect([...files].some((file) => file.endsWith('.ts'))).toBe(true);
      expect(reportedTriples(results, (file) => files.has(file))).toEqual(triples);
    });

    it(`${version}: the type-checked config reports exactly the markers of every project file`, () => {
      const { files, triples } = fixtureExpectations(path.join(workspace, 'fixtures'));
      const { results } = runEslint(binary, readmeSnippets()[1]!);
      const linted = new Set(results.map((result) => path.relative(workspace, result.filePath).split(path.sep).join('/')));
      for (const file of files) expect(linted.has(file), `${file} was not linted`).toBe(true);
      expect(reportedTriples(results, (file) => files.has(file))).toEqual(triples);
    });
  }
});
