import { defineDetector } from '../detector.js';
import { type FileFacts, type FunctionLike, propertyNameText, skipOuterExpressions } from '../facts.js';
import { floatingFixes, prefixEdits } from '../fixes/spawn.js';
import {
  findFloatingPromises,
  hasAsyncModifier,
  resolveOptions,
  type FloatingCallback,
  type FloatingPromise,
  type FloatingReason,
  type FloatingStatement,
  type ResolvedOptions,
} from '../floating-promises.js';
import { noFloatingPromiseMeta, type NoFloatingPromiseMessageId } from '../meta/no-floating-promise.js';
import type { Finding, Suggestion, TextEdit, TS } from '../types.js';

const MAX_WHAT = 48;

export const noFloatingPromise = defineDetector({
  meta: noFloatingPromiseMeta,
  detect(facts, options) {
    return findFloatingPromises(facts, options).map((floating) => toFinding(facts, floating, resolveOptions(options)));
  },
});

const STATEMENT_MESSAGES: Record<FloatingReason, NoFloatingPromiseMessageId> = {
  promise: 'floating',
  thenable: 'floatingThenable',
  'then-without-rejection-handler': 'floatingThen',
  'non-function-rejection-handler': 'nonFunctionHandler',
  'promise-array': 'promiseArray',
  void: 'voided',
};

function toFinding(facts: FileFacts, floating: FloatingPromise, options: ResolvedOptions): Finding<NoFloatingPromiseMessageId> {
  const ts = facts.ts;
  const sourceFile = facts.sourceFile;
  const where = describeWhere(facts, floating.enclosingFunction, floating.kind === 'statement' ? floating.discarded : floating.call);
  if (floating.kind === 'statement') {
    const reported: TS.Node = floating.statement ?? floating.discarded;
    const { fix, suggestion } = floatingFixes(facts, floating, options);
    const suggestions = [...(statementSuggestions(facts, floating, options) ?? []), ...(suggestion ? [suggestion] : [])];
    return {
      ruleId: 'no-floating-promise',
      messageId: STATEMENT_MESSAGES[floating.reason],
      data: { what: describeExpression(facts, floating.node), where },
      start: reported.getStart(sourceFile),
      end: reported.getEnd(),
      suggestions: suggestions.length > 0 ? suggestions : undefined,
      ...withFix(fix),
    };
  }
  const head = callbackHead(facts, floating.node);
  if (floating.dropperKind === 'executor') {
    return { ruleId: 'no-floating-promise', messageId: 'asyncExecutor', data: { where }, start: head.start, end: head.end };
  }
  const callee = skipOuterExpressions(ts, floating.call.expression);
  const dropper = `\`${ts.isNewExpression(floating.call) ? 'new ' : ''}${shorten(facts, callee)}\``;
  const { fix, suggestion } = floatingFixes(facts, floating, options);
  const suggestions = [...iterationSuggestions(facts, floating), ...(suggestion ? [suggestion] : [])];
  return {
    ruleId: 'no-floating-promise',
    messageId: 'asyncCallback',
    data: { callback: describeCallback(facts, floating), dropper, where },
    start: head.start,
    end: head.end,
    ...(suggestions.length > 0 ? { suggestions } : {}),
    ...withFix(fix),
  };
}

function withFix(fix: TextEdit[] | undefined): { fix?: TextEdit[] } {
  return fix ? { fix } : {};
}

/** `in \`Reconciler.start\``, `in a callback in \`Reconciler.start\``, `at module scope`. */
function describeWhere(facts: FileFacts, fn: FunctionLike | undefined, node: TS.Node): string {
  const ts = facts.ts;
  // A class static block runs once, at class definition, but it is not module scope either.
  for (let current = node.parent; current && current !== fn; current = current.parent) {
    if (ts.isClassStaticBlockDeclaration(current)) {
      const owner = current.parent;
      return owner.name ? `in a static block of \`${owner.name.text}\`` : 'in a class static block';
    }
  }
  if (!fn) return 'at module scope';
  const name = facts.functionName(fn);
  if (!name.startsWith('<')) return `in \`${name}\``;
  // An anonymous callback is best located by the named function it is written in.
  for (let outer = facts.enclosingFunction(fn); outer; outer = facts.enclosingFunction(outer)) {
    const outerName = facts.functionName(outer);
    if (!outerName.startsWith('<')) return `in a callback in \`${outerName}\``;
  }
  return 'in an anonymous function';
}

/** A short rendering of what floats: `this.repo.save(…)`, `new Promise(…)`, `fetch(…).then(…)`. */
function describeExpression(facts: FileFacts, expression: TS.Expression): string {
  return `\`${shorten(facts, expression)}\``;
}

function shorten(facts: FileFacts, expression: TS.Expression): string {
  const ts = facts.ts;
  const expr = expression;
  let text: string;
  if (ts.isCallExpression(expr)) text = `${shorten(facts, expr.expression)}(${expr.arguments.length > 0 ? '…' : ''})`;
  else if (ts.isNewExpression(expr)) text = `new ${shorten(facts, expr.expression)}(${expr.arguments && expr.arguments.length > 0 ? '…' : ''})`;
  else if (ts.isPropertyAccessExpression(expr)) text = `${shorten(facts, expr.expression)}${expr.questionDotToken ? '?.' : '.'}${expr.name.text}`;
  else if (ts.isParenthesizedExpression(expr)) text = `(${shorten(facts, expr.expression)})`;
  else if (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr)) text = `${hasAsyncModifier(ts, expr) ? 'async ' : ''}${ts.isArrowFunction(expr) ? '() => …' : 'function …'}`;
  else if (ts.isAwaitExpression(expr)) text = `await ${shorten(facts, expr.expression)}`;
  else text = facts.text(expr).replace(/\s+/g, ' ');
  return text.length > MAX_WHAT ? `${text.slice(0, MAX_WHAT - 1)}…` : text;
}

