import { FileFacts, type FunctionLike } from './facts.js';
import { skipOuterExpressions } from './facts.js';
import { localClass, localFunction } from './local-modules.js';
import type { TS } from './types.js';

/**
 * Calls whose promise cannot reject, so letting it float loses nothing. The callee is one of:
 * - an async function whose body is made of `try` statements that cannot reject: each `catch`
 *   does not rethrow (nor await, nor has a `finally` that might), or the `finally` ends the
 *   process (`process.exit()`), so no rejection is ever observed;
 * - a function whose every `return` is a chain ending in `.catch(handler)` with a handler that
 *   does not rethrow;
 * - a (non-async) function that attaches a rejection handler to the very promise it returns
 *   (`void tracked.catch(onError); return tracked;`): the caller's copy is handled already.
 * The callee is found in this file, as a method of the enclosing class, in a module imported by
 * relative path, or (typed) wherever the checker says the called function or method is declared in
 * the project's code; anything else may reject.
 */
export function callCannotReject(facts: FileFacts, call: TS.CallExpression): boolean {
  const ts = facts.ts;
  const callee = skipOuterExpressions(ts, call.expression);
  const method = ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword ? classMethod(facts, callee) : undefined;
  if (method) return functionCannotReject(facts, method);
  const local = localFunction(facts, callee);
  if (local) return functionCannotReject(local.facts, local.fn);
  const instance = instanceMethod(facts, callee);
  if (instance) return functionCannotReject(instance.facts, instance.fn);
  return declaredCalleeCannotReject(facts, callee);
}

/**
 * `this.scope.track(p)` where the enclosing class only ever assigns `this.scope = new Scope(…)`
 * (or declares `scope = new Scope(…)`), or `scope.track(p)` where `const scope = new Scope(…)`,
 * and `Scope` is a class of the project's code (this file, or a module imported by relative path):
 * that class's own method. Read from the syntax, so it holds where the checker sees only a
 * declaration file beside the code.
 */
function instanceMethod(facts: FileFacts, callee: TS.Expression): { facts: FileFacts; fn: FunctionLike } | undefined {
  const ts = facts.ts;
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.name)) return undefined;
  const receiver = skipOuterExpressions(ts, callee.expression);
  let constructed: TS.Expression | undefined;
  if (ts.isIdentifier(receiver)) {
    const initializer = facts.constInitializer(receiver.text);
    const value = initializer && skipOuterExpressions(ts, initializer);
    constructed = value && ts.isNewExpression(value) ? value.expression : undefined;
  } else if (ts.isPropertyAccessExpression(receiver) && receiver.expression.kind === ts.SyntaxKind.ThisKeyword) {
    constructed = memberClass(facts, receiver);
  }
  const cls = constructed && localClass(facts, constructed);
  if (!cls) return undefined;
  const name = callee.name.text;
  const method = cls.cls.members.find(
    (m): m is TS.MethodDeclaration => ts.isMethodDeclaration(m) && m.body !== undefined && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) && m.name.text === name,
  );
  return method && { facts: cls.facts, fn: method };
}

/** The class every assignment of `this.name` in the enclosing class constructs (`this.name = new X(…)`, a field `name = new X(…)`). */
function memberClass(facts: FileFacts, member: TS.PropertyAccessExpression): TS.Expression | undefined {
  const ts = facts.ts;
  let owner: TS.Node | undefined = member.parent;
  while (owner && !ts.isClassLike(owner)) owner = owner.parent;
  if (!owner) return undefined;
  const name = member.name.text;
  const classes: TS.Expression[] = [];
  let other = false;
  const record = (value: TS.Expression): void => {
    const expr = skipOuterExpressions(ts, value);
    if (ts.isNewExpression(expr)) classes.push(expr.expression);
    else other = true;
  };
  const visit = (node: TS.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const target = skipOuterExpressions(ts, node.left);
      if (ts.isPropertyAccessExpression(target) && target.expression.kind === ts.SyntaxKind.ThisKeyword && target.name.text === name) record(node.right);
    } else if (ts.isPropertyDeclaration(node) && node.parent === owner && node.initializer && (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name)) && node.name.text === name) {
      record(node.initializer);
    }
    // A nested class has a `this` of its own.
    if (!(ts.isClassLike(node) && node !== owner)) ts.forEachChild(node, visit);
  };
  visit(owner);
  if (other || classes.length === 0) return undefined;
  const first = facts.text(classes[0]!);
  return classes.every((c) => facts.text(c) === first) ? classes[0] : undefined;
}

