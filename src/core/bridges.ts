import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BRIDGE_ENTRIES, bridgeKey, type BridgeKind } from './bridge-libraries.js';
import { skipOuterExpressions, type FileFacts } from './facts.js';
import { runsOncePerProcess } from './file-role.js';
import { localFunction, type LocalFunction } from './local-modules.js';
import { isNodeChildSync, isResultUsed, launchesNode, readsFileAfter } from './node-executable.js';
import { resolveRelativeModule } from './module-facts.js';
import { functionLocals } from './scope.js';
import { canRunOnMainThread } from './thread-context.js';
import type { TS } from './types.js';

/**
 * Recognising sync bridges in a file. Shared by no-sync-bridge (which reports the blocking
 * calls), no-loop-per-call (which reports building them per call) and no-sync-wrapper (which
 * recognises functions that only forward to them). The libraries themselves are listed in
 * bridge-libraries.ts.
 */
export type { BridgeKind };
export { launchesNode };

/** Factories whose return value is a blocking function. Keyed `module` or `module#export`. */
const BRIDGE_FACTORIES: ReadonlyMap<string, BridgeKind> = new Map(BRIDGE_ENTRIES.filter((e) => e.role === 'factory').map((e) => [bridgeKey(e), e.kind]));

/** Calls that block on a promise or the loop right where they stand. */
const BLOCKING_CALLS: ReadonlyMap<string, BridgeKind> = new Map(BRIDGE_ENTRIES.filter((e) => e.role === 'blocking').map((e) => [bridgeKey(e), e.kind]));

/** Classes whose instances block in some methods, keyed `module#export`. */
const INSTANCE_BRIDGES: ReadonlyMap<string, { kind: BridgeKind; methods: ReadonlySet<string> }> = new Map(
  BRIDGE_ENTRIES.filter((e) => e.role === 'instance').map((e) => [bridgeKey(e), { kind: e.kind, methods: new Set(e.blockingMethods ?? []) }]),
);

function referenceKey(facts: FileFacts, expression: TS.Expression): string | undefined {
  const ref = facts.resolve(expression);
  if (ref?.kind !== 'module') return undefined;
  // A bridge library vendored into the project, or its own tests: `require('./vendor/deasync')`.
  const module = ref.module.startsWith('.') ? (vendoredBridge(facts, ref.module) ?? ref.module) : ref.module;
  if (ref.path.length === 0) return module;
  if (ref.path.length === 1) return `${module}#${ref.path[0]}`;
  return undefined;
}

const BRIDGE_PACKAGES = new Set(BRIDGE_ENTRIES.map((entry) => entry.module.split('/')[0]!));

/**
 * The bridge library a relative import loads: the module is the entry point of a package whose
 * package.json names a known bridge library (a vendored copy, or the library's own tests).
 */
function vendoredBridge(facts: FileFacts, specifier: string): string | undefined {
  const file = resolveRelativeModule(facts.sourceFile.fileName, specifier);
  if (file === undefined) return undefined;
  const dir = path.dirname(file);
  const manifest = readManifest(path.join(dir, 'package.json'));
  if (!manifest || typeof manifest.name !== 'string' || !BRIDGE_PACKAGES.has(manifest.name)) return undefined;
  const main = typeof manifest.main === 'string' ? manifest.main : 'index.js';
  const entry = path.resolve(dir, main);
  return entry === file || `${entry}.js` === file || path.join(entry, 'index.js') === file ? manifest.name : undefined;
}

const manifests = new Map<string, { name?: unknown; main?: unknown } | undefined>();
function readManifest(file: string): { name?: unknown; main?: unknown } | undefined {
  if (!manifests.has(file)) {
    let parsed: { name?: unknown; main?: unknown } | undefined;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; main?: unknown };
    } catch {
      parsed = undefined;
    }
    manifests.set(file, parsed);
  }
  return manifests.get(file);
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
  return bindingsOf(facts).kinds;
}

interface Bindings {
  kinds: ReadonlyMap<string, BridgeKind>;
  /** The factory's module for each bound name (`make-synchronous/subprocess`), where it has one. */
  modules: ReadonlyMap<string, string>;
}

