import { skipOuterExpressions } from '../core/facts.js';
import type { TS } from '../core/types.js';
import { outermost, type FunctionNode } from './ast.js';
import type { Plan } from './plan.js';

/** Names, labels and small syntactic questions of the async planner (async.ts). */

export function isInside(node: TS.Node, container: TS.Node): boolean {
  for (let current: TS.Node | undefined = node; current; current = current.parent) if (current === container) return true;
  return false;
}

export function isInTypeQuery(ts: Plan['project']['ts'], node: TS.Node): boolean {
  for (let current: TS.Node | undefined = node.parent; current; current = current.parent) {
    if (ts.isTypeQueryNode(current)) return true;
    if (ts.isStatement(current) || ts.isClassElement(current)) return false;
  }
  return false;
}

export function hasOverloads(checker: TS.TypeChecker, fn: TS.FunctionDeclaration | TS.MethodDeclaration): boolean {
  const symbol = fn.name ? checker.getSymbolAtLocation(fn.name) : undefined;
  return (symbol?.declarations ?? []).filter((d) => d !== fn && d.kind === fn.kind && !(d as TS.FunctionLikeDeclaration).body).length > 0;
}

export function memberNameNode(ts: Plan['project']['ts'], fn: FunctionNode): TS.Node | undefined {
  if (ts.isMethodDeclaration(fn)) return fn.name;
  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) {
    const parent = outermost(ts, fn).parent;
    if (parent && (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))) return parent.name;
  }
  return undefined;
}

/** The name a function is called by: its own, or the variable or property it is bound to. */
export function callableNameNode(ts: Plan['project']['ts'], fn: FunctionNode): TS.Node | undefined {
  if (ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) return fn.name;
  const parent = outermost(ts, fn).parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name;
  if (parent && (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))) return parent.name;
  return undefined;
}

export function functionName(ts: Plan['project']['ts'], fn: TS.Node): string {
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
    for (let receiver: TS.Expression = callee; ;) {
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

export function describeNode(ts: Plan['project']['ts'], node: TS.Node): string {
  if (ts.isPropertyDeclaration(node)) return `the field ${node.name.getText()}`;
  if (ts.isParameter(node)) return `the parameter ${node.name.getText()}`;
  return node.getText().split('\n')[0]!.slice(0, 40);
}

/** What the function returns is nothing: `void`/`undefined`, declared or inferred. */
export function returnsVoid(ts: Plan['project']['ts'], checker: TS.TypeChecker, fn: FunctionNode): boolean {
  const signature = checker.getSignatureFromDeclaration(fn);
  if (!signature) return false;
  const returned = checker.getReturnTypeOfSignature(signature);
  const parts = returned.isUnion() ? returned.types : [returned];
  return parts.every((part) => (part.flags & (ts.TypeFlags.Void | ts.TypeFlags.Undefined)) !== 0);
}

/** The tracked task's name: `routes: /users` for a handler stored in `routes`, else the function's name. */
export function taskLabel(ts: Plan['project']['ts'], fn: FunctionNode, fallback: string): string {
  const holder = outermost(ts, fn).parent;
  if (holder && ts.isPropertyAssignment(holder) && ts.isObjectLiteralExpression(holder.parent)) {
    const key = ts.isStringLiteralLike(holder.name) || ts.isIdentifier(holder.name) || ts.isNumericLiteral(holder.name) ? holder.name.text : holder.name.getText();
    const owner = outermost(ts, holder.parent).parent;
    const ownerName = owner && ts.isVariableDeclaration(owner) && ts.isIdentifier(owner.name) ? owner.name.text : undefined;
    return ownerName ? `${ownerName}: ${key}` : key;
  }
  // `bus.on('login', …)` → `bus.on login`, `setTimeout(…)` → `setTimeout`.
  if (holder && (ts.isCallExpression(holder) || ts.isNewExpression(holder))) {
    const first = holder.arguments?.[0];
    const detail = first && first !== outermost(ts, fn) && ts.isStringLiteralLike(first) ? ` ${first.text}` : '';
    return `${skipOuterExpressions(ts, holder.expression).getText().replace(/\s+/g, '')}${detail}`;
  }
  return fallback;
}
