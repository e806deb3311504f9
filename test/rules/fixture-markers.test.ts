import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/core/analyze.js';
import { createDiskModuleFacts, scriptKindOf } from '../../src/core/module-facts.js';
import type { AnalysisInput } from '../../src/core/types.js';
import { repoRoot } from '../support/rule-tester.js';

/**
 * Every fixture project marks each line where a finding starts with `// expect: <rule>, <rule>`;
 * every other line must stay silent. The core runs over each project untyped (as ESLint with
 * espree or without a program) and with the project's own program and checker (typed linting),
 * and both must produce exactly the marked (file, line, rule) triples.
 */
const fixturesRoot = path.join(repoRoot, 'fixtures');
const MARKER = /\/\/\s*expect:\s*([a-z-]+(?:\s*,\s*[a-z-]+)*)/;

const projects = readdirSync(fixturesRoot)
  .filter((name) => name !== 'rule-tester' && statSync(path.join(fixturesRoot, name, 'tsconfig.json'), { throwIfNoEntry: false })?.isFile())
  .sort();

function projectFiles(root: string): { options: ts.CompilerOptions; files: string[] } {
  const configPath = path.join(root, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configPath);
  return { options: parsed.options, files: parsed.fileNames.filter((file) => !file.endsWith('.d.ts')).sort() };
}

function expectedTriples(root: string, files: string[]): string[] {
  const triples: string[] = [];
  for (const file of files) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        const marker = MARKER.exec(line);
        if (!marker) return;
        for (const ruleId of marker[1]!.split(',')) triples.push(`${path.relative(root, file)}:${index + 1} ${ruleId.trim()}`);
      });
  }
  return triples.sort();
}

function foundTriples(root: string, inputs: AnalysisInput[]): string[] {
  const triples = new Set<string>();
  for (const input of inputs) {
    for (const finding of analyzeFile(input)) {
      const { line } = input.sourceFile.getLineAndCharacterOfPosition(finding.start);
      triples.add(`${path.relative(root, input.sourceFile.fileName)}:${line + 1} ${finding.ruleId}`);
    }
  }
  return [...triples].sort();
}

describe.each(projects)('fixtures/%s', (project) => {
  const root = path.join(fixturesRoot, project);
  const { options, files } = projectFiles(root);
  const expected = expectedTriples(root, files);

  it('has source files and markers', () => {
    expect(files.length).toBeGreaterThan(0);
    expect(expected.length).toBeGreaterThan(0);
  });

  it('untyped findings are exactly the markers', () => {
    const moduleFacts = createDiskModuleFacts(ts);
    const inputs = files.map((file) => ({
      ts,
      sourceFile: ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, scriptKindOf(ts, file)),
      moduleFacts,
    }));
    expect(foundTriples(root, inputs)).toEqual(expected);
  });

  it('typed findings are exactly the markers', () => {
    const program = ts.createProgram(files, { ...options, noEmit: true });
    const checker = program.getTypeChecker();
    const inputs = files.map((file) => ({ ts, sourceFile: program.getSourceFile(file)!, checker }));
    expect(foundTriples(root, inputs)).toEqual(expected);
  });
});
