import path from 'node:path';
import noFloatingPromise from '../../rules/no-floating-promise.js';
import { espreeTester, repoRoot, typedFile, typedFixtureRoot, typedTester, untypedTester } from '../support/rule-tester.js';

/** A file inside the seed-004 fixture, so relative imports resolve to its real modules on disk. */
const fixtureFile = path.join(repoRoot, 'fixtures/floating-promise/src/feature.ts');
/** A test file by its name (no file on disk is needed: its role comes from the path). */
const testFile = path.join(repoRoot, 'fixtures/floating-promise/src/orders.test.ts');

/**
 * @typescript-eslint/rule-tester 8.72 carries its own nested @typescript-eslint/utils, whose
 * RuleModule type is nominally distinct from the 8.73 one the rule is built with (same shape).
 */
const rule = noFloatingPromise as unknown as Parameters<typeof untypedTester.run>[1];

/** RuleTester resolves a typed case's filename against the fixture's tsconfigRootDir. */
const typedFileName = path.relative(typedFixtureRoot, typedFile);

const voidSuggestion = (output: string) => ({ messageId: 'addVoid' as const, output });
const awaitSuggestion = (output: string) => ({ messageId: 'addAwait' as const, output });
const awaitAllSuggestion = (output: string) => ({ messageId: 'awaitAll' as const, output });

