import path from 'node:path';
import { skipOuterExpressions } from '../core/facts.js';
import { codeStyle, stringLiteral } from '../core/fixes/imports.js';
import type { TS } from '../core/types.js';
import { findReferences, isAsync, outermost, resolveAlias, type FunctionNode } from './ast.js';
import { isPublic, type AsyncOptions, type Site, type Solution, type Unit, type WrapperState } from './async-graph.js';
import { declarationRange, indentOf, indentUnit } from './edits.js';
import { factsOf, type EntryKind } from './entry-points.js';
import type { Plan } from './plan.js';
import { noteBridgeHelper, removeListElement, wrapBlock } from './plan-edits.js';
import { moveToRunner, runtimeFormat } from './runner.js';
import type { Sibling, WrapperInfo } from './wrappers.js';

/** The async conversion's edits, from the solved graph: calls awaited or redirected, functions made async, wrappers deleted or kept. */
export class AsyncEdits {
  constructor(
    private readonly plan: Plan,
    private readonly options: AsyncOptions,
    private readonly graph: { units: ReadonlyMap<TS.Node, Unit>; programs: ReadonlyMap<string, Unit>; wrappers: readonly WrapperState[] },
    private readonly solution: Solution,
  ) {}

  private get ts() {
    return this.plan.project.ts;
  }

  private get checker() {
    return this.plan.project.checker;
  }

  emit(): { removed: number; kept: number; madeAsync: number; sites: number; entries: number } {
    let sites = 0;
    let entries = 0;
    let madeAsync = 0;
    const allUnits = new Set([...this.graph.units.values(), ...this.graph.programs.values()]);
    // Calls.
    for (const unit of allUnits) {
      for (const site of unit.sites) {
        if (!this.solution.siteOk(site) || !this.solution.siteActive(site)) continue;
        if (site.kind === 'redirect') {
          this.redirect(site);
          sites++;
        } else if (site.kind === 'await') {
          this.awaitCall(site, site.target!.boundary ? site.target!.boundary.asyncName : undefined);
          sites++;
        } else if (site.kind === 'parse') {
          this.parseAsync(site);
          sites++;
        } else if (site.kind === 'assertion') {
          this.rewriteAssertion(site);
          sites++;
        }
      }
    }
    // Calls of pass-through wrappers: renamed to the sibling where they stand.
    for (const state of this.graph.wrappers) {
      if (!state.info.passThrough || state.info.refusal) continue;
      for (const site of state.sites) {
        this.redirect(site);
        sites++;
      }
    }
    // Functions.
    const reported = new Set<Unit>();
    for (const unit of this.solution.candidates) {
      if (reported.has(unit) || unit.kind !== 'function') continue;
      reported.add(unit);
      madeAsync += unit.members.length;
      this.makeAsync(unit);
      if (unit.entry || unit.registrations.length > 0) entries++;
    }
    // Refusals that stopped a chain.
    for (const unit of allUnits) {
      if (this.solution.candidates.has(unit) || unit.alreadyAsync) continue;
      // Only where something stopped because of it: a call in it that could not be awaited.
      const hadWork = unit.sites.some((site) => !this.solution.siteOk(site) && (site.kind === 'redirect' ? !site.wrapper!.info.refusal : true)) || (unit.kind === 'program' && unit.actions.length > 0);
      if (!hadWork) continue;
      const node = unit.node;
      const sourceFile = node.getSourceFile();
      if (unit.refusal) {
        this.plan.refuse(unit.refusal.kind, sourceFile, node.getStart(sourceFile), `'${unit.name}' stays sync: ${unit.refusal.message}`);
      } else if (unit.blockedBy) {
        const by = unit.blockedBy;
        const reason = by.context.refusal?.message ?? (by.context.blockedBy ? `it stays sync too` : 'it cannot await');
        this.plan.refuse(
          'kept',
          sourceFile,
          node.getStart(sourceFile),
          `'${unit.name}' stays sync: it is called at ${this.plan.where(by.call.getSourceFile(), by.call.getStart())} in '${by.context.name}', which cannot await (${reason})`,
        );
      }
    }
    // Wrappers.
    let removed = 0;
    let kept = 0;
    for (const state of this.graph.wrappers) {
      const { info } = state;
      if (info.refusal) {
        kept++;
        continue;
      }
      const stuck = state.sites.filter((site) => !this.solution.siteOk(site));
      const reasons = [...state.kept];
      for (const site of stuck) {
        const context = site.context;
        const why = context.refusal?.message ?? (context.blockedBy ? `it is called where it cannot be awaited` : 'it cannot await');
        reasons.push(`its call at ${this.plan.where(site.call.getSourceFile(), site.call.getStart())} is in '${context.name}', which stays sync (${why})`);
      }
      const publicKept = this.options.keepPublicSync && info.exported;
      if (reasons.length > 0 || publicKept) {
        kept++;
        for (const reason of reasons) this.plan.refuse('kept', info.sourceFile, info.wrapper.range.start, `'${info.wrapper.name}' is kept: ${reason}`);
        if (publicKept && reasons.length === 0) this.keepBoundaryWrapper(info);
        continue;
      }
      removed++;
      this.deleteWrapper(state);
    }
    return { removed, kept, madeAsync, sites, entries };
  }

