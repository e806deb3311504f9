import { findReferences, isFunctionNode, lineOf, outermost, callOfCallee, referenceExpression, type FunctionNode } from './ast.js';
import type { TS, TypeScriptApi } from '../core/types.js';
import type { MigrationProject } from './project.js';
import type { Refused } from './async-graph.js';

/**
 * Why blocking code cannot become async because of who calls it: the chain of callers from the
 * function that blocks up to code that must answer synchronously. Today that is an ESLint rule:
 * ESLint calls a rule's `create` and every listener it returns synchronously and drops a returned
 * promise (there are no async rules), so a rule that needs async work (a formatter, an HTTP fetch,
 * a config load) can only reach it through a bridge such as synckit. `migrate` cannot remove that
 * bridge, and must not tell the user to make the function async.
 */
export interface SyncContract {
  /** The rule: its name (`createRule('no-invalid', …)`, else the file) and where `create` is. */
  rule: string;
  where: string;
  /** From the function that blocks to `create` (or the listener), as `name (file:line)`. */
  chain: string[];
}

/** Bounds the walk up the callers on a large project: the answer is for a message, not a rewrite. */
const MAX_FUNCTIONS = 400;

interface Step {
  fn: FunctionNode;
  chain: string[];
}

/**
 * The ESLint rule whose `create` (or a listener, or a helper written inside it) the function that
 * holds `node` runs in, directly or through the project's callers; undefined when no chain of
 * calls reaches one.
 */
export function syncContractOf(project: MigrationProject, node: TS.Node, relative: (file: string) => string): SyncContract | undefined {
  const first = enclosingFunction(project.ts, node);
  if (!first) return undefined;
  // Bridges in one function (a test body calling it ten times) share the walk.
  let known = walks.get(project);
  if (!known) walks.set(project, (known = new Map<FunctionNode, SyncContract | undefined>()));
  if (!known.has(first)) known.set(first, walkCallers(project, first, relative));
  return known.get(first);
}

const walks = new WeakMap<MigrationProject, Map<FunctionNode, SyncContract | undefined>>();

function walkCallers(project: MigrationProject, first: FunctionNode, relative: (file: string) => string): SyncContract | undefined {
  const { ts } = project;
  const seen = new Set<TS.Node>([first]);
  const queue: Step[] = [{ fn: first, chain: [describe(ts, first, relative)] }];
  while (queue.length > 0) {
    const { fn, chain } = queue.shift()!;
    const rule = ruleAround(ts, fn);
    if (rule) {
      const create = rule.create;
      const where = `${relative(create.getSourceFile().fileName)}:${lineOf(create.getSourceFile(), create.getStart())}`;
      const tail = create === fn ? chain : [...chain, `create of rule '${rule.name}' (${where})`];
      return { rule: rule.name, where, chain: tail };
    }
    const name = nameOf(ts, fn);
    if (!name) {
      // A callback without a name (`words.filter((w) => !isKnown(w))`) runs for the function it is written in.
      const outer = enclosingFunction(ts, fn);
      if (outer && !seen.has(outer)) {
        seen.add(outer);
        queue.push({ fn: outer, chain: [...chain, describe(ts, outer, relative)] });
      }
      continue;
    }
    for (const reference of findReferences(project, name).references) {
      if (reference.isDefinition) continue;
      const call = callOfCallee(ts, referenceExpression(ts, reference.node));
      if (!call) continue;
      const caller = enclosingFunction(ts, call);
      if (!caller || seen.has(caller)) continue;
      if (seen.size >= MAX_FUNCTIONS) return undefined;
      seen.add(caller);
      queue.push({ fn: caller, chain: [...chain, describe(ts, caller, relative)] });
    }
  }
  return undefined;
}

/** The why and the what-to-do of a bridge that an ESLint rule needs. */
export function describeSyncContract(contract: SyncContract): { reason: string; todo: string } {
  const chain = contract.chain.join(' ← ');
  return {
    reason: `it runs inside the ESLint rule '${contract.rule}' (${chain}): ESLint calls a rule's create() and its listeners synchronously and drops a returned promise, so nothing on this chain can become async; the bridge is how the rule reaches async work`,
    todo: `nothing for migrate to do: keep the bridge (or do the async work before linting, outside the rule); if it stays by design, say so where it is with \`// eslint-disable-next-line loop-audit/no-sync-bridge -- ESLint rules are synchronous\``,
  };
}

function enclosingFunction(ts: TypeScriptApi, node: TS.Node): FunctionNode | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (isFunctionNode(ts, current)) return current;
  }
  return undefined;
}

/** The identifier that names a function: its declaration's, or the variable's or property's it is bound to. */
function nameOf(ts: TypeScriptApi, fn: FunctionNode): TS.Node | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name && ts.isIdentifier(fn.name)) return fn.name;
  const outer = outermost(ts, fn);
  const parent = outer.parent;
  if (!parent) return undefined;
  if (ts.isVariableDeclaration(parent) && parent.initializer === outer && ts.isIdentifier(parent.name)) return parent.name;
  if (ts.isPropertyAssignment(parent) && parent.initializer === outer && ts.isIdentifier(parent.name)) return parent.name;
  if (ts.isPropertyDeclaration(parent) && parent.initializer === outer && ts.isIdentifier(parent.name)) return parent.name;
  return undefined;
}

