import path from 'node:path';
import ruleModule from '../../rules/no-sync-bridge.js';
import { espreeTester, typedFile, typedTester, untypedTester } from '../support/rule-tester.js';

// The typed tester joins `filename` onto its tsconfigRootDir, so it takes the fixture's own name.
const TYPED = path.basename(typedFile);
// @typescript-eslint/rule-tester pins its own copy of @typescript-eslint/utils: same rule, other type identity.
const rule = ruleModule as unknown as Parameters<typeof untypedTester.run>[1];

untypedTester.run('no-sync-bridge', rule, {
  valid: [
    {
      name: 'Atomics.wait inside a worker file (parentPort import)',
      code: `
        import { parentPort, workerData } from 'node:worker_threads';
        const flag = new Int32Array(workerData.shared);
        parentPort!.on('message', () => {
          Atomics.wait(flag, 0, 0);
          parentPort!.postMessage('woke');
        });`,
    },
    {
      name: 'Atomics.wait in a *.worker.ts file',
      filename: 'src/throttle.worker.ts',
      code: `
        export function pause(lock: Int32Array, ms: number) {
          Atomics.wait(lock, 0, 0, ms);
        }`,
    },
    {
      name: 'Atomics.wait in a synckit worker (runAsWorker)',
      code: `
        const { runAsWorker } = require('synckit');
        runAsWorker(async (ms) => {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
          return ms;
        });`,
    },
    {
      name: 'Atomics.wait in a file named like a worker (resize-worker.js)',
      filename: 'lib/resize-worker.js',
      code: `
        module.exports = function throttle(lock, ms) {
          Atomics.wait(lock, 0, 0, ms);
        };`,
    },
    {
      name: 'Atomics.waitAsync does not block',
      code: `
        export async function until(lock: Int32Array) {
          await Atomics.waitAsync(lock, 0, 0).value;
        }`,
    },
    {
      name: "execSync('git ...') for a result",
      code: `
        import { execSync } from 'node:child_process';
        export const commit = () => execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();`,
    },
    {
      name: 'execSync of node whose result is dropped (no result to wait for)',
      code: `
        const { execSync } = require('child_process');
        execSync('node scripts/build-icons.js', { stdio: 'inherit' });`,
    },
    {
      name: 'awaited promise',
      code: `
        import { readFile } from 'node:fs/promises';
        export async function loadConfig(file: string) {
          const text = await readFile(file, 'utf8');
          return JSON.parse(text);
        }`,
    },
    {
      name: 'a polling loop that awaits between checks',
      code: `
        import { setTimeout as sleep } from 'node:timers/promises';
        export async function waitUntilReady(server: { listen(): Promise<void> }) {
          let ready = false;
          server.listen().then(() => { ready = true; });
          while (!ready) {
            await sleep(25);
          }
        }`,
    },
    {
      name: 'a loop whose flag is set by its own body',
      code: `
        export function drain(queue: string[], handle: (item: string) => boolean) {
          let done = false;
          while (!done) {
            done = handle(queue.shift() ?? '');
          }
        }`,
    },
    {
      name: 'a loop over a counter and a length',
      code: `
        export function checksum(bytes: Uint8Array) {
          let sum = 0;
          for (let i = 0; i < bytes.length; i++) sum = (sum + bytes[i]!) % 65521;
          return sum;
        }`,
    },
    {
      name: 'the runner is allowed by default (defineSync)',
      code: `
        import { getRunner } from '@loop-audit/runtime';
        const listEvents = getRunner().defineSync(new URL('./graph.js', import.meta.url), 'listEvents');
        export function eventsFor(user: string) {
          return listEvents(user);
        }`,
    },
    {
      name: 'the runner is allowed by default (syncFunction, runner variable)',
      code: `
        import { syncFunction, getRunner } from '@loop-audit/runtime';
        const runner = getRunner();
        const hash = syncFunction(async (text: string) => text.length);
        const render = runner.defineSync('./render.js', 'render');
        export function page(text: string) { return render(hash(text)); }`,
    },
    {
      name: 'a bridge factory at module scope that is never called here',
      code: `
        import makeSynchronous from 'make-synchronous';
        import { createSyncFn } from 'synckit';
        export const fetchJsonSync = makeSynchronous(async (url: string) => (await fetch(url)).json());
        export const formatSync = createSyncFn(require.resolve('./format.js'));`,
    },
    {
      name: 'a variable assigned in an awaited callback',
      code: `
        export async function firstRow(query: () => Promise<string[]>) {
          let row: string | undefined;
          await query().then((rows) => { row = rows[0]; });
          return row;
        }`,
    },
    {
      name: 'a variable assigned in a synchronous callback',
      code: `
        export function total(prices: number[]) {
          let sum = 0;
          prices.forEach((price) => { sum += price; });
          return sum;
        }`,
    },
    {
      name: 'the promise is returned, not the variable',
      code: `
        export function loadUser(fetchUser: () => Promise<{ id: string }>) {
          let user: { id: string } | undefined;
          const pending = fetchUser().then((u) => { user = u; return u; });
          return pending;
        }`,
    },
    {
      name: 'a flag set from a timer, but checked with if, not spun on',
      code: `
        let expired = false;
        setTimeout(() => { expired = true; }, 1000);
        export function isExpired() {
          if (!expired) return false;
          return true;
        }`,
    },
    {
      name: 'receiveMessageOnPort once, not polled',
      code: `
        import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
        const { port1, port2 } = new MessageChannel();
        port2.postMessage({ ok: true });
        export const pending = receiveMessageOnPort(port1)?.message;`,
    },
    {
      name: 'draining a port until it is empty is not polling',
      code: `
        import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
        export function drain(port: MessagePort, handle: (message: unknown) => void) {
          let entry;
          while ((entry = receiveMessageOnPort(port)) !== undefined) handle(entry.message);
        }`,
    },
    {
      name: 'a counted loop bounded by state an async function refreshes',
      code: `
        let total = 0;
        export async function refresh(count: () => Promise<number>) {
          total = await count();
        }
        export function render(draw: (row: number) => void) {
          for (let row = 0; row < total; row++) draw(row);
        }`,
    },
    {
      name: 'a user function called deasync is not the library',
      code: `
        function deasync<T>(value: T) { return value; }
        export const id = deasync(42);`,
    },
    {
      name: 'a local Fiber class',
      code: `
        class Fiber { constructor(readonly work: () => void) {} }
        export const fiber = new Fiber(() => {});`,
    },
    {
      name: 'spawnSync of node with the result ignored',
      code: `
        import { spawnSync } from 'node:child_process';
        export function warm() {
          spawnSync('node', ['--version']);
        }`,
    },
    {
      name: 'execFileSync of another program',
      code: `
        const { execFileSync } = require('node:child_process');
        module.exports = (file) => execFileSync('identify', ['-format', '%wx%h', file]).toString();`,
    },
    {
      name: 'deasync imported but unused bindings of a different library',
      code: `
        import { promisify } from 'node:util';
        import { readFile } from 'node:fs';
        export const readFileAsync = promisify(readFile);`,
    },
    {
      name: 'a queue drained while a flag from a then-callback is not involved',
      code: `
        export function flush(queue: Array<() => void>) {
          while (queue.length > 0) queue.shift()!();
        }`,
    },
    {
      name: 'the returned variable is also set synchronously',
      code: `
        export function cached(store: Map<string, string>, load: () => Promise<string>) {
          let value = store.get('k');
          load().then((v) => { value = v; }, () => {});
          value = value ?? 'fallback';
          return value;
        }`,
    },
  ],
  invalid: [
    {
      name: 'deasync(fn) at module scope',
      code: `import deasync from 'deasync';
import { readFile } from 'node:fs';
export const readFileSync = deasync(readFile);`,
      errors: [
        {
          messageId: 'deasyncFactory',
          data: { bridge: 'deasync', library: 'deasync', where: 'at module scope' },
          line: 3,
          column: 29,
          endLine: 3,
          endColumn: 46,
        },
      ],
    },
    {
      name: 'deasync required inside a function',
      code: `
        function loadConfig(file) {
          const deasync = require('deasync');
          const read = deasync(require('fs').readFile);
          return JSON.parse(read(file, 'utf8'));
        }
        module.exports = loadConfig;`,
      errors: [
        { messageId: 'deasyncFactory', data: { bridge: 'deasync', library: 'deasync', where: 'in loadConfig()' } },
        { messageId: 'loopReentry', data: { bridge: 'read', library: 'deasync', where: 'in loadConfig()' } },
      ],
    },
    {
      name: 'deasync.loopWhile on a promise flag',
      code: `
        import deasync from 'deasync';
        export function fetchSync(url: string) {
          let done = false;
          let body: unknown;
          fetch(url).then((r) => r.json()).then((json) => { body = json; done = true; }, () => { done = true; });
          deasync.loopWhile(() => !done);
          return body;
        }`,
      errors: [{ messageId: 'loopReentry', data: { bridge: 'deasync.loopWhile', library: 'deasync', where: 'in fetchSync()' }, line: 7, column: 11 }],
    },
    {
      name: 'require(deasync).runLoopOnce in a loop (reported once, as the re-entry)',
      code: `
        function waitFor(promise) {
          let settled = false;
          promise.then(() => { settled = true; }, () => { settled = true; });
          while (!settled) require('deasync').runLoopOnce();
        }
        module.exports = waitFor;`,
      errors: [{ messageId: 'loopReentry', data: { bridge: "require('deasync').runLoopOnce", library: 'deasync', where: 'in waitFor()' } }],
    },
    {
      name: 'deasync.sleep',
      code: `
        const { sleep } = require('deasync');
        exports.backoff = function backoff(attempt) {
          sleep(2 ** attempt * 100);
        };`,
      errors: [{ messageId: 'loopReentry', data: { bridge: 'sleep', library: 'deasync', where: 'in backoff()' } }],
    },
    {
      name: 'calling a deasync-built function',
      code: `
        import deasync from 'deasync';
        import dns from 'node:dns';
        const lookupSync = deasync(dns.lookup);
        export class HostCache {
          resolve(host: string) {
            return lookupSync(host);
          }
        }`,
      errors: [
        { messageId: 'deasyncFactory', data: { bridge: 'deasync', library: 'deasync', where: 'at module scope' } },
        { messageId: 'loopReentry', data: { bridge: 'lookupSync', library: 'deasync', where: 'in HostCache.resolve()' } },
      ],
    },
    {
      name: 'deasync-promise',
      code: `
        const awaitSync = require('deasync-promise');
        module.exports = function getToken(client) {
          return awaitSync(client.getAccessToken());
        };`,
      errors: [{ messageId: 'loopReentry', data: { bridge: 'awaitSync', library: 'deasync', where: 'in getToken()' } }],
    },
    {
      name: 'calling what makeSynchronous returned',
      code: `
        import makeSynchronous from 'make-synchronous';
        const fetchJsonSync = makeSynchronous(async (url: string) => (await fetch(url)).json());
        export function loadManifest() {
          return fetchJsonSync('https://example.com/manifest.json');
        }`,
      errors: [{ messageId: 'workerBridge', data: { bridge: 'fetchJsonSync', library: 'make-synchronous', where: 'in loadManifest()' } }],
    },
    {
      name: 'make-synchronous/subprocess: makeSynchronous(fn)(args) at once',
      code: `
        const makeSynchronous = require('make-synchronous/subprocess');
        const config = makeSynchronous(async () => (await import('./config.mjs')).default)();
        module.exports = config;`,
      errors: [{ messageId: 'processBridge', data: { bridge: 'makeSynchronous(...)', library: 'make-synchronous/subprocess', where: 'at module scope' } }],
    },
    {
      name: 'calling what createSyncFn returned',
      code: `
        import { createSyncFn } from 'synckit';
        const formatSync = createSyncFn(require.resolve('./format-worker.js'));
        export const format = (code: string) => formatSync(code, { semi: false });`,
      errors: [{ messageId: 'workerBridge', data: { bridge: 'formatSync', library: 'synckit', where: 'in format()' } }],
    },
    {
      name: 'this.load = createSyncFn(...) then this.load(...)',
      code: `
        import { createSyncFn } from 'synckit';
        export class TemplateCache {
          private load = createSyncFn<(name: string) => Promise<string>>('./load-template.js');
          get(name: string) {
            return this.load(name);
          }
        }`,
      errors: [{ messageId: 'workerBridge', data: { bridge: 'this.load', library: 'synckit', where: 'in TemplateCache.get()' } }],
    },
    {
      name: 'a bridge called from a class field and a static block',
      code: `
        import makeSynchronous from 'make-synchronous';
        const readJsonSync = makeSynchronous(async (file: string) => JSON.parse(await (await import('node:fs/promises')).readFile(file, 'utf8')));
        export class Manifest {
          data = readJsonSync('./manifest.json');
          static defaults: unknown;
          static {
            Manifest.defaults = readJsonSync('./defaults.json');
          }
        }`,
      errors: [
        { messageId: 'workerBridge', data: { bridge: 'readJsonSync', library: 'make-synchronous', where: 'in the field Manifest.data' } },
        { messageId: 'workerBridge', data: { bridge: 'readJsonSync', library: 'make-synchronous', where: 'in a static block of Manifest' } },
      ],
    },
    {
      name: 'sync-rpc',
      code: `
        const rpc = require('sync-rpc');
        const getSecret = rpc(__dirname + '/vault-client.js', { region: 'eu' });
        module.exports = (name) => getSecret(name);`,
      errors: [{ messageId: 'rpcBridge', data: { bridge: 'getSecret', library: 'sync-rpc', where: 'in module.exports()' } }],
    },
    {
      name: 'do-sync and sync-threads',
      code: `
        import { doSync } from 'do-sync';
        import { createSyncFn } from 'sync-threads';
        const getTitle = doSync(async (url: string) => (await fetch(url)).text());
        const hash = createSyncFn(new URL('./hash-worker.js', import.meta.url).pathname);
        export function describe(url: string) {
          return hash(getTitle(url));
        }`,
      errors: [
        { messageId: 'workerBridge', data: { bridge: 'hash', library: 'sync-threads', where: 'in describe()' } },
        { messageId: 'processBridge', data: { bridge: 'getTitle', library: 'do-sync', where: 'in describe()' } },
      ],
    },
    {
      name: 'Atomics.wait on the main thread',
      code: `
        export function sleepSync(ms: number) {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
        }`,
      errors: [{ messageId: 'atomicsWait', data: { bridge: 'Atomics.wait', library: 'Atomics', where: 'in sleepSync()' }, line: 3, column: 11 }],
    },
    {
      name: 'execSync of node -e for JSON',
      code: `
        import { execSync } from 'node:child_process';
        export function remoteConfig() {
          const out = execSync('node -e "fetch(process.argv[1]).then(r => r.text()).then(console.log)" https://cfg.local');
          return JSON.parse(out.toString());
        }`,
      errors: [{ messageId: 'execNode', data: { bridge: 'execSync', library: 'child_process', where: 'in remoteConfig()' } }],
    },
    {
      name: 'execFileSync of process.execPath',
      code: `
        const cp = require('node:child_process');
        function resolveVersion(pkg) {
          return cp.execFileSync(process.execPath, ['--eval', 'import(process.argv[1]).then(m => console.log(m.version))', pkg], { encoding: 'utf8' });
        }
        module.exports = resolveVersion;`,
      errors: [{ messageId: 'execNode', data: { bridge: 'cp.execFileSync', library: 'child_process', where: 'in resolveVersion()' } }],
    },
    {
      name: "spawnSync('node', [script]).stdout",
      code: `
        import { spawnSync } from 'node:child_process';
        export const schema = spawnSync('node', ['scripts/print-schema.mjs']).stdout.toString();`,
      errors: [{ messageId: 'execNode', data: { bridge: 'spawnSync', library: 'child_process', where: 'at module scope' } }],
    },
    {
      name: 'busy wait on a flag set in .then',
      code: `export function loadSync(load: () => Promise<string>) {
  let done = false;
  let value = '';
  load().then((v) => { value = v; done = true; });
  while (!done) {}
  return value;
}`,
      errors: [{ messageId: 'busyWait', data: { flag: 'done', where: 'in loadSync()' }, line: 5, column: 3, endLine: 5, endColumn: 16 }],
    },
    {
      name: 'do/while on a result set by an async IIFE',
      code: `
        export function readSecretSync(read: () => Promise<string>) {
          let secret: string | undefined;
          (async () => { secret = await read(); })();
          do {
            /* spin */
          } while (secret === undefined);
          return secret;
        }`,
      errors: [{ messageId: 'busyWait', data: { flag: 'secret', where: 'in readSecretSync()' }, line: 7 }],
    },
    {
      name: 'busy wait on this.ready set from a timer',
      code: `
        export class Warmup {
          ready = false;
          start() {
            setTimeout(() => { this.ready = true; }, 100);
            for (let spins = 0; !this.ready; spins++) {}
          }
        }`,
      errors: [{ messageId: 'busyWait', data: { flag: 'this.ready', where: 'in Warmup.start()' } }],
    },
    {
      name: 'fibers: Fiber(...) and Fiber.yield()',
      code: `
        const Fiber = require('fibers');
        function sleep(ms) {
          const fiber = Fiber.current;
          setTimeout(() => fiber.run(), ms);
          Fiber.yield();
        }
        Fiber(() => { sleep(1000); }).run();`,
      errors: [
        { messageId: 'fibers', data: { bridge: 'Fiber.yield', library: 'fibers', where: 'in sleep()' } },
        { messageId: 'fibers', data: { bridge: 'Fiber', library: 'fibers', where: 'at module scope' } },
      ],
    },
    {
      name: 'fibers/future: Future.wait and fromPromise().wait()',
      code: `
        const Future = require('fibers/future');
        function fetchAll(urls) {
          const futures = urls.map((url) => Future.fromPromise(fetch(url)));
          Future.wait(futures);
          return Future.fromPromise(fetch(urls[0])).wait();
        }
        module.exports = fetchAll;`,
      errors: [
        { messageId: 'fibers', data: { bridge: 'Future.wait', library: 'fibers', where: 'in fetchAll()' } },
        { messageId: 'fibers', data: { bridge: 'Future.fromPromise(...).wait', library: 'fibers', where: 'in fetchAll()' } },
      ],
    },
    {
      name: 'receiveMessageOnPort polling loop',
      code: `
        import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
        export function replySync(port: MessagePort) {
          let reply;
          while (!(reply = receiveMessageOnPort(port))) {}
          return reply.message;
        }`,
      errors: [{ messageId: 'receivePoll', data: { bridge: 'receiveMessageOnPort', library: 'worker_threads', where: 'in replySync()' } }],
    },
    {
      name: 'the pseudo-bridge: let r; p.then(v => { r = v }); return r;',
      code: `export function currentUser(session: { load(): Promise<string> }) {
  let user;
  session.load().then((u) => { user = u; });
  return user;
}`,
      errors: [{ messageId: 'pseudoBridge', data: { name: 'user', where: 'in currentUser()' }, line: 4, column: 3, endLine: 4, endColumn: 15 }],
    },
    {
      name: 'pseudo-bridge through an async IIFE',
      code: `
        module.exports = function readVersion(readFile) {
          var version = 'unknown';
          (async () => { version = JSON.parse(await readFile('package.json')).version; })();
          return version;
        };`,
      errors: [{ messageId: 'pseudoBridge', data: { name: 'version', where: 'in readVersion()' } }],
    },
    {
      name: 'a loop that pumps through a local deasync helper is reported at the helper, not as a busy wait',
      code: `
        import deasync from 'deasync';
        function pump() {
          deasync.runLoopOnce();
        }
        export function settle(promise: Promise<unknown>) {
          let settled = false;
          promise.finally(() => { settled = true; });
          while (!settled) pump();
        }`,
      errors: [{ messageId: 'loopReentry', data: { bridge: 'deasync.runLoopOnce', library: 'deasync', where: 'in pump()' } }],
    },
    {
      name: 'a real bridge is reported as the bridge, not as a pseudo-bridge',
      code: `
        import deasync from 'deasync';
        export function userSync(load: () => Promise<string>) {
          let user: string | undefined;
          load().then((u) => { user = u; });
          deasync.loopWhile(() => user === undefined);
          return user;
        }`,
      errors: [{ messageId: 'loopReentry', data: { bridge: 'deasync.loopWhile', library: 'deasync', where: 'in userSync()' } }],
    },
    {
      name: 'allowRunner: false reports the runner too',
      options: [{ allowRunner: false }],
      code: `
        import { getRunner } from '@loop-audit/runtime';
        const listEvents = getRunner().defineSync(new URL('./graph.js', import.meta.url), 'listEvents');
        export const eventsFor = (user: string) => listEvents(user);`,
      errors: [{ messageId: 'runnerBridge', data: { bridge: 'listEvents', library: '@loop-audit/runtime', where: 'in eventsFor()' } }],
    },
    {
      name: 'wait.for (fibers underneath)',
      code: `
        const wait = require('wait.for');
        function getUser(db, id) {
          return wait.for(db.findUser, id);
        }
        module.exports = getUser;`,
      errors: [{ messageId: 'fibers', data: { bridge: 'wait.for', library: 'fibers', where: 'in getUser()' } }],
    },
  ],
});

