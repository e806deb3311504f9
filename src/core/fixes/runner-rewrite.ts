import { statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { BRIDGE_ENTRIES, type RewritableBridge } from '../bridge-libraries.js';
import { skipOuterExpressions, type FileFacts, type FunctionLike } from '../facts.js';
import { sharedStateOfTarget } from '../module-state.js';
import { declarationOf } from '../scope.js';
import type { Suggestion, TextEdit, TS } from '../types.js';
import { hoist, hoistedName, hoistInsertion, isHoistable, isSelfContained, reindent, withImport } from './hoist.js';
import { codeStyle, stringLiteral } from './imports.js';
import { releasedImports, withReleasedImports } from './released-imports.js';
import { importedModuleExpression, isRelative, LOADABLE, moduleExpression, relativeSpecifier, runtimeModuleSystem } from './module-system.js';

/**
 * The rewrites of per-call bridges and deasync factories to loop-audit/runtime's runner. Every
 * rewrite here must leave a program that does what it did, on the runner's one worker: when a
 * precondition cannot be proved from the file (and, for synckit, its worker file), there is no
 * autofix; where an edit is still sensible but changes more than the bridge, it is a suggestion.
 */

export interface RunnerRewrite<MessageId extends string = never> {
  fix?: TextEdit[];
  suggestions?: Suggestion<MessageId>[];
}

/**
 * Where fixes may not import the runtime (a published library that does not depend on it), a
 * runner rewrite is offered as a suggestion instead of applied.
 */
export function runtimeGated<M extends string>(facts: FileFacts, rewrite: RunnerRewrite<M>): RunnerRewrite<M | 'runnerWithRuntime'> {
  if (facts.runtimeDependency || !rewrite.fix) return rewrite;
  return { suggestions: [{ messageId: 'runnerWithRuntime', edits: rewrite.fix }, ...(rewrite.suggestions ?? [])] };
}

/**
 * `makeSynchronous(fn)` or synckit's `createSyncFn(file)` built inside `owner` (a function that
 * runs per call): the bridge is hoisted to one module-level `const` and the call site keeps
 * using it.
 *
 * - `makeSynchronous(fn)` → `const xSync = syncFunction(fn)`: `fn` is shipped to the runner's
 *   worker as source text, exactly as make-synchronous ships it, so it must not read anything
 *   but its parameters and globals (checked, types included, since its text moves).
 * - `createSyncFn(workerFile)` → `const xSync = getRunner().defineSync(module, 'export')` when the
 *   worker file is `runAsWorker(fn)` with `fn` imported from another module: that module and
 *   export are what runs. The worker file itself cannot be the target (loading it in the runner
 *   would run `runAsWorker`, which takes over the thread's messages), so any other worker file
 *   gets a suggestion to hoist the `createSyncFn(...)` call unchanged instead.
 */
export function perCallFactoryRewrite(facts: FileFacts, call: TS.CallExpression, owner: FunctionLike, factory: RewritableBridge): RunnerRewrite<'hoistBridge'> {
  return factory === 'make-synchronous' ? makeSynchronousRewrite(facts, call, owner) : createSyncFnRewrite(facts, call, owner);
}

function makeSynchronousRewrite(facts: FileFacts, call: TS.CallExpression, owner: FunctionLike): RunnerRewrite {
  const ts = facts.ts;
  if (call.arguments.length !== 1 || call.typeArguments) return {};
  const fn = skipOuterExpressions(ts, call.arguments[0]!);
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return {};
  if (ts.isFunctionExpression(fn) && fn.asteriskToken) return {};
  if (!isSelfContained(facts, fn) || !importsOnlyBuiltins(facts, fn)) return {};
  const name = hoistedName(facts, call, owner);
  const fnText = reindent(facts, fn);
  if (fnText === undefined) return {};
  const fix = hoist(facts, name, ['syncFunction'], (local) => `${local.syncFunction}(${fnText})`, { start: call.getStart(facts.sourceFile), end: call.getEnd(), text: name });
  return fix ? { fix: releasing(facts, call, fix) } : {};
}

/** A rewrite of `call` plus the removal of the imports it was the last use of (see released-imports.ts). */
function releasing(facts: FileFacts, call: TS.CallExpression, edits: TextEdit[]): TextEdit[] {
  const replaced = [{ start: call.getStart(facts.sourceFile), end: call.getEnd() }];
  return withReleasedImports(edits, releasedImports(facts, replaced, edits.map((edit) => edit.text).join('\n')));
}

/** Whether the file is TypeScript (where a type argument can be written). */
function isTypeScript(facts: FileFacts): boolean {
  return /\.[cm]?tsx?$/.test(facts.sourceFile.fileName) && !/\.d\.[cm]?ts$/.test(facts.sourceFile.fileName);
}

/**
 * Whether every `import()` in a shipped function loads a Node built-in. The runner's worker
 * resolves any other specifier from its own module, make-synchronous from the working directory
 * (a relative path) or from wherever its evaluated code lands (a package): the same text would
 * load something else.
 */
function importsOnlyBuiltins(facts: FileFacts, fn: TS.Node): boolean {
  const ts = facts.ts;
  let ok = true;
  const visit = (node: TS.Node): void => {
    if (!ok) return;
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const specifier = node.arguments[0];
      ok = specifier !== undefined && ts.isStringLiteralLike(specifier) && (specifier.text.startsWith('node:') || isBuiltin(specifier.text));
    }
    ts.forEachChild(node, visit);
  };
  visit(fn);
  return ok;
}

