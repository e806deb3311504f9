import { bridgeHelpers, forwardedExpression, resolveHelperCall, runnerFactoryKind, type FileBridgeHelpers, type HelperCall, type WrapperBridgeKind } from '../bridge-helpers.js';
import { blockingCallKind, bridgeFactoryKind } from '../bridges.js';
import { defineDetector } from '../detector.js';
import { noSyncWrapperMeta, type NoSyncWrapperMessageId, type NoSyncWrapperOptions } from '../meta/no-sync-wrapper.js';
import { propertyNameText, skipOuterExpressions, type FileFacts, type FunctionLike } from '../facts.js';
import type { Finding, TS } from '../types.js';
import type { SignatureHandle } from '../type-questions.js';

/** The wrapper as declared: a function or method, or a binding of a bridge factory's result. */
export type SyncWrapperNode = Exclude<FunctionLike, TS.ConstructorDeclaration> | TS.VariableDeclaration | TS.PropertyDeclaration | TS.PropertyAssignment | TS.BinaryExpression;

/**
 * One sync wrapper, structured for the rule and for the migrate codemod that will delete it.
 *
 * - `form: 'forward'`: a function whose whole body forwards to the bridge
 *   (`list(a) { return runAsync(this.listAsync(a)) }`); `node` is that function.
 * - `form: 'binding'`: a bridge factory's result bound to a name
 *   (`const readSync = deasync(readAsync)`); `node` is the binding and `bridgeCall` the factory call.
 */
export interface SyncWrapper {
  form: 'forward' | 'binding';
  node: SyncWrapperNode;
  /** Offsets of the wrapper's name (or, when it has none, its head): the reported range. */
  range: { start: number; end: number };
  /** As `FileFacts.functionName` names functions: `Repo.list`, `readSync`, `exports.readSync`. */
  name: string;
  /** `listForUserAsync` for `this.listForUserAsync(a)`; `<async function>` for an inline one. */
  siblingName: string;
  /**
   * How the sibling appears: `call` (a promise handed to the bridge: `this.listAsync(a)`),
   * `reference` (a function handed to a factory: `readAsync`, `this.xAsync.bind(this)`),
   * `inline` (an async function written in place), `export-name` (the runner's `'listEvents'`).
   */
  siblingForm: 'call' | 'reference' | 'inline' | 'export-name';
  /** The expression that names the sibling, as written. */
  sibling: TS.Expression;
  /** For `siblingForm: 'call'`: the sibling's call, whose arguments the wrapper forwards. */
  siblingCall: TS.CallExpression | undefined;
  /** The call that blocks: `runAsync(...)`, `deasync(fn)(...args)`, or the factory call of a binding. */
  bridgeCall: TS.CallExpression;
  bridgeKind: WrapperBridgeKind;
  /** The bridge helper's name when the wrapper blocks through one (`runAsync`). */
  viaHelper?: string;
}

const ASYNC_NAME = /Async$/;
const SYNC_NAME = /Sync$/;
const CALLBACK_PARAMETER = /^(?:cb|callback|done|next)$/i;
const PROMISE_METHODS = new Set(['then', 'catch', 'finally']);
/** Node built-ins that take a completion callback: what `deasync(fs.readFile)` turns into a blocking call. */
const NODE_CALLBACK_APIS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  [
    'fs',
    new Set([
      'readFile',
      'writeFile',
      'appendFile',
      'readdir',
      'stat',
      'lstat',
      'mkdir',
      'rm',
      'rmdir',
      'unlink',
      'rename',
      'access',
      'copyFile',
      'open',
      'close',
      'read',
      'write',
      'realpath',
      'readlink',
      'mkdtemp',
    ]),
  ],
  ['dns', new Set(['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveMx', 'resolveTxt', 'resolveSrv', 'reverse'])],
  ['zlib', new Set(['gzip', 'gunzip', 'deflate', 'inflate', 'deflateRaw', 'inflateRaw', 'unzip', 'brotliCompress', 'brotliDecompress'])],
  ['crypto', new Set(['randomBytes', 'randomFill', 'pbkdf2', 'scrypt', 'generateKeyPair', 'hkdf'])],
  ['child_process', new Set(['exec', 'execFile'])],
]);
const INLINE_SIBLING = '<async function>';

