import path from 'node:path';
import { skipOuterExpressions } from '../core/facts.js';
import { codeStyle, stringLiteral } from '../core/fixes/imports.js';
import type { TS } from '../core/types.js';
import {
  allowsTopLevelAwait,
  callOfCallee,
  findReferences,
  hasModifier,
  isAsync,
  isDeclarationFileName,
  isFunctionNode,
  outermost,
  referenceExpression,
  resolveAlias,
  type FunctionNode,
} from './ast.js';
import { declarationRange, indentOf, indentUnit, wrapBlockEdits } from './edits.js';
import { classifyConsumer, factsOf, programOf, type EntryKind } from './entry-points.js';
import type { Plan } from './plan.js';
import { runtimeFormat, moveToRunner } from './runner.js';
import type { RefusalKind } from './types.js';
import type { Sibling, WrapperInfo } from './wrappers.js';

type UnitKind = 'function' | 'program' | 'assertion' | 'top-level';

interface Refused {
  kind: RefusalKind;
  message: string;
}

/**
 * A unit of the async conversion: functions that become async together (one function, or a
 * method with the interface members and implementations that must change with it), a commander
 * program (whose `parse` becomes `parseAsync`), an `expect(() => …).toThrow()` assertion, or a
 * file's top level.
 */
interface Unit {
  id: number;
  kind: UnitKind;
  node: TS.Node;
  name: string;
  members: FunctionNode[];
  /** Interface members, abstract methods and function-typed properties whose return type changes too. */
  signatures: (TS.MethodSignature | TS.PropertySignature | TS.MethodDeclaration | TS.PropertyDeclaration)[];
  alreadyAsync: boolean;
  refusal?: Refused;
  /** For a function handed to an entry-point API where it is written. */
  entry?: { kind: EntryKind; call: TS.CallExpression; express4?: boolean };
  /** Where the unit is called: each call needs an `await` once it is async. */
  callers: Site[];
  /** Where a named function is handed to an entry-point API (`createServer(handler)`). */
  registrations: { kind: EntryKind; node: TS.Node; call: TS.CallExpression }[];
  dependsOn: Unit[];
  /** Calls inside the unit that return a promise once the migration is done: its reasons to become async. */
  sites: Site[];
  explored: boolean;
  /** Programs: their action handlers; `seeded` when an action was async before this run. */
  actions: Unit[];
  seeded: boolean;
  /** Set when the unit stopped being a candidate: the caller that could not await. */
  blockedBy?: Site;
  assertion?: Assertion;
  /** `--keep-public-sync`: the async body moves to `<name>Async`, a sync boundary keeps the name. */
  boundary?: { asyncName: string };
}

interface Site {
  call: TS.CallExpression;
  context: Unit;
  kind: 'redirect' | 'await' | 'parse' | 'assertion';
  wrapper?: WrapperState;
  target?: Unit;
}

interface Assertion {
  kind: 'expect' | 'assert';
  arrow: TS.ArrowFunction | TS.FunctionExpression;
  inner: TS.CallExpression;
  /** `expect(...)` or `assert.throws(...)`. */
  call: TS.CallExpression;
  /** The awaited call: `expect(...).toThrow(...)`, or the `assert.throws(...)` call itself. */
  outer: TS.CallExpression;
}

interface WrapperState {
  info: WrapperInfo;
  sites: Site[];
  /** Uses that are not calls (or calls that cannot be redirected): the wrapper stays for them. */
  kept: string[];
  exportSpecifiers: TS.ExportSpecifier[];
}

/** Methods the language calls implicitly, where a promise would be used as the value. */
const IMPLICITLY_CALLED = new Set(['toString', 'valueOf', 'toJSON', 'toLocaleString', '[Symbol.toPrimitive]']);
const THROW_MATCHERS = new Set(['toThrow', 'toThrowError', 'toThrowErrorMatchingSnapshot', 'toThrowErrorMatchingInlineSnapshot']);

export interface AsyncOptions {
  keepPublicSync: boolean;
  /** Files of the scope: their commander programs with async actions get `parseAsync` even when nothing else changes. */
  inScope(file: string): boolean;
}

/**
 * The async-propagation codemod. Builds a graph from the wrappers in scope: their call sites,
 * the functions those sites are in, the callers of those functions, and so on across the
 * project; decides which functions can become async (a function can only if every caller can
 * await it, or is an entry point that handles the promise); then plans the edits.
 */
export class AsyncPlanner {
  private readonly units = new Map<TS.Node, Unit>();
  private readonly programs = new Map<string, Unit>();
  private readonly wrappers: WrapperState[] = [];
  private readonly queue: Unit[] = [];
  private counter = 0;
  private readonly candidates = new Set<Unit>();

  constructor(
    private readonly plan: Plan,
    private readonly options: AsyncOptions,
  ) {}

  private get ts() {
    return this.plan.project.ts;
  }

  private get checker() {
    return this.plan.project.checker;
  }

  run(wrappers: readonly WrapperInfo[]): { removed: number; kept: number; madeAsync: number; sites: number; entries: number } {
    for (const info of wrappers) this.seedWrapper(info);
    this.seedPrograms();
    while (this.queue.length > 0) this.explore(this.queue.shift()!);
    this.solve();
    return this.emit();
  }

  // ------------------------------------------------------------------ graph

  private newUnit(kind: UnitKind, node: TS.Node, name: string): Unit {
    return { id: this.counter++, kind, node, name, members: [], signatures: [], alreadyAsync: false, callers: [], registrations: [], dependsOn: [], sites: [], explored: false, actions: [], seeded: false };
  }

  private enqueue(unit: Unit): void {
    if (!unit.explored && !this.queue.includes(unit)) this.queue.push(unit);
  }

  private inProject(sourceFile: TS.SourceFile): boolean {
    return this.plan.project.files.has(path.resolve(sourceFile.fileName));
  }

