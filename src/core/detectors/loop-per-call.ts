import { BRIDGE_ENTRIES, BRIDGE_ENTRY_BY_KEY, bridgeKey } from '../bridge-libraries.js';
import { runsOncePerProcess } from '../file-role.js';
import { localFunction } from '../local-modules.js';
import { launchesNode } from '../node-executable.js';
import { resourceEscapes } from '../resource-escape.js';
import { functionLocals } from '../scope.js';
import { defineDetector } from '../detector.js';
import { noLoopPerCallMeta, type NoLoopPerCallMessageId } from '../meta/no-loop-per-call.js';
import { skipOuterExpressions, type FileFacts, type FunctionLike, type Reference } from '../facts.js';
import type { Finding, TS } from '../types.js';
import { perCallFactoryRewrite, runtimeGated, type RunnerRewrite } from '../fixes/runner-rewrite.js';

type ResourceKind = 'worker' | 'pool' | 'node-process' | 'sync-bridge' | 'runner' | 'client';

interface ResourceSpec {
  kind: ResourceKind;
  /** Only a resource when the command is node (`spawn('node', …)`, `exec('node -e …')`). */
  commandArg?: 'file' | 'shell';
  /** What each built bridge costs, for the sync-bridge messages. */
  cost?: string;
}

const WORKER_COST = 'each one starts a worker thread that is never shut down';
const PROCESS_COST = 'and every call of the function it returns spawns a node process';

/** Constructors, keyed `module#path` (or `module` for the module itself) or a global name. */
const CONSTRUCTED: ReadonlyMap<string, ResourceSpec> = new Map<string, ResourceSpec>([
  ['worker_threads#Worker', { kind: 'worker' }],
  ['Worker', { kind: 'worker' }],
  ['SharedWorker', { kind: 'worker' }],
  ['web-worker', { kind: 'worker' }],
  ['threads#Worker', { kind: 'worker' }],
  ['piscina', { kind: 'pool' }],
  ['piscina#Piscina', { kind: 'pool' }],
  ['tinypool', { kind: 'pool' }],
  ['tinypool#Tinypool', { kind: 'pool' }],
  ['node-worker-threads-pool#StaticPool', { kind: 'pool' }],
  ['node-worker-threads-pool#DynamicPool', { kind: 'pool' }],
  ['poolifier#FixedThreadPool', { kind: 'pool' }],
  ['poolifier#DynamicThreadPool', { kind: 'pool' }],
  ['poolifier#FixedClusterPool', { kind: 'pool' }],
  ['poolifier#DynamicClusterPool', { kind: 'pool' }],
  ['loop-audit/runtime#Runner', { kind: 'runner' }],
  ['mongodb#MongoClient', { kind: 'client' }],
  ['pg#Pool', { kind: 'client' }],
  ['pg#Client', { kind: 'client' }],
  ['pg-pool', { kind: 'client' }],
  ['@prisma/client#PrismaClient', { kind: 'client' }],
  ['ioredis', { kind: 'client' }],
  ['ioredis#Redis', { kind: 'client' }],
  ['ioredis#Cluster', { kind: 'client' }],
  ['sequelize', { kind: 'client' }],
  ['sequelize#Sequelize', { kind: 'client' }],
  ['mssql#ConnectionPool', { kind: 'client' }],
]);