const KIND_TEXT: Readonly<Record<WrapperBridgeKind, string>> = {
  deasync: 'deasync',
  'deasync-loop': 'deasync',
  'make-synchronous': 'make-synchronous',
  synckit: 'synckit',
  'sync-rpc': 'sync-rpc',
  'sync-threads': 'sync-threads',
  'do-sync': 'do-sync',
  fibers: 'fibers',
  'atomics-wait': 'Atomics.wait',
  'exec-node': 'a node child process',
  'busy-wait': 'a busy-wait loop',
  'receive-message-poll': 'a receiveMessageOnPort loop',
  'sync-message-port': 'a SyncMessagePort',
  'pseudo-bridge': 'a .then() pseudo-bridge',
  'process-wait': 'a loop waiting on a node process',
  'local-bridge': "the project's own bridge",
  runner: '@loop-audit/runtime',
  configured: 'a configured bridge helper',
};

interface Application {
  bridgeCall: TS.CallExpression;
  bridgeKind: WrapperBridgeKind;
  viaHelper?: string;
  sibling: Sibling;
}

interface Sibling {
  form: SyncWrapper['siblingForm'];
  expression: TS.Expression;
  call: TS.CallExpression | undefined;
  name: string;
}

const wrapperCache = new WeakMap<FileFacts, Map<string, SyncWrapper[]>>();

/**
 * Every sync wrapper in a file, in source order: non-async functions whose body only forwards to
 * a sync bridge applied to an async sibling, and bindings of a bridge factory applied to one.
 * Functions that do anything besides forwarding (log, retry, catch, map the result) are not
 * reported: deleting them would change behaviour, so they are the developer's call, not debt
 * the codemod can remove.
 */
export function findSyncWrappers(facts: FileFacts, options: NoSyncWrapperOptions = {}): SyncWrapper[] {
  const key = (options.bridgeHelpers ?? []).join('\0');
  let perOptions = wrapperCache.get(facts);
  if (!perOptions) wrapperCache.set(facts, (perOptions = new Map<string, SyncWrapper[]>()));
  const cached = perOptions.get(key);
  if (cached) return cached;
  const found = new SyncWrapperFinder(facts, options).find();
  perOptions.set(key, found);
  return found;
}

class SyncWrapperFinder {
  private readonly ts: FileFacts['ts'];
  private readonly helpers: FileBridgeHelpers;
  private localFunctionNames: { declared: ReadonlySet<string>; callbackStyle: ReadonlySet<string> } | undefined;

  constructor(
    private readonly facts: FileFacts,
    private readonly options: NoSyncWrapperOptions,
  ) {
    this.ts = facts.ts;
    this.helpers = bridgeHelpers(facts, options);
  }

  find(): SyncWrapper[] {
    const ts = this.ts;
    const found: SyncWrapper[] = [];
    const visit = (node: TS.Node): void => {
      const wrapper = this.facts.isFunctionLike(node) ? this.matchForward(node) : this.matchBinding(node);
      if (wrapper) found.push(wrapper);
      ts.forEachChild(node, visit);
    };
    visit(this.facts.sourceFile);
    return found.sort((a, b) => a.range.start - b.range.start);
  }

  // ------------------------------------------------------------ forwarding functions

