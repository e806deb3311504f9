import type { FileFacts, FunctionLike } from './facts.js';
import { skipOuterExpressions } from './facts.js';
import { functionLocals } from './scope.js';
import type { TS } from './types.js';

/**
 * Whether a worker or process built inside a function outlives the call: it is returned (also
 * inside a returned object, or captured by a returned function), stored outside the function's
 * locals (`this.worker = ...`, a module or closure variable, a map or list), or handed to a
 * caller's callback (also a promise's resolver). Then the function is a
 * factory or an owner's start-up (a pool's `init`, a supervisor's restart): whoever calls it decides
 * how often, and no-loop-per-call judges that caller instead. A resource that lives and dies with
 * the call (used, awaited, terminated, or just left running with no one holding it) does not escape.
 */
export function resourceEscapes(facts: FileFacts, resource: TS.Expression, fn: FunctionLike): boolean {
  const ts = facts.ts;
  const locals = functionLocals(facts, fn);
  const isOuterTarget = (target: TS.Expression): boolean => {
    const expr = skipOuterExpressions(ts, target);
    let root: TS.Expression = expr;
    while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = root.expression;
    if (root.kind === ts.SyntaxKind.ThisKeyword) return true;
    if (!ts.isIdentifier(root)) return true;
    // A parameter's member is the caller's object; a parameter or local itself is not.
    if (root !== expr && fn.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === root.text)) return true;
    return !locals.has(root.text);
  };

  // Climb from the construction to what holds it.
  let node: TS.Node = resource;
  for (;;) {
    const parent = node.parent;
    if (!parent) return false;
    if (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isNonNullExpression(parent) || ts.isAwaitExpression(parent) || ts.isSatisfiesExpression(parent)) {
      node = parent;
      continue;
    }
    // `{ worker: new Worker() }`, `[new Worker()]`, `a ?? new Worker()`: whatever holds the object holds the worker.
    if (ts.isPropertyAssignment(parent) && parent.initializer === node) {
      node = parent.parent;
      continue;
    }
    if (ts.isArrayLiteralExpression(parent) || ts.isObjectLiteralExpression(parent)) {
      node = parent;
      continue;
    }
    if (ts.isConditionalExpression(parent) && parent.condition !== node) {
      node = parent;
      continue;
    }
    if (ts.isBinaryExpression(parent) && parent.right === node && isLogical(ts, parent.operatorToken.kind)) {
      node = parent;
      continue;
    }
    break;
  }
  const holder = node.parent;
  if (ts.isReturnStatement(holder) || (ts.isArrowFunction(holder) && holder.body === node)) return handedBack(facts, fn);
  if (ts.isBinaryExpression(holder) && holder.right === node && isAssignment(ts, holder.operatorToken.kind)) {
    if (isOuterTarget(holder.left)) return true;
    const local = skipOuterExpressions(ts, holder.left);
    if (ts.isIdentifier(local) && localEscapes(facts, fn, local.text, isOuterTarget)) return true;
    // `this.worker = parent = new Worker()`: the assignment's value goes on.
    return resourceEscapes(facts, holder, fn);
  }
  if (ts.isVariableDeclaration(holder) && holder.initializer === node) {
    return ts.isIdentifier(holder.name) && localEscapes(facts, fn, holder.name.text, isOuterTarget);
  }
  // Handed to a call (`pool.add(new Worker())`, `callback(null, fork(...))`): someone else holds it.
  if ((ts.isCallExpression(holder) || ts.isNewExpression(holder)) && holder.arguments?.includes(node as TS.Expression)) return true;
  return false;
}

/** Returned to the caller; for an IIFE, whatever its own caller does with it decides. */
function handedBack(facts: FileFacts, fn: FunctionLike): boolean {
  const ts = facts.ts;
  let node: TS.Node = fn;
  while (node.parent && ts.isParenthesizedExpression(node.parent)) node = node.parent;
  const call = node.parent;
  if (call && ts.isCallExpression(call) && call.expression === node) {
    const outer = facts.enclosingFunction(call);
    return outer === undefined || resourceEscapes(facts, call, outer);
  }
  return true;
}

function isAssignment(ts: FileFacts['ts'], kind: TS.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.EqualsToken || kind === ts.SyntaxKind.QuestionQuestionEqualsToken || kind === ts.SyntaxKind.BarBarEqualsToken;
}

function isLogical(ts: FileFacts['ts'], kind: TS.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.QuestionQuestionToken || kind === ts.SyntaxKind.BarBarToken || kind === ts.SyntaxKind.AmpersandAmpersandToken;
}

