import { readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { FileFacts, skipOuterExpressions, type FunctionLike } from '../facts.js';
import { codeStyle, moduleSystemOf, planImport, RUNTIME_MODULE, stringLiteral, topStatementSlot } from '../fix-imports.js';
import type { Suggestion, TextEdit, TS } from '../types.js';

/**
 * The rewrites of per-call bridges and deasync factories to loop-audit/runtime's runner. Every
 * rewrite here must leave a program that does what it did, on the runner's one worker: when a
 * precondition cannot be proved from the file (and, for synckit, its worker file), there is no
 * autofix; where an edit is still sensible but changes more than the bridge, it is a suggestion.
 */

export interface RunnerRewrite {
  fix?: TextEdit[];
  suggestions?: Suggestion[];
}

/**
 * Where fixes may not import the runtime (a published library that does not depend on it), a
 * runner rewrite is offered as a suggestion instead of applied.
 */
export function runtimeGated<R extends RunnerRewrite>(facts: FileFacts, rewrite: R): R {
  if (facts.runtimeDependency || !rewrite.fix) return rewrite;
  const { fix, ...rest } = rewrite;
  return { ...rest, suggestions: [{ messageId: 'runnerWithRuntime', edits: fix }, ...(rewrite.suggestions ?? [])] } as R;
}

// ---------------------------------------------------------------- per-call factories

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
export function perCallFactoryRewrite(facts: FileFacts, call: TS.CallExpression, owner: FunctionLike, factory: 'make-synchronous' | 'synckit'): RunnerRewrite {
  return factory === 'make-synchronous' ? makeSynchronousRewrite(facts, call, owner) : createSyncFnRewrite(facts, call, owner);
}

function makeSynchronousRewrite(facts: FileFacts, call: TS.CallExpression, owner: FunctionLike): RunnerRewrite {
  const ts = facts.ts;
  if (call.arguments.length !== 1 || call.typeArguments) return {};
  const fn = skipOuterExpressions(ts, call.arguments[0]!);
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return {};
  if (ts.isFunctionExpression(fn) && fn.asteriskToken) return {};
  if (!isSelfContained(facts, fn, owner) || !importsOnlyBuiltins(facts, fn)) return {};
  const name = hoistedName(facts, call, owner);
  const fnText = reindent(facts, fn);
  if (fnText === undefined) return {};
  const fix = hoist(facts, name, ['syncFunction'], (local) => `${local.syncFunction}(${fnText})`, { start: call.getStart(facts.sourceFile), end: call.getEnd(), text: name });
  return fix ? { fix } : {};
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

function createSyncFnRewrite(facts: FileFacts, call: TS.CallExpression, owner: FunctionLike): RunnerRewrite {
  const ts = facts.ts;
  const sourceFile = facts.sourceFile;
  if (call.arguments.length === 0 || !isHoistable(facts, call, owner)) return {};
  const name = hoistedName(facts, call, owner);
  const replaceCall: TextEdit = { start: call.getStart(sourceFile), end: call.getEnd(), text: name };
  // A timeout or options argument has no exact equivalent in defineSync's options.
  const target = call.arguments.length === 1 ? synckitTarget(facts, call.arguments[0]!) : undefined;
  const system = target ? runtimeModuleSystem(facts) : undefined;
  if (target && system) {
    const typeArguments = call.typeArguments ? `<${call.typeArguments.map((t) => facts.text(t)).join(', ')}>` : '';
    const style = codeStyle(facts);
    const fix = hoist(facts, name, ['getRunner'], (local) => `${local.getRunner}().defineSync${typeArguments}(${moduleExpression(facts, system, target.specifier)}, ${stringLiteral(style, target.exportName)})`, replaceCall);
    if (fix) return { fix };
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
function synckitTarget(facts: FileFacts, argument: TS.Expression): { file: string; specifier: string; exportName: string } | undefined {
  const workerPath = staticModulePath(facts, argument);
  if (!workerPath) return undefined;
  const workerFile = findSource(workerPath);
  if (!workerFile) return undefined;
  const worker = parseFile(facts, workerFile);
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
  return { file: targetFile, specifier: relativeSpecifier(facts.sourceFile.fileName, targetFile), exportName: ref.path[0] ?? 'default' };
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
    const parts = rest.map((part) => (part as TS.StringLiteralLike).text);
    if (parts.some((part) => path.isAbsolute(part))) return undefined;
    return path.join(dir, ...parts);
  }
  return undefined;
}

function isImportMetaUrl(ts: FileFacts['ts'], expression: TS.Expression): boolean {
  const expr = skipOuterExpressions(ts, expression);
  return ts.isPropertyAccessExpression(expr) && expr.name.text === 'url' && ts.isMetaProperty(expr.expression) && expr.expression.keywordToken === ts.SyntaxKind.ImportKeyword;
}

// ---------------------------------------------------------------- deasync

export type DeasyncRewrite = RunnerRewrite & { closure?: string };

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
  const replace = (moduleText: string, exportName: string) => (local: Record<string, string>): TextEdit => ({
    start: call.getStart(facts.sourceFile),
    end: call.getEnd(),
    text: `${local.getRunner}().defineSync(${moduleText}, ${stringLiteral(style, exportName)})`,
  });

  const ref = facts.resolve(target);
  if (ref?.kind === 'module') {
    if (!system || !isRelative(ref.module) || ref.path.length > 1) return {};
    const exportName = ref.path[0] ?? 'default';
    if (!importedIsAsync(facts, target, ref.module, exportName, callbackified)) return {};
    const moduleText = importedModuleExpression(facts, system, ref.module);
    if (moduleText === undefined) return {};
    const fix = withImport(facts, ['getRunner'], replace(moduleText, exportName));
    return fix ? { fix } : {};
  }
  if (!ts.isIdentifier(target)) return {};
  const binding = declarationOf(facts, target);
  if (!binding) return {};
  if (!binding.topLevel) return { closure: `\`${target.text}\` (declared inside a function)` };
  const fn = binding.fn;
  if (!facts.isAsyncFunction(fn) || (!callbackified && mayCallBack(facts, fn))) return {};
  if (!system || !topLevelOnlyDeclares(facts)) return {};
  const selfModule = system === 'esm' ? 'import.meta.url' : '__filename';
  const exported = exportNameOf(facts, target.text, binding.statement);
  if (exported !== undefined) {
    const fix = withImport(facts, ['getRunner'], replace(selfModule, exported));
    return fix ? { fix } : {};
  }
  // Not exported: the worker could not reach it. Exporting it widens the module's API, so ask.
  if (system !== 'esm' || !ts.canHaveModifiers(binding.statement)) return {};
  const edits = withImport(facts, ['getRunner'], replace(selfModule, target.text));
  if (!edits) return {};
  const exportEdit: TextEdit = { start: binding.statement.getStart(facts.sourceFile), end: binding.statement.getStart(facts.sourceFile), text: 'export ' };
  return { suggestions: [{ messageId: 'exportAndDefineSync', data: { fn: target.text }, edits: [exportEdit, ...edits] }] };
}

/** Whether an imported function is async (by type, or by its module's source without a checker), and free of callback parameters when it has to be. */
function importedIsAsync(facts: FileFacts, target: TS.Expression, specifier: string, exportName: string, callbackified: boolean): boolean {
  const checker = facts.checker;
  if (!checker) {
    // Without types the parameters are unknown: only `callbackify(fn)` is provably exact.
    if (!callbackified || exportName === 'default') return false;
    return facts.moduleFacts?.asyncExports(facts.sourceFile.fileName, specifier)?.has(exportName) ?? false;
  }
  const signatures = checker.getTypeAtLocation(target).getCallSignatures();
  if (signatures.length === 0 || !signatures.every((signature) => facts.isThenableType(signature.getReturnType()))) return false;
  if (callbackified) return true;
  return signatures.every((signature) => {
    const declaration = signature.getDeclaration() as TS.SignatureDeclaration | undefined;
    if (declaration && facts.isFunctionLike(declaration) && declaration.body) return !mayCallBack(facts, declaration);
    return signature.getParameters().every((parameter) => checker.getTypeOfSymbolAtLocation(parameter, target).getCallSignatures().length === 0);
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
      const type = facts.checker?.getTypeFromTypeNode(parameter.type);
      if (type && (type.getCallSignatures().length > 0 || (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0)) return true;
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

interface TopLevelFunction {
  /** The function itself: a declaration, or the function expression a `const` holds. */
  fn: FunctionLike;
  /** The statement that declares it (where `export` would go). */
  statement: TS.Statement;
  topLevel: boolean;
}

/** The function an identifier names, where it is a function declaration or a `const` initialised with a function expression. */
function declarationOf(facts: FileFacts, identifier: TS.Identifier): TopLevelFunction | undefined {
  const ts = facts.ts;
  const name = identifier.text;
  for (let scope: TS.Node | undefined = identifier.parent; scope; scope = scope.parent) {
    const found = declaredFunctionIn(facts, scope, name);
    if (found === null) return undefined;
    if (found) return { ...found, topLevel: ts.isSourceFile(scope) };
  }
  return undefined;
}

/**
 * In one scope: the function declared under `name` (undefined when the scope does not declare
 * the name, null when it declares it as something else, such as a parameter or a `let`).
 */
function declaredFunctionIn(facts: FileFacts, scope: TS.Node, name: string): { fn: FunctionLike; statement: TS.Statement } | null | undefined {
  const ts = facts.ts;
  if (facts.isFunctionLike(scope) && scope.parameters.some((p) => bindsName(ts, p.name, name))) return null;
  const statements = ts.isSourceFile(scope) || ts.isBlock(scope) || ts.isModuleBlock(scope) ? scope.statements : undefined;
  if (!statements) return declaresInScope(facts, scope, name) ? null : undefined;
  for (const statement of statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name?.text === name && statement.body) return { fn: statement, statement };
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!bindsName(ts, declaration.name, name)) continue;
        const isConst = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
        const init = declaration.initializer && skipOuterExpressions(ts, declaration.initializer);
        if (isConst && ts.isIdentifier(declaration.name) && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) return { fn: init, statement };
        return null;
      }
    }
  }
  return declaresInScope(facts, scope, name) ? null : undefined;
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
  ['deasync'],
  ['make-synchronous'],
  ['make-synchronous/subprocess'],
  ['util', 'callbackify'],
  ['util', 'promisify'],
  ['path', 'join'],
  ['path', 'resolve'],
  ['url', 'fileURLToPath'],
  ['loop-audit/runtime', 'defineSync'],
  ['loop-audit/runtime', 'syncFunction'],
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
      return expr.properties.every((p) => ts.isShorthandPropertyAssignment(p) || ts.isMethodDeclaration(p) || (ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name) && inert(p.initializer)));
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
      // `getRunner().defineSync(...)`: the runner starts its worker on the first call, not here.
      return ts.isPropertyAccessExpression(callee) && ['defineSync', 'syncFunction'].includes(callee.name.text) && ts.isCallExpression(skipOuterExpressions(ts, callee.expression)) && facts.refersTo((skipOuterExpressions(ts, callee.expression) as TS.CallExpression).expression, 'loop-audit/runtime', 'getRunner');
    }
    return false;
  };
  const classIsInert = (node: TS.ClassLikeDeclaration): boolean =>
    (!node.heritageClauses || node.heritageClauses.every((h) => h.types.every((t) => ts.isIdentifier(t.expression)))) &&
    node.members.every((m) => !ts.isClassStaticBlockDeclaration(m) && !(ts.isPropertyDeclaration(m) && m.initializer && !inert(m.initializer)) && !(ts.canHaveDecorators(m) && (ts.getDecorators(m)?.length ?? 0) > 0));
  return facts.sourceFile.statements.every((statement) => {
    if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) || ts.isImportEqualsDeclaration(statement)) return true;
    if (ts.isFunctionDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEmptyStatement(statement)) return true;
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