  private matchForward(fn: FunctionLike): SyncWrapper | undefined {
    const ts = this.ts;
    if (ts.isConstructorDeclaration(fn) || !fn.body || this.facts.isAsyncFunction(fn)) return undefined;
    if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) && fn.asteriskToken) return undefined;
    if (this.helpers.byFunction.has(fn)) return undefined;
    const binding = ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) ? functionBinding(ts, fn) : undefined;
    if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && !binding) return undefined;
    const forwarded = forwardedExpression(ts, fn);
    if (!forwarded) return undefined;
    const name = binding ? this.bindingName(binding) : this.declaredName(fn);
    const application = this.bridgeApplication(forwarded, callablePart(name));
    if (!application) return undefined;
    return {
      form: 'forward',
      node: fn,
      range: binding ? this.bindingRange(binding, fn) : this.functionRange(fn),
      name,
      siblingName: application.sibling.name,
      siblingForm: application.sibling.form,
      sibling: application.sibling.expression,
      siblingCall: application.sibling.call,
      bridgeCall: application.bridgeCall,
      bridgeKind: application.bridgeKind,
      ...(application.viaHelper !== undefined ? { viaHelper: application.viaHelper } : {}),
    };
  }

  /** What `value` is: a sync bridge applied to an async sibling, or nothing. */
  private bridgeApplication(value: TS.Expression, wrapperName: string | undefined): Application | undefined {
    const ts = this.ts;
    const facts = this.facts;
    const call = skipOuterExpressions(ts, value);
    if (!ts.isCallExpression(call)) return undefined;
    const callee = skipOuterExpressions(ts, call.expression);

    // `deasync(this.readAsync.bind(this))(...args)`, `getRunner().defineSync(load)(path)`.
    if (ts.isCallExpression(callee)) {
      const kind = bridgeFactoryKind(facts, callee) ?? runnerFactoryKind(facts, callee);
      if (!kind) return undefined;
      const sibling = this.factorySibling(callee, kind, wrapperName);
      return sibling && { bridgeCall: call, bridgeKind: kind, sibling };
    }

    // `runSync(this.listAsync(a))` for `const runSync = deasync(...)`, `deasyncPromise(load())`.
    const blocking = blockingCallKind(facts, call);
    if (blocking) {
      const sibling = this.firstCallSibling(call.arguments, wrapperName, false);
      return sibling && { bridgeCall: call, bridgeKind: blocking, sibling };
    }

    // `runAsync(this.listForUserAsync(start, end))`: the seeds' `_run_async`.
    const helper = resolveHelperCall(facts, call, this.options, this.helpers);
    if (helper) {
      const sibling = this.helperSibling(call, helper, wrapperName);
      return sibling && { bridgeCall: call, bridgeKind: helper.kind, viaHelper: helper.name, sibling };
    }
    return undefined;
  }

  private helperSibling(call: TS.CallExpression, helper: HelperCall, wrapperName: string | undefined): Sibling | undefined {
    const promiseParams = helper.promiseParams;
    if (promiseParams && promiseParams.size > 0 && helper.matchedBy !== 'method-name') {
      // The helper treats these positions as promises: whatever call lands there yields one.
      const atPromise = call.arguments.filter((_, position) => promiseParams.has(position));
      const sibling = this.firstCallSibling(atPromise, wrapperName, true);
      if (sibling) return sibling;
    }
    // A helper taking a function (`runSync(fn, ...args)`) or whose parameters we know nothing about.
    return this.firstCallSibling(call.arguments, wrapperName, false) ?? this.firstReferenceSibling(call.arguments, 'configured', wrapperName);
  }

  // ------------------------------------------------------------ bindings of bridge factories

  private matchBinding(node: TS.Node): SyncWrapper | undefined {
    const ts = this.ts;
    let value: TS.Expression | undefined;
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) value = node.initializer;
    else if ((ts.isPropertyDeclaration(node) || ts.isPropertyAssignment(node)) && propertyNameText(ts, node.name) !== undefined) value = node.initializer;
    else if (ts.isBinaryExpression(node) && isPlainAssignment(ts, node)) value = node.right;
    if (!value) return undefined;
    const call = skipOuterExpressions(ts, value);
    if (!ts.isCallExpression(call)) return undefined;
    const kind = bridgeFactoryKind(this.facts, call) ?? runnerFactoryKind(this.facts, call);
    if (!kind) return undefined;
    const binding = node as TS.VariableDeclaration | TS.PropertyDeclaration | TS.PropertyAssignment | TS.BinaryExpression;
    const name = this.bindingName(binding);
    const sibling = this.factorySibling(call, kind, callablePart(name));
    if (!sibling) return undefined;
    return {
      form: 'binding',
      node: binding,
      range: this.bindingRange(binding, undefined),
      name,
      siblingName: sibling.name,
      siblingForm: sibling.form,
      sibling: sibling.expression,
      siblingCall: undefined,
      bridgeCall: call,
      bridgeKind: kind,
    };
  }

  /** The sibling a factory was applied to: `deasync(readAsync)`, `makeSynchronous(async () => ...)`. */
  private factorySibling(factoryCall: TS.CallExpression, kind: WrapperBridgeKind, wrapperName: string | undefined): Sibling | undefined {
    if (kind === 'runner') return this.runnerSibling(factoryCall, wrapperName);
    const first = factoryCall.arguments[0];
    return first ? this.referenceSibling(first, kind, wrapperName) : undefined;
  }

  // ------------------------------------------------------------ siblings

  private firstCallSibling(arguments_: readonly TS.Expression[], wrapperName: string | undefined, atPromiseParameter: boolean): Sibling | undefined {
    for (const argument of arguments_) {
      const sibling = this.callSibling(argument, wrapperName, atPromiseParameter);
      if (sibling) return sibling;
    }
    return undefined;
  }

  private firstReferenceSibling(arguments_: readonly TS.Expression[], kind: WrapperBridgeKind, wrapperName: string | undefined): Sibling | undefined {
    for (const argument of arguments_) {
      const sibling = this.referenceSibling(argument, kind, wrapperName);
      if (sibling) return sibling;
    }
    return undefined;
  }

  /** A call of an async sibling: `this.listForUserAsync(start, end)`, `fetchUser(id)`. Not chains or IIFEs. */
  private callSibling(argument: TS.Expression, wrapperName: string | undefined, atPromiseParameter: boolean): Sibling | undefined {
    const ts = this.ts;
    const facts = this.facts;
    const call = skipOuterExpressions(ts, argument);
    if (!ts.isCallExpression(call)) return undefined;
    const callee = skipOuterExpressions(ts, call.expression);
    if (ts.isArrowFunction(callee) || ts.isFunctionExpression(callee)) return undefined;
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
    if (name === undefined) return undefined;
    // A `.then()` chain or `Promise.all([...])` is work done in the wrapper, not a sibling.
    if (ts.isPropertyAccessExpression(callee) && (PROMISE_METHODS.has(name) || facts.refersToGlobal(callee.expression, 'Promise'))) return undefined;
    if (!this.isAsyncCall(call, callee, name, wrapperName, atPromiseParameter)) return undefined;
    return { form: 'call', expression: call, call, name: siblingDisplayName(ts, callee) };
  }

  private isAsyncCall(call: TS.CallExpression, callee: TS.Expression, name: string, wrapperName: string | undefined, atPromiseParameter: boolean): boolean {
    const ts = this.ts;
    const facts = this.facts;
    if (facts.types) {
      const type = facts.types.typeAt(call);
      if (facts.isThenableType(type)) return true;
      // A type the checker knows and that is not thenable settles it; `any` (untyped JS) does not.
      if (!facts.types.isAnyOrUnknown(type)) return false;
    }
    if (facts.isPromiseValued(call)) return true;
    if (ts.isPropertyAccessExpression(callee) && facts.asyncMethodNames.has(name)) return true;
    if (ASYNC_NAME.test(name) || (wrapperName !== undefined && isSiblingName(wrapperName, name))) return true;
    if (!atPromiseParameter) return false;
    // Handed to a helper that calls `.then` on it: a promise by the helper's contract, unless it
    // plainly is not one (a global such as `JSON.parse`, a `...Sync` function).
    const ref = facts.resolve(callee);
    return ref?.kind !== 'global' && !SYNC_NAME.test(name);
  }

  /** A function handed to a bridge factory: async (or, for deasync, callback-style) by declaration, import, type or name. */
  private referenceSibling(argument: TS.Expression, kind: WrapperBridgeKind, wrapperName: string | undefined): Sibling | undefined {
    const ts = this.ts;
    let expr = skipOuterExpressions(ts, argument);
    let callbackified = false;
    // `this.readAsync.bind(this)`, `util.callbackify(readAsync)` name the same sibling.
    while (ts.isCallExpression(expr)) {
      const callee = skipOuterExpressions(ts, expr.expression);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'bind') expr = skipOuterExpressions(ts, callee.expression);
      else if (this.facts.refersTo(callee, 'util', 'callbackify') && expr.arguments[0]) {
        expr = skipOuterExpressions(ts, expr.arguments[0]);
        callbackified = true;
      } else return undefined;
    }
    if (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr)) {
      // An inline non-async function (`deasync((cb) => ...)`) is the bridge's own plumbing.
      return this.facts.isAsyncFunction(expr) ? { form: 'inline', expression: expr, call: undefined, name: INLINE_SIBLING } : undefined;
    }
    const name = ts.isIdentifier(expr) ? expr.text : ts.isPropertyAccessExpression(expr) ? expr.name.text : undefined;
    if (name === undefined) return undefined;
    // A function the wrapper itself was handed is no sibling: that is a helper's plumbing.
    if (ts.isIdentifier(expr) && this.isParameterOfEnclosingFunction(expr)) return undefined;
    const acceptsCallbackStyle = kind === 'deasync' && !callbackified;
    if (!this.isAsyncFunctionReference(expr, name, acceptsCallbackStyle, wrapperName)) return undefined;
    return { form: 'reference', expression: expr, call: undefined, name: siblingDisplayName(ts, expr) };
  }

  private isAsyncFunctionReference(expr: TS.Expression, name: string, acceptsCallbackStyle: boolean, wrapperName: string | undefined): boolean {
    const ts = this.ts;
    const facts = this.facts;
    const types = facts.types;
    const type = types?.typeAt(expr);
    const signatures = (type && types?.callSignatures(type)) ?? [];
    if (signatures.some((signature) => facts.isThenableType(types!.returnType(signature)))) return true;
    if (acceptsCallbackStyle && signatures.some((signature) => this.takesCallback(signature))) return true;
    if (ts.isIdentifier(expr) ? facts.asyncFunctionNames.has(name) : facts.asyncMethodNames.has(name)) return true;
    // What this file declares settles it, before types of untyped JS (`any` parameters) and names.
    const local = this.localFunctions();
    if (local.callbackStyle.has(name)) return acceptsCallbackStyle;
    if (local.declared.has(name)) return false;
    // A typed function that returns no promise and takes no callback is not an async sibling.
    if (type && signatures.length > 0 && !types!.isAnyOrUnknown(type) && !signatures.some((s) => types!.isAnyOrUnknown(types!.returnType(s)))) return false;
    const ref = facts.resolve(expr);
    if (ts.isIdentifier(expr) && ref?.kind === 'module' && ref.path.length === 1 && facts.moduleFacts?.asyncExports(facts.sourceFile.fileName, ref.module)?.has(ref.path[0]!)) return true;
    if (acceptsCallbackStyle && ref?.kind === 'module' && ref.path.length === 1 && NODE_CALLBACK_APIS.get(ref.module)?.has(ref.path[0]!)) return true;
    return ASYNC_NAME.test(name) || (wrapperName !== undefined && isSiblingName(wrapperName, name));
  }

  private takesCallback(signature: SignatureHandle): boolean {
    const types = this.facts.types!;
    const last = types.parameters(signature).at(-1);
    if (!last) return false;
    const type = types.typeOfSymbolAt(last, this.facts.sourceFile);
    return types.callSignatures(type).length > 0 && CALLBACK_PARAMETER.test(types.symbolNameOf(last));
  }

  private isParameterOfEnclosingFunction(identifier: TS.Identifier): boolean {
    const ts = this.ts;
    for (let fn = this.facts.enclosingFunction(identifier); fn; fn = this.facts.enclosingFunction(fn)) {
      if (fn.parameters.some((parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === identifier.text)) return true;
    }
    return false;
  }

  /**
   * Functions and methods declared in this file, by name, and those among them whose last
   * parameter is a completion callback (`function readConfig(path, callback)`).
   */
  private localFunctions(): { declared: ReadonlySet<string>; callbackStyle: ReadonlySet<string> } {
    if (this.localFunctionNames) return this.localFunctionNames;
    const ts = this.ts;
    const declared = new Set<string>();
    const callbackStyle = new Set<string>();
    const visit = (node: TS.Node): void => {
      let fn: TS.SignatureDeclarationBase | undefined;
      let name: string | undefined;
      if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name && node.body) [fn, name] = [node, propertyNameText(ts, node.name)];
      else if ((ts.isVariableDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isPropertyAssignment(node)) && node.initializer) {
        const value = skipOuterExpressions(ts, node.initializer);
        if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) [fn, name] = [value, propertyNameText(ts, node.name)];
      }
      if (fn && name) {
        declared.add(name);
        const last = fn.parameters.at(-1);
        if (last && ts.isIdentifier(last.name) && CALLBACK_PARAMETER.test(last.name.text)) callbackStyle.add(name);
      }
      ts.forEachChild(node, visit);
    };
    visit(this.facts.sourceFile);
    return (this.localFunctionNames = { declared, callbackStyle });
  }

  /**
   * The runner loads functions by module and export name:
   * `defineSync(new URL('./graph.js', import.meta.url), 'listEvents')` wraps `listEvents`.
   */
  private runnerSibling(call: TS.CallExpression, wrapperName: string | undefined): Sibling | undefined {
    const ts = this.ts;
    const args = call.arguments;
    for (let i = 1; i < args.length; i++) {
      const exportName = skipOuterExpressions(ts, args[i]!);
      if (!ts.isStringLiteralLike(exportName) || !/^[A-Za-z_$][\w$]*$/.test(exportName.text)) continue;
      if (!args.slice(0, i).some((arg) => this.isModuleLocator(arg))) continue;
      return { form: 'export-name', expression: exportName, call: undefined, name: exportName.text };
    }
    // `defineSync(url)`: the module's default export.
    const first = args[0];
    if (first && this.isModuleLocator(first) && args[1] === undefined) return { form: 'export-name', expression: first, call: undefined, name: 'default' };
    return this.firstReferenceSibling(args, 'runner', wrapperName);
  }

  private isModuleLocator(argument: TS.Expression): boolean {
    const ts = this.ts;
    const expr = skipOuterExpressions(ts, argument);
    if (ts.isNewExpression(expr)) return this.facts.refersToGlobal(expr.expression, 'URL');
    if (ts.isStringLiteralLike(expr)) return /^(?:\.{1,2}\/|\/|file:)|\.[cm]?[jt]s$/.test(expr.text);
    if (ts.isCallExpression(expr)) {
      const text = this.facts.text(expr.expression);
      return text === 'require.resolve' || text === 'import.meta.resolve' || text === 'path.join' || text === 'path.resolve';
    }
    return ts.isPropertyAccessExpression(expr) && this.facts.text(expr) === 'import.meta.url';
  }

  // ------------------------------------------------------------ names and ranges

  /** `FileFacts.functionName`, except that `export default function () {}` is `default`. */
  private declaredName(fn: FunctionLike): string {
    const ts = this.ts;
    if (ts.isFunctionDeclaration(fn) && !fn.name && fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) return 'default';
    return this.facts.functionName(fn);
  }

  private bindingName(binding: FunctionBinding): string {
    const ts = this.ts;
    if (ts.isExportAssignment(binding)) return 'default';
    if (ts.isBinaryExpression(binding)) return this.facts.text(skipOuterExpressions(ts, binding.left));
    return propertyNameText(ts, binding.name) ?? '<computed>';
  }

  private bindingRange(binding: FunctionBinding, fn: FunctionLike | undefined): SyncWrapper['range'] {
    const ts = this.ts;
    const sourceFile = this.facts.sourceFile;
    if (ts.isExportAssignment(binding)) return { start: binding.getStart(sourceFile), end: fn ? fn.getStart(sourceFile) : binding.getEnd() };
    const target = ts.isBinaryExpression(binding) ? binding.left : binding.name;
    return { start: target.getStart(sourceFile), end: target.getEnd() };
  }

  private functionRange(fn: FunctionLike): SyncWrapper['range'] {
    const sourceFile = this.facts.sourceFile;
    const name = fn.name;
    if (name) return { start: name.getStart(sourceFile), end: name.getEnd() };
    // `export default function (id) { ... }`: the head from `function` to the parameter list's close.
    const keyword = fn.getChildren(sourceFile).find((child) => child.kind === this.ts.SyntaxKind.FunctionKeyword);
    const close = sourceFile.text.indexOf(')', fn.parameters.end);
    return { start: (keyword ?? fn).getStart(sourceFile), end: close >= 0 ? close + 1 : fn.parameters.end };
  }
}

