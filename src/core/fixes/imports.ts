import { builtinModules } from 'node:module';
import { normalizeModule, type FileFacts } from '../facts.js';
import { RUNTIME_PACKAGE } from '../runtime-package.js';
import type { TextEdit, TS } from '../types.js';

/** The module specifier fixes import the runtime by. */
export const RUNTIME_MODULE = RUNTIME_PACKAGE;

export interface ImportPlan {
  /** Edits that add what is missing (empty when everything is imported already). */
  edits: TextEdit[];
  /** For each requested export, the local name to call it by in this file. */
  local: Record<string, string>;
}

export type ModuleSystem = 'esm' | 'cjs';

/** ESM when the file has import/export syntax or an ESM extension; CJS when it requires and exports the CommonJS way. */
export function moduleSystemOf(facts: FileFacts): ModuleSystem {
  const ts = facts.ts;
  const file = facts.sourceFile;
  if (/\.(?:mjs|mts)$/.test(file.fileName)) return 'esm';
  if (/\.(?:cjs|cts)$/.test(file.fileName)) return 'cjs';
  const hasEsm = file.statements.some(
    (s) => ts.isImportDeclaration(s) || ts.isExportDeclaration(s) || ts.isExportAssignment(s) || (ts.canHaveModifiers(s) && ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)),
  );
  if (hasEsm) return 'esm';
  const hasRequire = file.statements.some((s) => ts.isVariableStatement(s) && s.declarationList.declarations.some((d) => d.initializer && /^require\(/.test(d.initializer.getText(file))));
  const usesModuleExports = /\bmodule\.exports\b|\bexports\.\w+\s*=/.test(file.text);
  if (hasRequire || usesModuleExports) return 'cjs';
  return 'esm';
}

/**
 * Plans the import of `names` from `module` so the file can call them, written the way the
 * file writes its other imports (ESM or `require`, quotes, semicolons, line endings). Reuses
 * an import that is already there, and aliases a name the file already uses for something else.
 */
export function planImport(facts: FileFacts, module: string, names: readonly string[]): ImportPlan {
  const ts = facts.ts;
  const file = facts.sourceFile;
  const local: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const existing = [...facts.imports].find(([, ref]) => ref.kind === 'module' && ref.module === normalizeModule(module) && ref.path.length === 1 && ref.path[0] === name);
    if (existing) local[name] = existing[0];
    else missing.push(name);
  }
  if (missing.length === 0) return { edits: [], local };

  const taken = (candidate: string) => facts.declaredNames.has(candidate) || facts.imports.has(candidate);
  const specifiers: { name: string; alias?: string }[] = missing.map((name) => {
    if (!taken(name)) return { name };
    let alias = `loopAudit${name[0]!.toUpperCase()}${name.slice(1)}`;
    for (let i = 2; taken(alias); i++) alias = `loopAudit${name[0]!.toUpperCase()}${name.slice(1)}${i}`;
    return { name, alias };
  });
  for (const s of specifiers) local[s.name] = s.alias ?? s.name;

  const system = moduleSystemOf(facts);
  const style = codeStyle(facts);
  const specifierList = (separator: string) => specifiers.map((s) => (s.alias ? `${s.name}${separator}${s.alias}` : s.name));
  const specifierText = (separator: string) => specifierList(separator).join(', ');

  // Extend `import { a } from '@loop-audit/runtime'` or `const { a } = require('@loop-audit/runtime')` in place
  // (or the same import of an equivalent specifier: loop-audit's re-export of the runtime).
  for (const statement of file.statements) {
    if (system === 'esm' && ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && normalizeModule(statement.moduleSpecifier.text) === normalizeModule(module)) {
      const bindings = statement.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings) && !statement.importClause?.isTypeOnly) {
        return { edits: [appendToList(file, bindings.elements, bindings, specifierList(' as '), style)], local };
      }
    }
    if (system === 'cjs' && ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer;
        if (
          init &&
          ts.isCallExpression(init) &&
          ts.isIdentifier(init.expression) &&
          init.expression.text === 'require' &&
          init.arguments[0] &&
          ts.isStringLiteral(init.arguments[0]) &&
          normalizeModule(init.arguments[0].text) === normalizeModule(module) &&
          ts.isObjectBindingPattern(declaration.name)
        ) {
          return { edits: [appendToList(file, declaration.name.elements, declaration.name, specifierList(': '), style)], local };
        }
      }
    }
  }

  const q = style.quote;
  const semi = style.semicolon ? ';' : '';
  const pad = style.bracketSpacing ? ' ' : '';
  const statementText =
    system === 'esm' ? `import {${pad}${specifierText(' as ')}${pad}} from ${q}${module}${q}${semi}` : `const {${pad}${specifierText(': ')}${pad}} = require(${q}${module}${q})${semi}`;
  const grouped = system === 'esm' ? groupedImportSlot(facts, module) : undefined;
  if (grouped) {
    const text = grouped.after ? `${style.newline}${statementText}` : `${statementText}${style.newline}`;
    return { edits: [{ start: grouped.position, end: grouped.position, text }], local };
  }
  return { edits: [insertStatement(facts, statementText, style.newline)], local };
}

