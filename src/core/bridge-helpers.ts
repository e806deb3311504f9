import path from 'node:path';
import { bridgeFactoryKind, bridgeSites, type BridgeKind, type BridgeSite } from './bridges.js';
import { FileFacts, skipOuterExpressions, type FunctionLike } from './facts.js';
import { resolveRelativeModule } from './module-facts.js';
import type { TS } from './types.js';

/**
 * Bridge helpers: the project's own `_run_async`. A helper is a non-async function that ends in
 * a sync bridge (deasync.loopWhile, Atomics.wait, a deasync'd or make-synchronous'd function,
 * the loop-audit runner, another helper) and hands one of its own parameters to it, so that
 * callers can write `return runAsync(this.listAsync(a))`. Recognised per file, and across
 * relative imports: through the type checker when there is one, by reading the module otherwise.
 */

/** How a wrapper's bridge blocks: a kind from bridges.ts, or a helper named in the rule's options. */
export type WrapperBridgeKind = BridgeKind | 'configured';

export interface BridgeHelper {
  readonly fn: FunctionLike;
  /** The name callers use: `runAsync`, or the method name `run` for `runner.run(p)`. */
  readonly name: string;
  /** Reached through a property access (`this.run(p)`, `runner.run(p)`) rather than by its bare name. */
  readonly isMethod: boolean;
  /** The bridge the helper ends in, directly or through the helpers it calls. */
  readonly kind: WrapperBridgeKind;
  /** Parameter positions the helper consumes as a promise: `.then` on it, or handed to another helper's promise position. */
  readonly promiseParams: ReadonlySet<number>;
}

export interface FileBridgeHelpers {
  readonly byFunction: ReadonlyMap<FunctionLike, BridgeHelper>;
  /** Helpers callable by a bare name (declarations, `const run = (p) => ...`). */
  readonly byName: ReadonlyMap<string, BridgeHelper>;
  /** Helpers callable as methods (class and object-literal members). */
  readonly byMethodName: ReadonlyMap<string, BridgeHelper>;
  /** Exported name → local name, for helpers looked up from another module. */
  readonly exportNames: ReadonlyMap<string, string>;
}

/** What calling a helper looks like from a call site. */
export interface HelperCall {
  readonly name: string;
  /**
   * How the call site was tied to the helper. A bare method name (`x.run(p)` because some class
   * here has a helper method `run`) is the weakest link: `db.run(sql)` may be another `run`.
   */
  readonly matchedBy?: 'symbol' | 'name' | 'method-name' | 'module' | 'option';
  readonly kind: WrapperBridgeKind;
  /** Undefined for helpers named in options: nothing is known about their parameters. */
  readonly promiseParams: ReadonlySet<number> | undefined;
}

export interface HelperOptions {
  /** Names of bridge helpers the analysis cannot see (a package's `runSync`, a generated client's). */
  readonly bridgeHelpers?: readonly string[];
}

const PROMISE_METHODS = new Set(['then', 'catch', 'finally']);
const RUNTIME_MODULE = 'loop-audit/runtime';

const helperCache = new WeakMap<FileFacts, Map<string, FileBridgeHelpers>>();

/** The bridge helpers declared in a file. Computed once per file and options, as every wrapper check asks. */
export function bridgeHelpers(facts: FileFacts, options: HelperOptions = {}): FileBridgeHelpers {
  const key = (options.bridgeHelpers ?? []).join('\0');
  let perOptions = helperCache.get(facts);
  if (!perOptions) helperCache.set(facts, (perOptions = new Map<string, FileBridgeHelpers>()));
  const cached = perOptions.get(key);
  if (cached) return cached;
  // A placeholder while computing, so mutually importing modules don't recurse forever.
  const empty: FileBridgeHelpers = { byFunction: new Map(), byName: new Map(), byMethodName: new Map(), exportNames: new Map() };
  perOptions.set(key, empty);
  const computed = computeHelpers(facts, options);
  perOptions.set(key, computed);
  return computed;
}

