import type { FileFacts } from './facts.js';
import { skipOuterExpressions } from './facts.js';
import type { TS } from './types.js';

/**
 * Whether code can run on the main thread, judged per function: blocking with `Atomics.wait` (or
 * polling `receiveMessageOnPort`) is the point inside a worker and a frozen event loop on the main
 * thread. A file that is only a worker (it uses `parentPort`/`workerData` or is named like one, and
 * starts no worker itself) runs in a worker throughout. In a file that holds both sides (a bridge
 * library's worker setup beside the function it hands to callers), only the worker side is exempt:
 * handlers of the worker's messages (`parentPort.on('message', ...)`, `self.onmessage`,
 * synckit's `runAsWorker(fn)`), what runs under `if (!isMainThread)` or in the `else` of
 * `if (isMainThread)`, and functions only those call. A worker pool's task module (piscina,
 * tinypool, workerpool load a file whose whole export is the task) that waits on a shared buffer it
 * was handed and notifies its peers on it takes part in a handshake between pool threads: the
 * pool runs it in a worker.
 */
export function canRunOnMainThread(facts: FileFacts, node: TS.Node): boolean {
  if (facts.isWorkerFile && !startsWorkers(facts)) return false;
  return !runsOnWorkerSide(facts, node, new Set());
}

function runsOnWorkerSide(facts: FileFacts, node: TS.Node, seen: Set<TS.Node>): boolean {
  const ts = facts.ts;
  for (let child: TS.Node = node, current = node.parent; current; child = current, current = current.parent) {
    if (ts.isIfStatement(current) && child !== current.expression) {
      const inThen = child === current.thenStatement;
      const test = mainThreadTest(facts, current.expression);
      if (test !== undefined && test !== inThen) return true;
    }
    if (ts.isConditionalExpression(current) && child !== current.condition) {
      const test = mainThreadTest(facts, current.condition);
      if (test !== undefined && test !== (child === current.whenTrue)) return true;
    }
    if (facts.isFunctionLike(current)) {
      if (seen.has(current)) return false;
      seen.add(current);
      if (isWorkerHandler(facts, current) || isPoolTaskHandshake(facts, current, node)) return true;
      const callers = callersOf(facts, current);
      if (callers !== undefined && callers.length > 0 && callers.every((call) => runsOnWorkerSide(facts, call, seen))) return true;
    }
  }
  return false;
}

/** `isMainThread` → true, `!isMainThread` → false (the branch taken on the main thread), else undefined. */
function mainThreadTest(facts: FileFacts, condition: TS.Expression): boolean | undefined {
  const ts = facts.ts;
  const expr = skipOuterExpressions(ts, condition);
  if (ts.isPrefixUnaryExpression(expr) && expr.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = mainThreadTest(facts, expr.operand);
    return inner === undefined ? undefined : !inner;
  }
  return facts.refersTo(expr, 'worker_threads', 'isMainThread') ? true : undefined;
}

/** A function handed to the worker's message channel: it only runs inside the worker. */
function isWorkerHandler(facts: FileFacts, fn: TS.Node): boolean {
  const ts = facts.ts;
  let node: TS.Node = fn;
  while (node.parent && (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent))) node = node.parent;
  const parent = node.parent;
  if (!parent) return false;
  if (ts.isCallExpression(parent) && parent.arguments.includes(node as TS.Expression)) {
    const callee = skipOuterExpressions(ts, parent.expression);
    if (facts.refersTo(callee, 'synckit', 'runAsWorker')) return true;
    if (ts.isPropertyAccessExpression(callee) && ['on', 'once', 'addListener', 'addEventListener'].includes(callee.name.text)) {
      return isParentPort(facts, callee.expression);
    }
  }
  // `self.onmessage = (event) => ...`, `parentPort.onmessage = ...`
  if (ts.isBinaryExpression(parent) && parent.right === node && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = skipOuterExpressions(ts, parent.left);
    if (ts.isPropertyAccessExpression(left) && left.name.text === 'onmessage') return isParentPort(facts, left.expression) || facts.refersToGlobal(left.expression, 'self');
  }
  return false;
}

/**
 * `module.exports = function ({ i32array }) { Atomics.notify(i32array, …); Atomics.wait(i32array, …); }`:
 * the module's whole export, waiting on a buffer reached through its parameters and notifying on
 * the same buffer. A main-thread bridge owns the buffer it blocks on and leaves notifying to its worker.
 */