const COLLECTION_METHODS = new Set(['push', 'unshift', 'set', 'add', 'splice']);

/** Whether a local holding the resource (or a function capturing it) leaves the function. */
function localEscapes(facts: FileFacts, fn: FunctionLike, name: string, isOuterTarget: (target: TS.Expression) => boolean): boolean {
  const ts = facts.ts;
  if (!fn.body) return false;
  const capturing = new Set<string>([name]);
  // Local functions that capture the resource escape with it: `const call = (...a) => worker.postMessage(a); return call;`
  const visitDeclarations = (node: TS.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const init = skipOuterExpressions(ts, node.initializer);
      const holds = ts.isArrowFunction(init) || ts.isFunctionExpression(init) || ts.isObjectLiteralExpression(init) || ts.isArrayLiteralExpression(init);
      if (holds && mentions(facts, init, capturing)) capturing.add(node.name.text);
    } else if (ts.isFunctionDeclaration(node) && node.name && node !== fn && mentions(facts, node, capturing)) capturing.add(node.name.text);
    ts.forEachChild(node, visitDeclarations);
  };
  visitDeclarations(fn.body);

  let escapes = false;
  const isCapturing = (expression: TS.Expression): boolean => {
    const expr = skipOuterExpressions(ts, expression);
    if (ts.isIdentifier(expr)) return capturing.has(expr.text);
    if (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr) || ts.isObjectLiteralExpression(expr) || ts.isArrayLiteralExpression(expr)) return mentions(facts, expr, capturing);
    if (ts.isShorthandPropertyAssignment(expr)) return capturing.has(expr.name.text);
    return false;
  };
  const visit = (node: TS.Node): void => {
    if (escapes) return;
    if (ts.isReturnStatement(node) && node.expression && isCapturing(node.expression)) escapes = handedBack(facts, fn);
    else if (ts.isArrowFunction(node) && node !== fn && !ts.isBlock(node.body) && isCapturing(node.body) && returnsItself(ts, node)) escapes = true;
    else if (ts.isBinaryExpression(node) && isAssignment(ts, node.operatorToken.kind) && isCapturing(node.right) && isOuterTarget(node.left)) escapes = true;
    else if (ts.isCallExpression(node)) {
      const callee = skipOuterExpressions(ts, node.expression);
      const receiver = ts.isPropertyAccessExpression(callee) ? skipOuterExpressions(ts, callee.expression) : undefined;
      const onItself = receiver !== undefined && ts.isIdentifier(receiver) && capturing.has(receiver.text);
      const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      if (!onItself && node.arguments.some((argument) => isCapturing(argument))) {
        // A collection outside the call, or a callback of the caller. (A listener that tears the
        // resource down, `signal.addEventListener('abort', () => worker.terminate())`, keeps nothing.)
        if (method !== undefined && COLLECTION_METHODS.has(method)) escapes = receiver === undefined || isOuterTarget(receiver);
        // A callback of the caller: a parameter, or a resolver kept in a local (`let resolveWorker; new Promise((r) => { resolveWorker = r })`).
        else if (ts.isIdentifier(callee)) escapes = fn.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === callee.text) || isResolverLocal(facts, fn, callee.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  return escapes;
}

/** A `let` of the function assigned a parameter of a `new Promise(...)` executor: the promise's resolver. */
function isResolverLocal(facts: FileFacts, fn: FunctionLike, name: string): boolean {
  const ts = facts.ts;
  if (!fn.body) return false;
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left) && node.left.text === name && ts.isIdentifier(node.right)) {
      const executor = facts.enclosingFunction(node);
      const created = executor?.parent;
      if (executor && created && ts.isNewExpression(created) && facts.refersToGlobal(created.expression, 'Promise')) {
        const target = node.right.text;
        if (executor.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === target)) found = true;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  return found;
}

/** An arrow that is itself what its enclosing function returns. */
function returnsItself(ts: FileFacts['ts'], arrow: TS.ArrowFunction): boolean {
  let node: TS.Node = arrow;
  while (node.parent && ts.isParenthesizedExpression(node.parent)) node = node.parent;
  return node.parent !== undefined && ts.isReturnStatement(node.parent);
}

function mentions(facts: FileFacts, root: TS.Node, names: ReadonlySet<string>): boolean {
  const ts = facts.ts;
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isIdentifier(node) && names.has(node.text)) {
      const parent = node.parent;
      // `x.worker` names a property, not the local `worker`.
      if (!(parent && ts.isPropertyAccessExpression(parent) && parent.name === node)) found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(root);
  return found;
}
