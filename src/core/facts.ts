import { diskModuleFacts } from './module-facts.js';
import type { AnalysisInput, ModuleFacts, TS, TypeScriptApi } from './types.js';
import { RUNTIME_PACKAGE, RUNTIME_REEXPORT } from './runtime-package.js';
import { checkerQuestions, type TypeHandle, type TypeQuestions } from './type-questions.js';

/** What an expression refers to: a member path inside a module, or a global. */
export type Reference = { kind: 'module'; module: string; path: readonly string[] } | { kind: 'global'; name: string; path: readonly string[] };

export type FunctionLike = TS.FunctionDeclaration | TS.FunctionExpression | TS.ArrowFunction | TS.MethodDeclaration | TS.ConstructorDeclaration | TS.GetAccessorDeclaration | TS.SetAccessorDeclaration;

const WORKER_FILE_NAME = /(?:^|[\\/._-])workers?\.[cm]?[jt]sx?$/i;
const PROMISE_TYPE_NAMES = new Set(['Promise', 'PromiseLike', 'Thenable']);

/** Promise-returning members of Node and web built-ins, for the untyped mode. */
const PROMISE_MODULES = new Set(['fs/promises', 'timers/promises', 'dns/promises', 'stream/promises', 'readline/promises']);
const PROMISE_GLOBAL_CALLS = new Set(['fetch']);
const PROMISE_STATICS = new Set(['all', 'allSettled', 'race', 'any', 'resolve', 'reject', 'try', 'withResolvers']);

/** `node:fs` and `fs` are the same module. */
export function normalizeModule(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier.slice(5);
  // The runtime package and loop-audit's re-export of it are one module to the analysis.
  return specifier === RUNTIME_PACKAGE ? RUNTIME_REEXPORT : specifier;
}

/**
 * Per-file facts shared by every detector: import bindings, declared names, worker-file status,
 * the file's own async functions. Computed once per source file and cached, so the four rules
 * running on one file in ESLint walk the imports only once.
 */
export class FileFacts {
  readonly ts: TypeScriptApi;
  readonly sourceFile: TS.SourceFile;
  /** Type answers (typed mode), from TypeScript 6 or 7; undefined without types. */
  readonly types: TypeQuestions | undefined;
  readonly moduleFacts: ModuleFacts | undefined;
  /** The file's compiler options, when its program is known (see AnalysisInput). */
  readonly compilerOptions: TS.CompilerOptions | undefined;
  /** Whether fixes may import the runtime package (see AnalysisInput). */
  readonly runtimeDependency: boolean;
  /** Local binding name → what it was imported or required as. */
  readonly imports = new Map<string, Reference>();
  /** Names declared anywhere in the file (so an unbound identifier is a global). */
  readonly declaredNames = new Set<string>();
  /** Functions of this file that are async or declared to return a promise, by name. */
  readonly asyncFunctionNames = new Set<string>();
  /** Class (or object literal) methods that are async, by method name. */
  readonly asyncMethodNames = new Set<string>();
  readonly isWorkerFile: boolean;

  private static readonly cache = new WeakMap<TS.SourceFile, FileFacts>();

  static of(input: AnalysisInput): FileFacts {
    const types = typeQuestionsOf(input);
    let facts = FileFacts.cache.get(input.sourceFile);
    if (!facts || facts.types !== types || facts.compilerOptions !== input.compilerOptions || facts.runtimeDependency !== (input.runtimeDependency ?? true)) {
      facts = new FileFacts(input, types);
      FileFacts.cache.set(input.sourceFile, facts);
    }
    return facts;
  }

  private constructor(input: AnalysisInput, types: TypeQuestions | undefined) {
    this.ts = input.ts;
    this.sourceFile = input.sourceFile;
    this.types = types;
    this.moduleFacts = input.moduleFacts;
    this.compilerOptions = input.compilerOptions;
    this.runtimeDependency = input.runtimeDependency ?? true;
    this.collect();
    this.isWorkerFile = this.detectWorkerFile();
  }