/** Factory calls, keyed like `CONSTRUCTED`. */
const CALLED: ReadonlyMap<string, ResourceSpec> = new Map<string, ResourceSpec>([
  ['workerpool#pool', { kind: 'pool' }],
  ['threads#Pool', { kind: 'pool' }],
  ['child_process#fork', { kind: 'node-process' }],
  ['cluster#fork', { kind: 'node-process' }],
  ['execa#execaNode', { kind: 'node-process' }],
  ['child_process#spawn', { kind: 'node-process', commandArg: 'file' }],
  ['child_process#spawnSync', { kind: 'node-process', commandArg: 'file' }],
  ['child_process#execFile', { kind: 'node-process', commandArg: 'file' }],
  ['child_process#execFileSync', { kind: 'node-process', commandArg: 'file' }],
  ['child_process#exec', { kind: 'node-process', commandArg: 'shell' }],
  ['child_process#execSync', { kind: 'node-process', commandArg: 'shell' }],
  ['execa#execa', { kind: 'node-process', commandArg: 'file' }],
  ['execa#execaSync', { kind: 'node-process', commandArg: 'file' }],
  ['loop-audit/runtime#createRunner', { kind: 'runner' }],
  ['redis#createClient', { kind: 'client' }],
  ['redis#createCluster', { kind: 'client' }],
  ['@redis/client#createClient', { kind: 'client' }],
  ['mysql#createConnection', { kind: 'client' }],
  ['mysql#createPool', { kind: 'client' }],
  ['mysql2#createConnection', { kind: 'client' }],
  ['mysql2#createPool', { kind: 'client' }],
  ['mysql2/promise#createConnection', { kind: 'client' }],
  ['mysql2/promise#createPool', { kind: 'client' }],
  ['mongodb#MongoClient.connect', { kind: 'client' }],
  ['mongoose#createConnection', { kind: 'client' }],
  ['knex', { kind: 'client' }],
  ['knex#knex', { kind: 'client' }],
  ['postgres', { kind: 'client' }],
  ['amqplib#connect', { kind: 'client' }],
  // Headless browsers and OCR workers: a browser process or a worker thread each.
  ['puppeteer#launch', { kind: 'client' }],
  ['puppeteer-core#launch', { kind: 'client' }],
  ['playwright#chromium.launch', { kind: 'client' }],
  ['playwright#firefox.launch', { kind: 'client' }],
  ['playwright#webkit.launch', { kind: 'client' }],
  ['playwright-core#chromium.launch', { kind: 'client' }],
  ['tesseract.js#createWorker', { kind: 'client' }],
  // Bridge factories that start a worker or a process for every bridge they build.
  ...BRIDGE_ENTRIES.filter((entry) => entry.role === 'factory' && entry.perCallCost).map((entry): [string, ResourceSpec] => [
    bridgeKey(entry),
    { kind: 'sync-bridge', cost: entry.perCallCost === 'process' ? PROCESS_COST : WORKER_COST },
  ]),
]);

/** How a client is torn down: seeing one of these on the same variable means it lived for one call. */
const CLOSERS = new Set(['close', 'end', 'quit', 'disconnect', '$disconnect', 'destroy', 'terminate', 'kill']);

/** Wrappers that run the function they are given at most once (per key). */
const ONCE_MODULES = new Set(['onetime', 'lodash.once', 'lodash.memoize', 'memoize-one', 'p-memoize', 'mem', 'memoizee', 'p-lazy']);
const ONCE_MEMBERS = new Set(['once', 'memoize']);

const MESSAGE_OF: Readonly<Record<ResourceKind, NoLoopPerCallMessageId>> = {
  worker: 'workerPerCall',
  pool: 'poolPerCall',
  'node-process': 'processPerCall',
  'sync-bridge': 'syncBridgePerCall',
  runner: 'runnerPerCall',
  client: 'clientPerCall',
};

export const noLoopPerCall = defineDetector({
  meta: noLoopPerCallMeta,
  detect(facts, options) {
    const ts = facts.ts;
    const additional = new Set(options.additionalResources ?? []);
    const findings: Finding<NoLoopPerCallMessageId>[] = [];
    const visit = (node: TS.Node): void => {
      if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
        const finding = check(facts, node, additional);
        if (finding) findings.push(finding);
      }
      ts.forEachChild(node, visit);
    };
    visit(facts.sourceFile);
    return findings;
  },
});

function check(facts: FileFacts, node: TS.NewExpression | TS.CallExpression, additional: ReadonlySet<string>): Finding<NoLoopPerCallMessageId> | undefined {
  const ts = facts.ts;
  const isNew = ts.isNewExpression(node);
  const ref = facts.resolve(node.expression);
  const key = ref ? referenceKey(ref) : undefined;
  const spec = key === undefined ? undefined : (isNew ? CONSTRUCTED : CALLED).get(key);
  if (!spec && (key === undefined || !additional.has(key))) return isNew ? undefined : checkLocalFactory(facts, node);
  // Tests, scripts, benchmarks and CLI entries run once per process.
  if (isRunOnceFile(facts)) return undefined;
  if (spec?.commandArg) {
    const command = node.arguments?.[0];
    if (!command || !launchesNode(facts, command, spec.commandArg === 'shell')) return undefined;
  }
  const fn = perCallFunction(facts, node, new Set());
  if (!fn) return undefined;
  const callee = facts.text(node.expression).replace(/\s+/g, ' ');
  const what = `${isNew ? 'new ' : ''}${callee}(...)`;
  const data: Record<string, string> = { what, fn: displayName(facts, fn) };
  let messageId: NoLoopPerCallMessageId;
  if (spec?.kind === 'client') {
    // A client kept past the call is somebody's connection pool, not a per-call one.
    const closer = closedInSameCall(facts, node, fn);
    if (!closer) return undefined;
    data.closer = closer;
    messageId = MESSAGE_OF.client;
  } else {
    if (isCachedOutsideCall(facts, node, fn) || calledOnlyToFillCache(facts, fn)) return undefined;
    // A worker or process that outlives the call belongs to whoever keeps it (a pool, a supervisor, a factory's caller).
    // A synchronous run (`execFileSync`) ends with the call whatever becomes of its output.
    const outlivesCall = spec?.kind === 'worker' || spec?.kind === 'pool' || (spec?.kind === 'node-process' && !key!.endsWith('Sync'));
    if (outlivesCall && resourceEscapes(facts, node, fn)) return undefined;
    messageId = spec ? MESSAGE_OF[spec.kind] : 'resourcePerCall';
    if (spec?.cost) data.cost = spec.cost;
  }
  const rewrite = spec?.kind === 'sync-bridge' && ts.isCallExpression(node) && key !== undefined ? bridgeRewrite(facts, node, key, fn) : {};
  return { ruleId: 'no-loop-per-call', messageId, data, start: node.getStart(facts.sourceFile), end: node.getEnd(), ...rewrite };
}

