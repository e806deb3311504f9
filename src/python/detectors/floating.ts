import type { Finding } from '../../core/types.js';
import type { PyFunction } from '../facts.js';
import { selfAssignments } from '../project.js';
import { calleeName, describeWhere, EXECUTORS, GATHER, isProjectCoroutine, isTaskGroup, qualifiedCallee, receiverOf, STDLIB_COROUTINES, TASK_CREATORS, type PythonContext } from '../semantics.js';
import { callArguments, child, namedChildren, unwrap, walk, type PyNode } from '../tree.js';

export interface PythonFloatingOptions {
  allowForKnownSafeCalls?: string[];
  checkCallbacks?: boolean;
}

type Dropped = 'task' | 'gather' | 'coroutine';

/** Callers that call a callback and ignore what it returns, and which of their arguments is the callback. */
const QUALIFIED_DROPPERS: ReadonlyMap<string, { positions: number[]; keywords: string[] }> = new Map([
  ['signal.signal', { positions: [1], keywords: ['handler'] }],
  ['atexit.register', { positions: [0], keywords: [] }],
  ['threading.Thread', { positions: [1], keywords: ['target'] }],
  ['threading.Timer', { positions: [1], keywords: ['function'] }],
]);
const METHOD_DROPPERS: ReadonlyMap<string, { positions: number[]; keywords: string[] }> = new Map([
  ['call_soon', { positions: [0], keywords: [] }],
  ['call_soon_threadsafe', { positions: [0], keywords: [] }],
  ['call_later', { positions: [1], keywords: [] }],
  ['call_at', { positions: [1], keywords: [] }],
  ['add_signal_handler', { positions: [1], keywords: [] }],
  ['add_reader', { positions: [1], keywords: [] }],
  ['add_writer', { positions: [1], keywords: [] }],
  ['add_done_callback', { positions: [0], keywords: ['fn'] }],
  ['run_in_executor', { positions: [1], keywords: [] }],
  ['submit', { positions: [0], keywords: ['fn'] }],
  // RxPY's subscribe(on_next, ...) (and reactivex's subscribe(observable, on_next) helpers): seed 004.
  ['subscribe', { positions: [0, 1], keywords: ['on_next'] }],
]);

/**
 * Event emitters and signals: `emitter.on("event", cb)`, `signal.connect(cb)`. They ignore what a
 * listener returns, so a lambda that creates a task drops it; but many Python emitters (pyee's
 * asyncio emitter, slixmpp, python-socketio) await a coroutine listener themselves, so handing
 * them an `async def` is not reported.
 */
const EMITTER_DROPPERS: ReadonlyMap<string, { positions: number[]; keywords: string[] }> = new Map([
  ['on', { positions: [1], keywords: [] }],
  ['once', { positions: [1], keywords: [] }],
  ['add_listener', { positions: [1], keywords: [] }],
  ['add_event_handler', { positions: [1], keywords: [] }],
  ['connect', { positions: [0], keywords: [] }],
]);

export function detectFloating(ctx: PythonContext, options: PythonFloatingOptions): Finding[] {
  const safe = new Set(options.allowForKnownSafeCalls ?? []);
  const findings: Finding[] = [];
  const facts = ctx.facts;
  const isSafe = (call: PyNode): boolean => {
    if (safe.size === 0) return false;
    const text = facts.textOf(child(call, 'function')!).replace(/\s+/g, '');
    return safe.has(text) || safe.has(calleeName(call) ?? '') || safe.has(qualifiedCallee(ctx, call) ?? '');
  };
  const report = (call: PyNode, kind: Dropped): void => {
    const data = { what: `\`${describeCall(ctx, call)}\``, where: describeWhere(facts.enclosing(call)) };
    const messageId = kind === 'task' ? 'droppedTask' : kind === 'gather' ? 'gatherNotAwaited' : 'coroutineNotAwaited';
    findings.push({ ruleId: 'no-floating-promise', messageId, data, start: call.start, end: call.end });
  };
  walk(facts.root, (node) => {
    if (node.type === 'expression_statement') {
      const expr = unwrap(namedChildren(node)[0]);
      if (expr?.type === 'call') {
        const kind = droppedKind(ctx, expr);
        if (kind && !isSafe(expr)) report(expr, kind);
        // asyncio.create_task(x).add_done_callback(cb): the callback sees the result, but nothing keeps the task.
        else if (calleeName(expr) === 'add_done_callback') {
          const inner = unwrap(receiverOf(expr));
          if (inner?.type === 'call' && droppedKind(ctx, inner) === 'task' && !isSafe(inner)) report(inner, 'task');
        }
      }
    } else if (node.type === 'assignment') {
      const left = child(node, 'left');
      const right = unwrap(child(node, 'right'));
      // `a = b = create_task(...)`: the task is kept if any of the names is read.
      const chained = node.parent?.type === 'assignment' && child(node.parent, 'right') === node;
      if (left?.type === 'identifier' && right?.type === 'call' && !chained) {
        const kind = droppedKind(ctx, right);
        if (kind && !isSafe(right) && neverUsed(ctx, left, node)) report(right, kind);
      }
    } else if (node.type === 'call') {
      checkCallbacks(ctx, node, options.checkCallbacks !== false, isSafe, findings);
    }
    return true;
  });
  return findings.sort((a, b) => a.start - b.start);
}

