import path from 'node:path';
import type { PyClass, PyFunction, PythonFileFacts } from './facts.js';
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
/** CLI command decorators (click, typer, asyncclick, cyclopts), and click's `pass_context`/`pass_obj` (a command's callback): each runs once per process. */
const COMMAND_DECORATORS = /^(?:[\w.]+\.)?(?:command|group|callback|main|pass_context|pass_obj)\s*(?:\(.*\))?$/s;

/** Directories that hold tests and their helpers (`tests/`, `testing/`, `e2etest/`, `unit_tests/`). */
const TEST_DIR = /^(?:tests?|testing|e2e_?tests?|[\w-]+_tests?)$/i;
/** Test modules and test helper modules. */
const TEST_MODULE = /^test_.*\.py$|_test\.py$|^conftest\.py$|^tests?\.py$|^test_?utils?\.py$|^testutils?\.py$|^testing\.py$/;

export function isTestFile(file: string): boolean {
  if (TEST_MODULE.test(path.basename(file))) return true;
  return path.dirname(file).split(path.sep).some((part) => TEST_DIR.test(part));
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
  return isTestCode(ctx, fn);
}

const testClassMemo = new WeakMap<PyClass, boolean>();

/** A test class: named `Test*`, or derived (through the project's own classes too) from a `TestCase`. */
function isTestClass(ctx: PythonContext, facts: PythonFileFacts, cls: PyClass, depth = 0): boolean {
  const memo = testClassMemo.get(cls);
  if (memo !== undefined) return memo;
  if (depth > 8) return false;
  testClassMemo.set(cls, false);
  let result = TEST_CLASS.test(cls.name);
  for (const base of cls.bases) {
    if (result || base.type === 'keyword_argument') break;
    if (/(?:^|\.)(?:\w*TestCase|Test\w*)$/.test(facts.textOf(base).replace(/\s+/g, ''))) result = true;
    else {
      const resolved = ctx.project.resolve(facts, base);
      if (resolved?.kind === 'class') result = isTestClass(ctx, resolved.facts, resolved.cls, depth + 1);
    }
  }
  testClassMemo.set(cls, result);
  return result;
}

/**
 * Test machinery: anything in a test module or a test directory, a method of a test class or
 * a function written inside one, a fixture. Tests run once per test; the rules aim at the code
 * that serves calls (dropped tasks are still reported there: `no-floating-promise` does not ask).
 */
export function isTestCode(ctx: PythonContext, fn: PyFunction): boolean {
  if (isTestFile(ctx.facts.file)) return true;
  for (let current: PyFunction | undefined = fn; current; current = current.outer) {
    if (current.cls && isTestClass(ctx, ctx.facts, current.cls)) return true;
    if (current.decorators.some((d) => /fixture/.test(ctx.facts.textOf(d)))) return true;
  }
  return false;
}

function isTestMachinery(ctx: PythonContext, fn: PyFunction): boolean {
  return /^(?:test|pytest_)/.test(fn.name) || (fn.cls !== undefined && TEST_CLASS.test(fn.cls.name)) || fn.decorators.some((d) => /fixture/.test(ctx.facts.textOf(d)));
}

/**
 * A function that owns a loop's whole life: it shuts down the loop's async generators (as
 * `asyncio.run` does: aiohttp's `run_app`, anyio's backport) or runs the loop forever (a loop
 * thread's body, a server's main).
 */
export function ownsLoopLifecycle(fn: PyFunction): boolean {
  let found = false;
  for (const statement of fn.body) {
    walk(statement, (node) => {
      if (found) return false;
      if (node.type === 'call' && (calleeName(node) === 'shutdown_asyncgens' || calleeName(node) === 'run_forever')) found = true;
      return true;
    });
  }
  return found;
}

/**
 * A program's main: it installs process-wide signal handlers (`signal.signal`,
 * `loop.add_signal_handler`), which no function serving calls does.
 */
