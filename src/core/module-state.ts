import { statSync } from 'node:fs';
import path from 'node:path';
import { skipOuterExpressions, type FileFacts, type FunctionLike } from './facts.js';
import { outsideReferences } from './scope.js';
import type { TS } from './types.js';

/**
 * Whether a function can move into the runner's worker without changing what it does. The worker
 * loads the function's module anew: every module-level variable there is the worker's own copy.
 * A function that reads or writes such state (a `Map` of users, a `let` counter, a cached
 * connection, a value a setter assigned) would see the copy, not what the caller's thread holds,
 * so after `saveUser(u)` in this thread, `findUserSync(u.id)` in the worker finds nothing.
 *
 * The rule (docs/fix.md): the function may use its parameters, its own locals, globals other than
 * the global object, Node built-ins and packages (loaded in the worker as they are here), and
 * module-level bindings that cannot hold state: functions and classes of its module that follow
 * the same rule (followed transitively), enums, type declarations, and `const`s whose value is a
 * primitive literal, a template without substitutions, or a literal object or array marked
 * `as const` or passed to `Object.freeze`. Imports from the project's own modules are followed to
 * their declarations under the same rule. Anything else is shared state: a `let` or `var`, a
 * `const` holding a `Map`, an object, an array or the result of a call, a class with static
 * fields, `this`, `globalThis`/`global`, or an import that cannot be followed.
 */

export interface SharedState {
  /** What the function touches, for a message: "reads `users`, a module-level `const` holding `new Map()`". */
  reason: string;
}

const GLOBAL_OBJECTS = new Set(['globalThis', 'global', 'window', 'self']);
const MAX_FUNCTIONS = 200;

interface Work {
  facts: FileFacts;
  node: TS.Node;
  /** How the walk got here, for the message: `findUser` → `lookup`. */
  via: string[];
}

/**
 * Where a function is replaced by another one for the analysis: migrate asks about code whose
 * calls of a sync wrapper will call the wrapper's async sibling instead (file and start offset of
 * each function).
 */
export type Redirect = (file: string, start: number) => { file: string; start: number } | undefined;

/** Undefined when `fn` provably shares no module state with the thread that calls it; otherwise why it does. */
export function sharedModuleState(facts: FileFacts, fn: TS.Node, name: string, redirect?: Redirect): SharedState | undefined {
  const outer = activeRedirect;
  activeRedirect = redirect;
  try {
    return walk(facts, fn, name, redirect);
  } finally {
    activeRedirect = outer;
  }
}

/** The redirect of the analysis under way (sharedModuleState is synchronous), for bindings reached through imports. */
let activeRedirect: Redirect | undefined;

function walk(facts: FileFacts, fn: TS.Node, name: string, redirect: Redirect | undefined): SharedState | undefined {
  const seen = new Set<TS.Node>();
  const work: Work[] = [{ facts, node: fn, via: [name] }];
  while (work.length > 0) {
    const { facts: current, node, via } = work.shift()!;
    if (seen.has(node)) continue;
    seen.add(node);
    if (seen.size > MAX_FUNCTIONS) return { reason: `calls more module code than loop-audit follows (${MAX_FUNCTIONS} functions)` };
    const where =
      via.length > 1
        ? ` (through ${via
            .slice(1)
            .map((step) => `\`${step}\``)
            .join(' → ')})`
        : '';
    const refs = outsideReferences(current, node);
    if (refs.context || (current.isFunctionLike(node) && !current.ts.isArrowFunction(node) && usesOwnThis(current, node))) return { reason: `uses \`this\`${where}, which the worker cannot share` };
    for (const name of [...refs.values].sort()) {
      if (GLOBAL_OBJECTS.has(name) && !current.declaredNames.has(name) && !current.imports.has(name)) return { reason: `uses \`${name}\`${where}: the worker has its own global object` };
      const verdict = bindingVerdict(current, name, node);
      if (verdict.kind === 'state') return { reason: `${verdict.what}${where}` };
      if (verdict.kind === 'follow') work.push({ ...redirected(verdict.facts, verdict.node, redirect), via: [...via, verdict.name] });
    }
  }
  return undefined;
}

function redirected(facts: FileFacts, node: TS.Node, redirect: Redirect | undefined): { facts: FileFacts; node: TS.Node } {
  const target = redirect?.(facts.sourceFile.fileName, node.getStart(facts.sourceFile));
  if (!target) return { facts, node };
  const other = target.file === facts.sourceFile.fileName ? facts : facts.otherFile(target.file);
  const found = other && nodeAt(other, target.start);
  return found && other ? { facts: other, node: found } : { facts, node };
}

