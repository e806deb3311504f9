import path from 'node:path';
import type { PyFunction, PythonFileFacts } from './facts.js';
import type { PythonProject, Resolved } from './project.js';
import { callArguments, child, isFunction, namedChildren, outerParent, unwrap, walk, type PyNode } from './tree.js';

/**
 * What one file's analysis needs besides its facts: the project (other modules) and the entry
 * points its manifests declare. The detectors ask their questions here, so one answer serves all four.
 */
export interface PythonContext {
  facts: PythonFileFacts;
  project: PythonProject;
  /** Console-script entry points of the project, as `file\0function`. */
  entryPoints: ReadonlySet<string>;
}

// ---------------------------------------------------------------- names of the standard library and friends

/** Calls that create an event loop, run one coroutine to completion and close the loop again. */
export const LOOP_RUNNERS = new Set(['asyncio.run', 'asyncio.runners.run', 'uvloop.run']);
/** Calls that run an async *function* on a new loop: `anyio.run(fn, *args)`. */
export const FUNCTION_LOOP_RUNNERS = new Set(['anyio.run', 'trio.run']);
/** Context managers that own an event loop for their block (Python 3.11's `asyncio.Runner`). */
export const LOOP_CONTEXTS = new Set(['asyncio.Runner', 'asyncio.runners.Runner']);
export const NEW_LOOP = new Set(['asyncio.new_event_loop', 'asyncio.events.new_event_loop', 'uvloop.new_event_loop']);
/** The calling thread's own loop. */
export const OWN_LOOP = new Set(['asyncio.get_event_loop', 'asyncio.get_running_loop', 'asyncio.events.get_event_loop', 'asyncio.events.get_running_loop']);
export const THREADSAFE = new Set(['asyncio.run_coroutine_threadsafe', 'asyncio.tasks.run_coroutine_threadsafe']);
export const ASYNC_TO_SYNC = new Set(['asgiref.sync.async_to_sync', 'asgiref.sync.AsyncToSync', 'syncer.sync']);
/** From a worker thread into the loop thread: the one-runner pattern, not a new loop. */
export const FROM_THREAD = new Set(['anyio.from_thread.run', 'trio.from_thread.run']);
export const NEST_ASYNCIO = new Set(['nest_asyncio.apply']);
export const TASK_CREATORS = new Set(['asyncio.create_task', 'asyncio.ensure_future', 'asyncio.tasks.create_task', 'asyncio.tasks.ensure_future', 'asyncio.async']);
export const GATHER = new Set(['asyncio.gather', 'asyncio.tasks.gather']);
/** Coroutine functions of the standard library: calling one without `await` does nothing. */
export const STDLIB_COROUTINES = new Set([
  'asyncio.sleep',
  'asyncio.wait',
  'asyncio.wait_for',
  'asyncio.open_connection',
  'asyncio.open_unix_connection',
  'asyncio.start_server',
  'asyncio.start_unix_server',
  'asyncio.to_thread',
  'asyncio.create_subprocess_exec',
  'asyncio.create_subprocess_shell',
  'asyncio.staggered.staggered_race',
]);
export const TASK_GROUPS = new Set(['asyncio.TaskGroup', 'asyncio.taskgroups.TaskGroup', 'anyio.create_task_group', 'trio.open_nursery']);

export type ResourceKind = 'client' | 'executor';

/** Clients, sessions and pools that hold connections: built per call only to be closed again, they are wasted. */
export const CLIENTS: ReadonlyMap<string, ResourceKind> = new Map<string, ResourceKind>([
  ['httpx.AsyncClient', 'client'],
  ['httpx.Client', 'client'],
  ['aiohttp.ClientSession', 'client'],
  ['aiohttp.client.ClientSession', 'client'],
  ['aiohttp.TCPConnector', 'client'],
  ['requests.Session', 'client'],
  ['requests.session', 'client'],
  ['requests.sessions.Session', 'client'],
  ['urllib3.PoolManager', 'client'],
  ['asyncpg.create_pool', 'client'],
  ['aiopg.create_pool', 'client'],
  ['aiomysql.create_pool', 'client'],
  ['motor.motor_asyncio.AsyncIOMotorClient', 'client'],
  ['pymongo.MongoClient', 'client'],
  ['redis.Redis', 'client'],
  ['redis.StrictRedis', 'client'],
  ['redis.asyncio.Redis', 'client'],
  ['redis.asyncio.from_url', 'client'],
  ['redis.from_url', 'client'],
  ['aioredis.from_url', 'client'],
  ['aioredis.Redis', 'client'],
  ['sqlalchemy.create_engine', 'client'],
  ['sqlalchemy.ext.asyncio.create_async_engine', 'client'],
  ['elasticsearch.AsyncElasticsearch', 'client'],
  ['elasticsearch.Elasticsearch', 'client'],
  ['grpc.aio.insecure_channel', 'client'],
  ['grpc.aio.secure_channel', 'client'],
  ['aioboto3.Session', 'client'],
  ['msgraph.GraphServiceClient', 'client'],
]);