/**
 * Where an import of the package `module` joins imports that list packages first and their own
 * modules after (`import x from '../src/index'` last, as import-sorting lint rules want): among
 * the other packages (builtins like `node:fs` are a group of their own and stay first), at its
 * place in their alphabetical order when they are in one, else after the last of them. Undefined
 * when the file has no such group: the import then goes after the last import.
 */
function groupedImportSlot(facts: FileFacts, module: string): { position: number; after: boolean } | undefined {
  const ts = facts.ts;
  const file = facts.sourceFile;
  if (isRelativeSpecifier(module)) return undefined;
  const block = importLikeStatements(facts);
  if (block.some((statement) => !ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier))) return undefined;
  const imports = block as (TS.ImportDeclaration & { moduleSpecifier: TS.StringLiteral })[];
  const packages = imports.filter((i) => !isRelativeSpecifier(i.moduleSpecifier.text) && !isBuiltinSpecifier(i.moduleSpecifier.text) && !i.importClause?.isTypeOnly);
  const last = packages.at(-1);
  if (!last) return undefined;
  // Only a file that keeps its own modules after the packages has groups to respect.
  const firstRelative = imports.findIndex((i) => isRelativeSpecifier(i.moduleSpecifier.text));
  if (firstRelative === -1 || imports.slice(firstRelative).some((i) => packages.includes(i))) return undefined;
  const key = (specifier: string) => specifier.toLowerCase();
  const sorted = packages.every((p, index) => index === 0 || key(packages[index - 1]!.moduleSpecifier.text) <= key(p.moduleSpecifier.text));
  const before = sorted ? packages.find((p) => key(p.moduleSpecifier.text) > key(module)) : undefined;
  if (!before) return { position: last.end, after: true };
  const index = imports.indexOf(before);
  if (index > 0) return { position: imports[index - 1]!.end, after: true };
  // First in the file: only where no comment (a header, a directive for that import) sits on it.
  if ((ts.getLeadingCommentRanges(file.text, before.getFullStart()) ?? []).length > 0) return { position: last.end, after: true };
  return { position: before.getStart(file), after: false };
}

function isRelativeSpecifier(specifier: string): boolean {
  return specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#') || specifier.startsWith('~/') || specifier.startsWith('@/');
}

function isBuiltinSpecifier(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);
}

/**
 * Names added to an import or require list the way the list is written: on one line after a
 * comma, or, in a list written one name per line, each on its own line with the list's
 * indentation and its trailing comma (kept last).
 */