/** The outermost function-like node that starts at `start`. */
function nodeAt(facts: FileFacts, start: number): TS.Node | undefined {
  const ts = facts.ts;
  let found: TS.Node | undefined;
  const visit = (node: TS.Node): void => {
    if (found || node.end <= start || node.pos > start) return;
    if (facts.isFunctionLike(node) && node.getStart(facts.sourceFile) === start) found = node;
    else ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  return found;
}

type Verdict = { kind: 'safe' } | { kind: 'state'; what: string } | { kind: 'follow'; facts: FileFacts; node: TS.Node; name: string };

/** `this` in a function (not an arrow) that is not a method: the receiver its caller passes. */
function usesOwnThis(facts: FileFacts, fn: FunctionLike): boolean {
  const ts = facts.ts;
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (node.kind === ts.SyntaxKind.ThisKeyword || node.kind === ts.SyntaxKind.SuperKeyword) found = true;
    if (node !== fn && ((facts.isFunctionLike(node) && !ts.isArrowFunction(node)) || ts.isClassLike(node))) return;
    ts.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

/** What a name read from outside `from` is, at module level: safe, shared state, or code to follow. */
function bindingVerdict(facts: FileFacts, name: string, from: TS.Node): Verdict {
  const ts = facts.ts;
  const imported = facts.imports.get(name);
  if (imported?.kind === 'module') {
    if (!imported.module.startsWith('.')) return { kind: 'safe' };
    return importedVerdict(facts, name, imported.module, isDefaultImport(facts, name) ? ['default'] : imported.path);
  }
  const declaration = moduleDeclaration(facts, name);
  if (!declaration) {
    // Not declared at module level: a global, or a variable of a function around `from` (a closure).
    for (let scope = from.parent; scope && !ts.isSourceFile(scope); scope = scope.parent) {
      if (facts.isFunctionLike(scope) && declaresName(facts, scope, name)) return { kind: 'state', what: `reads \`${name}\`, a variable of the function around it` };
    }
    return { kind: 'safe' };
  }
  return declarationVerdict(facts, name, declaration);
}

/** `import x from './m.js'` (not `import * as x`, not a `require`). */
function isDefaultImport(facts: FileFacts, name: string): boolean {
  const ts = facts.ts;
  return facts.sourceFile.statements.some((statement) => ts.isImportDeclaration(statement) && statement.importClause?.name?.text === name);
}

function declaresName(facts: FileFacts, fn: FunctionLike, name: string): boolean {
  const ts = facts.ts;
  let found = false;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if ((ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isBindingElement(node)) && ts.isIdentifier(node.name) && node.name.text === name) found = true;
    if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name?.text === name) found = true;
    if (node !== fn && facts.isFunctionLike(node)) return;
    ts.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

type ModuleDeclaration =
  { kind: 'function'; node: FunctionLike } | { kind: 'class'; node: TS.ClassLikeDeclaration } | { kind: 'variable'; declaration: TS.VariableDeclaration; isConst: boolean } | { kind: 'inert' };

/** The module-level declaration of `name` in the file, if there is one. */
function moduleDeclaration(facts: FileFacts, name: string): ModuleDeclaration | undefined {
  const ts = facts.ts;
  for (const statement of facts.sourceFile.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name?.text === name) return statement.body ? { kind: 'function', node: statement } : { kind: 'inert' };
    if (ts.isClassDeclaration(statement) && statement.name?.text === name) return { kind: 'class', node: statement };
    if ((ts.isEnumDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isInterfaceDeclaration(statement)) && statement.name.text === name) return { kind: 'inert' };
    if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name) && statement.name.text === name) return undefined;
    if (ts.isVariableStatement(statement)) {
      const isConst = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
      for (const declaration of statement.declarationList.declarations) {
        if (bindsName(ts, declaration.name, name)) return { kind: 'variable', declaration, isConst };
      }
    }
  }
  return undefined;
}

function bindsName(ts: FileFacts['ts'], name: TS.BindingName, target: string): boolean {
  if (ts.isIdentifier(name)) return name.text === target;
  return name.elements.some((element) => !ts.isOmittedExpression(element) && bindsName(ts, element.name, target));
}