function describe(ts: TypeScriptApi, fn: FunctionNode, relative: (file: string) => string): string {
  const sourceFile = fn.getSourceFile();
  // A listener is often a method of a computed name: `[context.sourceCode.ast.type]() { … }`.
  const name = nameOf(ts, fn) ?? (ts.isMethodDeclaration(fn) ? fn.name : undefined);
  const label = name ? `${name.getText(sourceFile).replace(/\s+/g, ' ')}()` : 'an anonymous function';
  return `${label} (${relative(sourceFile.fileName)}:${lineOf(sourceFile, fn.getStart(sourceFile))})`;
}

/**
 * Whether ESLint itself calls the function: it is a rule's `create`, or a listener of the object
 * `create` returns (`return { Program() { … } }`). Either must answer synchronously.
 */
export function eslintRuleRole(ts: TypeScriptApi, fn: FunctionNode): { rule: string; role: 'create' | 'listener' } | undefined {
  const holder = createHolder(ts, fn);
  if (holder) return { rule: ruleName(ts, holder), role: 'create' };
  let property: TS.Node | undefined;
  if (ts.isMethodDeclaration(fn)) property = fn;
  else {
    const outer = outermost(ts, fn);
    if (outer.parent && ts.isPropertyAssignment(outer.parent) && outer.parent.initializer === outer) property = outer.parent;
  }
  const object = property?.parent && ts.isObjectLiteralExpression(property.parent) ? outermost(ts, property.parent) : undefined;
  if (!object?.parent) return undefined;
  const returned = ts.isReturnStatement(object.parent) ? object.parent : ts.isArrowFunction(object.parent) && object.parent.body === object ? object.parent : undefined;
  const create = returned && (isFunctionNode(ts, returned) ? returned : enclosingFunction(ts, returned));
  const rule = create ? createHolder(ts, create) : undefined;
  return rule ? { rule: ruleName(ts, rule), role: 'listener' } : undefined;
}

/** The refusal of a function ESLint calls itself: it cannot become async. */
export function eslintRuleRefusal(ts: TypeScriptApi, fn: FunctionNode): Refused | undefined {
  const eslint = eslintRuleRole(ts, fn);
  if (!eslint) return undefined;
  const what = eslint.role === 'create' ? `the create() of the ESLint rule '${eslint.rule}'` : `a listener of the ESLint rule '${eslint.rule}'`;
  return { kind: 'library-type', message: `it is ${what}: ESLint calls it synchronously and drops a returned promise (there are no async rules)` };
}

/**
 * The ESLint rule a function is, or is written in: a `create` method or property of an object
 * literal that also has `meta` (the rule object, exported as it is or handed to a `createRule`
 * helper), found from the function itself or any function it is written in (a listener of the
 * object `create` returns, a helper declared inside `create`).
 */
function ruleAround(ts: TypeScriptApi, fn: FunctionNode): { name: string; create: FunctionNode } | undefined {
  for (let current: TS.Node | undefined = fn; current; current = current.parent) {
    if (!isFunctionNode(ts, current)) continue;
    const holder = createHolder(ts, current);
    if (holder) return { name: ruleName(ts, holder), create: current };
  }
  return undefined;
}

/** The rule object a function is the `create` of, or undefined. */
function createHolder(ts: TypeScriptApi, fn: FunctionNode): TS.ObjectLiteralExpression | undefined {
  let property: TS.Node | undefined;
  if (ts.isMethodDeclaration(fn)) property = fn;
  else {
    const outer = outermost(ts, fn);
    if (outer.parent && ts.isPropertyAssignment(outer.parent) && outer.parent.initializer === outer) property = outer.parent;
  }
  if (!property || !property.parent || !ts.isObjectLiteralExpression(property.parent)) return undefined;
  const name = (property as TS.MethodDeclaration | TS.PropertyAssignment).name;
  if (!ts.isIdentifier(name) || name.text !== 'create') return undefined;
  const object = property.parent;
  const hasMeta = object.properties.some((p) => p.name !== undefined && ts.isIdentifier(p.name) && p.name.text === 'meta');
  return hasMeta ? object : undefined;
}

/** `createRule('no-invalid', { … })` names the rule; else the rule is known by its file. */
function ruleName(ts: TypeScriptApi, object: TS.ObjectLiteralExpression): string {
  const outer = outermost(ts, object);
  const parent = outer.parent;
  if (parent && ts.isCallExpression(parent)) {
    const first = parent.arguments[0];
    if (first && first !== outer && ts.isStringLiteralLike(first)) return first.text;
  }
  const file = object.getSourceFile().fileName;
  return file.replace(/^.*[\\/]/, '').replace(/\.[cm]?[jt]sx?$/, '');
}
