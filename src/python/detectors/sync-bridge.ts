import type { Finding } from '../../core/types.js';
import { ASYNC_TO_SYNC, bridgeAt, calleeName, describeFunction, describeWhere, isOwnLoop, NEST_ASYNCIO, qualifiedCallee, receiverOf, THREADSAFE, type PythonContext } from '../semantics.js';
import { bridgesUntilShutdown, ownsLoopLifecycle, perCallFunction } from '../once.js';
import type { PyFunction } from '../facts.js';
import { callArguments, child, isFunction, namedChildren, outerParent, unwrap, walk, type PyNode } from '../tree.js';

export interface PythonSyncBridgeOptions {
  allowRunner?: boolean;
}

export function detectSyncBridge(ctx: PythonContext, options: PythonSyncBridgeOptions): Finding[] {
  const findings: Finding[] = [];
  const facts = ctx.facts;
  const add = (node: PyNode, messageId: string, data: Record<string, string>, end = node.end): void => {
    findings.push({ ruleId: 'no-sync-bridge', messageId, data, start: node.start, end });
  };
  walk(facts.root, (node) => {
    if (node.type === 'while_statement') {
      const wait = busyWait(ctx, node);
      if (wait) {
        const threadsafe = ownLoopFuture(ctx, wait.future);
        if (threadsafe) add(threadsafe, 'threadsafeDeadlock', { bridge: "'asyncio.run_coroutine_threadsafe'", where: describeWhere(facts.enclosing(node)) });
        else add(node, 'busyWait', { future: facts.shortText(wait.future), where: describeWhere(facts.enclosing(node)) }, wait.headerEnd);
      }
      return true;
    }
    if (node.type !== 'call') return true;
    const callee = qualifiedCallee(ctx, node);
    if (callee !== undefined && NEST_ASYNCIO.has(callee)) {
      add(node, 'nestAsyncio', { bridge: `${facts.shortText(child(node, 'function')!)}()`, where: describeWhere(facts.enclosing(node)) });
      return true;
    }
    if (callee !== undefined && ASYNC_TO_SYNC.has(callee)) {
      const fn = perCallFunction(ctx, node);
      if (fn && calledInSameCall(ctx, node, fn))
        add(node, 'asyncToSyncPerCall', { bridge: facts.shortText(child(node, 'function')!), where: describeWhere(facts.enclosing(node)), fn: describeFunction(fn) });
      return true;
    }
    const bridge = bridgeAt(ctx, node, new Set(), false);
    if (!bridge || bridge.call !== node) return true;
    const where = describeWhere(facts.enclosing(node));
    // A program's main loop (`loop.run_until_complete(self.disconnected)`): it owns the loop for the program's life.
    if ((bridge.kind === 'thread-loop' || bridge.kind === 'other-loop') && bridgesUntilShutdown(ctx, bridge)) return true;
    switch (bridge.kind) {
      case 'thread-loop': {
        const fn = perCallFunction(ctx, node);
        if (fn && !ownsLoop(ctx, node, fn)) add(node, 'runUntilComplete', { bridge: bridge.label, where });
        break;
      }
      case 'other-loop': {
        // A loop handed in as a parameter belongs to the caller, which runs it (a runner's own helpers).
        const fn = perCallFunction(ctx, node);
        if (fn && !ownsLoop(ctx, node, fn) && !isParameter(ctx, receiverOf(node))) add(node, 'privateLoop', { bridge: bridge.label, where });
        break;
      }
      case 'own-loop-threadsafe':
        add(node, 'threadsafeDeadlock', { bridge: bridge.label, where });
        break;
      case 'runner':
        if (options.allowRunner === false) add(node, 'runnerBridge', { bridge: bridge.label, where });
        break;
      default:
        break;
    }
    return true;
  });
  return findings.sort((a, b) => a.start - b.start);
}