untypedTester.run('no-floating-promise (untyped)', rule, {
  valid: [
    // awaited, returned, handled
    'async function load() { return 1 }\nasync function main() { await load(); }',
    'async function load() { return 1 }\nfunction main() { return load(); }',
    'async function load() { return 1 }\nload().catch((error) => console.error(error));',
    'async function load() { return 1 }\nload().then((value) => console.log(value), (error) => console.error(error));',
    'async function load() { return 1 }\nload().then((value) => console.log(value)).catch(console.error);',
    'async function load() { return 1 }\nload().catch(console.error).finally(() => console.log("done"));',
    'async function a() {}\nasync function b() {}\nasync function main() { await Promise.all([a(), b()]); }',
    'async function save(x: number) {}\nasync function main(items: number[]) { await Promise.all(items.map(async (x) => save(x))); }',
    // assigned: someone holds the promise
    'async function load() { return 1 }\nconst pending = load();',
    'async function load() { return 1 }\nclass Cache { value?: Promise<number>; warm() { this.value = load(); } }',
    // `void` is an explicit opt-out by default
    'async function load() { return 1 }\nvoid load();',
    // not promises at all
    'function save() { return 1 }\nsave();',
    'const items = [1, 2];\nitems.forEach((item) => console.log(item));',
    'setTimeout(() => console.log("tick"), 10);',
    'emitter.on("order", (order) => { save(order).catch(console.error); });\nasync function save(order: unknown) {}',
    'source.subscribe((event) => console.log(event));',
    // tasks collected, then awaited
    'async function save(x: number) {}\nasync function main(items: number[]) { const tasks = items.map(async (x) => save(x)); await Promise.all(tasks); }',
    // Cypress chains are queued commands, not promises
    'cy.get(".order").then(($row) => $row.click());',
    // Bottleneck's schedule(options, task) awaits its task; only cron-style schedule(expression, task) drops it
    'limiter.schedule({ priority: 1 }, async () => fetch("/orders"));',
    // a `tap` that is not RxJS's and not inside a pipe
    'import { tap } from "./test-helpers.js";\ntap(async () => {});',
    // `events.once(emitter, name)` is itself the promise, awaited here
    'import { once } from "node:events";\nasync function ready(emitter: unknown) { await once(emitter, "ready"); }',
    // an async IIFE with a handler
    '(async () => { await fetch("/health"); })().catch((error) => console.error(error));',
    {
      code: 'setInterval(async () => { await fetch("/poll"); }, 1000);',
      options: [{ checkCallbacks: false }],
    },
    {
      code: 'bus.on("order", async (order) => { await fetch(order.url); });',
      options: [{ allowForKnownSafeCalls: ['bus.on'] }],
    },
    {
      code: 'async function track() {}\ntelemetry.track();\ntrack();',
      options: [{ allowForKnownSafeCalls: ['track'] }],
    },
  ],
  invalid: [
    {
      code: 'async function load() { return 1 }\nfunction main() {\n  load();\n}',
      output: `import { spawn } from '@loop-audit/runtime';

async function load() { return 1 }
function main() {
  spawn(load(), { name: 'main' });
}`,
      errors: [
        {
          messageId: 'floating',
          data: { what: '`load()`', where: 'in `main`' },
          line: 3,
          suggestions: [voidSuggestion('async function load() { return 1 }\nfunction main() {\n  void load();\n}')],
        },
      ],
    },
    {
      code: 'async function load() { return 1 }\nasync function main() {\n  load();\n}',
      errors: [
        {
          messageId: 'floating',
          data: { what: '`load()`', where: 'in `main`' },
          line: 3,
          suggestions: [
            awaitSuggestion('async function load() { return 1 }\nasync function main() {\n  await load();\n}'),
            voidSuggestion('async function load() { return 1 }\nasync function main() {\n  void load();\n}'),
          ],
        },
      ],
    },
    {
      code: 'class Reconciler {\n  async project(e: unknown) {}\n  onNext(e: unknown) {\n    this.project(e);\n  }\n}',
      output: `import { spawn } from '@loop-audit/runtime';

class Reconciler {
  async project(e: unknown) {}
  onNext(e: unknown) {
    spawn(this.project(e), { name: 'Reconciler.onNext' });
  }
}`,
      errors: [
        {
          messageId: 'floating',
          data: { what: '`this.project(…)`', where: 'in `Reconciler.onNext`' },
          line: 4,
          suggestions: [voidSuggestion('class Reconciler {\n  async project(e: unknown) {}\n  onNext(e: unknown) {\n    void this.project(e);\n  }\n}')],
        },
      ],
    },
    {
      // without types, `.then(onFulfilled)` is a promise chain whatever its receiver
      code: 'client.query("select 1").then((rows) => console.log(rows));',
      output: `import { runMain } from "@loop-audit/runtime";

runMain(() => client.query("select 1").then((rows) => console.log(rows)));`,
      errors: [
        {
          messageId: 'floatingThen',
          data: { what: '`client.query(…).then(…)`', where: 'at module scope' },
          suggestions: [voidSuggestion('void client.query("select 1").then((rows) => console.log(rows));')],
        },
      ],
    },
    {
      code: 'async function load() { return 1 }\nload().catch();',
      output: `import { runMain } from '@loop-audit/runtime';

async function load() { return 1 }
runMain(() => load().catch());`,
      errors: [
        { messageId: 'floating', data: { what: '`load().catch()`', where: 'at module scope' }, line: 2, suggestions: [voidSuggestion('async function load() { return 1 }\nvoid load().catch();')] },
      ],
    },
    {
      code: 'async function load() { return 1 }\nload().then(console.log, undefined);',
      errors: [
        {
          messageId: 'nonFunctionHandler',
          data: { what: '`load().then(…)`', where: 'at module scope' },
          suggestions: [voidSuggestion('async function load() { return 1 }\nvoid load().then(console.log, undefined);')],
        },
      ],
    },
    {
      // `.finally` passes the rejection on
      code: 'async function load() { return 1 }\nload().finally(() => console.log("done"));',
      errors: [
        {
          messageId: 'floating',
          data: { what: '`load()`', where: 'at module scope' },
          suggestions: [voidSuggestion('async function load() { return 1 }\nvoid load().finally(() => console.log("done"));')],
        },
      ],
    },
    {
      // an arrow bound once to a const hands back the promise its body makes
      code: 'async function load() { return 1 }\nconst refresh = () => load();\nrefresh();',
      output: `import { runMain } from '@loop-audit/runtime';

async function load() { return 1 }
const refresh = () => load();
runMain(() => refresh());`,
      errors: [
        {
          messageId: 'floating',
          data: { what: '`refresh()`', where: 'at module scope' },
          line: 3,
          suggestions: [voidSuggestion('async function load() { return 1 }\nconst refresh = () => load();\nvoid refresh();')],
        },
      ],
    },
    {
      // `await` is not allowed in a static block, even inside an async function: no addAwait
      code: 'async function load() { return 1 }\nasync function define() {\n  return class Cache {\n    static {\n      load();\n    }\n  };\n}',
      output: `import { spawn } from '@loop-audit/runtime';

async function load() { return 1 }
async function define() {
  return class Cache {
    static {
      spawn(load(), { name: 'define' });
    }
  };
}`,
      errors: [
        {
          messageId: 'floating',
          data: { what: '`load()`', where: 'in a static block of `Cache`' },
          line: 5,
          suggestions: [voidSuggestion('async function load() { return 1 }\nasync function define() {\n  return class Cache {\n    static {\n      void load();\n    }\n  };\n}')],
        },
      ],
    },
    {
      code: 'async function a() {}\nasync function b() {}\nasync function run(flag: boolean) {\n  flag ? a() : b();\n}',
      errors: [
        {
          messageId: 'floating',
          data: { what: '`b()`', where: 'in `run`' },
          line: 4,
          suggestions: [
            awaitSuggestion('async function a() {}\nasync function b() {}\nasync function run(flag: boolean) {\n  await (flag ? a() : b());\n}'),
            voidSuggestion('async function a() {}\nasync function b() {}\nasync function run(flag: boolean) {\n  void (flag ? a() : b());\n}'),
          ],
        },
      ],
    },
    {
      code: 'async function a() {}\nfunction run(flag: boolean) {\n  flag && a();\n}',
      errors: [{ messageId: 'floating', data: { what: '`a()`', where: 'in `run`' }, suggestions: [voidSuggestion('async function a() {}\nfunction run(flag: boolean) {\n  void (flag && a());\n}')] }],
    },
    {
      code: 'async function a() {}\nconsole.log("x"), a();',
      errors: [{ messageId: 'floating', data: { what: '`a()`', where: 'at module scope' }, suggestions: [voidSuggestion('async function a() {}\nvoid (console.log("x"), a());')] }],
    },
    {
      code: 'async function a() {}\nasync function b() {}\nasync function run() {\n  [a(), b()];\n}',
      errors: [
        {
          messageId: 'promiseArray',
          data: { what: '`[a(), b()]`', where: 'in `run`' },
          suggestions: [awaitAllSuggestion('async function a() {}\nasync function b() {}\nasync function run() {\n  await Promise.all([a(), b()]);\n}')],
        },
      ],
    },
    {
      code: 'async function save(x: number) {}\nfunction saveAll(items: number[]) {\n  items.map(async (x) => save(x));\n}',
      output: `import { spawn } from '@loop-audit/runtime';

async function save(x: number) {}
function saveAll(items: number[]) {
  spawn(Promise.all(items.map(async (x) => save(x))), { name: 'saveAll' });
}`,
      errors: [{ messageId: 'promiseArray', data: { what: '`items.map(…)`', where: 'in `saveAll`' } }],
    },
    {
      code: 'new Promise((resolve) => setTimeout(resolve, 10));',
      output: `import { runMain } from '@loop-audit/runtime';

runMain(() => new Promise((resolve) => setTimeout(resolve, 10)));`,
      errors: [
        {
          messageId: 'floating',
          data: { what: '`new Promise(…)`', where: 'at module scope' },
          suggestions: [voidSuggestion('void new Promise((resolve) => setTimeout(resolve, 10));')],
        },
      ],
    },
    {
      code: '(async () => {\n  await fetch("/warmup");\n})();',
      output: `import { runMain } from "@loop-audit/runtime";

runMain(() => (async () => {
  await fetch("/warmup");
})());`,
      errors: [
        {
          messageId: 'floating',
          data: { what: '`(async () => …)()`', where: 'at module scope' },
          line: 1,
          suggestions: [voidSuggestion('void (async () => {\n  await fetch("/warmup");\n})();')],
        },
      ],
    },
    {
      code: 'async function a() {}\nasync function b() {}\nPromise.all([a(), b()]);',
      output: `import { runMain } from '@loop-audit/runtime';

async function a() {}
async function b() {}
runMain(() => Promise.all([a(), b()]));`,
      errors: [
        {
          messageId: 'floating',
          data: { what: '`Promise.all(…)`', where: 'at module scope' },
          suggestions: [voidSuggestion('async function a() {}\nasync function b() {}\nvoid Promise.all([a(), b()]);')],
        },
      ],
    },
    {
      code: 'import { writeFile } from "node:fs/promises";\nexport function persist(text: string) {\n  writeFile("/tmp/state.json", text);\n}',
      output: `import { writeFile } from "node:fs/promises";
import { spawn } from "@loop-audit/runtime";
export function persist(text: string) {
  spawn(writeFile("/tmp/state.json", text), { name: "persist" });
}`,
      errors: [
        {
          messageId: 'floating',
          data: { what: '`writeFile(…)`', where: 'in `persist`' },
          suggestions: [voidSuggestion('import { writeFile } from "node:fs/promises";\nexport function persist(text: string) {\n  void writeFile("/tmp/state.json", text);\n}')],
        },
      ],
    },
    {
      code: 'async function load() { return 1 }\nconst pending = load();\npending;',
      output: `import { runMain } from '@loop-audit/runtime';

async function load() { return 1 }
const pending = load();
runMain(() => pending);`,
      errors: [
        {
          messageId: 'floating',
          data: { what: '`pending`', where: 'at module scope' },
          line: 3,
          suggestions: [voidSuggestion('async function load() { return 1 }\nconst pending = load();\nvoid pending;')],
        },
      ],
    },
    {
      // strict: `void` no longer counts as handled
      code: 'async function load() { return 1 }\nasync function main() {\n  void load();\n}',
      options: [{ allowVoid: false }],
      errors: [
        {
          messageId: 'voided',
          data: { what: '`load()`', where: 'in `main`' },
          suggestions: [awaitSuggestion('async function load() { return 1 }\nasync function main() {\n  await load();\n}')],
        },
      ],
    },
    {
      code: 'async function save() {}\nbutton.onclick = () => void save();',
      options: [{ allowVoid: false }],
      errors: [{ messageId: 'voided', data: { what: '`save()`', where: 'in `button.onclick`' }, line: 2, column: 24 }],
    },
    {
      code: 'async function save(x: number) {}\nasync function run() {\n  [1, 2, 3].forEach(async (x) => {\n    await save(x);\n  });\n}',
      errors: [
        {
          messageId: 'asyncCallback',
          data: { callback: 'An async callback', dropper: '`[1, 2, 3].forEach`', where: 'in `run`' },
          line: 3,
          column: 21,
          endColumn: 33,
          suggestions: [awaitAllSuggestion('async function save(x: number) {}\nasync function run() {\n  await Promise.all([1, 2, 3].map(async (x) => {\n    await save(x);\n  }));\n}')],
        },
      ],
    },
    {
      // the receiver may be a Map: no `.map` rewrite is offered
      code: 'async function save(x: number) {}\nasync function run(orders: Map<string, number>) {\n  orders.forEach(async (x) => save(x));\n}',
      errors: [{ messageId: 'asyncCallback', data: { callback: 'An async callback', dropper: '`orders.forEach`', where: 'in `run`' } }],
    },
    {
      code: 'import { EventEmitter } from "node:events";\nconst bus = new EventEmitter();\nbus.on("order", async (order) => {\n  await fetch(order.url);\n});',
      output: `import { EventEmitter } from "node:events";
import { spawn } from "@loop-audit/runtime";
const bus = new EventEmitter();
bus.on("order", (order) => spawn(async () => {
  await fetch(order.url);
}, { name: "file.ts: on order" }));`,
      errors: [{ messageId: 'asyncCallback', data: { callback: 'An async callback', dropper: '`bus.on`', where: 'at module scope' }, line: 3 }],
    },
    {
      // without types `app.on` is an emitter by its name only, and some await their handlers
      // (Probot): the wrap is offered, not applied
      code: 'export default (app: any) => {\n  app.on("issues.opened", async (context: any) => {\n    await context.reply();\n  });\n};',
      errors: [
        {
          messageId: 'asyncCallback',
          data: { callback: 'An async callback', dropper: '`app.on`', where: 'in an anonymous function' },
          line: 2,
          suggestions: [
            {
              messageId: 'spawnIfListenerDropped',
              output:
                'import { spawn } from "@loop-audit/runtime";\n\nexport default (app: any) => {\n  app.on("issues.opened", (context: any) => spawn(async () => {\n    await context.reply();\n  }, { name: "file.ts: on issues.opened" }));\n};',
            },
          ],
        },
      ],
    },
    {
      // ... but `process` and `this` in a class extending EventEmitter are known emitters: fixed
      code: 'import { EventEmitter } from "events";\nclass Watcher extends EventEmitter {\n  start() {\n    this.on("change", async () => { await sync(); });\n    process.on("SIGHUP", async () => { await sync(); });\n  }\n}',
      output: [
        'import { EventEmitter } from "events";\nimport { spawn } from "@loop-audit/runtime";\nclass Watcher extends EventEmitter {\n  start() {\n    this.on("change", () => spawn(async () => { await sync(); }, { name: "Watcher.start: on change" }));\n    process.on("SIGHUP", async () => { await sync(); });\n  }\n}',
        'import { EventEmitter } from "events";\nimport { spawn } from "@loop-audit/runtime";\nclass Watcher extends EventEmitter {\n  start() {\n    this.on("change", () => spawn(async () => { await sync(); }, { name: "Watcher.start: on change" }));\n    process.on("SIGHUP", () => spawn(async () => { await sync(); }, { name: "Watcher.start: on SIGHUP" }));\n  }\n}',
      ],
      errors: [
        { messageId: 'asyncCallback', line: 4 },
        { messageId: 'asyncCallback', line: 5 },
      ],
    },
    {
      code: 'window.addEventListener("load", async function boot() {\n  await fetch("/session");\n});',
      output: `import { spawn } from "@loop-audit/runtime";

window.addEventListener("load", function boot() {
  spawn(async () => {
    await fetch("/session");
  }, { name: "file.ts: addEventListener load" });
});`,
      errors: [{ messageId: 'asyncCallback', data: { callback: 'An async function `boot`', dropper: '`window.addEventListener`', where: 'at module scope' }, column: 33, endColumn: 54 }],
    },
    {
      code: 'async function poll() {}\nsetInterval(poll, 1000);\nsetTimeout(async () => { await poll(); }, 10);\nprocess.nextTick(async () => poll());',
      output: [
        `import { spawn } from '@loop-audit/runtime';

async function poll() {}
setInterval(poll, 1000);
setTimeout(() => spawn(async () => { await poll(); }, { name: 'file.ts: setTimeout' }), 10);
process.nextTick(async () => poll());`,
        `import { spawn } from '@loop-audit/runtime';

async function poll() {}
setInterval(poll, 1000);
setTimeout(() => spawn(async () => { await poll(); }, { name: 'file.ts: setTimeout' }), 10);
process.nextTick(() => spawn(async () => poll(), { name: 'file.ts: process.nextTick' }));`,
      ],
      errors: [
        { messageId: 'asyncCallback', data: { callback: 'Async function `poll`', dropper: '`setInterval`', where: 'at module scope' }, line: 2 },
        { messageId: 'asyncCallback', data: { callback: 'An async callback', dropper: '`setTimeout`', where: 'at module scope' }, line: 3 },
        { messageId: 'asyncCallback', data: { callback: 'An async callback', dropper: '`process.nextTick`', where: 'at module scope' }, line: 4 },
      ],
    },
    {
      // the seed's "fix": a task scheduled on the loop and never tracked
      code: 'class Reconciler {\n  async project(e: unknown) {}\n  onNext(e: unknown) {\n    queueMicrotask(() => this.project(e));\n  }\n}',
      errors: [{ messageId: 'asyncCallback', data: { callback: 'A promise-returning callback', dropper: '`queueMicrotask`', where: 'in `Reconciler.onNext`' }, line: 4 }],
    },
    {
      // seed 004 itself: the Rx subscription callback, registered from async code (where `await`
      // is no cure for a callback: it is wrapped all the same)
      code: 'class Reconciler {\n  async start(events: any, orders: any) {\n    this.sub = events.subscribe(async (e) => {\n      await orders.updateOne({ _id: e.id }, { $set: e });\n    });\n  }\n}',
      output:
        "import { spawn } from '@loop-audit/runtime';\n\nclass Reconciler {\n  async start(events: any, orders: any) {\n    this.sub = events.subscribe((e) => spawn(async () => {\n      await orders.updateOne({ _id: e.id }, { $set: e });\n    }, { name: 'Reconciler.start: subscribe' }));\n  }\n}",
      errors: [{ messageId: 'asyncCallback', data: { callback: 'An async callback', dropper: '`events.subscribe`', where: 'in `Reconciler.start`' }, line: 3 }],
    },
    {
      code: 'events.subscribe({\n  next: async (e) => { await project(e); },\n  async error(err) { await report(err); },\n});',
      output: [
        `import { spawn } from '@loop-audit/runtime';

events.subscribe({
  next: (e) => spawn(async () => { await project(e); }, { name: 'file.ts: subscribe' }),
  async error(err) { await report(err); },
});`,
        `import { spawn } from '@loop-audit/runtime';

events.subscribe({
  next: (e) => spawn(async () => { await project(e); }, { name: 'file.ts: subscribe' }),
  error(err) { spawn(async () => { await report(err); }, { name: 'file.ts: subscribe' }); },
});`,
      ],
      errors: [
        { messageId: 'asyncCallback', data: { callback: 'An async callback', dropper: '`events.subscribe`', where: 'at module scope' }, line: 2 },
        { messageId: 'asyncCallback', data: { callback: 'Async observer method `error`', dropper: '`events.subscribe`', where: 'at module scope' }, line: 3 },
      ],
    },
    {
      code: 'import { tap } from "rxjs";\nevents.pipe(tap(async (e) => { await audit(e); })).subscribe();\nevents.pipe(operators.tap(async (e) => audit(e)));',
      output: [
        `import { tap } from "rxjs";
import { spawn } from "@loop-audit/runtime";
events.pipe(tap((e) => spawn(async () => { await audit(e); }, { name: "file.ts: tap" }))).subscribe();
events.pipe(operators.tap(async (e) => audit(e)));`,
        `import { tap } from "rxjs";
import { spawn } from "@loop-audit/runtime";
events.pipe(tap((e) => spawn(async () => { await audit(e); }, { name: "file.ts: tap" }))).subscribe();
events.pipe(operators.tap((e) => spawn(async () => audit(e), { name: "file.ts: tap" })));`,
      ],
      errors: [
        { messageId: 'asyncCallback', data: { callback: 'An async callback', dropper: '`tap`', where: 'at module scope' }, line: 2 },
        { messageId: 'asyncCallback', data: { callback: 'An async callback', dropper: '`operators.tap`', where: 'at module scope' }, line: 3 },
      ],
    },
    {
      code: 'function read(path: string) {\n  return new Promise(async (resolve, reject) => {\n    resolve(await fetch(path));\n  });\n}',
      errors: [{ messageId: 'asyncExecutor', data: { where: 'in `read`' }, line: 2, column: 22 }],
    },
    {
      code: 'import cron from "node-cron";\nimport { CronJob } from "cron";\ncron.schedule("0 3 * * *", async () => { await compact(); });\nnew CronJob("0 4 * * *", async () => { await compact(); }).start();',
      output: [
        `import cron from "node-cron";
import { CronJob } from "cron";
import { spawn } from "@loop-audit/runtime";
cron.schedule("0 3 * * *", () => spawn(async () => { await compact(); }, { name: "file.ts: schedule" }));
new CronJob("0 4 * * *", async () => { await compact(); }).start();`,
        `import cron from "node-cron";
import { CronJob } from "cron";
import { spawn } from "@loop-audit/runtime";
cron.schedule("0 3 * * *", () => spawn(async () => { await compact(); }, { name: "file.ts: schedule" }));
new CronJob("0 4 * * *", () => spawn(async () => { await compact(); }, { name: "file.ts: CronJob" })).start();`,
      ],
      errors: [
        { messageId: 'asyncCallback', data: { callback: 'An async callback', dropper: '`cron.schedule`', where: 'at module scope' }, line: 3 },
        { messageId: 'asyncCallback', data: { callback: 'An async callback', dropper: '`new CronJob`', where: 'at module scope' }, line: 4 },
      ],
    },
    {
      code: 'class AuditTrail {\n  constructor(bus: any) {\n    bus.once("order", this.record.bind(this));\n  }\n  private async record(order: unknown) {}\n}',
      errors: [{ messageId: 'asyncCallback', data: { callback: 'Async function `this.record.bind(…)`', dropper: '`bus.once`', where: 'in `AuditTrail.constructor`' }, line: 3 }],
    },
    {
      // imported from a module on disk (the fixture's db module): its async exports are known
      code: 'import { closeDatabase, readModels } from "./db/mongo.js";\nprocess.on("SIGTERM", closeDatabase);\nexport function warm() {\n  readModels();\n}',
      output: `import { closeDatabase, readModels } from "./db/mongo.js";
import { spawn } from "@loop-audit/runtime";
process.on("SIGTERM", closeDatabase);
export function warm() {
  spawn(readModels(), { name: "warm" });
}`,
      filename: fixtureFile,
      errors: [
        { messageId: 'asyncCallback', data: { callback: 'Async function `closeDatabase`', dropper: '`process.on`', where: 'at module scope' }, line: 2 },
        {
          messageId: 'floating',
          data: { what: '`readModels()`', where: 'in `warm`' },
          line: 4,
          suggestions: [voidSuggestion('import { closeDatabase, readModels } from "./db/mongo.js";\nprocess.on("SIGTERM", closeDatabase);\nexport function warm() {\n  void readModels();\n}')],
        },
      ],
    },
    {
      // In a test file the runner already reports an unhandled rejection as a failure: `void`
      // writes the intent down and keeps that behaviour (no runtime import, no new dependency).
      code: 'async function send(m: unknown) {}\nit("sends", () => {\n  send({ foo: true });\n  expect(1).toBe(1);\n});',
      output: 'async function send(m: unknown) {}\nit("sends", () => {\n  void send({ foo: true });\n  expect(1).toBe(1);\n});',
      filename: testFile,
      errors: [
        {
          messageId: 'floating',
          data: { what: '`send(…)`', where: 'in an anonymous function' },
          line: 3,
          suggestions: [voidSuggestion('async function send(m: unknown) {}\nit("sends", () => {\n  void send({ foo: true });\n  expect(1).toBe(1);\n});')],
        },
      ],
    },
    {
      // ... where `void` counts as handled: with allowVoid off it does not, and the test gets spawn
      code: 'async function send(m: unknown) {}\nit("sends", () => {\n  send(1);\n});',
      output: 'import { spawn } from "@loop-audit/runtime";\n\nasync function send(m: unknown) {}\nit("sends", () => {\n  spawn(send(1), { name: "orders.test.ts" });\n});',
      filename: testFile,
      options: [{ allowVoid: false }],
      errors: [{ messageId: 'floating', line: 3 }],
    },
    {
      // the statement floats and, inside the anonymous listener, is located by its outer function
      code: 'async function save(e: unknown) {}\nfunction wire(bus: any) {\n  bus.on("order", (e: unknown) => {\n    save(e);\n  });\n}',
      output: `import { spawn } from "@loop-audit/runtime";

async function save(e: unknown) {}
function wire(bus: any) {
  bus.on("order", (e: unknown) => {
    spawn(save(e), { name: "wire" });
  });
}`,
      errors: [
        {
          messageId: 'floating',
          data: { what: '`save(…)`', where: 'in a callback in `wire`' },
          line: 4,
          suggestions: [voidSuggestion('async function save(e: unknown) {}\nfunction wire(bus: any) {\n  bus.on("order", (e: unknown) => {\n    void save(e);\n  });\n}')],
        },
      ],
    },
  ],
});