type FunctionBinding = TS.VariableDeclaration | TS.PropertyDeclaration | TS.PropertyAssignment | TS.BinaryExpression | TS.ExportAssignment;

/** The name a function expression is bound to: `const list = (a) => ...`, `{ list: function () {} }`, `this.list = ...`. */
function functionBinding(ts: FileFacts['ts'], fn: TS.ArrowFunction | TS.FunctionExpression): FunctionBinding | undefined {
  let node: TS.Node = fn;
  while (node.parent && (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isSatisfiesExpression(node.parent))) node = node.parent;
  const parent = node.parent;
  if (!parent) return undefined;
  if (ts.isVariableDeclaration(parent) && parent.initializer === node && ts.isIdentifier(parent.name)) return parent;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.initializer === node) return parent;
  if (ts.isBinaryExpression(parent) && parent.right === node && isPlainAssignment(ts, parent)) return parent;
  if (ts.isExportAssignment(parent) && parent.expression === node) return parent;
  return undefined;
}

function isPlainAssignment(ts: FileFacts['ts'], node: TS.BinaryExpression): boolean {
  if (node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const left = skipOuterExpressions(ts, node.left);
  return ts.isIdentifier(left) || ts.isPropertyAccessExpression(left);
}

/** `Repo.list` → `list`, `exports.readSync` → `readSync`: what sibling names are compared with. */
function callablePart(name: string): string | undefined {
  if (name.startsWith('<')) return undefined;
  const dot = name.lastIndexOf('.');
  return dot >= 0 ? name.slice(dot + 1) : name;
}

/**
 * Whether `sibling` is the async twin of `wrapper` by the usual naming: `list`/`listAsync`,
 * `listForUser`/`aListForUser` (the seeds' `list_for_user`/`alist_for_user`), `readSync`/`read`.
 */
function isSiblingName(wrapper: string, sibling: string): boolean {
  const base = SYNC_NAME.test(wrapper) && wrapper.length > 4 ? wrapper.slice(0, -4) : wrapper;
  if (sibling === `${base}Async` || sibling === `a${base[0]!.toUpperCase()}${base.slice(1)}`) return true;
  return base !== wrapper && sibling === base;
}

/** `this.listAsync` → `listAsync`, `this.api.listEvents` → `api.listEvents`, `fetchUser` → `fetchUser`. */
function siblingDisplayName(ts: FileFacts['ts'], callee: TS.Expression): string {
  const expr = skipOuterExpressions(ts, callee);
  if (ts.isIdentifier(expr)) return expr.text;
  if (!ts.isPropertyAccessExpression(expr)) return '<sibling>';
  const receiver = skipOuterExpressions(ts, expr.expression);
  if (receiver.kind === ts.SyntaxKind.ThisKeyword) return expr.name.text;
  if (ts.isIdentifier(receiver)) return `${receiver.text}.${expr.name.text}`;
  if (ts.isPropertyAccessExpression(receiver)) return `${receiver.name.text}.${expr.name.text}`;
  return expr.name.text;
}

export const noSyncWrapper = defineDetector({
  meta: noSyncWrapperMeta,
  detect(facts, options) {
    const findings: Finding<NoSyncWrapperMessageId>[] = [];
    for (const wrapper of findSyncWrappers(facts, options)) {
      const runner = wrapper.bridgeKind === 'runner';
      if (runner && options.allowRunner) continue;
      const messageId = wrapper.siblingForm === 'inline' ? 'syncWrapperInline' : runner ? 'syncWrapperRunner' : 'syncWrapper';
      findings.push({
        ruleId: 'no-sync-wrapper',
        messageId,
        data: { name: wrapper.name, sibling: wrapper.siblingName, bridge: wrapper.viaHelper !== undefined ? `'${wrapper.viaHelper}'` : KIND_TEXT[wrapper.bridgeKind] },
        start: wrapper.range.start,
        end: wrapper.range.end,
      });
    }
    return findings;
  },
});
