import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import { codeStyle, moduleSystemOf, stringLiteral, topStatementSlot } from '../core/fixes/imports.js';
import type { TS } from '../core/types.js';
import { findReferences, relativeSpecifier } from './ast.js';
import { removeListElement } from './plan-edits.js';
import { declarationRange, type FileEdits } from './edits.js';
import { factsOf } from './entry-points.js';
import type { NeededImport, Plan } from './plan.js';

/** Identifiers of a file by text, to count a declaration's uses without asking the language service per name. */
function identifiersByName(plan: Plan, sourceFile: TS.SourceFile): Map<string, TS.Identifier[]> {
  const ts = plan.project.ts;
  const byName = new Map<string, TS.Identifier[]>();
  const visit = (node: TS.Node): void => {
    if (ts.isIdentifier(node)) {
      const list = byName.get(node.text);
      if (list) list.push(node);
      else byName.set(node.text, [node]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return byName;
}

function mentions(text: string, name: string): boolean {
  return new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(text);
}

/**
 * Whether the uses of `declared` in its file are all gone with the planned edits: it had some,
 * each lies in a deleted or replaced range, and no inserted text names it again.
 */
function usesGone(plan: Plan, sourceFile: TS.SourceFile, declared: TS.Identifier, byName: Map<string, TS.Identifier[]>, edits: FileEdits): boolean {
  const { ts, checker } = plan.project;
  const symbol = checker.getSymbolAtLocation(declared);
  if (!symbol) return false;
  const uses = (byName.get(declared.text) ?? []).filter((id) => {
    if (id === declared) return false;
    const at = ts.isShorthandPropertyAssignment(id.parent) ? checker.getShorthandAssignmentValueSymbol(id.parent) : checker.getSymbolAtLocation(id);
    return at === symbol;
  });
  if (uses.length === 0) return false;
  if (!uses.every((id) => edits.covers(id.getStart(sourceFile), id.getEnd()))) return false;
  return !mentions(edits.insertedText(), declared.text);
}

/**
 * Deletes the bridge helpers (the project's `runSync`/`_run_async`) that the rewritten wrappers
 * were the last users of: every reference left is inside a deleted or rewritten range.
 */
export function deleteUnusedHelpers(plan: Plan): void {
  const ts = plan.project.ts;
  for (const declaration of plan.helperCandidates) {
    const name = (declaration as TS.FunctionDeclaration | TS.VariableDeclaration).name;
    if (!name || !ts.isIdentifier(name)) continue;
    const { references } = findReferences(plan.project, name);
    const specifiers: TS.ExportSpecifier[] = [];
    const stillUsed = references.some((ref) => {
      if (ref.node === name) return false;
      const parent = ref.node.parent;
      if (parent && (ts.isImportSpecifier(parent) || ts.isImportClause(parent))) return false;
      if (parent && ts.isExportSpecifier(parent)) {
        specifiers.push(parent);
        return false;
      }
      const edits = plan.edits.get(path.resolve(ref.sourceFile.fileName));
      return !edits || !edits.covers(ref.node.getStart(ref.sourceFile), ref.node.getEnd());
    });
    if (stillUsed) continue;
    const sourceFile = declaration.getSourceFile();
    const statement = ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration;
    const range = declarationRange(ts, sourceFile, statement);
    plan.editsFor(sourceFile).remove(range.start, range.end);
    for (const specifier of specifiers) removeListElement(plan, specifier);
    plan.pruneFiles.add(path.resolve(sourceFile.fileName));
    plan.change('helper-deleted', sourceFile, statement.getStart(sourceFile), `the bridge helper '${name.text}' is deleted: no wrapper uses it any more`);
  }
}

/** A value that can be dropped without losing an effect: literals, functions, and empty collections of the built-ins. */
function isPure(plan: Plan, expression: TS.Expression | undefined): boolean {
  const ts = plan.project.ts;
  if (!expression) return true;
  if (ts.isArrowFunction(expression) || ts.isFunctionExpression(expression) || ts.isLiteralExpression(expression)) return true;
  if (expression.kind === ts.SyntaxKind.TrueKeyword || expression.kind === ts.SyntaxKind.FalseKeyword || expression.kind === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isAsExpression(expression) || ts.isSatisfiesExpression(expression) || ts.isParenthesizedExpression(expression)) return isPure(plan, expression.expression);
  if (ts.isNewExpression(expression)) return ts.isIdentifier(expression.expression) && /^(?:Map|Set|WeakMap|WeakSet)$/.test(expression.expression.text) && (expression.arguments?.length ?? 0) === 0;
  if (ts.isArrayLiteralExpression(expression)) return expression.elements.every((e) => isPure(plan, e));
  if (ts.isObjectLiteralExpression(expression)) return expression.properties.every((p) => ts.isPropertyAssignment(p) && isPure(plan, p.initializer));
  return false;
}

/**
 * In files where a wrapper or helper was deleted, the private declarations only it used go too
 * (`type Outcome`, a `const` table): repeated until nothing more becomes unused. Declarations
 * that were unused before the migration are not touched.
 */
export function pruneDeadPrivates(plan: Plan): void {
  const ts = plan.project.ts;
  for (const file of plan.pruneFiles) {
    const sourceFile = plan.sourceFile(file);
    if (!sourceFile) continue;
    const edits = plan.editsFor(sourceFile);
    const byName = identifiersByName(plan, sourceFile);
    for (let changed = true; changed;) {
      changed = false;
      for (const statement of sourceFile.statements) {
        if (edits.covers(statement.getStart(sourceFile), statement.getEnd())) continue;
        if (ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword || m.kind === ts.SyntaxKind.DeclareKeyword)) continue;
        let name: TS.Identifier | undefined;
        if (
          (ts.isFunctionDeclaration(statement) ||
            ts.isTypeAliasDeclaration(statement) ||
            ts.isInterfaceDeclaration(statement) ||
            ts.isClassDeclaration(statement) ||
            ts.isEnumDeclaration(statement)) &&
          statement.name
        ) {
          name = statement.name;
        } else if (ts.isVariableStatement(statement) && statement.declarationList.declarations.length === 1) {
          const declaration = statement.declarationList.declarations[0]!;
          if (ts.isIdentifier(declaration.name) && isPure(plan, declaration.initializer)) name = declaration.name;
        }
        if (!name || !usesGone(plan, sourceFile, name, byName, edits)) continue;
        const range = declarationRange(ts, sourceFile, statement);
        edits.remove(range.start, range.end);
        plan.change('declaration-deleted', sourceFile, statement.getStart(sourceFile), `'${name.text}' is deleted: only the deleted code used it`);
        changed = true;
      }
    }
  }
}

interface ImportBinding {
  /** The import or require statement. */
  statement: TS.ImportDeclaration | TS.VariableStatement;
  module: TS.SourceFile | string | undefined;
  /** Named bindings that can take more names: `{ a, b }` of an import or a require. */
  list: TS.NamedImports | TS.ObjectBindingPattern | undefined;
  elements: { node: TS.ImportSpecifier | TS.BindingElement | TS.ImportClause | TS.NamespaceImport; local: TS.Identifier; imported: string }[];
}

function importBindings(plan: Plan, sourceFile: TS.SourceFile): ImportBinding[] {
  const { ts, checker } = plan.project;
  const found: ImportBinding[] = [];
  const moduleOf = (specifier: TS.StringLiteral): TS.SourceFile | string | undefined => {
    const symbol = checker.getSymbolAtLocation(specifier);
    const declaration = symbol?.valueDeclaration;
    if (declaration && ts.isSourceFile(declaration) && plan.project.files.has(path.resolve(declaration.fileName))) return declaration;
    if (!specifier.text.startsWith('.')) return specifier.text;
    const base = path.resolve(path.dirname(sourceFile.fileName), specifier.text);
    for (const candidate of [base, base.replace(/\.[cm]?js$/, '.ts'), `${base}.ts`, `${base}.js`, path.join(base, 'index.ts')]) {
      const file = plan.sourceFile(candidate);
      if (file) return file;
    }
    return undefined;
  };
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && statement.importClause) {
      const clause = statement.importClause;
      const elements: ImportBinding['elements'] = [];
      if (clause.name) elements.push({ node: clause, local: clause.name, imported: 'default' });
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) elements.push({ node: bindings, local: bindings.name, imported: '*' });
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) elements.push({ node: element, local: element.name, imported: (element.propertyName ?? element.name).text });
      }
      const list = bindings && ts.isNamedImports(bindings) && !clause.isTypeOnly ? bindings : undefined;
      found.push({ statement, module: moduleOf(statement.moduleSpecifier), list, elements });
    } else if (ts.isVariableStatement(statement) && statement.declarationList.declarations.length === 1) {
      const declaration = statement.declarationList.declarations[0]!;
      const init = declaration.initializer;
      if (!init || !ts.isCallExpression(init) || !ts.isIdentifier(init.expression) || init.expression.text !== 'require') continue;
      const arg = init.arguments[0];
      if (!arg || !ts.isStringLiteral(arg) || !ts.isObjectBindingPattern(declaration.name)) continue;
      const elements: ImportBinding['elements'] = [];
      for (const element of declaration.name.elements) {
        if (!ts.isIdentifier(element.name) || element.dotDotDotToken) continue;
        const imported = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : element.name.text;
        elements.push({ node: element, local: element.name, imported });
      }
      found.push({ statement, module: moduleOf(arg), list: declaration.name, elements });
    }
  }
  return found;
}

