import { type FileFacts, type FunctionLike, normalizeModule, propertyNameText, skipOuterExpressions } from './facts.js';
import { callCannotReject, functionCannotReject, returnedFunctions } from './cannot-reject.js';
import { localFunction } from './local-modules.js';
import { DEFAULT_KNOWN_SAFE_CALLS, type NoFloatingPromiseOptions } from './meta/no-floating-promise.js';
import type { TS } from './types.js';
import type { TypeHandle, TypeQuestions } from './type-questions.js';

/**
 * Floating promises, as facts: what no-floating-promise reports, what its `spawn(...)` fix
 * (fixes/spawn.ts) rewrites, and what migrate's second pass fixes.
 */

/** Why a statement's value floats. */
export type FloatingReason =
  /** A Promise (typed: by type; untyped: a call known to return one). */
  | 'promise'
  /** A thenable that is not a Promise (typed mode only). */
  | 'thenable'
  /** `x.then(onFulfilled)` — the chain's rejection has no handler (`x.catch()` with no handler is `promise`). */
  | 'then-without-rejection-handler'
  /** `.catch(h)` / `.then(f, h)` where `h` is not a function, so JavaScript ignores it. */
  | 'non-function-rejection-handler'
  /** An array of promises (`items.map(async ...)`) thrown away. */
  | 'promise-array'
  /** `void promise` while `allowVoid` is off. */
  | 'void';

/** What kind of caller drops the promise an async callback returns. */
export type DropperKind = 'iteration' | 'event' | 'timer' | 'observable' | 'executor' | 'scheduler';

interface FloatingBase {
  /** The function the floating work is written in; undefined at module scope. */
  enclosingFunction: FunctionLike | undefined;
  /** Whether `await` is allowed where the work starts (the nearest function is `async`). */
  inAsyncContext: boolean;
}

/** An expression whose promise is computed and thrown away. */
export interface FloatingStatement extends FloatingBase {
  kind: 'statement';
  reason: FloatingReason;
  /** The promise-valued expression that floats: the whole statement, or a part (`a(), b()`, `c ? p() : q()`). */
  node: TS.Expression;
  /** The expression whose value is discarded: an expression statement's expression, or `void p` as an arrow body. */
  discarded: TS.Expression;
  /** The expression statement, when the value is discarded by one. */
  statement: TS.ExpressionStatement | undefined;
  dropper?: undefined;
}

/** An async (or promise-returning) function handed to a caller that ignores what it returns. */
export interface FloatingCallback extends FloatingBase {
  kind: 'callback';
  /** The function literal, observer method, or the reference naming a known async function. */
  node: TS.Expression | TS.MethodDeclaration;
  /** The call (or `new`) that receives the callback. */
  call: TS.CallExpression | TS.NewExpression;
  /** Canonical name of the dropper: `forEach`, `on`, `addEventListener`, `setInterval`, `process.nextTick`, `subscribe`, `tap`, `Promise`, `schedule`, `CronJob`, ... */
  dropper: string;
  dropperKind: DropperKind;
  /** Whether the callback is declared `async` (else it is a reference or returns a promise). */
  isAsyncFunction: boolean;
}

export type FloatingPromise = FloatingStatement | FloatingCallback;

const EVENT_METHODS = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'addEventListener']);
const TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask']);
const SCHEDULE_CALLS = new Set(['schedule', 'scheduleJob']);
const OBSERVER_KEYS = new Set(['next', 'error', 'complete']);

/**
 * Every floating promise of a file: statements whose promise nobody awaits, returns or handles,
 * and async functions handed to callers that drop their result. Structured so a later rewrite
 * (`spawn(...)` from loop-audit/runtime) can recompute its edits from the same facts.
 */
export function findFloatingPromises(facts: FileFacts, options: NoFloatingPromiseOptions = {}): FloatingPromise[] {
  return new Finder(facts, resolveOptions(options)).run();
}

export type ResolvedOptions = Required<NoFloatingPromiseOptions>;