function bridgeRewrite(facts: FileFacts, call: TS.CallExpression, key: string, fn: FunctionLike): RunnerRewrite<'hoistBridge' | 'runnerWithRuntime'> {
  const factory = BRIDGE_ENTRY_BY_KEY.get(key)?.rewrite;
  if (!factory) return {};
  const { fix, suggestions } = runtimeGated(facts, perCallFactoryRewrite(facts, call, fn, factory));
  return { ...(fix ? { fix } : {}), ...(suggestions && suggestions.length > 0 ? { suggestions } : {}) };
}

/** `worker_threads#Worker`, `workerpool#pool`, `mongodb#MongoClient.connect`, `Worker`. */
function referenceKey(ref: Reference): string {
  if (ref.kind === 'module') return ref.path.length === 0 ? ref.module : `${ref.module}#${ref.path.join('.')}`;
  return ref.path.length === 0 ? ref.name : `${ref.name}.${ref.path.join('.')}`;
}

function displayName(facts: FileFacts, fn: FunctionLike): string {
  // An anonymous callback is best named by the function it is written in.
  for (let current: FunctionLike | undefined = fn; current; current = facts.enclosingFunction(current)) {
    const name = facts.functionName(current);
    if (!name.startsWith('<')) return current === fn ? `${name}()` : `a callback in ${name}()`;
  }
  return 'an anonymous function';
}

/** The node's parent, looking through parentheses, type assertions and `!`. */
function outerParent(ts: FileFacts['ts'], node: TS.Node): TS.Node | undefined {
  let current = node;
  while (current.parent && isTransparent(ts, current.parent)) current = current.parent;
  return current.parent;
}

function isTransparent(ts: FileFacts['ts'], node: TS.Node): boolean {
  return ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node) || ts.isSatisfiesExpression(node) || ts.isTypeAssertionExpression(node);
}

// ---------------------------------------------------------------- does it run per call?

/**
 * The function whose every call runs `node`, or undefined when it runs once: module scope, a
 * class field initialiser or static block, a constructor (once per instance, like a field), an
 * IIFE at module scope, a function wrapped in `once`/`memoize`, or a private top-level function
 * whose single use is a call that itself runs once (`main()`).
 */
function perCallFunction(facts: FileFacts, node: TS.Node, seen: Set<TS.Node>): FunctionLike | undefined {
  const ts = facts.ts;
  for (let child = node, current = node.parent; current; child = current, current = current.parent) {
    if (ts.isClassStaticBlockDeclaration(current)) return undefined;
    if (ts.isPropertyDeclaration(current) && current.initializer === child) return undefined;
    if (facts.isFunctionLike(current)) {
      if (ts.isConstructorDeclaration(current) || runsOnce(facts, current, seen)) return undefined;
      return current;
    }
  }
  return undefined;
}

function runsOnce(facts: FileFacts, fn: FunctionLike, seen: Set<TS.Node>): boolean {
  const ts = facts.ts;
  if (seen.has(fn)) return false;
  seen.add(fn);
  const parent = outerParent(ts, fn);
  if (parent && ts.isCallExpression(parent)) {
    if (skipOuterExpressions(ts, parent.expression) === fn) return runsOnceAt(facts, parent, seen);
    if (parent.arguments.some((argument) => skipOuterExpressions(ts, argument) === fn) && isOnceWrapper(facts, parent.expression)) return true;
  }
  const declared = topLevelName(facts, fn);
  if (declared) {
    const uses = referencesTo(facts, declared);
    const call = uses.length === 1 ? outerParent(ts, uses[0]!) : undefined;
    if (call !== undefined && ts.isCallExpression(call) && skipOuterExpressions(ts, call.expression) === uses[0] && runsOnceAt(facts, call, seen)) return true;
  }
  // Every caller checks a flag or cache that the call sets: `if (!started) start();`.
  return calledOnlyToFillCache(facts, fn, seen);
}

