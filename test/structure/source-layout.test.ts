import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAX_LINES = 800;

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(full));
    else if (/\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(full);
  }
  return files.sort();
}

/** Every relative module a file imports: static and type-only imports, re-exports, `import()` (also in types) and `require()`. */
function relativeImports(file: string): string[] {
  const sourceFile = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) specifiers.push(node.argument.literal.text);
    if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isStringLiteral(node.arguments[0]!)) {
      const isImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (isImport || isRequire) specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return specifiers.filter((s) => s.startsWith('.')).map((s) => path.resolve(path.dirname(file), s).replace(/\.js$/, '.ts'));
}

/** The import cycles among `files`: strongly connected components of more than one file, or a file importing itself. */
function importCycles(files: readonly string[]): string[][] {
  const known = new Set(files);
  const graph = new Map(files.map((file) => [file, relativeImports(file).filter((target) => known.has(target))]));
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter++;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file)!) {
      if (!index.has(target)) {
        connect(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)!.includes(file)) cycles.push(component.sort());
  };
  for (const file of files) if (!index.has(file)) connect(file);
  return cycles;
}

describe('source layout', () => {
  const files = [...sourceFiles(path.join(repoRoot, 'src')), ...sourceFiles(path.join(repoRoot, 'rules')), ...sourceFiles(path.join(repoRoot, 'runtime/src'))];
  const relative = (file: string): string => path.relative(repoRoot, file).split(path.sep).join('/');

  it('has no import cycle under src/, rules/ and runtime/src/ (type-only and dynamic imports included)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(importCycles(files).map((cycle) => cycle.map(relative))).toEqual([]);
  });

  it('finds a cycle when there is one: through a type-only import, a re-export and an import() type', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'loop-audit-cycles-'));
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'a.ts'), "import type { B } from './sub/b.js';\nexport type A = B;\n");
    writeFileSync(path.join(dir, 'sub', 'b.ts'), "export { c } from '../c.js';\nexport type B = number;\n");
    writeFileSync(path.join(dir, 'c.ts'), "export const c = 1;\nexport type Late = typeof import('./a.js');\n");
    writeFileSync(path.join(dir, 'd.ts'), "import { c } from './c.js';\nexport const d = c;\n");
    const cycles = importCycles(sourceFiles(dir)).map((cycle) => cycle.map((file) => path.relative(dir, file).split(path.sep).join('/')));
    expect(cycles).toEqual([['a.ts', 'c.ts', 'sub/b.ts']]);
  });

  it(`has no file under src/ or runtime/src/ over ${MAX_LINES} lines`, () => {
    const long = files
      .filter((file) => /^(?:runtime\/)?src\//.test(relative(file)))
      .map((file) => ({ file: relative(file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter((entry) => entry.lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