/** Thread and process pools. */
export const EXECUTORS = new Set([
  'concurrent.futures.ThreadPoolExecutor',
  'concurrent.futures.ProcessPoolExecutor',
  'concurrent.futures.thread.ThreadPoolExecutor',
  'concurrent.futures.process.ProcessPoolExecutor',
  'multiprocessing.Pool',
  'multiprocessing.pool.Pool',
  'multiprocessing.pool.ThreadPool',
]);

/** How a client is torn down: a call of one of these on the same variable means it lived for one call. */
export const CLOSERS = new Set(['close', 'aclose', 'shutdown', 'dispose', 'disconnect', 'terminate', 'wait_closed']);

// ---------------------------------------------------------------- expressions

export function qualifiedCallee(ctx: PythonContext, call: PyNode): string | undefined {
  return call.type === 'call' ? ctx.facts.qualify(child(call, 'function')) : undefined;
}

/** The last name of a callee: `run_async` for `self.runner.run_async(...)`. */
export function calleeName(call: PyNode): string | undefined {
  const fn = unwrap(child(call, 'function'));
  if (fn?.type === 'identifier') return fn.text;
  if (fn?.type === 'attribute') return child(fn, 'attribute')?.text;
  return undefined;
}

/** `receiver` of `receiver.method(...)`. */
export function receiverOf(call: PyNode): PyNode | undefined {
  const fn = unwrap(child(call, 'function'));
  return fn?.type === 'attribute' ? child(fn, 'object') : undefined;
}

/** Looks through `await` and parentheses: the expression whose value a statement or assignment takes. */
export function stripAwait(node: PyNode | undefined): PyNode | undefined {
  let current = unwrap(node);
  while (current?.type === 'await') current = unwrap(namedChildren(current)[0]);
  return current;
}

/**
 * Whether an expression is the calling thread's own event loop: `asyncio.get_event_loop()`,
 * `asyncio.get_running_loop()`, or a local assigned only from those.
 */
export function isOwnLoop(ctx: PythonContext, expression: PyNode | undefined, seen = new Set<PyNode>()): boolean {
  const expr = unwrap(expression);
  if (!expr || seen.has(expr)) return false;
  seen.add(expr);
  if (expr.type === 'call') {
    const callee = qualifiedCallee(ctx, expr);
    if (callee !== undefined && OWN_LOOP.has(callee)) return true;
    // asyncio.get_event_loop_policy().get_event_loop()
    const name = calleeName(expr);
    return name === 'get_event_loop' && ctx.facts.qualify(unwrap(receiverOf(expr))?.type === 'call' ? child(unwrap(receiverOf(expr))!, 'function') : undefined) === 'asyncio.get_event_loop_policy';
  }
  if (expr.type === 'identifier' && ctx.facts.isLocalName(expr.text!, expr)) {
    const values = ctx.facts.valuesOf(expr);
    return values.length > 0 && values.every((value) => isOwnLoop(ctx, value, seen));
  }
  return false;
}

/** A loop built by `asyncio.new_event_loop()` (directly, or a local assigned only from it). */
export function isNewLoop(ctx: PythonContext, expression: PyNode | undefined): PyNode | undefined {
  const expr = unwrap(expression);
  if (!expr) return undefined;
  if (expr.type === 'call') {
    const callee = qualifiedCallee(ctx, expr);
    return callee !== undefined && NEW_LOOP.has(callee) ? expr : undefined;
  }
  if (expr.type === 'identifier' && ctx.facts.isLocalName(expr.text!, expr)) {
    const values = ctx.facts.valuesOf(expr);
    if (values.length === 1) return isNewLoop(ctx, values[0]);
  }
  return undefined;
}

