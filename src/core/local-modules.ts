import type { FileFacts, FunctionLike } from './facts.js';
import { skipOuterExpressions } from './facts.js';
import { resolveRelativeModule } from './module-facts.js';
import { declarationOf } from './scope.js';
import type { TS } from './types.js';

/**
 * The project's own code behind a name: the function a callee names, in this file or in a module
 * it imports by relative path (ES modules and CommonJS, through re-exports), and the value a
 * constant holds there. Read from the syntax (other files from disk through FileFacts.otherFile), so
 * the untyped and the typed analysis see the same thing. Used to recognise the project's own
 * bridges and resource factories by what they do, and node executables kept in constants.
 */

/** How many modules a lookup may pass through (imports, re-exports). */
const MAX_HOPS = 4;

export interface LocalFunction {
  facts: FileFacts;
  fn: FunctionLike;
  /** Whether it lives in another file than the one asking. */
  imported: boolean;
}

export interface LocalValue {
  facts: FileFacts;
  expression: TS.Expression;
}

export interface LocalClass {
  facts: FileFacts;
  cls: TS.ClassLikeDeclaration;
}

type Target =
  { kind: 'function'; facts: FileFacts; fn: FunctionLike } | { kind: 'class'; facts: FileFacts; cls: TS.ClassLikeDeclaration } | { kind: 'value'; facts: FileFacts; expression: TS.Expression };

/** The function a callee (`helper`, `mod.helper`, `require('./x').helper`) names in the project's own code. */
export function localFunction(facts: FileFacts, callee: TS.Expression): LocalFunction | undefined {
  const target = targetOf(facts, callee, 0);
  return target?.kind === 'function' ? { facts: target.facts, fn: target.fn, imported: target.facts !== facts } : undefined;
}

/** The expression a name stands for when it is a constant of this file or one a relative module exports. */
export function localValue(facts: FileFacts, expression: TS.Expression): LocalValue | undefined {
  const target = targetOf(facts, expression, 0);
  return target?.kind === 'value' ? { facts: target.facts, expression: target.expression } : undefined;
}

/** The class a name (`Scope`, `mod.Scope`, `require('./x').Scope`) stands for in the project's own code. */
export function localClass(facts: FileFacts, expression: TS.Expression): LocalClass | undefined {
  const target = targetOf(facts, expression, 0);
  return target?.kind === 'class' ? { facts: target.facts, cls: target.cls } : undefined;
}

function targetOf(facts: FileFacts, expression: TS.Expression, hops: number): Target | undefined {
  if (hops > MAX_HOPS * 2) return undefined;
  const ts = facts.ts;
  const expr = skipOuterExpressions(ts, expression);
  if (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr)) return { kind: 'function', facts, fn: expr };
  if (ts.isClassExpression(expr)) return { kind: 'class', facts, cls: expr };
  if (ts.isIdentifier(expr)) {
    const declared = declarationOf(facts, expr);
    if (declared) return { kind: 'function', facts, fn: declared.fn };
    const cls = topLevelClass(facts, expr.text);
    if (cls) return { kind: 'class', facts, cls };
    const initializer = facts.constInitializer(expr.text);
    if (initializer && !isRequireOrImport(facts, initializer)) return targetOf(facts, initializer, hops + 1) ?? { kind: 'value', facts, expression: initializer };
    // `let handler; … handler = async (msg) => { … }`: a function assigned exactly once.
    const assigned = initializer === undefined ? functionAssignedOnce(facts, expr.text) : undefined;
    if (assigned) return { kind: 'function', facts, fn: assigned };
  }
  const ref = facts.resolve(expr);
  if (ref?.kind !== 'module' || !ref.module.startsWith('.') || ref.path.length > 1 || hops >= MAX_HOPS) return undefined;
  const other = moduleFacts(facts, ref.module);
  return other && exportOf(other, ref.path[0] ?? 'default', hops + 1);
}

function moduleFacts(facts: FileFacts, specifier: string): FileFacts | undefined {
  const file = resolveRelativeModule(facts.sourceFile.fileName, specifier);
  return file === undefined ? undefined : facts.otherFile(file);
}

function isRequireOrImport(facts: FileFacts, expression: TS.Expression): boolean {
  const ref = facts.resolve(expression);
  return ref?.kind === 'module';
}