function declarationVerdict(facts: FileFacts, name: string, declaration: ModuleDeclaration): Verdict {
  const ts = facts.ts;
  switch (declaration.kind) {
    case 'inert':
      return { kind: 'safe' };
    case 'function':
      return { kind: 'follow', facts, node: declaration.node, name };
    case 'class': {
      const staticField = declaration.node.members.find(
        (member) =>
          ts.isClassStaticBlockDeclaration(member) ||
          (ts.isPropertyDeclaration(member) && member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword) && !(isReadonly(ts, member) && isImmutableValue(facts, member.initializer))),
      );
      if (staticField) return { kind: 'state', what: `uses the class \`${name}\`, whose static ${ts.isClassStaticBlockDeclaration(staticField) ? 'block' : 'fields'} the worker has its own copy of` };
      return { kind: 'follow', facts, node: declaration.node, name };
    }
    case 'variable': {
      const { declaration: variable, isConst } = declaration;
      // A sync wrapper migrate replaces by its async sibling: the sibling is what will run.
      const replacement = activeRedirect?.(facts.sourceFile.fileName, variable.getStart(facts.sourceFile));
      if (replacement) {
        const target = redirected(facts, variable, activeRedirect);
        if (target.node !== variable) return { kind: 'follow', facts: target.facts, node: target.node, name };
      }
      const init = variable.initializer && skipOuterExpressions(ts, variable.initializer);
      if (!isConst) return { kind: 'state', what: `reads \`${name}\`, a module-level \`${variable.parent.flags & ts.NodeFlags.Let ? 'let' : 'var'}\` this thread can change` };
      if (init && ts.isIdentifier(variable.name) && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) return { kind: 'follow', facts, node: init, name };
      if (init && ts.isIdentifier(variable.name) && ts.isClassExpression(init)) return declarationVerdict(facts, name, { kind: 'class', node: init });
      if (variable.initializer && isImmutableValue(facts, variable.initializer)) return { kind: 'safe' };
      // `const x = require('pkg')` and friends: an import by another name.
      const required = variable.initializer && facts.resolve(variable.initializer);
      if (required?.kind === 'module' && ts.isIdentifier(variable.name)) {
        return required.module.startsWith('.') ? importedVerdict(facts, name, required.module, required.path) : { kind: 'safe' };
      }
      return { kind: 'state', what: `reads \`${name}\`, a module-level \`const\` holding ${describeValue(facts, variable.initializer)}, which the worker has its own copy of` };
    }
  }
}

function isReadonly(ts: FileFacts['ts'], member: TS.PropertyDeclaration): boolean {
  return member.modifiers?.some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword) ?? false;
}

/** A value no code can change: a primitive literal, or a literal object or array frozen or marked `as const` (recursively literal). */
function isImmutableValue(facts: FileFacts, value: TS.Expression | undefined): boolean {
  const ts = facts.ts;
  if (!value) return true;
  let expr = value;
  let frozen = false;
  for (;;) {
    if (ts.isParenthesizedExpression(expr) || ts.isSatisfiesExpression(expr) || ts.isNonNullExpression(expr)) expr = expr.expression;
    else if (ts.isAsExpression(expr)) {
      if (ts.isTypeReferenceNode(expr.type) && ts.isIdentifier(expr.type.typeName) && expr.type.typeName.text === 'const') frozen = true;
      expr = expr.expression;
    } else if (ts.isCallExpression(expr) && expr.arguments.length === 1 && isObjectFreeze(facts, expr.expression)) {
      frozen = true;
      expr = expr.arguments[0]!;
    } else break;
  }
  const primitive = (node: TS.Expression): boolean => {
    const e = skipOuterExpressions(ts, node);
    if (ts.isStringLiteralLike(e) || ts.isNumericLiteral(e) || ts.isBigIntLiteral(e)) return true;
    if (ts.isRegularExpressionLiteral(e)) return !/[gy][a-z]*$/.test(e.text.slice(e.text.lastIndexOf('/')));
    if ([ts.SyntaxKind.TrueKeyword, ts.SyntaxKind.FalseKeyword, ts.SyntaxKind.NullKeyword].includes(e.kind)) return true;
    if (ts.isIdentifier(e) && e.text === 'undefined') return true;
    if (ts.isPrefixUnaryExpression(e) && ts.isNumericLiteral(e.operand)) return true;
    return false;
  };
  const literal = (node: TS.Expression): boolean => {
    const e = skipOuterExpressions(ts, node);
    if (primitive(e)) return true;
    if (ts.isArrayLiteralExpression(e)) return e.elements.every((element) => !ts.isSpreadElement(element) && literal(element));
    if (ts.isObjectLiteralExpression(e)) return e.properties.every((p) => ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name) && literal(p.initializer));
    return false;
  };
  if (primitive(expr)) return true;
  return frozen && literal(expr);
}