/** Whether a name in this scope is bound by `async with asyncio.TaskGroup() as tg` (or anyio's, trio's nursery). */
export function isTaskGroup(ctx: PythonContext, expression: PyNode | undefined): boolean {
  const expr = unwrap(expression);
  if (expr?.type !== 'identifier') return false;
  return ctx.facts.valuesOf(expr).some((value) => {
    const v = stripAwait(value);
    return v?.type === 'call' && TASK_GROUPS.has(qualifiedCallee(ctx, v) ?? '');
  });
}

// ---------------------------------------------------------------- functions: names, entry points, per call

export function describeFunction(fn: PyFunction | undefined): string {
  for (let current = fn; current; current = current.outer) {
    if (!current.isLambda) return current === fn ? `${current.displayName}()` : `a callback in ${current.displayName}()`;
  }
  return 'a lambda at module scope';
}

/** `in \`name\``, `in a callback in \`name\``, `at module scope`. */
export function describeWhere(fn: PyFunction | undefined): string {
  if (!fn) return 'at module scope';
  for (let current: PyFunction | undefined = fn; current; current = current.outer) {
    if (!current.isLambda) return current === fn ? `in \`${current.displayName}\`` : `in a callback in \`${current.displayName}\``;
  }
  return 'in a lambda at module scope';
}

/** Methods that run once per instance (or per test) by contract: construction, context entry, test set-up and tear-down. */
const LIFECYCLE = new Set([
  '__init__',
  '__new__',
  '__post_init__',
  '__init_subclass__',
  '__enter__',
  '__aenter__',
  'setUp',
  'setUpClass',
  'asyncSetUp',
  'setup_method',
  'setup_class',
  'tearDown',
  'tearDownClass',
  'asyncTearDown',
  'teardown_method',
  'teardown_class',
]);
/** Top-level functions that start a program (`main`, aiohttp's `run_app`): they own the process's loop. */
const ENTRY_FUNCTIONS = new Set(['main', '_main', 'cli', 'run_app', 'run_server', 'serve']);
/** The main method of a server, worker, thread or app class: it runs once for the object's whole life. */
const ENTRY_METHODS = new Set(['run', 'serve', 'main', 'run_forever']);
const ENTRY_CLASS = /(?:Server|Worker|Thread|Process|App|Application|Command|Daemon|Runner)$/;
const TEST_CLASS = /^Test|Test(?:Case|Runner|Suite)$/;
const CACHE_DECORATORS = /^(?:functools\.)?(?:lru_cache|cache|cached_property)(?:\(.*\))?$|^(?:async_lru\.)?alru_cache(?:\(.*\))?$/s;
const ONCE_DECORATORS = /^(?:pytest\.fixture|pytest_asyncio\.fixture|atexit\.register)(?:\(.*\))?$/s;
/** CLI command decorators (click, typer, asyncclick, cyclopts): each runs once per process. */
const COMMAND_DECORATORS = /^(?:[\w.]+\.)?(?:command|group|callback|main)\s*(?:\(.*\))?$/s;

export function isTestFile(file: string): boolean {
  const base = path.basename(file);
  if (/^test_.*\.py$|_test\.py$|^conftest\.py$|^tests?\.py$/.test(base)) return true;
  return file.split(path.sep).some((part) => part === 'tests' || part === 'test' || part === 'testing');
}

/**
 * A function that runs once per process or per test, not per call: `main`, a console script,
 * a CLI command, a test or fixture, something cached by `functools.cache`.
 */
export function isEntryPoint(ctx: PythonContext, fn: PyFunction): boolean {
  if (fn.isLambda) return false;
  const facts = ctx.facts;
  if (!fn.outer && !fn.cls && (ENTRY_FUNCTIONS.has(fn.name) || ctx.entryPoints.has(`${facts.file}\0${fn.name}`))) return true;
  // pytest hooks, wherever a plugin defines them.
  if (!fn.cls && /^pytest_/.test(fn.name)) return true;
  if (fn.cls && ENTRY_METHODS.has(fn.name) && (ENTRY_CLASS.test(fn.cls.name) || fn.cls.bases.some((base) => ENTRY_CLASS.test(facts.textOf(base))))) return true;
  if (fn.cls && TEST_CLASS.test(fn.cls.name)) return true;
  for (const decorator of fn.decorators) {
    const text = facts.textOf(decorator).replace(/\s+/g, '');
    if (ONCE_DECORATORS.test(text) || COMMAND_DECORATORS.test(text)) return true;
  }
  if (isTestFile(facts.file) && (/^(?:test|pytest_)/.test(fn.name) || (fn.cls !== undefined && /^Test/.test(fn.cls.name) && /^test/.test(fn.name)))) return true;
  return false;
}