/** Whether a call site itself runs once: in code that runs once, and not inside a loop there. */
function runsOnceAt(facts: FileFacts, call: TS.CallExpression, seen: Set<TS.Node>): boolean {
  const ts = facts.ts;
  for (let current = call.parent; current && !ts.isSourceFile(current) && !facts.isFunctionLike(current); current = current.parent) {
    if (ts.isIterationStatement(current, false)) return false;
  }
  return perCallFunction(facts, call, seen) === undefined;
}

function isOnceWrapper(facts: FileFacts, callee: TS.Expression): boolean {
  const ref = facts.resolve(callee);
  if (ref?.kind !== 'module') return false;
  if (ref.path.length === 0) return ONCE_MODULES.has(ref.module);
  return ONCE_MEMBERS.has(ref.path[ref.path.length - 1]!);
}

/** The name of a non-exported function declared at the top of the module (`function main`, `const main = () =>`). */
function topLevelName(facts: FileFacts, fn: FunctionLike): TS.Identifier | undefined {
  const ts = facts.ts;
  const exported = (node: TS.Node): boolean =>
    ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword) ?? false);
  if (ts.isFunctionDeclaration(fn) && fn.name && ts.isSourceFile(fn.parent) && !exported(fn)) return fn.name;
  const parent = outerParent(ts, fn);
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) {
    const statement = parent.parent?.parent;
    if (statement && ts.isVariableStatement(statement) && ts.isSourceFile(statement.parent) && !exported(statement)) return parent.name;
  }
  return undefined;
}

