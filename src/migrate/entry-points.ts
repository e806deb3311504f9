import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FileFacts, skipOuterExpressions } from '../core/facts.js';
import type { TS, TypeScriptApi } from '../core/types.js';
import { isFunctionNode, resolveAlias } from './ast.js';
import type { MigrationProject } from './project.js';
import type { RefusalKind } from './types.js';

/**
 * Where propagation stops: an API that calls the function and handles the promise it returns
 * (once made async, and for node:http once its rejection is routed to a 500 and the runner).
 */
export type EntryKind = 'commander' | 'test' | 'http' | 'express' | 'fastify' | 'koa' | 'promise';

export type Consumer = { entry: EntryKind; call: TS.CallExpression; express4?: boolean } | { refusal: RefusalKind; message: string };

const TEST_BODIES = new Set(['it', 'test', 'beforeEach', 'afterEach', 'beforeAll', 'afterAll', 'before', 'after']);
const SUITES = new Set(['describe', 'suite', 'context']);
const TEST_MODULES = new Set(['vitest', '@jest/globals', 'test', 'mocha', 'bun:test']);
const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'all', 'use', 'options', 'head']);
const FASTIFY_METHODS = new Set([...ROUTE_METHODS, 'addHook', 'register']);
const HTTP_MODULES = new Set(['http', 'https', 'http2']);
const PROMISE_METHODS = new Set(['then', 'catch', 'finally']);
const EVENT_METHODS = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'addEventListener']);
const TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask']);
const ARRAY_CALLBACKS: ReadonlyMap<string, string> = new Map([
  ['forEach', 'Array.prototype.forEach ignores the promise its callback returns: use `for … of` with `await` by hand'],
  ['map', 'Array.prototype.map would return an array of promises: rewrite as `await Promise.all(xs.map(async …))` by hand'],
  ['flatMap', 'Array.prototype.flatMap would return an array of promises'],
  ['filter', 'Array.prototype.filter would treat every promise as true'],
  ['find', 'Array.prototype.find would treat every promise as true'],
  ['findIndex', 'Array.prototype.findIndex would treat every promise as true'],
  ['findLast', 'Array.prototype.findLast would treat every promise as true'],
  ['findLastIndex', 'Array.prototype.findLastIndex would treat every promise as true'],
  ['some', 'Array.prototype.some would treat every promise as true'],
  ['every', 'Array.prototype.every would treat every promise as true'],
  ['reduce', 'Array.prototype.reduce would pass promises as the accumulator'],
  ['reduceRight', 'Array.prototype.reduceRight would pass promises as the accumulator'],
  ['sort', 'an Array.prototype.sort comparator must return a number, not a promise'],
  ['toSorted', 'an Array.prototype.toSorted comparator must return a number, not a promise'],
]);

export function factsOf(project: MigrationProject, sourceFile: TS.SourceFile): FileFacts {
  return FileFacts.of({ ts: project.ts, sourceFile, checker: project.checker });
}

/** `express-serve-static-core` → `express`: the package a declaration file belongs to, for the APIs recognised here. */
function packageOfFile(fileName: string): string | undefined {
  const normalized = fileName.split(path.sep).join('/');
  const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(normalized);
  if (!match) return undefined;
  let pkg = match[1]!;
  if (pkg === '@types/node') {
    const base = path.posix.basename(match[2]!).replace(/\.d\.ts$/, '');
    return base;
  }
  if (pkg.startsWith('@types/')) pkg = pkg.slice(7).replace(/^(.*)__(.*)$/, '@$1/$2');
  if (pkg === 'express-serve-static-core') return 'express';
  return pkg;
}