function isTestMachinery(ctx: PythonContext, fn: PyFunction): boolean {
  return /^(?:test|pytest_)/.test(fn.name) || (fn.cls !== undefined && TEST_CLASS.test(fn.cls.name)) || fn.decorators.some((d) => /fixture/.test(ctx.facts.textOf(d)));
}

/**
 * A function that owns a loop's whole life, as `asyncio.run` itself does: it shuts down the
 * loop's async generators. Reimplementations of `asyncio.run` (aiohttp's `run_app`, anyio's
 * backport) are entry points, not a loop per call.
 */
export function ownsLoopLifecycle(fn: PyFunction): boolean {
  let found = false;
  for (const statement of fn.body) {
    walk(statement, (node) => {
      if (found) return false;
      if (node.type === 'call' && calleeName(node) === 'shutdown_asyncgens') found = true;
      return true;
    });
  }
  return found;
}

function isCached(ctx: PythonContext, fn: PyFunction): boolean {
  return fn.decorators.some((d) => CACHE_DECORATORS.test(ctx.facts.textOf(d).replace(/\s+/g, '')));
}

/**
 * The function whose every call runs `node`, or undefined when it runs once: module scope, a
 * class body, the `__main__` block, a constructor (once per instance), an entry point, a cached
 * function, or a private function called once from code that runs once. A function started as a
 * thread's target runs as often as the code that starts the thread.
 */
export function perCallFunction(ctx: PythonContext, node: PyNode, seen = new Set<PyFunction>()): PyFunction | undefined {
  const fn = ctx.facts.enclosing(node);
  if (!fn || seen.has(fn)) return undefined;
  seen.add(fn);
  if (!fn.isLambda && LIFECYCLE.has(fn.name)) return undefined;
  if (isEntryPoint(ctx, fn) || isCached(ctx, fn)) return undefined;
  // Closures of a test or a pytest hook are test machinery, not code that serves calls.
  for (let outer = fn.outer; outer; outer = outer.outer) if (isEntryPoint(ctx, outer) && isTestMachinery(ctx, outer)) return undefined;
  const thread = threadStart(ctx, fn);
  if (thread) return perCallFunction(ctx, thread, seen);
  if (calledOnlyOnce(ctx, fn, seen)) return undefined;
  return fn;
}

/** The `threading.Thread(target=fn)` call a function is the target of, in the same file. */
function threadStart(ctx: PythonContext, fn: PyFunction): PyNode | undefined {
  const facts = ctx.facts;
  const isTarget = (value: PyNode | undefined): boolean => {
    const v = unwrap(value);
    if (!v) return false;
    if (v === fn.node) return true;
    return v.type === 'identifier' && !fn.isLambda && v.text === fn.name && facts.lookup(fn.name, v)?.bindings.some((b) => b.kind === 'def' && b.fn === fn) === true;
  };
  let found: PyNode | undefined;
  const scope = fn.outer ? fn.outer.node : facts.root;
  walk(scope, (node) => {
    if (found) return false;
    if (node.type === 'call') {
      const callee = qualifiedCallee(ctx, node);
      if (callee === 'threading.Thread' || callee === 'threading.Timer' || callee === 'multiprocessing.Process') {
        const target = callArguments(node).keywords.get('target') ?? (callee === 'threading.Timer' ? callArguments(node).positional[1] : undefined);
        if (isTarget(target)) found = node;
      }
    }
    return true;
  });
  return found;
}

/**
 * A module-level function whose only uses in its file are calls from code that runs once
 * (module scope, `__main__`, another entry point), at least one of them in the `__main__`
 * block, or a private one (`_name`): `main()`-style set-up, not per call.
 */