function appendToList(file: TS.SourceFile, elements: TS.NodeArray<TS.Node>, container: TS.Node, names: readonly string[], style: CodeStyle): TextEdit {
  const text = file.text;
  const last = elements.at(-1);
  const pad = style.bracketSpacing ? ' ' : '';
  if (!last) {
    // `import {} from 'x'`: put the names between the braces.
    const open = text.indexOf('{', container.getStart(file));
    return { start: open + 1, end: open + 1, text: `${pad}${names.join(', ')}${pad}` };
  }
  const lineStart = text.lastIndexOf('\n', last.getStart(file) - 1) + 1;
  const multiline = /^[ \t]*$/.test(text.slice(lineStart, last.getStart(file)));
  if (!multiline) return { start: last.end, end: last.end, text: `, ${names.join(', ')}` };
  const indent = text.slice(lineStart, last.getStart(file));
  const trailingComma = elements.hasTrailingComma;
  if (trailingComma) {
    const comma = text.indexOf(',', last.end);
    return { start: comma + 1, end: comma + 1, text: names.map((name) => `${style.newline}${indent}${name},`).join('') };
  }
  return { start: last.end, end: last.end, text: names.map((name) => `,${style.newline}${indent}${name}`).join('') };
}

export interface CodeStyle {
  quote: "'" | '"';
  semicolon: boolean;
  newline: '\n' | '\r\n';
  /** `{ a }` rather than `{a}` in import lists and object literals (prettier's bracketSpacing). */
  bracketSpacing: boolean;
  /** The file's indentation unit: a tab, or a number of spaces. */
  indent: string;
}