typedTester.run('no-sync-bridge (typed)', rule, {
  valid: [
    {
      name: 'typed: awaited work',
      filename: TYPED,
      code: `
        export async function load(): Promise<unknown> {
          const response = await fetch('https://example.com/config.json');
          return response.json();
        }`,
    },
    {
      name: 'typed: runner call is allowed',
      filename: TYPED,
      code: `
        import { defineSync } from '@loop-audit/runtime';
        const render = defineSync(new URL('./render.js', import.meta.url), 'render');
        export function page(): unknown { return render('home'); }`,
    },
  ],
  invalid: [
    {
      name: 'typed: deasync.loopWhile',
      filename: TYPED,
      code: `
        import deasync from 'deasync';
        export function waitFor<T>(promise: Promise<T>): T | undefined {
          let result: T | undefined;
          let settled = false;
          promise.then((value) => { result = value; settled = true; }, () => { settled = true; });
          deasync.loopWhile(() => !settled);
          return result;
        }`,
      errors: [{ messageId: 'loopReentry', data: { bridge: 'deasync.loopWhile', library: 'deasync', where: 'in waitFor()' }, line: 7, column: 11 }],
    },
    {
      name: 'typed: make-synchronous call',
      filename: TYPED,
      code: `
        import makeSynchronous from 'make-synchronous';
        const sumSync = makeSynchronous(async (a: number, b: number) => a + b);
        export function sum(a: number, b: number): number { return sumSync(a, b); }`,
      errors: [{ messageId: 'workerBridge', data: { bridge: 'sumSync', library: 'make-synchronous', where: 'in sum()' } }],
    },
  ],
});