/** What a module exports under `name` (`default` for `export default` and CommonJS `module.exports = ...`). */
function exportOf(facts: FileFacts, name: string, hops: number): Target | undefined {
  const ts = facts.ts;
  const valueOf = (expression: TS.Expression): Target | undefined => targetOf(facts, expression, hops + 1);
  const isExported = (node: TS.Node): boolean => ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false);
  const isDefault = (node: TS.Node): boolean => ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword) ?? false);
  for (const statement of facts.sourceFile.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.body && isExported(statement)) {
      if ((name === 'default' && isDefault(statement)) || statement.name?.text === name) return { kind: 'function', facts, fn: statement };
    } else if (ts.isClassDeclaration(statement) && isExported(statement)) {
      if ((name === 'default' && isDefault(statement)) || statement.name?.text === name) return { kind: 'class', facts, cls: statement };
    } else if (ts.isVariableStatement(statement) && isExported(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.name.text === name && declaration.initializer)
          return valueOf(declaration.initializer) ?? { kind: 'value', facts, expression: declaration.initializer };
      }
    } else if (ts.isExportAssignment(statement) && name === 'default' && !statement.isExportEquals) {
      return valueOf(statement.expression);
    } else if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) {
        if (element.name.text !== name) continue;
        const local = (element.propertyName ?? element.name).text;
        if (statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
          const other = statement.moduleSpecifier.text.startsWith('.') && hops < MAX_HOPS ? moduleFacts(facts, statement.moduleSpecifier.text) : undefined;
          return other && exportOf(other, local, hops + 1);
        }
        return identifierTarget(facts, local, hops);
      }
    } else if (ts.isExportDeclaration(statement) && !statement.exportClause && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      // `export * from './x'`
      const other = statement.moduleSpecifier.text.startsWith('.') && hops < MAX_HOPS ? moduleFacts(facts, statement.moduleSpecifier.text) : undefined;
      const found = other && exportOf(other, name, hops + 1);
      if (found) return found;
    } else if (ts.isExpressionStatement(statement) && ts.isBinaryExpression(statement.expression) && statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const found = commonJsExport(facts, statement.expression, name, hops);
      if (found) return found;
    }
  }
  return undefined;
}

/** `module.exports = x`, `module.exports = { a, b: c }`, `module.exports.a = x`, `exports.a = x`. */
function commonJsExport(facts: FileFacts, assignment: TS.BinaryExpression, name: string, hops: number): Target | undefined {
  const ts = facts.ts;
  const left = skipOuterExpressions(ts, assignment.left);
  const right = skipOuterExpressions(ts, assignment.right);
  const written = facts.text(left).replace(/\s+/g, '');
  if (written === 'module.exports') {
    if (name === 'default') return identifierOrValue(facts, right, hops);
    if (ts.isObjectLiteralExpression(right)) {
      for (const property of right.properties) {
        if (ts.isShorthandPropertyAssignment(property) && property.name.text === name) return identifierTarget(facts, name, hops);
        if (ts.isPropertyAssignment(property) && property.name.getText(facts.sourceFile) === name) return identifierOrValue(facts, property.initializer, hops);
        if (ts.isMethodDeclaration(property) && property.name.getText(facts.sourceFile) === name) return { kind: 'function', facts, fn: property };
      }
      return undefined;
    }
    // `module.exports = require('./impl')`: the other module's export.
    const ref = facts.resolve(right);
    if (ref?.kind === 'module' && ref.module.startsWith('.') && ref.path.length === 0 && hops < MAX_HOPS) {
      const other = moduleFacts(facts, ref.module);
      return other && exportOf(other, name, hops + 1);
    }
    return undefined;
  }
  if (written === `module.exports.${name}` || written === `exports.${name}`) return identifierOrValue(facts, right, hops);
  return undefined;
}

function identifierOrValue(facts: FileFacts, expression: TS.Expression, hops: number): Target | undefined {
  return targetOf(facts, expression, hops + 1) ?? { kind: 'value', facts, expression };
}

/** A top-level name of a module: its function declaration, a const, or what it imports under that name. */
function identifierTarget(facts: FileFacts, name: string, hops: number): Target | undefined {
  const ts = facts.ts;
  for (const statement of facts.sourceFile.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name?.text === name && statement.body) return { kind: 'function', facts, fn: statement };
  }
  const cls = topLevelClass(facts, name);
  if (cls) return { kind: 'class', facts, cls };
  const initializer = facts.constInitializer(name);
  if (initializer) return targetOf(facts, initializer, hops + 1) ?? { kind: 'value', facts, expression: initializer };
  const ref = facts.imports.get(name);
  if (ref?.kind !== 'module' || !ref.module.startsWith('.') || ref.path.length > 1 || hops >= MAX_HOPS) return undefined;
  const other = moduleFacts(facts, ref.module);
  return other && exportOf(other, ref.path[0] ?? 'default', hops + 1);
}

/** `class Name { … }` at the top of the module, the only binding of that name there. */
function topLevelClass(facts: FileFacts, name: string): TS.ClassDeclaration | undefined {
  const ts = facts.ts;
  const found = facts.sourceFile.statements.filter((statement): statement is TS.ClassDeclaration => ts.isClassDeclaration(statement) && statement.name?.text === name);
  return found.length === 1 && facts.constInitializer(name) === undefined ? found[0] : undefined;
}

/** The function literal a `let` without initializer is assigned, when the file assigns the name exactly once. */
function functionAssignedOnce(facts: FileFacts, name: string): FunctionLike | undefined {
  let table = assignedCache.get(facts);
  if (!table) {
    const ts = facts.ts;
    const found = new Map<string, FunctionLike | null>();
    const visit = (node: TS.Node): void => {
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(node.left)) {
        const right = skipOuterExpressions(ts, node.right);
        const fn = ts.isArrowFunction(right) || ts.isFunctionExpression(right) ? right : null;
        found.set(node.left.text, found.has(node.left.text) ? null : fn);
      } else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) found.set(node.name.text, null);
      ts.forEachChild(node, visit);
    };
    visit(facts.sourceFile);
    table = found;
    assignedCache.set(facts, table);
  }
  return table.get(name) ?? undefined;
}
const assignedCache = new WeakMap<FileFacts, Map<string, FunctionLike | null>>();