function sameModule(a: TS.SourceFile | string | undefined, b: TS.SourceFile | string): boolean {
  return a !== undefined && (a === b || (typeof a === 'string' && typeof b === 'string' && a === b));
}

/**
 * Imports after the rewrite: names callers now need (an async sibling, a runner function) join
 * an import from the same module, taking the place of a name that is no longer used when there is
 * one; names whose every use was deleted or replaced are removed, and so are imports left empty.
 */
export function settleImports(plan: Plan): void {
  const ts = plan.project.ts;
  const files = new Set([...plan.edits.keys(), ...plan.imports.keys()]);
  for (const file of files) {
    const sourceFile = plan.sourceFile(file);
    if (!sourceFile) continue;
    const edits = plan.editsFor(sourceFile);
    if (edits.size === 0 && !plan.imports.has(file)) continue;
    const byName = identifiersByName(plan, sourceFile);
    const bindings = importBindings(plan, sourceFile);
    const needed = [...(plan.imports.get(file) ?? [])];
    const unused = new Set<TS.Node>();
    for (const binding of bindings) {
      for (const element of binding.elements) {
        if (!plan.renamedBindings.has(element.local) && usesGone(plan, sourceFile, element.local, byName, edits)) unused.add(element.node);
      }
    }
    const style = codeStyle(factsOf(plan.project, sourceFile));
    const placed = new Set<NeededImport>();
    // Already imported (and staying): nothing to add.
    for (const need of needed) {
      const present = bindings.some((b) => sameModule(b.module, need.from) && b.elements.some((e) => e.imported === need.exportName && e.local.text === need.local && !unused.has(e.node)));
      if (present) placed.add(need);
    }
    const replaced = new Set<TS.Node>();
    for (const binding of bindings) {
      if (!binding.list) continue;
      const isRequire = ts.isVariableStatement(binding.statement);
      const text = (need: NeededImport): string => (need.local === need.exportName ? need.exportName : isRequire ? `${need.exportName}: ${need.local}` : `${need.exportName} as ${need.local}`);
      for (const need of needed) {
        if (placed.has(need) || !sameModule(binding.module, need.from)) continue;
        const candidates = binding.elements.filter(
          (e) => unused.has(e.node) && !replaced.has(e.node) && (ts.isImportSpecifier(e.node) || ts.isBindingElement(e.node)) && !(ts.isImportSpecifier(e.node) && e.node.isTypeOnly),
        );
        const free = candidates.find((e) => e.local.text === need.replaces) ?? candidates.find((e) => !needed.some((n) => n !== need && !placed.has(n) && n.replaces === e.local.text));
        if (free) {
          edits.replace(free.node.getStart(sourceFile), free.node.getEnd(), text(need));
          replaced.add(free.node);
          unused.delete(free.node);
        } else {
          const last = binding.list.elements.at(-1);
          if (last) edits.insert(last.getEnd(), `, ${text(need)}`);
          else continue;
        }
        placed.add(need);
      }
    }
    // New import statements for the rest, one per module.
    const byModule = new Map<TS.SourceFile | string, NeededImport[]>();
    for (const need of needed) {
      if (placed.has(need)) continue;
      const list = byModule.get(need.from) ?? [];
      list.push(need);
      byModule.set(need.from, list);
    }
    if (byModule.size > 0) {
      const facts = factsOf(plan.project, sourceFile);
      const system = moduleSystemOf(facts);
      const slot = topStatementSlot(facts);
      const semicolon = style.semicolon ? ';' : '';
      const statements = [...byModule].map(([from, needs]) => {
        const specifier = typeof from === 'string' ? from : relativeSpecifier(ts, sourceFile, from.fileName);
        const names = needs.map((n) => (n.local === n.exportName ? n.exportName : system === 'esm' ? `${n.exportName} as ${n.local}` : `${n.exportName}: ${n.local}`)).join(', ');
        return system === 'esm' ? `import { ${names} } from ${stringLiteral(style, specifier)}${semicolon}` : `const { ${names} } = require(${stringLiteral(style, specifier)})${semicolon}`;
      });
      const block = statements.join(style.newline);
      // The import the slot follows may be going away with all its names: then the new ones take its place.
      const last = bindings.find((b) => b.statement.end === slot.position);
      if (slot.after && last && last.elements.length > 0 && last.elements.every((e) => unused.has(e.node))) {
        edits.insert(declarationRange(ts, sourceFile, last.statement).end, `${block}${style.newline}`);
      } else if (slot.after) edits.insert(slot.position, `${style.newline}${block}`);
      else edits.insert(slot.position, `${block}${style.newline}${slot.blankAfter ? style.newline : ''}`);
      for (const [from, needs] of byModule) {
        plan.change('import-changed', sourceFile, slot.position, `imports ${needs.map((n) => n.local).join(', ')} from ${typeof from === 'string' ? from : plan.relative(from.fileName)}`);
      }
    }
    // Names no longer used.
    for (const binding of bindings) {
      const gone = binding.elements.filter((e) => unused.has(e.node));
      if (gone.length === 0) continue;
      const keptCount = binding.elements.length - gone.length;
      if (keptCount === 0) {
        const range = declarationRange(ts, sourceFile, binding.statement);
        edits.remove(range.start, range.end);
      } else {
        const named = binding.list ? (binding.list.elements as TS.NodeArray<TS.Node>) : undefined;
        if (!named) continue;
        const removed = new Set(gone.map((e) => e.node as TS.Node));
        const clause = ts.isImportDeclaration(binding.statement) ? binding.statement.importClause : undefined;
        if (clause?.name && clause.namedBindings && named.every((e) => removed.has(e))) {
          // `import x, { a } from` with `a` gone: `import x from`.
          edits.remove(clause.name.getEnd(), clause.namedBindings.getEnd());
          for (const element of gone) plan.change('import-changed', sourceFile, element.node.getStart(sourceFile), `'${element.local.text}' is no longer imported: nothing uses it`);
          continue;
        }
        named.forEach((element, index) => {
          if (!removed.has(element)) return;
          const laterKept = named.slice(index + 1).some((e) => !removed.has(e));
          if (laterKept) edits.remove(element.getStart(sourceFile), named[index + 1]!.getStart(sourceFile));
          else if (index > 0) edits.remove(named[index - 1]!.getEnd(), element.getEnd());
        });
      }
      for (const element of gone) plan.change('import-changed', sourceFile, element.node.getStart(sourceFile), `'${element.local.text}' is no longer imported: nothing uses it`);
    }
  }
}

