import type { Finding } from '../../core/types.js';
import type { PyFunction } from '../facts.js';
import { ASYNC_TO_SYNC, bridgeAt, calleeName, qualifiedCallee, type Bridge, type PythonContext } from '../semantics.js';
import { bridgesUntilShutdown, isEntryPoint, perCallFunction } from '../once.js';
import { callArguments, child, namedChildren, unwrap, walk, type PyNode } from '../tree.js';

export interface PythonSyncWrapperOptions {
  bridgeHelpers?: string[];
  allowRunner?: boolean;
}

export interface PythonSyncWrapper {
  name: string;
  sibling: string;
  bridge: Bridge | { kind: 'async-to-sync'; label: string };
  inline: boolean;
  range: { start: number; end: number };
}

const NEVER_WRAPPERS = new Set(['__init__', '__new__', '__del__', '__init_subclass__', '__post_init__']);

export function detectSyncWrapper(ctx: PythonContext, options: PythonSyncWrapperOptions): Finding[] {
  const findings: Finding[] = [];
  for (const wrapper of findPythonSyncWrappers(ctx, options)) {
    const runner = wrapper.bridge.kind === 'runner';
    if (runner && options.allowRunner) continue;
    findings.push({
      ruleId: 'no-sync-wrapper',
      messageId: wrapper.inline ? 'syncWrapperInline' : runner ? 'syncWrapperRunner' : 'syncWrapper',
      data: { name: wrapper.name, sibling: wrapper.sibling, bridge: wrapper.bridge.label },
      start: wrapper.range.start,
      end: wrapper.range.end,
    });
  }
  return findings;
}

/** Every sync wrapper in the file: `def`s whose body only bridges to an async sibling, and bridge factories bound to a name. */
export function findPythonSyncWrappers(ctx: PythonContext, options: PythonSyncWrapperOptions = {}): PythonSyncWrapper[] {
  const helpers = new Set(options.bridgeHelpers ?? []);
  const found: PythonSyncWrapper[] = [];
  for (const fn of ctx.facts.functions) {
    const wrapper = wrapperOf(ctx, fn, helpers);
    if (wrapper) found.push(wrapper);
  }
  found.push(...boundFactories(ctx));
  return found.sort((a, b) => a.range.start - b.range.start);
}

function isDocstring(statement: PyNode): boolean {
  const expr = namedChildren(statement)[0];
  return statement.type === 'expression_statement' && (expr?.type === 'string' || expr?.type === 'concatenated_string');
}

function wrapperOf(ctx: PythonContext, fn: PyFunction, helpers: ReadonlySet<string>): PythonSyncWrapper | undefined {
  if (fn.isLambda || fn.isAsync || fn.isGenerator || NEVER_WRAPPERS.has(fn.name) || isEntryPoint(ctx, fn)) return undefined;
  const body = fn.body.filter((statement, i) => !(i === 0 && isDocstring(statement)));
  // Code that runs once (a program's main, a function only called from one, a thread's or process's body) wraps no calls.
  if (body.length > 0 && perCallFunction(ctx, body[0]!) === undefined) return undefined;
  let inline: PyFunction | undefined;
  let statements = body;
  if (body.length >= 2) {
    const first = body[0]!.type === 'decorated_definition' ? child(body[0], 'definition') : body[0]!;
    const nested = first ? ctx.facts.functionOf(first) : undefined;
    if (nested?.isAsync && !nested.isGenerator) {
      inline = nested;
      statements = body.slice(1);
    }
  }
  const expression = bridgedExpression(statements);
  if (!expression) return undefined;
  const bridge = bridgeAt(ctx, expression, helpers);
  if (!bridge?.carried || bridge.call !== unwrapAwaitless(expression)) return undefined;
  // `def serve(): asyncio.run(serve_async())` where that serves until shutdown: a program's main, not a wrapper of a call.
  if (bridgesUntilShutdown(ctx, bridge)) return undefined;
  const carried = coreCoroutine(ctx, bridge.carried);
  const nameNode = child(fn.node, 'name')!;
  const range = { start: nameNode.start, end: nameNode.end };
  const params = new Set(fn.params.map((p) => p.replace(/^\*+/, '')));
  if (bridge.form === 'coroutine') {
    if (carried.type !== 'call') return undefined;
    const callee = unwrap(child(carried, 'function'))!;
    if (inline) {
      if (callee.type !== 'identifier' || callee.text !== inline.name) return undefined;
      return { name: fn.displayName, sibling: inline.name, bridge, inline: true, range };
    }
    if (callee.type === 'identifier' && params.has(callee.text!)) return undefined; // a helper: runs what it is given
    if (!isSibling(ctx, callee)) return undefined;
    return { name: fn.displayName, sibling: calleeName(carried) ?? ctx.facts.shortText(callee), bridge, inline: false, range };
  }
  if (inline) {
    if (carried.type !== 'identifier' || carried.text !== inline.name) return undefined;
    // `trio.from_thread.run(inner, async_fn)` where `inner` awaits what it is handed: a runner's entry, running its caller's work.
    const handed = callArguments(bridge.call)
      .positional.slice(1)
      .some((a) => unwrap(a)?.type === 'identifier' && params.has(unwrap(a)!.text!));
    if (handed && awaitsParameter(inline)) return undefined;
    return { name: fn.displayName, sibling: inline.name, bridge, inline: true, range };
  }
  if (carried.type !== 'identifier' && carried.type !== 'attribute') return undefined;
  if (carried.type === 'identifier' && params.has(carried.text!)) return undefined;
  if (!isSibling(ctx, carried)) return undefined;
  const sibling = carried.type === 'attribute' ? child(carried, 'attribute')!.text! : carried.text!;
  return { name: fn.displayName, sibling, bridge, inline: false, range };
}