// ---------------------------------------------------------------- module expressions

/** Extensions the runtime's `import()` loads as they are written. */
const LOADABLE = /\.(?:js|mjs|cjs)$/;

function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../');
}

/** `./x.js` or `../lib/x.js` from the fixed file's folder to `target`, with forward slashes. */
function relativeSpecifier(fromFile: string, target: string): string {
  const relative = path.relative(path.dirname(fromFile), target).split(path.sep).join('/');
  return relative.startsWith('../') ? relative : `./${relative}`;
}

/**
 * How this file is loaded at run time, which decides how it can name a module for the runner:
 * by its syntax and extension, except that a `.ts`/`.tsx` file written with `import` may be
 * compiled to CommonJS (where `import.meta` does not exist). There the file's own use of
 * `import.meta` or `__dirname`/`require` decides, else the nearest package.json's `type`.
 */
export function runtimeModuleSystem(facts: FileFacts): 'esm' | 'cjs' | undefined {
  const system = moduleSystemOf(facts);
  const fileName = facts.sourceFile.fileName;
  if (system === 'cjs' || !/\.tsx?$/.test(fileName) || /\.d\.ts$/.test(fileName)) return system;
  const text = facts.sourceFile.text;
  if (/\bimport\.meta\b/.test(text)) return 'esm';
  if (/\b(?:__dirname|__filename)\b|\brequire\s*\(/.test(text)) return undefined;
  return packageType(path.dirname(fileName)) === 'module' ? 'esm' : undefined;
}

const packageTypes = new Map<string, string | undefined>();

function packageType(dir: string): string | undefined {
  if (packageTypes.has(dir)) return packageTypes.get(dir);
  let type: string | undefined;
  const file = path.join(dir, 'package.json');
  let found = false;
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as { type?: unknown };
    found = true;
    type = typeof pkg.type === 'string' ? pkg.type : 'commonjs';
  } catch {
    // no (readable) package.json here: ask the parent folder
  }
  if (!found) {
    const parent = path.dirname(dir);
    type = parent === dir ? undefined : packageType(parent);
  }
  packageTypes.set(dir, type);
  return type;
}