/** The package an expression's value comes from: by how it was made (`express()`, `new Command()`), else by its type. */
export function originOf(project: MigrationProject, expression: TS.Expression, depth = 0): string | undefined {
  const { ts, checker } = project;
  const expr = skipOuterExpressions(ts, expression);
  const facts = factsOf(project, expr.getSourceFile());
  if (depth < 8) {
    if (ts.isCallExpression(expr) || ts.isNewExpression(expr)) {
      const ref = facts.resolve(expr.expression);
      if (ref?.kind === 'module') return ref.module;
      const callee = skipOuterExpressions(ts, expr.expression);
      // A chain (`router.route('/x')`, `program.command('x')`) comes from where its receiver does.
      if (ts.isCallExpression(expr) && ts.isPropertyAccessExpression(callee)) {
        const fromReceiver = originOf(project, callee.expression, depth + 1);
        if (fromReceiver) return fromReceiver;
      }
    } else if (ts.isIdentifier(expr)) {
      const ref = facts.resolve(expr);
      if (ref?.kind === 'module') return ref.module;
      const symbol = checker.getSymbolAtLocation(expr);
      const declaration = symbol?.valueDeclaration;
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
        const fromInitializer = originOf(project, declaration.initializer, depth + 1);
        if (fromInitializer) return fromInitializer;
      }
    }
  }
  const type = checker.getTypeAtLocation(expr);
  for (const symbol of [type.getSymbol(), type.aliasSymbol]) {
    for (const declaration of symbol?.declarations ?? []) {
      const pkg = packageOfFile(declaration.getSourceFile().fileName);
      if (pkg) return pkg;
    }
  }
  return undefined;
}

const expressMajors = new Map<string, number | undefined>();