export function resolveOptions(options: NoFloatingPromiseOptions): ResolvedOptions {
  return {
    allowVoid: options.allowVoid ?? true,
    allowForKnownSafeCalls: options.allowForKnownSafeCalls ?? [...DEFAULT_KNOWN_SAFE_CALLS],
    allowForKnownSafePromises: options.allowForKnownSafePromises ?? [],
    checkCallbacks: options.checkCallbacks ?? true,
    checkThenables: options.checkThenables ?? false,
  };
}

interface Unhandled {
  reason: FloatingReason;
  node: TS.Expression;
}

interface DropperMatch {
  dropper: string;
  kind: DropperKind;
  candidates: (TS.Expression | TS.MethodDeclaration)[];
}

class Finder {
  private readonly ts: FileFacts['ts'];
  private readonly types: TypeQuestions | undefined;
  private readonly found: FloatingPromise[] = [];

  constructor(
    private readonly facts: FileFacts,
    private readonly options: ResolvedOptions,
  ) {
    this.ts = facts.ts;
    this.types = facts.types;
  }

  run(): FloatingPromise[] {
    const ts = this.ts;
    const visit = (node: TS.Node): void => {
      if (ts.isExpressionStatement(node)) this.checkDiscarded(node.expression, node);
      else if (ts.isArrowFunction(node) && !this.options.allowVoid && ts.isVoidExpression(node.body)) {
        // `() => void save()` discards the promise just like a `void save();` statement.
        this.checkDiscarded(node.body, undefined);
      }
      if (this.options.checkCallbacks && (ts.isCallExpression(node) || ts.isNewExpression(node))) this.checkCallbacks(node);
      ts.forEachChild(node, visit);
    };
    visit(this.facts.sourceFile);
    return this.found;
  }

  // ------------------------------------------------------------------ statements

  private checkDiscarded(discarded: TS.Expression, statement: TS.ExpressionStatement | undefined): void {
    const ts = this.ts;
    const top = skipParentheses(ts, discarded);
    if (ts.isCallExpression(top) && this.isKnownSafeCallee(top.expression)) return;
    const unhandled = this.unhandled(discarded);
    if (!unhandled) return;
    // Asked only of statements that would be reported: a resolved signature is a round trip to TypeScript 7.
    if (statement && ts.isCallExpression(top) && (this.returnsItsArgumentKeptLater(top, statement) || this.isFluentCallOnKeptObject(top))) return;
    // A call whose promise cannot reject loses nothing by floating.
    if ((unhandled.reason === 'promise' || unhandled.reason === 'thenable') && ts.isCallExpression(unhandled.node) && callCannotReject(this.facts, unhandled.node)) return;
    this.found.push({
      kind: 'statement',
      reason: unhandled.reason,
      node: unhandled.node,
      discarded,
      statement,
      ...this.context(discarded),
    });
  }

  /** The part of `expression` whose promise is left unhandled, if any. */
  private unhandled(expression: TS.Expression): Unhandled | undefined {
    const ts = this.ts;
    // Typed mode mirrors typescript-eslint: the type of the written expression decides, so
    // `p as unknown` is a deliberate opt-out. Untyped, casts don't change what the value is.
    const expr = this.types ? skipParentheses(ts, expression) : skipOuterExpressions(ts, expression);
    if (ts.isBinaryExpression(expr)) {
      const operator = expr.operatorToken.kind;
      if (operator >= ts.SyntaxKind.FirstAssignment && operator <= ts.SyntaxKind.LastAssignment) return undefined;
      // Every operand of a comma expression is evaluated and dropped.
      if (operator === ts.SyntaxKind.CommaToken) return this.unhandled(expr.left) ?? this.unhandled(expr.right);
    }
    if (ts.isVoidExpression(expr)) {
      if (this.options.allowVoid) return undefined;
      const inner = this.unhandled(expr.expression);
      return inner && { reason: 'void', node: inner.node };
    }
    if (this.isPromiseArray(expr)) return { reason: 'promise-array', node: expr };
    if (ts.isAwaitExpression(expr)) return undefined;
    if (ts.isConditionalExpression(expr)) {
      if (this.types && !this.promiseKind(expr)) return undefined;
      return this.unhandled(expr.whenFalse) ?? this.unhandled(expr.whenTrue);
    }
    if (ts.isBinaryExpression(expr) && isLogicalOperator(ts, expr.operatorToken.kind)) {
      if (this.types && !this.promiseKind(expr)) return undefined;
      return this.unhandled(expr.left) ?? this.unhandled(expr.right);
    }
    if (ts.isCallExpression(expr)) return this.unhandledCall(expr);
    const kind = this.types ? this.promiseKind(expr) : this.facts.isPromiseValued(expr) ? 'promise' : undefined;
    return kind && { reason: kind, node: expr };
  }