function createSyncFnRewrite(facts: FileFacts, call: TS.CallExpression, owner: FunctionLike): RunnerRewrite<'hoistBridge'> {
  const sourceFile = facts.sourceFile;
  if (call.arguments.length === 0 || !isHoistable(facts, call)) return {};
  const name = hoistedName(facts, call, owner);
  const replaceCall: TextEdit = { start: call.getStart(sourceFile), end: call.getEnd(), text: name };
  // A timeout or options argument has no exact equivalent in defineSync's options.
  const target = call.arguments.length === 1 ? synckitTarget(facts, call.arguments[0]!) : undefined;
  const system = target ? runtimeModuleSystem(facts) : undefined;
  if (target && system) {
    const style = codeStyle(facts);
    // The bridged function's own type: synckit's type argument, else the type of the export it runs.
    const typeArguments = call.typeArguments
      ? `<${call.typeArguments.map((t) => facts.text(t)).join(', ')}>`
      : isTypeScript(facts) && /\.[cm]?tsx?$/.test(target.source)
        ? `<typeof import(${stringLiteral(style, target.specifier)})${target.exportName === 'default' || /^[A-Za-z_$][\w$]*$/.test(target.exportName) ? `.${target.exportName}` : `[${stringLiteral(style, target.exportName)}]`}>`
        : '';
    const fix = hoist(
      facts,
      name,
      ['getRunner'],
      (local) => `${local.getRunner}().defineSync${typeArguments}(${moduleExpression(facts, system, target.specifier)}, ${stringLiteral(style, target.exportName)})`,
      replaceCall,
    );
    if (fix) return { fix: releasing(facts, call, fix) };
  }
  const semi = codeStyle(facts).semicolon ? ';' : '';
  const insertion = hoistInsertion(facts, `const ${name} = ${facts.text(call)}${semi}`);
  if (!insertion) return {};
  return { suggestions: [{ messageId: 'hoistBridge', data: { name, what: `${facts.text(call.expression)}(...)` }, edits: [insertion, replaceCall] }] };
}

/**
 * What a synckit worker file runs: `runAsWorker(fn)` at its top level with `fn` imported from a
 * relative module. Returns that module (a path relative to the fixed file, as it is written for
 * the runtime) and the export's name.
 */
