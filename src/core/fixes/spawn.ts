import path from 'node:path';
import { fileRole } from '../file-role.js';
import { skipOuterExpressions, type FileFacts } from '../facts.js';
import { codeStyle, planImport, RUNTIME_MODULE, stringLiteral } from './imports.js';
import type { Suggestion, TextEdit, TS } from '../types.js';
import type { FloatingCallback, FloatingPromise, FloatingStatement } from '../floating-promises.js';

/** Statement reasons whose promise `spawn` can take over as it is. */
const SPAWNABLE_REASONS = new Set(['promise', 'thenable', 'then-without-rejection-handler', 'void', 'promise-array']);
/** Callers that ignore a callback's promise; an executor's `resolve`/`reject` need a rewrite by hand. */
const WRAPPABLE_DROPPERS = new Set(['event', 'timer', 'observable', 'scheduler', 'iteration']);

/**
 * The fix of a floating promise where `await` is not possible (where it is, the rule offers
 * suggestions instead: awaiting changes the timing).
 *
 * - At the top level of a module (an entry point: `main();`), the crash it would have caused is
 *   kept: `await main()` where the module may await at its top level, else
 *   `runMain(() => main())`, which exits 1 when it fails whatever handles are open. In a package
 *   that may not depend on the runtime, `main().catch(...)` prints the error and exits 1.
 * - Anywhere else, the runtime's `spawn`: the task is tracked and its error reported exactly once
 *   (by default the process then exits 1, as the unhandled rejection would have made it).
 *
 * A fix that needs the runtime where `facts.runtimeDependency` is false becomes a suggestion.
 */
export function floatingFixes(
  facts: FileFacts,
  floating: FloatingPromise,
  options: { allowVoid: boolean },
): { fix?: TextEdit[]; suggestion?: Suggestion<'spawnWithRuntime' | 'spawnIfListenerDropped'> } {
  // Where `await` is possible the suggestions offer it (awaiting changes the timing). A listener
  // or timer callback registered from async code cannot be awaited: its wrap applies anywhere,
  // except `forEach(async …)`, which `await Promise.all(….map(…))` cures there.
  if (floating.inAsyncContext && (floating.kind === 'statement' || floating.dropperKind === 'iteration')) return {};
  if (floating.kind === 'statement' && floating.statement && isTopLevel(facts, floating.statement)) {
    const fix = entryPointFix(facts, floating);
    return fix ? { fix } : {};
  }
  if (floating.kind === 'statement' && options.allowVoid && fileRole(facts.sourceFile.fileName) === 'test') {
    const fix = testStatementFix(facts, floating);
    if (fix) return { fix };
  }
  const body = floating.kind === 'statement' ? statementEdits(facts, floating) : callbackEdits(facts, floating);
  if (!body) return {};
  const plan = planImport(facts, RUNTIME_MODULE, ['spawn']);
  const edits = [...plan.edits, ...body(plan.local.spawn!)];
  if (floating.kind === 'callback' && listenerMayBeAwaited(facts, floating)) return { suggestion: { messageId: 'spawnIfListenerDropped', edits } };
  return facts.runtimeDependency ? { fix: edits } : { suggestion: { messageId: 'spawnWithRuntime', edits } };
}

const EVENTS_MODULES = new Set(['events']);

/**
 * Without types, `x.on('push', async (e) => …)` is an emitter only by the method's name, and some
 * emitters await their handlers and report their failures (Probot's `app.on`, @octokit/webhooks):
 * wrapping the handler in `spawn` would turn a failure the emitter reported into a process exit.
 * So the wrap is an autofix only for a listener whose emitter is known to drop it: with types (the
 * detector already asked the listener's type; unless the method is `any`), `addEventListener` (an EventTarget ignores what its
 * listeners return), `process`, a name this file makes with `new EventEmitter()` or declares as an
 * `EventEmitter`, or `this` in a class that extends it. Elsewhere it is a suggestion.
 */
