import { isStatic, type PyFunction, type PythonFileFacts } from './facts.js';
import type { PythonProject, Resolved } from './project.js';
import { callArguments, child, namedChildren, unwrap, walk, type PyNode } from './tree.js';

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
    return name === 'get_event_loop' && ctx.facts.qualify(unwrap(receiverOf(expr))?.type === 'call' ? child(unwrap(receiverOf(expr)), 'function') : undefined) === 'asyncio.get_event_loop_policy';
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
      // `self.helper(coro)` passes `self` only to an instance method, not to a staticmethod.
      const offset = (resolved.bound || isSelfCall(ctx, expr)) && !isStatic(resolved.facts, resolved.fn) ? 1 : 0;
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
    for (let grew = true; grew;) {
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
    const hits = bridges.filter(
      (bridge) => bridge.carried && (bridge.form === 'function' ? refersTo(bridge.carried, carriers) || callsAny(bridge.carried, carriers) : mentionsAny(bridge.carried, carriers)),
    );
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

/** Decorators that hand back the function they are given, or a wrapper with its signature. */
const TRANSPARENT_DECORATORS = /^(?:staticmethod|classmethod|property|(?:abc\.)?abstractmethod|(?:typing\.)?(?:overload|override|final)|(?:functools\.)?wraps\(.*\))$/s;
/** Decorators of other packages that run the coroutine function they decorate to completion: the result is a plain function. */
const SYNC_MAKING_DECORATORS = new Set(['tornado.testing.gen_test', 'asgiref.sync.async_to_sync', 'syncer.sync']);
const syncMakingMemo = new WeakMap<PyFunction, boolean>();

/**
 * Whether a decorator of the project turns a coroutine function into a plain one: it (or a
 * function written in it) runs a loop or a bridge (`asyncio.run`, `run_until_complete`,
 * `run_sync`), as test decorators such as `@gen_test` and `@blocking` do.
 */
function runsWhatItDecorates(project: PythonProject, facts: PythonFileFacts, fn: PyFunction, depth = 0): boolean {
  const memo = syncMakingMemo.get(fn);
  if (memo !== undefined) return memo;
  if (depth > 3) return false;
  syncMakingMemo.set(fn, false);
  let found = false;
  for (const statement of fn.body) {
    walk(statement, (node) => {
      if (found) return false;
      if (node.type === 'call') {
        const name = calleeName(node);
        const qualified = facts.qualify(child(node, 'function'));
        if (name === 'run_until_complete' || name === 'run_sync' || (qualified !== undefined && (LOOP_RUNNERS.has(qualified) || FUNCTION_LOOP_RUNNERS.has(qualified) || ASYNC_TO_SYNC.has(qualified))))
          found = true;
        else if (qualified === undefined) {
          // Through a helper of the project that runs the loop (`_run_and_close(async_fn)`).
          const helper = project.resolve(facts, child(node, 'function'));
          if (helper?.kind === 'function' && !helper.fn.isAsync && runsWhatItDecorates(project, helper.facts, helper.fn, depth + 1)) found = true;
        }
      }
      return true;
    });
  }
  syncMakingMemo.set(fn, found);
  return found;
}

/** Whether the decorators of an `async def` leave it a coroutine function (a decorator that runs it makes it a plain function). */
export function keepsCoroutine(project: PythonProject, facts: PythonFileFacts, fn: PyFunction): boolean {
  for (const decorator of fn.decorators) {
    if (TRANSPARENT_DECORATORS.test(facts.textOf(decorator).replace(/\s+/g, ''))) continue;
    const callee = decorator.type === 'call' ? child(decorator, 'function') : decorator;
    const qualified = facts.qualify(callee);
    if (qualified !== undefined && SYNC_MAKING_DECORATORS.has(qualified)) return false;
    const resolved = project.resolve(facts, callee);
    if (resolved?.kind === 'function' && !resolved.fn.isAsync && runsWhatItDecorates(project, resolved.facts, resolved.fn)) return false;
  }
  return true;
}

/** Whether a resolved callee is one of the project's coroutine functions (an `async def`, not an async generator, not made sync by a decorator). */
export function isProjectCoroutine(project: PythonProject, resolved: Resolved | undefined): resolved is Extract<Resolved, { kind: 'function' }> {
  return resolved?.kind === 'function' && resolved.fn.isAsync && !resolved.fn.isGenerator && keepsCoroutine(project, resolved.facts, resolved.fn);
}
