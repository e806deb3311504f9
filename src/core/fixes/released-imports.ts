import { BRIDGE_LIBRARIES } from '../bridge-libraries.js';
import { normalizeModule, type FileFacts } from '../facts.js';
import type { TextEdit, TS } from '../types.js';

/**
 * The imports a rewrite leaves unused: `import deasync from 'deasync'`, synckit's `createSyncFn`,
 * `callbackify` from node:util. Under `noUnusedLocals` each one is TS6133, and an unused import of
 * a native bridge (deasync) still loads it at start-up. Only modules whose import has no effect
 * of its own are removed: the bridge libraries and node:util. A project module stays imported
 * even when nothing uses it any more, since loading it may have effects.
 */

/** Modules an import of which only binds names: removing it changes nothing but the binding. */
const RELEASABLE = new Set<string>([...BRIDGE_LIBRARIES.flatMap((library) => library.entries.map((entry) => entry.module)), 'util']);

interface ImportBinding {
  local: string;
  /** The identifier that declares the local name. */
  name: TS.Identifier;
  /** The import or require statement. */
  statement: TS.Statement;
  /** The specifier or pattern element to remove when the statement binds other names too. */
  element: TS.Node | undefined;
  /** Every name the statement binds. */
  siblings: number;
}

/**
 * Edits that go with a rewrite replacing `replaced` (ranges of the current text) by code that
 * mentions `newText`: for each releasable import used inside those ranges, its removal when no
 * use is left outside them; otherwise a zero-width edit at its statement, so that two rewrites of
 * calls through the same import never land in one pass (the last one then removes it). ESLint
 * merges a report's edits into one span, so this holds for `eslint --fix` too.
 */