function listenerMayBeAwaited(facts: FileFacts, floating: FloatingCallback): boolean {
  const ts = facts.ts;
  if (floating.dropperKind !== 'event' || floating.dropper === 'addEventListener') return false;
  const callee = skipOuterExpressions(ts, floating.call.expression);
  // With types, the detector asked the listener's declared type; an `any` emitter (`app` an untyped
  // parameter of a JavaScript file) told it nothing, as without types.
  if (facts.types && !facts.types.isAnyOrUnknown(facts.types.typeAt(callee))) return false;
  if (!ts.isPropertyAccessExpression(callee) && !ts.isElementAccessExpression(callee)) return true;
  return !isKnownEmitter(facts, skipOuterExpressions(ts, callee.expression));
}

function isKnownEmitter(facts: FileFacts, receiver: TS.Expression): boolean {
  const ts = facts.ts;
  const isEventsExport = (expression: TS.Expression): boolean => {
    const ref = facts.resolve(expression);
    return ref?.kind === 'module' && EVENTS_MODULES.has(ref.module);
  };
  const ref = facts.resolve(receiver);
  if (ref?.kind === 'global' && ref.name === 'process' && ref.path.length === 0) return true;
  if (receiver.kind === ts.SyntaxKind.ThisKeyword) {
    for (let node: TS.Node | undefined = receiver.parent; node; node = node.parent) {
      if (ts.isClassLike(node)) return (node.heritageClauses ?? []).some((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword && clause.types.some((type) => isEventsExport(type.expression)));
    }
    return false;
  }
  if (!ts.isIdentifier(receiver)) return false;
  let known = false;
  const visit = (node: TS.Node): void => {
    if (known) return;
    if ((ts.isVariableDeclaration(node) || ts.isParameter(node)) && ts.isIdentifier(node.name) && node.name.text === receiver.text) {
      // `const bus = new EventEmitter()`, or declared as one: `bus: EventEmitter`.
      const init = node.initializer && skipOuterExpressions(ts, node.initializer);
      if (init && ts.isNewExpression(init) && isEventsExport(init.expression)) known = true;
      if (node.type && ts.isTypeReferenceNode(node.type) && ts.isIdentifier(node.type.typeName) && isEventsExport(node.type.typeName)) known = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  return known;
}

/** Reasons whose promise `void` marks as detached without changing what a rejection does. */
const VOIDABLE_REASONS = new Set(['promise', 'thenable', 'then-without-rejection-handler']);

/**
 * `command.send(message);` in a sync test body → `void command.send(message);`. A test runner
 * (vitest, jest, node:test, mocha) already reports an unhandled rejection as a failure, so the
 * test keeps exactly the behaviour it had, the intent is written down, and the test needs no
 * runtime dependency. `await` would change the timing the test checks (an assertion made while
 * the work is still pending), and `spawn` would add an import and a dependency for a failure the
 * runner reports either way (the runtime hands it to the runner's `unhandledRejection` listener).
 */
function testStatementFix(facts: FileFacts, floating: FloatingStatement): TextEdit[] | undefined {
  const ts = facts.ts;
  if (!floating.statement || !VOIDABLE_REASONS.has(floating.reason)) return undefined;
  if (skipOuterExpressions(ts, floating.discarded) !== skipOuterExpressions(ts, floating.node)) return undefined;
  return prefixEdits(ts, facts.sourceFile, floating.discarded, 'void');
}

/** Expressions that `await x` / `void x` can prefix without parentheses. */
function bindsTighterThanUnary(ts: FileFacts['ts'], expr: TS.Expression): boolean {
  return !(ts.isBinaryExpression(expr) || ts.isConditionalExpression(expr) || ts.isArrowFunction(expr) || ts.isYieldExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr));
}

/** `prefix expr`, or `prefix (expr)` where the operator would otherwise bind to a part of it. */
export function prefixEdits(ts: FileFacts['ts'], sourceFile: TS.SourceFile, expr: TS.Expression, prefix: string): TextEdit[] {
  const start = expr.getStart(sourceFile);
  if (bindsTighterThanUnary(ts, expr)) return [{ start, end: start, text: `${prefix} ` }];
  return [
    { start, end: start, text: `${prefix} (` },
    { start: expr.getEnd(), end: expr.getEnd(), text: ')' },
  ];
}

/** Not inside any function, class body or namespace: code that runs when the module is loaded. */
function isTopLevel(facts: FileFacts, statement: TS.Statement): boolean {
  const ts = facts.ts;
  for (let node: TS.Node | undefined = statement.parent; node; node = node.parent) {
    if (ts.isFunctionLike(node) || ts.isClassLike(node) || ts.isClassStaticBlockDeclaration(node) || ts.isModuleBlock(node)) return false;
  }
  return true;
}

/**
 * `main();` at the top of an entry module: it used to crash the process when it failed (an
 * unhandled rejection exits 1), and its fix must too.
 */
function entryPointFix(facts: FileFacts, floating: FloatingStatement): TextEdit[] | undefined {
  const ts = facts.ts;
  if (!SPAWNABLE_REASONS.has(floating.reason)) return undefined;
  const discarded = skipOuterExpressions(ts, floating.discarded);
  const task = ts.isVoidExpression(discarded) ? discarded.expression : discarded;
  if (skipOuterExpressions(ts, task) !== skipOuterExpressions(ts, floating.node)) return undefined;
  const sourceFile = facts.sourceFile;
  const start = floating.discarded.getStart(sourceFile);
  const end = floating.discarded.getEnd();
  const taskText = facts.text(task);
  const work = floating.reason === 'promise-array' ? `Promise.all(${taskText})` : taskText;
  if (topLevelAwaitAllowed(facts)) {
    // `await` binds tighter than binary operators: `await (a || b())`.
    const operand = floating.reason === 'promise-array' || bindsAsOperand(ts, task) ? work : `(${work})`;
    return [{ start, end, text: `await ${operand}` }];
  }
  if (facts.runtimeDependency) {
    const plan = planImport(facts, RUNTIME_MODULE, ['runMain']);
    return [...plan.edits, { start, end, text: `${plan.local.runMain!}(() => ${work})` }];
  }
  const style = codeStyle(facts);
  const semi = style.semicolon ? ';' : '';
  const promise =
    floating.reason === 'promise' || floating.reason === 'then-without-rejection-handler'
      ? bindsAsOperand(ts, task)
        ? work
        : `(${work})`
      : floating.reason === 'promise-array'
        ? work
        : `Promise.resolve(${work})`;
  const lineStart = sourceFile.text.lastIndexOf('\n', start - 1) + 1;
  const indent = /^[ \t]*/.exec(sourceFile.text.slice(lineStart, start))![0];
  const unit = style.indent;
  const nl = style.newline;
  return [{ start, end, text: `${promise}.catch((error) => {${nl}${indent}${unit}console.error(error)${semi}${nl}${indent}${unit}process.exit(1)${semi}${nl}${indent}})` }];
}

/** Whether `node` can stand as `await node` or `node.catch(...)` without parentheses. */
function bindsAsOperand(ts: FileFacts['ts'], node: TS.Expression): boolean {
  const expr = skipOuterExpressions(ts, node);
  return (
    ts.isCallExpression(expr) ||
    ts.isTaggedTemplateExpression(expr) ||
    ts.isIdentifier(expr) ||
    ts.isPropertyAccessExpression(expr) ||
    ts.isElementAccessExpression(expr) ||
    ts.isNewExpression(expr) ||
    ts.isParenthesizedExpression(node)
  );
}

/**
 * Whether the file's top level may `await`: an ES module emitted for a module kind and target
 * that allow it. Without the program's options, only an `.mjs` file is known to (Node runs it
 * as it is); anything else gets the form that works everywhere.
 */
function topLevelAwaitAllowed(facts: FileFacts): boolean {
  const ts = facts.ts;
  const file = facts.sourceFile;
  if (/\.c[jt]s$/.test(file.fileName)) return false;
  const options = facts.compilerOptions;
  if (!options) return /\.mjs$/.test(file.fileName);
  if (options.target === undefined || options.target < ts.ScriptTarget.ES2017 || options.module === undefined) return false;
  if (options.module >= ts.ModuleKind.Node16 && options.module <= ts.ModuleKind.NodeNext) {
    const format = file.impliedNodeFormat ?? ts.getImpliedNodeFormatForFile(file.fileName, undefined, ts.sys, options);
    return format === ts.ModuleKind.ESNext;
  }
  const esm = [ts.ModuleKind.ES2022, ts.ModuleKind.ESNext, ts.ModuleKind.System, ts.ModuleKind.Preserve].includes(options.module);
  return esm && ts.isExternalModule(file);
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
      text: `${spawn}(${floating.reason === 'promise-array' ? `Promise.all(${taskText})` : taskText}, ${nameOption(facts, name)})`,
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
  const style = codeStyle(facts);
  const name = nameOption(facts, taskName(facts, facts.enclosingFunction(fn), dropperLabel(facts, floating)));
  const semicolon = style.semicolon ? ';' : '';
  // A block-bodied function must not return spawn's promise, or it is promise-returning again:
  // its body becomes one statement, a level deeper (`function () {\n  spawn(async () => {\n    …`).
  const blockText = (spawn: string): string => {
    const multiline = /\n/.test(bodyText) && ts.isBlock(fn.body!);
    if (!multiline) return `{ ${spawn}(async () => ${bodyText}, ${name})${semicolon} }`;
    const indent = lineIndent(text, fn.body.getStart(sourceFile));
    const deeper = indentBlock(facts, fn.body, style.indent);
    return `{${style.newline}${indent}${style.indent}${spawn}(async () => ${deeper}, ${name})${semicolon}${style.newline}${indent}}`;
  };
  return (spawn) => [
    removeAsync,
    ...removeReturnType,
    {
      start: bodyStart,
      end: bodyEnd,
      text: ts.isArrowFunction(fn) ? `${spawn}(async () => ${bodyText}, ${name})` : blockText(spawn),
    },
  ];
}

/** `{ name: 'x' }`, or `{name: 'x'}` in a file that writes braces without spaces. */
function nameOption(facts: FileFacts, name: string): string {
  const style = codeStyle(facts);
  const pad = style.bracketSpacing ? ' ' : '';
  return `{${pad}name: ${stringLiteral(style, name)}${pad}}`;
}

/** The whitespace that starts the line `position` is on. */
function lineIndent(text: string, position: number): string {
  const lineStart = text.lastIndexOf('\n', position - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** A block's text with each of its lines one `unit` deeper, except lines inside string or template literals. */
function indentBlock(facts: FileFacts, block: TS.Block, unit: string): string {
  const ts = facts.ts;
  const sourceFile = facts.sourceFile;
  const start = block.getStart(sourceFile);
  const literals: { start: number; end: number }[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isTemplateExpression(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isStringLiteral(node)) literals.push({ start: node.getStart(sourceFile), end: node.getEnd() });
    ts.forEachChild(node, visit);
  };
  visit(block);
  const text = facts.text(block);
  let out = '';
  for (let i = 0; i < text.length; i++) {
    out += text[i]!;
    if (text[i] !== '\n') continue;
    const at = start + i + 1;
    const rest = text.slice(i + 1, text.indexOf('\n', i + 1) < 0 ? undefined : text.indexOf('\n', i + 1));
    if (rest.trim() === '' || literals.some((literal) => literal.start < at && at < literal.end)) continue;
    out += unit;
  }
  return out;
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