  /** `findOrderSync(id)` → `await findOrder(id)`, `this.repo.listForUser(a)` → `await this.repo.listForUserAsync(a)`. */
  private redirect(site: Site): void {
    const ts = this.ts;
    const { info } = site.wrapper!;
    const sibling = info.sibling!;
    const sourceFile = site.call.getSourceFile();
    const edits = this.plan.editsFor(sourceFile);
    const callee = skipOuterExpressions(ts, site.call.expression);
    let replacement: string;
    if (sibling.kind === 'member' && ts.isPropertyAccessExpression(callee)) {
      edits.replace(callee.name.getStart(sourceFile), callee.name.getEnd(), sibling.name);
      replacement = sibling.name;
    } else if (sibling.kind === 'function' && ts.isPropertyAccessExpression(callee)) {
      edits.replace(callee.name.getStart(sourceFile), callee.name.getEnd(), sibling.exportName!);
      replacement = sibling.exportName!;
    } else if (sibling.kind === 'function') {
      replacement = this.siblingLocalName(sourceFile, sibling, site.call, callee.getText(sourceFile));
      edits.replace(callee.getStart(sourceFile), callee.getEnd(), replacement);
    } else return;
    const awaited = site.context.kind !== 'assertion' && !info.passThrough;
    if (awaited) this.insertAwait(sourceFile, site.call);
    this.plan.change('call-rewritten', sourceFile, site.call.getStart(sourceFile), `${callee.getText(sourceFile)}(…) → ${awaited ? 'await ' : ''}${replacement}(…)`);
  }

  /** The name the sibling is called by in `sourceFile`, importing it when needed. */
  private siblingLocalName(sourceFile: TS.SourceFile, sibling: Extract<Sibling, { kind: 'function' }>, at: TS.Node, replaces: string): string {
    const ts = this.ts;
    const checker = this.checker;
    const symbol = resolveAlias(ts, checker, checker.getSymbolAtLocation(memberNameNodeOfDeclaration(ts, sibling.declaration) ?? sibling.declaration));
    const visible = checker.resolveName(sibling.name, at, ts.SymbolFlags.Value, false);
    if (visible && resolveAlias(ts, checker, visible) === symbol) return sibling.name;
    // Already imported under some name?
    for (const statement of sourceFile.statements) {
      if (!ts.isImportDeclaration(statement) || statement.importClause?.isTypeOnly) continue;
      const bindings = statement.importClause?.namedBindings;
      if (!bindings || !ts.isNamedImports(bindings)) continue;
      for (const element of bindings.elements) {
        if (element.isTypeOnly) continue;
        if (resolveAlias(ts, checker, checker.getSymbolAtLocation(element.name)) === symbol) return element.name.text;
      }
    }
    const facts = factsOf(this.plan.project, sourceFile);
    const exportName = sibling.exportName!;
    const taken = (name: string): boolean => facts.declaredNames.has(name) || facts.imports.has(name) || checker.resolveName(name, at, ts.SymbolFlags.Value, false) !== undefined;
    const pending = this.plan.imports.get(path.resolve(sourceFile.fileName))?.find((i) => i.exportName === exportName && i.from === sibling.sourceFile);
    if (pending) return pending.local;
    let local = exportName;
    for (let i = 2; taken(local); i++) local = `${exportName}Async${i > 2 ? i - 1 : ''}`;
    this.plan.needImport(sourceFile, { exportName, local, from: sibling.sourceFile, replaces });
    return local;
  }