/** Whether a call's result must be awaited or kept: a task, a gather, a coroutine. */
function droppedKind(ctx: PythonContext, call: PyNode): Dropped | undefined {
  const callee = qualifiedCallee(ctx, call);
  if (callee !== undefined) {
    if (TASK_CREATORS.has(callee)) return wrapsFuture(call) ? undefined : 'task';
    if (GATHER.has(callee)) return 'gather';
    if (STDLIB_COROUTINES.has(callee)) return 'coroutine';
  }
  const name = calleeName(call);
  if (name === 'create_task' || name === 'ensure_future') {
    const receiver = unwrap(receiverOf(call));
    if (receiver && !isTaskGroup(ctx, receiver) && isLoopLike(ctx, receiver) && !wrapsFuture(call)) return 'task';
  }
  if (isProjectCoroutine(ctx.project, ctx.project.resolve(ctx.facts, child(call, 'function'))) && !guardedAsSync(ctx, call)) return 'coroutine';
  return undefined;
}

/** Calls that return a future, not a coroutine: `ensure_future` hands such a future back as it is, and no task is made. */
const FUTURE_MAKERS = new Set(['run_in_executor', 'create_future', 'wrap_future', 'run_coroutine_threadsafe']);

/** `asyncio.ensure_future(loop.run_in_executor(...))`: the executor runs the job whether or not anyone keeps the future. */
function wrapsFuture(call: PyNode): boolean {
  if (calleeName(call) !== 'ensure_future') return false;
  const argument = unwrap(callArguments(call).positional[0]);
  return argument?.type === 'call' && FUTURE_MAKERS.has(calleeName(argument) ?? '');
}

/**
 * Whether a call sits where its callee is known not to be a coroutine function: the `else` of
 * `if iscoroutinefunction(f):` or the body of `if not iscoroutinefunction(f):`, for the same `f`
 * (a handler that may be either, called each way).
 */
function guardedAsSync(ctx: PythonContext, call: PyNode): boolean {
  const callee = ctx.facts.textOf(child(call, 'function')!).replace(/\s+/g, '');
  const tests = (condition: PyNode | undefined): boolean | undefined => {
    let c = unwrap(condition);
    let negated = false;
    while (c?.type === 'not_operator') {
      negated = !negated;
      c = unwrap(child(c, 'argument'));
    }
    if (c?.type !== 'call' || !/^(?:[\w.]+\.)?iscoroutinefunction$/.test(ctx.facts.textOf(child(c, 'function')!).replace(/\s+/g, ''))) return undefined;
    const subject = callArguments(c).positional[0];
    if (!subject || ctx.facts.textOf(subject).replace(/\s+/g, '') !== callee) return undefined;
    return !negated;
  };
  for (let node: PyNode = call; node.parent && node.parent.type !== 'function_definition' && node.parent.type !== 'lambda'; node = node.parent) {
    const parent = node.parent;
    if (parent.type === 'if_statement') {
      const isCoroutine = tests(child(parent, 'condition'));
      if (isCoroutine === undefined) continue;
      if (node.field === 'consequence' && !isCoroutine) return true;
      if (node.type === 'else_clause' && isCoroutine) return true;
    }
  }
  return false;
}

/** A receiver that is an executor: built from one (a local, or `self.x` assigned one), or named as one (`executor`, `self._pool`). */
function isExecutor(ctx: PythonContext, receiver: PyNode): boolean {
  const r = unwrap(receiver)!;
  if (/(?:executor|pool)$/i.test(ctx.facts.textOf(r))) return true;
  const values = r.type === 'identifier' ? ctx.facts.valuesOf(r) : [];
  if (r.type === 'attribute') {
    const cls = ctx.facts.selfClass(child(r, 'object'));
    const attribute = child(r, 'attribute')?.text;
    if (cls && attribute) values.push(...selfAssignments(ctx.facts, cls, attribute));
  }
  if (r.type === 'call') values.push(r);
  return values.some((value) => {
    const v = unwrap(value);
    return v?.type === 'call' && EXECUTORS.has(qualifiedCallee(ctx, v) ?? '');
  });
}

