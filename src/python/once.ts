import path from 'node:path';
import type { PyClass, PyFunction, PythonFileFacts } from './facts.js';
import { calleeName, GATHER, qualifiedCallee, receiverOf, stripAwait, TASK_CREATORS, type PythonContext } from './semantics.js';
import { callArguments, child, isFunction, namedChildren, outerParent, unwrap, walk, type PyNode } from './tree.js';

/*
 * When code runs: once (a program's main, its set-up, a test, a process's body) or per call.
 * The loop-per-call and bridge rules report only what runs per call; the Python frontend has no
 * call graph beyond the file, so "once" is what the code shows: entry points by contract, test
 * code, what is only called or started from code that runs once, and loops that serve until the
 * program shuts down.
 */

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
/** Command-line application classes. */
const APP_CLASS = /(?:App|Application|Command)$/;
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
  return path
    .dirname(file)
    .split(path.sep)
    .some((part) => TEST_DIR.test(part));
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
  // A command-line application's `start()` (traitlets' Application, a CLI subcommand): its main.
  if (fn.cls && fn.name === 'start' && (APP_CLASS.test(fn.cls.name) || fn.cls.bases.some((base) => APP_CLASS.test(facts.textOf(base))))) return true;
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
    if (!facts.enclosing(site) || facts.mainBlocks.some((block) => block.start <= site.start && site.end <= block.end)) topLevel = true;
  }
  if (!fn.outer && !fn.cls && !topLevel && !fn.name.startsWith('_')) return false;
  return true;
}

// ---------------------------------------------------------------- loops that run until their owner shuts down

/** Names of the state a program's main loop waits on or runs while: `self.disconnected`, `while not self.is_closed()`, `await stop_event.wait()`. */
const SHUTDOWN_STATE =
  /^_*(?:(?:is_)?(?:disconnected|closed|stop|stopped|stopping|shut_?down|shutting_down|closing|exit|exited|exiting|quit|terminated|finished|running|alive|serving)|keep_running|should_(?:exit|stop|run)|(?:stop|shutdown|exit|quit|close)_(?:event|future|fut|waiter|requested))$/i;
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