  /**
   * Another file of the project (a synckit worker, a relative import's module), parsed from disk
   * with this file's TypeScript through the one disk cache (module-facts.ts).
   */
  otherFile(file: string): FileFacts | undefined {
    const sourceFile = (this.moduleFacts ?? diskModuleFacts(this.ts)).sourceFile(file);
    return sourceFile && FileFacts.of({ ts: this.ts, sourceFile });
  }

  // ---------------------------------------------------------------- collection

  private collect(): void {
    const ts = this.ts;
    const aliasCandidates: TS.VariableDeclaration[] = [];
    const visit = (node: TS.Node): void => {
      if (ts.isImportDeclaration(node)) this.collectImport(node);
      else if (ts.isImportEqualsDeclaration(node)) {
        const ref = node.moduleReference;
        if (ts.isExternalModuleReference(ref) && ts.isStringLiteral(ref.expression)) {
          this.imports.set(node.name.text, { kind: 'module', module: normalizeModule(ref.expression.text), path: [] });
        }
      } else if (ts.isVariableDeclaration(node)) {
        const required = node.initializer ? this.requiredModule(node.initializer) : undefined;
        if (required) this.bindPattern(node.name, required);
        else {
          this.declareBindingNames(node.name);
          if (node.initializer) aliasCandidates.push(node);
        }
        if (node.initializer && ts.isIdentifier(node.name) && this.isAsyncFunctionExpression(node.initializer)) {
          this.asyncFunctionNames.add(node.name.text);
        }
      } else if (ts.isParameter(node)) this.declareBindingNames(node.name);
      else if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name) {
        this.declaredNames.add(node.name.text);
        if (ts.isFunctionDeclaration(node) && this.isAsyncFunction(node)) this.asyncFunctionNames.add(node.name.text);
      } else if ((ts.isFunctionExpression(node) || ts.isClassExpression(node)) && node.name) {
        this.declaredNames.add(node.name.text);
      } else if (ts.isCatchClause(node) && node.variableDeclaration) {
        this.declareBindingNames(node.variableDeclaration.name);
      }
      if ((ts.isMethodDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isPropertyAssignment(node)) && node.name) {
        const name = propertyNameText(ts, node.name);
        const isAsync = ts.isMethodDeclaration(node) ? this.isAsyncFunction(node) : node.initializer !== undefined && this.isAsyncFunctionExpression(node.initializer);
        if (name && isAsync) this.asyncMethodNames.add(name);
      }
      ts.forEachChild(node, visit);
    };
    visit(this.sourceFile);
    // `const { Worker } = wt` or `const loopWhile = deasync.loopWhile` after `wt`/`deasync` are known.
    for (let changed = true; changed;) {
      changed = false;
      for (const declaration of aliasCandidates) {
        const init = skipOuterExpressions(ts, declaration.initializer!);
        if (!ts.isIdentifier(init) && !ts.isPropertyAccessExpression(init) && !ts.isAwaitExpression(init)) continue;
        const target = this.resolve(ts.isAwaitExpression(init) ? init.expression : init);
        if (target?.kind !== 'module') continue;
        const before = this.imports.size;
        this.bindPattern(declaration.name, target);
        if (this.imports.size !== before) changed = true;
      }
    }
  }

  private collectImport(node: TS.ImportDeclaration): void {
    const ts = this.ts;
    if (!ts.isStringLiteral(node.moduleSpecifier) || !node.importClause) return;
    const module = normalizeModule(node.moduleSpecifier.text);
    const clause = node.importClause;
    if (clause.name) this.imports.set(clause.name.text, { kind: 'module', module, path: [] });
    const bindings = clause.namedBindings;
    if (!bindings) return;
    if (ts.isNamespaceImport(bindings)) {
      this.imports.set(bindings.name.text, { kind: 'module', module, path: [] });
      return;
    }
    for (const element of bindings.elements) {
      const imported = (element.propertyName ?? element.name).text;
      this.imports.set(element.name.text, { kind: 'module', module, path: imported === 'default' ? [] : [imported] });
    }
  }

  /** `require('m')`, `require('m').x`, `await import('m')`, `(await import('m')).x`. */
  private requiredModule(expression: TS.Expression): Reference | undefined {
    const ts = this.ts;
    const expr = skipOuterExpressions(ts, expression);
    if (ts.isAwaitExpression(expr)) return this.requiredModule(expr.expression);
    if (ts.isCallExpression(expr) && expr.arguments.length >= 1 && ts.isStringLiteralLike(expr.arguments[0]!)) {
      const callee = expr.expression;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      const isDynamicImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      if (isRequire || isDynamicImport) {
        return { kind: 'module', module: normalizeModule((expr.arguments[0] as TS.StringLiteral).text), path: [] };
      }
    }
    if (ts.isPropertyAccessExpression(expr)) {
      const inner = this.requiredModule(expr.expression);
      if (inner?.kind === 'module') return appendPath(inner, expr.name.text);
    }
    return undefined;
  }

  private bindPattern(name: TS.BindingName, target: Reference): void {
    const ts = this.ts;
    if (ts.isIdentifier(name)) {
      this.imports.set(name.text, target);
      return;
    }
    if (ts.isObjectBindingPattern(name)) {
      for (const element of name.elements) {
        if (element.dotDotDotToken) continue;
        const key = element.propertyName ? propertyNameText(ts, element.propertyName) : ts.isIdentifier(element.name) ? element.name.text : undefined;
        if (key === undefined) continue;
        this.bindPattern(element.name, appendPath(target, key));
      }
    }
  }

  private declareBindingNames(name: TS.BindingName): void {
    const ts = this.ts;
    if (ts.isIdentifier(name)) this.declaredNames.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) this.declareBindingNames(element.name);
  }

  private detectWorkerFile(): boolean {
    if (WORKER_FILE_NAME.test(this.sourceFile.fileName)) return true;
    for (const ref of this.imports.values()) {
      if (ref.kind !== 'module') continue;
      if (ref.module === 'worker_threads' && (ref.path[0] === 'parentPort' || ref.path[0] === 'workerData')) return true;
      if (ref.module === 'synckit' && ref.path[0] === 'runAsWorker') return true;
    }
    const ts = this.ts;
    let found = false;
    const visit = (node: TS.Node): void => {
      if (found) return;
      // `wt.parentPort`, web workers' `self.onmessage` / `self.postMessage`, `importScripts(...)`.
      if (ts.isPropertyAccessExpression(node)) {
        const ref = this.resolve(node);
        if (ref?.kind === 'module' && ref.module === 'worker_threads' && (ref.path[0] === 'parentPort' || ref.path[0] === 'workerData')) found = true;
        if (ref?.kind === 'global' && ref.name === 'self' && (ref.path[0] === 'onmessage' || ref.path[0] === 'postMessage')) found = true;
      } else if (ts.isIdentifier(node) && node.text === 'importScripts' && !this.declaredNames.has('importScripts')) found = true;
      ts.forEachChild(node, visit);
    };
    visit(this.sourceFile);
    return found;
  }

  // ---------------------------------------------------------------- references

  /** What an expression names: `deasync.loopWhile` → module deasync, path [loopWhile]. */
  resolve(expression: TS.Expression): Reference | undefined {
    const ts = this.ts;
    const expr = skipOuterExpressions(ts, expression);
    // Compiled TypeScript calls imports as `(0, module_1.fn)(...)`: the comma hands back `module_1.fn`.
    if (ts.isBinaryExpression(expr) && expr.operatorToken.kind === ts.SyntaxKind.CommaToken && ts.isNumericLiteral(skipOuterExpressions(ts, expr.left))) return this.resolve(expr.right);
    if (ts.isIdentifier(expr)) {
      const bound = this.imports.get(expr.text);
      if (bound) return bound;
      if (this.declaredNames.has(expr.text) || expr.text === 'undefined') return undefined;
      return { kind: 'global', name: expr.text, path: [] };
    }
    if (ts.isPropertyAccessExpression(expr) || ts.isElementAccessExpression(expr)) {
      const key = ts.isPropertyAccessExpression(expr) ? expr.name.text : ts.isStringLiteralLike(expr.argumentExpression) ? expr.argumentExpression.text : undefined;
      if (key === undefined) return undefined;
      const base = this.resolve(expr.expression);
      if (!base) return undefined;
      // `globalThis.Worker`, `window.Worker` and `self.Worker` are the global `Worker`.
      if (base.kind === 'global' && base.path.length === 0 && GLOBAL_OBJECTS.has(base.name)) {
        return { kind: 'global', name: key, path: [] };
      }
      return appendPath(base, key);
    }
    if (ts.isCallExpression(expr) || ts.isAwaitExpression(expr)) return this.requiredModule(expr);
    return undefined;
  }

  /** True when `expression` refers to `module` (with `node:` stripped) at exactly `path`. */
  refersTo(expression: TS.Expression, module: string, ...path: string[]): boolean {
    const ref = this.resolve(expression);
    return ref?.kind === 'module' && ref.module === normalizeModule(module) && samePath(ref.path, path);
  }

  refersToGlobal(expression: TS.Expression, name: string, ...path: string[]): boolean {
    const ref = this.resolve(expression);
    return ref?.kind === 'global' && ref.name === name && samePath(ref.path, path);
  }

  // ---------------------------------------------------------------- functions

  isFunctionLike(node: TS.Node): node is FunctionLike {
    return isFunctionLikeNode(this.ts, node);
  }

  /** The function a declaration declares: itself, or the function literal a variable or property holds. */
  declaredFunction(declaration: TS.Declaration): FunctionLike | undefined {
    const ts = this.ts;
    if (this.isFunctionLike(declaration)) return declaration;
    if ((ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration) || ts.isPropertyAssignment(declaration)) && declaration.initializer) {
      const value = skipOuterExpressions(ts, declaration.initializer);
      if (this.isFunctionLike(value)) return value;
    }
    return undefined;
  }

  /** The nearest function whose body contains `node` (a node's own function is not its container). */
  enclosingFunction(node: TS.Node): FunctionLike | undefined {
    for (let current = node.parent; current; current = current.parent) {
      if (this.isFunctionLike(current)) return current;
    }
    return undefined;
  }

  isAsyncFunction(fn: TS.Node): boolean {
    const ts = this.ts;
    if (!this.isFunctionLike(fn)) return false;
    if (fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return true;
    const returnType = fn.type;
    return returnType !== undefined && ts.isTypeReferenceNode(returnType) && PROMISE_TYPE_NAMES.has(entityNameText(ts, returnType.typeName));
  }

  /** Declared async, or written as `async` when it is a function expression or arrow. */
  isAsyncFunctionExpression(expression: TS.Expression): boolean {
    const inner = skipOuterExpressions(this.ts, expression);
    return (this.ts.isArrowFunction(inner) || this.ts.isFunctionExpression(inner)) && this.isAsyncFunction(inner);
  }

  /** A name fit for messages and for `spawn(..., { name })`: `Repo.list`, `handler`, `<anonymous>`. */
  functionName(fn: FunctionLike): string {
    const ts = this.ts;
    const className = (): string | undefined => {
      const parent = fn.parent;
      if (parent && (ts.isClassDeclaration(parent) || ts.isClassExpression(parent))) return parent.name?.text;
      return undefined;
    };
    if (ts.isConstructorDeclaration(fn)) return `${className() ?? '<class>'}.constructor`;
    if (ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) {
      const name = propertyNameText(ts, fn.name) ?? '<computed>';
      const owner = className();
      return owner ? `${owner}.${name}` : name;
    }
    if (fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
    const parent = fn.parent;
    if (parent) {
      if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
      if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name) {
        return propertyNameText(ts, parent.name) ?? '<anonymous>';
      }
      if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        return parent.left.getText(this.sourceFile);
      }
    }
    return '<anonymous>';
  }

  /** The function's name as callers write it (`list` for method `Repo.list`), if it has one. */
  callableName(fn: FunctionLike): string | undefined {
    const name = this.functionName(fn);
    if (name.startsWith('<')) return undefined;
    const dot = name.lastIndexOf('.');
    return dot >= 0 ? name.slice(dot + 1) : name;
  }

  // ---------------------------------------------------------------- promises

  /** Whether a type is a thenable: has a callable `then` (what typescript-eslint calls thenable). */
  isThenableType(type: TypeHandle): boolean {
    const types = this.types;
    if (!types) return false;
    const known = thenables.get(type);
    if (known !== undefined) return known;
    let thenable = false;
    for (const constituent of types.unionParts(type)) {
      // The apparent type answers for type parameters (`T extends Promise<void>`) and primitives.
      const part = types.apparentType(constituent);
      const then = types.propertyOfType(part, 'then');
      if (!then) continue;
      const thenType = types.typeOfSymbolAt(then, this.sourceFile);
      if (types.callSignatures(thenType).length > 0 || types.isAny(thenType)) {
        thenable = true;
        break;
      }
    }
    thenables.set(type, thenable);
    return thenable;
  }

  /**
   * Whether evaluating `expression` yields a promise. With a checker: by type. Without: calls
   * of this file's async functions and methods, of imported async exports, promise built-ins,
   * `.then/.catch/.finally` chains, `new Promise`, and async function expressions called at once.
   */
  isPromiseValued(expression: TS.Expression): boolean {
    const ts = this.ts;
    const expr = skipOuterExpressions(ts, expression);
    if (this.types) {
      // Function and class literals are never thenables themselves; anything else is asked by
      // type, including tagged templates (`sql\`...\`` query builders) and optional calls.
      if (ts.isFunctionLike(expr) || ts.isClassExpression(expr)) return false;
      return this.isThenableType(this.types.typeAt(expr));
    }
    if (ts.isNewExpression(expr)) return this.refersToGlobal(expr.expression, 'Promise');
    if (ts.isIdentifier(expr)) {
      // `const pending = load(); pending;` — a const bound once in the file to a promise.
      const initializer = this.constInitializer(expr.text);
      if (initializer === undefined || this.constsBeingResolved.has(expr.text)) return false;
      // Guards `const a = b, b = a` style cycles.
      this.constsBeingResolved.add(expr.text);
      try {
        return this.isPromiseValued(initializer);
      } finally {
        this.constsBeingResolved.delete(expr.text);
      }
    }
    if (ts.isConditionalExpression(expr)) return this.isPromiseValued(expr.whenTrue) || this.isPromiseValued(expr.whenFalse);
    if (!ts.isCallExpression(expr)) return false;
    const callee = skipOuterExpressions(ts, expr.expression);
    if (this.isAsyncFunctionExpression(callee)) return true;
    // `import('./module.js')` loads asynchronously.
    if (callee.kind === ts.SyntaxKind.ImportKeyword) return true;
    if (ts.isIdentifier(callee)) {
      if (this.asyncFunctionNames.has(callee.text)) return true;
      if (PROMISE_GLOBAL_CALLS.has(callee.text) && !this.declaredNames.has(callee.text)) return true;
      // `const refresh = () => load(); refresh();` — an arrow that hands back a promise.
      const initializer = this.constInitializer(callee.text);
      const arrow = initializer && skipOuterExpressions(ts, initializer);
      if (arrow && ts.isArrowFunction(arrow) && !ts.isBlock(arrow.body) && !this.constsBeingResolved.has(callee.text)) {
        this.constsBeingResolved.add(callee.text);
        try {
          if (this.isPromiseValued(arrow.body)) return true;
        } finally {
          this.constsBeingResolved.delete(callee.text);
        }
      }
    }
    if (ts.isPropertyAccessExpression(callee)) {
      const member = callee.name.text;
      if ((member === 'then' || member === 'catch' || member === 'finally') && expr.arguments.length <= 2) {
        return this.isPromiseValued(callee.expression) || this.looksLikePromiseChain(callee.expression);
      }
      if (callee.expression.kind === ts.SyntaxKind.ThisKeyword && this.asyncMethodNames.has(member)) return true;
      if (this.refersToGlobal(callee.expression, 'Promise') && PROMISE_STATICS.has(member)) return true;
    }
    const ref = this.resolve(callee);
    if (ref?.kind === 'module') {
      if (PROMISE_MODULES.has(ref.module) && ref.path.length === 1) return true;
      if (ref.path[0] === 'promises' && ref.path.length === 2 && (ref.module === 'fs' || ref.module === 'dns')) return true;
      if (this.isImportedAsync(ref)) return true;
    }
    return false;
  }

  /** `x.then(...)` where `x` is unknown: a `.then` with a function argument is a promise chain. */
  private looksLikePromiseChain(expression: TS.Expression): boolean {
    const ts = this.ts;
    const expr = skipOuterExpressions(ts, expression);
    return ts.isCallExpression(expr) && ts.isPropertyAccessExpression(expr.expression) && ['then', 'catch', 'finally'].includes(expr.expression.name.text);
  }

  private constInitializers: Map<string, TS.Expression | null> | undefined;
  private readonly constsBeingResolved = new Set<string>();

  /**
   * The initializer of `const name = ...` when `name` is bound exactly once in the file (so no
   * shadowing can make a different variable of that name mean something else).
   */
  constInitializer(name: string): TS.Expression | undefined {
    if (!this.constInitializers) {
      const ts = this.ts;
      const found = new Map<string, TS.Expression | null>();
      const bind = (id: string, initializer: TS.Expression | null): void => {
        found.set(id, found.has(id) ? null : initializer);
      };
      const bindAll = (name: TS.BindingName): void => {
        if (ts.isIdentifier(name)) bind(name.text, null);
        else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bindAll(element.name);
      };
      const visit = (node: TS.Node): void => {
        if (ts.isVariableDeclaration(node)) {
          const isConst = ts.isVariableDeclarationList(node.parent) && (node.parent.flags & ts.NodeFlags.Const) !== 0;
          if (ts.isIdentifier(node.name) && isConst && node.initializer) bind(node.name.text, node.initializer);
          else bindAll(node.name);
        } else if (ts.isParameter(node)) bindAll(node.name);
        else if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isFunctionExpression(node) || ts.isClassExpression(node)) && node.name) bind(node.name.text, null);
        else if (ts.isImportClause(node) && node.name) bind(node.name.text, null);
        else if ((ts.isImportSpecifier(node) || ts.isNamespaceImport(node)) && node.name) bind(node.name.text, null);
        else if (ts.isCatchClause(node) && node.variableDeclaration) bindAll(node.variableDeclaration.name);
        ts.forEachChild(node, visit);
      };
      visit(this.sourceFile);
      this.constInitializers = found;
    }
    return this.constInitializers.get(name) ?? undefined;
  }

  private isImportedAsync(ref: Reference & { kind: 'module' }): boolean {
    if (!this.moduleFacts || ref.path.length !== 1) return false;
    return this.moduleFacts.asyncExports(this.sourceFile.fileName, ref.module)?.has(ref.path[0]!) ?? false;
  }

  text(node: TS.Node): string {
    return node.getText(this.sourceFile);
  }
}