/** `loop`, `self._loop`, `asyncio.get_running_loop()`: a receiver whose `create_task` is the loop's. */
function isLoopLike(ctx: PythonContext, receiver: PyNode): boolean {
  if (receiver.type === 'call') {
    const callee = qualifiedCallee(ctx, receiver);
    return callee === 'asyncio.get_event_loop' || callee === 'asyncio.get_running_loop' || callee === 'asyncio.new_event_loop';
  }
  const text = ctx.facts.textOf(receiver);
  return /(?:^|[._])loop$/i.test(text);
}

/** A local that nothing reads after it is assigned: the value is dropped when the function returns. */
function neverUsed(ctx: PythonContext, name: PyNode, assignment: PyNode): boolean {
  const fn = ctx.facts.enclosing(assignment);
  if (!fn) return name.text === '_';
  if (ctx.facts.scopeOf(fn).globals.has(name.text!)) return false;
  if (name.text === '_') return true;
  for (const statement of fn.body) if (ctx.facts.usesOf(name.text!, statement, name).length > 0) return false;
  return true;
}

function describeCall(ctx: PythonContext, call: PyNode): string {
  const callee = ctx.facts.shortText(child(call, 'function')!);
  return `${callee}(${callArguments(call).all.length > 0 ? '...' : ''})`;
}

function dropperOf(ctx: PythonContext, call: PyNode): { positions: number[]; keywords: string[]; lambdasOnly?: boolean } | undefined {
  const qualified = qualifiedCallee(ctx, call);
  if (qualified !== undefined && QUALIFIED_DROPPERS.has(qualified)) return QUALIFIED_DROPPERS.get(qualified);
  const name = calleeName(call);
  if (name === undefined || receiverOf(call) === undefined) return undefined;
  const method = METHOD_DROPPERS.get(name);
  if (method) {
    // A method the project writes itself (a task group's `call_soon`) is judged by its own code, not by asyncio's contract.
    const resolved = ctx.project.resolve(ctx.facts, child(call, 'function'));
    if (resolved?.kind === 'function') return undefined;
    // Tornado's IOLoop runs a callback's coroutine and logs its failure.
    if (resolved?.kind === 'external' && /^tornado\.ioloop\.IOLoop\b/.test(resolved.qualified)) return undefined;
    // `submit` is an executor's only where the receiver is one (dask's `Client.submit` runs coroutine functions).
    if (name === 'submit' && !isExecutor(ctx, receiverOf(call)!)) return undefined;
    return method;
  }
  const emitter = EMITTER_DROPPERS.get(name);
  return emitter ? { ...emitter, lambdasOnly: true } : undefined;
}

/**
 * Callbacks handed to a caller that ignores their result: a coroutine function of the project
 * (its coroutine never runs) or a lambda that creates a task (the task is dropped).
 */
function checkCallbacks(ctx: PythonContext, call: PyNode, checkFunctions: boolean, isSafe: (call: PyNode) => boolean, findings: Finding[]): void {
  const dropper = dropperOf(ctx, call);
  if (!dropper || isSafe(call)) return;
  const args = callArguments(call);
  const callbacks = [...dropper.positions.map((i) => args.positional[i]), ...dropper.keywords.map((k) => args.keywords.get(k))].filter((a): a is PyNode => a !== undefined);
  const facts = ctx.facts;
  const dropperText = `\`${facts.shortText(child(call, 'function')!)}\``;
  const where = describeWhere(facts.enclosing(call));
  for (const argument of callbacks) {
    const callback = unwrap(argument)!;
    if (callback.type === 'lambda') {
      const body = unwrap(child(callback, 'body'));
      if (body?.type === 'call' && droppedKind(ctx, body) === 'task') {
        findings.push({
          ruleId: 'no-floating-promise',
          messageId: 'droppedTaskCallback',
          data: { what: `\`${describeCall(ctx, body)}\``, dropper: dropperText, where },
          start: body.start,
          end: body.end,
        });
      }
      continue;
    }
    if (!checkFunctions || dropper.lambdasOnly || (callback.type !== 'identifier' && callback.type !== 'attribute')) continue;
    const resolved = ctx.project.resolve(facts, callback);
    if (isProjectCoroutine(ctx.project, resolved)) {
      findings.push({
        ruleId: 'no-floating-promise',
        messageId: 'asyncCallback',
        data: { callback: `\`${facts.shortText(callback)}\``, dropper: dropperText, where },
        start: callback.start,
        end: callback.end,
      });
    }
  }
}

export type { PyFunction };