function synckitTarget(facts: FileFacts, argument: TS.Expression): { file: string; source: string; specifier: string; exportName: string } | undefined {
  const workerPath = staticModulePath(facts, argument);
  if (!workerPath) return undefined;
  const workerFile = findSource(workerPath);
  if (!workerFile) return undefined;
  const worker = facts.otherFile(workerFile);
  if (!worker) return undefined;
  const ts = facts.ts;
  const runs: TS.Expression[] = [];
  for (const statement of worker.sourceFile.statements) {
    if (!ts.isExpressionStatement(statement)) continue;
    const expr = skipOuterExpressions(ts, statement.expression);
    if (ts.isCallExpression(expr) && worker.refersTo(expr.expression, 'synckit', 'runAsWorker') && expr.arguments.length === 1) runs.push(expr.arguments[0]!);
  }
  if (runs.length !== 1) return undefined;
  const fn = skipOuterExpressions(ts, runs[0]!);
  if (!ts.isIdentifier(fn) && !ts.isPropertyAccessExpression(fn)) return undefined;
  const ref = worker.resolve(fn);
  if (ref?.kind !== 'module' || !isRelative(ref.module) || ref.path.length > 1 || !LOADABLE.test(ref.module)) return undefined;
  const targetFile = path.resolve(path.dirname(workerPath), ref.module);
  return { file: targetFile, source: findSource(targetFile) ?? targetFile, specifier: relativeSpecifier(facts.sourceFile.fileName, targetFile), exportName: ref.path[0] ?? 'default' };
}