/**
 * The cleanup phase's packages: a bridge package no file imports any more leaves package.json.
 * The edit removes the entry's line only when the result is exactly the same JSON without it.
 */
export function removeUnusedPackages(plan: Plan, packages: readonly string[], texts: ReadonlyMap<string, string>): { file: string; before: string; after: string } | undefined {
  if (packages.length === 0) return undefined;
  const file = path.join(plan.project.root, 'package.json');
  let before: string;
  try {
    before = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(before) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const sections = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];
  let after = before;
  const expected = structuredClone(manifest) as Record<string, Record<string, string> | undefined>;
  const removed: string[] = [];
  for (const pkg of packages) {
    const sectionsWithIt = sections.filter((s) => (manifest[s] as Record<string, string> | undefined)?.[pkg] !== undefined);
    if (sectionsWithIt.length === 0) continue;
    const users = [...plan.project.files].filter((f) => {
      const text = texts.get(f) ?? plan.sourceFile(f)?.text ?? '';
      return new RegExp(`(?:from\\s*|require\\s*\\(\\s*|import\\s*\\(\\s*)['"]${pkg.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?:/[^'"]*)?['"]`).test(text);
    });
    if (users.length > 0) {
      plan.notes.add(`${pkg} stays in package.json: ${users.map((f) => plan.relative(f)).join(', ')} still import it`);
      continue;
    }
    for (const section of sectionsWithIt) {
      const entry = new RegExp(`(\\r?\\n[ \\t]*"${pkg.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"\\s*:\\s*"[^"]*")(,?)`);
      const match = entry.exec(after);
      if (!match) continue;
      let next = after.slice(0, match.index) + after.slice(match.index + match[0].length);
      if (match[2] === '') {
        // It was the last entry: the one before it loses its comma.
        const head = next.slice(0, match.index);
        const comma = head.lastIndexOf(',');
        if (comma >= 0 && /^\s*$/.test(head.slice(comma + 1))) next = head.slice(0, comma) + next.slice(match.index);
      }
      after = next;
      delete expected[section]![pkg];
    }
    removed.push(pkg);
  }
  if (removed.length === 0) return undefined;
  let ok: boolean;
  try {
    ok = isDeepStrictEqual(JSON.parse(after), expected);
  } catch {
    ok = false;
  }
  if (!ok) {
    plan.notes.add(`remove ${removed.join(', ')} from package.json by hand: its formatting is not one migrate can edit safely`);
    return undefined;
  }
  for (const pkg of removed) {
    plan.changes.push({
      kind: 'package-removed',
      file: plan.relative(file),
      line: before.slice(0, before.indexOf(`"${pkg}"`)).split('\n').length,
      message: `${pkg} is removed from package.json: nothing imports it any more`,
    });
  }
  return { file, before, after };
}