/** The major version of express the file's nearest package.json asks for (undefined when it does not say). */
function expressMajor(fileName: string): number | undefined {
  for (let dir = path.dirname(fileName); ;) {
    if (expressMajors.has(dir)) return expressMajors.get(dir);
    let found: number | undefined;
    let text: string | undefined;
    try {
      text = readFileSync(path.join(dir, 'package.json'), 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      try {
        const pkg = JSON.parse(text) as Record<string, Record<string, string> | undefined>;
        const range = pkg.dependencies?.express ?? pkg.devDependencies?.express ?? pkg.peerDependencies?.express;
        const major = range !== undefined ? /(\d+)/.exec(range)?.[1] : undefined;
        found = major !== undefined ? Number(major) : undefined;
      } catch {
        found = undefined;
      }
      expressMajors.set(dir, found);
      return found;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function calleeName(ts: TypeScriptApi, callee: TS.Expression): string | undefined {
  const expr = skipOuterExpressions(ts, callee);
  if (ts.isIdentifier(expr)) return expr.text;
  if (ts.isPropertyAccessExpression(expr)) return expr.name.text;
  return undefined;
}

/** `it`, `it.only`, `test.each(table)`, `describe.skip`: the test API's base name and where it comes from. */
function testApi(project: MigrationProject, callee: TS.Expression): { name: string; known: boolean } | undefined {
  const { ts } = project;
  let expr = skipOuterExpressions(ts, callee);
  for (let i = 0; i < 4; i++) {
    if (ts.isCallExpression(expr)) expr = skipOuterExpressions(ts, expr.expression);
    else if (ts.isPropertyAccessExpression(expr) && !TEST_BODIES.has(expr.name.text) && !SUITES.has(expr.name.text)) expr = skipOuterExpressions(ts, expr.expression);
    else break;
  }
  if (ts.isPropertyAccessExpression(expr)) {
    // node:test's `t.test('sub', fn)` on the test context.
    const name = expr.name.text;
    if (name === 'test' && originOf(project, expr.expression) === 'test') return { name, known: true };
    return undefined;
  }
  if (!ts.isIdentifier(expr) || (!TEST_BODIES.has(expr.text) && !SUITES.has(expr.text))) return undefined;
  const facts = factsOf(project, expr.getSourceFile());
  const ref = facts.resolve(expr);
  if (ref?.kind === 'module') return TEST_MODULES.has(ref.module) ? { name: expr.text, known: true } : undefined;
  // A global (`vitest --globals`, jest, mocha): not declared in the file.
  return facts.declaredNames.has(expr.text) ? undefined : { name: expr.text, known: true };
}

/**
 * What happens to a function handed to `call` at `argument`: an entry point that handles the
 * promise once the function is async, or a refusal saying why it would be dropped.
 */
/** A call that hands a callback to an array method (`map`, `forEach`, `sort`…), which uses or orders what it returns. */
export function isArrayCallback(ts: TypeScriptApi, call: TS.CallExpression | TS.NewExpression): boolean {
  const callee = skipOuterExpressions(ts, call.expression);
  return ts.isPropertyAccessExpression(callee) && ARRAY_CALLBACKS.has(callee.name.text);
}

export function classifyConsumer(project: MigrationProject, call: TS.CallExpression | TS.NewExpression, fn: TS.Node | undefined): Consumer {
  const { ts } = project;
  const callee = skipOuterExpressions(ts, call.expression);
  const text = callee.getText().replace(/\s+/g, ' ');
  if (ts.isNewExpression(call)) {
    if (ts.isIdentifier(callee) && callee.text === 'Promise') return { refusal: 'executor', message: 'a Promise executor must stay synchronous (an async executor loses its rejections)' };
    return { refusal: 'callback', message: `it is handed to \`new ${text}(…)\`, which may ignore the promise it returns` };
  }
  const name = calleeName(ts, callee);
  const facts = factsOf(project, call.getSourceFile());
  const ref = facts.resolve(callee);

  const test = testApi(project, callee);
  if (test) {
    if (SUITES.has(test.name)) return { refusal: 'describe', message: `\`${text}\` collects tests synchronously: a describe block cannot be async; move the awaited work into its tests or hooks` };
    const params = fn && isFunctionNode(ts, fn) ? fn.parameters : undefined;
    const usesDone = params?.some((p) => ts.isIdentifier(p.name) && /^(?:done|cb|callback|next)$/.test(p.name.text));
    if (usesDone) return { refusal: 'done-callback', message: `the test body takes a \`done\` callback: an async body must not, convert it by hand` };
    return { entry: 'test', call };
  }

  if (ref?.kind === 'module' && HTTP_MODULES.has(ref.module) && (ref.path[0] === 'createServer' || ref.path[0] === 'createSecureServer')) return { entry: 'http', call };
  if (ts.isPropertyAccessExpression(callee) && name !== undefined) {
    const receiver = callee.expression;
    if (EVENT_METHODS.has(name)) {
      const event = call.arguments[0];
      if (event && ts.isStringLiteralLike(event) && event.text === 'request' && HTTP_MODULES.has(originOf(project, receiver) ?? '')) return { entry: 'http', call };
      return { refusal: 'callback', message: `event emitters ignore the promise a listener returns (\`${text}\`): let the listener stay sync and hand its work to spawn(), or run \`loop-audit fix\`` };
    }
    if (PROMISE_METHODS.has(name)) return { entry: 'promise', call };
    if (name === 'action' && originOf(project, receiver) === 'commander') return { entry: 'commander', call };
    const origin = ROUTE_METHODS.has(name) || FASTIFY_METHODS.has(name) || name === 'route' ? originOf(project, receiver) : undefined;
    if (origin === 'express' && ROUTE_METHODS.has(name)) {
      const major = expressMajor(call.getSourceFile().fileName);
      return { entry: 'express', call, express4: major === undefined || major < 5 };
    }
    if (origin === 'fastify' && FASTIFY_METHODS.has(name)) return { entry: 'fastify', call };
    if ((origin === 'koa' || origin === '@koa/router' || origin === 'koa-router') && ROUTE_METHODS.has(name)) return { entry: 'koa', call };
    const array = ARRAY_CALLBACKS.get(name);
    if (array) return { refusal: 'callback', message: array };
    if (name === 'nextTick') return { refusal: 'callback', message: 'process.nextTick ignores the promise its callback returns' };
  }
  if (ts.isIdentifier(callee) && callee.text === 'expect') {
    return { refusal: 'callback', message: 'this `expect(() => …)` assertion calls the function and checks it synchronously: rewrite it as `await expect(promise).resolves…` or `.rejects…` by hand' };
  }
  if (name !== undefined && TIMERS.has(name))
    return { refusal: 'callback', message: `${name} ignores the promise its callback returns: keep the callback sync and hand the work to spawn(), or run \`loop-audit fix\`` };
  return { refusal: 'callback', message: `it is handed to \`${text}(…)\`, which may ignore the promise it returns` };
}

/** The program a commander `.action(...)` belongs to: the expression that created it (`new Command()`, commander's `program`). */
export interface ProgramOrigin {
  /** `new Command(...)`/`createCommand(...)`, or commander's own `program` export (`global`). */
  creation: TS.Expression | 'global';
  key: string;
}

export function programOf(project: MigrationProject, actionCall: TS.CallExpression): ProgramOrigin | { refusal: string } {
  const { ts } = project;
  const callee = skipOuterExpressions(ts, actionCall.expression) as TS.PropertyAccessExpression;
  const found = new Map<string, ProgramOrigin>();
  const problems: string[] = [];
  const trace = (expression: TS.Expression, depth: number): void => {
    const expr = skipOuterExpressions(ts, expression);
    if (depth > 12) return void problems.push('the program is built too indirectly');
    const facts = factsOf(project, expr.getSourceFile());
    if (ts.isNewExpression(expr) || (ts.isCallExpression(expr) && facts.refersTo(expr.expression, 'commander', 'createCommand'))) {
      const ref = facts.resolve(expr.expression);
      if (ref?.kind === 'module' && ref.module === 'commander') {
        found.set(`${expr.getSourceFile().fileName}:${expr.getStart()}`, { creation: expr, key: `${expr.getSourceFile().fileName}:${expr.getStart()}` });
        return;
      }
    }
    if (ts.isCallExpression(expr)) {
      const inner = skipOuterExpressions(ts, expr.expression);
      if (ts.isPropertyAccessExpression(inner)) return trace(inner.expression, depth + 1);
      const target = resolveAlias(ts, project.checker, project.checker.getSymbolAtLocation(inner))?.valueDeclaration;
      const fn = target && ts.isVariableDeclaration(target) && target.initializer ? skipOuterExpressions(ts, target.initializer) : target;
      if (fn && (ts.isFunctionDeclaration(fn) || ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && fn.body) {
        for (const returned of returnedExpressions(ts, fn)) trace(returned, depth + 1);
        return;
      }
      return void problems.push(`the program comes from \`${inner.getText()}(…)\``);
    }
    if (ts.isIdentifier(expr)) {
      const ref = facts.resolve(expr);
      if (ref?.kind === 'module' && ref.module === 'commander' && ref.path[0] === 'program') {
        found.set('commander:program', { creation: 'global', key: 'commander:program' });
        return;
      }
      const declaration = project.checker.getSymbolAtLocation(expr)?.valueDeclaration;
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) return trace(declaration.initializer, depth + 1);
      if (declaration && ts.isParameter(declaration)) return void problems.push(`the program is the parameter \`${expr.text}\``);
    }
    problems.push(`cannot tell where \`${expr.getText()}\` comes from`);
  };
  trace(callee.expression, 0);
  if (problems.length > 0 || found.size !== 1) {
    return { refusal: problems[0] ?? (found.size > 1 ? 'the action belongs to more than one program' : 'cannot find the program the action belongs to') };
  }
  return [...found.values()][0]!;
}

export function returnedExpressions(ts: TypeScriptApi, fn: TS.FunctionDeclaration | TS.ArrowFunction | TS.FunctionExpression | TS.MethodDeclaration): TS.Expression[] {
  if (!fn.body) return [];
  if (!ts.isBlock(fn.body)) return [fn.body];
  const found: TS.Expression[] = [];
  const visit = (node: TS.Node): void => {
    if (isFunctionNode(ts, node) || ts.isClassLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression) found.push(node.expression);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(fn.body, visit);
  return found;
}