function bindingsOf(facts: FileFacts): Bindings {
  const cached = bindingCache.get(facts);
  if (cached) return cached;
  const ts = facts.ts;
  const kinds = new Map<string, BridgeKind>();
  const modules = new Map<string, string>();
  const visit = (node: TS.Node): void => {
    const binding = bindingOf(ts, node);
    if (binding) {
      const call = skipOuterExpressions(ts, binding.value);
      if (ts.isCallExpression(call)) {
        const kind = bridgeFactoryKind(facts, call) ?? runnerMethodKind(facts, call);
        if (kind) {
          kinds.set(binding.name, kind);
          const module = factoryModule(facts, call);
          if (module !== undefined) modules.set(binding.name, module);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  const bindings = { kinds, modules };
  bindingCache.set(facts, bindings);
  return bindings;
}
const bindingCache = new WeakMap<FileFacts, Bindings>();

function factoryModule(facts: FileFacts, call: TS.CallExpression): string | undefined {
  const ref = facts.resolve(call.expression);
  return ref?.kind === 'module' ? ref.module : undefined;
}

/**
 * The module of the factory that built the function a blocking call calls: `make-synchronous`
 * or `make-synchronous/subprocess` for `fetchSync(url)`, `synckit` for `format(code)`.
 */
export function bridgeModule(facts: FileFacts, call: TS.CallExpression): string | undefined {
  const callee = skipOuterExpressions(facts.ts, call.expression);
  if (facts.ts.isCallExpression(callee)) return factoryModule(facts, callee);
  const bound = calleeBindingName(facts, call);
  return bound === undefined ? undefined : bindingsOf(facts).modules.get(bound);
}

/**
 * `getRunner().defineSync(...)`, `runner.syncFunction(...)` where `runner` holds `getRunner()`,
 * `createRunner()` or `new Runner()`: the cure's bridge.
 */
function runnerMethodKind(facts: FileFacts, call: TS.CallExpression): BridgeKind | undefined {
  const ts = facts.ts;
  const callee = skipOuterExpressions(ts, call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  if (method !== 'defineSync' && method !== 'syncFunction') return undefined;
  return isRunnerValue(facts, callee.expression) ? 'runner' : undefined;
}

function isRunnerValue(facts: FileFacts, expression: TS.Expression): boolean {
  const ts = facts.ts;
  const expr = skipOuterExpressions(ts, expression);
  if (ts.isCallExpression(expr)) {
    return facts.refersTo(expr.expression, 'loop-audit/runtime', 'getRunner') || facts.refersTo(expr.expression, 'loop-audit/runtime', 'createRunner');
  }
  if (ts.isNewExpression(expr)) return facts.refersTo(expr.expression, 'loop-audit/runtime', 'Runner');
  const name = assignedName(ts, expr);
  return name !== undefined && (ts.isIdentifier(expr) || isThisMember(ts, expr)) && runnerBindings(facts).has(name);
}

/** Names (variables, `this.x` members) that hold a loop-audit/runtime runner somewhere in the file. */
function runnerBindings(facts: FileFacts): ReadonlySet<string> {
  const cached = runnerCache.get(facts);
  if (cached) return cached;
  const ts = facts.ts;
  const names = new Set<string>();
  runnerCache.set(facts, names);
  const visit = (node: TS.Node): void => {
    const binding = bindingOf(ts, node);
    if (binding) {
      const value = skipOuterExpressions(ts, binding.value);
      if ((ts.isCallExpression(value) || ts.isNewExpression(value)) && isRunnerValue(facts, value)) names.add(binding.name);
    }
    ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  return names;
}
const runnerCache = new WeakMap<FileFacts, Set<string>>();

/** `const name = value`, `name = value`, `this.name = value`, class field `name = value`. */
function bindingOf(ts: FileFacts['ts'], node: TS.Node): { name: string; value: TS.Expression } | undefined {
  if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) return { name: node.name.text, value: node.initializer };
  if (ts.isBinaryExpression(node) && isAssignment(ts, node.operatorToken.kind)) {
    const name = assignedName(ts, node.left);
    return name === undefined ? undefined : { name, value: node.right };
  }
  if (ts.isPropertyDeclaration(node) && node.initializer && (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name))) {
    return { name: node.name.text, value: node.initializer };
  }
  return undefined;
}

function isThisMember(ts: FileFacts['ts'], expr: TS.Expression): boolean {
  return ts.isPropertyAccessExpression(expr) && expr.expression.kind === ts.SyntaxKind.ThisKeyword;
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
  // fibers' `Future.fromPromise(p).wait()`, `new Future().wait()`: the fiber yields until it resolves.
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'wait') {
    const receiver = skipOuterExpressions(ts, callee.expression);
    if (ts.isCallExpression(receiver) || ts.isNewExpression(receiver)) {
      const ref = facts.resolve(receiver.expression);
      if (ref?.kind === 'module' && ref.module === 'fibers/future') return 'fibers';
    }
  }
  const bound = calleeBindingName(facts, call);
  if (bound !== undefined) {
    const kind = bridgedBindings(facts).get(bound);
    if (kind) return kind;
  }
  const instance = instanceBridgeKind(facts, call);
  if (instance && canRunOnMainThread(facts, call)) return instance;
  if (facts.refersToGlobal(call.expression, 'Atomics', 'wait') && canRunOnMainThread(facts, call)) return 'atomics-wait';
  // A script's or test's `execSync` of node runs a program for its output: its work, not a bridge.
  if (isNodeChildSync(facts, call) && (isResultUsed(facts, call) || readsFileAfter(facts, call)) && !runsOncePerProcess(facts.sourceFile.fileName)) return 'exec-node';
  return undefined;
}

/**
 * `port.receiveMessage()` where `port` holds `new SyncMessagePort(...)` (a variable or a `this.x`
 * member assigned one anywhere in the file, scope-blind like the other bindings), or is that `new`
 * itself: a blocking method of a bridge class.
 */
function instanceBridgeKind(facts: FileFacts, call: TS.CallExpression): BridgeKind | undefined {
  const ts = facts.ts;
  const callee = skipOuterExpressions(ts, call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const receiver = skipOuterExpressions(ts, callee.expression);
  let bridge: { kind: BridgeKind; methods: ReadonlySet<string> } | undefined;
  if (ts.isNewExpression(receiver)) bridge = instanceClass(facts, receiver);
  else if (ts.isIdentifier(receiver) || isThisMember(ts, receiver)) {
    const name = assignedName(ts, receiver);
    bridge = name === undefined ? undefined : instanceBindings(facts).get(name);
  }
  return bridge?.methods.has(callee.name.text) ? bridge.kind : undefined;
}

function instanceClass(facts: FileFacts, expression: TS.NewExpression): { kind: BridgeKind; methods: ReadonlySet<string> } | undefined {
  const key = referenceKey(facts, expression.expression);
  return key === undefined ? undefined : INSTANCE_BRIDGES.get(key);
}

/** Names (variables, `this.x` members) assigned an instance of a bridge class somewhere in the file. */
function instanceBindings(facts: FileFacts): ReadonlyMap<string, { kind: BridgeKind; methods: ReadonlySet<string> }> {
  const cached = instanceCache.get(facts);
  if (cached) return cached;
  const ts = facts.ts;
  const names = new Map<string, { kind: BridgeKind; methods: ReadonlySet<string> }>();
  const visit = (node: TS.Node): void => {
    const binding = bindingOf(ts, node);
    if (binding) {
      const value = skipOuterExpressions(ts, binding.value);
      const bridge = ts.isNewExpression(value) ? instanceClass(facts, value) : undefined;
      if (bridge) names.set(binding.name, bridge);
    }
    ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  instanceCache.set(facts, names);
  return names;
}
const instanceCache = new WeakMap<FileFacts, Map<string, { kind: BridgeKind; methods: ReadonlySet<string> }>>();

/**
 * A call of the project's own bridge, imported by relative path: a function whose own code blocks
 * (Atomics.wait on the main thread, node run for its output, deasync) — recognised by what it
 * does, so its callers in other files are found like a bridge library's.
 */
export function localBridgeCall(facts: FileFacts, call: TS.CallExpression): { site: BridgeSite; bridge: LocalFunction } | undefined {
  const ts = facts.ts;
  const callee = skipOuterExpressions(ts, call.expression);
  if (!ts.isIdentifier(callee) && !ts.isPropertyAccessExpression(callee)) return undefined;
  const ref = facts.resolve(callee);
  if (ref?.kind !== 'module' || !ref.module.startsWith('.')) return undefined;
  const local = localFunction(facts, callee);
  if (!local?.imported) return undefined;
  const inner = bridgeSites(local.facts).find((site) => PRIMITIVE_BRIDGES.has(site.kind) && !site.factory && local.facts.enclosingFunction(site.node) === local.fn);
  if (!inner) return undefined;
  const file = path.basename(local.facts.sourceFile.fileName);
  return { site: { ...nodeSite(facts, call, 'local-bridge', labelOf(facts, call.expression)), via: `${inner.label} in ${file}` }, bridge: local };
}

/** The blocking mechanisms themselves, as opposed to calls of something built from them. */
const PRIMITIVE_BRIDGES: ReadonlySet<BridgeKind> = new Set([
  'deasync',
  'deasync-loop',
  'atomics-wait',
  'exec-node',
  'busy-wait',
  'process-wait',
  'receive-message-poll',
  'sync-message-port',
  'fibers',
]);

// ---------------------------------------------------------------- bridge sites

/** One place where code blocks (or pretends to block) a synchronous caller on async work. */
export interface BridgeSite {
  kind: BridgeKind;
  /** The call, the loop, or (pseudo-bridge) the `return` statement. */
  node: TS.Node;
  /** The range to report: the call, a loop's head (`while (!done)`), or the `return`. */
  start: number;
  end: number;
  /** How the code names the bridge: `deasync.loopWhile`, `readConfigSync`, `Atomics.wait`, or the awaited flag. */
  label: string;
  /** `deasync(fn)` itself: builds a function that re-enters the loop, rather than blocking here. */
  factory: boolean;
  /** For a call of the project's own bridge: how and where that bridge blocks (`Atomics.wait in sync.js`). */
  via?: string;
}

/**
 * Every sync bridge in the file, in source order: blocking calls (`blockingCallKind`), deasync
 * factories, fibers, `receiveMessageOnPort` polled in a loop, busy waits on a flag that only an
 * async callback sets, and the broken `let r; p.then(v => { r = v }); return r;`. The runner's own
 * bridge is included (kind 'runner'); callers decide whether the cure counts.
 */
export function bridgeSites(facts: FileFacts): readonly BridgeSite[] {
  const cached = siteCache.get(facts);
  if (cached) return cached;
  const ts = facts.ts;
  const sites: BridgeSite[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node)) {
      const site = callSite(facts, node);
      if (site) sites.push(site);
    } else if (ts.isNewExpression(node) && facts.refersTo(node.expression, 'fibers')) {
      sites.push(nodeSite(facts, node, 'fibers', `new ${labelOf(facts, node.expression)}`));
    } else if (isLoop(ts, node)) {
      const site = busyWaitSite(facts, node);
      if (site) sites.push(site);
    } else if (ts.isReturnStatement(node)) {
      const site = pseudoBridgeSite(facts, node);
      if (site) sites.push(site);
    }
    ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  sites.sort((a, b) => a.start - b.start || a.end - b.end);
  siteCache.set(facts, sites);
  return sites;
}
const siteCache = new WeakMap<FileFacts, readonly BridgeSite[]>();

function callSite(facts: FileFacts, call: TS.CallExpression): BridgeSite | undefined {
  const ts = facts.ts;
  const kind = blockingCallKind(facts, call);
  if (kind) return nodeSite(facts, call, kind, labelOf(facts, call.expression));
  if (bridgeFactoryKind(facts, call) === 'deasync') {
    // `deasync(fn)(args)`: the outer call is the site already.
    const parent = outerParent(ts, call);
    if (parent && ts.isCallExpression(parent) && skipOuterExpressions(ts, parent.expression) === call) return undefined;
    return { ...nodeSite(facts, call, 'deasync', labelOf(facts, call.expression)), factory: true };
  }
  if (facts.refersTo(call.expression, 'fibers')) return nodeSite(facts, call, 'fibers', labelOf(facts, call.expression));
  if (facts.refersTo(call.expression, 'worker_threads', 'receiveMessageOnPort') && canRunOnMainThread(facts, call)) {
    const loop = enclosingLoop(facts, call);
    // Polling spins while nothing has arrived; draining (`while ((m = receive(port)))`) stops when the port is empty.
    if (loop && waitsForAbsence(facts, loopCondition(ts, loop))) return nodeSite(facts, call, 'receive-message-poll', labelOf(facts, call.expression));
  }
  return undefined;
}

function nodeSite(facts: FileFacts, node: TS.Node, kind: BridgeKind, label: string): BridgeSite {
  return { kind, node, start: node.getStart(facts.sourceFile), end: node.getEnd(), label, factory: false };
}

/** The source text naming a callee, on one line and kept short for messages: `makeSynchronous(...)` for a built-and-called bridge. */
function labelOf(facts: FileFacts, expression: TS.Node): string {
  const ts = facts.ts;
  if (ts.isCallExpression(expression) && !(ts.isIdentifier(expression.expression) && expression.expression.text === 'require')) {
    return `${labelOf(facts, expression.expression)}(...)`;
  }
  if (ts.isPropertyAccessExpression(expression)) return `${labelOf(facts, expression.expression)}.${expression.name.text}`;
  const text = facts.text(expression).replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function outerParent(ts: FileFacts['ts'], node: TS.Node): TS.Node | undefined {
  let current = node;
  while (current.parent && (ts.isParenthesizedExpression(current.parent) || ts.isAsExpression(current.parent) || ts.isNonNullExpression(current.parent))) {
    current = current.parent;
  }
  return current.parent;
}

type Loop = TS.WhileStatement | TS.DoStatement | TS.ForStatement;

function isLoop(ts: FileFacts['ts'], node: TS.Node): node is Loop {
  return ts.isWhileStatement(node) || ts.isDoStatement(node) || ts.isForStatement(node);
}

function loopCondition(ts: FileFacts['ts'], loop: Loop): TS.Expression | undefined {
  return ts.isForStatement(loop) ? loop.condition : loop.expression;
}

/** The loop around `node` within its own function, whose condition or body contains it. */
function enclosingLoop(facts: FileFacts, node: TS.Node): Loop | undefined {
  const ts = facts.ts;
  for (let current = node.parent; current; current = current.parent) {
    if (facts.isFunctionLike(current) || ts.isClassStaticBlockDeclaration(current)) return undefined;
    if (isLoop(ts, current)) return current;
  }
  return undefined;
}

/** `!x`, `x === undefined`, `x == null`, `typeof x === 'undefined'`, or an `&&`/`||` of them: loops while something is missing. */
function waitsForAbsence(facts: FileFacts, condition: TS.Expression | undefined): boolean {
  const ts = facts.ts;
  if (!condition) return false;
  const expr = skipOuterExpressions(ts, condition);
  if (ts.isPrefixUnaryExpression(expr)) return expr.operator === ts.SyntaxKind.ExclamationToken;
  if (!ts.isBinaryExpression(expr)) return false;
  const op = expr.operatorToken.kind;
  if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) return waitsForAbsence(facts, expr.left) || waitsForAbsence(facts, expr.right);
  if (op !== ts.SyntaxKind.EqualsEqualsEqualsToken && op !== ts.SyntaxKind.EqualsEqualsToken) return false;
  const isAbsent = (side: TS.Expression): boolean => {
    const value = skipOuterExpressions(ts, side);
    return (
      value.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(value) && value.text === 'undefined') || ts.isVoidExpression(value) || (ts.isStringLiteral(value) && value.text === 'undefined')
    );
  };
  return isAbsent(expr.left) || isAbsent(expr.right);
}

/** Visits `node`'s subtree without entering nested functions or classes (code that runs elsewhere). */
function forEachOwn(facts: FileFacts, node: TS.Node, callback: (node: TS.Node) => void): void {
  const ts = facts.ts;
  const visit = (child: TS.Node): void => {
    if (facts.isFunctionLike(child) || ts.isClassLike(child)) return;
    callback(child);
    ts.forEachChild(child, visit);
  };
  visit(node);
}

const TIMER_CALLBACKS = new Set(['setTimeout', 'setImmediate', 'setInterval', 'queueMicrotask']);

/**
 * Whether a function runs only after the current synchronous code has finished: async functions
 * (past their first await), promise reactions and timer/microtask callbacks.
 */
export function isDeferredFunction(facts: FileFacts, fn: TS.Node): boolean {
  const ts = facts.ts;
  if (facts.isAsyncFunction(fn)) return true;
  const call = outerParent(ts, fn);
  if (!call || !ts.isCallExpression(call) || !call.arguments.some((argument) => skipOuterExpressions(ts, argument) === fn)) return false;
  const callee = skipOuterExpressions(ts, call.expression);
  if (ts.isPropertyAccessExpression(callee) && ['then', 'catch', 'finally'].includes(callee.name.text)) return true;
  const ref = facts.resolve(callee);
  if (ref?.kind === 'global' && ref.path.length === 0 && TIMER_CALLBACKS.has(ref.name)) return true;
  if (ref?.kind === 'global' && ref.name === 'process' && ref.path[0] === 'nextTick') return true;
  if (ref?.kind === 'module' && (ref.module === 'timers' || ref.module === 'process') && ref.path.length === 1 && (TIMER_CALLBACKS.has(ref.path[0]!) || ref.path[0] === 'nextTick')) return true;
  return false;
}

/** Whether `node` sits in a deferred function nested anywhere between it and `boundary`. */
function runsDeferred(facts: FileFacts, node: TS.Node, boundary: TS.Node | undefined): boolean {
  for (let fn = facts.enclosingFunction(node); fn && fn !== boundary; fn = facts.enclosingFunction(fn)) {
    if (isDeferredFunction(facts, fn)) return true;
  }
  return false;
}

/** A flag's key as written: `done`, `state.ready`, `this.#result`. */
function keyOf(facts: FileFacts, expression: TS.Expression): string | undefined {
  const ts = facts.ts;
  const expr = skipOuterExpressions(ts, expression);
  if (ts.isIdentifier(expr)) return expr.text === 'undefined' ? undefined : expr.text;
  if (ts.isPropertyAccessExpression(expr)) {
    let root: TS.Expression = expr;
    while (ts.isPropertyAccessExpression(root)) root = root.expression;
    if (ts.isIdentifier(root) || root.kind === ts.SyntaxKind.ThisKeyword) return facts.text(expr).replace(/\s+/g, '');
  }
  return undefined;
}

/** The variables and member paths a loop condition reads, outermost member paths only. */
function flagKeys(facts: FileFacts, condition: TS.Expression): Set<string> {
  const ts = facts.ts;
  const keys = new Set<string>();
  const visit = (node: TS.Node): void => {
    if (facts.isFunctionLike(node)) return;
    if (ts.isCallExpression(node)) {
      node.arguments.forEach(visit);
      return;
    }
    if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) {
      const key = keyOf(facts, node);
      if (key !== undefined) {
        keys.add(key);
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(condition);
  return keys;
}

/** The key an assignment or `++`/`--` writes, if any. */
function writtenKey(facts: FileFacts, node: TS.Node): string | undefined {
  const ts = facts.ts;
  if (ts.isBinaryExpression(node)) {
    const op = node.operatorToken.kind;
    if (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) return keyOf(facts, node.left);
    return undefined;
  }
  if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) {
    return keyOf(facts, node.operand);
  }
  return undefined;
}

/** Every assignment and `++`/`--` in the file, by the key it writes. */
function writesByKey(facts: FileFacts): ReadonlyMap<string, readonly TS.Node[]> {
  const cached = writesCache.get(facts);
  if (cached) return cached;
  const writes = new Map<string, TS.Node[]>();
  const visit = (node: TS.Node): void => {
    const key = writtenKey(facts, node);
    if (key !== undefined) {
      const list = writes.get(key);
      if (list) list.push(node);
      else writes.set(key, [node]);
    }
    facts.ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  writesCache.set(facts, writes);
  return writes;
}
const writesCache = new WeakMap<FileFacts, ReadonlyMap<string, readonly TS.Node[]>>();

/**
 * Names of this file's functions and methods that block through a bridge themselves
 * (`function pump() { deasync.runLoopOnce(); }`): a loop calling one is not spinning idle.
 */
function blockingFunctionNames(facts: FileFacts): ReadonlySet<string> {
  const cached = blockingNamesCache.get(facts);
  if (cached) return cached;
  const ts = facts.ts;
  const names = new Set<string>();
  const visit = (node: TS.Node): void => {
    if (facts.isFunctionLike(node) && node.body && containsBridgeCall(facts, node.body)) {
      const name = facts.callableName(node);
      if (name !== undefined) names.add(name);
    }
    ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  blockingNamesCache.set(facts, names);
  return names;
}
const blockingNamesCache = new WeakMap<FileFacts, ReadonlySet<string>>();

function containsBridgeCall(facts: FileFacts, node: TS.Node): boolean {
  const ts = facts.ts;
  let found = false;
  forEachOwn(facts, node, (child) => {
    if (found || !ts.isCallExpression(child)) return;
    if (blockingCallKind(facts, child) || facts.refersTo(child.expression, 'worker_threads', 'receiveMessageOnPort')) found = true;
  });
  return found;
}

/** Whether the loop calls one of this file's functions that blocks through a bridge. */
function callsBlockingFunction(facts: FileFacts, loop: Loop): boolean {
  const ts = facts.ts;
  const names = blockingFunctionNames(facts);
  if (names.size === 0) return false;
  let found = false;
  forEachOwn(facts, loop, (child) => {
    if (found || !ts.isCallExpression(child)) return;
    const callee = skipOuterExpressions(ts, child.expression);
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
    if (name !== undefined && names.has(name)) found = true;
  });
  return found;
}

/**
 * `while (!done) {}` where `done` is only set by an async callback: the callback cannot run while
 * the loop holds the thread, so the loop never ends. A loop that updates its own condition
 * (`i++`), awaits, or spins the event loop through a bridge (reported on its own) is not one.
 */
function busyWaitSite(facts: FileFacts, loop: Loop): BridgeSite | undefined {
  const ts = facts.ts;
  const condition = loopCondition(ts, loop);
  if (!condition) return undefined;
  const keys = flagKeys(facts, condition);
  if (keys.size === 0) return undefined;
  let progresses = false;
  forEachOwn(facts, loop, (child) => {
    if (ts.isAwaitExpression(child) || ts.isYieldExpression(child) || (ts.isForOfStatement(child) && child.awaitModifier)) progresses = true;
    const key = writtenKey(facts, child);
    if (key !== undefined && keys.has(key)) progresses = true;
  });
  if (progresses || containsBridgeCall(facts, loop) || callsBlockingFunction(facts, loop)) return undefined;
  if (changesConditionSynchronously(facts, loop, keys)) return undefined;
  const wait = processWaitSite(facts, loop, condition);
  if (wait) return wait;
  const loopFn = facts.enclosingFunction(loop);
  const locals = loopFn ? functionLocals(facts, loopFn) : undefined;
  const writes = writesByKey(facts);
  // A call in the loop may reach code that sets the flag synchronously: then it is not provably a spin.
  if (callsAnything(facts, loop) && [...keys].some((key) => writes.get(key)?.some((write) => !isInside(write, loop) && !runsDeferred(facts, write, undefined)))) return undefined;
  for (const key of keys) {
    // A local flag can only be set by callbacks created inside the loop's own function.
    const local = locals?.has(key.split('.')[0]!) ?? false;
    const deferred = writes.get(key)?.some((write) => runsDeferred(facts, write, loopFn) && (!local || isInside(write, loopFn!)));
    if (deferred) {
      const head = loopHead(facts, loop);
      return { kind: 'busy-wait', node: loop, start: head.start, end: head.end, label: key, factory: false };
    }
  }
  return undefined;
}

/** The loop's body calls a method on what its condition reads (`queue.shift()` for `queue.length`): it drains, it does not spin. */
function changesConditionSynchronously(facts: FileFacts, loop: Loop, keys: ReadonlySet<string>): boolean {
  const ts = facts.ts;
  let changes = false;
  forEachOwn(facts, loop, (child) => {
    if (changes || !ts.isCallExpression(child)) return;
    const callee = skipOuterExpressions(ts, child.expression);
    if (!ts.isPropertyAccessExpression(callee)) return;
    const receiver = keyOf(facts, callee.expression);
    if (receiver !== undefined && [...keys].some((key) => key === receiver || key.startsWith(`${receiver}.`))) changes = true;
  });
  return changes;
}

function callsAnything(facts: FileFacts, loop: Loop): boolean {
  const ts = facts.ts;
  const body = ts.isForStatement(loop) || ts.isWhileStatement(loop) || ts.isDoStatement(loop) ? loop.statement : loop;
  let found = false;
  forEachOwn(facts, body, (child) => {
    if (ts.isCallExpression(child) || ts.isNewExpression(child)) found = true;
  });
  return found;
}

const FILE_POLLS = new Set(['existsSync', 'statSync', 'lstatSync', 'accessSync']);
const PROCESS_STARTS = new Set(['spawn', 'fork', 'exec', 'execFile']);

/**
 * `spawn(process.execPath, …); while (fs.existsSync(flag)) {}`: a loop that polls the file system
 * until a process started just before it (in the same function) is done.
 */
function processWaitSite(facts: FileFacts, loop: Loop, condition: TS.Expression): BridgeSite | undefined {
  const ts = facts.ts;
  let polled: string | undefined;
  const visit = (node: TS.Node): void => {
    if (polled !== undefined || facts.isFunctionLike(node)) return;
    if (ts.isCallExpression(node)) {
      const ref = facts.resolve(node.expression);
      if (ref?.kind === 'module' && ref.module === 'fs' && ref.path.length === 1 && FILE_POLLS.has(ref.path[0]!)) polled = labelOf(facts, node.expression);
    }
    ts.forEachChild(node, visit);
  };
  visit(condition);
  const fn = facts.enclosingFunction(loop);
  if (polled === undefined || !fn?.body) return undefined;
  let started = false;
  forEachOwn(facts, fn.body, (child) => {
    if (started || !ts.isCallExpression(child) || child.getEnd() > loop.getStart(facts.sourceFile)) return;
    const ref = facts.resolve(child.expression);
    const first = child.arguments[0];
    if (ref?.kind === 'module' && ref.module === 'child_process' && ref.path.length === 1 && PROCESS_STARTS.has(ref.path[0]!) && first !== undefined) {
      started = ref.path[0] === 'fork' || launchesNode(facts, first, ref.path[0] === 'exec');
    }
  });
  if (!started) return undefined;
  const head = loopHead(facts, loop);
  return { kind: 'process-wait', node: loop, start: head.start, end: head.end, label: polled, factory: false };
}

function isInside(node: TS.Node, ancestor: TS.Node): boolean {
  for (let current: TS.Node | undefined = node; current; current = current.parent) if (current === ancestor) return true;
  return false;
}

/** `while (cond)` / `for (…)` up to its closing parenthesis; for `do … while (cond)` the trailing `while (cond)`. */
function loopHead(facts: FileFacts, loop: Loop): { start: number; end: number } {
  const ts = facts.ts;
  const children = loop.getChildren(facts.sourceFile);
  const close = children.find((child) => child.kind === ts.SyntaxKind.CloseParenToken);
  const keyword = ts.isDoStatement(loop) ? children.find((child) => child.kind === ts.SyntaxKind.WhileKeyword) : undefined;
  const start = keyword ? keyword.getStart(facts.sourceFile) : loop.getStart(facts.sourceFile);
  return { start, end: close ? close.getEnd() : loop.getEnd() };
}

/**
 * `let r; p.then(v => { r = v }); return r;` in a sync function: `r` is returned before any
 * callback can assign it, so the caller always gets its initial value. Functions that also hold a
 * real bridge (`deasync.loopWhile(() => !done)`) do block, and are reported for that instead.
 */
function pseudoBridgeSite(facts: FileFacts, statement: TS.ReturnStatement): BridgeSite | undefined {
  const ts = facts.ts;
  if (!statement.expression) return undefined;
  const returned = skipOuterExpressions(ts, statement.expression);
  if (!ts.isIdentifier(returned)) return undefined;
  const fn = facts.enclosingFunction(statement);
  if (!fn || !fn.body || facts.isAsyncFunction(fn) || ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) && fn.asteriskToken)) return undefined;
  const name = returned.text;
  const returnStart = statement.getStart(facts.sourceFile);
  const earlier = (writesByKey(facts).get(name) ?? []).filter((write) => isInside(write, fn) && write.getStart(facts.sourceFile) < returnStart);
  if (!earlier.some((write) => runsDeferred(facts, write, fn))) return undefined;
  // Also assigned synchronously before the return: the function does give it a value.
  if (earlier.some((write) => !runsDeferred(facts, write, fn) && facts.enclosingFunction(write) === fn)) return undefined;
  let declared = false;
  let bridged = false;
  const visit = (node: TS.Node): void => {
    if (ts.isVariableDeclarationList(node) && !(node.flags & ts.NodeFlags.Const)) {
      if (node.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name) && facts.enclosingFunction(node) === fn) declared = true;
    }
    if (ts.isCallExpression(node) && facts.enclosingFunction(node) === fn && (blockingCallKind(facts, node) || bridgeFactoryKind(facts, node) === 'deasync')) bridged = true;
    if (isLoop(ts, node) && facts.enclosingFunction(node) === fn && busyWaitSite(facts, node)) bridged = true;
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  if (!declared || bridged) return undefined;
  return { kind: 'pseudo-bridge', node: statement, start: returnStart, end: statement.getEnd(), label: name, factory: false };
}