/** Wrappers of a coroutine that change only how it is awaited: `asyncio.wait_for(c, t)` runs `c`. */
const COROUTINE_WRAPPERS = new Set(['asyncio.wait_for', 'asyncio.shield', 'asyncio.ensure_future', 'asyncio.create_task', 'asyncio.tasks.wait_for']);

function coreCoroutine(ctx: PythonContext, carried: PyNode): PyNode {
  let current = unwrap(carried)!;
  while (current.type === 'call' && COROUTINE_WRAPPERS.has(qualifiedCallee(ctx, current) ?? '')) {
    const inner = callArguments(current).positional[0];
    if (!inner) break;
    current = unwrap(inner)!;
  }
  return current;
}

function unwrapAwaitless(node: PyNode): PyNode | undefined {
  return unwrap(node);
}

/** `return X`, `X` alone, or `r = X; return r`: the expression a wrapper's body consists of. */
function bridgedExpression(statements: PyNode[]): PyNode | undefined {
  if (statements.length === 1) {
    const only = statements[0]!;
    if (only.type === 'return_statement' || only.type === 'expression_statement') {
      const value = namedChildren(only)[0];
      return value?.type === 'assignment' ? undefined : value;
    }
    return undefined;
  }
  if (statements.length === 2 && statements[0]!.type === 'expression_statement' && statements[1]!.type === 'return_statement') {
    const assignment = namedChildren(statements[0])[0];
    const returned = unwrap(namedChildren(statements[1])[0]);
    if (assignment?.type !== 'assignment') return undefined;
    const left = child(assignment, 'left');
    if (left?.type === 'identifier' && returned?.type === 'identifier' && returned.text === left.text) return child(assignment, 'right');
  }
  return undefined;
}

/**
 * Whether the callee of the coroutine is an async sibling: not a function the project declares
 * as plain sync. A bridge's contract makes what it is handed a coroutine (asyncio.run raises
 * otherwise), so an unresolved callee (an SDK method) counts.
 */
function isSibling(ctx: PythonContext, callee: PyNode): boolean {
  const resolved = ctx.project.resolve(ctx.facts, callee);
  if (resolved?.kind === 'function') return resolved.fn.isAsync;
  if (resolved?.kind === 'class') return false;
  return true;
}

/**
 * `get_user_sync = async_to_sync(get_user)` at module or class scope, or `self.get_sync =
 * async_to_sync(self.aget)`: a bridge factory applied to an async function and bound to a name.
 */
function boundFactories(ctx: PythonContext): PythonSyncWrapper[] {
  const found: PythonSyncWrapper[] = [];
  walk(ctx.facts.root, (node) => {
    if (node.type !== 'assignment') return true;
    const right = unwrap(child(node, 'right'));
    const left = child(node, 'left');
    if (right?.type !== 'call' || !left || !ASYNC_TO_SYNC.has(qualifiedCallee(ctx, right) ?? '')) return true;
    const target = callArguments(right).positional[0];
    const ref = unwrap(target);
    if (!ref || (ref.type !== 'identifier' && ref.type !== 'attribute') || !isSibling(ctx, ref)) return true;
    const enclosing = ctx.facts.enclosing(node);
    // Inside a function, only `self.x = ...` binds a lasting name (a local is a per-call bridge: no-sync-bridge's).
    if (enclosing && left.type !== 'attribute') return true;
    // A bridge over what the function was handed (`AsyncToSync(send)` of an ASGI callable) adapts a caller's function, not a sibling.
    if (ref.type === 'identifier' && ctx.facts.lookup(ref.text!, ref)?.bindings.some((b) => b.kind === 'param')) return true;
    const owner = classOfStatement(ctx, node);
    const name =
      left.type === 'attribute'
        ? `${enclosing?.cls?.name ?? ctx.facts.shortText(child(left, 'object')!)}.${child(left, 'attribute')!.text}`
        : owner
          ? `${owner}.${ctx.facts.textOf(left)}`
          : ctx.facts.textOf(left);
    const sibling = ref.type === 'attribute' ? child(ref, 'attribute')!.text! : ref.text!;
    found.push({ name, sibling, bridge: { kind: 'async-to-sync', label: `'${ctx.facts.shortText(child(right, 'function')!)}'` }, inline: false, range: { start: left.start, end: left.end } });
    return true;
  });
  return found;
}

function classOfStatement(ctx: PythonContext, node: PyNode): string | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === 'function_definition' || current.type === 'lambda') return undefined;
    if (current.type === 'class_definition') return ctx.facts.classOf(current)?.name;
  }
  return undefined;
}

/** Whether an async function awaits (or calls and awaits) one of its own parameters. */
function awaitsParameter(fn: PyFunction): boolean {
  const params = new Set(fn.params.map((p) => p.replace(/^\*+/, '')));
  let found = false;
  for (const statement of fn.body) {
    walk(statement, (node) => {
      if (found) return false;
      if (node.type === 'await') {
        let target = unwrap(namedChildren(node)[0]);
        if (target?.type === 'call') target = unwrap(child(target, 'function'));
        if (target?.type === 'identifier' && params.has(target.text!)) found = true;
      }
      return true;
    });
  }
  return found;
}