/**
 * Typed: the declarations the checker resolves the callee to (`this.scope.track(p)` → the method
 * `track` of the class `scope` is typed as), all in the project's code and all unable to reject.
 * A declaration in a declaration file carries no code, so it may reject.
 */
function declaredCalleeCannotReject(facts: FileFacts, callee: TS.Expression): boolean {
  const ts = facts.ts;
  const types = facts.types;
  if (!types) return false;
  const name = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
  if (!ts.isIdentifier(name) && !ts.isPrivateIdentifier(name)) return false;
  const declarations = ts.isIdentifier(name) ? types.declarationsOf(name) : undefined;
  if (!declarations || declarations.total === 0 || declarations.inSource.length !== declarations.total) return false;
  return declarations.inSource.every((declaration) => {
    const file = declaration.getSourceFile();
    const owner = file === facts.sourceFile ? facts : FileFacts.of({ ts, sourceFile: file, types });
    const fn = owner.declaredFunction(declaration);
    return fn !== undefined && functionCannotReject(owner, fn);
  });
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
  // Statements that cannot throw (`if (disabled) return;`, `let done = false;`, `status = 'x';`) aside.
  const statements = fn.body.statements.filter((statement) => !isInert(facts, statement));
  // An async body of try statements none of which lets a rejection out.
  if (isAsync && statements.length > 0 && statements.every((statement) => ts.isTryStatement(statement) && tryCannotReject(facts, statement))) return true;
  // Every return hands back a caught chain, or a promise this function has already handled; an
  // async function must do nothing else that could throw (and wraps what it returns in a new
  // promise, so a handler attached inside does not cover it).
  const returns: TS.ReturnStatement[] = [];
  ownNodes(facts, fn.body, (node) => {
    if (ts.isReturnStatement(node)) returns.push(node);
  });
  if (returns.length === 0) return false;
  const quiet = (r: TS.ReturnStatement): boolean => r.expression !== undefined && isQuietResult(facts, r.expression);
  if (returns.every(quiet)) return !isAsync || statements.length === 1;
  return !isAsync && returns.every((r) => quiet(r) || returnsHandledPromise(facts, fn.body as TS.Block, r));
}

/**
 * `const tracked = start(); void tracked.catch(onError); return tracked;`: the returned promise is
 * a const of the body's own statements with a rejection handler attached by a statement of the
 * body itself (not conditionally), before the return.
 */
function returnsHandledPromise(facts: FileFacts, body: TS.Block, returned: TS.ReturnStatement): boolean {
  const ts = facts.ts;
  const value = returned.expression && skipOuterExpressions(ts, returned.expression);
  if (!value || !ts.isIdentifier(value) || !isBodyConst(facts, body, value.text)) return false;
  return body.statements.some((statement) => {
    if (statement.end > returned.pos || !ts.isExpressionStatement(statement)) return false;
    let expr = skipOuterExpressions(ts, statement.expression);
    if (ts.isVoidExpression(expr)) expr = skipOuterExpressions(ts, expr.expression);
    if (!isCaughtChain(facts, expr) || !ts.isCallExpression(expr) || !ts.isPropertyAccessExpression(expr.expression)) return false;
    const receiver = skipOuterExpressions(ts, expr.expression.expression);
    return ts.isIdentifier(receiver) && receiver.text === value.text;
  });
}

/** `const name = …` among the body's own statements (so nothing assigns `name` again). */
function isBodyConst(facts: FileFacts, body: TS.Block, name: string): boolean {
  const ts = facts.ts;
  return body.statements.some(
    (statement) =>
      ts.isVariableStatement(statement) &&
      (statement.declarationList.flags & ts.NodeFlags.Const) !== 0 &&
      statement.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name),
  );
}

