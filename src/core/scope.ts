import type { FileFacts, FunctionLike } from './facts.js';
import { skipOuterExpressions } from './facts.js';
import type { TS } from './types.js';

/**
 * Scope questions answered from the syntax tree alone (the checker is not always there): which
 * names a scope declares, what a piece of code reads from outside itself, where a name is bound.
 * Used by the detectors (a busy-wait loop's local flag) and by the fixes (may this code move to
 * module level, or to another thread).
 */

/** Names declared by the function itself (parameters, its own var/let/const/function declarations). */
export function functionLocals(facts: FileFacts, fn: TS.Node): ReadonlySet<string> {
  const cached = localsCache.get(fn);
  if (cached) return cached;
  const ts = facts.ts;
  const names = new Set<string>();
  const add = (name: TS.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) add(element.name);
  };
  if (facts.isFunctionLike(fn)) for (const parameter of fn.parameters) add(parameter.name);
  const visit = (node: TS.Node): void => {
    if (ts.isVariableDeclaration(node)) add(node.name);
    else if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name) names.add(node.name.text);
    else if (ts.isCatchClause(node) && node.variableDeclaration) add(node.variableDeclaration.name);
    if (facts.isFunctionLike(node) || ts.isClassLike(node)) return;
    ts.forEachChild(node, visit);
  };
  const body = facts.isFunctionLike(fn) ? fn.body : undefined;
  if (body) ts.forEachChild(body, visit);
  localsCache.set(fn, names);
  return names;
}
const localsCache = new WeakMap<TS.Node, ReadonlySet<string>>();

export interface TopLevelFunction {
  /** The function itself: a declaration, or the function expression a `const` holds. */
  fn: FunctionLike;
  /** The statement that declares it (where `export` would go). */
  statement: TS.Statement;
  topLevel: boolean;
}

/** The function an identifier names, where it is a function declaration or a `const` initialised with a function expression. */
export function declarationOf(facts: FileFacts, identifier: TS.Identifier): TopLevelFunction | undefined {
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

export function bindsName(ts: FileFacts['ts'], name: TS.BindingName, target: string): boolean {
  if (ts.isIdentifier(name)) return name.text === target;
  return name.elements.some((element) => !ts.isOmittedExpression(element) && bindsName(ts, element.name, target));
}

/** Whether `scope` itself declares `name`: parameters and `var`s of a function, block-scoped declarations of a block, a loop's or catch clause's variables, a named function or class expression's own name. */
export function declaresInScope(facts: FileFacts, scope: TS.Node, name: string): boolean {
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

export interface OutsideReferences {
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
export function outsideReferences(facts: FileFacts, root: TS.Node): OutsideReferences {
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

/** Whether a scope between `node` and the file (exclusive) declares `name`. */
export function isBoundBelowModule(facts: FileFacts, node: TS.Node, name: string): boolean {
  for (let scope = node.parent; scope && !facts.ts.isSourceFile(scope); scope = scope.parent) {
    if (declaresInScope(facts, scope, name)) return true;
  }
  return false;
}

/** Whether any scope above `node` (up to and including the file) declares `name`. */
export function isBoundOutside(facts: FileFacts, node: TS.Node, name: string): boolean {
  for (let scope = node.parent; scope; scope = scope.parent) {
    if (declaresInScope(facts, scope, name)) return true;
  }
  return false;
}

/** None of `types` is a type parameter or type declared in a function around `node` (they would not exist at module level). */
export function typesVisibleAtModuleLevel(facts: FileFacts, types: ReadonlySet<string>, node: TS.Node): boolean {
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