  private insertAwait(sourceFile: TS.SourceFile, call: TS.CallExpression): void {
    const ts = this.ts;
    const outer = outermost(ts, call);
    if (outer.parent && ts.isAwaitExpression(outer.parent)) return;
    const edits = this.plan.editsFor(sourceFile);
    if (needsParentheses(ts, call)) {
      edits.insert(call.getStart(sourceFile), '(await ');
      edits.insert(call.getEnd(), ')');
    } else edits.insert(call.getStart(sourceFile), 'await ');
  }

  private awaitCall(site: Site, rename: string | undefined): void {
    const ts = this.ts;
    const sourceFile = site.call.getSourceFile();
    if (rename) {
      const callee = skipOuterExpressions(ts, site.call.expression);
      const name = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
      this.plan.editsFor(sourceFile).replace(name.getStart(sourceFile), name.getEnd(), rename);
      // The async body's new name comes from the boundary's module, beside the boundary's own import.
      const boundaryFile = site.target!.members[0]!.getSourceFile();
      if (!ts.isPropertyAccessExpression(callee) && boundaryFile !== sourceFile) {
        this.plan.needImport(sourceFile, { exportName: rename, local: rename, from: boundaryFile });
      }
    }
    if (site.context.kind !== 'assertion') this.insertAwait(sourceFile, site.call);
    this.plan.change('call-rewritten', sourceFile, site.call.getStart(sourceFile), `${site.target!.name}(…) is awaited`);
  }

  /** `program.parse(argv)` → `await program.parseAsync(argv)` (or `runMain(() => program.parseAsync(argv))` where the top level cannot await). */
  private parseAsync(site: Site): void {
    const ts = this.ts;
    const sourceFile = site.call.getSourceFile();
    const edits = this.plan.editsFor(sourceFile);
    const callee = skipOuterExpressions(ts, site.call.expression) as TS.PropertyAccessExpression;
    edits.replace(callee.name.getStart(sourceFile), callee.name.getEnd(), 'parseAsync');
    if (this.solution.canAwait(site.context)) {
      this.insertAwait(sourceFile, site.call);
      this.plan.change('parse-async', sourceFile, site.call.getStart(sourceFile), 'parse() → await parseAsync(): the async action handlers are awaited');
      return;
    }
    const runMain = this.plan.runtimeName(sourceFile, 'runMain');
    edits.insert(site.call.getStart(sourceFile), `${runMain}(() => `);
    edits.insert(site.call.getEnd(), ')');
    this.plan.change('parse-async', sourceFile, site.call.getStart(sourceFile), `parse() → ${runMain}(() => parseAsync()): a failed action exits with code 1 and its error`);
  }

  private rewriteAssertion(site: Site): void {
    const ts = this.ts;
    const assertion = site.target!.assertion!;
    const sourceFile = assertion.call.getSourceFile();
    const edits = this.plan.editsFor(sourceFile);
    const innerOuter = outermost(ts, assertion.inner);
    edits.remove(assertion.arrow.getStart(sourceFile), innerOuter.getStart(sourceFile));
    edits.remove(innerOuter.getEnd(), assertion.arrow.getEnd());
    if (assertion.kind === 'expect') {
      edits.insert(assertion.call.getEnd(), '.rejects');
    } else {
      const callee = skipOuterExpressions(ts, assertion.call.expression) as TS.PropertyAccessExpression;
      edits.replace(callee.name.getStart(sourceFile), callee.name.getEnd(), 'rejects');
    }
    this.insertAwait(sourceFile, assertion.outer);
    this.plan.change(
      'call-rewritten',
      sourceFile,
      assertion.call.getStart(sourceFile),
      assertion.kind === 'expect' ? 'expect(() => …).toThrow() → await expect(…).rejects.toThrow()' : 'assert.throws(() => …) → await assert.rejects(…)',
    );
  }