function calledOnlyOnce(ctx: PythonContext, fn: PyFunction, seen: Set<PyFunction>): boolean {
  if (fn.isLambda || fn.outer || fn.cls) return false;
  const facts = ctx.facts;
  const uses = facts.usesOf(fn.name, facts.root, child(fn.node, 'name'));
  if (uses.length !== 1) return false;
  const use = uses[0]!;
  const { parent, child: callee } = outerParent(use);
  if (parent?.type !== 'call' || child(parent, 'function') !== callee) return false;
  const inMain = facts.mainBlocks.some((block) => block.start <= use.start && use.end <= block.end);
  if (!inMain && !fn.name.startsWith('_')) return false;
  for (let current = parent.parent; current && !isFunction(current); current = current.parent) {
    if (current.type === 'for_statement' || current.type === 'while_statement') return false;
  }
  return perCallFunction(ctx, parent, seen) === undefined;
}

// ---------------------------------------------------------------- bridges and helpers

/**
 * How a bridge runs its coroutine:
 * - `new-loop`: a fresh event loop per call (`asyncio.run`, a new loop's `run_until_complete`);
 * - `thread-loop`: the calling thread's own loop, re-entered (`get_event_loop().run_until_complete`, nest_asyncio);
 * - `other-loop`: a loop kept by this code, run on the calling thread (`self._loop.run_until_complete`);
 * - `own-loop-threadsafe`: `run_coroutine_threadsafe` onto the calling thread's own loop, then waiting: a deadlock;
 * - `runner`: one persistent loop on another thread (`run_coroutine_threadsafe(coro, self._loop).result()`);
 * - `async-to-sync`: asgiref's `async_to_sync`.
 */
export type BridgeKind = 'new-loop' | 'thread-loop' | 'other-loop' | 'own-loop-threadsafe' | 'runner' | 'async-to-sync';

export interface Bridge {
  kind: BridgeKind;
  /** What the message calls it: `'asyncio.run'`, `'run_async'`. */
  label: string;
  /** The expression the bridge runs: a coroutine (`form: 'coroutine'`) or an async function (`'function'`). */
  carried: PyNode | undefined;
  form: 'coroutine' | 'function';
  /** Extra arguments passed along with a function (`anyio.run(fn, a, b)`). */
  call: PyNode;
  /** The project helper it goes through, if any. */
  helper?: PyFunction;
}

export interface HelperInfo {
  /** Index of the parameter that carries the coroutine (or async function) in `fn.params`. */
  param: number;
  form: 'coroutine' | 'function';
  kind: BridgeKind;
}

const helperMemo = new WeakMap<PyFunction, HelperInfo | null>();
const helperInProgress = new WeakSet<PyFunction>();

/**
 * A bridge call: something that blocks the calling thread until a coroutine finishes. Recognised
 * by what it is (asyncio.run, run_until_complete, run_coroutine_threadsafe(...).result(),
 * async_to_sync(f)(...), anyio.run) or through a project helper that does one of those with
 * its parameter. The call passed is the outermost node of the bridge expression.
 */