function isObjectFreeze(facts: FileFacts, callee: TS.Expression): boolean {
  const ts = facts.ts;
  const expr = skipOuterExpressions(ts, callee);
  return ts.isPropertyAccessExpression(expr) && expr.name.text === 'freeze' && ts.isIdentifier(expr.expression) && expr.expression.text === 'Object' && !facts.declaredNames.has('Object');
}

function describeValue(facts: FileFacts, value: TS.Expression | undefined): string {
  const ts = facts.ts;
  if (!value) return 'nothing yet';
  const expr = skipOuterExpressions(ts, value);
  if (ts.isNewExpression(expr)) return `\`new ${facts.text(expr.expression)}()\``;
  if (ts.isObjectLiteralExpression(expr)) return 'an object';
  if (ts.isArrayLiteralExpression(expr)) return 'an array';
  if (ts.isCallExpression(expr)) return `what \`${facts.text(expr.expression).slice(0, 40)}()\` returned`;
  return `\`${facts.text(expr).slice(0, 40)}\``;
}

/** An import from a project module: followed to the declaration it names there. */
function importedVerdict(facts: FileFacts, name: string, specifier: string, importPath: readonly string[]): Verdict {
  const target = resolveSource(path.dirname(facts.sourceFile.fileName), specifier);
  const other = target ? facts.otherFile(target) : undefined;
  if (!other) return { kind: 'state', what: `uses \`${name}\` from '${specifier}', which loop-audit cannot read to check` };
  if (importPath.length === 0) return { kind: 'state', what: `uses the module '${specifier}' as a whole (\`${name}\`), whose state the worker has its own copy of` };
  if (importPath.length > 1) return { kind: 'state', what: `uses \`${name}\` from '${specifier}', which loop-audit cannot follow` };
  return exportVerdict(other, importPath[0]!, `\`${name}\` from '${specifier}'`, 0);
}

function exportVerdict(facts: FileFacts, exportName: string, label: string, depth: number): Verdict {
  const ts = facts.ts;
  if (depth > 8) return { kind: 'state', what: `uses ${label}, re-exported further than loop-audit follows` };
  for (const statement of facts.sourceFile.statements) {
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      const element = statement.exportClause.elements.find((e) => e.name.text === exportName);
      if (!element) continue;
      const local = (element.propertyName ?? element.name).text;
      if (statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
        const next = statement.moduleSpecifier.text.startsWith('.') ? resolveSource(path.dirname(facts.sourceFile.fileName), statement.moduleSpecifier.text) : undefined;
        if (!statement.moduleSpecifier.text.startsWith('.')) return { kind: 'safe' };
        const other = next ? facts.otherFile(next) : undefined;
        return other ? exportVerdict(other, local, label, depth + 1) : { kind: 'state', what: `uses ${label}, which loop-audit cannot read to check` };
      }
      return verdictOfLocal(facts, local, label);
    }
  }
  const declared = moduleDeclaration(facts, exportName);
  if (declared) return verdictOfLocal(facts, exportName, label);
  for (const statement of facts.sourceFile.statements) {
    // `export default function`, `export * from './x.js'`
    if (exportName === 'default' && (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) {
      return ts.isFunctionDeclaration(statement) && statement.body
        ? { kind: 'follow', facts, node: statement, name: 'default' }
        : declarationVerdict(facts, 'default', { kind: 'class', node: statement as TS.ClassDeclaration });
    }
    if (ts.isExportDeclaration(statement) && !statement.exportClause && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) && statement.moduleSpecifier.text.startsWith('.')) {
      const next = resolveSource(path.dirname(facts.sourceFile.fileName), statement.moduleSpecifier.text);
      const other = next ? facts.otherFile(next) : undefined;
      if (other && (moduleDeclaration(other, exportName) || other.sourceFile.statements.some((s) => ts.isExportDeclaration(s)))) {
        const verdict = exportVerdict(other, exportName, label, depth + 1);
        if (!(verdict.kind === 'state' && verdict.what.includes('cannot find'))) return verdict;
      }
    }
  }
  const commonJs = commonJsExport(facts, exportName);
  if (commonJs) {
    const value = skipOuterExpressions(ts, commonJs);
    if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return { kind: 'follow', facts, node: value, name: exportName };
    if (ts.isIdentifier(value)) return verdictOfLocal(facts, value.text, label);
  }
  return { kind: 'state', what: `uses ${label}, which loop-audit cannot find there to check` };
}