  private makeAsync(unit: Unit): void {
    const ts = this.ts;
    if (unit.taskBoundary) {
      this.taskBoundary(unit, unit.members[0]!, unit.taskBoundary.name);
      return;
    }
    for (const fn of unit.members) {
      const sourceFile = fn.getSourceFile();
      const edits = this.plan.editsFor(sourceFile);
      if (!isAsync(ts, fn)) edits.insert(asyncPosition(ts, fn), 'async ');
      if (fn.type) this.promiseType(fn.type);
      if (!unit.boundary && isPublic(this.ts, fn)) {
        this.plan.notes.add(
          `exported ${unit.name} (${this.plan.where(sourceFile, fn.getStart(sourceFile))}) is now async: code outside this project that calls it must await it (--keep-public-sync keeps a sync boundary instead)`,
        );
      }
      const reason = unit.entry ? entryText(unit.entry.kind) : unit.registrations.length > 0 ? entryText(unit.registrations[0]!.kind) : undefined;
      this.plan.change(unit.entry ? 'entry-point' : 'made-async', sourceFile, fn.getStart(sourceFile), `${unit.name} is async${reason ? ` (${reason})` : ''}`);
      if (unit.entry?.kind === 'express' && unit.entry.express4) this.expressCatch(fn);
      if (unit.entry?.kind === 'http') this.plan.markHttpHandler(sourceFile, outermost(ts, fn).getStart(sourceFile));
    }
    for (const registration of unit.registrations) {
      if (registration.kind === 'http') this.plan.markHttpHandler(registration.node.getSourceFile(), registration.node.getStart());
    }
    if (unit.overrideOf) this.renameOverride(unit, unit.members[0]!, unit.overrideOf.renameTo);
    else if (!unit.boundary && !this.options.keepNames && unit.members.length === 1 && unit.signatures.length === 0) this.dropSyncSuffix(unit, unit.members[0]!);
    for (const signature of unit.signatures) {
      const type = ts.isPropertySignature(signature) || ts.isPropertyDeclaration(signature) ? (signature.type as TS.FunctionTypeNode | undefined)?.type : signature.type;
      if (type) {
        this.promiseType(type);
        this.plan.change('signature-changed', signature.getSourceFile(), signature.getStart(), `${signature.name.getText()} returns a promise`);
      }
    }
    if (unit.boundary) this.addBoundary(unit);
  }

  /** `override list(…): T[]` in a subclass → `override async listAsync(…): Promise<T[]>`: the calls that reached it now call the sibling. */
  private renameOverride(unit: Unit, fn: FunctionNode, name: string): void {
    const nameNode = (fn as TS.MethodDeclaration).name;
    const sourceFile = fn.getSourceFile();
    this.plan.editsFor(sourceFile).replace(nameNode.getStart(sourceFile), nameNode.getEnd(), name);
    this.plan.change('made-async', sourceFile, nameNode.getStart(sourceFile), `${unit.name} overrides '${name}' now: the calls of the wrapper it overrode call '${name}'`);
  }