const GLOBAL_OBJECTS = new Set(['globalThis', 'window', 'self', 'global']);

/** Whether a type is thenable, by type: a backend has one handle per type for its lifetime. */
const thenables = new WeakMap<TypeHandle, boolean>();

/** The type answers an analysis input carries: its own, or its TypeScript 6 checker's. */
export function typeQuestionsOf(input: AnalysisInput): TypeQuestions | undefined {
  return input.types ?? (input.checker ? checkerQuestions(input.ts, input.checker) : undefined);
}

function appendPath(ref: Reference, key: string): Reference {
  // `x.default` of a default-or-namespace binding is the binding itself (CJS/ESM interop).
  if (ref.kind === 'module' && ref.path.length === 0 && key === 'default') return ref;
  return { ...ref, path: [...ref.path, key] };
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((segment, i) => segment === b[i]);
}

/** Declarations and expressions that have a body of their own: what `await` and `return` belong to. */
export function isFunctionLikeNode(ts: TypeScriptApi, node: TS.Node): node is FunctionLike {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

export function skipOuterExpressions(ts: TypeScriptApi, expression: TS.Expression): TS.Expression {
  let expr = expression;
  for (;;) {
    if (ts.isParenthesizedExpression(expr) || ts.isNonNullExpression(expr) || ts.isAsExpression(expr) || ts.isTypeAssertionExpression(expr) || ts.isSatisfiesExpression(expr)) {
      expr = expr.expression;
    } else return expr;
  }
}

export function propertyNameText(ts: TypeScriptApi, name: TS.PropertyName | TS.BindingName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  return undefined;
}

function entityNameText(ts: TypeScriptApi, name: TS.EntityName): string {
  return ts.isIdentifier(name) ? name.text : name.right.text;
}