export function bridgeAt(ctx: PythonContext, expression: PyNode | undefined, bridgeHelpers: ReadonlySet<string> = new Set(), throughHelpers = true): Bridge | undefined {
  const expr = stripAwait(expression);
  if (expr?.type !== 'call') return undefined;
  const callee = qualifiedCallee(ctx, expr);
  const args = callArguments(expr);
  if (callee !== undefined && LOOP_RUNNERS.has(callee)) return { kind: 'new-loop', label: `'${callee}'`, carried: args.positional[0], form: 'coroutine', call: expr };
  if (callee !== undefined && FUNCTION_LOOP_RUNNERS.has(callee)) return { kind: 'new-loop', label: `'${callee}'`, carried: args.positional[0], form: 'function', call: expr };
  if (callee !== undefined && FROM_THREAD.has(callee)) return { kind: 'runner', label: `'${callee}'`, carried: args.positional[0], form: 'function', call: expr };
  const name = calleeName(expr);
  if (name === 'run_until_complete') {
    const loop = receiverOf(expr);
    const kind: BridgeKind = isNewLoop(ctx, loop) ? 'new-loop' : isOwnLoop(ctx, loop) ? 'thread-loop' : 'other-loop';
    return { kind, label: `'${ctx.facts.shortText(child(expr, 'function')!)}'`, carried: args.positional[0], form: 'coroutine', call: expr };
  }
  if (name === 'result') {
    // run_coroutine_threadsafe(coro, loop).result(...)
    let inner = unwrap(receiverOf(expr));
    // `future = run_coroutine_threadsafe(coro, loop)` then `future.result()`.
    if (inner?.type === 'identifier' && ctx.facts.isLocalName(inner.text!, inner)) inner = unwrap(ctx.facts.valueOf(inner));
    if (inner?.type === 'call' && THREADSAFE.has(qualifiedCallee(ctx, inner) ?? '')) {
      const innerArgs = callArguments(inner);
      const loop = innerArgs.positional[1] ?? innerArgs.keywords.get('loop');
      return { kind: isOwnLoop(ctx, loop) ? 'own-loop-threadsafe' : 'runner', label: "'asyncio.run_coroutine_threadsafe'", carried: innerArgs.positional[0], form: 'coroutine', call: expr };
    }
  }
  // async_to_sync(fn)(args)
  const fnNode = unwrap(child(expr, 'function'));
  if (fnNode?.type === 'call' && ASYNC_TO_SYNC.has(qualifiedCallee(ctx, fnNode) ?? '')) {
    return { kind: 'async-to-sync', label: `'${ctx.facts.shortText(child(fnNode, 'function')!)}'`, carried: callArguments(fnNode).positional[0], form: 'function', call: expr };
  }
  // executor.submit(asyncio.run, coro).result() and friends: a loop per call on a pool thread.
  const submitted = submittedBridge(ctx, expr);
  if (submitted) return submitted;
  if (!throughHelpers) return undefined;
  const resolved = ctx.project.resolve(ctx.facts, child(expr, 'function'));
  if (resolved?.kind === 'function') {
    const helper = helperInfo(ctx, resolved.facts, resolved.fn);
    if (helper) {
      const offset = resolved.bound || isSelfCall(ctx, expr) ? 1 : 0;
      const index = helper.param - offset;
      const param = resolved.fn.params[helper.param] ?? '';
      const carried = args.keywords.get(param.replace(/^\*+/, '')) ?? args.positional[index];
      return { kind: helper.kind, label: `'${name ?? resolved.fn.name}'`, carried, form: helper.form, call: expr, helper: resolved.fn };
    }
  }
  if (name && (bridgeHelpers.has(name) || bridgeHelpers.has(ctx.facts.textOf(child(expr, 'function')!).replace(/\s+/g, '')) || (callee !== undefined && bridgeHelpers.has(callee)))) {
    return { kind: 'other-loop', label: `'${name}'`, carried: args.positional[0], form: 'coroutine', call: expr };
  }
  return undefined;
}

function isSelfCall(ctx: PythonContext, call: PyNode): boolean {
  const receiver = receiverOf(call);
  return receiver !== undefined && ctx.facts.selfClass(receiver) !== undefined;
}

/** `pool.submit(asyncio.run, coro).result()`, `loop.run_in_executor(pool, asyncio.run, coro)`. */
function submittedBridge(ctx: PythonContext, call: PyNode): Bridge | undefined {
  let target = call;
  if (calleeName(call) === 'result') {
    const inner = unwrap(receiverOf(call));
    if (inner?.type === 'call') target = inner;
  }
  const name = calleeName(target);
  if (name !== 'submit' && name !== 'run_in_executor' && name !== 'apply' && name !== 'apply_async') return undefined;
  const positional = callArguments(target).positional;
  for (let i = 0; i < positional.length - 1; i++) {
    const fnRef = positional[i]!;
    const qualified = ctx.facts.qualify(fnRef);
    if (qualified !== undefined && LOOP_RUNNERS.has(qualified)) return { kind: 'new-loop', label: `'${qualified}'`, carried: positional[i + 1], form: 'coroutine', call };
    const ref = unwrap(fnRef);
    if (ref?.type === 'attribute' && child(ref, 'attribute')?.text === 'run_until_complete') {
      const loop = child(ref, 'object');
      const kind: BridgeKind = isNewLoop(ctx, loop) ? 'new-loop' : isOwnLoop(ctx, loop) ? 'thread-loop' : 'other-loop';
      return { kind, label: `'${ctx.facts.shortText(ref)}'`, carried: positional[i + 1], form: 'coroutine', call };
    }
  }
  return undefined;
}

