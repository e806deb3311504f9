import type { Finding } from '../../core/types.js';
import type { PyFunction } from '../facts.js';
import {
  bridgeAt,
  calleeName,
  CLIENTS,
  CLOSERS,
  describeFunction,
  EXECUTORS,
  FUNCTION_LOOP_RUNNERS,
  LOOP_CONTEXTS,
  LOOP_RUNNERS,
  NEW_LOOP,
  OWN_LOOP,
  qualifiedCallee,
  receiverOf,
  type PythonContext,
} from '../semantics.js';
import { bridgesUntilShutdown, ownsLoopLifecycle, perCallFunction, runsUntilShutdown } from '../once.js';
import { callArguments, child, isFunction, namedChildren, outerParent, unwrap, walk, type PyNode } from '../tree.js';

export interface PythonLoopPerCallOptions {
  additionalResources?: string[];
}

/** `module#Name` (the TypeScript rule's spelling) and `module.Name` name the same thing. */
function normalizeResource(name: string): string {
  return name.replace('#', '.');
}

export function detectLoopPerCall(ctx: PythonContext, options: PythonLoopPerCallOptions): Finding[] {
  const additional = new Set((options.additionalResources ?? []).map(normalizeResource));
  const findings: Finding[] = [];
  walk(ctx.facts.root, (node) => {
    if (node.type === 'call') {
      const finding = check(ctx, node, additional);
      if (finding) findings.push(finding);
    }
    return true;
  });
  return findings;
}

function report(call: PyNode, messageId: string, data: Record<string, string>): Finding {
  return { ruleId: 'no-loop-per-call', messageId, data, start: call.start, end: call.end };
}

function what(ctx: PythonContext, call: PyNode): string {
  const callee = child(call, 'function')!;
  const args = callArguments(call).all.length > 0 ? '...' : '';
  return `${ctx.facts.shortText(callee)}(${args})`;
}

function check(ctx: PythonContext, call: PyNode, additional: ReadonlySet<string>): Finding | undefined {
  const callee = qualifiedCallee(ctx, call);
  if (callee === undefined) return undefined;
  if (LOOP_RUNNERS.has(callee) || FUNCTION_LOOP_RUNNERS.has(callee) || LOOP_CONTEXTS.has(callee)) {
    const enclosing = ctx.facts.enclosing(call);
    if (enclosing?.isAsync) return report(call, 'loopInCoroutine', { what: what(ctx, call), fn: describeFunction(enclosing) });
    // The loop of a program's main: what it runs serves until the program shuts down.
    if (bridgesUntilShutdown(ctx, { carried: callArguments(call).positional[0], form: LOOP_RUNNERS.has(callee) ? 'coroutine' : 'function' })) return undefined;
    const fn = perCallFunction(ctx, call);
    return fn ? report(call, 'loopPerCall', { what: what(ctx, call), fn: describeFunction(fn) }) : undefined;
  }
  if (NEW_LOOP.has(callee)) {
    const fn = perCallFunction(ctx, call);
    // What the loop does is decided where it is made (a thread's target), not in the per-call function that starts the thread.
    const maker = ctx.facts.enclosing(call) ?? fn;
    if (!fn || !maker || storedOutside(ctx, call, maker) || !runsToCompletion(maker) || ownsLoopLifecycle(maker) || runsMainLoop(ctx, maker) || isFallbackLoop(ctx, call)) return undefined;
    return report(call, 'newLoopPerCall', { what: what(ctx, call), fn: describeFunction(fn) });
  }
  const client = CLIENTS.get(callee);
  if (client) {
    const fn = perCallFunction(ctx, call);
    if (!fn || fn.isLambda || sharesPool(call)) return undefined;
    const closer = closedInSameCall(call, fn);
    return closer ? report(call, 'clientPerCall', { what: what(ctx, call), fn: describeFunction(fn), closer }) : undefined;
  }
  if (EXECUTORS.has(callee)) {
    const fn = perCallFunction(ctx, call);
    if (!fn || storedOutside(ctx, call, fn)) return undefined;
    const purpose = executorPurpose(ctx, call, fn);
    return purpose ? report(call, 'executorPerCall', { what: what(ctx, call), fn: describeFunction(fn), purpose }) : undefined;
  }
  if (additional.has(callee)) {
    const fn = perCallFunction(ctx, call);
    if (!fn || storedOutside(ctx, call, fn)) return undefined;
    return report(call, 'resourcePerCall', { what: what(ctx, call), fn: describeFunction(fn) });
  }
  return undefined;
}

