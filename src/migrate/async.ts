import path from 'node:path';
import { skipOuterExpressions } from '../core/facts.js';
import { sharedModuleState, type Redirect } from '../core/module-state.js';
import type { TS } from '../core/types.js';
import {
  allowsTopLevelAwait,
  callOfCallee,
  findReferences,
  isAsync,
  isDeclarationFileName,
  isFunctionNode,
  outermost,
  referenceExpression,
  resolveAlias,
  type FunctionNode,
} from './ast.js';
import { AsyncEdits } from './async-edits.js';
import { isInside, isInTypeQuery, hasOverloads, memberNameNode, callableNameNode, functionName, describeNode, returnsVoid, taskLabel } from './async-names.js';
import { isPublic, Solution, type Assertion, type AsyncOptions, type Site, type Unit, type UnitKind, type WrapperState } from './async-graph.js';
import { classifyConsumer, factsOf, isArrayCallback, programOf } from './entry-points.js';
import { runtimePolicy } from '../fix/dependency.js';
import type { Plan } from './plan.js';
import type { WrapperInfo } from './wrappers.js';
import { eslintRuleRefusal } from './sync-contract.js';

export type { AsyncOptions };

/** Methods the language calls implicitly, where a promise would be used as the value. */
const IMPLICITLY_CALLED = new Set(['toString', 'valueOf', 'toJSON', 'toLocaleString', '[Symbol.toPrimitive]']);

