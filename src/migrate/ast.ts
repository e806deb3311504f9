import path from 'node:path';
import { isFunctionLikeNode, skipOuterExpressions, type FunctionLike } from '../core/facts.js';
import type { TS, TypeScriptApi } from '../core/types.js';
import type { MigrationProject } from './project.js';

/** The core's function-like nodes: one definition for detectors and the codemod. */
export type FunctionNode = FunctionLike;

export function isFunctionNode(ts: TypeScriptApi, node: TS.Node): node is FunctionNode {
  return isFunctionLikeNode(ts, node);
}

export function hasModifier(ts: TypeScriptApi, node: TS.Node, kind: TS.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

export function isAsync(ts: TypeScriptApi, fn: TS.Node): boolean {
  return hasModifier(ts, fn, ts.SyntaxKind.AsyncKeyword);
}

/** The innermost node whose text contains `position` (an identifier at a reference's start). */
export function nodeAt(ts: TypeScriptApi, sourceFile: TS.SourceFile, position: number): TS.Node {
  let current: TS.Node = sourceFile;
  for (;;) {
    let next: TS.Node | undefined;
    ts.forEachChild(current, (child) => {
      if (next === undefined && child.getStart(sourceFile) <= position && position < child.getEnd()) next = child;
    });
    if (!next) return current;
    current = next;
  }
}

/** Up through parentheses, `as`, `satisfies`, `!` and type assertions: what the expression is part of. */
export function outermost(ts: TypeScriptApi, node: TS.Node): TS.Node {
  let current = node;
  while (
    current.parent &&
    (ts.isParenthesizedExpression(current.parent) ||
      ts.isAsExpression(current.parent) ||
      ts.isSatisfiesExpression(current.parent) ||
      ts.isNonNullExpression(current.parent) ||
      ts.isTypeAssertionExpression(current.parent))
  ) {
    current = current.parent;
  }
  return current;
}

export function skip(ts: TypeScriptApi, expression: TS.Expression): TS.Expression {
  return skipOuterExpressions(ts, expression);
}

export interface ReferenceNode {
  node: TS.Node;
  sourceFile: TS.SourceFile;
  isDefinition: boolean;
}

/**
 * Every reference to the symbol named at `node`, across the project, through the language
 * service (aliases, re-exports and related interface members included), with the definitions.
 */
export function findReferences(project: MigrationProject, node: TS.Node): { references: ReferenceNode[]; definitions: ReferenceNode[] } {
  const { ts, languageService, program } = project;
  const sourceFile = node.getSourceFile();
  const found = languageService.findReferences(sourceFile.fileName, node.getStart(sourceFile)) ?? [];
  const references: ReferenceNode[] = [];
  const definitions: ReferenceNode[] = [];
  const seen = new Set<string>();
  const locate = (fileName: string, start: number): ReferenceNode['node'] | undefined => {
    const file = program.getSourceFile(fileName);
    return file ? nodeAt(ts, file, start) : undefined;
  };
  for (const symbol of found) {
    const definition = locate(symbol.definition.fileName, symbol.definition.textSpan.start);
    if (definition) definitions.push({ node: definition, sourceFile: definition.getSourceFile(), isDefinition: true });
    for (const entry of symbol.references) {
      const key = `${entry.fileName}:${entry.textSpan.start}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const at = locate(entry.fileName, entry.textSpan.start);
      if (at) references.push({ node: at, sourceFile: at.getSourceFile(), isDefinition: entry.isDefinition === true });
    }
  }
  return { references, definitions };
}

/** The declaration a symbol (through its import aliases) stands for. */
export function resolveAlias(ts: TypeScriptApi, checker: TS.TypeChecker, symbol: TS.Symbol | undefined): TS.Symbol | undefined {
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) return checker.getAliasedSymbol(symbol);
  return symbol;
}

export function isDeclarationFileName(fileName: string): boolean {
  return /\.d\.([^/\\]+\.)?[cm]?ts$/i.test(fileName);
}

/** `./order-repository.js` from `src/services` to `src/repositories/order-repository.ts`, written the way the file writes its relative imports. */
export function relativeSpecifier(ts: TypeScriptApi, from: TS.SourceFile, to: string): string {
  let relative = path.relative(path.dirname(from.fileName), to).split(path.sep).join('/');
  if (!relative.startsWith('.')) relative = `./${relative}`;
  const existing = from.statements
    .filter((s): s is TS.ImportDeclaration => ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) && s.moduleSpecifier.text.startsWith('.'))
    .map((s) => (s.moduleSpecifier as TS.StringLiteral).text);
  const withJs = existing.some((s) => /\.[cm]?js$/.test(s));
  const withTs = existing.some((s) => /\.[cm]?ts$/.test(s) && !s.endsWith('.d.ts'));
  const bare = relative.replace(/\.(d\.)?([cm]?)[jt]sx?$/, '');
  if (withTs) return relative;
  if (withJs || existing.length === 0) {
    const ext = /\.([cm]?)[jt]sx?$/.exec(relative);
    return ext ? `${bare}.${ext[1]}js` : relative;
  }
  return bare;
}

/** Whether the file's top level may `await` (an ES module under a module setting that allows it). */
export function allowsTopLevelAwait(project: MigrationProject, sourceFile: TS.SourceFile): boolean {
  const { ts, compilerOptions } = project;
  const module = compilerOptions.module ?? ts.ModuleKind.CommonJS;
  const target = compilerOptions.target ?? ts.ScriptTarget.ES5;
  if (target < ts.ScriptTarget.ES2017) return false;
  const nodeLike = module >= ts.ModuleKind.Node16 && module <= ts.ModuleKind.NodeNext;
  if (nodeLike) return impliedFormat(project, sourceFile) === ts.ModuleKind.ESNext;
  const esm = module === ts.ModuleKind.ES2022 || module === ts.ModuleKind.ESNext || module === ts.ModuleKind.System || module === ts.ModuleKind.Preserve;
  return esm && ts.isExternalModule(sourceFile);
}

/** Whether evaluating the expression twice, or not at all, is the same: `this`, names and property chains of them. */
export function isSideEffectFree(ts: TypeScriptApi, expression: TS.Expression): boolean {
  const expr = skip(ts, expression);
  if (expr.kind === ts.SyntaxKind.ThisKeyword || ts.isIdentifier(expr)) return true;
  if (ts.isPropertyAccessExpression(expr)) return isSideEffectFree(ts, expr.expression);
  return false;
}

export function lineOf(sourceFile: TS.SourceFile, position: number): number {
  return sourceFile.getLineAndCharacterOfPosition(position).line + 1;
}

/** The call a node is the callee of, looking through `x.call(...)` / `x.apply(...)`. */
export function callOfCallee(ts: TypeScriptApi, callee: TS.Node): TS.CallExpression | undefined {
  const outer = outermost(ts, callee);
  const parent = outer.parent;
  if (!parent) return undefined;
  if (ts.isCallExpression(parent) && parent.expression === outer) return parent;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === outer && (parent.name.text === 'call' || parent.name.text === 'apply')) {
    const grand = parent.parent;
    if (grand && ts.isCallExpression(grand) && grand.expression === parent) return grand;
  }
  return undefined;
}

/** For an identifier that names a member (`obj.name`), the whole member access; otherwise the identifier. */
export function referenceExpression(ts: TypeScriptApi, identifier: TS.Node): TS.Node {
  const parent = identifier.parent;
  if (parent && ts.isPropertyAccessExpression(parent) && parent.name === identifier) return parent;
  return identifier;
}

/**
 * ESNext or CommonJS, as Node will load the file under a node16/nodenext module setting: from
 * its extension and the nearest package.json `type` (ts-morph's files do not carry it).
 */
export function impliedFormat(project: MigrationProject, sourceFile: TS.SourceFile): TS.ResolutionMode {
  const { ts, compilerOptions } = project;
  return sourceFile.impliedNodeFormat ?? ts.getImpliedNodeFormatForFile(sourceFile.fileName, undefined, ts.sys, compilerOptions);
}