/**
 * A try statement that lets no rejection out: its catch does not rethrow and its finally (if any)
 * is as quiet, or its finally ends the process (`process.exit()` after nothing that could throw),
 * so whatever the try or catch threw is never observed.
 */
function tryCannotReject(facts: FileFacts, statement: TS.TryStatement): boolean {
  const ts = facts.ts;
  const finallyBlock = statement.finallyBlock;
  if (finallyBlock) {
    const exit = finallyBlock.statements.findIndex((s) => ts.isExpressionStatement(s) && isProcessExit(facts, s.expression));
    if (exit >= 0 && finallyBlock.statements.slice(0, exit).every((s) => isQuietStatement(facts, s))) return true;
  }
  return statement.catchClause !== undefined && isQuietBlock(facts, statement.catchClause.block) && (!finallyBlock || isQuietBlock(facts, finallyBlock));
}

function isProcessExit(facts: FileFacts, expression: TS.Expression): boolean {
  const expr = skipOuterExpressions(facts.ts, expression);
  return facts.ts.isCallExpression(expr) && facts.refersToGlobal(expr.expression, 'process', 'exit');
}

/** A returned value that cannot reject: a caught chain, or a call of a function that cannot reject. */
function isQuietResult(facts: FileFacts, expression: TS.Expression): boolean {
  const expr = skipOuterExpressions(facts.ts, expression);
  return isCaughtChain(facts, expr) || (facts.ts.isCallExpression(expr) && callCannotReject(facts, expr));
}

/** A statement that cannot throw: a guard clause, a bare declaration, a literal stored in a variable, a log line. */
function isInert(facts: FileFacts, statement: TS.Statement): boolean {
  return isGuardClause(facts, statement) || isBareDeclaration(facts, statement) || isLiteralAssignment(facts, statement) || isPlainLog(facts, statement);
}

/** `console.info('stopping', state)`: the console with arguments that run nothing (no call, no `new`, no `await`). */
function isPlainLog(facts: FileFacts, statement: TS.Statement): boolean {
  const ts = facts.ts;
  if (!ts.isExpressionStatement(statement)) return false;
  const call = skipOuterExpressions(ts, statement.expression);
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || !facts.refersToGlobal(call.expression.expression, 'console')) return false;
  let runs = false;
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isAwaitExpression(node) || ts.isTaggedTemplateExpression(node) || facts.isFunctionLike(node)) runs = true;
    else ts.forEachChild(node, visit);
  };
  for (const argument of call.arguments) visit(argument);
  return !runs;
}

/** `status = 'closing';`: a literal assigned to a plain variable. */
function isLiteralAssignment(facts: FileFacts, statement: TS.Statement): boolean {
  const ts = facts.ts;
  if (!ts.isExpressionStatement(statement)) return false;
  const expr = skipOuterExpressions(ts, statement.expression);
  return ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(expr.left) && isLiteral(ts, expr.right);
}

function isLiteral(ts: FileFacts['ts'], expression: TS.Expression): boolean {
  return ts.isLiteralExpression(expression) || expression.kind === ts.SyntaxKind.FalseKeyword || expression.kind === ts.SyntaxKind.TrueKeyword || expression.kind === ts.SyntaxKind.NullKeyword;
}

/** `var _a, _b;` (compiled optional chaining), `let done = false;`: declares without running anything. */
function isBareDeclaration(facts: FileFacts, statement: TS.Statement): boolean {
  const ts = facts.ts;
  return ts.isVariableStatement(statement) && statement.declarationList.declarations.every((d) => !d.initializer || isLiteral(ts, d.initializer));
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
  return isQuietStatement(facts, block);
}

function isQuietStatement(facts: FileFacts, statement: TS.Statement): boolean {
  const ts = facts.ts;
  let quiet = true;
  const check = (node: TS.Node): void => {
    if (ts.isThrowStatement(node) || ts.isAwaitExpression(node)) quiet = false;
    else if (ts.isCallExpression(node) && isRejectCall(facts, node)) quiet = false;
  };
  check(statement);
  ownNodes(facts, statement, check);
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