/** A module for the runner, from the fixed file: `new URL('./x.js', import.meta.url)` (ESM), `path.join(__dirname, 'x.js')` (CJS). */
function moduleExpression(facts: FileFacts, system: 'esm' | 'cjs', specifier: string): string {
  const style = codeStyle(facts);
  if (system === 'esm') return `new URL(${stringLiteral(style, specifier)}, import.meta.url)`;
  return `${pathModule(facts)}.join(__dirname, ${stringLiteral(style, specifier.replace(/^\.\//, ''))})`;
}

/** The module an import specifier names, for the runner: as `moduleExpression`, or `require.resolve(...)` for a CommonJS specifier without an extension. */
function importedModuleExpression(facts: FileFacts, system: 'esm' | 'cjs', specifier: string): string | undefined {
  if (LOADABLE.test(specifier)) return moduleExpression(facts, system, specifier);
  if (system === 'cjs' && !facts.declaredNames.has('require')) return `require.resolve(${stringLiteral(codeStyle(facts), specifier)})`;
  return undefined;
}

/** The file's own binding of `path` when it is set before the hoisted code runs, else `require('node:path')`. */
function pathModule(facts: FileFacts): string {
  const ts = facts.ts;
  const slot = topStatementSlot(facts);
  for (const statement of facts.sourceFile.statements) {
    if (statement.end > slot.position) break;
    if (ts.isImportDeclaration(statement) && statement.importClause && ts.isStringLiteral(statement.moduleSpecifier) && /^(?:node:)?path$/.test(statement.moduleSpecifier.text)) {
      const clause = statement.importClause;
      if (clause.name && !clause.isTypeOnly) return clause.name.text;
      if (clause.namedBindings && ts.isNamespaceImport(clause.namedBindings)) return clause.namedBindings.name.text;
    }
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer && skipOuterExpressions(ts, declaration.initializer);
        if (ts.isIdentifier(declaration.name) && init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require' && init.arguments.length === 1) {
          const argument = init.arguments[0]!;
          if (ts.isStringLiteralLike(argument) && /^(?:node:)?path$/.test(argument.text)) return declaration.name.text;
        }
      }
    }
  }
  return `require(${stringLiteral(codeStyle(facts), 'node:path')})`;
}