/** The path a worker-path argument names: `new URL('./w.js', import.meta.url)`, `require.resolve('./w.js')`, `path.join(__dirname, 'w.js')`, `fileURLToPath(...)` of a URL. */
function staticModulePath(facts: FileFacts, argument: TS.Expression): string | undefined {
  const ts = facts.ts;
  const dir = path.dirname(facts.sourceFile.fileName);
  const expr = skipOuterExpressions(ts, argument);
  if (ts.isNewExpression(expr) && facts.refersToGlobal(expr.expression, 'URL') && expr.arguments?.length === 2) {
    const [relative, base] = expr.arguments;
    if (!ts.isStringLiteralLike(relative!) || !isImportMetaUrl(ts, base!) || !isRelative(relative.text) || /[?#%]/.test(relative.text)) return undefined;
    return path.resolve(dir, relative.text);
  }
  if (!ts.isCallExpression(expr)) return undefined;
  if (facts.refersTo(expr.expression, 'url', 'fileURLToPath') && expr.arguments.length === 1) return staticModulePath(facts, expr.arguments[0]!);
  const callee = skipOuterExpressions(ts, expr.expression);
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'resolve' && facts.refersToGlobal(callee.expression, 'require') && expr.arguments.length === 1) {
    const specifier = expr.arguments[0]!;
    return ts.isStringLiteralLike(specifier) && isRelative(specifier.text) ? path.resolve(dir, specifier.text) : undefined;
  }
  if ((facts.refersTo(expr.expression, 'path', 'join') || facts.refersTo(expr.expression, 'path', 'resolve')) && expr.arguments.length >= 2) {
    const [first, ...rest] = expr.arguments;
    if (!facts.refersToGlobal(first!, '__dirname') || !rest.every((part) => ts.isStringLiteralLike(part))) return undefined;
    const parts = rest.map((part) => part.text);
    if (parts.some((part) => path.isAbsolute(part))) return undefined;
    return path.join(dir, ...parts);
  }
  return undefined;
}

function isImportMetaUrl(ts: FileFacts['ts'], expression: TS.Expression): boolean {
  const expr = skipOuterExpressions(ts, expression);
  return ts.isPropertyAccessExpression(expr) && expr.name.text === 'url' && ts.isMetaProperty(expr.expression) && expr.expression.keywordToken === ts.SyntaxKind.ImportKeyword;
}

export type DeasyncRewrite = RunnerRewrite<'exportAndDefineSync' | 'defineSyncSharedState'> & { closure?: string; shared?: { fn: string; why: string } };

/**
 * A rewrite that would move the function into the worker while it shares module state with this
 * thread (module-state.ts) is not applied: it becomes a suggestion, and the finding says why.
 */
function unlessShared(facts: FileFacts, target: TS.Expression, fix: TextEdit[]): DeasyncRewrite {
  const shared = sharedStateOfTarget(facts, target);
  if (!shared) return { fix };
  const data = { fn: facts.text(target), why: shared.reason };
  return { shared: data, suggestions: [{ messageId: 'defineSyncSharedState', data, edits: fix }] };
}

/**
 * `deasync(fn)` → `getRunner().defineSync(<fn's module>, '<export>')` when `fn` is an async
 * function the runner's worker can load: imported from a relative module, or declared at the top
 * of this file and exported (the worker then loads this file, so its top level must only
 * declare things). deasync appends a Node callback to the arguments; the rewrite is exact for
 * `deasync(util.callbackify(fn))`, and for a bare async `fn` only when `fn` cannot be using that
 * callback (no parameter called or passed on as one): then deasync waited for a callback that
 * never came, and the runner returns the promise's value instead of hanging.
 *
 * A top-level async function that is not exported (ESM) gets a suggestion that exports it. A
 * closure cannot move to another thread at all: `closure` names it for the message.
 */
export function deasyncRewrite(facts: FileFacts, call: TS.CallExpression): DeasyncRewrite {
  const ts = facts.ts;
  if (call.arguments.length !== 1) return {};
  let target = skipOuterExpressions(ts, call.arguments[0]!);
  let callbackified = false;
  if (ts.isCallExpression(target) && facts.refersTo(target.expression, 'util', 'callbackify') && target.arguments.length === 1) {
    target = skipOuterExpressions(ts, target.arguments[0]!);
    callbackified = true;
  }
  if (ts.isArrowFunction(target) || ts.isFunctionExpression(target)) return { closure: 'an inline function' };
  if (!ts.isIdentifier(target) && !ts.isPropertyAccessExpression(target)) return {};
  const system = runtimeModuleSystem(facts);
  const style = codeStyle(facts);
  // `defineSync<typeof findUser>`: the replacement has the function's own parameters and result, not `any`.
  const typeArgument = isTypeScript(facts) ? `<typeof ${facts.text(target)}>` : '';
  const replace =
    (moduleText: string, exportName: string) =>
    (local: Record<string, string>): TextEdit => ({
      start: call.getStart(facts.sourceFile),
      end: call.getEnd(),
      text: `${local.getRunner}().defineSync${typeArgument}(${moduleText}, ${stringLiteral(style, exportName)})`,
    });

  const ref = facts.resolve(target);
  if (ref?.kind === 'module') {
    if (!system || !isRelative(ref.module) || ref.path.length > 1) return {};
    const exportName = ref.path[0] ?? 'default';
    if (!importedIsAsync(facts, target, ref.module, exportName, callbackified)) return {};
    const moduleText = importedModuleExpression(facts, system, ref.module);
    if (moduleText === undefined) return {};
    const fix = withImport(facts, ['getRunner'], replace(moduleText, exportName));
    return fix ? unlessShared(facts, target, releasing(facts, call, fix)) : {};
  }
  if (!ts.isIdentifier(target)) return {};
  const binding = declarationOf(facts, target);
  if (!binding) return {};
  if (!binding.topLevel) return { closure: `\`${target.text}\` (declared inside a function)` };
  const fn = binding.fn;
  if (!facts.isAsyncFunction(fn) || (!callbackified && mayCallBack(facts, fn))) return {};
  if (!system) return {};
  const shared = sharedStateOfTarget(facts, target);
  // The worker loads this file again: only a file that just declares things may be loaded twice.
  const reloadable = topLevelOnlyDeclares(facts);
  const sharedData = shared && { fn: target.text, why: shared.reason };
  if (!reloadable) return sharedData ? { shared: sharedData } : {};
  const selfModule = system === 'esm' ? 'import.meta.url' : '__filename';
  const exported = exportNameOf(facts, target.text, binding.statement);
  if (exported !== undefined) {
    const fix = withImport(facts, ['getRunner'], replace(selfModule, exported));
    return fix ? unlessShared(facts, target, releasing(facts, call, fix)) : {};
  }
  // Not exported: the worker could not reach it. Exporting it widens the module's API, so ask.
  if (system !== 'esm' || !ts.canHaveModifiers(binding.statement)) return sharedData ? { shared: sharedData } : {};
  const rewrite = withImport(facts, ['getRunner'], replace(selfModule, target.text));
  if (!rewrite) return sharedData ? { shared: sharedData } : {};
  const edits = releasing(facts, call, rewrite);
  const exportEdit: TextEdit = { start: binding.statement.getStart(facts.sourceFile), end: binding.statement.getStart(facts.sourceFile), text: 'export ' };
  if (sharedData) return { shared: sharedData, suggestions: [{ messageId: 'defineSyncSharedState', data: sharedData, edits: [exportEdit, ...edits] }] };
  return { suggestions: [{ messageId: 'exportAndDefineSync', data: { fn: target.text }, edits: [exportEdit, ...edits] }] };
}

/** Whether an imported function is async (by type, or by its module's source without a checker), and free of callback parameters when it has to be. */
function importedIsAsync(facts: FileFacts, target: TS.Expression, specifier: string, exportName: string, callbackified: boolean): boolean {
  const types = facts.types;
  if (!types) {
    // Without types the parameters are unknown: only `callbackify(fn)` is provably exact.
    if (!callbackified || exportName === 'default') return false;
    return facts.moduleFacts?.asyncExports(facts.sourceFile.fileName, specifier)?.has(exportName) ?? false;
  }
  const signatures = types.callSignatures(types.typeAt(target));
  if (signatures.length === 0 || !signatures.every((signature) => facts.isThenableType(types.returnType(signature)))) return false;
  if (callbackified) return true;
  return signatures.every((signature) => {
    const declaration = types.signatureDeclaration(signature);
    if (declaration && facts.isFunctionLike(declaration) && declaration.body) return !mayCallBack(facts, declaration);
    return types.parameters(signature).every((parameter) => types.callSignatures(types.typeOfSymbolAt(parameter, target)).length === 0);
  });
}

const CALLBACK_NAME = /^(?:cb|callback|done|next|cont)$/i;

/**
 * Whether an async function may be using the callback deasync appends: a rest parameter or
 * `arguments`, a parameter named like a callback or typed as a function (by its annotation, or
 * by the checker), or an unannotated parameter that it calls, or (the last one) hands on as the
 * last argument of a call, where Node callbacks go. A parameter annotated with a non-function
 * type is not one.
 */
function mayCallBack(facts: FileFacts, fn: FunctionLike): boolean {
  const ts = facts.ts;
  const untyped: string[] = [];
  for (const parameter of fn.parameters) {
    if (parameter.dotDotDotToken) return true;
    if (!ts.isIdentifier(parameter.name)) continue;
    if (CALLBACK_NAME.test(parameter.name.text)) return true;
    if (parameter.type) {
      if (ts.isFunctionTypeNode(parameter.type) || ts.isConstructorTypeNode(parameter.type)) return true;
      const types = facts.types;
      const type = types?.typeOfTypeNode(parameter.type);
      if (type && (types!.callSignatures(type).length > 0 || types!.isAnyOrUnknown(type))) return true;
      continue;
    }
    untyped.push(parameter.name.text);
  }
  const last = fn.parameters.at(-1);
  const lastUntyped = last && ts.isIdentifier(last.name) && untyped.includes(last.name.text) ? last.name.text : undefined;
  let found = false;
  const isParameter = (expression: TS.Expression | undefined, names: readonly string[]): boolean => {
    if (!expression) return false;
    const expr = skipOuterExpressions(ts, expression);
    return ts.isIdentifier(expr) && names.includes(expr.text);
  };
  const visit = (node: TS.Node, ownArguments: boolean): void => {
    if (found) return;
    if (ownArguments && ts.isIdentifier(node) && node.text === 'arguments') found = true;
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const callee = skipOuterExpressions(ts, node.expression);
      if (isParameter(callee, untyped)) found = true;
      if (ts.isPropertyAccessExpression(callee) && ['call', 'apply', 'bind'].includes(callee.name.text) && isParameter(callee.expression, untyped)) found = true;
      if (lastUntyped !== undefined && isParameter(node.arguments?.at(-1), [lastUntyped])) found = true;
    }
    // `arguments` in a nested ordinary function is that function's own.
    const nestedOwn = ownArguments && !(facts.isFunctionLike(node) && !ts.isArrowFunction(node));
    ts.forEachChild(node, (child) => visit(child, nestedOwn));
  };
  if (fn.body) visit(fn.body, true);
  return found;
}