  private unhandledCall(call: TS.CallExpression): Unhandled | undefined {
    const ts = this.ts;
    const method = calledMethod(ts, call);
    let kind: 'promise' | 'thenable' | undefined;
    if (this.types) {
      kind = this.promiseKind(call);
      if (!kind) return undefined;
    } else if (this.facts.isPromiseValued(call)) {
      kind = 'promise';
    } else if (method?.name === 'then' && call.arguments.length > 0 && !this.isNotAPromiseChain(method.receiver)) {
      // Untyped, `.then(onFulfilled)` is a promise chain whatever its receiver is.
      kind = 'promise';
    } else return undefined;

    if (method?.name === 'catch' || method?.name === 'then') {
      const args = call.arguments;
      const handlerIndex = method.name === 'catch' ? 0 : 1;
      const spread = args.slice(0, handlerIndex + 1).some((arg) => ts.isSpreadElement(arg));
      const handler = spread ? undefined : args[handlerIndex];
      if (handler === undefined) {
        return { reason: method.name === 'then' && args.length > 0 ? 'then-without-rejection-handler' : kind, node: call };
      }
      return this.isFunctionValue(handler) ? undefined : { reason: 'non-function-rejection-handler', node: call };
    }
    if (method?.name === 'finally') {
      // `.finally` passes the rejection through: the chain is as handled as its receiver.
      return this.unhandled(method.receiver);
    }
    return { reason: kind, node: call };
  }

