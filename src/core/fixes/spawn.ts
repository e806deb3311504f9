import path from 'node:path';
import { skipOuterExpressions, type FileFacts } from '../facts.js';
import { codeStyle, planImport, RUNTIME_MODULE, stringLiteral } from './imports.js';
import type { TextEdit } from '../types.js';
import type { FloatingCallback, FloatingPromise, FloatingStatement } from '../floating-promises.js';

/** Statement reasons whose promise `spawn` can take over as it is. */
const SPAWNABLE_REASONS = new Set(['promise', 'thenable', 'then-without-rejection-handler', 'void', 'promise-array']);
/** Callers that ignore a callback's promise; an executor's `resolve`/`reject` need a rewrite by hand. */
const WRAPPABLE_DROPPERS = new Set(['event', 'timer', 'observable', 'scheduler', 'iteration']);

/**
 * The autofix to loop-audit/runtime's `spawn` for a floating promise where `await` is not
 * possible: the task is tracked and its error reported exactly once instead of being lost.
 * Where `await` is possible the rule offers suggestions instead: that changes the timing.
 */
export function spawnFix(facts: FileFacts, floating: FloatingPromise): TextEdit[] | undefined {
  if (floating.inAsyncContext) return undefined;
  const body = floating.kind === 'statement' ? statementEdits(facts, floating) : callbackEdits(facts, floating);
  if (!body) return undefined;
  const plan = planImport(facts, RUNTIME_MODULE, ['spawn']);
  return [...plan.edits, ...body(plan.local.spawn!)];
}

type BodyEdits = (spawn: string) => TextEdit[];

/** `save(order);` → `spawn(save(order), { name: 'Checkout.submit' });` */
function statementEdits(facts: FileFacts, floating: FloatingStatement): BodyEdits | undefined {
  const ts = facts.ts;
  if (!floating.statement || !SPAWNABLE_REASONS.has(floating.reason)) return undefined;
  const discarded = skipOuterExpressions(ts, floating.discarded);
  const task = ts.isVoidExpression(discarded) ? discarded.expression : discarded;
  // Only when the whole statement is the promise: `a(), b()` needs a person to split it.
  if (skipOuterExpressions(ts, task) !== skipOuterExpressions(ts, floating.node)) return undefined;
  const sourceFile = facts.sourceFile;
  const taskText = facts.text(task);
  const start = floating.discarded.getStart(sourceFile);
  const end = floating.discarded.getEnd();
  const name = taskName(facts, floating.enclosingFunction);
  return (spawn) => [
    {
      start,
      end,
      text: `${spawn}(${floating.reason === 'promise-array' ? `Promise.all(${taskText})` : taskText}, { name: ${stringLiteral(codeStyle(facts), name)} })`,
    },
  ];
}

/**
 * `bus.on('order', async (e) => { … })` → `bus.on('order', (e) => spawn(async () => { … }, { name }))`:
 * the handler still returns at once, and its rejection now reaches the runner's task set.
 */
function callbackEdits(facts: FileFacts, floating: FloatingCallback): BodyEdits | undefined {
  const ts = facts.ts;
  if (!WRAPPABLE_DROPPERS.has(floating.dropperKind) || !floating.isAsyncFunction) return undefined;
  const fn = ts.isMethodDeclaration(floating.node) ? floating.node : skipOuterExpressions(ts, floating.node);
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn) && !ts.isMethodDeclaration(fn)) return undefined;
  if (!fn.body || (!ts.isArrowFunction(fn) && fn.asteriskToken)) return undefined;
  const sourceFile = facts.sourceFile;
  const text = sourceFile.text;
  const asyncModifier = fn.modifiers?.find((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
  if (!asyncModifier) return undefined;
  const removeAsync: TextEdit = { start: asyncModifier.getStart(sourceFile), end: skipSpaces(text, asyncModifier.getEnd()), text: '' };
  // A `Promise<void>` return annotation would no longer be true of the sync wrapper.
  const removeReturnType: TextEdit[] = [];
  if (fn.type) {
    const colon = text.lastIndexOf(':', fn.type.getStart(sourceFile));
    removeReturnType.push({ start: colon, end: fn.type.getEnd(), text: '' });
  }
  const bodyText = facts.text(fn.body);
  const bodyStart = fn.body.getStart(sourceFile);
  const bodyEnd = fn.body.getEnd();
  const name = stringLiteral(codeStyle(facts), taskName(facts, facts.enclosingFunction(fn), dropperLabel(facts, floating)));
  const semicolon = codeStyle(facts).semicolon ? ';' : '';
  return (spawn) => [
    removeAsync,
    ...removeReturnType,
    {
      start: bodyStart,
      end: bodyEnd,
      // A block-bodied function must not return spawn's promise, or it is promise-returning again.
      text: ts.isArrowFunction(fn) ? `${spawn}(async () => ${bodyText}, { name: ${name} })` : `{ ${spawn}(async () => ${bodyText}, { name: ${name} })${semicolon} }`,
    },
  ];
}

function skipSpaces(text: string, position: number): number {
  let end = position;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  return end;
}

/** `on 'order.created'`, `subscribe`, `setInterval`. */
function dropperLabel(facts: FileFacts, floating: FloatingCallback): string {
  const ts = facts.ts;
  const first = floating.call.arguments?.[0];
  if (floating.dropperKind === 'event' && first && ts.isStringLiteralLike(first)) return `${floating.dropper} ${first.text}`;
  return floating.dropper;
}

/** The task's name in the runner's reports: the enclosing function, or the file at module scope. */
function taskName(facts: FileFacts, fn: ReturnType<FileFacts['enclosingFunction']>, detail?: string): string {
  let owner: string | undefined;
  for (let current = fn; current; current = facts.enclosingFunction(current)) {
    const name = facts.functionName(current);
    if (!name.startsWith('<')) {
      owner = name;
      break;
    }
  }
  const base = owner ?? path.basename(facts.sourceFile.fileName);
  return detail ? `${base}: ${detail}` : base;
}