/** The name under which this file exports a top-level binding, if it does. */
function exportNameOf(facts: FileFacts, name: string, statement: TS.Statement): string | undefined {
  const ts = facts.ts;
  const modifiers = ts.canHaveModifiers(statement) ? (ts.getModifiers(statement) ?? []) : [];
  if (modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
    return modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword) ? 'default' : name;
  }
  const isName = (expression: TS.Expression): boolean => {
    const expr = skipOuterExpressions(ts, expression);
    return ts.isIdentifier(expr) && expr.text === name;
  };
  for (const s of facts.sourceFile.statements) {
    if (ts.isExportDeclaration(s) && !s.moduleSpecifier && !s.isTypeOnly && s.exportClause && ts.isNamedExports(s.exportClause)) {
      const element = s.exportClause.elements.find((e) => !e.isTypeOnly && (e.propertyName ?? e.name).text === name);
      if (element) return element.name.text;
    }
    if (ts.isExportAssignment(s) && !s.isExportEquals && isName(s.expression)) return 'default';
    if (ts.isExpressionStatement(s) && ts.isBinaryExpression(s.expression) && s.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const { left, right } = s.expression;
      const target = facts.text(left).replace(/\s+/g, '');
      if (/^(?:module\.)?exports\.[A-Za-z_$][\w$]*$/.test(target) && isName(right)) return target.slice(target.lastIndexOf('.') + 1);
      if (target === 'module.exports' && isName(right)) return 'default';
      const object = skipOuterExpressions(ts, right);
      if (target === 'module.exports' && ts.isObjectLiteralExpression(object)) {
        for (const property of object.properties) {
          if (ts.isShorthandPropertyAssignment(property) && property.name.text === name) return name;
          if (ts.isPropertyAssignment(property) && isName(property.initializer) && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) return property.name.text;
        }
      }
    }
  }
  return undefined;
}