function computeHelpers(facts: FileFacts, options: HelperOptions): FileBridgeHelpers {
  const ts = facts.ts;
  const candidates: FunctionLike[] = [];
  const visit = (node: TS.Node): void => {
    if (isHelperCandidate(facts, node)) candidates.push(node);
    ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);

  const byFunction = new Map<FunctionLike, BridgeHelper>();
  const byName = new Map<string, BridgeHelper>();
  const byMethodName = new Map<string, BridgeHelper>();
  const result: FileBridgeHelpers = { byFunction, byName, byMethodName, exportNames: exportNames(facts) };
  const add = (fn: FunctionLike, kind: WrapperBridgeKind, promiseParams: Set<number>): void => {
    const name = facts.callableName(fn);
    if (name === undefined) return;
    const isMethod = isMemberFunction(ts, fn);
    const helper: BridgeHelper = { fn, name, isMethod, kind, promiseParams };
    byFunction.set(fn, helper);
    (isMethod ? byMethodName : byName).set(name, helper);
  };

  // Helpers that end in a bridge themselves.
  const sitesByFunction = new Map<FunctionLike, BridgeSite[]>();
  for (const site of bridgeSites(facts)) {
    const owner = facts.enclosingFunction(site.node);
    if (!owner) continue;
    const list = sitesByFunction.get(owner);
    if (list) list.push(site);
    else sitesByFunction.set(owner, [site]);
  }
  const pending: FunctionLike[] = [];
  for (const fn of candidates) {
    const direct = directBridge(facts, fn, sitesByFunction.get(fn) ?? []);
    if (direct) add(fn, direct.kind, direct.promiseParams);
    else pending.push(fn);
  }
  // Helpers that hand a parameter on to another helper (`runAsync(p, t) { return runBlocking(p, t) }`),
  // until no more appear: each round can only add helpers, so this ends.
  for (let changed = true; changed;) {
    changed = false;
    for (let i = pending.length - 1; i >= 0; i--) {
      const fn = pending[i]!;
      const forwarded = forwardingToHelper(facts, fn, result, options);
      if (!forwarded) continue;
      add(fn, forwarded.kind, forwarded.promiseParams);
      pending.splice(i, 1);
      changed = true;
    }
  }
  return result;
}

function isHelperCandidate(facts: FileFacts, node: TS.Node): node is FunctionLike {
  const ts = facts.ts;
  if (!facts.isFunctionLike(node) || ts.isConstructorDeclaration(node) || !node.body) return false;
  if (node.parameters.length === 0 || facts.isAsyncFunction(node)) return false;
  return !((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) && node.asteriskToken);
}