typedTester.run('no-floating-promise (typed)', rule, {
  valid: [
    { filename: typedFileName, code: 'declare const repo: { save(): Promise<void> };\nasync function main() { await repo.save(); }' },
    { filename: typedFileName, code: 'declare const repo: { save(): Promise<void> };\nexport function main() { return repo.save(); }' },
    { filename: typedFileName, code: 'declare const repo: { save(): Promise<void> };\nrepo.save().catch(() => undefined);' },
    // node:test's runner tracks its tests' promises
    { filename: typedFileName, code: 'import test, { describe, it } from "node:test";\ndescribe("orders", () => {\n  it("saves", async () => {});\n});\ntest("top level", async () => {});' },
    // the callee declares that its listener may return a promise (Emittery-style), so it awaits it
    {
      filename: typedFileName,
      code: 'declare const bus: { on(name: string, listener: (data: unknown) => void | Promise<void>): void };\nbus.on("order", async (data) => { await fetch(String(data)); });',
    },
    // a handler typed to return `any` or `unknown` (@octokit/webhooks, which awaits its handlers) is not declared dropped
    {
      filename: typedFileName,
      code: 'declare const app: { on(name: string, handler: (event: { id: number }) => any): void };\napp.on("push", async (event) => { await fetch(String(event.id)); });',
    },
    {
      filename: typedFileName,
      code: 'declare const app: { on(name: string, handler: (event: { id: number }) => unknown): void };\napp.on("push", async (event) => { await fetch(String(event.id)); });',
    },
    // a `then` that is not callable is no thenable
    { filename: typedFileName, code: 'declare const config: { then: number };\nconfig;' },
    // a cast to unknown is a deliberate opt-out, as in typescript-eslint
    { filename: typedFileName, code: 'declare const repo: { save(): Promise<void> };\nrepo.save() as unknown;' },
    {
      filename: typedFileName,
      code: 'interface Detached extends Promise<void> {}\ndeclare function startDetached(): Detached;\nstartDetached();',
      options: [{ allowForKnownSafePromises: ['Detached'] }],
    },
    // sync function by name
    { filename: typedFileName, code: 'function tick(): void {}\nsetInterval(tick, 1000);' },
    // same name as a promise method, but typed as a plain object
    { filename: typedFileName, code: 'declare const query: { then(n: number): number };\nquery.then(1);' },
  ],
  invalid: [
    {
      // a listener typed to return `void` is dropped (Node's EventEmitter): reported and wrapped
      filename: typedFileName,
      code: 'declare const bus: { on(name: string, listener: (data: unknown) => void): void };\nbus.on("order", async (data) => { await fetch(String(data)); });',
      output:
        'import { spawn } from "@loop-audit/runtime";\n\ndeclare const bus: { on(name: string, listener: (data: unknown) => void): void };\nbus.on("order", (data) => spawn(async () => { await fetch(String(data)); }, { name: "file.ts: on order" }));',
      errors: [{ messageId: 'asyncCallback', line: 2 }],
    },
    {
      // an emitter typed `any` says nothing about its listeners: the wrap is offered, not applied
      filename: typedFileName,
      code: 'export default (app: any) => {\n  app.on("push", async () => { await fetch("/x"); });\n};',
      errors: [
        {
          messageId: 'asyncCallback',
          line: 2,
          suggestions: [
            {
              messageId: 'spawnIfListenerDropped',
              output:
                'import { spawn } from "@loop-audit/runtime";\n\nexport default (app: any) => {\n  app.on("push", () => spawn(async () => { await fetch("/x"); }, { name: "file.ts: on push" }));\n};',
            },
          ],
        },
      ],
    },
    {
      // an EventTarget ignores what its listeners return, however they are typed (DOM: `=> any`)
      filename: typedFileName,
      code: 'declare const source: { addEventListener(name: string, listener: (event: { data: string }) => any): void };\nsource.addEventListener("message", async (event) => { await fetch(event.data); });',
      output:
        'import { spawn } from "@loop-audit/runtime";\n\ndeclare const source: { addEventListener(name: string, listener: (event: { data: string }) => any): void };\nsource.addEventListener("message", (event) => spawn(async () => { await fetch(event.data); }, { name: "file.ts: addEventListener message" }));',
      errors: [{ messageId: 'asyncCallback', line: 2 }],
    },
    {
      // only the type says this method returns a promise
      filename: typedFileName,
      code: 'interface OrderRepository { save(order: string): Promise<void> }\nexport function place(repo: OrderRepository) {\n  repo.save("o-1");\n}',
      output: `import { spawn } from "@loop-audit/runtime";

interface OrderRepository { save(order: string): Promise<void> }
export function place(repo: OrderRepository) {
  spawn(repo.save("o-1"), { name: "place" });
}`,
      errors: [
        {
          messageId: 'floating',
          data: { what: '`repo.save(…)`', where: 'in `place`' },
          line: 3,
          suggestions: [voidSuggestion('interface OrderRepository { save(order: string): Promise<void> }\nexport function place(repo: OrderRepository) {\n  void repo.save("o-1");\n}')],
        },
      ],
    },
    {
      filename: typedFileName,
      code: 'interface Query<T> { then<R>(onFulfilled: (value: T) => R, onRejected?: (error: unknown) => R): Query<R> }\ndeclare function select(sql: string): Query<number[]>;\nasync function purge() {\n  select("delete from orders");\n}',
      errors: [
        {
          messageId: 'floatingThenable',
          data: { what: '`select(…)`', where: 'in `purge`' },
          line: 4,
          suggestions: [
            awaitSuggestion(
              'interface Query<T> { then<R>(onFulfilled: (value: T) => R, onRejected?: (error: unknown) => R): Query<R> }\ndeclare function select(sql: string): Query<number[]>;\nasync function purge() {\n  await select("delete from orders");\n}',
            ),
            voidSuggestion(
              'interface Query<T> { then<R>(onFulfilled: (value: T) => R, onRejected?: (error: unknown) => R): Query<R> }\ndeclare function select(sql: string): Query<number[]>;\nasync function purge() {\n  void select("delete from orders");\n}',
            ),
          ],
        },
      ],
    },
    {
      filename: typedFileName,
      code: 'declare const cache: { refresh(): Promise<void> } | undefined;\ncache?.refresh();',
      output: 'declare const cache: { refresh(): Promise<void> } | undefined;\nawait cache?.refresh();',
      errors: [
        {
          messageId: 'floating',
          data: { what: '`cache?.refresh()`', where: 'at module scope' },
          suggestions: [voidSuggestion('declare const cache: { refresh(): Promise<void> } | undefined;\nvoid cache?.refresh();')],
        },
      ],
    },
    {
      filename: typedFileName,
      code: 'declare function sql(strings: TemplateStringsArray, ...values: unknown[]): Promise<number>;\nsql`update orders set status = ${"paid"}`;',
      output: 'declare function sql(strings: TemplateStringsArray, ...values: unknown[]): Promise<number>;\nawait sql`update orders set status = ${"paid"}`;',
      errors: [
        {
          messageId: 'floating',
          data: { what: '`sql`update orders set status = ${"paid"}``', where: 'at module scope' },
          suggestions: [voidSuggestion('declare function sql(strings: TemplateStringsArray, ...values: unknown[]): Promise<number>;\nvoid sql`update orders set status = ${"paid"}`;')],
        },
      ],
    },
    {
      filename: typedFileName,
      code: 'function run<T extends Promise<void>>(task: T) {\n  task;\n}',
      output: `import { spawn } from '@loop-audit/runtime';

function run<T extends Promise<void>>(task: T) {
  spawn(task, { name: 'run' });
}`,
      errors: [{ messageId: 'floating', data: { what: '`task`', where: 'in `run`' }, suggestions: [voidSuggestion('function run<T extends Promise<void>>(task: T) {\n  void task;\n}')] }],
    },
    {
      filename: typedFileName,
      code: 'declare const tasks: Promise<void>[];\ntasks;',
      output: 'declare const tasks: Promise<void>[];\nawait Promise.all(tasks);',
      errors: [{ messageId: 'promiseArray', data: { what: '`tasks`', where: 'at module scope' } }],
    },
    {
      filename: typedFileName,
      code: 'declare const repo: { save(): Promise<void> };\nrepo.save().then(() => console.log("saved"));\nrepo.save().catch(undefined);',
      output: `declare const repo: { save(): Promise<void> };
await repo.save().then(() => console.log("saved"));
repo.save().catch(undefined);`,
      errors: [
        {
          messageId: 'floatingThen',
          data: { what: '`repo.save().then(…)`', where: 'at module scope' },
          line: 2,
          suggestions: [voidSuggestion('declare const repo: { save(): Promise<void> };\nvoid repo.save().then(() => console.log("saved"));\nrepo.save().catch(undefined);')],
        },
        {
          messageId: 'nonFunctionHandler',
          data: { what: '`repo.save().catch(…)`', where: 'at module scope' },
          line: 3,
          suggestions: [voidSuggestion('declare const repo: { save(): Promise<void> };\nrepo.save().then(() => console.log("saved"));\nvoid repo.save().catch(undefined);')],
        },
      ],
    },
    {
      // async by signature only: a function-typed value, a promise-returning arrow
      filename: typedFileName,
      code: 'declare const poll: () => Promise<void>;\ndeclare const repo: { flush(): Promise<void> };\nsetInterval(poll, 1000);\nsetTimeout(() => repo.flush(), 10);',
      errors: [
        { messageId: 'asyncCallback', data: { callback: 'Async function `poll`', dropper: '`setInterval`', where: 'at module scope' }, line: 3 },
        { messageId: 'asyncCallback', data: { callback: 'A promise-returning callback', dropper: '`setTimeout`', where: 'at module scope' }, line: 4 },
      ],
    },
    {
      filename: typedFileName,
      code: 'declare const orders: string[];\ndeclare function ship(id: string): Promise<void>;\nexport async function shipAll() {\n  orders.forEach(async (id) => ship(id));\n}',
      errors: [
        {
          messageId: 'asyncCallback',
          data: { callback: 'An async callback', dropper: '`orders.forEach`', where: 'in `shipAll`' },
          suggestions: [
            awaitAllSuggestion(
              'declare const orders: string[];\ndeclare function ship(id: string): Promise<void>;\nexport async function shipAll() {\n  await Promise.all(orders.map(async (id) => ship(id)));\n}',
            ),
          ],
        },
      ],
    },
    {
      // the allowlist replaces the default, so node:test's `test` is no longer exempt
      filename: typedFileName,
      code: 'import { test } from "node:test";\ntest("saves", async () => {});',
      // The top level of an ES module may await: the test's failure still fails the file.
      output: 'import { test } from "node:test";\nawait test("saves", async () => {});',
      options: [{ allowForKnownSafeCalls: [] }],
      errors: [
        { messageId: 'floating', data: { what: '`test(…)`', where: 'at module scope' }, suggestions: [voidSuggestion('import { test } from "node:test";\nvoid test("saves", async () => {});')] },
      ],
    },
  ],
});