  /** Cypress chains (`cy.get(...).then(...)`) look like promises but are queued commands. */
  private isNotAPromiseChain(receiver: TS.Expression): boolean {
    const ts = this.ts;
    let root: TS.Expression = receiver;
    for (;;) {
      root = skipOuterExpressions(ts, root);
      if (ts.isCallExpression(root)) root = root.expression;
      else if (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = root.expression;
      else break;
    }
    return this.facts.refersToGlobal(root, 'cy');
  }

  private isFunctionValue(handler: TS.Expression): boolean {
    const ts = this.ts;
    if (this.types) {
      const types = this.types;
      // A handler whose type is unknown (`any` from an untyped module) is taken at its word.
      const type = types.typeAt(handler);
      if (types.isAnyOrUnknown(type)) return true;
      return types.callSignatures(types.apparentType(type)).length > 0 || types.callSignatures(type).length > 0;
    }
    const expr = skipOuterExpressions(ts, handler);
    // Without types only a value that is plainly not a function is known to be ignored.
    if (ts.isIdentifier(expr) && expr.text === 'undefined') return false;
    return !(
      expr.kind === ts.SyntaxKind.NullKeyword ||
      expr.kind === ts.SyntaxKind.TrueKeyword ||
      expr.kind === ts.SyntaxKind.FalseKeyword ||
      ts.isLiteralExpression(expr) ||
      ts.isObjectLiteralExpression(expr) ||
      ts.isArrayLiteralExpression(expr) ||
      ts.isVoidExpression(expr)
    );
  }

  /** Typed: whether the expression's type is a Promise, another thenable, or neither. */
  private promiseKind(expr: TS.Expression): 'promise' | 'thenable' | undefined {
    return this.typePromiseKind(this.types!.typeAt(expr));
  }

  private typePromiseKind(type: TypeHandle): 'promise' | 'thenable' | undefined {
    const types = this.types!;
    const parts = types.unionParts(type);
    let thenable = false;
    let promise = false;
    for (const part of parts) {
      if (this.isKnownSafePromiseType(part)) continue;
      if (!this.facts.isThenableType(part)) continue;
      if (isBuiltinPromise(types, types.apparentType(part))) promise = true;
      else if (this.options.checkThenables || this.isChainingThenable(part)) thenable = true;
    }
    return promise ? 'promise' : thenable ? 'thenable' : undefined;
  }

  /**
   * A thenable that behaves like a promise chain: its `then` returns a thenable (a query builder,
   * a `PromiseLike`). Not one whose `then` returns nothing (a framework reply object), and not a
   * type branded safe to float for linters (fastify's `SafePromiseLike`: `__linterBrands`).
   */
  private isChainingThenable(type: TypeHandle): boolean {
    const types = this.types!;
    const apparent = types.apparentType(type);
    if (types.propertyOfType(apparent, '__linterBrands')) return false;
    const then = types.propertyOfType(apparent, 'then');
    if (!then) return false;
    const thenType = types.typeOfSymbolAt(then, this.facts.sourceFile);
    return types.callSignatures(thenType).some((signature) => {
      const returned = types.returnType(signature);
      return !types.isAny(returned) && this.facts.isThenableType(returned);
    });
  }

  /**
   * `Object.defineProperties(p, …)`, `Object.assign(p, …)`: the statement hands back `p`, made
   * elsewhere, which the same block returns or awaits afterwards.
   */
  private returnsItsArgumentKeptLater(call: TS.CallExpression, statement: TS.ExpressionStatement): boolean {
    const ts = this.ts;
    const callee = skipOuterExpressions(ts, call.expression);
    if (!ts.isPropertyAccessExpression(callee) || !this.facts.refersToGlobal(callee.expression, 'Object')) return false;
    if (!['defineProperty', 'defineProperties', 'assign', 'setPrototypeOf'].includes(callee.name.text)) return false;
    const first = call.arguments[0] && skipOuterExpressions(ts, call.arguments[0]);
    if (!first || !ts.isIdentifier(first)) return false;
    const block = statement.parent;
    if (!block || !(ts.isBlock(block) || ts.isSourceFile(block))) return false;
    const later = block.statements.slice(block.statements.indexOf(statement) + 1);
    const keeps = (expression: TS.Expression | undefined): boolean => {
      if (!expression) return false;
      let expr = skipOuterExpressions(ts, expression);
      if (ts.isAwaitExpression(expr)) expr = skipOuterExpressions(ts, expr.expression);
      return ts.isIdentifier(expr) && expr.text === first.text;
    };
    return later.some((s) => (ts.isReturnStatement(s) && keeps(s.expression)) || (ts.isExpressionStatement(s) && ts.isAwaitExpression(s.expression) && keeps(s.expression)));
  }

  /**
   * Typed: `query.where(…)` where the method returns `this`: the statement starts nothing, it
   * configures an object that a variable (or `this`) keeps. A chain that builds its object in the
   * statement (`knex('users').where(…)`) still floats.
   */
  private isFluentCallOnKeptObject(call: TS.CallExpression): boolean {
    const ts = this.ts;
    const types = this.types;
    if (!types) return false;
    let current: TS.Expression = call;
    for (;;) {
      const expr = skipOuterExpressions(ts, current);
      if (!ts.isCallExpression(expr) || !ts.isPropertyAccessExpression(expr.expression)) break;
      if (!types.resolvesToThisReturning(expr)) return false;
      current = expr.expression.expression;
    }
    const root = skipOuterExpressions(ts, current);
    return (
      root !== call &&
      (ts.isIdentifier(root) || root.kind === ts.SyntaxKind.ThisKeyword || (ts.isPropertyAccessExpression(root) && skipOuterExpressions(ts, root.expression).kind === ts.SyntaxKind.ThisKeyword))
    );
  }

  private isKnownSafePromiseType(type: TypeHandle): boolean {
    const names = this.options.allowForKnownSafePromises;
    if (names.length === 0) return false;
    const candidates = [this.types!.aliasSymbolName(type), this.types!.symbolName(type)];
    return candidates.some((name) => name !== undefined && names.includes(name));
  }

  private isPromiseArray(expr: TS.Expression): boolean {
    const ts = this.ts;
    const types = this.types;
    if (types) {
      for (const constituent of types.unionParts(types.typeAt(expr))) {
        const part = types.apparentType(constituent);
        if (types.isArrayOrTupleType(part)) {
          const elements = types.typeArguments(part);
          if (elements.some((element) => this.typePromiseKind(element) !== undefined)) return true;
        }
      }
      return false;
    }
    const inner = skipOuterExpressions(ts, ts.isAwaitExpression(expr) ? expr.expression : expr);
    if (ts.isArrayLiteralExpression(inner)) {
      return inner.elements.some((element) => !ts.isSpreadElement(element) && !ts.isOmittedExpression(element) && this.facts.isPromiseValued(element));
    }
    if (!ts.isCallExpression(inner) || inner.arguments.length === 0) return false;
    const method = calledMethod(ts, inner);
    return (method?.name === 'map' || method?.name === 'flatMap') && this.returnsPromise(inner.arguments[0]!);
  }

  // ------------------------------------------------------------------ callbacks

  /** A callback whose promise cannot reject (its whole async body is a try/catch that does not rethrow). */
  private callbackCannotReject(candidate: TS.Expression | TS.MethodDeclaration): boolean {
    const ts = this.ts;
    if (ts.isMethodDeclaration(candidate)) return functionCannotReject(this.facts, candidate);
    let expr = skipOuterExpressions(ts, candidate);
    if (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr)) return functionCannotReject(this.facts, expr);
    // `this.handle.bind(this)`, `handle`: the function it names.
    if (ts.isCallExpression(expr) && calledMethod(ts, expr)?.name === 'bind') expr = skipOuterExpressions(ts, calledMethod(ts, expr)!.receiver);
    else if (ts.isCallExpression(expr)) {
      // `connectHandler(self)`: a factory of this project; the functions it returns decide.
      const factory = localFunction(this.facts, expr.expression);
      const made = factory && returnedFunctions(factory.facts, factory.fn);
      return made !== undefined && made.length > 0 && made.every((fn) => functionCannotReject(factory!.facts, fn));
    }
    const local = localFunction(this.facts, expr);
    return local !== undefined && functionCannotReject(local.facts, local.fn);
  }

