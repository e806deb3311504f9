import type { FileFacts } from './facts.js';
import { skipOuterExpressions } from './facts.js';
import { localFunction } from './local-modules.js';
import type { TS } from './types.js';

/**
 * Calls whose promise cannot reject, so letting it float loses nothing: the callee is an async
 * function whose whole body is one `try` whose `catch` does not rethrow (nor await, nor has a
 * `finally` that might), or a function whose every `return` is a chain ending in `.catch(handler)`
 * with a handler that does not rethrow. The callee is found in this file, as a method of the
 * enclosing class, or in a module imported by relative path; anything else may reject.
 */
export function callCannotReject(facts: FileFacts, call: TS.CallExpression): boolean {
  const ts = facts.ts;
  const callee = skipOuterExpressions(ts, call.expression);
  const method = ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword ? classMethod(facts, callee) : undefined;
  if (method) return functionCannotReject(facts, method);
  const local = localFunction(facts, callee);
  return local !== undefined && functionCannotReject(local.facts, local.fn);
}

/** Whether a function's promise (or what it returns) cannot reject. */
export function functionCannotReject(facts: FileFacts, fn: TS.Node): boolean {
  if (inProgress.has(fn)) return false;
  inProgress.add(fn);
  try {
    return judge(facts, fn);
  } finally {
    inProgress.delete(fn);
  }
}
const inProgress = new Set<TS.Node>();

function judge(facts: FileFacts, fn: TS.Node): boolean {
  const ts = facts.ts;
  if (!facts.isFunctionLike(fn) || !fn.body) return false;
  const isAsync = facts.isAsyncFunction(fn) && (ts.getModifiers(fn)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ?? false);
  if (!ts.isBlock(fn.body)) return isQuietResult(facts, fn.body);
  // Guard clauses first (`if (disabled) return;`) cannot throw; then one quiet try/catch.
  const statements = fn.body.statements.filter((statement) => !isGuardClause(facts, statement) && !isBareDeclaration(facts, statement));
  if (isAsync && statements.length === 1) {
    const only = statements[0]!;
    if (ts.isTryStatement(only) && only.catchClause && isQuietBlock(facts, only.catchClause.block) && (!only.finallyBlock || isQuietBlock(facts, only.finallyBlock))) return true;
  }
  // Every return hands back a caught chain; an async function must do nothing else that could throw.
  const returns: TS.ReturnStatement[] = [];
  ownNodes(facts, fn.body, (node) => {
    if (ts.isReturnStatement(node)) returns.push(node);
  });
  if (returns.length === 0 || !returns.every((r) => r.expression !== undefined && isQuietResult(facts, r.expression))) return false;
  return !isAsync || statements.length === 1;
}

/** A returned value that cannot reject: a caught chain, or a call of a function that cannot reject. */
function isQuietResult(facts: FileFacts, expression: TS.Expression): boolean {
  const expr = skipOuterExpressions(facts.ts, expression);
  return isCaughtChain(facts, expr) || (facts.ts.isCallExpression(expr) && callCannotReject(facts, expr));
}

/** `var _a, _b;` (compiled optional chaining), `let done = false;`: declares without running anything. */
function isBareDeclaration(facts: FileFacts, statement: TS.Statement): boolean {
  const ts = facts.ts;
  return (
    ts.isVariableStatement(statement) &&
    statement.declarationList.declarations.every(
      (d) =>
        !d.initializer ||
        ts.isLiteralExpression(d.initializer) ||
        d.initializer.kind === ts.SyntaxKind.FalseKeyword ||
        d.initializer.kind === ts.SyntaxKind.TrueKeyword ||
        d.initializer.kind === ts.SyntaxKind.NullKeyword,
    )
  );
}