/** Every other identifier in the file spelled like `name` (scope-blind, so over-counting keeps it safe). */
function referencesTo(facts: FileFacts, name: TS.Identifier | TS.PrivateIdentifier): (TS.Identifier | TS.PrivateIdentifier)[] {
  const ts = facts.ts;
  const uses: (TS.Identifier | TS.PrivateIdentifier)[] = [];
  const visit = (node: TS.Node): void => {
    if ((ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) && node !== name && node.text === name.text) uses.push(node);
    ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  return uses;
}

/**
 * A private factory (`function createPool() { return new Piscina(…) }`, a `private startWorker()`
 * method) whose every call in the file fills a cache — `pool ??= createPool()`, `if (!h) h =
 * this.startWorker()` — or runs once: it only runs when the cache is empty.
 */
function calledOnlyToFillCache(facts: FileFacts, fn: FunctionLike, seen: Set<TS.Node> = new Set()): boolean {
  const ts = facts.ts;
  const name = privateName(facts, fn);
  if (!name) return false;
  const uses = referencesTo(facts, name);
  if (uses.length === 0) return false;
  // One call that runs once (a warm-up at start) is fine; two are two builds, as in runsOnce.
  let onceCalls = 0;
  return uses.every((use) => {
    const parent = use.parent;
    const callee = parent && ts.isPropertyAccessExpression(parent) && parent.name === use ? parent : use;
    const call = outerParent(ts, callee);
    if (!call || !ts.isCallExpression(call) || skipOuterExpressions(ts, call.expression) !== callee) return false;
    if (runsOnceAt(facts, call, new Set(seen))) return ++onceCalls === 1;
    const caller = perCallFunction(facts, call, new Set(seen));
    return caller !== undefined && caller !== fn && (isCachedOutsideCall(facts, call, caller) || isFlagGuarded(facts, call, caller, fn));
  });
}

/**
 * `if (!started) start();` or `if (started) return;` before it: the call only happens while a flag
 * (or cache) outside the caller's locals says so, and the called function (or the guarded branch)
 * sets it.
 */
function isFlagGuarded(facts: FileFacts, call: TS.CallExpression, caller: FunctionLike, callee: FunctionLike): boolean {
  const ts = facts.ts;
  const locals = functionLocals(facts, caller);
  const outerKeys = (condition: TS.Expression): Set<string> => {
    const keys = new Set<string>();
    const visit = (node: TS.Node): void => {
      if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) {
        const key = targetKey(facts, node);
        const root = key.split(/[.[]/)[0]!;
        if (root === 'this' || !locals.has(root)) keys.add(key);
        if (ts.isPropertyAccessExpression(node)) visit(node.expression);
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(condition);
    return keys;
  };
  const setsAny = (root: TS.Node | undefined, keys: ReadonlySet<string>): boolean => {
    if (!root || keys.size === 0) return false;
    let found = false;
    const visit = (node: TS.Node): void => {
      if (found) return;
      if (ts.isBinaryExpression(node) && isAssignmentOperator(ts, node.operatorToken.kind) && keys.has(targetKey(facts, node.left))) found = true;
      else ts.forEachChild(node, visit);
    };
    visit(root);
    return found;
  };
  for (let child: TS.Node = call, current = call.parent; current && current !== caller; child = current, current = current.parent) {
    if (ts.isIfStatement(current) && child === current.thenStatement) {
      const keys = outerKeys(current.expression);
      if (setsAny(callee.body, keys) || setsAny(current.thenStatement, keys)) return true;
    }
    if (ts.isBlock(current)) {
      for (const statement of current.statements) {
        if (statement === child) break;
        if (ts.isIfStatement(statement) && exits(ts, statement.thenStatement)) {
          const keys = outerKeys(statement.expression);
          if (setsAny(callee.body, keys)) return true;
        }
      }
    }
  }
  return false;
}

const runOnceFiles = new WeakMap<FileFacts, boolean>();
function isRunOnceFile(facts: FileFacts): boolean {
  let known = runOnceFiles.get(facts);
  if (known === undefined) {
    known = runsOncePerProcess(facts.sourceFile.fileName);
    runOnceFiles.set(facts, known);
  }
  return known;
}

/**
 * A call of the project's own factory (in this file or imported by relative path) that builds a
 * worker, process or client and hands it back, in a function that runs per call and does not keep
 * what it gets: the per-call cost is here, at the caller, not in the factory. A client so built is
 * reported when the same function tears it down again (`worker.terminate()`).
 */
function checkLocalFactory(facts: FileFacts, call: TS.CallExpression): Finding<NoLoopPerCallMessageId> | undefined {
  const ts = facts.ts;
  const callee = skipOuterExpressions(ts, call.expression);
  if (!ts.isIdentifier(callee) && !ts.isPropertyAccessExpression(callee)) return undefined;
  const fn = facts.enclosingFunction(call);
  if (!fn || isRunOnceFile(facts)) return undefined;
  if (resourceEscapes(facts, call, fn)) return undefined;
  const local = localFunction(facts, callee);
  if (!local || local.fn === fn) return undefined;
  const kind = buildsResource(local.facts, local.fn, 0);
  if (kind === undefined) return undefined;
  if (perCallFunction(facts, call, new Set()) !== fn) return undefined;
  const what = `${facts.text(call.expression).replace(/\s+/g, ' ')}(...)`;
  const data: Record<string, string> = { what, fn: displayName(facts, fn) };
  const at = { start: call.getStart(facts.sourceFile), end: call.getEnd() };
  if (kind === 'client') {
    const closer = closedInSameCall(facts, call, fn);
    return closer ? { ruleId: 'no-loop-per-call', messageId: 'clientPerCall', data: { ...data, closer }, ...at } : undefined;
  }
  if (isCachedOutsideCall(facts, call, fn) || calledOnlyToFillCache(facts, fn)) return undefined;
  return { ruleId: 'no-loop-per-call', messageId: MESSAGE_OF[kind], data, ...at };
}

/**
 * What a function hands back that it builds (returns, or returns an object or function holding it):
 * a worker, pool, node process or client, directly or through another of the project's factories.
 * A client counts only as such; a worker wrapped with its own teardown is a client too.
 */
function buildsResource(facts: FileFacts, fn: FunctionLike, depth: number): ResourceKind | undefined {
  const cached = builtCache.get(fn);
  if (cached !== undefined) return cached ?? undefined;
  const kind = depth > 3 ? undefined : computeBuiltResource(facts, fn, depth);
  if (depth <= 3) builtCache.set(fn, kind ?? null);
  return kind;
}
const builtCache = new WeakMap<FunctionLike, ResourceKind | null>();

function computeBuiltResource(facts: FileFacts, fn: FunctionLike, depth: number): ResourceKind | undefined {
  const ts = facts.ts;
  if (!fn.body) return undefined;
  const resourceOf = (expression: TS.Expression): ResourceKind | undefined => {
    let expr = skipOuterExpressions(ts, expression);
    if (ts.isAwaitExpression(expr)) expr = skipOuterExpressions(ts, expr.expression);
    if (!ts.isNewExpression(expr) && !ts.isCallExpression(expr)) return undefined;
    const ref = facts.resolve(expr.expression);
    const key = ref ? referenceKey(ref) : undefined;
    const spec = key === undefined ? undefined : (ts.isNewExpression(expr) ? CONSTRUCTED : CALLED).get(key);
    if (spec) {
      if (spec.kind === 'sync-bridge' || spec.kind === 'runner' || key!.endsWith('Sync')) return undefined;
      if (spec.commandArg && !(expr.arguments?.[0] !== undefined && launchesNode(facts, expr.arguments[0], spec.commandArg === 'shell'))) return undefined;
      return spec.kind;
    }
    if (!ts.isCallExpression(expr)) return undefined;
    const inner = localFunction(facts, expr.expression);
    return inner && inner.fn !== fn ? buildsResource(inner.facts, inner.fn, depth + 1) : undefined;
  };
  // Locals holding a resource: `const worker = spawnWorker(…)`.
  const holders = new Map<string, ResourceKind>();
  const visit = (node: TS.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const kind = resourceOf(node.initializer);
      if (kind) holders.set(node.name.text, kind);
    }
    if (!facts.isFunctionLike(node) || node === fn) ts.forEachChild(node, visit);
  };
  visit(fn.body);
  const handsBack = (expression: TS.Expression): ResourceKind | undefined => {
    const expr = skipOuterExpressions(ts, expression);
    const direct = resourceOf(expr);
    if (direct) return direct;
    if (ts.isIdentifier(expr)) return holders.get(expr.text);
    // An object or function around a worker: the caller holds the worker through it, with its own teardown.
    if ((ts.isObjectLiteralExpression(expr) || ts.isArrowFunction(expr) || ts.isFunctionExpression(expr)) && holders.size > 0 && mentions(facts, expr, new Set(holders.keys()))) return 'client';
    return undefined;
  };
  if (!ts.isBlock(fn.body)) return handsBack(fn.body);
  let found: ResourceKind | undefined;
  const returns = (node: TS.Node): void => {
    if (found) return;
    if (ts.isReturnStatement(node) && node.expression) found = handsBack(node.expression);
    else if (!facts.isFunctionLike(node)) ts.forEachChild(node, returns);
  };
  ts.forEachChild(fn.body, returns);
  if (found) return found;
  // Handed back some other way (resolved through a promise, captured by what is returned): the
  // caller holds it, with whatever teardown it was given.
  for (const initializer of holderInitializers(facts, fn.body, holders)) if (resourceEscapes(facts, initializer, fn)) return 'client';
  return undefined;
}

function holderInitializers(facts: FileFacts, body: TS.Node, holders: ReadonlyMap<string, ResourceKind>): TS.Expression[] {
  const ts = facts.ts;
  const found: TS.Expression[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && holders.has(node.name.text)) found.push(node.initializer);
    if (!facts.isFunctionLike(node)) ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

/** The name of a function nothing outside this file can call: not exported, or a private method. */
function privateName(facts: FileFacts, fn: FunctionLike): TS.Identifier | TS.PrivateIdentifier | undefined {
  const ts = facts.ts;
  const exported = (node: TS.Node): boolean =>
    ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DefaultKeyword) ?? false);
  if (ts.isFunctionDeclaration(fn)) return fn.name && !exported(fn) ? fn.name : undefined;
  if (ts.isMethodDeclaration(fn)) {
    if (ts.isPrivateIdentifier(fn.name)) return fn.name;
    const isPrivate = ts.getModifiers(fn)?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword) ?? false;
    return isPrivate && ts.isIdentifier(fn.name) ? fn.name : undefined;
  }
  const parent = outerParent(ts, fn);
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) {
    const statement = parent.parent?.parent;
    return statement && ts.isVariableStatement(statement) && !exported(statement) ? parent.name : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------- cached singletons

/** A member path or variable as written, whitespace removed: `pool`, `this.#worker`, `Cache.pools`. */
function targetKey(facts: FileFacts, expression: TS.Expression): string {
  return facts.text(skipOuterExpressions(facts.ts, expression)).replace(/\s+/g, '');
}

function isAssignmentOperator(ts: FileFacts['ts'], kind: TS.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.EqualsToken || kind === ts.SyntaxKind.QuestionQuestionEqualsToken || kind === ts.SyntaxKind.BarBarEqualsToken;
}

/**
 * A lazily cached singleton: the resource is stored outside the call's own locals (a module
 * variable, `this.x`, a map) and only built when that store is empty — `x ??= new Worker()`,
 * `if (!x) x = …`, `return x ?? (x = …)`, `if (x) return x;` before it, or a local that is checked
 * and then stored in such a place (`let w = cache.get(k); if (!w) { w = …; cache.set(k, w) }`).
 */
function isCachedOutsideCall(facts: FileFacts, resource: TS.Expression, fn: FunctionLike): boolean {
  const ts = facts.ts;
  let node: TS.Node = resource;
  while (node.parent && (isTransparent(ts, node.parent) || ts.isAwaitExpression(node.parent))) node = node.parent;
  const parent = node.parent;
  if (!parent) return false;
  const targets = new Set<string>();
  let selfGuarding = false;
  if (ts.isBinaryExpression(parent) && parent.right === node && isAssignmentOperator(ts, parent.operatorToken.kind)) {
    targets.add(targetKey(facts, parent.left));
    selfGuarding = parent.operatorToken.kind !== ts.SyntaxKind.EqualsToken;
  } else if (ts.isVariableDeclaration(parent) && parent.initializer === node && ts.isIdentifier(parent.name)) {
    targets.add(parent.name.text);
  } else if (ts.isCallExpression(parent) && parent.arguments[1] === node && isMapSet(ts, parent)) {
    targets.add(targetKey(facts, (parent.expression as TS.PropertyAccessExpression).expression));
  } else return false;

  const locals = functionLocals(facts, fn);
  const parameters = new Set(fn.parameters.flatMap((p) => (ts.isIdentifier(p.name) ? [p.name.text] : [])));
  const isOuter = (key: string): boolean => {
    const root = key.split(/[.[]/)[0]!;
    if (root === 'this') return true;
    if (root !== key && parameters.has(root)) return true;
    return !locals.has(root);
  };
  if (selfGuarding && [...targets].some(isOuter)) return true;
  for (const local of [...targets].filter((key) => !isOuter(key))) {
    for (const escape of escapesOf(facts, fn, local)) targets.add(escape);
    const source = storeReadInto(facts, fn, local);
    if (source !== undefined) targets.add(source);
  }
  if (![...targets].some(isOuter)) return false;

  for (let child: TS.Node = node, current = node.parent; current && current !== fn; child = current, current = current.parent) {
    if (ts.isIfStatement(current) && child !== current.expression && mentions(facts, current.expression, targets)) return true;
    if (ts.isConditionalExpression(current) && child !== current.condition && mentions(facts, current.condition, targets)) return true;
    if (ts.isBinaryExpression(current) && child === current.right && isShortCircuit(ts, current.operatorToken.kind) && mentions(facts, current.left, targets)) return true;
    if (ts.isBlock(current) || ts.isCaseClause(current) || ts.isDefaultClause(current)) {
      for (const statement of current.statements) {
        if (statement === child) break;
        if (ts.isIfStatement(statement) && exits(ts, statement.thenStatement) && mentions(facts, statement.expression, targets)) return true;
      }
    }
  }
  return false;
}

function isMapSet(ts: FileFacts['ts'], call: TS.CallExpression): boolean {
  const callee = skipOuterExpressions(ts, call.expression);
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'set';
}

/** Where a local holding the resource is stored: `cache.set(k, local)`, `this.x = local`, `shared = local`. */
function escapesOf(facts: FileFacts, fn: FunctionLike, local: string): string[] {
  const ts = facts.ts;
  const found: string[] = [];
  const isLocal = (expression: TS.Expression): boolean => {
    const expr = skipOuterExpressions(ts, expression);
    return ts.isIdentifier(expr) && expr.text === local;
  };
  const visit = (node: TS.Node): void => {
    if (ts.isBinaryExpression(node) && isAssignmentOperator(ts, node.operatorToken.kind) && isLocal(node.right)) found.push(targetKey(facts, node.left));
    else if (ts.isCallExpression(node) && isMapSet(ts, node) && node.arguments[1] && isLocal(node.arguments[1])) {
      found.push(targetKey(facts, (skipOuterExpressions(ts, node.expression) as TS.PropertyAccessExpression).expression));
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/**
 * The outer store a local starts from: `let w = workers.get(k)` reads `workers`, `let h =
 * this.current` reads `this.current`. Checking such a local and rebuilding it is a cache refill.
 */
function storeReadInto(facts: FileFacts, fn: FunctionLike, local: string): string | undefined {
  const ts = facts.ts;
  let source: string | undefined;
  const visit = (node: TS.Node): void => {
    if (source !== undefined) return;
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === local && node.initializer) {
      let read = skipOuterExpressions(ts, node.initializer);
      if (ts.isCallExpression(read) && ts.isPropertyAccessExpression(read.expression) && read.expression.name.text === 'get') read = read.expression.expression;
      if (ts.isIdentifier(read) || ts.isPropertyAccessExpression(read) || ts.isElementAccessExpression(read)) source = targetKey(facts, read);
      return;
    }
    if (!facts.isFunctionLike(node)) ts.forEachChild(node, visit);
  };
  if (fn.body) ts.forEachChild(fn.body, visit);
  return source !== undefined && isStoredAnywhere(facts, source) ? source : undefined;
}

/** Whether the file ever writes the store: `key = …`, `key ??= …`, `key.set(…)`. */
function isStoredAnywhere(facts: FileFacts, key: string): boolean {
  const ts = facts.ts;
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(node) && isAssignmentOperator(ts, node.operatorToken.kind) && targetKey(facts, node.left) === key) found = true;
    else if (ts.isCallExpression(node) && isMapSet(ts, node) && targetKey(facts, (skipOuterExpressions(ts, node.expression) as TS.PropertyAccessExpression).expression) === key) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  return found;
}

function isShortCircuit(ts: FileFacts['ts'], kind: TS.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.AmpersandAmpersandToken || kind === ts.SyntaxKind.BarBarToken || kind === ts.SyntaxKind.QuestionQuestionToken;
}

/** `return …;`, `throw …;`, or a block ending in one. */
function exits(ts: FileFacts['ts'], statement: TS.Statement): boolean {
  if (ts.isReturnStatement(statement) || ts.isThrowStatement(statement)) return true;
  if (ts.isBlock(statement)) {
    const last = statement.statements[statement.statements.length - 1];
    return last !== undefined && exits(ts, last);
  }
  return false;
}

/** Whether a condition reads one of the targets (or a member of it: `cache.has(k)` reads `cache`). */
function mentions(facts: FileFacts, condition: TS.Expression, targets: ReadonlySet<string>): boolean {
  const ts = facts.ts;
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if ((ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) && targets.has(targetKey(facts, node))) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(condition);
  return found;
}

// ---------------------------------------------------------------- clients

/** Whether an expression reads `key` (`browser`, `this.browser`), not counting a member spelled alike (`options.browser`). */
function readsTarget(facts: FileFacts, expression: TS.Expression, key: string): boolean {
  const ts = facts.ts;
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if ((ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) && targetKey(facts, node) === key) {
      found = !(ts.isIdentifier(node) && node.parent && ts.isPropertyAccessExpression(node.parent) && node.parent.name === node);
      if (found) return;
    }
    ts.forEachChild(node, visit);
  };
  visit(expression);
  return found;
}

/**
 * The closing method called on the variable that holds the client within the same function
 * (`await client.close()`, `pool.end()`, `prisma.$disconnect()`), looking through
 * `await new MongoClient(url).connect()` and a fallback to a client the caller may pass
 * (`browser = options.browser || await puppeteer.launch()`): launched and closed per call unless
 * given one. A fallback to the variable itself (`b = b || launch()`) is a cache, not this.
 */
function closedInSameCall(facts: FileFacts, resource: TS.Expression, fn: FunctionLike): string | undefined {
  const ts = facts.ts;
  let node: TS.Node = resource;
  const fallbacks: TS.Expression[] = [];
  for (;;) {
    const parent = node.parent;
    if (!parent) return undefined;
    if (isTransparent(ts, parent) || ts.isAwaitExpression(parent)) node = parent;
    else if (ts.isBinaryExpression(parent) && parent.right === node && (parent.operatorToken.kind === ts.SyntaxKind.BarBarToken || parent.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) {
      fallbacks.push(parent.left);
      node = parent;
    } else if (
      ts.isPropertyAccessExpression(parent) &&
      parent.expression === node &&
      parent.name.text === 'connect' &&
      parent.parent &&
      ts.isCallExpression(parent.parent) &&
      parent.parent.expression === parent
    ) {
      node = parent.parent;
    } else break;
  }
  const holder = node.parent;
  let name: string | undefined;
  if (holder && ts.isVariableDeclaration(holder) && holder.initializer === node && ts.isIdentifier(holder.name)) name = holder.name.text;
  else if (holder && ts.isBinaryExpression(holder) && holder.right === node && holder.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    name = targetKey(facts, holder.left);
  }
  if (name === undefined || !fn.body) return undefined;
  if (fallbacks.some((left) => readsTarget(facts, left, name))) return undefined;
  let closer: string | undefined;
  const visit = (child: TS.Node): void => {
    if (closer !== undefined) return;
    if (ts.isCallExpression(child)) {
      const callee = skipOuterExpressions(ts, child.expression);
      if (ts.isPropertyAccessExpression(callee) && CLOSERS.has(callee.name.text) && targetKey(facts, callee.expression) === name) closer = `${name}.${callee.name.text}`;
    }
    ts.forEachChild(child, visit);
  };
  visit(fn.body);
  return closer;
}