/** Whether the function the bridge is written in, or the per-call function that reaches it, owns the loop's whole life (a loop thread's body runs it forever). */
function ownsLoop(ctx: PythonContext, bridge: PyNode, perCall: PyFunction): boolean {
  const enclosing = ctx.facts.enclosing(bridge);
  return ownsLoopLifecycle(perCall) || (enclosing !== undefined && ownsLoopLifecycle(enclosing));
}

/**
 * `while not fut.done(): time.sleep(...)` (or `fut.done() is False`, `== False`): a sleep loop
 * waiting for a future. The range reported is the loop's header.
 */
function busyWait(ctx: PythonContext, loop: PyNode): { future: PyNode; headerEnd: number } | undefined {
  const condition = unwrap(child(loop, 'condition'));
  if (!condition) return undefined;
  const future = polledFuture(condition);
  if (!future) return undefined;
  let sleeps = false;
  const body = child(loop, 'body');
  if (body) {
    walk(body, (node) => {
      if (sleeps || isFunction(node)) return false;
      if (node.type === 'call' && qualifiedCallee(ctx, node) === 'time.sleep') sleeps = true;
      return true;
    });
  }
  return sleeps ? { future, headerEnd: condition.end } : undefined;
}

/** The future `f` of a `not f.done()` condition (also inside `and`/`or`). */
function polledFuture(condition: PyNode): PyNode | undefined {
  const c = unwrap(condition)!;
  if (c.type === 'boolean_operator') {
    for (const side of [child(c, 'left'), child(c, 'right')]) {
      const found = side ? polledFuture(side) : undefined;
      if (found) return found;
    }
    return undefined;
  }
  let doneCall: PyNode | undefined;
  if (c.type === 'not_operator') doneCall = unwrap(child(c, 'argument'));
  else if (c.type === 'comparison_operator') {
    const [left, right] = namedChildren(c);
    const op = c.children.find((t) => !t.named)?.type;
    if (right?.type === 'false' && (op === '==' || op === 'is')) doneCall = unwrap(left);
  }
  if (doneCall?.type !== 'call' || calleeName(doneCall) !== 'done' || callArguments(doneCall).all.length > 0) return undefined;
  return receiverOf(doneCall);
}

/** The `run_coroutine_threadsafe(coro, <this thread's loop>)` call a polled future comes from. */
function ownLoopFuture(ctx: PythonContext, future: PyNode): PyNode | undefined {
  let value = unwrap(future);
  if (value?.type === 'identifier' && ctx.facts.isLocalName(value.text!, value)) value = unwrap(ctx.facts.valueOf(value));
  if (value?.type !== 'call' || !THREADSAFE.has(qualifiedCallee(ctx, value) ?? '')) return undefined;
  const args = callArguments(value);
  return isOwnLoop(ctx, args.positional[1] ?? args.keywords.get('loop')) ? value : undefined;
}

function isParameter(ctx: PythonContext, expression: PyNode | undefined): boolean {
  const e = unwrap(expression);
  if (e?.type !== 'identifier') return false;
  return ctx.facts.lookup(e.text!, e)?.bindings.some((b) => b.kind === 'param') === true;
}

/**
 * Whether the bridge `async_to_sync(f)` is used within the call that builds it: called at once,
 * or held in a local that is called. One that is returned or stored is built once for many calls.
 */
function calledInSameCall(ctx: PythonContext, bridge: PyNode, fn: PyFunction): boolean {
  const { parent, child: c } = outerParent(bridge);
  if (parent?.type === 'call' && child(parent, 'function') === c) return true;
  if (parent?.type !== 'assignment' || child(parent, 'right') !== c) return false;
  const target = child(parent, 'left');
  if (target?.type !== 'identifier' || !ctx.facts.isLocalName(target.text!, target)) return false;
  let called = false;
  for (const statement of fn.body) {
    walk(statement, (node) => {
      if (called) return false;
      if (node.type === 'call') {
        const callee = unwrap(child(node, 'function'));
        if (callee?.type === 'identifier' && callee.text === target.text) called = true;
      }
      return true;
    });
  }
  return called;
}