/**
 * A session over a connection pool that someone else owns (`aiohttp.ClientSession(connector=shared,
 * connector_owner=False)`): opening and closing it per call opens no connections.
 */
function sharesPool(call: PyNode): boolean {
  const owner = unwrap(callArguments(call).keywords.get('connector_owner'));
  return owner?.type === 'false' && callArguments(call).keywords.has('connector');
}

/** Statements of a function, not descending into nested functions or classes. */
function walkOwn(fn: PyFunction, visit: (node: PyNode) => void): void {
  for (const statement of fn.body) {
    walk(statement, (node) => {
      if (node !== fn.node && (isFunction(node) || node.type === 'class_definition')) return false;
      visit(node);
      return true;
    });
  }
}

/** A function that runs, on its loop, something that serves until the program shuts down. */
function runsMainLoop(ctx: PythonContext, fn: PyFunction): boolean {
  let found = false;
  walkOwn(fn, (node) => {
    if (!found && node.type === 'call' && calleeName(node) === 'run_until_complete') found = runsUntilShutdown(ctx, callArguments(node).positional[0]);
  });
  return found;
}

/** A function that runs a loop to completion (`run_until_complete`) rather than forever (the runner's thread). */
function runsToCompletion(fn: PyFunction): boolean {
  let complete = false;
  let forever = false;
  walkOwn(fn, (node) => {
    if (node.type !== 'call') return;
    const name = calleeName(node);
    if (name === 'run_until_complete') complete = true;
    else if (name === 'run_forever') forever = true;
  });
  return complete && !forever;
}

/** The variable, attribute or global a value is assigned to, looking through `await` and parentheses. */
function assignedTo(value: PyNode): PyNode | undefined {
  let node = value;
  for (;;) {
    const { parent, child: c } = outerParent(node);
    if (parent?.type === 'await') {
      node = parent;
      continue;
    }
    if (parent?.type === 'assignment' && child(parent, 'right') === c) return child(parent, 'left');
    return undefined;
  }
}

/**
 * Whether the resource outlives the call: assigned to an attribute (`self._pool = ...`), a name
 * declared `global`, or a local that is then stored in one of those. Whatever is kept is reused.
 */
function storedOutside(ctx: PythonContext, value: PyNode, fn: PyFunction): boolean {
  const target = assignedTo(value);
  if (!target) return false;
  const isOuter = (t: PyNode): boolean => t.type === 'attribute' || t.type === 'subscript' || (t.type === 'identifier' && !ctx.facts.isLocalName(t.text!, t));
  if (isOuter(target)) return true;
  if (target.type !== 'identifier') return false;
  let stored = false;
  walkOwn(fn, (node) => {
    if (node.type === 'assignment') {
      const right = unwrap(child(node, 'right'));
      const left = child(node, 'left');
      if (right?.type === 'identifier' && right.text === target.text && left && isOuter(left)) stored = true;
    }
    if (node.type === 'return_statement') {
      const returned = unwrap(namedChildren(node)[0]);
      if (returned?.type === 'identifier' && returned.text === target.text) stored = true;
    }
  });
  return stored;
}

/**
 * How the client is closed within the same call: the end of the `with` / `async with` block that
 * opens it, or `client.close()` / `await client.aclose()` on the variable that holds it.
 */
function closedInSameCall(call: PyNode, fn: PyFunction): string | undefined {
  const { parent, child: c } = outerParent(call);
  const withItem = parent?.type === 'as_pattern' ? parent.parent : parent;
  if (withItem?.type === 'with_item' && (parent === withItem || namedChildren(parent!)[0] === c)) {
    const statement = withItem.parent?.parent;
    return statement?.type === 'with_statement' && statement.children.some((t) => !t.named && t.type === 'async') ? 'the end of its `async with` block' : 'the end of its `with` block';
  }
  const target = assignedTo(call);
  if (target?.type !== 'identifier') return undefined;
  const name = target.text!;
  let closer: string | undefined;
  walkOwn(fn, (node) => {
    if (closer) return;
    if (node.type === 'call') {
      const method = calleeName(node);
      const receiver = unwrap(receiverOf(node));
      if (method && CLOSERS.has(method) && receiver?.type === 'identifier' && receiver.text === name) closer = `${name}.${method}()`;
    }
    if (node.type === 'with_item') {
      const value = unwrap(namedChildren(node)[0]);
      const inner = value?.type === 'as_pattern' ? unwrap(namedChildren(value)[0]) : value;
      if (inner?.type === 'identifier' && inner.text === name) closer = `the end of its \`with\` block`;
    }
  });
  return closer;
}