/** Calls that only build or load something, so a top level made of them can be loaded again in the worker. */
const INERT_CALLS: readonly (readonly [string, ...string[]])[] = [
  ['util', 'callbackify'],
  ['util', 'promisify'],
  ['path', 'join'],
  ['path', 'resolve'],
  ['url', 'fileURLToPath'],
  ...BRIDGE_ENTRIES.filter((entry) => entry.inertAtLoad).map((entry): readonly [string, ...string[]] => (entry.export === undefined ? [entry.module] : [entry.module, entry.export])),
];

/**
 * Whether loading this file again (in the runner's worker) only declares things: imports,
 * exports, functions, classes without static code, types, and variables or `module.exports`
 * holding functions, literals, requires, or what a bridge factory returns.
 */
function topLevelOnlyDeclares(facts: FileFacts): boolean {
  const ts = facts.ts;
  const inert = (expression: TS.Expression): boolean => {
    const expr = skipOuterExpressions(ts, expression);
    if (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr) || ts.isIdentifier(expr) || ts.isLiteralExpression(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) return true;
    if ([ts.SyntaxKind.TrueKeyword, ts.SyntaxKind.FalseKeyword, ts.SyntaxKind.NullKeyword].includes(expr.kind)) return true;
    if (ts.isClassExpression(expr)) return classIsInert(expr);
    if (ts.isObjectLiteralExpression(expr)) {
      return expr.properties.every(
        (p) => ts.isShorthandPropertyAssignment(p) || ts.isMethodDeclaration(p) || (ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name) && inert(p.initializer)),
      );
    }
    if (ts.isArrayLiteralExpression(expr)) return expr.elements.every((e) => !ts.isSpreadElement(e) && inert(e));
    // `import.meta.url`, `path.sep`, `require('x').y`: reads, no calls.
    if (ts.isMetaProperty(expr)) return true;
    if (ts.isPropertyAccessExpression(expr)) return inert(expr.expression);
    // `new URL('./x.js', import.meta.url)`, what the rewrites themselves write.
    if (ts.isNewExpression(expr)) return facts.refersToGlobal(expr.expression, 'URL') && (expr.arguments ?? []).every(inert);
    if (ts.isCallExpression(expr)) {
      const callee = skipOuterExpressions(ts, expr.expression);
      if (ts.isIdentifier(callee) && callee.text === 'require' && !facts.declaredNames.has('require')) return expr.arguments.length === 1 && ts.isStringLiteralLike(expr.arguments[0]!);
      if (!expr.arguments.every(inert)) return false;
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'resolve' && facts.refersToGlobal(callee.expression, 'require')) return true;
      if (INERT_CALLS.some(([module, ...member]) => facts.refersTo(callee, module, ...member))) return true;
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'freeze' && facts.refersToGlobal(callee.expression, 'Object')) return true;
      // `getRunner().defineSync(...)`: the runner starts its worker on the first call, not here.
      return (
        ts.isPropertyAccessExpression(callee) &&
        ['defineSync', 'syncFunction'].includes(callee.name.text) &&
        ts.isCallExpression(skipOuterExpressions(ts, callee.expression)) &&
        facts.refersTo((skipOuterExpressions(ts, callee.expression) as TS.CallExpression).expression, 'loop-audit/runtime', 'getRunner')
      );
    }
    return false;
  };
  const classIsInert = (node: TS.ClassLikeDeclaration): boolean =>
    (!node.heritageClauses || node.heritageClauses.every((h) => h.types.every((t) => ts.isIdentifier(t.expression)))) &&
    node.members.every(
      (m) => !ts.isClassStaticBlockDeclaration(m) && !(ts.isPropertyDeclaration(m) && m.initializer && !inert(m.initializer)) && !(ts.canHaveDecorators(m) && (ts.getDecorators(m)?.length ?? 0) > 0),
    );
  return facts.sourceFile.statements.every((statement) => {
    if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) || ts.isImportEqualsDeclaration(statement)) return true;
    if (ts.isFunctionDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement) || ts.isEmptyStatement(statement))
      return true;
    if (ts.isClassDeclaration(statement)) return classIsInert(statement);
    if (ts.isExportAssignment(statement)) return inert(statement.expression);
    if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.every((d) => !d.initializer || inert(d.initializer));
    if (ts.isExpressionStatement(statement)) {
      const expr = statement.expression;
      if (ts.isStringLiteral(expr)) return true;
      if (ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        return /^(?:module\.exports|(?:module\.)?exports\.[A-Za-z_$][\w$]*)$/.test(facts.text(expr.left).replace(/\s+/g, '')) && inert(expr.right);
      }
    }
    return false;
  });
}

function findSource(file: string): string | undefined {
  const candidates = [file];
  if (/\.[cm]?js$/.test(file)) {
    const stem = file.replace(/\.([cm]?)js$/, '');
    const flavour = /\.([cm]?)js$/.exec(file)![1];
    candidates.push(`${stem}.${flavour}ts`);
    if (flavour === '') candidates.push(`${stem}.tsx`);
  }
  for (const candidate of candidates) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}