function installsSignalHandlers(ctx: PythonContext, fn: PyFunction): boolean {
  // Also in the coroutine it writes for its loop (`async def main(): loop.add_signal_handler(...)`).
  let found = false;
  for (const statement of fn.body) {
    walk(statement, (node) => {
      if (found) return false;
      if (node.type === 'call' && (qualifiedCallee(ctx, node) === 'signal.signal' || (calleeName(node) === 'add_signal_handler' && receiverOf(node) !== undefined))) found = true;
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
 * class body, the `__main__` block, a constructor (once per instance), an entry point, test
 * code, a program's main (it installs signal handlers), a cached function, a process's target,
 * an `atexit` callback, or a function only called (or started) from code that runs once. A
 * function started as a thread's target runs as often as the code that starts the thread.
 */
export function perCallFunction(ctx: PythonContext, node: PyNode, seen = new Set<PyFunction>()): PyFunction | undefined {
  const fn = ctx.facts.enclosing(node);
  if (!fn || seen.has(fn)) return undefined;
  seen.add(fn);
  if (!fn.isLambda && LIFECYCLE.has(fn.name)) return undefined;
  if (isEntryPoint(ctx, fn) || isCached(ctx, fn)) return undefined;
  // Closures of a test or a pytest hook are test machinery, not code that serves calls.
  for (let outer = fn.outer; outer; outer = outer.outer) if (isEntryPoint(ctx, outer) && isTestMachinery(ctx, outer)) return undefined;
  if (!fn.isLambda && installsSignalHandlers(ctx, fn)) return undefined;
  const start = startOf(ctx, fn);
  if (start?.kind === 'process' || start?.kind === 'atexit') return undefined;
  if (start) return perCallFunction(ctx, start.call, seen);
  if (calledOnlyOnce(ctx, fn, seen)) return undefined;
  return fn;
}

/** `functools.partial(f, ...)` stands for `f`. */
function unpartial(ctx: PythonContext, value: PyNode | undefined): PyNode | undefined {
  let v = unwrap(value);
  while (v?.type === 'call' && (ctx.facts.qualify(child(v, 'function')) === 'functools.partial' || calleeName(v) === 'partial')) v = unwrap(callArguments(v).positional[0]);
  return v;
}

/** Whether an expression names `fn`: its name where it is bound, or `self.<name>` / `cls.<name>` of its class. */
function namesFunction(ctx: PythonContext, value: PyNode | undefined, fn: PyFunction): boolean {
  const v = unwrap(value);
  if (!v) return false;
  if (v === fn.node) return true;
  if (fn.isLambda) return false;
  if (v.type === 'identifier') return v.text === fn.name && ctx.facts.lookup(fn.name, v)?.bindings.some((b) => b.kind === 'def' && b.fn === fn) === true;
  if (v.type === 'attribute' && fn.cls && child(v, 'attribute')?.text === fn.name) {
    const object = unwrap(child(v, 'object'));
    return ctx.facts.selfClass(object) === fn.cls || (object?.type === 'identifier' && object.text === fn.cls.name);
  }
  return false;
}

/**
 * How a function is started rather than called, in its file: the target of a thread, timer or
 * process (`threading.Thread(target=self._run)`, `Process(target=partial(worker, ...))`, a
 * project's own `*Thread`/`*Process` class), or an `atexit` callback.
 */
function startOf(ctx: PythonContext, fn: PyFunction): { kind: 'thread' | 'process' | 'atexit'; call: PyNode } | undefined {
  const facts = ctx.facts;
  let found: { kind: 'thread' | 'process' | 'atexit'; call: PyNode } | undefined;
  const scope = fn.outer ? fn.outer.node : facts.root;
  walk(scope, (node) => {
    if (found) return false;
    if (node.type !== 'call') return true;
    const callee = qualifiedCallee(ctx, node);
    const args = callArguments(node);
    if (callee === 'atexit.register' && namesFunction(ctx, unpartial(ctx, args.positional[0]), fn)) {
      found = { kind: 'atexit', call: node };
      return false;
    }
    const name = calleeName(node) ?? '';
    const kind = /Process$/.test(name) ? 'process' : /(?:Thread|Timer)$/.test(name) ? 'thread' : undefined;
    if (!kind) return true;
    const target = args.keywords.get('target') ?? args.keywords.get('function') ?? (/Timer$/.test(name) ? args.positional[1] : undefined);
    if (namesFunction(ctx, unpartial(ctx, target), fn)) found = { kind, call: node };
    return true;
  });
  return found;
}

/** Calls that run the function they are handed once, now or on another thread: `pool.submit(f)`, `loop.run_in_executor(None, f)`. */
const ONE_SHOT_RUNNERS = new Set(['submit', 'run_in_executor', 'to_thread', 'call_soon', 'call_soon_threadsafe', 'run_sync']);

/**
 * Whether every use of a function in the scope that sees all its uses is a call (or a one-shot
 * start: `pool.submit(f)`) from code that runs once, outside any loop. That scope is the outer
 * function for a nested function, the class for a private method (`self._setup()`), the module
 * for a module-level function; a public module-level function also needs one of those calls at
 * module scope or under `if __name__ == "__main__":` (other modules may call it otherwise), and
 * a public method is never known to be called once.
 */
function calledOnlyOnce(ctx: PythonContext, fn: PyFunction, seen: Set<PyFunction>): boolean {
  if (fn.isLambda) return false;
  const facts = ctx.facts;
  const nameNode = child(fn.node, 'name');
  let uses: PyNode[];
  if (fn.outer) uses = facts.usesOf(fn.name, fn.outer.node, nameNode).filter((use) => namesFunction(ctx, use, fn));
  else if (fn.cls) {
    if (!fn.name.startsWith('_') || fn.name.startsWith('__')) return false;
    uses = [];
    let foreign = false;
    walk(fn.cls.node, (node) => {
      // `other._name` may be another object's attribute: then the calls of this one are not all known.
      if (node.type === 'attribute' && child(node, 'attribute')?.text === fn.name) {
        if (namesFunction(ctx, node, fn)) uses.push(node);
        else foreign = true;
      }
      return true;
    });
    if (foreign) return false;
  } else uses = facts.usesOf(fn.name, facts.root, nameNode);
  if (uses.length === 0) return false;
  let topLevel = false;
  for (const use of uses) {
    const { parent, child: value } = outerParent(use);
    let site: PyNode | undefined;
    if (parent?.type === 'call' && child(parent, 'function') === value) site = parent;
    else if (parent?.type === 'argument_list' && parent.parent?.type === 'call' && ONE_SHOT_RUNNERS.has(calleeName(parent.parent) ?? '')) site = parent.parent;
    if (!site) return false;
    for (let current = site.parent; current && !isFunction(current); current = current.parent) {
      if (['for_statement', 'while_statement', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression'].includes(current.type)) return false;
    }
    if (perCallFunction(ctx, site, seen) !== undefined) return false;
    if (!facts.enclosing(site) || facts.mainBlocks.some((block) => block.start <= site!.start && site!.end <= block.end)) topLevel = true;
  }
  if (!fn.outer && !fn.cls && !topLevel && !fn.name.startsWith('_')) return false;
  return true;
}

// ---------------------------------------------------------------- loops that run until their owner shuts down

/** Names of the state a program's main loop waits on or runs while: `self.disconnected`, `while not self.is_closed()`, `await stop_event.wait()`. */
const SHUTDOWN_STATE = /^_*(?:(?:is_)?(?:disconnected|closed|stop|stopped|stopping|shut_?down|shutting_down|closing|exit|exited|exiting|quit|terminated|finished|running|alive|serving)|keep_running|should_(?:exit|stop|run)|(?:stop|shutdown|exit|quit|close)_(?:event|future|fut|waiter|requested))$/i;
/** Awaited calls that return only when the server or loop is told to stop. */
const FOREVER_CALLS = new Set(['serve_forever', 'run_forever', 'wait_closed', 'wait_until_closed', 'wait_for_termination', 'wait_for_shutdown']);
/** Calls that schedule or await coroutines handed to them: what those coroutines do, the caller waits for. */
const DRIVERS = new Set(['create_task', 'ensure_future', 'gather', 'wait', 'wait_for', 'shield', 'spawn', 'start_soon']);

function lastName(node: PyNode | undefined): string | undefined {
  const n = unwrap(node);
  if (n?.type === 'identifier') return n.text;
  if (n?.type === 'attribute') return child(n, 'attribute')?.text;
  if (n?.type === 'call') return lastName(child(n, 'function'));
  return undefined;
}

/** `while True:` without `break` or `return`, or a loop while some shutdown state says so (`while not self.is_closed():`), that awaits. */
function isServiceLoop(loop: PyNode): boolean {
  const condition = unwrap(child(loop, 'condition'));
  if (!condition) return false;
  let awaits = false;
  let exits = false;
  const body = child(loop, 'body');
  if (body) {
    walk(body, (node) => {
      if (isFunction(node) || node.type === 'class_definition') return false;
      if (node.type === 'await') awaits = true;
      if (node.type === 'return_statement') exits = true;
      if (node.type === 'break_statement') {
        // A break of a nested loop leaves that loop only.
        let owner = node.parent;
        while (owner && owner.type !== 'for_statement' && owner.type !== 'while_statement') owner = owner.parent;
        if (owner === loop) exits = true;
      }
      return true;
    });
  }
  if (!awaits) return false;
  if (condition.type === 'true' || (condition.type === 'integer' && condition.text === '1')) return !exits;
  let stateful = false;
  walk(condition, (node) => {
    if ((node.type === 'identifier' || node.type === 'attribute' || node.type === 'call') && SHUTDOWN_STATE.test(lastName(node) ?? '')) stateful = true;
    return !stateful;
  });
  return stateful;
}

const untilShutdownMemo = new WeakMap<PyFunction, boolean>();

/**
 * Whether a coroutine runs until its program shuts down rather than finishing a piece of work:
 * it awaits `serve_forever()`, `wait_closed()`, a shutdown event or future (`await
 * self.disconnected`), forever (`await asyncio.Future()`), loops while running, or drives (awaits,
 * schedules and waits for) another coroutine of the project that does. The function that runs
 * such a coroutine on a loop owns that loop for the program's life: a main, not a call.
 */
export function runsUntilShutdown(ctx: PythonContext, expression: PyNode | undefined, depth = 0): boolean {
  const expr = stripAwait(expression);
  if (!expr || depth > 4) return false;
  if (expr.type === 'identifier' || expr.type === 'attribute') return SHUTDOWN_STATE.test(lastName(expr) ?? '');
  if (expr.type !== 'call') return false;
  const name = calleeName(expr) ?? '';
  // A server's or loop's own method (`server.serve_forever()`), not any function of that name.
  if (FOREVER_CALLS.has(name) && receiverOf(expr) !== undefined) return true;
  if (name === 'wait' && SHUTDOWN_STATE.test(lastName(receiverOf(expr)) ?? '')) return true;
  const qualified = qualifiedCallee(ctx, expr);
  if ((qualified === 'asyncio.Future' || name === 'create_future') && callArguments(expr).all.length === 0) return true;
  if (qualified !== undefined && (TASK_CREATORS.has(qualified) || GATHER.has(qualified) || qualified === 'asyncio.wait' || qualified === 'asyncio.wait_for' || qualified === 'asyncio.shield')) {
    return callArguments(expr).positional.some((argument) => runsUntilShutdown(ctx, argument, depth + 1));
  }
  const resolved = ctx.project.resolve(ctx.facts, child(expr, 'function'));
  if (resolved?.kind !== 'function' || !resolved.fn.isAsync) return false;
  return coroutineRunsUntilShutdown({ ...ctx, facts: resolved.facts }, resolved.fn, depth + 1);
}

/** `runsUntilShutdown` for an `async def` (`trio.run(main)` hands over the function). */
export function coroutineRunsUntilShutdown(ctx: PythonContext, fn: PyFunction, depth = 0): boolean {
  const memo = untilShutdownMemo.get(fn);
  if (memo !== undefined) return memo;
  if (depth > 4) return false;
  untilShutdownMemo.set(fn, false);
  let result = false;
  // Locals that hold tasks of the coroutines it drives: `tasks = [asyncio.create_task(self.interact())]`.
  for (const statement of fn.body) {
    walk(statement, (node) => {
      if (result) return false;
      if (node !== fn.node && (isFunction(node) || node.type === 'class_definition')) return false;
      if (node.type === 'await') result = runsUntilShutdown(ctx, namedChildren(node)[0], depth);
      else if (node.type === 'while_statement') result = isServiceLoop(node);
      else if (node.type === 'call' && DRIVERS.has(calleeName(node) ?? '')) result = callArguments(node).positional.some((argument) => runsUntilShutdown(ctx, argument, depth));
      return !result;
    });
  }
  untilShutdownMemo.set(fn, result);
  return result;
}

/** What a bridge runs, when that runs until its program shuts down: the bridge is the program's main loop, not a call. */
export function bridgesUntilShutdown(ctx: PythonContext, bridge: { carried: PyNode | undefined; form: 'coroutine' | 'function' }): boolean {
  if (!bridge.carried) return false;
  if (bridge.form === 'coroutine') return runsUntilShutdown(ctx, bridge.carried);
  const resolved = ctx.project.resolve(ctx.facts, unpartial(ctx, bridge.carried));
  return resolved?.kind === 'function' && resolved.fn.isAsync && coroutineRunsUntilShutdown({ ...ctx, facts: resolved.facts }, resolved.fn);
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
function runsWhatItDecorates(facts: PythonFileFacts, fn: PyFunction): boolean {
  const memo = syncMakingMemo.get(fn);
  if (memo !== undefined) return memo;
  let found = false;
  for (const statement of fn.body) {
    walk(statement, (node) => {
      if (found) return false;
      if (node.type === 'call') {
        const name = calleeName(node);
        const qualified = facts.qualify(child(node, 'function'));
        if (name === 'run_until_complete' || name === 'run_sync' || (qualified !== undefined && (LOOP_RUNNERS.has(qualified) || FUNCTION_LOOP_RUNNERS.has(qualified) || ASYNC_TO_SYNC.has(qualified)))) found = true;
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
    if (resolved?.kind === 'function' && !resolved.fn.isAsync && runsWhatItDecorates(resolved.facts, resolved.fn)) return false;
  }
  return true;
}

/** Whether a resolved callee is one of the project's coroutine functions (an `async def`, not an async generator, not made sync by a decorator). */
export function isProjectCoroutine(project: PythonProject, resolved: Resolved | undefined): resolved is Extract<Resolved, { kind: 'function' }> {
  return resolved?.kind === 'function' && resolved.fn.isAsync && !resolved.fn.isGenerator && keepsCoroutine(project, resolved.facts, resolved.fn);
}