espreeTester.run('no-sync-bridge (espree)', rule, {
  valid: [
    {
      name: 'espree: Atomics.wait in a worker file',
      code: `
        const { parentPort } = require('worker_threads');
        parentPort.on('message', ({ lock }) => { Atomics.wait(lock, 0, 0, 50); });`,
    },
    {
      name: 'espree: execSync of git',
      code: `
        import { execSync } from 'child_process';
        export const tags = () => execSync('git tag --list').toString().split('\\n');`,
    },
  ],
  invalid: [
    {
      name: 'espree: deasync loop and Atomics.wait',
      code: `
        const deasync = require('deasync');
        function pause(ms) {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
        }
        function settle(promise) {
          let done = false;
          promise.finally(() => { done = true; });
          deasync.loopWhile(() => !done);
        }
        module.exports = { pause, settle };`,
      errors: [
        { messageId: 'atomicsWait', data: { bridge: 'Atomics.wait', library: 'Atomics', where: 'in pause()' }, line: 4 },
        { messageId: 'loopReentry', data: { bridge: 'deasync.loopWhile', library: 'deasync', where: 'in settle()' }, line: 9 },
      ],
    },
    {
      name: 'espree: pseudo-bridge',
      code: `
        export function token(auth) {
          let value;
          auth.refresh().then((t) => { value = t; });
          return value;
        }`,
      errors: [{ messageId: 'pseudoBridge', data: { name: 'value', where: 'in token()' } }],
    },
  ],
});