espreeTester.run('no-floating-promise (espree, plain JS)', rule, {
  valid: [
    { filename: 'jobs.js', code: 'async function purge() {}\nexport async function run() { await purge(); }' },
    { filename: 'jobs.js', code: 'setInterval(() => console.log("tick"), 1000);' },
    { filename: 'jobs.js', code: 'const { EventEmitter } = require("events");\nconst bus = new EventEmitter();\nbus.on("order", (order) => console.log(order));' },
  ],
  invalid: [
    {
      filename: 'jobs.js',
      code: 'async function purge() {}\nexport async function run() {\n  purge();\n}',
      errors: [
        {
          messageId: 'floating',
          data: { what: '`purge()`', where: 'in `run`' },
          suggestions: [
            awaitSuggestion('async function purge() {}\nexport async function run() {\n  await purge();\n}'),
            voidSuggestion('async function purge() {}\nexport async function run() {\n  void purge();\n}'),
          ],
        },
      ],
    },
    {
      filename: 'jobs.js',
      code: 'setInterval(async () => {\n  await fetch("/poll");\n}, 1000);',
      output: `import { spawn } from "@loop-audit/runtime";

setInterval(() => spawn(async () => {
  await fetch("/poll");
}, { name: "jobs.js: setInterval" }), 1000);`,
      errors: [{ messageId: 'asyncCallback', data: { callback: 'An async callback', dropper: '`setInterval`', where: 'at module scope' }, line: 1, column: 13, endColumn: 24 }],
    },
    {
      filename: 'jobs.js',
      code: 'const { EventEmitter } = require("events");\nconst bus = new EventEmitter();\nbus.on("order", async (order) => { await fetch(order.url); });',
      output: `const { EventEmitter } = require("events");
const { spawn } = require("@loop-audit/runtime");
const bus = new EventEmitter();
bus.on("order", (order) => spawn(async () => { await fetch(order.url); }, { name: "jobs.js: on order" }));`,
      errors: [{ messageId: 'asyncCallback', data: { callback: 'An async callback', dropper: '`bus.on`', where: 'at module scope' }, line: 3 }],
    },
  ],
});