// ---------------------------------------------------------------- hoisting

/**
 * The edits of a rewrite that only replaces code where it stands, plus the import of the runner's
 * `names`. In CommonJS a reused `require` of the runtime must already be set where it is used.
 */
function withImport(facts: FileFacts, names: string[], replacement: (local: Record<string, string>) => TextEdit): TextEdit[] | undefined {
  const plan = planImport(facts, RUNTIME_MODULE, names);
  const edit = replacement(plan.local);
  if (moduleSystemOf(facts) === 'cjs' && (runtimeRequireEnd(facts) ?? 0) > edit.start) return undefined;
  return [...plan.edits, edit];
}

/**
 * `const <name> = <initializer>` at module level, after the imports (where nothing has run
 * yet, so nothing it uses is in its temporal dead zone), with the runtime import it needs, and
 * `replaceCall` at the call site. Returns undefined when a runtime binding the file already has
 * is only set further down (CommonJS `require` in the middle of the file).
 */
function hoist(facts: FileFacts, name: string, names: string[], initializer: (local: Record<string, string>) => string, replaceCall: TextEdit): TextEdit[] | undefined {
  const plan = planImport(facts, RUNTIME_MODULE, names);
  const slot = topStatementSlot(facts);
  // CommonJS: a `require` of the runtime that the plan reuses or extends must run before the hoisted code.
  if (moduleSystemOf(facts) === 'cjs' && (runtimeRequireEnd(facts) ?? 0) > slot.position) return undefined;
  const semi = codeStyle(facts).semicolon ? ';' : '';
  const insertion = hoistInsertion(facts, `const ${name} = ${initializer(plan.local)}${semi}`)!;
  const edits: TextEdit[] = [];
  for (const edit of plan.edits) {
    // The new import goes where the declaration goes: one edit, the import first.
    if (edit.start === insertion.start && edit.end === insertion.start) insertion.text = edit.text + (topStatementSlot(facts).after ? '' : moduleIndentation(facts)) + insertion.text;
    else edits.push(edit);
  }
  return [...edits, insertion, replaceCall];
}