  private checkCallbacks(call: TS.CallExpression | TS.NewExpression): void {
    const match = this.matchDropper(call);
    if (!match || this.isKnownSafeCallee(call.expression)) return;
    for (const candidate of match.candidates) {
      const isAsync = hasAsyncModifier(this.ts, this.ts.isMethodDeclaration(candidate) ? candidate : skipOuterExpressions(this.ts, candidate));
      if (!this.returnsPromise(candidate)) continue;
      if (this.expectsPromise(candidate, match.dropper)) continue;
      if (this.callbackCannotReject(candidate)) continue;
      // A non-async executor's return value is ignored by the Promise, not its thrown errors: only an async one loses them.
      if (match.kind === 'executor' && !isAsync) continue;
      this.found.push({
        kind: 'callback',
        node: candidate,
        call,
        dropper: match.dropper,
        dropperKind: match.kind,
        isAsyncFunction: isAsync,
        ...this.context(call),
      });
    }
  }

  private matchDropper(call: TS.CallExpression | TS.NewExpression): DropperMatch | undefined {
    const ts = this.ts;
    const facts = this.facts;
    const args: readonly TS.Expression[] = call.arguments ?? [];
    const callee = skipOuterExpressions(ts, call.expression);
    const name = ts.isIdentifier(callee) ? callee.text : memberName(ts, callee);
    if (ts.isNewExpression(call)) {
      if (facts.refersToGlobal(callee, 'Promise')) return { dropper: 'Promise', kind: 'executor', candidates: args.slice(0, 1) };
      if (name === 'CronJob') return { dropper: 'CronJob', kind: 'scheduler', candidates: args.slice(1) };
      return undefined;
    }
    const ref = facts.resolve(callee);
    if (ref?.kind === 'global' && ref.path.length === 0 && TIMERS.has(ref.name)) return { dropper: ref.name, kind: 'timer', candidates: args.slice(0, 1) };
    if (ref?.kind === 'module' && ref.module === 'timers' && ref.path.length === 1 && TIMERS.has(ref.path[0]!)) {
      return { dropper: ref.path[0]!, kind: 'timer', candidates: args.slice(0, 1) };
    }
    const isNextTick =
      (ref?.kind === 'global' && ref.name === 'process' && ref.path.length === 1 && ref.path[0] === 'nextTick') ||
      (ref?.kind === 'module' && ref.module === 'process' && ref.path.at(-1) === 'nextTick');
    if (isNextTick) return { dropper: 'process.nextTick', kind: 'timer', candidates: args.slice(0, 1) };
    if (name === undefined) return undefined;
    // `events.once(emitter, 'x')` and the like are the promise-returning module functions.
    if (ref?.kind === 'module' && ref.module === 'events') return undefined;
    const isMember = !ts.isIdentifier(callee);
    if (isMember && name === 'forEach') return { dropper: 'forEach', kind: 'iteration', candidates: args.slice(0, 1) };
    // jQuery-style delegation puts the handler third (`.on('click', '.row', handler)`).
    if (isMember && EVENT_METHODS.has(name) && args.length >= 2) return { dropper: name, kind: 'event', candidates: args.slice(1) };
    if (isMember && name === 'subscribe') return { dropper: 'subscribe', kind: 'observable', candidates: this.observerCallbacks(args) };
    if (name === 'tap' && this.isRxTap(call, ref)) return { dropper: 'tap', kind: 'observable', candidates: this.observerCallbacks(args) };
    if (SCHEDULE_CALLS.has(name) && args.length >= 2 && this.looksLikeSchedule(args[0]!)) return { dropper: name, kind: 'scheduler', candidates: args.slice(1) };
    return undefined;
  }