/** What CommonJS code exports under `name`: `exports.name = …`, `module.exports.name = …`, `module.exports = { name }`. */
function commonJsExport(facts: FileFacts, name: string): TS.Expression | undefined {
  const ts = facts.ts;
  for (const statement of facts.sourceFile.statements) {
    if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression) || statement.expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
    const { left, right } = statement.expression;
    const target = facts.text(left).replace(/\s+/g, '');
    if (target === `exports.${name}` || target === `module.exports.${name}`) return right;
    const object = skipOuterExpressions(ts, right);
    if (target === 'module.exports' && ts.isObjectLiteralExpression(object)) {
      for (const property of object.properties) {
        if (ts.isShorthandPropertyAssignment(property) && property.name.text === name) return property.name;
        if (ts.isPropertyAssignment(property) && !ts.isComputedPropertyName(property.name) && property.name.text === name) return property.initializer;
        if (ts.isMethodDeclaration(property) && !ts.isComputedPropertyName(property.name) && property.name.text === name) return undefined;
      }
    }
  }
  return undefined;
}

function verdictOfLocal(facts: FileFacts, local: string, label: string): Verdict {
  const imported = facts.imports.get(local);
  if (imported?.kind === 'module')
    return imported.module.startsWith('.') ? importedVerdict(facts, local, imported.module, isDefaultImport(facts, local) ? ['default'] : imported.path) : { kind: 'safe' };
  const declaration = moduleDeclaration(facts, local);
  if (!declaration) return { kind: 'state', what: `uses ${label}, which loop-audit cannot find there to check` };
  const verdict = declarationVerdict(facts, local, declaration);
  return verdict.kind === 'state' ? { kind: 'state', what: verdict.what.replace(`\`${local}\``, `${label} (\`${local}\`)`) } : verdict;
}

/** The source file a relative specifier names: as written, or the TypeScript source of a `.js` specifier, or with an extension or index added. */
function resolveSource(dir: string, specifier: string): string | undefined {
  const base = path.resolve(dir, specifier);
  const candidates = [base];
  const js = /\.([cm]?)js$/.exec(base);
  if (js) {
    const stem = base.slice(0, -js[0].length);
    candidates.unshift(`${stem}.${js[1]}ts`);
    if (js[1] === '') candidates.push(`${stem}.tsx`);
  } else if (!/\.[cm]?[jt]sx?$/.test(base)) {
    for (const extension of ['.ts', '.tsx', '.js', '.mts', '.mjs', '.cts', '.cjs']) candidates.push(`${base}${extension}`);
    for (const extension of ['.ts', '.tsx', '.js']) candidates.push(path.join(base, `index${extension}`));
  }
  return candidates.find((candidate) => statSync(candidate, { throwIfNoEntry: false })?.isFile());
}

/**
 * The same question for the function an expression names (`findUser`, `users.findUser`): declared
 * in this file, or imported from a project module. Packages are loaded in the worker as they are
 * here, so a package's function is not module state of this project.
 */
export function sharedStateOfTarget(facts: FileFacts, target: TS.Expression): SharedState | undefined {
  const ts = facts.ts;
  const expr = skipOuterExpressions(ts, target);
  let verdict: Verdict;
  let label: string;
  if (ts.isIdentifier(expr)) {
    label = expr.text;
    verdict = bindingVerdict(facts, expr.text, facts.sourceFile);
  } else if (ts.isPropertyAccessExpression(expr) && ts.isIdentifier(expr.expression)) {
    label = facts.text(expr);
    const imported = facts.imports.get(expr.expression.text);
    if (imported?.kind !== 'module' || imported.path.length > 0 || isDefaultImport(facts, expr.expression.text)) return { reason: `is reached through \`${label}\`, which loop-audit cannot follow` };
    if (!imported.module.startsWith('.')) return undefined;
    verdict = importedVerdict(facts, label, imported.module, [expr.name.text]);
  } else return { reason: 'is not a function loop-audit can follow' };
  if (verdict.kind === 'safe') return undefined;
  if (verdict.kind === 'state') return { reason: verdict.what };
  return sharedModuleState(verdict.facts, verdict.node, label);
}