function describeCallback(facts: FileFacts, floating: FloatingCallback): string {
  const ts = facts.ts;
  const node = ts.isMethodDeclaration(floating.node) ? floating.node : skipOuterExpressions(ts, floating.node);
  if (ts.isMethodDeclaration(node)) return `Async observer method \`${propertyNameText(ts, node.name) ?? '<computed>'}\``;
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    const named = ts.isFunctionExpression(node) && node.name ? ` \`${node.name.text}\`` : '';
    return floating.isAsyncFunction ? `An async ${named ? `function${named}` : 'callback'}` : `A promise-returning ${named ? `function${named}` : 'callback'}`;
  }
  return `Async function \`${shorten(facts, node)}\``;
}

/** Report a callback by its head (`async (e) =>`, `async function name(x)`), not its whole body. */
function callbackHead(facts: FileFacts, node: TS.Expression | TS.MethodDeclaration): { start: number; end: number } {
  const ts = facts.ts;
  const sourceFile = facts.sourceFile;
  const fn = ts.isMethodDeclaration(node) ? node : skipOuterExpressions(ts, node);
  const start = node.getStart(sourceFile);
  if (ts.isArrowFunction(fn)) return { start, end: fn.equalsGreaterThanToken.getEnd() };
  if ((ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) && fn.body) {
    let end = fn.body.getStart(sourceFile);
    while (end > start && /\s/.test(sourceFile.text[end - 1]!)) end--;
    return { start, end };
  }
  return { start, end: node.getEnd() };
}

// ------------------------------------------------------------------ suggestions

function statementSuggestions(facts: FileFacts, floating: FloatingStatement, options: ResolvedOptions): Suggestion<NoFloatingPromiseMessageId>[] | undefined {
  const ts = facts.ts;
  const sourceFile = facts.sourceFile;
  const discarded = floating.discarded;
  const suggestions: Suggestion<NoFloatingPromiseMessageId>[] = [];
  // Only a whole statement can take `await` in front; an arrow's `void p` body would need braces.
  if (floating.inAsyncContext && floating.statement) {
    if (floating.reason === 'promise-array') {
      const inner = ts.isAwaitExpression(discarded) ? discarded.expression : discarded;
      const wrapComma = ts.isBinaryExpression(inner) && inner.operatorToken.kind === ts.SyntaxKind.CommaToken;
      suggestions.push({
        messageId: 'awaitAll',
        edits: [
          { start: inner.getStart(sourceFile), end: inner.getStart(sourceFile), text: `${ts.isAwaitExpression(discarded) ? '' : 'await '}Promise.all(${wrapComma ? '(' : ''}` },
          { start: inner.getEnd(), end: inner.getEnd(), text: wrapComma ? '))' : ')' },
        ],
      });
    } else if (ts.isVoidExpression(discarded)) {
      const start = discarded.getStart(sourceFile);
      suggestions.push({ messageId: 'addAwait', edits: [{ start, end: start + 'void'.length, text: 'await' }] });
    } else {
      suggestions.push({ messageId: 'addAwait', edits: prefixEdits(ts, sourceFile, discarded, 'await') });
    }
  }
  if (options.allowVoid && floating.statement && floating.reason !== 'promise-array') {
    suggestions.push({ messageId: 'addVoid', edits: prefixEdits(ts, sourceFile, discarded, 'void') });
  }
  return suggestions.length > 0 ? suggestions : undefined;
}

/**
 * `items.forEach(async (x) => ...)` as a statement in an async function becomes
 * `await Promise.all(items.map(async (x) => ...))`: same concurrency, and now awaited. Offered
 * only when the receiver is known to be an array, since Map and Set have `forEach` but no `map`.
 */
function iterationSuggestions(facts: FileFacts, floating: FloatingCallback): Suggestion<NoFloatingPromiseMessageId>[] {
  const ts = facts.ts;
  const call = floating.call;
  if (floating.dropperKind !== 'iteration' || !floating.inAsyncContext || !ts.isCallExpression(call)) return [];
  const statement = call.parent;
  if (!statement || !ts.isExpressionStatement(statement) || call.arguments[0] !== floating.node) return [];
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || callee.questionDotToken || !isKnownArray(facts, callee.expression)) return [];
  const sourceFile = facts.sourceFile;
  const start = call.getStart(sourceFile);
  return [
    {
      messageId: 'awaitAll',
      edits: [
        { start, end: start, text: 'await Promise.all(' },
        { start: callee.name.getStart(sourceFile), end: callee.name.getEnd(), text: 'map' },
        { start: call.getEnd(), end: call.getEnd(), text: ')' },
      ],
    },
  ];
}

function isKnownArray(facts: FileFacts, receiver: TS.Expression): boolean {
  const ts = facts.ts;
  const types = facts.types;
  if (types) return types.unionParts(types.typeAt(receiver)).every((part) => types.isArrayOrTupleType(part));
  const expr = skipOuterExpressions(ts, receiver);
  if (ts.isArrayLiteralExpression(expr)) return true;
  if (!ts.isCallExpression(expr)) return false;
  return (
    facts.refersToGlobal(expr.expression, 'Object', 'keys') ||
    facts.refersToGlobal(expr.expression, 'Object', 'values') ||
    facts.refersToGlobal(expr.expression, 'Object', 'entries') ||
    facts.refersToGlobal(expr.expression, 'Array', 'from') ||
    facts.refersToGlobal(expr.expression, 'Array', 'of')
  );
}