  /**
   * Cron-style `schedule(expression, task)`: the first argument is a schedule (a string, or a
   * name holding one), not an options object as in Bottleneck's `schedule(options, task)`,
   * which awaits its task.
   */
  private looksLikeSchedule(first: TS.Expression): boolean {
    const ts = this.ts;
    const expr = skipOuterExpressions(ts, first);
    return ts.isStringLiteralLike(expr) || ts.isTemplateExpression(expr) || ts.isIdentifier(expr) || ts.isPropertyAccessExpression(expr) || ts.isNewExpression(expr);
  }

  /** `tap` imported from RxJS, or any `tap(...)` written inside a `.pipe(...)`. */
  private isRxTap(call: TS.CallExpression, ref: ReturnType<FileFacts['resolve']>): boolean {
    const ts = this.ts;
    if (ref?.kind === 'module') return ref.module === 'rxjs' || ref.module.startsWith('rxjs/');
    const parent = call.parent;
    return parent !== undefined && ts.isCallExpression(parent) && parent.arguments.includes(call) && memberName(ts, parent.expression) === 'pipe';
  }

  /** RxJS accepts `(next, error, complete)` functions or an observer `{ next, error, complete }`. */
  private observerCallbacks(args: readonly TS.Expression[]): (TS.Expression | TS.MethodDeclaration)[] {
    const ts = this.ts;
    const first = args[0] && skipOuterExpressions(ts, args[0]);
    if (first && ts.isObjectLiteralExpression(first)) {
      const callbacks: (TS.Expression | TS.MethodDeclaration)[] = [];
      for (const property of first.properties) {
        const key = property.name && propertyNameText(ts, property.name);
        if (key === undefined || !OBSERVER_KEYS.has(key)) continue;
        if (ts.isPropertyAssignment(property)) callbacks.push(property.initializer);
        else if (ts.isMethodDeclaration(property)) callbacks.push(property);
        else if (ts.isShorthandPropertyAssignment(property)) callbacks.push(property.name);
      }
      return callbacks;
    }
    return args.slice(0, 3);
  }

