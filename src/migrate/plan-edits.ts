import path from 'node:path';
import { skipOuterExpressions } from '../core/facts.js';
import { codeStyle } from '../core/fixes/imports.js';
import type { TS } from '../core/types.js';
import { resolveAlias } from './ast.js';
import { indentOf, declarationRange, wrapBlockEdits } from './edits.js';
import { factsOf } from './entry-points.js';
import type { Plan } from './plan.js';
import type { WrapperInfo } from './wrappers.js';

/** Plan-level edits shared by the async planner, the runner move and the cleanup. */

export function noteBridgeHelper(plan: Plan, info: WrapperInfo): void {
  const { ts, checker } = plan.project;
  if (!info.wrapper.viaHelper) return;
  const callee = skipOuterExpressions(ts, info.wrapper.bridgeCall.expression);
  const nameNode = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
  const symbol = resolveAlias(ts, checker, checker.getSymbolAtLocation(nameNode));
  const declaration = symbol?.valueDeclaration;
  if (!declaration || !plan.project.files.has(path.resolve(declaration.getSourceFile().fileName))) return;
  if (ts.isFunctionDeclaration(declaration) || (ts.isVariableDeclaration(declaration) && ts.isVariableStatement(declaration.parent.parent))) plan.helperCandidates.add(declaration);
}

/** Removes one element of an import/export list, with its comma; the whole declaration when it was the only one. */
export function removeListElement(plan: Plan, element: TS.ImportSpecifier | TS.ExportSpecifier | TS.BindingElement): void {
  const ts = plan.project.ts;
  const list = element.parent as TS.NamedImports | TS.NamedExports | TS.ObjectBindingPattern;
  const sourceFile = element.getSourceFile();
  const edits = plan.editsFor(sourceFile);
  const elements = list.elements as TS.NodeArray<TS.Node>;
  const index = elements.indexOf(element);
  if (elements.length === 1) {
    let statement: TS.Node = list;
    while (statement.parent && !ts.isSourceFile(statement.parent)) statement = statement.parent;
    const range = declarationRange(ts, sourceFile, statement);
    edits.remove(range.start, range.end);
    return;
  }
  if (index < elements.length - 1) edits.remove(element.getStart(sourceFile), elements[index + 1]!.getStart(sourceFile));
  else edits.remove(elements[index - 1]!.getEnd(), element.getEnd());
}

/** Wraps a function's block body (see wrapBlockEdits) in the plan's edits for its file. */
export function wrapBlock(plan: Plan, fn: TS.Node, body: TS.Block, parts: (indent: string, unit: string, newline: string) => { open: string; close: string; depth: number }): void {
  const sourceFile = body.getSourceFile();
  const newline = codeStyle(factsOf(plan.project, sourceFile)).newline;
  const indent = indentOf(sourceFile.text, fn.getStart(sourceFile));
  const edits = plan.editsFor(sourceFile);
  for (const edit of wrapBlockEdits(plan.project.ts, sourceFile, body, indent, newline, parts)) edits.insert(edit.start, edit.text);
}