/**
 * Why a pool built per call is worth reporting: it runs async work on a loop of its own
 * (`pool.submit(asyncio.run, coro)`), it is handed to `run_in_executor` from a coroutine (the
 * loop has a default executor), or it is neither shut down nor kept (its threads outlive the call).
 * A pool that a `with` block scopes to one batch of sync work is left alone.
 */
function executorPurpose(ctx: PythonContext, call: PyNode, fn: PyFunction): string | undefined {
  let bridges = false;
  let inExecutor = false;
  walkOwn(fn, (node) => {
    if (node.type !== 'call' || node === call) return;
    if (bridgeAt(ctx, node)?.kind === 'new-loop') bridges = true;
    if (calleeName(node) === 'run_in_executor') inExecutor = true;
  });
  if (bridges) return 'to run a coroutine on an event loop of its own in one of its threads';
  if (inExecutor && fn.isAsync) return 'for run_in_executor, where the loop already has a default executor';
  const { parent } = outerParent(call);
  const inWith = parent?.type === 'with_item' || (parent?.type === 'as_pattern' && parent.parent?.type === 'with_item');
  if (inWith) return undefined;
  if (closedInSameCall(call, fn) || waitsForItsWork(ctx, call, fn)) return undefined;
  const target = assignedTo(call);
  // Used once inline (`ThreadPoolExecutor().submit(job)`), or held in a local that is never shut down.
  const { parent: holder, child: held } = outerParent(call);
  const usedInline = holder?.type === 'attribute' && child(holder, 'object') === held;
  return usedInline || target?.type === 'identifier' ? 'and never shut down: its threads outlive the call' : undefined;
}

/**
 * Whether the function waits, before it returns, for the work it gives the pool: it passes the
 * futures to `concurrent.futures.wait` or `as_completed`, or takes each result
 * (`pool.submit(job).result()`, `pool.map(...)`): one batch of sync work, as in a `with` block.
 */
function waitsForItsWork(ctx: PythonContext, call: PyNode, fn: PyFunction): boolean {
  const { parent, child: held } = outerParent(call);
  if (parent?.type === 'attribute' && child(parent, 'object') === held) {
    const method = child(parent, 'attribute')?.text;
    if (method === 'map') return true;
    // `Pool().submit(job).result()`
    const submitted = parent.parent;
    const then = submitted?.parent;
    if (method === 'submit' && submitted?.type === 'call' && then?.type === 'attribute' && then.parent?.type === 'call' && calleeName(then.parent) === 'result') return true;
  }
  let waits = false;
  walkOwn(fn, (node) => {
    if (node.type !== 'call') return;
    const qualified = qualifiedCallee(ctx, node) ?? '';
    if (/^concurrent\.futures\.(?:wait|as_completed)$/.test(qualified) || /^asyncio\.(?:wait|gather)$/.test(qualified)) waits = true;
  });
  return waits;
}

/**
 * `try: loop = asyncio.get_event_loop() except RuntimeError: loop = asyncio.new_event_loop();
 * asyncio.set_event_loop(loop)` (or the same behind an `if` on a flag or `loop.is_closed()`): a
 * loop made only when the thread has none, then kept as the thread's loop, is the thread's one
 * loop, not one per call. An unconditional `set_event_loop(new_event_loop())` is one per call.
 */
function isFallbackLoop(ctx: PythonContext, call: PyNode): boolean {
  const fn = ctx.facts.enclosing(call);
  if (!fn) return false;
  let conditional = false;
  for (let current = call.parent; current && current !== fn.node; current = current.parent) {
    if (current.type === 'except_clause' || current.type === 'if_statement' || current.type === 'elif_clause' || current.type === 'else_clause') conditional = true;
  }
  if (!conditional) return false;
  let looksUp = false;
  let kept = false;
  let closed = false;
  for (const statement of fn.body) {
    walk(statement, (node) => {
      if (node.type !== 'call') return true;
      const name = calleeName(node);
      if (OWN_LOOP.has(qualifiedCallee(ctx, node) ?? '') || name === 'get_event_loop') looksUp = true;
      if (name === 'set_event_loop') kept = true;
      if (name === 'close' && unwrap(receiverOf(node))?.type === 'identifier') closed = true;
      return true;
    });
  }
  return looksUp && kept && !closed;
}