  /** Whether calling this function (literal, method, or a reference) yields a promise. */
  private returnsPromise(candidate: TS.Expression | TS.MethodDeclaration): boolean {
    const ts = this.ts;
    const facts = this.facts;
    const node = ts.isMethodDeclaration(candidate) ? candidate : skipOuterExpressions(ts, candidate);
    if (ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      if (hasAsyncModifier(ts, node)) return true;
      // `() => spawn(task)`: the callback hands back a promise that is safe to drop.
      if (ts.isArrowFunction(node) && !ts.isBlock(node.body)) {
        const body = skipParentheses(ts, node.body);
        if (ts.isCallExpression(body) && this.isKnownSafeCallee(body.expression)) return false;
      }
      if (this.types) {
        const signature = this.types.signatureOfDeclaration(node);
        return signature !== undefined && this.typePromiseKind(this.types.returnType(signature)) !== undefined;
      }
      if (facts.isAsyncFunction(node)) return true;
      // `() => this.refresh()` hands back the promise `refresh` returns.
      return ts.isArrowFunction(node) && !ts.isBlock(node.body) && facts.isPromiseValued(node.body);
    }
    if (!ts.isIdentifier(node) && !ts.isPropertyAccessExpression(node) && !ts.isCallExpression(node)) return false;
    const types = this.types;
    if (types) {
      const signatures = types.callSignatures(types.typeAt(node));
      return signatures.length > 0 && signatures.every((signature) => this.typePromiseKind(types.returnType(signature)) !== undefined);
    }
    return this.isKnownAsyncReference(node);
  }

  /** Untyped: `pollAsync`, `this.handleAsync`, `this.handleAsync.bind(this)`, an imported async export. */
  private isKnownAsyncReference(expression: TS.Expression): boolean {
    const ts = this.ts;
    const facts = this.facts;
    let expr = skipOuterExpressions(ts, expression);
    if (ts.isCallExpression(expr)) {
      const method = calledMethod(ts, expr);
      if (method?.name !== 'bind') return false;
      expr = skipOuterExpressions(ts, method.receiver);
    }
    if (ts.isIdentifier(expr) && facts.asyncFunctionNames.has(expr.text) && !facts.imports.has(expr.text)) return true;
    if (ts.isPropertyAccessExpression(expr) && expr.expression.kind === ts.SyntaxKind.ThisKeyword) return facts.asyncMethodNames.has(expr.name.text);
    const ref = facts.resolve(expr);
    if (ref?.kind === 'module' && ref.path.length === 1 && facts.moduleFacts) {
      return facts.moduleFacts.asyncExports(facts.sourceFile.fileName, ref.module)?.has(ref.path[0]!) ?? false;
    }
    return false;
  }

  /**
   * Typed: the callee declares that its callback may return a promise (`() => void | Promise<void>`),
   * so it presumably awaits it — Emittery's `on`, Node streams' `forEach`. A callback typed to return
   * `any` or `unknown` (`@octokit/webhooks`' handlers, which it awaits) does not say it drops the
   * result either: only a `void` return does, as for typescript-eslint's no-misused-promises. Except
   * `addEventListener`: an EventTarget ignores what its listeners return (DOM and its imitations
   * type them `=> any`). Untyped: unknown, so no.
   */
  private expectsPromise(candidate: TS.Expression | TS.MethodDeclaration, dropper: string): boolean {
    const types = this.types;
    if (!types) return false;
    const ts = this.ts;
    const contextual = ts.isMethodDeclaration(candidate) ? this.contextualTypeOfMethod(candidate) : types.contextualType(candidate);
    if (!contextual) return false;
    for (const constituent of types.unionParts(contextual)) {
      for (const signature of types.callSignatures(types.apparentType(constituent))) {
        const returned = types.returnType(signature);
        if ((dropper !== 'addEventListener' && types.isAnyOrUnknown(returned)) || this.typePromiseKind(returned) !== undefined) return true;
      }
    }
    return false;
  }

  /** `{ async next(e) { ... } }`: the type the object literal's context gives to `next`. */
  private contextualTypeOfMethod(method: TS.MethodDeclaration): TypeHandle | undefined {
    const types = this.types!;
    const ts = this.ts;
    const key = propertyNameText(ts, method.name);
    if (key === undefined || !ts.isObjectLiteralExpression(method.parent)) return undefined;
    const objectType = types.contextualType(method.parent);
    const property = objectType && types.propertyOfType(types.apparentType(objectType), key);
    return property && types.typeOfSymbolAt(property, method);
  }

  // ------------------------------------------------------------------ shared