function isPoolTaskHandshake(facts: FileFacts, fn: TS.Node, wait: TS.Node): boolean {
  const ts = facts.ts;
  if (!ts.isCallExpression(wait) || !facts.isFunctionLike(fn) || !isWholeModuleExport(facts, fn)) return false;
  const buffer = wait.arguments[0] && bufferRoot(ts, wait.arguments[0]);
  if (buffer === undefined || !parameterNames(ts, fn).has(buffer)) return false;
  let notifies = false;
  const visit = (node: TS.Node): void => {
    if (notifies) return;
    if (ts.isCallExpression(node) && facts.refersToGlobal(node.expression, 'Atomics', 'notify') && node.arguments[0] && bufferRoot(ts, node.arguments[0]) === buffer) notifies = true;
    else ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return notifies;
}

/** `module.exports = fn`, `export default fn`, `export = fn`. */
function isWholeModuleExport(facts: FileFacts, fn: TS.Node): boolean {
  const ts = facts.ts;
  let node: TS.Node = fn;
  while (node.parent && (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent))) node = node.parent;
  const parent = node.parent;
  if (!parent) return false;
  if (ts.isExportAssignment(parent)) return true;
  if (ts.isFunctionDeclaration(fn) && ts.getModifiers(fn)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) return true;
  return (
    ts.isBinaryExpression(parent) &&
    parent.right === node &&
    parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    facts.text(skipOuterExpressions(ts, parent.left)).replace(/\s+/g, '') === 'module.exports'
  );
}

/** The identifier a buffer expression starts from (`i32array`, `state.lock[0]` → `state`). */
function bufferRoot(ts: FileFacts['ts'], expression: TS.Expression): string | undefined {
  let expr = skipOuterExpressions(ts, expression);
  while (ts.isPropertyAccessExpression(expr) || ts.isElementAccessExpression(expr)) expr = skipOuterExpressions(ts, expr.expression);
  return ts.isIdentifier(expr) ? expr.text : undefined;
}

/** Every name a function's parameters bind, destructured ones included. */
function parameterNames(ts: FileFacts['ts'], fn: TS.SignatureDeclaration): Set<string> {
  const names = new Set<string>();
  const bind = (name: TS.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  for (const parameter of fn.parameters) bind(parameter.name);
  return names;
}

function isParentPort(facts: FileFacts, expression: TS.Expression): boolean {
  const ts = facts.ts;
  const expr = skipOuterExpressions(ts, expression);
  if (facts.refersTo(expr, 'worker_threads', 'parentPort')) return true;
  // `parentPort?.on(...)` and `parentPort!.on(...)` resolve through the optional chain.
  return ts.isIdentifier(expr) && expr.text === 'parentPort' && facts.refersTo(expr, 'worker_threads', 'parentPort');
}

/** Calls of a named function of this file (scope-blind by name), or undefined when it may be called from elsewhere. */
function callersOf(facts: FileFacts, fn: TS.Node): TS.CallExpression[] | undefined {
  const ts = facts.ts;
  if (!ts.isFunctionDeclaration(fn) || !fn.name) return undefined;
  const exported = ts.getModifiers(fn)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
  if (exported) return undefined;
  const name = fn.name.text;
  const calls: TS.CallExpression[] = [];
  let otherUse = false;
  const visit = (node: TS.Node): void => {
    if (ts.isIdentifier(node) && node.text === name && node !== fn.name) {
      const parent = node.parent;
      if (parent && ts.isCallExpression(parent) && parent.expression === node) calls.push(parent);
      else otherUse = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  return otherUse ? undefined : calls;
}

/** Whether the file starts workers itself (`new Worker(...)`): then it holds main-thread code too. */
function startsWorkers(facts: FileFacts): boolean {
  const cached = startsCache.get(facts);
  if (cached !== undefined) return cached;
  const ts = facts.ts;
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isNewExpression(node) && (facts.refersTo(node.expression, 'worker_threads', 'Worker') || facts.refersToGlobal(node.expression, 'Worker'))) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  startsCache.set(facts, found);
  return found;
}
const startsCache = new WeakMap<FileFacts, boolean>();
