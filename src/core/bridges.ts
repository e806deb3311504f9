import { skipOuterExpressions, type FileFacts } from './facts.js';
import type { TS } from './types.js';

/**
 * The libraries that turn async work into a blocking call, and how. Shared by no-sync-bridge
 * (which reports the blocking calls), no-loop-per-call (which reports building them per call)
 * and no-sync-wrapper (which recognises functions that only forward to them).
 */
export type BridgeKind =
  | 'deasync' // deasync(fn) / deasync-promise: spins the event loop re-entrantly
  | 'deasync-loop' // deasync.loopWhile / runLoopOnce / sleep
  | 'make-synchronous' // a whole node process per call
  | 'synckit' // a worker per createSyncFn, blocking calls
  | 'sync-rpc' // a server process, blocking calls
  | 'sync-threads' // a worker per call
  | 'do-sync' // a process per call
  | 'fibers'
  | 'atomics-wait'
  | 'exec-node' // execSync/spawnSync of node to get a result
  | 'busy-wait'
  | 'receive-message-poll'
  | 'pseudo-bridge'
  | 'runner'; // loop-audit/runtime's own bridge: the cure, still a bridge for no-sync-wrapper

/** Factories whose return value is a blocking function. Keyed `module` or `module#export`. */
const BRIDGE_FACTORIES: ReadonlyMap<string, BridgeKind> = new Map([
  ['deasync', 'deasync'],
  ['make-synchronous', 'make-synchronous'],
  ['synckit#createSyncFn', 'synckit'],
  ['sync-rpc', 'sync-rpc'],
  ['sync-threads#createSyncFn', 'sync-threads'],
  ['do-sync#doSync', 'do-sync'],
  ['loop-audit/runtime#defineSync', 'runner'],
  ['loop-audit/runtime#syncFunction', 'runner'],
]);

/** Calls that block on a promise or the loop right where they stand. */
const BLOCKING_CALLS: ReadonlyMap<string, BridgeKind> = new Map([
  ['deasync#loopWhile', 'deasync-loop'],
  ['deasync#runLoopOnce', 'deasync-loop'],
  ['deasync#sleep', 'deasync-loop'],
  ['deasync-promise', 'deasync'],
  ['synchronized-promise', 'deasync'],
  ['fibers#yield', 'fibers'],
  ['fibers/future#wait', 'fibers'],
]);

const CHILD_SYNC_CALLS = new Set(['execSync', 'execFileSync', 'spawnSync']);

function referenceKey(facts: FileFacts, expression: TS.Expression): string | undefined {
  const ref = facts.resolve(expression);
  if (ref?.kind !== 'module') return undefined;
  if (ref.path.length === 0) return ref.module;
  if (ref.path.length === 1) return `${ref.module}#${ref.path[0]}`;
  return undefined;
}

/** `deasync(fn)`, `makeSynchronous(fn)`, `createSyncFn(path)`, `syncRpc(path)`: builds a blocking function. */
export function bridgeFactoryKind(facts: FileFacts, call: TS.CallExpression): BridgeKind | undefined {
  const key = referenceKey(facts, call.expression);
  if (key === undefined) return undefined;
  // `getRunner().defineSync(...)` and `runner.defineSync(...)` resolve through the method name.
  return BRIDGE_FACTORIES.get(key);
}

/**
 * Names bound to a blocking function in this file: `const readSync = deasync(read)`,
 * `this.load = createSyncFn(path)`, `const call = syncRpc(path)`. Scope-blind, as the rules
 * are name-based when untyped: a name is bridged if any binding of it in the file is.
 */