const THROW_MATCHERS = new Set(['toThrow', 'toThrowError', 'toThrowErrorMatchingSnapshot', 'toThrowErrorMatchingInlineSnapshot']);

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
  private readonly solution: Solution;

  constructor(
    private readonly plan: Plan,
    private readonly options: AsyncOptions,
  ) {
    this.solution = new Solution(plan.project.ts);
  }

  private get ts() {
    return this.plan.project.ts;
  }

  private get checker() {
    return this.plan.project.checker;
  }

  private wrapperDeclarations = new Map<TS.Node, WrapperInfo>();
  private readonly redirected = new Set<TS.Node>();

  run(wrappers: readonly WrapperInfo[]): { removed: number; kept: number; madeAsync: number; sites: number; entries: number } {
    this.wrapperDeclarations = new Map(wrappers.filter((info) => !info.refusal).map((info) => [info.declaration, info]));
    for (const info of wrappers) this.seedWrapper(info);
    this.seedPrograms();
    while (this.queue.length > 0) this.explore(this.queue.shift()!);
    this.solve();
    return new AsyncEdits(this.plan, this.options, { units: this.units, programs: this.programs, wrappers: this.wrappers }, this.solution).emit();
  }

  // ------------------------------------------------------------------ graph

  private newUnit(kind: UnitKind, node: TS.Node, name: string): Unit {
    return { id: this.counter++, kind, node, name, members: [], signatures: [], alreadyAsync: false, callers: [], registrations: [], dependsOn: [], sites: [], explored: false, actions: [], seeded: false, valueUses: [] };
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
    const state: WrapperState = { info, sites: [], kept: [], exportSpecifiers: [], memberSignatures: [] };
    this.wrappers.push(state);
    const { wrapper, sourceFile } = info;
    if (info.refusal) {
      this.plan.refuse(info.refusal.kind, sourceFile, wrapper.range.start, `'${wrapper.name}' is kept: ${info.refusal.message}`);
      state.kept.push(info.refusal.message);
      return;
    }
    const { references } = findReferences(this.plan.project, info.nameNode!);
    // Another class's own `list()`: an override in a subclass moves to `listAsync` with the wrapper
    // (async, its `super.list()` awaiting `super.listAsync()`), so a call pointed at the sibling still reaches it.
    const overrides = references.filter((ref) => {
      const parent = ref.node.parent;
      return parent !== undefined && (ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent)) && parent.name === ref.node && parent !== info.declaration;
    });
    // An override that is itself a wrapper over the same sibling (each class bridges its own `listAsync`) goes the same way.
    const ownOverrides = new Set(overrides.filter((ref) => this.wrapperDeclarations.get(ref.node.parent)?.sibling?.name === info.sibling?.name).map((ref) => ref.node));
    for (let i = overrides.length - 1; i >= 0; i--) if (ownOverrides.has(overrides[i]!.node)) overrides.splice(i, 1);
    for (const override of overrides) {
      const problem = this.overrideProblem(info, override.node.parent as TS.MethodDeclaration | TS.PropertyDeclaration, override.sourceFile);
      if (problem) {
        const message = `it is overridden or implemented again at ${this.plan.where(override.sourceFile, override.node.getStart(override.sourceFile))}, which cannot move to '${info.sibling?.name ?? 'its sibling'}' (${problem}): a call pointed at the sibling would skip that method`;
        this.plan.refuse('kept', sourceFile, wrapper.range.start, `'${wrapper.name}' is kept: ${message}`);
        state.info = { ...info, refusal: { kind: 'kept', message } };
        return;
      }
    }
    const overrideNames = new Set<TS.Node>();
    for (const override of overrides) {
      const method = override.node.parent as TS.MethodDeclaration;
      overrideNames.add(override.node);
      const unit = this.newUnit('function', method, functionName(ts, method));
      unit.members.push(method);
      unit.overrideOf = { wrapper: state, renameTo: info.sibling!.name };
      // Its callers are the wrapper's: they are redirected to the sibling, which the override becomes.
      unit.explored = true;
      this.units.set(method, unit);
    }
    for (const ref of references) {
      const node = ref.node;
      if (node === info.nameNode || overrideNames.has(node) || ownOverrides.has(node)) continue;
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
      const sibling = info.sibling;
      // `interface Lister { list(): T[]; listAsync(): Promise<T[]> }`: the member goes with the wrapper when the sibling is declared beside it.
      if ((ts.isMethodSignature(parent) || ts.isPropertySignature(parent)) && parent.name === node && sibling?.kind === 'member') {
        const owner = parent.parent;
        const declaresSibling = owner.members.some((member) => member.name !== undefined && member.name.getText() === sibling.name);
        if (declaresSibling && this.inProject(ref.sourceFile)) state.memberSignatures.push(parent);
        else state.kept.push(`it is declared at ${where}${declaresSibling ? `, ${this.outsideReason(ref.sourceFile)}` : `, beside no '${sibling.name}'`}`);
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
      // A call through a hierarchy of wrappers (base and override both bridge `keysAsync`) is found from each: redirected once.
      if (this.redirected.has(call)) continue;
      this.redirected.add(call);
      const site: Site = { call, kind: 'redirect', wrapper: state, context: undefined as unknown as Unit };
      site.context = this.contextOf(call);
      state.sites.push(site);
      // A pass-through's call returns the promise already: pointing it at the sibling changes nothing around it.
      if (info.passThrough) continue;
      site.context.sites.push(site);
      this.enqueue(site.context);
    }
  }

  /** Why an override of a method wrapper cannot become the override of its sibling, if it cannot. */
  private overrideProblem(info: WrapperInfo, override: TS.MethodDeclaration | TS.PropertyDeclaration, file: TS.SourceFile): string | undefined {
    const ts = this.ts;
    const sibling = info.sibling;
    if (sibling?.kind !== 'member') return 'the wrapper is not a method over a sibling method';
    if (sibling.isPrivate) return `'${sibling.name}' is private to the base class`;
    if (!this.inProject(file)) return this.outsideReason(file);
    if (!ts.isMethodDeclaration(override) || !override.body) return 'it is not a method with a body';
    if (override.asteriskToken) return 'it is a generator';
    if (override.type && ts.isTypePredicateNode(override.type)) return 'it is a type guard';
    if (!info.forwarded || (info.forwarded !== 'all' && info.forwarded.length !== override.parameters.length)) return `the wrapper does not hand its own parameters to '${sibling.name}' unchanged`;
    const owner = override.parent;
    if (!ts.isClassLike(owner) || !owner.heritageClauses?.some((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)) return 'it is not in a subclass';
    if (owner.members.some((member) => member.name !== undefined && member.name.getText() === sibling.name)) return `its class declares its own '${sibling.name}'`;
    // Code that already calls the sibling would reach the moved override too: a change it never asked for.
    const declaration = [...this.siblingDeclarations(info)];
    for (const node of declaration) {
      const { references } = findReferences(this.plan.project, node);
      for (const ref of references) {
        if (ref.node === node || isInside(ref.node, info.declaration)) continue;
        // Only a call dispatches to the override (`Repo.prototype.listAsync` handed to a registry does not).
        if (!callOfCallee(ts, referenceExpression(ts, ref.node))) continue;
        return `'${sibling.name}' is already called at ${this.plan.where(ref.sourceFile, ref.node.getStart(ref.sourceFile))}, which would reach the override too`;
      }
    }
    return undefined;
  }

  /** The name nodes of the sibling method's declarations in the wrapper's class. */
  private *siblingDeclarations(info: WrapperInfo): Iterable<TS.Node> {
    const ts = this.ts;
    const owner = info.declaration.parent;
    if (!owner || !ts.isClassLike(owner)) return;
    for (const member of owner.members) if (member.name && member.name.getText() === info.sibling!.name) yield member.name;
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
    else if (ts.isMethodDeclaration(fn) && IMPLICITLY_CALLED.has(fn.name.getText())) unit.refusal = { kind: 'library-type', message: `the language calls ${fn.name.getText()}() by itself and never awaits it` };
    unit.refusal ??= eslintRuleRefusal(ts, fn);
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

  /** How the function is reached, then what its uses as a value allow (see settleValueUses). */
  private exploreFunction(unit: Unit): void {
    this.exploreReferences(unit);
    if (!unit.refusal) this.settleValueUses(unit);
  }

  /** How the function is reached: its name's references across the project, or the API it is handed to. */
  private exploreReferences(unit: Unit): void {
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
        // `const lookups: Record<string, (id: string) => string> = { name: (id) => … }`: the declared type says sync.
        if (ts.isPropertyAssignment(parent) && this.checker.getContextualType(outer as TS.Expression)?.getCallSignatures().length && !this.acceptsPromise(outer)) {
          const declared = this.checker.typeToString(this.checker.getContextualType(outer as TS.Expression)!);
          unit.valueUses.push({ node: outer, kind: 'declared-type', message: `it is stored where its type is declared as \`${declared.slice(0, 80)}\`, which does not let it return a promise` });
        }
        if (ts.isPropertyDeclaration(parent) && parent.type) {
          unit.refusal = { kind: 'declared-type', message: `its type \`${parent.type.getText()}\` is declared on the field: make it return a promise by hand` };
          return;
        }
      } else if (parent && (ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(outer as TS.Expression)) {
        const consumer = classifyConsumer(this.plan.project, parent, fn);
        if ('refusal' in consumer) {
          if (this.dropsResult(consumer, parent)) unit.valueUses.push({ node: outer, kind: consumer.refusal, message: consumer.message });
          else unit.refusal = { kind: consumer.refusal, message: consumer.message };
        } else {
          unit.entry = { kind: consumer.entry, call: consumer.call, ...(consumer.express4 !== undefined ? { express4: consumer.express4 } : {}) };
          if (consumer.entry === 'commander') this.attachProgram(unit, consumer.call);
        }
        return;
      } else {
        unit.valueUses.push({ node: outer, kind: 'value-use', message: 'it is a function value that is returned, stored or passed along: its callers cannot be followed' });
        return;
      }
    }
    if (!nameNode || (!ts.isIdentifier(nameNode) && !ts.isPrivateIdentifier(nameNode))) {
      // `{ '/users': (req) => … }`: stored under a name no call can be found by.
      const holder = outermost(ts, fn).parent;
      if (holder && ts.isPropertyAssignment(holder) && ts.isObjectLiteralExpression(holder.parent)) {
        unit.valueUses.push({ node: outermost(ts, fn), kind: 'value-use', message: 'it is stored under a computed name: its callers cannot be followed' });
        return;
      }
      unit.refusal = { kind: 'value-use', message: 'it has a computed name: its callers cannot be followed' };
      return;
    }
    if (this.options.keepPublicSync && isPublic(this.ts, fn)) {
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
          if (this.dropsResult(consumer, holder)) {
            unit.valueUses.push({ node: outer, kind: consumer.refusal, message: `${consumer.message} (${where})` });
            continue;
          }
          unit.refusal = { kind: consumer.refusal, message: `${consumer.message} (${where})` };
          return;
        }
        unit.registrations.push({ kind: consumer.entry, node: outer, call: consumer.call });
        if (consumer.entry === 'commander') this.attachProgram(unit, consumer.call);
        continue;
      }
      unit.valueUses.push({ node: outer, kind: 'value-use', message: `it is used as a value at ${where} (\`${(holder ?? node).getText().replace(/\s+/g, ' ').slice(0, 60)}\`)` });
    }
  }

  /**
   * A callback API that calls the function and drops what it returns (an unknown API, an event
   * emitter, a timer), as opposed to one that uses the result (`map`, `sort`) or an executor.
   */
  private dropsResult(consumer: { refusal: string; message: string }, call: TS.CallExpression | TS.NewExpression): boolean {
    return consumer.refusal === 'callback' && !isArrayCallback(this.ts, call);
  }

  /**
   * A function its callers cannot be followed to (stored in an object or a Map, handed to an
   * unknown API) is a boundary when what it returns is unused (void):
   * - where every such use expects a function that may return a promise, it simply becomes async;
   * - where one does not, and nothing calls it directly, it stays sync and its body runs as a
   *   tracked task (`spawn(async () => { … })`), which awaits the migrated calls below it and
   *   keeps the crash policy of a failed task (docs/migrate.md);
   * - otherwise it stays sync and its chain is kept, with the reason.
   */
  private settleValueUses(unit: Unit): void {
    const uses = unit.valueUses;
    if (uses.length === 0) return;
    const first = uses[0]!;
    const fn = unit.members[0]!;
    const voidResult = unit.members.length === 1 && returnsVoid(this.ts, this.checker, fn);
    if (voidResult && uses.every((use) => this.acceptsPromise(use.node))) return;
    if (!voidResult || unit.callers.length > 0 || unit.registrations.length > 0 || unit.signatures.length > 0 || unit.entry || !fn.body) {
      const direct = unit.callers[0];
      unit.refusal = { kind: first.kind, message: voidResult && direct ? `${first.message}, and it is also called directly at ${this.plan.where(direct.call.getSourceFile(), direct.call.getStart())}` : first.message };
      return;
    }
    const policy = runtimePolicy(fn.getSourceFile().fileName, this.plan.allowRuntimeDependency);
    if (!policy.allowed) {
      unit.refusal = { kind: first.kind, message: `${first.message}; its body could await inside a tracked task, but ${this.plan.relative(policy.manifest.file)} is a published library that does not depend on @loop-audit/runtime (--allow-runtime-dependency)` };
      return;
    }
    unit.taskBoundary = { name: taskLabel(this.ts, fn, unit.name) };
  }

  /** Whether the function type expected where a function is used lets it return a promise (`void | Promise<void>`, `unknown`, `Promise<T>`). */
  private acceptsPromise(node: TS.Node): boolean {
    const contextual = this.checker.getContextualType(node as TS.Expression);
    if (!contextual) return false;
    const signatures = contextual.getNonNullableType().getCallSignatures();
    if (signatures.length === 0) return false;
    return signatures.every((signature) => {
      const returned = signature.getReturnType();
      if (returned.flags & (this.ts.TypeFlags.Any | this.ts.TypeFlags.Unknown)) return true;
      const parts = returned.isUnion() ? returned.types : [returned];
      return parts.some((part) => this.checker.getPropertyOfType(this.checker.getApparentType(part), 'then') !== undefined);
    });
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
    // The boundary runs the body in the worker, which loads its module anew: it must share no module state with this thread.
    const shared = sharedModuleState(factsOf(this.plan.project, fn.getSourceFile()), fn, fn.name!.text, this.wrapperRedirect());
    if (shared) return `it ${shared.reason}: the boundary would run it in the runner's worker, which loads its module anew and would not see this thread's state`;
    const asyncName = `${fn.name!.text}Async`;
    const moduleSymbol = this.checker.getSymbolAtLocation(fn.getSourceFile());
    if (moduleSymbol && this.checker.getExportsOfModule(moduleSymbol).some((s) => s.name === asyncName)) return `the module already exports '${asyncName}'`;
    return undefined;
  }

  /** For the module-state analysis: a call of a wrapper in scope will call its sibling, which is what the worker would run. */
  private wrapperRedirect(): Redirect {
    const ts = this.ts;
    const map = new Map<string, { file: string; start: number }>();
    for (const { info } of this.wrappers) {
      const sibling = info.sibling;
      if (info.refusal || sibling?.kind !== 'function') continue;
      const declaration = sibling.declaration;
      const fn = ts.isVariableDeclaration(declaration) && declaration.initializer ? skipOuterExpressions(ts, declaration.initializer) : declaration;
      const target = { file: path.resolve(sibling.sourceFile.fileName), start: fn.getStart(sibling.sourceFile) };
      const file = path.resolve(info.sourceFile.fileName);
      map.set(`${file}:${info.wrapper.node.getStart(info.sourceFile)}`, target);
      const holder = info.declaration;
      if (ts.isVariableStatement(holder)) for (const d of holder.declarationList.declarations) map.set(`${file}:${d.getStart(info.sourceFile)}`, target);
    }
    return (file, start) => map.get(`${path.resolve(file)}:${start}`);
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
        const name = fn ? callableNameNode(ts, fn) : undefined;
        if (!name) continue;
        for (const ref of this.referencesOf(name)) {
          const call = callOfCallee(ts, referenceExpression(ts, ref));
          if (call) work.push(call);
        }
      } else if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(outer as TS.Expression)) {
        const index = parent.arguments.indexOf(outer as TS.Expression);
        const target = resolveAlias(ts, this.checker, this.checker.getSymbolAtLocation(skipOuterExpressions(ts, parent.expression)))?.valueDeclaration;
        const fn = target && ts.isVariableDeclaration(target) && target.initializer ? skipOuterExpressions(ts, target.initializer) : target;
        if (fn && (ts.isFunctionDeclaration(fn) || ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && fn.parameters[index] && ts.isIdentifier(fn.parameters[index].name)) {
          work.push(...this.referencesOf(fn.parameters[index].name));
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

  /**
   * The units that become async: the largest set in which every unit's callers can await it
   * (or keep a public sync boundary), then pruned to those with a reason (an awaited call) to.
   */
  private solve(): void {
    const all = new Set<Unit>([...this.units.values(), ...this.programs.values()]);
    for (const wrapper of this.wrappers) for (const site of wrapper.sites) all.add(site.context);
    for (const unit of all) {
      if (!unit.alreadyAsync && !unit.refusal && unit.explored && unit.kind !== 'top-level') this.solution.candidates.add(unit);
    }
    for (let changed = true; changed; ) {
      changed = false;
      for (const unit of [...this.solution.candidates]) {
        const blocking = unit.boundary ? undefined : unit.callers.find((site) => !this.solution.siteOk(site));
        const dependency = unit.dependsOn.find((d) => !this.solution.canAwait(d));
        if (blocking || dependency) {
          this.solution.candidates.delete(unit);
          unit.blockedBy = blocking ?? dependency?.callers.find((site) => !this.solution.siteOk(site));
          if (!unit.blockedBy && dependency?.refusal) unit.refusal = dependency.refusal;
          changed = true;
        }
      }
      for (const unit of [...this.solution.candidates]) {
        const needed =
          unit.kind === 'program' ? unit.seeded || unit.actions.some((action) => this.solution.candidates.has(action)) : unit.overrideOf !== undefined || unit.sites.some((site) => this.solution.siteActive(site));
        if (!needed) {
          this.solution.candidates.delete(unit);
          changed = true;
        }
      }
    }
  }

  // ------------------------------------------------------------------ edits
}
