import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FileFacts } from '../../src/core/facts.js';
import { checkerQuestions, type TypeQuestions } from '../../src/core/type-questions.js';
import type { TS, TypeScriptApi } from '../../src/core/types.js';
import { createProgram } from '../../src/scan/program.js';
import { stripBom } from '../../src/scan/source.js';
import { loadTypeScript } from '../../src/scan/typescript.js';
import { loadTypescript7, Typescript7Session } from '../../src/scan/typescript7.js';
import { Typescript7Questions } from '../../src/scan/typescript7-questions.js';
import { parseForAnalysis } from '../../src/scan/typescript7-run.js';

/**
 * Both type backends asked the same questions about the same nodes of one tsconfig's files: the
 * scanner's TypeScript 6 program and checker, and TypeScript 7 through its API (answering about
 * the trees the scanner parses for it). Returns one answer record per node and backend; the two
 * lists must be equal.
 */
export function answersOfBothBackends(configFile: string, filter: (file: string) => boolean = () => true): { six: unknown[]; seven: unknown[]; nodes: number } {
  const ts = loadTypeScript().ts;
  const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  // The scanner's own TypeScript 6 program (its libraries live in ts-morph's memory, not beside its typescript.js).
  const program = createProgram(loadTypeScript(), parsed.options, parsed.fileNames, new Map());
  const six = checkerQuestions(ts, program.getTypeChecker());
  const session = Typescript7Session.start(loadTypescript7(), path.dirname(configFile), false);
  try {
    const [opened] = session.open([{ configFile }]);
    const trees = new Map<string, TS.SourceFile>();
    const treeOf = (fileName: string): TS.SourceFile => {
      let tree = trees.get(fileName);
      if (!tree) trees.set(fileName, (tree = parseForAnalysis(ts, fileName, stripBom(readFileSync(fileName, 'utf8')))));
      return tree;
    };
    const seven = new Typescript7Questions(ts, loadTypescript7(), opened!.project, treeOf);
    const result = { six: [] as unknown[], seven: [] as unknown[], nodes: 0 };
    for (const fileName of parsed.fileNames.filter((file) => !/\.d\.[cm]?ts$/.test(file) && filter(file))) {
      const sixTree = program.getSourceFile(fileName)!;
      const sixNodes = questionNodes(ts, sixTree);
      const sevenNodes = questionNodes(ts, treeOf(fileName));
      result.six.push(...answers(ts, FileFacts.of({ ts, sourceFile: sixTree, types: six }), six, sixNodes));
      result.seven.push(...answers(ts, FileFacts.of({ ts, sourceFile: treeOf(fileName), types: seven }), seven, sevenNodes));
      result.nodes += sixNodes.length;
    }
    return result;
  } finally {
    session.close();
  }
}

/** The nodes detectors ask most about: calls, the expressions statements discard, identifiers handed to calls. */
function questionNodes(ts: TypeScriptApi, sourceFile: TS.SourceFile): TS.Node[] {
  const found: TS.Node[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node)) {
      found.push(node);
      for (const argument of node.arguments) if (ts.isIdentifier(argument)) found.push(argument);
      if (ts.isIdentifier(node.expression)) found.push(node.expression);
    } else if (ts.isExpressionStatement(node)) {
      // Assignments never float: no detector asks about them (and `module.exports = {...}` is typed apart by the two).
      const expr = node.expression;
      const isAssignment = ts.isBinaryExpression(expr) && expr.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && expr.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
      if (!isAssignment) found.push(expr);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

function answers(ts: TypeScriptApi, facts: FileFacts, types: TypeQuestions, nodes: readonly TS.Node[]): unknown[] {
  return nodes.map((node) => {
    const type = types.typeAt(node);
    const signatures = types.callSignatures(type);
    const declarations = ts.isIdentifier(node) ? types.declarationsOf(node) : undefined;
    return {
      at: `${path.basename(facts.sourceFile.fileName)}:${node.pos} ${ts.SyntaxKind[node.kind]} ${node.getText(facts.sourceFile).slice(0, 40)}`,
      promise: ts.isExpression(node) ? facts.isPromiseValued(node) : undefined,
      thenable: facts.isThenableType(type),
      anyOrUnknown: isCommonJsExpandoCall(ts, facts.sourceFile, node) ? 'differs' : types.isAnyOrUnknown(type),
      arrayOrTuple: types.isArrayOrTupleType(types.apparentType(type)),
      // What no-floating-promise asks of a type's name: is it (an instantiation of) the global
      // Promise. Names in general are not compared: TypeScript 7 keeps some aliases TypeScript 6
      // reduces (`Awaited<TSchema>` where 6 says `TSchema`, once in the mongodb driver's 8,517).
      promiseNamed: types.unionParts(type).map((part) => types.symbolName(types.apparentType(part)) === 'Promise'),
      signatures: signatures.length,
      thisReturning: ts.isCallExpression(node) ? types.resolvesToThisReturning(node) : undefined,
      returnsThenable: signatures.map((signature) => facts.isThenableType(types.returnType(signature))),
      parameters: signatures.map((signature) => types.parameters(signature).map((p) => types.symbolNameOf(p))),
      declarations: declarations && { total: declarations.total, inSource: declarations.inSource.map((d) => `${path.basename(d.getSourceFile().fileName)}:${d.pos}-${d.end}`) },
    };
  });
}

/**
 * A call of a property assigned onto a CommonJS module's exported function (`module.exports =
 * deasync; module.exports.sleep = …`), called as `module.exports.sleep()` in that module or as
 * `deasync.sleep()` where it is required by relative path. TypeScript 6 types these expandos;
 * TypeScript 7 types the call `any`. That is a difference of the two compilers' JavaScript support,
 * not of the backends: no rule's verdict depends on it there (the report test compares findings).
 */
function isCommonJsExpandoCall(ts: TypeScriptApi, sourceFile: TS.SourceFile, node: TS.Node): boolean {
  if (!/\.[cm]?jsx?$/.test(sourceFile.fileName) || !ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return false;
  const receiver = node.expression.expression;
  if (ts.isPropertyAccessExpression(receiver)) return ts.isIdentifier(receiver.expression) && receiver.expression.text === 'module' && receiver.name.text === 'exports';
  if (!ts.isIdentifier(receiver)) return false;
  return sourceFile.statements.some(
    (statement) =>
      ts.isVariableStatement(statement) &&
      statement.declarationList.declarations.some((declaration) => {
        const init = declaration.initializer;
        return (
          ts.isIdentifier(declaration.name) &&
          declaration.name.text === receiver.text &&
          init !== undefined &&
          ts.isCallExpression(init) &&
          ts.isIdentifier(init.expression) &&
          init.expression.text === 'require' &&
          init.arguments.length === 1 &&
          ts.isStringLiteral(init.arguments[0]!) &&
          init.arguments[0].text.startsWith('.')
        );
      }),
  );
}