export function bridgedBindings(facts: FileFacts): ReadonlyMap<string, BridgeKind> {
  const cached = bindingCache.get(facts);
  if (cached) return cached;
  const ts = facts.ts;
  const bound = new Map<string, BridgeKind>();
  const visit = (node: TS.Node): void => {
    let name: string | undefined;
    let value: TS.Expression | undefined;
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      name = node.name.text;
      value = node.initializer;
    } else if (ts.isBinaryExpression(node) && isAssignment(ts, node.operatorToken.kind)) {
      name = assignedName(ts, node.left);
      value = node.right;
    } else if (ts.isPropertyDeclaration(node) && node.initializer && ts.isIdentifier(node.name)) {
      name = node.name.text;
      value = node.initializer;
    }
    if (name && value) {
      const call = skipOuterExpressions(ts, value);
      if (ts.isCallExpression(call)) {
        const kind = bridgeFactoryKind(facts, call) ?? runnerMethodKind(facts, call);
        if (kind) bound.set(name, kind);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  bindingCache.set(facts, bound);
  return bound;
}
const bindingCache = new WeakMap<FileFacts, ReadonlyMap<string, BridgeKind>>();

/** `getRunner().defineSync(...)`, `runner.syncFunction(...)`: the cure's bridge. */
function runnerMethodKind(facts: FileFacts, call: TS.CallExpression): BridgeKind | undefined {
  const ts = facts.ts;
  const callee = skipOuterExpressions(ts, call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  if (method !== 'defineSync' && method !== 'syncFunction') return undefined;
  const receiver = skipOuterExpressions(ts, callee.expression);
  if (ts.isCallExpression(receiver) && (facts.refersTo(receiver.expression, 'loop-audit/runtime', 'getRunner') || facts.refersTo(receiver.expression, 'loop-audit/runtime', 'createRunner'))) {
    return 'runner';
  }
  return undefined;
}

function isAssignment(ts: FileFacts['ts'], kind: TS.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.EqualsToken || kind === ts.SyntaxKind.QuestionQuestionEqualsToken || kind === ts.SyntaxKind.BarBarEqualsToken;
}

function assignedName(ts: FileFacts['ts'], target: TS.Expression): string | undefined {
  const expr = skipOuterExpressions(ts, target);
  if (ts.isIdentifier(expr)) return expr.text;
  if (ts.isPropertyAccessExpression(expr)) return expr.name.text;
  return undefined;
}

/** The name a call's callee is known by in `bridgedBindings`: `readSync(...)`, `this.load(...)`. */
function calleeBindingName(facts: FileFacts, call: TS.CallExpression): string | undefined {
  const ts = facts.ts;
  const callee = skipOuterExpressions(ts, call.expression);
  if (ts.isIdentifier(callee)) return facts.imports.has(callee.text) ? undefined : callee.text;
  if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword) return callee.name.text;
  return undefined;
}

/**
 * The kind of sync bridge a call is, when it blocks the caller on async work: a call of a
 * blocking function built by a bridge factory (bound to a name or called at once), deasync's
 * loop spinners, `Atomics.wait` outside a worker, `execSync` of node whose result is used.
 * Factory calls themselves (`deasync(fn)`) are reported by `bridgeFactoryKind`, not here.
 */
export function blockingCallKind(facts: FileFacts, call: TS.CallExpression): BridgeKind | undefined {
  const ts = facts.ts;
  const key = referenceKey(facts, call.expression);
  if (key !== undefined) {
    const kind = BLOCKING_CALLS.get(key);
    if (kind) return kind;
  }
  const callee = skipOuterExpressions(ts, call.expression);
  // makeSynchronous(fn)(args): built and called at once.
  if (ts.isCallExpression(callee)) {
    const factory = bridgeFactoryKind(facts, callee) ?? runnerMethodKind(facts, callee);
    if (factory) return factory;
  }
  const bound = calleeBindingName(facts, call);
  if (bound !== undefined) {
    const kind = bridgedBindings(facts).get(bound);
    if (kind) return kind;
  }
  if (!facts.isWorkerFile && facts.refersToGlobal(call.expression, 'Atomics', 'wait')) return 'atomics-wait';
  if (isNodeChildSync(facts, call) && isResultUsed(facts, call)) return 'exec-node';
  return undefined;
}

/** `execSync('node -e …')`, `execFileSync(process.execPath, [...])`, `spawnSync('node', ['script.js'])`. */
export function isNodeChildSync(facts: FileFacts, call: TS.CallExpression): boolean {
  const ref = facts.resolve(call.expression);
  if (ref?.kind !== 'module' || ref.module !== 'child_process' || ref.path.length !== 1 || !CHILD_SYNC_CALLS.has(ref.path[0]!)) return false;
  const first = call.arguments[0];
  return first !== undefined && launchesNode(facts, first, ref.path[0] === 'execSync');
}

/** Whether a command argument starts node: `'node'`, `process.execPath`, `` `${process.execPath} -e …` ``, `'node -e …'`. */
export function launchesNode(facts: FileFacts, argument: TS.Expression, isShellCommand: boolean): boolean {
  const ts = facts.ts;
  const expr = skipOuterExpressions(ts, argument);
  if (facts.refersToGlobal(expr, 'process', 'execPath') || facts.refersTo(expr, 'process', 'execPath') || facts.refersToGlobal(expr, 'process', 'argv0')) return true;
  if (ts.isStringLiteralLike(expr)) {
    const command = expr.text.trim();
    return isShellCommand ? /^(?:\S*[\\/])?node(?:\.exe)?(?:\s|$)/.test(command) : /^(?:\S*[\\/])?node(?:\.exe)?$/.test(command);
  }
  if (ts.isTemplateExpression(expr)) {
    const headEmpty = expr.head.text.trim() === '';
    const firstSpan = expr.templateSpans[0];
    if (headEmpty && firstSpan && facts.refersToGlobal(firstSpan.expression, 'process', 'execPath')) return true;
    return /^(?:\S*[\\/])?node(?:\s|$)/.test(expr.head.text.trim());
  }
  return false;
}

/** A call whose value is kept: assigned, returned, passed on, or read — not a bare statement. */
export function isResultUsed(facts: FileFacts, node: TS.Expression): boolean {
  const ts = facts.ts;
  let current: TS.Node = node;
  while (current.parent && (ts.isParenthesizedExpression(current.parent) || ts.isAsExpression(current.parent) || ts.isNonNullExpression(current.parent))) {
    current = current.parent;
  }
  const parent = current.parent;
  if (!parent) return false;
  if (ts.isExpressionStatement(parent)) return false;
  if (ts.isVoidExpression(parent)) return false;
  return true;
}