  private context(node: TS.Node): FloatingBase {
    return { enclosingFunction: this.facts.enclosingFunction(node), inAsyncContext: awaitAllowed(this.ts, node) };
  }

  /** `allowForKnownSafeCalls`: a written name (or its root) or a `module#export` import. */
  private isKnownSafeCallee(calleeExpression: TS.Expression): boolean {
    const entries = this.options.allowForKnownSafeCalls;
    if (entries.length === 0) return false;
    const ts = this.ts;
    const callee = skipOuterExpressions(ts, calleeExpression);
    const written = writtenPath(ts, callee);
    const ref = this.facts.resolve(callee);
    for (const entry of entries) {
      const hash = entry.lastIndexOf('#');
      if (hash > 0) {
        if (ref?.kind !== 'module' || ref.module !== normalizeModule(entry.slice(0, hash))) continue;
        const exported = entry.slice(hash + 1);
        // `#default` is the default import itself; a named export also covers its members
        // (`describe.skip` of `node:test#describe`).
        if (exported === 'default' ? ref.path.length === 0 : exported.split('.').every((segment, i) => ref.path[i] === segment)) return true;
      } else if (written !== undefined && (written === entry || written.startsWith(entry + '.'))) return true;
    }
    return false;
  }
}

function skipParentheses(ts: FileFacts['ts'], expression: TS.Expression): TS.Expression {
  let expr = expression;
  while (ts.isParenthesizedExpression(expr)) expr = expr.expression;
  return expr;
}

function isLogicalOperator(ts: FileFacts['ts'], kind: TS.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.AmpersandAmpersandToken || kind === ts.SyntaxKind.BarBarToken || kind === ts.SyntaxKind.QuestionQuestionToken;
}

function memberName(ts: FileFacts['ts'], expression: TS.Expression): string | undefined {
  const expr = skipOuterExpressions(ts, expression);
  if (ts.isPropertyAccessExpression(expr)) return expr.name.text;
  if (ts.isElementAccessExpression(expr) && ts.isStringLiteralLike(expr.argumentExpression)) return expr.argumentExpression.text;
  return undefined;
}

/** `receiver.name(...)` of a call, with `name` read from `.name` or `['name']`. */
function calledMethod(ts: FileFacts['ts'], call: TS.CallExpression): { name: string; receiver: TS.Expression } | undefined {
  const callee = skipOuterExpressions(ts, call.expression);
  const name = memberName(ts, callee);
  if (name === undefined) return undefined;
  return { name, receiver: (callee as TS.PropertyAccessExpression | TS.ElementAccessExpression).expression };
}

/** `describe.only` for `describe.only(...)`; undefined for computed callees. */
function writtenPath(ts: FileFacts['ts'], expression: TS.Expression): string | undefined {
  const expr = skipOuterExpressions(ts, expression);
  if (ts.isIdentifier(expr)) return expr.text;
  if (expr.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (ts.isPropertyAccessExpression(expr)) {
    const base = writtenPath(ts, expr.expression);
    return base === undefined ? undefined : `${base}.${expr.name.text}`;
  }
  return undefined;
}

export function hasAsyncModifier(ts: FileFacts['ts'], fn: TS.Node): boolean {
  return ts.canHaveModifiers(fn) && (ts.getModifiers(fn)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) ?? false);
}

/** Whether `await` may be written at `node`: inside an `async` function, not across a class static block. */
function awaitAllowed(ts: FileFacts['ts'], node: TS.Node): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if (ts.isClassStaticBlockDeclaration(current)) return false;
    if (ts.isFunctionLike(current)) return hasAsyncModifier(ts, current);
  }
  return false;
}

/** The global `Promise` (or a class derived from it), as opposed to some other thenable. */
function isBuiltinPromise(types: TypeQuestions, type: TypeHandle, depth = 0): boolean {
  if (depth > 8) return false;
  const intersected = types.intersectionParts(type);
  if (intersected) return intersected.some((part) => isBuiltinPromise(types, part, depth + 1));
  const name = types.symbolName(type);
  if (name === undefined) return false;
  if (name === 'Promise') return true;
  return (types.classOrInterfaceBaseTypes(type) ?? []).some((base) => isBuiltinPromise(types, base, depth + 1));
}