/** A statement placed where `topStatementSlot` says, separated from its neighbours by a blank line. */
function hoistInsertion(facts: FileFacts, statement: string): TextEdit | undefined {
  const { newline } = codeStyle(facts);
  const slot = topStatementSlot(facts);
  const indent = moduleIndentation(facts);
  // Before the first statement the slot is past that statement's indentation, which it then needs back.
  if (!slot.after) return { start: slot.position, end: slot.position, text: `${statement}${newline}${slot.blankAfter ? newline : ''}${indent}` };
  // A blank line after it too, unless one (or the end of the file) follows already.
  const rest = facts.sourceFile.text.slice(slot.position);
  const blankAfter = /^\r?\n[ \t]*\S/.test(rest) ? newline : '';
  return { start: slot.position, end: slot.position, text: `${newline}${newline}${indent}${statement}${blankAfter}` };
}

/** Where the last top-level statement requiring the runtime (either specifier) ends, if there is one. */
function runtimeRequireEnd(facts: FileFacts): number | undefined {
  const ts = facts.ts;
  let end: number | undefined;
  for (const statement of facts.sourceFile.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (declaration.initializer && facts.resolve(declaration.initializer)?.kind === 'module' && /require\(\s*['"]@?loop-audit\/runtime['"]/.test(facts.text(declaration.initializer))) end = statement.end;
    }
  }
  return end;
}

/** Where the top-level `require` statement that binds `local` ends, if one does. */
function requireStatementEnd(facts: FileFacts, local: string): number | undefined {
  const ts = facts.ts;
  for (const statement of facts.sourceFile.statements) {
    if (ts.isVariableStatement(statement) && statement.declarationList.declarations.some((d) => bindsName(ts, d.name, local))) return statement.end;
  }
  return undefined;
}

/** `<binding>Sync`, or `<function>Sync` for a bridge used where it is built, made unique in the file. */
function hoistedName(facts: FileFacts, call: TS.CallExpression, owner: FunctionLike): string {
  const ts = facts.ts;
  let node: TS.Node = call;
  while (node.parent && (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isNonNullExpression(node.parent) || ts.isSatisfiesExpression(node.parent))) node = node.parent;
  const parent = node.parent;
  let base = parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) ? parent.name.text : (facts.callableName(owner) ?? 'bridge');
  if (base.startsWith('#')) base = base.slice(1);
  const stem = base.endsWith('Sync') ? base : `${base}Sync`;
  const used = identifierTexts(facts);
  let candidate = stem;
  for (let i = 2; used.has(candidate); i++) candidate = `${stem}${i}`;
  return candidate;
}

const identifierCache = new WeakMap<FileFacts, Set<string>>();

/** Every identifier spelled anywhere in the file: a hoisted name must be none of them, so it can shadow nothing and be shadowed by nothing. */
function identifierTexts(facts: FileFacts): ReadonlySet<string> {
  let names = identifierCache.get(facts);
  if (names) return names;
  names = new Set<string>();
  const found = names;
  const visit = (node: TS.Node): void => {
    if (facts.ts.isIdentifier(node) || facts.ts.isPrivateIdentifier(node)) found.add(node.text);
    facts.ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  identifierCache.set(facts, names);
  return names;
}

/**
 * The function's text for module level: its continuation lines lose the indentation of the line
 * it started on (the nesting it leaves). Undefined when a string or template literal spans lines,
 * since re-indenting would change its value.
 */
function reindent(facts: FileFacts, fn: TS.Expression): string | undefined {
  const ts = facts.ts;
  const text = facts.text(fn);
  if (!/\n/.test(text)) return text;
  let multilineLiteral = false;
  const visit = (node: TS.Node): void => {
    if ((ts.isStringLiteralLike(node) || ts.isTemplateExpression(node) || ts.isRegularExpressionLiteral(node)) && /\n/.test(facts.text(node))) multilineLiteral = true;
    if (!multilineLiteral) ts.forEachChild(node, visit);
  };
  visit(fn);
  if (multilineLiteral) return text;
  const indent = indentationAt(facts, fn.getStart(facts.sourceFile));
  const target = moduleIndentation(facts);
  if (indent === target) return text;
  const lines = text.split('\n');
  if (!lines.slice(1).every((line) => line.replace(/\r$/, '') === '' || line.startsWith(indent))) return text;
  return [lines[0], ...lines.slice(1).map((line) => (line.startsWith(indent) ? target + line.slice(indent.length) : line))].join('\n');
}

/** The whitespace that starts the line `position` is on. */
function indentationAt(facts: FileFacts, position: number): string {
  const source = facts.sourceFile.text;
  const lineStart = source.lastIndexOf('\n', position - 1) + 1;
  return /^[ \t]*/.exec(source.slice(lineStart))![0];
}

/** How the file indents its top-level statements (nothing, unless the whole file is indented). */
function moduleIndentation(facts: FileFacts): string {
  const first = facts.sourceFile.statements[0];
  return first ? indentationAt(facts, first.getStart(facts.sourceFile)) : '';
}

// ---------------------------------------------------------------- scopes

function bindsName(ts: FileFacts['ts'], name: TS.BindingName, target: string): boolean {
  if (ts.isIdentifier(name)) return name.text === target;
  return name.elements.some((element) => !ts.isOmittedExpression(element) && bindsName(ts, element.name, target));
}

/** Whether `scope` itself declares `name`: parameters and `var`s of a function, block-scoped declarations of a block, a loop's or catch clause's variables, a named function or class expression's own name. */
function declaresInScope(facts: FileFacts, scope: TS.Node, name: string): boolean {
  const ts = facts.ts;
  if (facts.isFunctionLike(scope)) {
    if (scope.parameters.some((p) => bindsName(ts, p.name, name))) return true;
    if (ts.isFunctionExpression(scope) && scope.name?.text === name) return true;
    if (scope.body && varNames(facts, scope.body).has(name)) return true;
    return false;
  }
  if (ts.isClassExpression(scope) && scope.name?.text === name) return true;
  if (ts.isCatchClause(scope)) return scope.variableDeclaration !== undefined && bindsName(ts, scope.variableDeclaration.name, name);
  if ((ts.isForStatement(scope) || ts.isForInStatement(scope) || ts.isForOfStatement(scope)) && scope.initializer && ts.isVariableDeclarationList(scope.initializer)) {
    return scope.initializer.declarations.some((d) => bindsName(ts, d.name, name));
  }
  const statements = ts.isSourceFile(scope) || ts.isBlock(scope) || ts.isModuleBlock(scope) ? scope.statements : ts.isCaseBlock(scope) ? scope.clauses.flatMap((c) => [...c.statements]) : undefined;
  if (!statements) return false;
  if (ts.isSourceFile(scope) && varNames(facts, scope).has(name)) return true;
  return statements.some((statement) => {
    if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.some((d) => bindsName(ts, d.name, name));
    if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) return statement.name?.text === name;
    if (ts.isImportDeclaration(statement)) return importBinds(ts, statement, name);
    if (ts.isImportEqualsDeclaration(statement)) return statement.name.text === name;
    return false;
  });
}

function importBinds(ts: FileFacts['ts'], statement: TS.ImportDeclaration, name: string): boolean {
  const clause = statement.importClause;
  if (!clause) return false;
  if (clause.name?.text === name) return true;
  const bindings = clause.namedBindings;
  if (!bindings) return false;
  if (ts.isNamespaceImport(bindings)) return bindings.name.text === name;
  return bindings.elements.some((element) => element.name.text === name);
}

const varCache = new WeakMap<TS.Node, Set<string>>();

/** `var` names declared in a function body or file, not inside nested functions. */
function varNames(facts: FileFacts, body: TS.Node): ReadonlySet<string> {
  const cached = varCache.get(body);
  if (cached) return cached;
  const ts = facts.ts;
  const names = new Set<string>();
  const add = (name: TS.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) add(element.name);
  };
  const visit = (node: TS.Node): void => {
    if (facts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isVariableDeclarationList(node) && (node.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0) for (const d of node.declarations) add(d.name);
    // Sloppy-mode function declarations in blocks are var-like too.
    if (ts.isFunctionDeclaration(node) && node.name) names.add(node.name.text);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  varCache.set(body, names);
  return names;
}

interface OutsideReferences {
  /** Value names read but not declared inside the node. */
  values: Set<string>;
  /** Type names used but not declared inside the node (scope-blind: erring towards "outside"). */
  types: Set<string>;
  /** `this`, `arguments`, `super` or `new.target` of an enclosing function. */
  context: boolean;
  /** `import.meta`: this module's, which a function shipped to the worker would not see. */
  importMeta: boolean;
}

/**
 * What code reads from outside itself, by a scope walk: identifiers in value positions that no
 * scope between them and `root` (inclusive) declares, the type names it uses and does not
 * declare, and whether it uses the enclosing function's `this`-like context or `import.meta`.
 * A `typeof x` type query reads `x` as a value: moving the code must keep `x` in scope.
 */
function outsideReferences(facts: FileFacts, root: TS.Node): OutsideReferences {
  const ts = facts.ts;
  const refs: OutsideReferences = { values: new Set(), types: new Set(), context: false, importMeta: false };
  const declaredTypes = new Set<string>();
  const isBound = (identifier: TS.Node, name: string): boolean => {
    for (let scope: TS.Node | undefined = identifier.parent; scope; scope = scope.parent) {
      if (declaresInScope(facts, scope, name)) return true;
      if (scope === root) return false;
    }
    return false;
  };
  /** Whether a `this`/`arguments`/`new.target` at `node` belongs to a function or class inside `root`. */
  const ownContext = (node: TS.Node): boolean => {
    for (let scope: TS.Node | undefined = node.parent; scope; scope = scope.parent) {
      if (facts.isFunctionLike(scope) && !ts.isArrowFunction(scope)) return true;
      if (ts.isClassLike(scope)) return true;
      if (scope === root) return false;
    }
    return false;
  };
  const visit = (node: TS.Node, inType: boolean): void => {
    if ((ts.isTypeParameterDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isInterfaceDeclaration(node) || ts.isEnumDeclaration(node) || ts.isClassLike(node)) && node.name) {
      declaredTypes.add(node.name.text);
    }
    if (ts.isMetaProperty(node)) {
      if (node.keywordToken === ts.SyntaxKind.ImportKeyword) refs.importMeta = true;
      else if (!ownContext(node)) refs.context = true;
      return;
    }
    if ((node.kind === ts.SyntaxKind.ThisKeyword || node.kind === ts.SyntaxKind.SuperKeyword) && !inType && !ownContext(node)) refs.context = true;
    if (ts.isIdentifier(node)) {
      if (inType) refs.types.add(node.text);
      else if (isValueReference(ts, node) && !isBound(node, node.text)) {
        if (node.text !== 'arguments') refs.values.add(node.text);
        else if (!ownContext(node)) refs.context = true;
      }
      return;
    }
    if (ts.isTypeQueryNode(node)) {
      visit(node.exprName, false);
      node.typeArguments?.forEach((t) => visit(t, true));
      return;
    }
    const typeChild = inType || (ts.isTypeNode(node) && !ts.isExpressionWithTypeArguments(node));
    ts.forEachChild(node, (child) => visit(child, typeChild));
  };
  visit(root, false);
  for (const name of declaredTypes) refs.types.delete(name);
  return refs;
}

/** An identifier that reads a variable (not a property name, a declaration's own name, or a label). */
function isValueReference(ts: FileFacts['ts'], node: TS.Identifier): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (ts.isQualifiedName(parent) && parent.right === node) return false;
  if (
    (ts.isPropertyAssignment(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isGetAccessorDeclaration(parent) ||
      ts.isSetAccessorDeclaration(parent) ||
      ts.isEnumMember(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isMethodSignature(parent)) &&
    parent.name === node
  ) {
    return false;
  }
  if (ts.isBindingElement(parent) && parent.propertyName === node) return false;
  if (
    (ts.isVariableDeclaration(parent) ||
      ts.isParameter(parent) ||
      ts.isBindingElement(parent) ||
      ts.isFunctionDeclaration(parent) ||
      ts.isFunctionExpression(parent) ||
      ts.isClassDeclaration(parent) ||
      ts.isClassExpression(parent) ||
      ts.isTypeParameterDeclaration(parent) ||
      ts.isTypeAliasDeclaration(parent) ||
      ts.isInterfaceDeclaration(parent) ||
      ts.isEnumDeclaration(parent) ||
      ts.isImportSpecifier(parent) ||
      ts.isImportClause(parent) ||
      ts.isNamespaceImport(parent)) &&
    (parent as { name?: TS.Node }).name === node
  ) {
    return false;
  }
  if ((ts.isLabeledStatement(parent) || ts.isBreakStatement(parent) || ts.isContinueStatement(parent)) && parent.label === node) return false;
  if (ts.isJsxAttribute(parent) && parent.name === node) return false;
  return true;
}

/**
 * Whether a function can be shipped to another thread as source text: it reads nothing from
 * outside but globals (no import, no module binding, no variable of an enclosing function, no
 * outer `this`), and its types are not declared inside the function it is hoisted out of.
 */
function isSelfContained(facts: FileFacts, fn: TS.ArrowFunction | TS.FunctionExpression, owner: FunctionLike): boolean {
  const refs = outsideReferences(facts, fn);
  if (refs.context || refs.importMeta) return false;
  for (const name of refs.values) {
    if (isBoundOutside(facts, fn, name) || facts.imports.has(name) || facts.declaredNames.has(name)) return false;
  }
  return typesVisibleAtModuleLevel(facts, refs.types, fn);
}

/**
 * Whether a bridge call can be evaluated at module level as written: it reads only globals and
 * imports (no local of the function it is in, no module variable that may not be set yet), uses
 * no outer `this`, and names no type declared inside that function.
 */
function isHoistable(facts: FileFacts, call: TS.CallExpression, owner: FunctionLike): boolean {
  const refs = outsideReferences(facts, call);
  if (refs.context) return false;
  const system = moduleSystemOf(facts);
  const slot = topStatementSlot(facts);
  for (const name of refs.values) {
    if (isBoundBelowModule(facts, call, name)) return false;
    if (facts.imports.has(name)) {
      // A CommonJS require further down is not set yet where the hoisted code runs.
      if (system === 'cjs' && (requireStatementEnd(facts, name) ?? 0) > slot.position) return false;
      if (!declaresInScope(facts, facts.sourceFile, name)) return false;
      continue;
    }
    if (declaresInScope(facts, facts.sourceFile, name) || facts.declaredNames.has(name)) return false;
  }
  return typesVisibleAtModuleLevel(facts, refs.types, call);
}

/** Whether a scope between `node` and the file (exclusive) declares `name`. */
function isBoundBelowModule(facts: FileFacts, node: TS.Node, name: string): boolean {
  for (let scope = node.parent; scope && !facts.ts.isSourceFile(scope); scope = scope.parent) {
    if (declaresInScope(facts, scope, name)) return true;
  }
  return false;
}

/** Whether any scope above `node` (up to and including the file) declares `name`. */
function isBoundOutside(facts: FileFacts, node: TS.Node, name: string): boolean {
  for (let scope = node.parent; scope; scope = scope.parent) {
    if (declaresInScope(facts, scope, name)) return true;
  }
  return false;
}

/** None of `types` is a type parameter or type declared in a function around `node` (they would not exist at module level). */
function typesVisibleAtModuleLevel(facts: FileFacts, types: ReadonlySet<string>, node: TS.Node): boolean {
  if (types.size === 0) return true;
  const ts = facts.ts;
  const local = new Set<string>();
  for (let scope = node.parent; scope && !ts.isSourceFile(scope); scope = scope.parent) {
    if (facts.isFunctionLike(scope) || ts.isClassLike(scope)) for (const parameter of scope.typeParameters ?? []) local.add(parameter.name.text);
    if (facts.isFunctionLike(scope) && scope.body) {
      const visit = (child: TS.Node): void => {
        if ((ts.isTypeAliasDeclaration(child) || ts.isInterfaceDeclaration(child) || ts.isClassDeclaration(child) || ts.isEnumDeclaration(child)) && child.name) local.add(child.name.text);
        ts.forEachChild(child, visit);
      };
      visit(scope.body);
    }
  }
  return ![...types].some((name) => local.has(name));
}

// ---------------------------------------------------------------- other files

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

const parsedFiles = new Map<string, { mtimeMs: number; size: number; facts: FileFacts | undefined }>();
const MAX_WORKER_BYTES = 1024 * 1024;

/** Another file of the project (a synckit worker), parsed with the same TypeScript, cached by modification time. */
function parseFile(facts: FileFacts, file: string): FileFacts | undefined {
  let stat;
  try {
    stat = statSync(file);
  } catch {
    return undefined;
  }
  const cached = parsedFiles.get(file);
  if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size && cached.facts?.ts === facts.ts) return cached.facts;
  let parsed: FileFacts | undefined;
  if (stat.size <= MAX_WORKER_BYTES) {
    try {
      const ts = facts.ts;
      const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
      const kind = /\.[cm]?tsx?$/.test(file) ? (file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS) : ts.ScriptKind.JS;
      parsed = FileFacts.of({ ts, sourceFile: ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind) });
    } catch {
      parsed = undefined;
    }
  }
  parsedFiles.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, facts: parsed });
  return parsed;
}