/** `if (x === false) return;`: a condition without calls, a bare return. */
function isGuardClause(facts: FileFacts, statement: TS.Statement): boolean {
  const ts = facts.ts;
  if (!ts.isIfStatement(statement) || statement.elseStatement) return false;
  const then = ts.isBlock(statement.thenStatement) && statement.thenStatement.statements.length === 1 ? statement.thenStatement.statements[0]! : statement.thenStatement;
  if (!ts.isReturnStatement(then) || (then.expression && !ts.isLiteralExpression(then.expression) && then.expression.kind !== ts.SyntaxKind.NullKeyword)) return false;
  let calls = false;
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isAwaitExpression(node)) calls = true;
    else ts.forEachChild(node, visit);
  };
  visit(statement.expression);
  return !calls;
}

/** The function literals a function returns (`return async function () { … }`, an arrow's body). */
export function returnedFunctions(facts: FileFacts, fn: TS.Node): TS.Node[] {
  const ts = facts.ts;
  if (!facts.isFunctionLike(fn) || !fn.body) return [];
  const literal = (expression: TS.Expression | undefined): TS.Node | undefined => {
    const expr = expression && skipOuterExpressions(ts, expression);
    return expr && (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr)) ? expr : undefined;
  };
  if (!ts.isBlock(fn.body)) {
    const only = literal(fn.body);
    return only ? [only] : [];
  }
  const found: TS.Node[] = [];
  let other = false;
  ownNodes(facts, fn.body, (node) => {
    if (!ts.isReturnStatement(node)) return;
    const returned = literal(node.expression);
    if (returned) found.push(returned);
    else other = true;
  });
  return other ? [] : found;
}

/** `p.catch(handler)` or `p.then(a, handler)` as the last link, the handler a function that does not rethrow. */
function isCaughtChain(facts: FileFacts, expression: TS.Expression): boolean {
  const ts = facts.ts;
  const expr = skipOuterExpressions(ts, expression);
  if (!ts.isCallExpression(expr) || !ts.isPropertyAccessExpression(expr.expression)) return false;
  const name = expr.expression.name.text;
  const handler = name === 'catch' ? expr.arguments[0] : name === 'then' ? expr.arguments[1] : undefined;
  if (handler === undefined) return false;
  const fn = skipOuterExpressions(ts, handler);
  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) {
    if (!ts.isBlock(fn.body)) return !ts.isCallExpression(skipOuterExpressions(ts, fn.body)) || !isRejectCall(facts, skipOuterExpressions(ts, fn.body) as TS.CallExpression);
    return isQuietBlock(facts, fn.body);
  }
  return ts.isIdentifier(fn) || ts.isPropertyAccessExpression(fn);
}

/** A block that neither throws, nor awaits, nor returns a rejection (own code, nested functions aside). */
function isQuietBlock(facts: FileFacts, block: TS.Block): boolean {
  const ts = facts.ts;
  let quiet = true;
  ownNodes(facts, block, (node) => {
    if (ts.isThrowStatement(node) || ts.isAwaitExpression(node)) quiet = false;
    else if (ts.isCallExpression(node) && isRejectCall(facts, node)) quiet = false;
  });
  return quiet;
}

function isRejectCall(facts: FileFacts, call: TS.CallExpression): boolean {
  return facts.refersToGlobal(call.expression, 'Promise', 'reject');
}

function ownNodes(facts: FileFacts, root: TS.Node, callback: (node: TS.Node) => void): void {
  const ts = facts.ts;
  const visit = (node: TS.Node): void => {
    if (facts.isFunctionLike(node) || ts.isClassLike(node)) return;
    callback(node);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(root, visit);
}

/** `this.name(...)` inside a class: that class's method `name`. */
function classMethod(facts: FileFacts, callee: TS.PropertyAccessExpression): TS.MethodDeclaration | undefined {
  const ts = facts.ts;
  const name = callee.name.text;
  for (let current: TS.Node | undefined = callee.parent; current; current = current.parent) {
    if (ts.isClassLike(current)) {
      return current.members.find((m): m is TS.MethodDeclaration => ts.isMethodDeclaration(m) && m.body !== undefined && m.name.getText(facts.sourceFile) === name);
    }
  }
  return undefined;
}