  private outsideReason(sourceFile: TS.SourceFile): string {
    const file = path.resolve(sourceFile.fileName);
    const why = this.plan.project.unwritable.get(file) ?? this.plan.project.excluded?.get(file);
    return why ? `which migrate may not change (${why})` : 'outside the files migrate may change (not under the root, or excluded)';
  }

  private seedWrapper(info: WrapperInfo): void {
    const ts = this.ts;
    const state: WrapperState = { info, sites: [], kept: [], exportSpecifiers: [] };
    this.wrappers.push(state);
    const { wrapper, sourceFile } = info;
    if (info.refusal) {
      this.plan.refuse(info.refusal.kind, sourceFile, wrapper.range.start, `'${wrapper.name}' is kept: ${info.refusal.message}`);
      state.kept.push(info.refusal.message);
      return;
    }
    const { references } = findReferences(this.plan.project, info.nameNode!);
    for (const ref of references) {
      const node = ref.node;
      if (node === info.nameNode) continue;
      const parent = node.parent;
      if (!parent) continue;
      if (ts.isImportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent) || ts.isBindingElement(parent)) continue;
      if (ts.isExportSpecifier(parent)) {
        state.exportSpecifiers.push(parent);
        continue;
      }
      const where = this.plan.where(ref.sourceFile, node.getStart(ref.sourceFile));
      if (isInTypeQuery(ts, node)) {
        state.kept.push(`its type is used (\`typeof ${wrapper.name}\`) at ${where}`);
        continue;
      }
      if (!this.inProject(ref.sourceFile)) {
        state.kept.push(`it is used at ${where}, ${this.outsideReason(ref.sourceFile)}`);
        continue;
      }
      const expression = referenceExpression(ts, node);
      const call = callOfCallee(ts, expression);
      if (!call || call.expression !== outermost(ts, expression) || !ts.isCallExpression(call)) {
        state.kept.push(`it is used as a value at ${where}`);
        continue;
      }
      const blocked = this.redirectProblem(state, call, expression);
      if (blocked) {
        state.kept.push(`${blocked} (${where})`);
        continue;
      }
      const site: Site = { call, kind: 'redirect', wrapper: state, context: undefined as unknown as Unit };
      site.context = this.contextOf(call);
      state.sites.push(site);
      site.context.sites.push(site);
      this.enqueue(site.context);
    }
  }

  /** Why a call of the wrapper cannot be pointed at the sibling, if it cannot. */
  private redirectProblem(state: WrapperState, call: TS.CallExpression, expression: TS.Node): string | undefined {
    const ts = this.ts;
    const sibling = state.info.sibling!;
    if (sibling.kind === 'member') {
      if (!ts.isPropertyAccessExpression(expression)) return `its call is not through a receiver`;
      // Called through an interface or base class that has no such member: the sibling is not reachable there.
      const receiverType = this.checker.getTypeAtLocation(expression.expression);
      if (!this.checker.getPropertyOfType(this.checker.getApparentType(receiverType), sibling.name)) {
        return `it is called through \`${expression.expression.getText()}\` (${this.checker.typeToString(receiverType)}), which has no '${sibling.name}'`;
      }
      if (sibling.isPrivate) {
        let owner: TS.Node | undefined = call.parent;
        while (owner && owner !== sibling.owner) owner = owner.parent;
        if (!owner) return `its sibling '${sibling.name}' is private to the class`;
      }
      return undefined;
    }
    if (ts.isPropertyAccessExpression(expression)) {
      // `repo.findOrderSync(id)` through a namespace import: the namespace must export the sibling too.
      const namespace = resolveAlias(ts, this.checker, this.checker.getSymbolAtLocation(expression.expression));
      const module = namespace?.valueDeclaration;
      if (!module || !ts.isSourceFile(module) || module !== sibling.sourceFile || !sibling.exportName) return `its call goes through \`${expression.expression.getText()}\`, which does not export '${sibling.name}'`;
      return undefined;
    }
    if (call.getSourceFile() !== sibling.sourceFile && !sibling.exportName) return `its sibling '${sibling.name}' is not exported`;
    return undefined;
  }

  /** The unit a call runs in: its function, an assertion, a file's top level, or a place that cannot await. */
  private contextOf(call: TS.CallExpression): Unit {
    const ts = this.ts;
    const assertion = this.assertionOf(call);
    if (assertion) return assertion;
    for (let node: TS.Node | undefined = call.parent; node; node = node.parent) {
      if (isFunctionNode(ts, node)) return this.unitForFunction(node);
      if (ts.isClassStaticBlockDeclaration(node)) return this.unawaitable(node, 'a class static block cannot await');
      if (ts.isPropertyDeclaration(node)) return this.unawaitable(node, 'a class field initializer cannot await');
      if (ts.isParameter(node)) return this.unawaitable(node, "a parameter's default value cannot await");
      if (ts.isDecorator(node)) return this.unawaitable(node, 'a decorator cannot await');
      if (ts.isSourceFile(node)) return this.topLevel(node);
    }
    return this.topLevel(call.getSourceFile());
  }

  private unawaitable(node: TS.Node, message: string): Unit {
    let unit = this.units.get(node);
    if (!unit) {
      unit = this.newUnit('function', node, describeNode(this.ts, node));
      unit.refusal = { kind: 'unawaitable-context', message };
      unit.explored = true;
      this.units.set(node, unit);
    }
    return unit;
  }

  private topLevel(sourceFile: TS.SourceFile): Unit {
    let unit = this.units.get(sourceFile);
    if (!unit) {
      unit = this.newUnit('top-level', sourceFile, `the top level of ${this.plan.relative(sourceFile.fileName)}`);
      unit.alreadyAsync = allowsTopLevelAwait(this.plan.project, sourceFile);
      if (!unit.alreadyAsync) unit.refusal = { kind: 'top-level', message: 'the top level of a CommonJS module or script cannot await' };
      unit.explored = true;
      this.units.set(sourceFile, unit);
    }
    return unit;
  }

  /**
   * `expect(() => placeOrder(x)).toThrow(E)` → `await expect(placeOrder(x)).rejects.toThrow(E)`,
   * `assert.throws(() => f(), E)` → `await assert.rejects(f(), E)`: the assertion takes the
   * promise itself instead of a function that would now return one.
   */
  private assertionOf(call: TS.CallExpression): Unit | undefined {
    const ts = this.ts;
    const inner = outermost(ts, call);
    let fn: TS.Node | undefined = inner.parent;
    if (fn && (ts.isExpressionStatement(fn) || ts.isReturnStatement(fn)) && fn.parent && ts.isBlock(fn.parent) && fn.parent.statements.length === 1) fn = fn.parent.parent;
    if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || fn.parameters.length > 0 || isAsync(ts, fn)) return undefined;
    if (ts.isArrowFunction(fn) && !ts.isBlock(fn.body) && fn.body !== inner) return undefined;
    const arrow = fn;
    const holder = outermost(ts, arrow).parent;
    if (!holder || !ts.isCallExpression(holder) || holder.arguments[0] !== outermost(ts, arrow)) return undefined;
    const existing = this.units.get(arrow);
    if (existing) return existing;
    const callee = skipOuterExpressions(ts, holder.expression);
    let assertion: Assertion | undefined;
    if (ts.isIdentifier(callee) && callee.text === 'expect') {
      const matcher = holder.parent;
      if (matcher && ts.isPropertyAccessExpression(matcher) && matcher.expression === holder && THROW_MATCHERS.has(matcher.name.text)) {
        const outer = matcher.parent;
        if (outer && ts.isCallExpression(outer) && outer.expression === matcher) assertion = { kind: 'expect', arrow, inner: call, call: holder, outer };
      }
    } else if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'throws') {
      const ref = factsOf(this.plan.project, call.getSourceFile()).resolve(callee);
      if (ref?.kind === 'module' && (ref.module === 'assert' || ref.module === 'assert/strict')) assertion = { kind: 'assert', arrow, inner: call, call: holder, outer: holder };
    }
    if (!assertion) return undefined;
    const unit = this.newUnit('assertion', arrow, `the assertion at ${this.plan.where(arrow.getSourceFile(), holder.getStart())}`);
    unit.assertion = assertion;
    unit.explored = true;
    this.units.set(arrow, unit);
    const outerSite: Site = { call: assertion.outer, kind: 'assertion', target: unit, context: undefined as unknown as Unit };
    outerSite.context = this.contextOf(assertion.outer);
    unit.callers.push(outerSite);
    outerSite.context.sites.push(outerSite);
    this.enqueue(outerSite.context);
    return unit;
  }

  private unitForFunction(fn: FunctionNode): Unit {
    const ts = this.ts;
    const existing = this.units.get(fn);
    if (existing) return existing;
    const unit = this.newUnit('function', fn, functionName(ts, fn));
    unit.members.push(fn);
    unit.alreadyAsync = isAsync(ts, fn);
    this.units.set(fn, unit);
    if (ts.isConstructorDeclaration(fn)) unit.refusal = { kind: 'constructor', message: 'a constructor cannot be async: move the awaited work into a static async factory (`static async create()`)' };
    else if (ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) unit.refusal = { kind: 'accessor', message: `a ${ts.isGetAccessorDeclaration(fn) ? 'getter' : 'setter'} cannot be async: turn it into an async method by hand` };
    else if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) && fn.asteriskToken) unit.refusal = { kind: 'generator', message: 'a generator would become an async generator, which its callers iterate differently' };
    else if (fn.type && ts.isTypePredicateNode(fn.type)) unit.refusal = { kind: 'type-predicate', message: `it is a type guard (\`${fn.type.getText()}\`), which an async function cannot be` };
    else if (ts.isMethodDeclaration(fn) && IMPLICITLY_CALLED.has(fn.name.getText())) {
      unit.refusal = { kind: 'library-type', message: `the language calls ${fn.name.getText()}() by itself (string conversion, JSON.stringify) and never awaits it` };
    }
    if (!unit.refusal && !unit.alreadyAsync) this.collectFamily(unit);
    return unit;
  }

  /** A method and the members it must stay compatible with: interface members, abstract declarations, overrides and implementations. */
  private collectFamily(unit: Unit): void {
    const ts = this.ts;
    const fn = unit.members[0]!;
    const nameNode = memberNameNode(ts, fn);
    if (!nameNode) return;
    const { definitions } = findReferences(this.plan.project, nameNode);
    for (const definition of definitions) {
      const declaration = definition.node.parent;
      if (!declaration || definition.node === nameNode) continue;
      const file = definition.sourceFile;
      const isMember =
        ts.isMethodDeclaration(declaration) || ts.isMethodSignature(declaration) || ts.isPropertySignature(declaration) || ts.isPropertyDeclaration(declaration) || ts.isPropertyAssignment(declaration);
      if (!isMember) continue;
      if (isDeclarationFileName(file.fileName) || !this.inProject(file)) {
        unit.refusal = { kind: 'library-type', message: `'${unit.name}' must match '${declaration.getText().split('\n')[0]!.slice(0, 80)}' declared in ${this.plan.relative(file.fileName)}, which migrate does not change` };
        return;
      }
      if (ts.isMethodDeclaration(declaration) && declaration.body) this.addMember(unit, declaration);
      else if ((ts.isPropertyAssignment(declaration) || ts.isPropertyDeclaration(declaration)) && declaration.initializer) {
        const value = skipOuterExpressions(ts, declaration.initializer);
        if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) this.addMember(unit, value);
        else if (ts.isPropertyDeclaration(declaration) && declaration.type) unit.signatures.push(declaration);
      } else if (ts.isMethodSignature(declaration) || ts.isPropertySignature(declaration) || ts.isMethodDeclaration(declaration) || ts.isPropertyDeclaration(declaration)) {
        unit.signatures.push(declaration);
      }
    }
  }

  private addMember(unit: Unit, fn: FunctionNode): void {
    if (unit.members.includes(fn)) return;
    const other = this.units.get(fn);
    if (other && other !== unit) {
      // Seen before as a unit of its own: its sites and callers join this one.
      unit.sites.push(...other.sites);
      for (const site of other.sites) site.context = unit;
      if (other.refusal && !unit.refusal) unit.refusal = other.refusal;
    }
    unit.members.push(fn);
    if (isAsync(this.ts, fn) && !unit.refusal) {
      unit.refusal = { kind: 'declared-type', message: `'${functionName(this.ts, fn)}' is async but '${unit.name}' is not: the family is inconsistent already` };
    }
    this.units.set(fn, unit);
  }

  private explore(unit: Unit): void {
    if (unit.explored) return;
    unit.explored = true;
    if (unit.alreadyAsync || unit.refusal || unit.kind !== 'function') return;
    this.exploreFunction(unit);
  }

  /** How the function is reached: its name's references across the project, or the API it is handed to. */
  private exploreFunction(unit: Unit): void {
    const ts = this.ts;
    const fn = unit.members[0]!;
    for (const signature of unit.signatures) {
      if (ts.isPropertySignature(signature) || ts.isPropertyDeclaration(signature)) {
        if (!signature.type || !ts.isFunctionTypeNode(signature.type)) {
          unit.refusal = { kind: 'declared-type', message: `its type is declared by '${signature.getText().slice(0, 80)}', which is not a function type migrate can change` };
          return;
        }
      }
    }
    for (const member of unit.members) {
      if ((ts.isFunctionDeclaration(member) || ts.isMethodDeclaration(member)) && hasOverloads(this.checker, member)) {
        unit.refusal = { kind: 'overload', message: `'${unit.name}' has overload signatures: give each an async return type by hand` };
        return;
      }
    }
    let nameNode: TS.Node | undefined;
    if (ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) {
      nameNode = fn.name;
      if (!nameNode) {
        unit.refusal = { kind: 'value-use', message: 'an anonymous default export: its callers cannot be followed' };
        return;
      }
    } else if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) {
      const outer = outermost(ts, fn);
      const parent = outer.parent;
      if (parent && ts.isVariableDeclaration(parent) && parent.initializer === outer && ts.isIdentifier(parent.name)) {
        if (parent.type) {
          unit.refusal = { kind: 'declared-type', message: `its type \`${parent.type.getText()}\` is declared where it is bound: make that type return a promise by hand` };
          return;
        }
        nameNode = parent.name;
      } else if (parent && (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.initializer === outer) {
        nameNode = parent.name;
        if (ts.isPropertyDeclaration(parent) && parent.type) {
          unit.refusal = { kind: 'declared-type', message: `its type \`${parent.type.getText()}\` is declared on the field: make it return a promise by hand` };
          return;
        }
      } else if (parent && (ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(outer as TS.Expression)) {
        const consumer = classifyConsumer(this.plan.project, parent, fn);
        if ('refusal' in consumer) unit.refusal = { kind: consumer.refusal, message: consumer.message };
        else {
          unit.entry = { kind: consumer.entry, call: consumer.call, ...(consumer.express4 !== undefined ? { express4: consumer.express4 } : {}) };
          if (consumer.entry === 'commander') this.attachProgram(unit, consumer.call);
        }
        return;
      } else {
        unit.refusal = { kind: 'value-use', message: 'it is a function value that is returned, stored or passed along: its callers cannot be followed' };
        return;
      }
    }
    if (!nameNode || (!ts.isIdentifier(nameNode) && !ts.isPrivateIdentifier(nameNode))) {
      unit.refusal = { kind: 'value-use', message: 'it has a computed name: its callers cannot be followed' };
      return;
    }
    if (this.options.keepPublicSync && this.isPublic(fn)) {
      const problem = this.boundaryProblem(unit);
      if (problem) {
        unit.refusal = { kind: 'public-boundary', message: problem };
        return;
      }
      unit.boundary = { asyncName: `${(nameNode as TS.Identifier).text}Async` };
    }
    const own = new Set<TS.Node>(
      [...unit.members.map((m) => memberNameNode(ts, m)), ...unit.signatures.map((s) => s.name)].filter((n): n is TS.Node => n !== undefined),
    );
    own.add(nameNode);
    const { references } = findReferences(this.plan.project, nameNode);
    for (const ref of references) {
      const node = ref.node;
      if (own.has(node)) continue;
      const parent = node.parent;
      if (!parent) continue;
      if (ts.isImportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent) || ts.isExportSpecifier(parent) || ts.isBindingElement(parent)) continue;
      if (ts.isExportAssignment(parent)) continue;
      if (isInTypeQuery(ts, node)) continue;
      const where = this.plan.where(ref.sourceFile, node.getStart(ref.sourceFile));
      if (!this.inProject(ref.sourceFile)) {
        unit.refusal = { kind: 'outside-project', message: `it is used at ${where}, ${this.outsideReason(ref.sourceFile)}` };
        return;
      }
      const expression = referenceExpression(ts, node);
      const call = callOfCallee(ts, expression);
      if (call) {
        const site: Site = { call, kind: 'await', target: unit, context: undefined as unknown as Unit };
        site.context = this.contextOf(call);
        unit.callers.push(site);
        site.context.sites.push(site);
        this.enqueue(site.context);
        continue;
      }
      const outer = outermost(ts, expression);
      const holder = outer.parent;
      if (holder && (ts.isCallExpression(holder) || ts.isNewExpression(holder)) && holder.arguments?.includes(outer as TS.Expression)) {
        const consumer = classifyConsumer(this.plan.project, holder, fn);
        if ('refusal' in consumer) {
          unit.refusal = { kind: consumer.refusal, message: `${consumer.message} (${where})` };
          return;
        }
        unit.registrations.push({ kind: consumer.entry, node: outer, call: consumer.call });
        if (consumer.entry === 'commander') this.attachProgram(unit, consumer.call);
        continue;
      }
      unit.refusal = { kind: 'value-use', message: `it is used as a value at ${where} (\`${(holder ?? node).getText().replace(/\s+/g, ' ').slice(0, 60)}\`)` };
      return;
    }
  }

  private isPublic(fn: FunctionNode): boolean {
    const ts = this.ts;
    if (ts.isFunctionDeclaration(fn)) return ts.isSourceFile(fn.parent) && hasModifier(ts, fn, ts.SyntaxKind.ExportKeyword) && !hasModifier(ts, fn, ts.SyntaxKind.DefaultKeyword);
    const outer = outermost(ts, fn);
    const declaration = outer.parent;
    if (!declaration || !ts.isVariableDeclaration(declaration)) return false;
    const statement = declaration.parent.parent;
    return ts.isVariableStatement(statement) && ts.isSourceFile(statement.parent) && hasModifier(ts, statement, ts.SyntaxKind.ExportKeyword);
  }

  /** Why a sync boundary over the runner would not behave like the function it replaces. */
  private boundaryProblem(unit: Unit): string | undefined {
    const ts = this.ts;
    const fn = unit.members[0]!;
    if (!ts.isFunctionDeclaration(fn)) return 'only exported function declarations get a sync boundary';
    for (const parameter of fn.parameters) {
      if (!ts.isIdentifier(parameter.name)) return `parameter \`${parameter.name.getText()}\` is a pattern: the boundary forwards its parameters by name`;
      const type = this.checker.getTypeAtLocation(parameter);
      if (type.getCallSignatures().length > 0) return `parameter '${parameter.name.text}' is a function, which cannot be copied to the runner's worker`;
    }
    let usesThis = false;
    const visit = (node: TS.Node): void => {
      if (node.kind === ts.SyntaxKind.ThisKeyword) usesThis = true;
      if (!usesThis && !(isFunctionNode(ts, node) && !ts.isArrowFunction(node))) ts.forEachChild(node, visit);
    };
    if (fn.body) ts.forEachChild(fn.body, visit);
    if (usesThis) return 'it uses `this`, which does not exist in the runner\'s worker';
    const asyncName = `${fn.name!.text}Async`;
    const moduleSymbol = this.checker.getSymbolAtLocation(fn.getSourceFile());
    if (moduleSymbol && this.checker.getExportsOfModule(moduleSymbol).some((s) => s.name === asyncName)) return `the module already exports '${asyncName}'`;
    return undefined;
  }

  private attachProgram(unit: Unit, actionCall: TS.CallExpression): void {
    const program = this.programFor(actionCall);
    unit.dependsOn.push(program);
    if (!program.actions.includes(unit)) program.actions.push(unit);
  }

  private programFor(actionCall: TS.CallExpression): Unit {
    const origin = programOf(this.plan.project, actionCall);
    if ('refusal' in origin) {
      const key = `refused:${actionCall.getSourceFile().fileName}:${actionCall.getStart()}`;
      const known = this.programs.get(key);
      if (known) return known;
      const unit = this.newUnit('program', actionCall, 'the commander program');
      unit.refusal = { kind: 'program', message: `its action handlers cannot become async: ${origin.refusal}, so its parse() cannot become parseAsync()` };
      unit.explored = true;
      this.programs.set(key, unit);
      return unit;
    }
    const existing = this.programs.get(origin.key);
    if (existing) return existing;
    const unit = this.newUnit('program', origin.creation === 'global' ? actionCall : origin.creation, origin.creation === 'global' ? "commander's program" : `the program created at ${this.plan.where(origin.creation.getSourceFile(), origin.creation.getStart())}`);
    unit.explored = true;
    this.programs.set(origin.key, unit);
    const { sync, async } = this.parseCalls(origin.creation);
    if (sync.length === 0 && async.length === 0) {
      unit.refusal = { kind: 'program', message: `cannot find where ${unit.name} is parsed, so its parse() cannot become parseAsync()` };
      return unit;
    }
    unit.alreadyAsync = sync.length === 0;
    for (const call of sync) {
      const site: Site = { call, kind: 'parse', target: unit, context: undefined as unknown as Unit };
      site.context = this.contextOf(call);
      unit.callers.push(site);
      site.context.sites.push(site);
      this.enqueue(site.context);
    }
    return unit;
  }

  /** The `.parse()` and `.parseAsync()` calls on a program, following it through variables, returns and arguments. */
  private parseCalls(creation: TS.Expression | 'global'): { sync: TS.CallExpression[]; async: TS.CallExpression[] } {
    const ts = this.ts;
    const sync: TS.CallExpression[] = [];
    const async: TS.CallExpression[] = [];
    const seen = new Set<TS.Node>();
    const work: TS.Node[] = [];
    if (creation === 'global') {
      for (const file of this.plan.project.files) {
        const sourceFile = this.plan.sourceFile(file);
        if (!sourceFile) continue;
        for (const statement of sourceFile.statements) {
          if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier) || statement.moduleSpecifier.text !== 'commander') continue;
          const bindings = statement.importClause?.namedBindings;
          if (!bindings || !ts.isNamedImports(bindings)) continue;
          for (const element of bindings.elements) {
            if ((element.propertyName ?? element.name).text === 'program') work.push(...this.referencesOf(element.name));
          }
        }
      }
    } else work.push(creation);
    while (work.length > 0) {
      const node = work.pop()!;
      if (seen.has(node)) continue;
      seen.add(node);
      const outer = outermost(ts, node);
      const parent = outer.parent;
      if (!parent) continue;
      if (ts.isPropertyAccessExpression(parent) && parent.expression === outer) {
        const call = parent.parent;
        if (!call || !ts.isCallExpression(call) || call.expression !== parent) continue;
        const method = parent.name.text;
        if (method === 'parse') sync.push(call);
        else if (method === 'parseAsync') async.push(call);
        else if (method !== 'command' && method !== 'createCommand') work.push(call);
      } else if (ts.isVariableDeclaration(parent) && parent.initializer === outer && ts.isIdentifier(parent.name)) {
        work.push(...this.referencesOf(parent.name));
      } else if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === outer)) {
        let fn: TS.Node | undefined = parent;
        while (fn && !isFunctionNode(ts, fn)) fn = fn.parent;
        const name = fn ? callableNameNode(ts, fn as FunctionNode) : undefined;
        if (!name) continue;
        for (const ref of this.referencesOf(name)) {
          const call = callOfCallee(ts, referenceExpression(ts, ref));
          if (call) work.push(call);
        }
      } else if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(outer as TS.Expression)) {
        const index = parent.arguments.indexOf(outer as TS.Expression);
        const target = resolveAlias(ts, this.checker, this.checker.getSymbolAtLocation(skipOuterExpressions(ts, parent.expression)))?.valueDeclaration;
        const fn = target && ts.isVariableDeclaration(target) && target.initializer ? skipOuterExpressions(ts, target.initializer) : target;
        if (fn && (ts.isFunctionDeclaration(fn) || ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && fn.parameters[index] && ts.isIdentifier(fn.parameters[index]!.name)) {
          work.push(...this.referencesOf(fn.parameters[index]!.name));
        }
      }
    }
    return { sync, async };
  }

  private referencesOf(name: TS.Node): TS.Node[] {
    return findReferences(this.plan.project, name)
      .references.filter((ref) => ref.node !== name && !this.ts.isImportSpecifier(ref.node.parent) && !this.ts.isExportSpecifier(ref.node.parent))
      .map((ref) => ref.node);
  }

  /** In-scope commander programs whose actions are async already but which are still parsed with parse(). */
  private seedPrograms(): void {
    const ts = this.ts;
    for (const file of this.plan.project.files) {
      if (!this.options.inScope(file)) continue;
      const sourceFile = this.plan.sourceFile(file);
      if (!sourceFile || !sourceFile.text.includes('.action(')) continue;
      const visit = (node: TS.Node): void => {
        if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'action' && node.arguments[0]) {
          const handler = skipOuterExpressions(ts, node.arguments[0]);
          const isAsyncHandler = isFunctionNode(ts, handler) ? isAsync(ts, handler) : this.returnsPromise(handler);
          if (isAsyncHandler && 'entry' in classifyConsumer(this.plan.project, node, handler)) {
            const program = this.programFor(node);
            if (!program.alreadyAsync) program.seeded = true;
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(sourceFile);
    }
  }

  private returnsPromise(expression: TS.Expression): boolean {
    return this.checker
      .getTypeAtLocation(expression)
      .getCallSignatures()
      .some((signature) => this.checker.getPropertyOfType(this.checker.getApparentType(signature.getReturnType()), 'then') !== undefined);
  }

  // ------------------------------------------------------------------ solving

  private canAwait(unit: Unit): boolean {
    return unit.alreadyAsync || this.candidates.has(unit);
  }

  private siteOk(site: Site): boolean {
    if (this.canAwait(site.context)) return true;
    if (site.kind === 'parse') return this.runMainFallback(site) !== undefined;
    return false;
  }

  /** A program parsed by a top-level statement where `await` is not allowed: `runMain(() => program.parseAsync())`. */
  private runMainFallback(site: Site): TS.ExpressionStatement | undefined {
    const ts = this.ts;
    if (site.context.kind !== 'top-level') return undefined;
    const statement = outermost(ts, site.call).parent;
    return statement && ts.isExpressionStatement(statement) && ts.isSourceFile(statement.parent) ? statement : undefined;
  }

  private siteActive(site: Site): boolean {
    if (site.kind === 'redirect') return !site.wrapper!.info.refusal;
    return site.target !== undefined && (this.candidates.has(site.target) || (site.kind === 'parse' && site.target.alreadyAsync));
  }

  /**
   * The units that become async: the largest set in which every unit's callers can await it
   * (or keep a public sync boundary), then pruned to those with a reason (an awaited call) to.
   */
  private solve(): void {
    const all = new Set<Unit>([...this.units.values(), ...this.programs.values()]);
    for (const wrapper of this.wrappers) for (const site of wrapper.sites) all.add(site.context);
    for (const unit of all) {
      if (!unit.alreadyAsync && !unit.refusal && unit.explored && unit.kind !== 'top-level') this.candidates.add(unit);
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (const unit of [...this.candidates]) {
        const blocking = unit.boundary ? undefined : unit.callers.find((site) => !this.siteOk(site));
        const dependency = unit.dependsOn.find((d) => !this.canAwait(d));
        if (blocking || dependency) {
          this.candidates.delete(unit);
          unit.blockedBy = blocking ?? dependency?.callers.find((site) => !this.siteOk(site));
          if (!unit.blockedBy && dependency?.refusal) unit.refusal = dependency.refusal;
          changed = true;
        }
      }
      for (const unit of [...this.candidates]) {
        const needed = unit.kind === 'program' ? unit.seeded || unit.actions.some((action) => this.candidates.has(action)) : unit.sites.some((site) => this.siteActive(site));
        if (!needed) {
          this.candidates.delete(unit);
          changed = true;
        }
      }
    }
  }

  // ------------------------------------------------------------------ edits

  private emit(): { removed: number; kept: number; madeAsync: number; sites: number; entries: number } {
    let sites = 0;
    let entries = 0;
    let madeAsync = 0;
    const allUnits = new Set([...this.units.values(), ...this.programs.values()]);
    // Calls.
    for (const unit of allUnits) {
      for (const site of unit.sites) {
        if (!this.siteOk(site) || !this.siteActive(site)) continue;
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
    // Functions.
    const reported = new Set<Unit>();
    for (const unit of this.candidates) {
      if (reported.has(unit) || unit.kind !== 'function') continue;
      reported.add(unit);
      madeAsync += unit.members.length;
      this.makeAsync(unit);
      if (unit.entry || unit.registrations.length > 0) entries++;
    }
    // Refusals that stopped a chain.
    for (const unit of allUnits) {
      if (this.candidates.has(unit) || unit.alreadyAsync) continue;
      // Only where something stopped because of it: a call in it that could not be awaited.
      const hadWork = unit.sites.some((site) => !this.siteOk(site) && (site.kind === 'redirect' ? !site.wrapper!.info.refusal : true)) || (unit.kind === 'program' && unit.actions.length > 0);
      if (!hadWork) continue;
      const node = unit.node;
      const sourceFile = node.getSourceFile();
      if (unit.refusal) {
        this.plan.refuse(unit.refusal.kind, sourceFile, node.getStart(sourceFile), `'${unit.name}' stays sync: ${unit.refusal.message}`);
      } else if (unit.blockedBy) {
        const by = unit.blockedBy;
        const reason = by.context.refusal?.message ?? (by.context.blockedBy ? `it stays sync too` : 'it cannot await');
        this.plan.refuse('kept', sourceFile, node.getStart(sourceFile), `'${unit.name}' stays sync: it is called at ${this.plan.where(by.call.getSourceFile(), by.call.getStart())} in '${by.context.name}', which cannot await (${reason})`);
      }
    }
    // Wrappers.
    let removed = 0;
    let kept = 0;
    for (const state of this.wrappers) {
      const { info } = state;
      if (info.refusal) {
        kept++;
        continue;
      }
      const stuck = state.sites.filter((site) => !this.siteOk(site));
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
    if (site.context.kind !== 'assertion') this.insertAwait(sourceFile, site.call);
    this.plan.change('call-rewritten', sourceFile, site.call.getStart(sourceFile), `${callee.getText(sourceFile)}(…) → ${site.context.kind === 'assertion' ? '' : 'await '}${replacement}(…)`);
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
    if (this.canAwait(site.context)) {
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
    this.plan.change('call-rewritten', sourceFile, assertion.call.getStart(sourceFile), assertion.kind === 'expect' ? 'expect(() => …).toThrow() → await expect(…).rejects.toThrow()' : 'assert.throws(() => …) → await assert.rejects(…)');
  }

  private makeAsync(unit: Unit): void {
    const ts = this.ts;
    for (const fn of unit.members) {
      const sourceFile = fn.getSourceFile();
      const edits = this.plan.editsFor(sourceFile);
      if (!isAsync(ts, fn)) edits.insert(asyncPosition(ts, fn), 'async ');
      if (fn.type) this.promiseType(fn.type);
      if (!unit.boundary && this.isPublic(fn)) {
        this.plan.notes.add(`exported ${unit.name} (${this.plan.where(sourceFile, fn.getStart(sourceFile))}) is now async: code outside this project that calls it must await it (--keep-public-sync keeps a sync boundary instead)`);
      }
      const reason = unit.entry ? entryText(unit.entry.kind) : unit.registrations.length > 0 ? entryText(unit.registrations[0]!.kind) : undefined;
      this.plan.change(unit.entry ? 'entry-point' : 'made-async', sourceFile, fn.getStart(sourceFile), `${unit.name} is async${reason ? ` (${reason})` : ''}`);
      if (unit.entry?.kind === 'express' && unit.entry.express4) this.expressCatch(fn);
      if (unit.entry?.kind === 'http') this.plan.markHttpHandler(sourceFile, outermost(ts, fn).getStart(sourceFile));
    }
    for (const registration of unit.registrations) {
      if (registration.kind === 'http') this.plan.markHttpHandler(registration.node.getSourceFile(), registration.node.getStart());
    }
    for (const signature of unit.signatures) {
      const type = ts.isPropertySignature(signature) || ts.isPropertyDeclaration(signature) ? (signature.type as TS.FunctionTypeNode | undefined)?.type : signature.type;
      if (type) {
        this.promiseType(type);
        this.plan.change('signature-changed', signature.getSourceFile(), signature.getStart(), `${signature.name.getText()} returns a promise`);
      }
    }
    if (unit.boundary) this.addBoundary(unit);
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
      `--keep-public-sync: ${name} now runs ${asyncName} in loop-audit/runtime's worker thread when called synchronously. Arguments and results are copied (structured clone), and module state, event listeners and process.env changes made after the worker started are not shared with it.`,
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
    this.plan.pruneFiles.add(path.resolve(sourceFile.fileName));
    if (info.wrapper.form === 'forward' || info.wrapper.bridgeKind !== 'runner') this.noteHelper(info);
    this.plan.change('wrapper-deleted', sourceFile, info.wrapper.range.start, `'${info.wrapper.name}' deleted: its callers await '${info.sibling!.name}'`);
  }

  /** The bridge helper a wrapper called (`runSync`), to delete once no wrapper uses it. */
  private noteHelper(info: WrapperInfo): void {
    noteBridgeHelper(this.plan, info);
  }
}

export function noteBridgeHelper(plan: Plan, info: WrapperInfo): void {
  const { ts, checker } = plan.project;
  if (!info.wrapper.viaHelper) return;
  const callee = skipOuterExpressions(ts, info.wrapper.bridgeCall.expression);
  const nameNode = ts.isPropertyAccessExpression(callee) ? callee.name : callee;
  const symbol = resolveAlias(ts, checker, checker.getSymbolAtLocation(nameNode));
  const declaration = symbol?.valueDeclaration;
  if (!declaration || !plan.project.files.has(path.resolve(declaration.getSourceFile().fileName))) return;
  if (ts.isFunctionDeclaration(declaration) || (ts.isVariableDeclaration(declaration) && ts.isVariableStatement(declaration.parent.parent))) plan.helperCandidates.add(declaration);
}

/** Removes one element of an import/export list, with its comma; the whole declaration when it was the only one. */
export function removeListElement(plan: Plan, element: TS.ImportSpecifier | TS.ExportSpecifier | TS.BindingElement): void {
  const ts = plan.project.ts;
  const list = element.parent as TS.NamedImports | TS.NamedExports | TS.ObjectBindingPattern;
  const sourceFile = element.getSourceFile();
  const edits = plan.editsFor(sourceFile);
  const elements = list.elements as TS.NodeArray<TS.Node>;
  const index = elements.indexOf(element);
  if (elements.length === 1) {
    let statement: TS.Node = list;
    while (statement.parent && !ts.isSourceFile(statement.parent)) statement = statement.parent;
    const range = declarationRange(ts, sourceFile, statement);
    edits.remove(range.start, range.end);
    return;
  }
  if (index < elements.length - 1) edits.remove(element.getStart(sourceFile), elements[index + 1]!.getStart(sourceFile));
  else edits.remove(elements[index - 1]!.getEnd(), element.getEnd());
}

/** Wraps a function's block body (see wrapBlockEdits) in the plan's edits for its file. */
export function wrapBlock(
  plan: Plan,
  fn: TS.Node,
  body: TS.Block,
  parts: (indent: string, unit: string, newline: string) => { open: string; close: string; depth: number },
): void {
  const sourceFile = body.getSourceFile();
  const newline = codeStyle(factsOf(plan.project, sourceFile)).newline;
  const indent = indentOf(sourceFile.text, fn.getStart(sourceFile));
  const edits = plan.editsFor(sourceFile);
  for (const edit of wrapBlockEdits(plan.project.ts, sourceFile, body, indent, newline, parts)) edits.insert(edit.start, edit.text);
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

function isInTypeQuery(ts: Plan['project']['ts'], node: TS.Node): boolean {
  for (let current: TS.Node | undefined = node.parent; current; current = current.parent) {
    if (ts.isTypeQueryNode(current)) return true;
    if (ts.isStatement(current) || ts.isClassElement(current)) return false;
  }
  return false;
}

function hasOverloads(checker: TS.TypeChecker, fn: TS.FunctionDeclaration | TS.MethodDeclaration): boolean {
  const symbol = fn.name ? checker.getSymbolAtLocation(fn.name) : undefined;
  return (symbol?.declarations ?? []).filter((d) => d !== fn && (d.kind === fn.kind) && !(d as TS.FunctionLikeDeclaration).body).length > 0;
}

function memberNameNode(ts: Plan['project']['ts'], fn: FunctionNode): TS.Node | undefined {
  if (ts.isMethodDeclaration(fn)) return fn.name;
  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) {
    const parent = outermost(ts, fn).parent;
    if (parent && (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))) return parent.name;
  }
  return undefined;
}

function memberNameNodeOfDeclaration(ts: Plan['project']['ts'], declaration: TS.Node): TS.Node | undefined {
  if (ts.isFunctionDeclaration(declaration) || ts.isVariableDeclaration(declaration)) return declaration.name;
  return undefined;
}

/** The name a function is called by: its own, or the variable or property it is bound to. */
function callableNameNode(ts: Plan['project']['ts'], fn: FunctionNode): TS.Node | undefined {
  if (ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) return fn.name;
  const parent = outermost(ts, fn).parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name;
  if (parent && (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))) return parent.name;
  return undefined;
}

function functionName(ts: Plan['project']['ts'], fn: TS.Node): string {
  if (ts.isConstructorDeclaration(fn)) return `${className(ts, fn)}constructor`;
  if (ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) return `${className(ts, fn)}${fn.name.getText()}`;
  if (ts.isFunctionDeclaration(fn)) return fn.name?.text ?? 'default';
  const name = callableNameNode(ts, fn as FunctionNode);
  if (name) return name.getText();
  const holder = outermost(ts, fn).parent;
  if (holder && ts.isCallExpression(holder)) return callbackLabel(ts, holder, outermost(ts, fn));
  if (holder && ts.isNewExpression(holder)) return `the callback of new ${skipOuterExpressions(ts, holder.expression).getText()}(…)`;
  return 'a function';
}

/** `the action of command 'pay'`, `the test 'adds a user'`, `the 'request' listener`, `the callback of map(…)`. */
function callbackLabel(ts: Plan['project']['ts'], call: TS.CallExpression, fn: TS.Node): string {
  const callee = skipOuterExpressions(ts, call.expression);
  const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  const first = call.arguments[0];
  const label = first && first !== fn && ts.isStringLiteralLike(first) ? first.text : undefined;
  if (method === 'action') {
    for (let receiver: TS.Expression = callee; ; ) {
      const inner = skipOuterExpressions(ts, ts.isPropertyAccessExpression(receiver) ? receiver.expression : receiver);
      if (!ts.isCallExpression(inner) || !ts.isPropertyAccessExpression(inner.expression)) break;
      const arg = inner.arguments[0];
      if (inner.expression.name.text === 'command' && arg && ts.isStringLiteralLike(arg)) return `the action of command '${arg.text.split(' ')[0]}'`;
      receiver = inner.expression;
    }
    return 'a commander action';
  }
  let base: TS.Expression = callee;
  while (ts.isPropertyAccessExpression(base) || ts.isCallExpression(base)) base = ts.isPropertyAccessExpression(base) ? base.expression : base.expression;
  const root = ts.isIdentifier(base) ? base.text : undefined;
  if ((root === 'it' || root === 'test') && label) return `the test '${label}'`;
  if (root && /^(?:before|after)(?:Each|All)?$/.test(root)) return `the ${root} hook`;
  if (label && method && /^(?:on|once|addListener|prependListener|addEventListener)$/.test(method)) return `the '${label}' listener`;
  return `the callback of ${method ?? 'a call'}(…)`;
}

function className(ts: Plan['project']['ts'], member: TS.Node): string {
  const owner = member.parent;
  return owner && ts.isClassLike(owner) && owner.name ? `${owner.name.text}.` : '';
}

function describeNode(ts: Plan['project']['ts'], node: TS.Node): string {
  if (ts.isPropertyDeclaration(node)) return `the field ${node.name.getText()}`;
  if (ts.isParameter(node)) return `the parameter ${node.name.getText()}`;
  return node.getText().split('\n')[0]!.slice(0, 40);
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