/** A string literal in the file's quote style. */
export function stringLiteral(style: CodeStyle, value: string): string {
  if (style.quote === '"') return JSON.stringify(value);
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** Quotes, semicolons and line endings as the file writes them (its first import decides). */
export function codeStyle(facts: FileFacts): CodeStyle {
  const file = facts.sourceFile;
  const text = file.text;
  const newline = /\r\n/.test(text) ? '\r\n' : '\n';
  const imports = importLikeStatements(facts);
  const sample = imports[0]?.getText(file);
  const quote = sample ? (/"/.test(sample) && !/'/.test(sample) ? '"' : "'") : majorityQuote(facts);
  const semicolon = sample ? /;\s*$/.test(sample) : usesSemicolons(facts);
  // Import lists say it best (prettier's bracketSpacing covers them and object literals alike).
  const lists = imports.map((statement) => /\{([^{}\n]+)\}/.exec(statement.getText(file))?.[1]).filter((inner): inner is string => inner !== undefined);
  const spacing = lists.length > 0 ? lists.filter((inner) => /^\s/.test(inner)).length * 2 >= lists.length : bracketSpacing(text);
  return { quote, semicolon, newline, bracketSpacing: spacing, indent: indentUnitOf(text) };
}

/** Whether the file pads braces (`{ a }`), judged by its braces that hold something on the same line. */
function bracketSpacing(text: string): boolean {
  let padded = 0;
  let tight = 0;
  for (const match of text.matchAll(/\{([^{}\n]*)\}/g)) {
    const inner = match[1]!;
    if (inner.trim() === '' || /^['"`]|['"`]$/.test(inner)) continue;
    if (/^\s.*\s$/.test(inner)) padded++;
    else if (/^\S.*\S$|^\S$/.test(inner)) tight++;
    if (padded + tight >= 40) break;
  }
  return padded >= tight;
}

/** The file's indentation unit, from its indented lines: a tab, or the smallest step of spaces (two when it has none). */
export function indentUnitOf(text: string): string {
  let tabs = 0;
  let spaces = 0;
  const steps = new Map<number, number>();
  let previous = 0;
  for (const match of text.matchAll(/\n([ \t]*)\S/g)) {
    const lead = match[1]!;
    if (lead.startsWith('\t')) tabs++;
    else if (lead.length > 0) spaces++;
    if (!lead.includes('\t')) {
      const step = lead.length - previous;
      if (step > 0) steps.set(step, (steps.get(step) ?? 0) + 1);
      previous = lead.length;
    }
  }
  if (tabs > spaces) return '\t';
  const common = [...steps].filter(([step]) => step >= 2 && step <= 8).sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
  return ' '.repeat(common?.[0] ?? 2);
}

/** Whether the file ends its statements with semicolons, by the statements that would carry one. */
function usesSemicolons(facts: FileFacts): boolean {
  const ts = facts.ts;
  let withSemicolon = 0;
  let without = 0;
  const visit = (node: TS.Node): void => {
    if (ts.isExpressionStatement(node) || ts.isVariableStatement(node) || ts.isReturnStatement(node) || ts.isThrowStatement(node)) {
      if (facts.sourceFile.text[node.getEnd() - 1] === ';') withSemicolon++;
      else without++;
    }
    if (withSemicolon + without < 50) ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  return withSemicolon >= without;
}

function majorityQuote(facts: FileFacts): "'" | '"' {
  const ts = facts.ts;
  let single = 0;
  let double = 0;
  const visit = (node: TS.Node): void => {
    if (ts.isStringLiteral(node)) {
      if (facts.sourceFile.text[node.getStart(facts.sourceFile)] === '"') double++;
      else single++;
    }
    if (single + double < 50) ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  return double > single ? '"' : "'";
}

/** Top-of-file imports and requires, the block a new import joins. */
function importLikeStatements(facts: FileFacts): TS.Statement[] {
  const ts = facts.ts;
  const file = facts.sourceFile;
  const result: TS.Statement[] = [];
  for (const statement of file.statements) {
    const isImport = ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement);
    const isRequire =
      ts.isVariableStatement(statement) &&
      statement.declarationList.declarations.every((d) => d.initializer !== undefined && /^require\(['"][^'"]+['"]\)(?:\.\w+)*$/.test(d.initializer.getText(file)));
    if (isImport || isRequire) result.push(statement);
    else if (result.length > 0 || !isDirectiveOrTypeOnly(ts, statement)) break;
  }
  return result;
}

function isDirectiveOrTypeOnly(ts: FileFacts['ts'], statement: TS.Statement): boolean {
  return ts.isExpressionStatement(statement) && ts.isStringLiteral(statement.expression);
}

/**
 * Where a new top-of-file statement goes: after the last top-of-file import (`after`: the text
 * is written as a new line after `position`), else after directives (`'use strict'`), else
 * before the first statement, past a shebang and the header comment (`blankAfter`: a blank line
 * separates it from what follows). The runner fixes hoist their module-level `const` here too.
 */
export function topStatementSlot(facts: FileFacts): { position: number; after: boolean; blankAfter: boolean } {
  const ts = facts.ts;
  const file = facts.sourceFile;
  const last = importLikeStatements(facts).at(-1);
  if (last) return { position: last.end, after: true, blankAfter: false };
  let position = 0;
  for (const statement of file.statements) {
    if (isDirectiveOrTypeOnly(ts, statement)) position = statement.end;
    else break;
  }
  if (position > 0) return { position, after: true, blankAfter: false };
  const first = file.statements[0];
  const start = first ? first.getStart(file) : file.text.length;
  const shebang = /^#!.*(?:\r?\n|$)/.exec(file.text);
  if (start === 0 || (shebang && start <= shebang[0].length)) {
    return { position: shebang ? shebang[0].length : 0, after: false, blankAfter: first !== undefined };
  }
  return { position: start, after: false, blankAfter: true };
}

/** After the last top-of-file import; else after directives (`'use strict'`), a shebang and the header comment. */
function insertStatement(facts: FileFacts, statementText: string, newline: string): TextEdit {
  const slot = topStatementSlot(facts);
  const text = slot.after ? `${newline}${statementText}` : `${statementText}${newline}${slot.blankAfter ? newline : ''}`;
  return { start: slot.position, end: slot.position, text };
}