  /**
   * `loadProfileSync` became async: its name now lies. It becomes `loadProfile` at its declaration
   * and every reference across the project (imports and exports included; a shorthand property
   * keeps its key), unless that name is taken where one of them stands.
   */
  private dropSyncSuffix(unit: Unit, fn: FunctionNode): void {
    const ts = this.ts;
    const nameNode = ts.isFunctionDeclaration(fn)
      ? fn.name
      : (() => {
          const parent = outermost(ts, fn).parent;
          return parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) && ts.isVariableStatement(parent.parent.parent) ? parent.name : undefined;
        })();
    if (!nameNode || !/.Sync$/.test(nameNode.text)) return;
    const sourceFile = fn.getSourceFile();
    if (!ts.isSourceFile((ts.isFunctionDeclaration(fn) ? fn : nameNode.parent.parent.parent).parent)) return;
    const oldName = nameNode.text;
    const newName = oldName.replace(/Sync$/, '');
    const { references } = findReferences(this.plan.project, nameNode);
    const symbol = this.checker.getSymbolAtLocation(nameNode);
    const sites = references.filter((ref) => ts.isIdentifier(ref.node) && ref.node.text === oldName);
    for (const ref of [{ node: nameNode as TS.Node, sourceFile }, ...sites]) {
      if (!this.plan.project.files.has(path.resolve(ref.sourceFile.fileName))) {
        this.plan.notes.add(`${unit.name} keeps its name: it is referenced at ${this.plan.where(ref.sourceFile, ref.node.getStart(ref.sourceFile))}, which migrate does not change`);
        return;
      }
      const taken = this.checker.resolveName(newName, ref.node, ts.SymbolFlags.Value, false);
      if (taken && taken !== symbol && resolveAlias(ts, this.checker, taken) !== symbol) {
        this.plan.notes.add(`${unit.name} keeps its name: '${newName}' is taken at ${this.plan.where(ref.sourceFile, ref.node.getStart(ref.sourceFile))}`);
        return;
      }
    }
    const renamed = new Set<TS.Node>();
    for (const ref of [{ node: nameNode as TS.Node, sourceFile }, ...sites]) {
      if (renamed.has(ref.node)) continue;
      renamed.add(ref.node);
      const edits = this.plan.editsFor(ref.sourceFile);
      const parent = ref.node.parent;
      if (parent && (ts.isImportSpecifier(parent) || ts.isImportClause(parent)) && parent.name === ref.node) this.plan.renamedBindings.add(ref.node);
      if (parent && ts.isShorthandPropertyAssignment(parent)) edits.replace(ref.node.getStart(ref.sourceFile), ref.node.getEnd(), `${oldName}: ${newName}`);
      else edits.replace(ref.node.getStart(ref.sourceFile), ref.node.getEnd(), newName);
    }
    this.plan.change('made-async', sourceFile, nameNode.getStart(sourceFile), `${oldName} is renamed ${newName}: it is async now (--keep-names keeps the name)`);
    if (isPublic(ts, fn))
      this.plan.notes.add(
        `exported ${oldName} is now ${newName} (${this.plan.where(sourceFile, nameNode.getStart(sourceFile))}): code outside this project must use the new name (--keep-names keeps it)`,
      );
  }

  /**
   * A function whose callers cannot be followed and whose result is unused stays sync: its body
   * runs as a tracked task, `spawn(async () => { … }, { name })`, and awaits the migrated calls.
   */
  private taskBoundary(unit: Unit, fn: FunctionNode, name: string): void {
    const ts = this.ts;
    const sourceFile = fn.getSourceFile();
    const body = fn.body;
    if (!body) return;
    const spawn = this.plan.runtimeName(sourceFile, 'spawn');
    const style = codeStyle(factsOf(this.plan.project, sourceFile));
    const pad = style.bracketSpacing ? ' ' : '';
    const semi = style.semicolon ? ';' : '';
    const options = `{${pad}name: ${stringLiteral(style, name)}${pad}}`;
    if (ts.isBlock(body)) {
      wrapBlock(this.plan, fn, body, () => ({ open: `${spawn}(async () => {`, close: `}, ${options})${semi}`, depth: 1 }));
    } else {
      const edits = this.plan.editsFor(sourceFile);
      edits.insert(body.getStart(sourceFile), `{ ${spawn}(async () => `);
      edits.insert(body.getEnd(), `, ${options})${semi} }`);
    }
    this.plan.change(
      'entry-point',
      sourceFile,
      fn.getStart(sourceFile),
      `${unit.name} stays sync (its callers cannot be followed and its result is unused): its body awaits inside a tracked task, ${spawn}(async () => …, { name: '${name}' })`,
    );
  }

  /** `T` → `Promise<T>`, unless it already is a promise type. */
  private promiseType(type: TS.TypeNode): void {
    const resolved = this.checker.getTypeFromTypeNode(type);
    if (this.checker.getPropertyOfType(this.checker.getApparentType(resolved), 'then')) return;
    const sourceFile = type.getSourceFile();
    this.plan.editsFor(sourceFile).replace(type.getStart(sourceFile), type.getEnd(), `Promise<${type.getText(sourceFile)}>`);
  }

  /** Express 4 does not handle a rejected handler: its error goes to `next`, as Express 5 does by itself. */
  private expressCatch(fn: FunctionNode): void {
    const ts = this.ts;
    const body = fn.body;
    if (!body || !ts.isBlock(body)) return;
    const sourceFile = fn.getSourceFile();
    const edits = this.plan.editsFor(sourceFile);
    let next = fn.parameters[2] && ts.isIdentifier(fn.parameters[2].name) ? fn.parameters[2].name.text : undefined;
    if (!next) {
      if (fn.parameters.length !== 2) return;
      next = 'next';
      edits.insert(fn.parameters[1]!.getEnd(), ', next');
    }
    wrapBlock(this.plan, fn, body, (indent, unit, newline) => ({
      open: `try {`,
      close: `} catch (error) {${newline}${indent}${unit}${unit}${next}(error);${newline}${indent}${unit}}`,
      depth: 1,
    }));
  }

  /** `--keep-public-sync`: `export function x()` becomes `export async function xAsync()`, and a marked sync `x` over the runner stays. */
  private addBoundary(unit: Unit): void {
    const fn = unit.members[0] as TS.FunctionDeclaration;
    const sourceFile = fn.getSourceFile();
    const edits = this.plan.editsFor(sourceFile);
    const name = fn.name!.text;
    const asyncName = unit.boundary!.asyncName;
    edits.replace(fn.name!.getStart(sourceFile), fn.name!.getEnd(), asyncName);
    const defineSync = this.plan.runtimeName(sourceFile, 'defineSync');
    const locator = runtimeFormat(this.plan.project, sourceFile) === 'esm' ? 'import.meta.url' : '__filename';
    const params = fn.parameters.map((p) => {
      const id = (p.name as TS.Identifier).text;
      const type = p.type ? p.type.getText(sourceFile) : p.initializer ? this.checker.typeToString(this.checker.getTypeAtLocation(p)) : undefined;
      return `${p.dotDotDotToken ? '...' : ''}${id}${p.questionToken || p.initializer ? '?' : ''}${type ? `: ${type}` : ''}`;
    });
    const args = fn.parameters.map((p) => `${p.dotDotDotToken ? '...' : ''}${(p.name as TS.Identifier).text}`);
    const returnType = fn.type ? `: ${fn.type.getText(sourceFile)}` : '';
    const typeParameters = fn.typeParameters ? `<${fn.typeParameters.map((t) => t.getText(sourceFile)).join(', ')}>` : '';
    const newline = codeStyle(factsOf(this.plan.project, sourceFile)).newline;
    const semicolon = codeStyle(factsOf(this.plan.project, sourceFile)).semicolon ? ';' : '';
    const unitIndent = indentUnit(sourceFile.text);
    const text =
      `${newline}${newline}/** @deprecated sync boundary kept by loop-audit migrate --keep-public-sync */${newline}` +
      `export function ${name}${typeParameters}(${params.join(', ')})${returnType} {${newline}` +
      `${unitIndent}return ${defineSync}<typeof ${asyncName}>(${locator}, ${stringLiteral(codeStyle(factsOf(this.plan.project, sourceFile)), asyncName)})(${args.join(', ')})${semicolon}${newline}}`;
    edits.insert(fn.getEnd(), text);
    this.plan.change('public-boundary', sourceFile, fn.getStart(sourceFile), `${name} keeps a sync boundary over the runner; the async body is ${asyncName}`);
    this.plan.notes.add(
      `--keep-public-sync: ${name} now runs ${asyncName} in @loop-audit/runtime's worker thread when called synchronously. Arguments and results are copied (structured clone), and module state, event listeners and process.env changes made after the worker started are not shared with it.`,
    );
  }

  /** An exported wrapper kept by `--keep-public-sync`: on the runner, and marked as the boundary it now is. */
  private keepBoundaryWrapper(info: WrapperInfo): void {
    if (info.wrapper.bridgeKind !== 'runner') moveToRunner(this.plan, info);
    const sourceFile = info.sourceFile;
    const declaration = info.declaration;
    const text = sourceFile.text;
    const comments = this.ts.getLeadingCommentRanges(text, declaration.getFullStart()) ?? [];
    if (comments.some((c) => text.slice(c.pos, c.end).includes('@deprecated'))) return;
    const indent = indentOf(text, declaration.getStart(sourceFile));
    const newline = codeStyle(factsOf(this.plan.project, sourceFile)).newline;
    this.plan.editsFor(sourceFile).insert(declaration.getStart(sourceFile), `/** @deprecated sync boundary kept by loop-audit migrate --keep-public-sync */${newline}${indent}`);
    this.plan.change('public-boundary', sourceFile, declaration.getStart(sourceFile), `${info.wrapper.name} is exported: kept as a marked sync boundary over the runner (--keep-public-sync)`);
  }

  private deleteWrapper(state: WrapperState): void {
    const ts = this.ts;
    const { info } = state;
    const sourceFile = info.sourceFile;
    const edits = this.plan.editsFor(sourceFile);
    const range = declarationRange(ts, sourceFile, info.declaration, { comma: ts.isObjectLiteralExpression(info.declaration.parent) });
    edits.remove(range.start, range.end);
    for (const specifier of state.exportSpecifiers) removeListElement(this.plan, specifier);
    for (const member of state.memberSignatures) {
      const memberFile = member.getSourceFile();
      const memberRange = declarationRange(ts, memberFile, member);
      this.plan.editsFor(memberFile).remove(memberRange.start, memberRange.end);
      this.plan.change('signature-changed', memberFile, member.getStart(memberFile), `'${member.name?.getText() ?? info.wrapper.name}' is deleted with the wrapper it declared`);
    }
    this.plan.pruneFiles.add(path.resolve(sourceFile.fileName));
    if (info.wrapper.form === 'forward' || info.wrapper.bridgeKind !== 'runner') this.noteHelper(info);
    this.plan.change('wrapper-deleted', sourceFile, info.wrapper.range.start, `'${info.wrapper.name}' deleted: its callers await '${info.sibling!.name}'`);
  }

  /** The bridge helper a wrapper called (`runSync`), to delete once no wrapper uses it. */
  private noteHelper(info: WrapperInfo): void {
    noteBridgeHelper(this.plan, info);
  }
}

