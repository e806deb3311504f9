import type { FileFacts, FunctionLike } from '../facts.js';
import { bindsName, declaresInScope, isBoundBelowModule, isBoundOutside, outsideReferences, typesVisibleAtModuleLevel } from '../scope.js';
import type { TextEdit, TS } from '../types.js';
import { codeStyle, moduleSystemOf, planImport, RUNTIME_MODULE, topStatementSlot } from './imports.js';

/**
 * Moving code to module level for the runner rewrites: whether it may move (it reads nothing that
 * would not exist there), a fresh name for it, its text re-indented, and the edits that place it
 * after the imports with the runtime import it needs.
 */

/**
 * The edits of a rewrite that only replaces code where it stands, plus the import of the runner's
 * `names`. In CommonJS a reused `require` of the runtime must already be set where it is used.
 */
export function withImport(facts: FileFacts, names: string[], replacement: (local: Record<string, string>) => TextEdit): TextEdit[] | undefined {
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
export function hoist(facts: FileFacts, name: string, names: string[], initializer: (local: Record<string, string>) => string, replaceCall: TextEdit): TextEdit[] | undefined {
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
export function hoistInsertion(facts: FileFacts, statement: string): TextEdit | undefined {
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
      if (declaration.initializer && facts.resolve(declaration.initializer)?.kind === 'module' && /require\(\s*['"]@?loop-audit\/runtime['"]/.test(facts.text(declaration.initializer)))
        end = statement.end;
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
export function hoistedName(facts: FileFacts, call: TS.CallExpression, owner: FunctionLike): string {
  const ts = facts.ts;
  let node: TS.Node = call;
  while (node.parent && (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isNonNullExpression(node.parent) || ts.isSatisfiesExpression(node.parent)))
    node = node.parent;
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
export function reindent(facts: FileFacts, fn: TS.Expression): string | undefined {
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

/**
 * Whether a function can be shipped to another thread as source text: it reads nothing from
 * outside but globals (no import, no module binding, no variable of an enclosing function, no
 * outer `this`), and its types are not declared inside the function it is hoisted out of.
 */
export function isSelfContained(facts: FileFacts, fn: TS.ArrowFunction | TS.FunctionExpression): boolean {
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
export function isHoistable(facts: FileFacts, call: TS.CallExpression): boolean {
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
