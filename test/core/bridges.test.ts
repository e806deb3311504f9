import * as ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { blockingCallKind, bridgedBindings, bridgeSites, isDeferredFunction, launchesNode } from '../../src/core/bridges.js';
import { functionLocals } from '../../src/core/scope.js';
import { FileFacts } from '../../src/core/facts.js';
import type { TS } from '../../src/core/types.js';

function factsOf(code: string, fileName = '/project/src/service.ts'): FileFacts {
  const sourceFile = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  return FileFacts.of({ ts, sourceFile });
}

function nodes<T extends TS.Node>(facts: FileFacts, test: (node: TS.Node) => node is T): T[] {
  const found: T[] = [];
  const visit = (node: TS.Node): void => {
    if (test(node)) found.push(node);
    ts.forEachChild(node, visit);
  };
  visit(facts.sourceFile);
  return found;
}

function callKinds(code: string, fileName?: string): Record<string, string | undefined> {
  const facts = factsOf(code, fileName);
  return Object.fromEntries(nodes(facts, ts.isCallExpression).map((call) => [facts.text(call), blockingCallKind(facts, call)]));
}

describe('blockingCallKind', () => {
  it('recognises wait.for and a fibers future waited on', () => {
    const kinds = callKinds(`
      const wait = require('wait.for');
      const Future = require('fibers/future');
      wait.for(fs.readFile, 'a');
      Future.fromPromise(load()).wait();
    `);
    expect(kinds["wait.for(fs.readFile, 'a')"]).toBe('fibers');
    expect(kinds['Future.fromPromise(load()).wait()']).toBe('fibers');
    expect(kinds['load()']).toBeUndefined();
  });

  it('follows a runner kept in a variable or a private field', () => {
    const kinds = callKinds(`
      import { getRunner, Runner } from '@loop-audit/runtime';
      const runner = getRunner();
      const render = runner.defineSync('./render.js', 'render');
      class Pages {
        #runner = new Runner();
        #hash = this.#runner.syncFunction(async (s: string) => s.length);
        page() { return render(this.#hash('x')); }
      }
    `);
    expect(kinds["render(this.#hash('x'))"]).toBe('runner');
    expect(kinds["this.#hash('x')"]).toBe('runner');
  });

  it('keeps Atomics.wait legal in worker files only', () => {
    const code = 'Atomics.wait(lock, 0, 0);';
    expect(callKinds(code)[code.slice(0, -1)]).toBe('atomics-wait');
    expect(callKinds(code, '/project/src/sleep.worker.ts')[code.slice(0, -1)]).toBeUndefined();
  });
});

describe('bridgedBindings', () => {
  it('binds class fields, private ones included', () => {
    const facts = factsOf(`
      import { createSyncFn } from 'synckit';
      class Cache { #load = createSyncFn('./load.js'); fetch = createSyncFn('./fetch.js'); }
    `);
    expect([...bridgedBindings(facts)]).toEqual([
      ['#load', 'synckit'],
      ['fetch', 'synckit'],
    ]);
  });
});

describe('launchesNode', () => {
  const firstArgument = (code: string): { facts: FileFacts; argument: TS.Expression } => {
    const facts = factsOf(code);
    return { facts, argument: nodes(facts, ts.isCallExpression)[0]!.arguments[0]! };
  };
  it.each([
    ['execSync(`"${process.execPath}" -e "1"`)', true],
    ["import proc from 'node:process'; execFileSync(proc.execPath, [])", true],
    ["execSync('/usr/local/bin/node --eval 1')", true],
    ["execSync('nodemon app.js')", false],
    ["execSync('git describe')", false],
  ])('%s → %s', (code, expected) => {
    const { facts, argument } = firstArgument(code);
    expect(launchesNode(facts, argument, true)).toBe(expected);
  });
});

describe('isDeferredFunction and functionLocals', () => {
  it('tells promise reactions and timers from synchronous callbacks', () => {
    const facts = factsOf(`
      p.then(function onValue() {});
      setTimeout(function onTimer() {}, 1);
      process.nextTick(function onTick() {});
      items.forEach(function onItem() {});
      async function work() {}
    `);
    const byName = Object.fromEntries(
      nodes(facts, (n): n is TS.FunctionExpression | TS.FunctionDeclaration => ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n)).map((fn) => [fn.name!.text, isDeferredFunction(facts, fn)]),
    );
    expect(byName).toEqual({ onValue: true, onTimer: true, onTick: true, onItem: false, work: true });
  });

  it('collects a function’s own declarations, not its inner functions’', () => {
    const facts = factsOf(`
      function handler(req, { user }) {
        const pool = 1;
        function inner() { let hidden; }
        try {} catch (error) {}
      }
    `);
    const handler = nodes(facts, ts.isFunctionDeclaration).find((fn) => fn.name?.text === 'handler')!;
    expect([...functionLocals(facts, handler)].sort()).toEqual(['error', 'inner', 'pool', 'req', 'user']);
  });
});

describe('bridgeSites', () => {
  it('lists every bridge once, in source order, with its reported range', () => {
    const code = `import deasync from 'deasync';
const read = deasync(readFile);
export function sync(p: Promise<number>) {
  let done = false;
  p.then(() => { done = true; });
  while (!done) {}
  return read('x');
}
export function broken(p: Promise<number>) {
  let value;
  p.then((v) => { value = v; });
  return value;
}`;
    const facts = factsOf(code);
    const sites = bridgeSites(facts).map((site) => ({ kind: site.kind, factory: site.factory, label: site.label, text: code.slice(site.start, site.end) }));
    expect(sites).toEqual([
      { kind: 'deasync', factory: true, label: 'deasync', text: 'deasync(readFile)' },
      { kind: 'busy-wait', factory: false, label: 'done', text: 'while (!done)' },
      { kind: 'deasync', factory: false, label: 'read', text: "read('x')" },
      { kind: 'pseudo-bridge', factory: false, label: 'value', text: 'return value;' },
    ]);
  });
});