/**
 * Whether a sync function is a bridge helper, recognised by what it does: one of its parameters
 * ends up as the coroutine of a bridge inside it (directly, wrapped in `asyncio.wait_for`, through
 * a local, in a nested function, or handed on to another helper), or is an async function the
 * bridge calls (`asyncio.run(fn(*args))`).
 */
export function helperInfo(ctx: PythonContext, facts: PythonFileFacts, fn: PyFunction): HelperInfo | undefined {
  const memo = helperMemo.get(fn);
  if (memo !== undefined) return memo ?? undefined;
  if (fn.isAsync || fn.isGenerator || fn.isLambda || helperInProgress.has(fn)) return undefined;
  helperInProgress.add(fn);
  let info: HelperInfo | undefined;
  try {
    info = computeHelper({ ...ctx, facts }, fn);
  } finally {
    helperInProgress.delete(fn);
  }
  helperMemo.set(fn, info ?? null);
  return info;
}

function computeHelper(ctx: PythonContext, fn: PyFunction): HelperInfo | undefined {
  const facts = ctx.facts;
  const first = fn.cls && !fn.decorators.some((d) => facts.textOf(d) === 'staticmethod') ? 1 : 0;
  const params = fn.params.map((p, index) => ({ name: p.replace(/^\*+/, ''), index })).filter((p) => p.index >= first && !fn.params[p.index]!.startsWith('**'));
  if (params.length === 0) return undefined;
  const bridges: Bridge[] = [];
  let nestAsyncio = false;
  for (const statement of fn.body) {
    walk(statement, (node) => {
      if (node.type === 'call') {
        const callee = qualifiedCallee(ctx, node);
        if (callee !== undefined && NEST_ASYNCIO.has(callee)) nestAsyncio = true;
        const bridge = bridgeAt(ctx, node);
        if (bridge) bridges.push(bridge);
      }
      return true;
    });
  }
  if (bridges.length === 0) return undefined;
  // Locals that carry a parameter along: `task = loop.create_task(coro)`, `c = asyncio.wait_for(coro, t)`.
  for (const param of params) {
    const carriers = new Set([param.name]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const statement of fn.body) {
        walk(statement, (node) => {
          if (node.type === 'assignment') {
            const left = child(node, 'left');
            const right = child(node, 'right');
            if (left?.type === 'identifier' && right && !carriers.has(left.text!) && mentionsAny(right, carriers)) {
              carriers.add(left.text!);
              grew = true;
            }
          }
          return true;
        });
      }
    }
    const hits = bridges.filter((bridge) => bridge.carried && (bridge.form === 'function' ? refersTo(bridge.carried, carriers) || callsAny(bridge.carried, carriers) : mentionsAny(bridge.carried, carriers)));
    if (hits.length === 0) continue;
    const own = new Set([param.name]);
    const form: HelperInfo['form'] = hits.some((b) => (b.form === 'function' ? refersTo(b.carried!, own) : callsAny(b.carried!, own))) ? 'function' : 'coroutine';
    const kinds = hits.map((b) => b.kind);
    const kind: BridgeKind = nestAsyncio ? 'thread-loop' : (kinds.find((k) => k !== 'runner') ?? 'runner');
    return { param: param.index, form, kind };
  }
  return undefined;
}

function mentionsAny(node: PyNode, names: ReadonlySet<string>): boolean {
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (n.type === 'identifier' && names.has(n.text!)) {
      // `x.coro` is an attribute, not the local.
      if (!(n.field === 'attribute' && n.parent?.type === 'attribute')) found = true;
    }
    return true;
  });
  return found;
}

/** `fn(...)` for one of the names, anywhere in the expression. */
function callsAny(node: PyNode, names: ReadonlySet<string>): boolean {
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (n.type === 'call') {
      const callee = unwrap(child(n, 'function'));
      if (callee?.type === 'identifier' && names.has(callee.text!)) found = true;
    }
    return true;
  });
  return found;
}

function refersTo(node: PyNode, names: ReadonlySet<string>): boolean {
  const n = unwrap(node);
  return n?.type === 'identifier' && names.has(n.text!);
}

/** Whether a resolved callee is one of the project's coroutine functions (an `async def`, not an async generator). */
export function isProjectCoroutine(resolved: Resolved | undefined): resolved is Extract<Resolved, { kind: 'function' }> {
  return resolved?.kind === 'function' && resolved.fn.isAsync && !resolved.fn.isGenerator;
}