function isMemberFunction(ts: FileFacts['ts'], fn: FunctionLike): boolean {
  if (ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) return true;
  const parent = fn.parent;
  if (parent === undefined) return false;
  if (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return true;
  // `this.run = function (p) {...}`, `Runner.prototype.run = ...`: called as a member too.
  return ts.isBinaryExpression(parent) && ts.isPropertyAccessExpression(skipOuterExpressions(ts, parent.left));
}

/** Calls made by `fn` itself: not those inside nested functions, which run at another time. */
function ownCalls(facts: FileFacts, fn: FunctionLike): TS.CallExpression[] {
  const ts = facts.ts;
  const calls: TS.CallExpression[] = [];
  const visit = (node: TS.Node): void => {
    if (node !== fn && facts.isFunctionLike(node)) return;
    if (ts.isCallExpression(node)) calls.push(node);
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return calls;
}

function parameterIndex(facts: FileFacts, fn: FunctionLike, expression: TS.Expression | undefined): number | undefined {
  if (!expression) return undefined;
  const ts = facts.ts;
  let expr = skipOuterExpressions(ts, expression);
  if (ts.isSpreadElement(expr)) expr = skipOuterExpressions(ts, expr.expression);
  if (!ts.isIdentifier(expr)) return undefined;
  const index = fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === expr.text);
  return index >= 0 ? index : undefined;
}

/** Parameters `fn` treats as promises: `p.then(...)`, `p.catch(...)`, `Promise.resolve(p)`. */
function promiseParameters(facts: FileFacts, fn: FunctionLike): Set<number> {
  const ts = facts.ts;
  const found = new Set<number>();
  const visit = (node: TS.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = skipOuterExpressions(ts, node.expression);
      if (ts.isPropertyAccessExpression(callee)) {
        if (PROMISE_METHODS.has(callee.name.text)) {
          const index = parameterIndex(facts, fn, callee.expression);
          if (index !== undefined) found.add(index);
        } else if (callee.name.text === 'resolve' && facts.refersToGlobal(callee.expression, 'Promise')) {
          const index = parameterIndex(facts, fn, node.arguments[0]);
          if (index !== undefined) found.add(index);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/**
 * The bridge `fn` ends in itself, if it has one and a parameter reaches it: a parameter used as
 * a promise (the `_run_async(coro)` shape) or passed straight to the bridge (`makeSynchronous(fn)(...args)`).
 * Without that, a function that merely contains a bridge call (a sync wrapper, a sync caller)
 * is not something one hands a promise to.
 */
function directBridge(facts: FileFacts, fn: FunctionLike, sites: readonly BridgeSite[]): { kind: BridgeKind; promiseParams: Set<number> } | undefined {
  const ts = facts.ts;
  const first = sites[0];
  if (!first) return undefined;
  let reachesBridge = false;
  for (const site of sites) {
    if (!ts.isCallExpression(site.node)) continue;
    // What the bridge blocks on: `runSync(p)`'s argument, but for a factory called at once,
    // `makeSynchronous(fn)(...args)`, the factory's argument. The outer arguments are just
    // forwarded (`fetch(...args) { return deasync(this.fetchPage)(...args) }` is a wrapper).
    const callee = skipOuterExpressions(ts, site.node.expression);
    const bridged = ts.isCallExpression(callee) ? callee.arguments : site.node.arguments;
    if (bridged.some((argument) => parameterIndex(facts, fn, argument) !== undefined)) reachesBridge = true;
  }
  const kind = first.kind;
  const promiseParams = promiseParameters(facts, fn);
  if (reachesBridge || promiseParams.size > 0) return { kind, promiseParams };
  // A body that is more than one forwarding expression and works with its parameters around a
  // bridge (posts them to a worker, then `Atomics.wait`s) is a helper too. A single forwarding
  // expression that only feeds its parameters into a sibling's call is a sync wrapper instead.
  if (forwardedExpression(ts, fn) === undefined && usesParameter(facts, fn)) return { kind, promiseParams };
  return undefined;
}

function usesParameter(facts: FileFacts, fn: FunctionLike): boolean {
  const ts = facts.ts;
  const names = new Set<string>();
  for (const parameter of fn.parameters) if (ts.isIdentifier(parameter.name)) names.add(parameter.name.text);
  let used = false;
  const visit = (node: TS.Node): void => {
    if (used) return;
    if (ts.isIdentifier(node) && names.has(node.text)) used = true;
    else ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return used;
}

/**
 * The one expression a pure forwarding body evaluates: `return E`, `E;` (a void wrapper),
 * `const r = E; return r;`, or an arrow's expression body (`void E` included).
 */
export function forwardedExpression(ts: FileFacts['ts'], fn: FunctionLike): TS.Expression | undefined {
  const body = fn.body;
  if (!body) return undefined;
  if (!ts.isBlock(body)) return unwrapVoid(ts, body);
  const statements = body.statements.filter((statement) => !ts.isEmptyStatement(statement));
  if (statements.length === 1) {
    const only = statements[0]!;
    if (ts.isReturnStatement(only)) return only.expression && unwrapVoid(ts, only.expression);
    if (ts.isExpressionStatement(only)) return unwrapVoid(ts, only.expression);
    return undefined;
  }
  if (statements.length === 2) {
    const [first, second] = statements as [TS.Statement, TS.Statement];
    if (!ts.isVariableStatement(first) || !ts.isReturnStatement(second) || !second.expression) return undefined;
    const declarations = first.declarationList.declarations;
    if (declarations.length !== 1) return undefined;
    const declaration = declarations[0]!;
    const returned = skipOuterExpressions(ts, second.expression);
    if (!ts.isIdentifier(declaration.name) || !declaration.initializer || !ts.isIdentifier(returned) || returned.text !== declaration.name.text) return undefined;
    return declaration.initializer;
  }
  return undefined;
}

function unwrapVoid(ts: FileFacts['ts'], expression: TS.Expression): TS.Expression {
  const expr = skipOuterExpressions(ts, expression);
  return ts.isVoidExpression(expr) ? expr.expression : expr;
}

/** `fn` passes one of its parameters to a known helper: it is a helper of the same kind. */
function forwardingToHelper(facts: FileFacts, fn: FunctionLike, helpers: FileBridgeHelpers, options: HelperOptions): { kind: WrapperBridgeKind; promiseParams: Set<number> } | undefined {
  for (const call of ownCalls(facts, fn)) {
    // Only a call that hands on one of `fn`'s parameters can make `fn` a helper, whatever it
    // calls: don't ask the checker (or read modules) about the others.
    if (!call.arguments.some((argument) => parameterIndex(facts, fn, argument) !== undefined)) continue;
    const helper = resolveHelperCall(facts, call, options, helpers);
    if (!helper) continue;
    const promiseParams = promiseParameters(facts, fn);
    // What the helper blocks on is its promise parameter, or by convention its first argument
    // (`run_async(coro, timeout)`, `runSync(fn, ...args)`). A parameter landing elsewhere is an
    // argument forwarded to the sibling: `findOrderSync(id) { return runSync(findOrder, id) }`
    // is a sync wrapper, not a helper.
    const known = helper.promiseParams !== undefined && helper.promiseParams.size > 0 ? helper.promiseParams : new Set([0]);
    let reaches = false;
    call.arguments.forEach((argument, position) => {
      const index = parameterIndex(facts, fn, argument);
      if (index === undefined || !known.has(position)) return;
      reaches = true;
      if (helper.promiseParams?.has(position)) promiseParams.add(index);
    });
    if (reaches) return { kind: helper.kind, promiseParams };
  }
  return undefined;
}

// ---------------------------------------------------------------- the runner

/**
 * A call that builds a sync function on loop-audit/runtime's runner: `defineSync(url, 'name')`,
 * `syncFunction(fn)`, and the same as methods of a runner (`getRunner().defineSync(...)`,
 * `runner.syncFunction(fn)` for `const runner = createRunner()` or `new Runner()`). The runner is
 * the cure for no-sync-bridge, but a function that only forwards to it is still a sync wrapper
 * the later migration phases delete.
 */
export function runnerFactoryKind(facts: FileFacts, call: TS.CallExpression): 'runner' | undefined {
  const ts = facts.ts;
  if (bridgeFactoryKind(facts, call) === 'runner') return 'runner';
  const callee = skipOuterExpressions(ts, call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !RUNNER_FACTORIES.has(callee.name.text)) return undefined;
  return isRunnerValue(facts, callee.expression) ? 'runner' : undefined;
}
const RUNNER_FACTORIES = new Set(['defineSync', 'syncFunction']);

function isRunnerValue(facts: FileFacts, expression: TS.Expression): boolean {
  const ts = facts.ts;
  const expr = skipOuterExpressions(ts, expression);
  if (ts.isCallExpression(expr)) return facts.refersTo(expr.expression, RUNTIME_MODULE, 'getRunner') || facts.refersTo(expr.expression, RUNTIME_MODULE, 'createRunner');
  if (ts.isNewExpression(expr)) return facts.refersTo(expr.expression, RUNTIME_MODULE, 'Runner');
  const name = ts.isIdentifier(expr) ? expr.text : ts.isPropertyAccessExpression(expr) && expr.expression.kind === ts.SyntaxKind.ThisKeyword ? expr.name.text : undefined;
  return name !== undefined && runnerBindings(facts).has(name);
}

const runnerBindingCache = new WeakMap<FileFacts, ReadonlySet<string>>();

/** Names assigned a runner: `const runner = getRunner()`, `this.runner = createRunner(opts)`, `runner = new Runner()`. */
function runnerBindings(facts: FileFacts): ReadonlySet<string> {
  const cached = runnerBindingCache.get(facts);
  if (cached) return cached;
  const ts = facts.ts;
  const names = new Set<string>();
  runnerBindingCache.set(facts, names);
  const visit = (node: TS.Node): void => {
    let name: string | undefined;
    let value: TS.Expression | undefined;
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) [name, value] = [node.name.text, node.initializer];
    else if ((ts.isPropertyDeclaration(node) || ts.isPropertyAssignment(node)) && (ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name))) [name, value] = [node.name.text, node.initializer];
    else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = skipOuterExpressions(ts, node.left);
      name = ts.isIdentifier(left) ? left.text : ts.isPropertyAccessExpression(left) ? left.name.text : undefined;
      value = node.right;
    }
    if (name && value) {
      const runner = skipOuterExpressions(ts, value);
      if ((ts.isCallExpression(runner) || ts.isNewExpression(runner)) && isRunnerValue(facts, runner)) names.add(name);
    }
    ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  return names;
}

// ---------------------------------------------------------------- call sites

/**
 * The helper a call invokes, if it is one: by the checker's symbol when there is a checker (which
 * also reaches helpers in other files of the program), else by name in this file, else by
 * reading the relative module it was imported from. Names from the options match last.
 */
export function resolveHelperCall(facts: FileFacts, call: TS.CallExpression, options: HelperOptions = {}, local: FileBridgeHelpers = bridgeHelpers(facts, options)): HelperCall | undefined {
  const ts = facts.ts;
  const callee = skipOuterExpressions(ts, call.expression);
  const nameNode = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
  if (!nameNode || !ts.isIdentifier(nameNode)) return undefined;

  const typed = facts.types ? helperBySymbol(facts, nameNode, options, local) : undefined;
  if (typed !== undefined) return typed ? { ...typed, matchedBy: typed.matchedBy ?? 'symbol' } : undefined;

  if (ts.isIdentifier(callee)) {
    const imported = facts.imports.get(callee.text);
    if (imported?.kind === 'module') {
      const found = helperFromModule(facts, imported.module, imported.path, false, options);
      if (found) return { ...found, matchedBy: 'module' };
    } else {
      const found = local.byName.get(callee.text);
      if (found) return { ...found, matchedBy: 'name' };
    }
  } else if (ts.isPropertyAccessExpression(callee)) {
    const found = local.byMethodName.get(callee.name.text);
    if (found) return { ...found, matchedBy: 'method-name' };
    // `ns.runAsync(p)` for `import * as ns from './x.js'`, `getRunner().run(p)` for an imported factory.
    const root = rootModule(facts, callee.expression);
    if (root) {
      const viaModule = helperFromModule(facts, root.module, [...root.path, callee.name.text], root.called, options);
      if (viaModule) return { ...viaModule, matchedBy: 'module' };
    }
  }
  if (options.bridgeHelpers?.includes(nameNode.text)) return { name: nameNode.text, kind: 'configured', promiseParams: undefined, matchedBy: 'option' };
  return undefined;
}

const typedLookups = new WeakSet<TS.SourceFile>();

/**
 * Whether looking up helpers for calls in this file has asked the type checker, at any time. A
 * file's helpers are computed once and cached, often while another file is analysed (the one that
 * calls into it), so a scanner that watches the checker only while it analyses this file would
 * miss that this file's findings depend on types too (its cache must then key them on its imports).
 */
export function helperLookupUsedChecker(sourceFile: TS.SourceFile): boolean {
  return typedLookups.has(sourceFile);
}

/**
 * Typed lookup: `false` when the checker found a declaration that is not a helper (so a same-named
 * helper elsewhere must not match), `undefined` when it found nothing (fall back to names).
 */
function helperBySymbol(facts: FileFacts, nameNode: TS.Identifier, options: HelperOptions, local: FileBridgeHelpers): HelperCall | false | undefined {
  const ts = facts.ts;
  const types = facts.types!;
  typedLookups.add(facts.sourceFile);
  const declarations = types.declarationsOf(nameNode);
  if (!declarations || declarations.total === 0) return undefined;
  // Declarations in declaration files (.d.ts) carry no code: never a helper.
  for (const declaration of declarations.inSource) {
    const fn = facts.declaredFunction(declaration);
    if (!fn) continue;
    const file = declaration.getSourceFile();
    if (file === facts.sourceFile) {
      const found = local.byFunction.get(fn);
      if (found) return found;
      continue;
    }
    const found = bridgeHelpers(FileFacts.of({ ts, sourceFile: file, types }), options).byFunction.get(fn);
    if (found) return found;
  }
  if (options.bridgeHelpers?.includes(nameNode.text)) return { name: nameNode.text, kind: 'configured', promiseParams: undefined, matchedBy: 'option' };
  return false;
}

/** The relative module an expression comes from: `ns` → ns's module, `getRunner()` → its module, called. */
function rootModule(facts: FileFacts, expression: TS.Expression): { module: string; path: readonly string[]; called: boolean } | undefined {
  const ts = facts.ts;
  const expr = skipOuterExpressions(ts, expression);
  if (ts.isCallExpression(expr)) {
    const ref = facts.resolve(expr.expression);
    return ref?.kind === 'module' ? { module: ref.module, path: ref.path, called: true } : undefined;
  }
  const ref = facts.resolve(expr);
  return ref?.kind === 'module' ? { module: ref.module, path: ref.path, called: false } : undefined;
}

/**
 * A helper exported by a relative module, read from disk (the untyped mode has no program).
 * `path` is what the call site names: `[runAsync]` for a named import, `[]` for a default one,
 * `[getRunner, run]` for `getRunner().run(p)` — there, the last segment is looked up as a method.
 */
function helperFromModule(facts: FileFacts, specifier: string, memberPath: readonly string[], called: boolean, options: HelperOptions): BridgeHelper | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = moduleHelpers(facts, specifier, options);
  if (!target) return undefined;
  if (memberPath.length <= 1 && !called) {
    const exported = memberPath[0] ?? 'default';
    const localName = target.exportNames.get(exported) ?? exported;
    return target.byName.get(localName);
  }
  const method = memberPath[memberPath.length - 1]!;
  return target.byMethodName.get(method) ?? (memberPath.length === 2 && !called ? target.byName.get(method) : undefined);
}

function moduleHelpers(facts: FileFacts, specifier: string, options: HelperOptions): FileBridgeHelpers | undefined {
  const fromFile = facts.sourceFile.fileName;
  if (!path.isAbsolute(fromFile)) return undefined;
  const file = resolveRelativeModule(fromFile, specifier);
  const module = file === undefined ? undefined : facts.otherFile(file);
  return module && bridgeHelpers(module, options);
}

/** Exported name → local name: `export { run as runAsync }`, `export default runAsync`, `exports.runAsync = run`. */
function exportNames(facts: FileFacts): Map<string, string> {
  const ts = facts.ts;
  const names = new Map<string, string>();
  const hasModifier = (node: TS.Node, kind: TS.SyntaxKind): boolean => ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
  for (const statement of facts.sourceFile.statements) {
    if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name && hasModifier(statement, ts.SyntaxKind.DefaultKeyword)) {
      names.set('default', statement.name.text);
    } else if (ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression)) {
      names.set('default', statement.expression.text);
    } else if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) names.set(element.name.text, (element.propertyName ?? element.name).text);
    } else if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const { left, right } = statement.expression;
      const target = skipOuterExpressions(ts, left);
      const value = skipOuterExpressions(ts, right);
      if (ts.isPropertyAccessExpression(target) && ts.isIdentifier(value) && /^(?:module\.)?exports$/.test(target.expression.getText(facts.sourceFile))) {
        names.set(target.name.text, value.text);
      } else if (target.getText(facts.sourceFile) === 'module.exports') {
        if (ts.isIdentifier(value)) names.set('default', value.text);
        else if (ts.isObjectLiteralExpression(value)) {
          for (const property of value.properties) {
            if (ts.isShorthandPropertyAssignment(property)) names.set(property.name.text, property.name.text);
            else if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && ts.isIdentifier(property.initializer)) {
              names.set(property.name.text, property.initializer.text);
            }
          }
        }
      }
    }
  }
  return names;
}