export function releasedImports(facts: FileFacts, replaced: readonly { start: number; end: number }[], newText: string): TextEdit[] {
  const ts = facts.ts;
  const sourceFile = facts.sourceFile;
  const inside = (node: TS.Node): boolean => replaced.some((range) => range.start <= node.getStart(sourceFile) && node.getEnd() <= range.end);
  const used = new Set<string>();
  const outside = new Set<string>();
  const bindings = importBindings(facts);
  const locals = new Set(bindings.map((binding) => binding.local));
  const declaring = new Set(bindings.map((binding) => binding.name));
  const visit = (node: TS.Node): void => {
    if (ts.isIdentifier(node) && locals.has(node.text) && !declaring.has(node) && isReference(ts, node)) (inside(node) ? used : outside).add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  const edits: TextEdit[] = [];
  const removedFrom = new Map<TS.Statement, number>();
  const candidates = bindings.filter((binding) => used.has(binding.local));
  for (const binding of candidates) {
    const gone = !outside.has(binding.local) && !mentions(newText, binding.local);
    if (!gone) {
      edits.push({ start: binding.statement.getStart(sourceFile), end: binding.statement.getStart(sourceFile), text: '' });
      continue;
    }
    removedFrom.set(binding.statement, (removedFrom.get(binding.statement) ?? 0) + 1);
  }
  for (const [statement, count] of removedFrom) {
    const mine = candidates.filter((binding) => binding.statement === statement && !outside.has(binding.local) && !mentions(newText, binding.local));
    if (count === mine[0]!.siblings) edits.push(statementRemoval(facts, statement));
    else for (const binding of mine) edits.push(elementRemoval(facts, binding.element!));
  }
  return edits;
}

/**
 * Combines a rewrite's edits with import removals: a new statement inserted where a removed
 * statement ends (the slot after the last import) takes the removed statement's place.
 */
export function withReleasedImports(edits: readonly TextEdit[], released: readonly TextEdit[]): TextEdit[] {
  const result = edits.map((edit) => ({ ...edit }));
  for (const removal of released) {
    if (removal.start === removal.end) {
      // An anchor: fine unless it falls inside another edit.
      if (!result.some((edit) => edit.start < removal.start && removal.start < edit.end) && !result.some((edit) => edit.start === removal.start && edit.end === removal.end)) result.push(removal);
      continue;
    }
    const inserted = result.find((edit) => edit.start === edit.end && removal.start < edit.start && edit.start <= removal.end);
    if (inserted && inserted.start === (removal as RemovalEdit).statementEnd) {
      // `\n<new statement>` after the removed one: it takes the removed one's line instead.
      const newline = /^\r?\n/.exec(inserted.text)?.[0] ?? '';
      result.splice(result.indexOf(inserted), 1, { start: removal.start, end: inserted.start, text: inserted.text.slice(newline.length) });
      continue;
    }
    if (inserted) continue; // cannot combine safely: keep the import
    if (result.some((edit) => edit.start < removal.end && removal.start < edit.end)) continue;
    result.push({ start: removal.start, end: removal.end, text: removal.text });
  }
  return result.sort((a, b) => a.start - b.start || a.end - b.end);
}

type RemovalEdit = TextEdit & { statementEnd?: number };

function statementRemoval(facts: FileFacts, statement: TS.Statement): RemovalEdit {
  const text = facts.sourceFile.text;
  const start = statement.getStart(facts.sourceFile);
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const ownLine = text.slice(lineStart, start).trim() === '';
  let end = statement.getEnd();
  const rest = /^[ \t]*(?:\/\/[^\n]*)?(?:\r?\n|$)/.exec(text.slice(end));
  if (ownLine && rest) end += rest[0].length;
  return { start: ownLine ? lineStart : start, end, text: '', statementEnd: statement.getEnd() };
}

function elementRemoval(facts: FileFacts, element: TS.Node): TextEdit {
  const sourceFile = facts.sourceFile;
  const list = element.parent as TS.NamedImports | TS.ObjectBindingPattern;
  const elements = list.elements as TS.NodeArray<TS.Node>;
  const index = elements.indexOf(element);
  if (index < elements.length - 1) return { start: element.getStart(sourceFile), end: elements[index + 1]!.getStart(sourceFile), text: '' };
  return { start: elements[index - 1]!.getEnd(), end: element.getEnd(), text: '' };
}

function mentions(text: string, name: string): boolean {
  return new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(text);
}

/** Releasable import bindings of the file: `import x`, `import { x }`, `import * as x`, `const x = require()`, `const { x } = require()`. */
function importBindings(facts: FileFacts): ImportBinding[] {
  const ts = facts.ts;
  const found: ImportBinding[] = [];
  for (const statement of facts.sourceFile.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && RELEASABLE.has(normalizeModule(statement.moduleSpecifier.text))) {
      const clause = statement.importClause;
      if (!clause || clause.isTypeOnly) continue;
      const names: { name: TS.Identifier; element: TS.Node | undefined }[] = [];
      if (clause.name) names.push({ name: clause.name, element: undefined });
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.push({ name: bindings.name, element: undefined });
      else if (bindings) for (const element of bindings.elements) names.push({ name: element.name, element: element.isTypeOnly ? undefined : element });
      // Only named specifiers can be removed one by one; a default next to named ones stays with them.
      const removable = names.length === 1 || names.every((n) => n.element !== undefined);
      for (const { name, element } of names) if (removable) found.push({ local: name.text, name, statement, element, siblings: names.length });
      continue;
    }
    if (!ts.isVariableStatement(statement) || statement.declarationList.declarations.length !== 1) continue;
    const declaration = statement.declarationList.declarations[0]!;
    const init = declaration.initializer;
    if (!init || !ts.isCallExpression(init) || !ts.isIdentifier(init.expression) || init.expression.text !== 'require' || init.arguments.length !== 1) continue;
    const specifier = init.arguments[0]!;
    if (!ts.isStringLiteralLike(specifier) || !RELEASABLE.has(normalizeModule(specifier.text))) continue;
    if (ts.isIdentifier(declaration.name)) found.push({ local: declaration.name.text, name: declaration.name, statement, element: undefined, siblings: 1 });
    else if (ts.isObjectBindingPattern(declaration.name) && declaration.name.elements.every((e) => ts.isIdentifier(e.name) && !e.dotDotDotToken)) {
      for (const element of declaration.name.elements)
        found.push({ local: (element.name as TS.Identifier).text, name: element.name as TS.Identifier, statement, element, siblings: declaration.name.elements.length });
    }
  }
  return found;
}

/** An identifier that names a binding (a value or a type), not a property or a label. */
function isReference(ts: FileFacts['ts'], node: TS.Identifier): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if ((ts.isPropertyAccessExpression(parent) || ts.isQualifiedName(parent)) && (ts.isPropertyAccessExpression(parent) ? parent.name : parent.right) === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent) || ts.isMethodSignature(parent)) && parent.name === node)
    return false;
  if (ts.isBindingElement(parent) && parent.propertyName === node) return false;
  if ((ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) && parent.propertyName === node) return false;
  if ((ts.isLabeledStatement(parent) || ts.isBreakStatement(parent) || ts.isContinueStatement(parent)) && parent.label === node) return false;
  return true;
}