function entryText(kind: EntryKind): string {
  switch (kind) {
    case 'commander':
      return 'a commander action: the program is parsed with parseAsync';
    case 'test':
      return 'a test body: the test runner awaits it';
    case 'http':
      return 'a node:http handler: its rejection answers 500 and is reported';
    case 'express':
      return 'an Express handler';
    case 'fastify':
      return 'a Fastify handler';
    case 'koa':
      return 'a Koa middleware';
    case 'promise':
      return 'a promise callback';
  }
}

function memberNameNodeOfDeclaration(ts: Plan['project']['ts'], declaration: TS.Node): TS.Node | undefined {
  if (ts.isFunctionDeclaration(declaration) || ts.isVariableDeclaration(declaration)) return declaration.name;
  return undefined;
}

/** Where `async ` goes: before `function`, before an arrow's parameters, before a method's name. */
function asyncPosition(ts: Plan['project']['ts'], fn: FunctionNode): number {
  const sourceFile = fn.getSourceFile();
  if (ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) {
    const keyword = fn.getChildren(sourceFile).find((child) => child.kind === ts.SyntaxKind.FunctionKeyword);
    return (keyword ?? fn).getStart(sourceFile);
  }
  if (ts.isMethodDeclaration(fn)) return fn.name.getStart(sourceFile);
  return fn.getStart(sourceFile);
}

/**
 * Whether `await call` needs parentheses where the call stands: as the object of a member access
 * (`(await f()).x`), a callee, a `new` target, a tagged template's tag, or the left of `**`.
 */
function needsParentheses(ts: Plan['project']['ts'], call: TS.CallExpression): boolean {
  const parent = call.parent;
  if (!parent) return false;
  if (ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) return parent.expression === call;
  if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) return parent.expression === call;
  if (ts.isTaggedTemplateExpression(parent)) return parent.tag === call;
  if (ts.isNonNullExpression(parent)) return true;
  if (ts.isBinaryExpression(parent)) return parent.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken && parent.left === call;
  if (ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) return ts.isPostfixUnaryExpression(parent);
  return false;
}
