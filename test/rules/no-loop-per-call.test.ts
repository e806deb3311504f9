import path from 'node:path';
import ruleModule from '../../rules/no-loop-per-call.js';
import { espreeTester, typedFile, typedTester, untypedTester } from '../support/rule-tester.js';

// The typed tester joins `filename` onto its tsconfigRootDir, so it takes the fixture's own name.
const TYPED = path.basename(typedFile);
// @typescript-eslint/rule-tester pins its own copy of @typescript-eslint/utils: same rule, other type identity.
const rule = ruleModule as unknown as Parameters<typeof untypedTester.run>[1];
const WORKER = 'workerPerCall';
const POOL = 'poolPerCall';
const PROCESS = 'processPerCall';
const BRIDGE = 'syncBridgePerCall';
const CLIENT = 'clientPerCall';
const WORKER_COST = 'each one starts a worker thread that is never shut down';
const PROCESS_COST = 'and every call of the function it returns spawns a node process';

untypedTester.run('no-loop-per-call', rule, {
  valid: [
    {
      name: "a worker kept on the instance belongs to it (a pool's init, a start-up method)",
      code: `
        import { Worker } from 'node:worker_threads';
        export class Indexer {
          worker?: Worker;
          start() {
            this.worker = new Worker('./index.js');
          }
        }`,
    },
    {
      name: 'an exported factory hands its pool to the caller, who caches it',
      code: `
        import Piscina from 'piscina';
        export function createPool() {
          return new Piscina({ filename: './encode.js' });
        }
        let pool: Piscina | undefined;
        export const encoder = () => (pool ??= createPool());`,
    },
    {
      name: 'a supervisor starts one child per restart and keeps it',
      code: `
        import { fork } from 'node:child_process';
        let child: ReturnType<typeof fork> | undefined;
        export function restart(script: string) {
          child?.kill();
          child = fork(script);
          child.on('exit', () => restart(script));
        }`,
    },
    {
      name: 'a closure cache checked before the worker is built',
      code: `
        import { Worker } from 'node:worker_threads';
        export function makeSync(source: string) {
          let cache: { worker: Worker } | undefined;
          return (input: unknown) => {
            if (!cache) {
              const worker = new Worker(source, { eval: true });
              cache = { worker };
            }
            cache.worker.postMessage(input);
          };
        }`,
    },
    {
      name: 'a started flag checked by the only caller',
      code: `
        import { spawn } from 'node:child_process';
        let started = false;
        function start() {
          spawn(process.execPath, ['server.js']).unref();
          started = true;
        }
        export function send(message: string) {
          if (!started) start();
          return message;
        }`,
    },
    {
      name: 'a benchmark runs once per process',
      filename: 'benchmarks/cold-start.ts',
      code: `
        import { execFileSync } from 'node:child_process';
        export function run(args: string[]) {
          return execFileSync(process.execPath, ['cli.js', ...args]);
        }`,
    },
    {
      name: 'module-scope worker shared by every request',
      code: `
        import { Worker } from 'node:worker_threads';
        const thumbnailer = new Worker(new URL('./thumbnail.worker.js', import.meta.url));
        export function makeThumbnail(image: Buffer) {
          thumbnailer.postMessage(image);
        }`,
    },
    {
      name: 'cached singleton with ??=',
      code: `
        import { Worker } from 'node:worker_threads';
        let hasher: Worker | undefined;
        export function getHasher() {
          return (hasher ??= new Worker('./hash-worker.js'));
        }`,
    },
    {
      name: 'cached singleton with ||=',
      code: `
        import Piscina from 'piscina';
        let pool: Piscina | null = null;
        export function resizePool() {
          pool ||= new Piscina({ filename: new URL('./resize.js', import.meta.url).href });
          return pool;
        }`,
    },
    {
      name: 'if (!x) x = ...',
      code: `
        const Tinypool = require('tinypool');
        let pool;
        function getPool() {
          if (!pool) pool = new Tinypool({ filename: __dirname + '/render.js' });
          return pool;
        }
        module.exports = { getPool };`,
    },
    {
      name: 'if (x === undefined || x === null) { x = ... }',
      code: `
        import { Worker } from 'worker_threads';
        let pdfWorker: Worker | undefined | null;
        export function pdf(): Worker {
          if (pdfWorker === undefined || pdfWorker === null) {
            pdfWorker = new Worker('./pdf.js');
          }
          return pdfWorker;
        }`,
    },
    {
      name: 'return x ?? (x = ...)',
      code: `
        import workerpool from 'workerpool';
        let shared: ReturnType<typeof workerpool.pool> | undefined;
        export const sharedPool = () => shared ?? (shared = workerpool.pool('./tasks.js'));`,
    },
    {
      name: 'this.#worker ??= in a method',
      code: `
        import { Worker } from 'node:worker_threads';
        export class Encoder {
          #worker?: Worker;
          encode(frame: Uint8Array) {
            this.#worker ??= new Worker('./encode.js');
            this.#worker.postMessage(frame, [frame.buffer]);
          }
        }`,
    },
    {
      name: 'if (!this.pool) { this.pool = ... }',
      code: `
        import { Piscina } from 'piscina';
        export class ReportService {
          private pool?: Piscina;
          render(report: unknown) {
            if (!this.pool) {
              this.pool = new Piscina({ filename: './render-report.js' });
            }
            return this.pool.run(report);
          }
        }`,
    },
    {
      name: 'early return guard before the assignment',
      code: `
        import Piscina from 'piscina';
        let pool: Piscina | undefined;
        export function imagePool() {
          if (pool) return pool;
          pool = new Piscina({ filename: './image.js', maxThreads: 4 });
          return pool;
        }`,
    },
    {
      name: 'per-key cache in a Map',
      code: `
        import { Worker } from 'node:worker_threads';
        const workers = new Map<string, Worker>();
        export function workerFor(script: string) {
          let worker = workers.get(script);
          if (!worker) {
            worker = new Worker(script);
            workers.set(script, worker);
          }
          return worker;
        }`,
    },
    {
      name: 'class field initialiser runs once per instance',
      code: `
        import { Worker } from 'node:worker_threads';
        export class Transcoder {
          private readonly worker = new Worker('./transcode.js');
          transcode(chunk: Buffer) { this.worker.postMessage(chunk); }
        }`,
    },
    {
      name: 'static block runs once',
      code: `
        import Piscina from 'piscina';
        export class Compressor {
          static pool: Piscina;
          static {
            Compressor.pool = new Piscina({ filename: './gzip.js' });
          }
        }`,
    },
    {
      name: 'constructor is once per instance, like a field',
      code: `
        import Piscina from 'piscina';
        export class SearchIndex {
          private pool: Piscina;
          constructor(filename: string) {
            this.pool = new Piscina({ filename });
          }
        }`,
    },
    {
      name: 'IIFE at module scope runs once',
      code: `
        import { Worker } from 'node:worker_threads';
        const metrics = (() => {
          const worker = new Worker('./metrics.js');
          worker.unref();
          return worker;
        })();
        export { metrics };`,
    },
    {
      name: 'main() called once from module scope',
      code: `
        import { fork } from 'node:child_process';
        async function main() {
          const server = fork('./server.js');
          server.on('exit', (code) => { process.exitCode = code ?? 1; });
        }
        main().catch((error) => { console.error(error); process.exitCode = 1; });`,
    },
    {
      name: 'a worker file: top-level pool next to parentPort',
      filename: 'src/resize.worker.ts',
      code: `
        import { parentPort } from 'node:worker_threads';
        import Piscina from 'piscina';
        const inner = new Piscina({ filename: './sharp-task.js' });
        parentPort?.on('message', (job) => { void inner.run(job); });`,
    },
    {
      name: 'execSync of git in a function',
      code: `
        import { execSync } from 'node:child_process';
        export function currentCommit() {
          return execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
        }`,
    },
    {
      name: 'spawn of another program',
      code: `
        const { spawn } = require('node:child_process');
        function transcode(input, output) {
          return spawn('ffmpeg', ['-i', input, output], { stdio: 'inherit' });
        }
        module.exports = transcode;`,
    },
    {
      name: 'a queue Worker from bullmq is not a thread',
      code: `
        import { Worker } from 'bullmq';
        export function startConsumer(connection: object) {
          return new Worker('emails', async () => {}, { connection });
        }`,
    },
    {
      name: 'a local class named Worker',
      code: `
        class Worker { constructor(readonly id: number) {} }
        export function hire(id: number) { return new Worker(id); }`,
    },
    {
      name: 'a client returned to the caller is not torn down per call',
      code: `
        import { MongoClient } from 'mongodb';
        export function connect(url: string) {
          return new MongoClient(url);
        }`,
    },
    {
      name: 'module-scope client closed on shutdown',
      code: `
        import pg from 'pg';
        const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
        export async function shutdown() {
          await pool.end();
        }`,
    },
    {
      name: 'createSyncFn and makeSynchronous at module scope',
      code: `
        import { createSyncFn } from 'synckit';
        import makeSynchronous from 'make-synchronous';
        const formatSync = createSyncFn(require.resolve('./format-worker.js'));
        const hashSync = makeSynchronous(async (text: string) => text.length);
        export function format(code: string) { return formatSync(code) + hashSync(code); }`,
    },
    {
      name: 'the runner cure inside a function',
      code: `
        import { getRunner } from '@loop-audit/runtime';
        export function renderSync(template: string) {
          const render = getRunner().defineSync(new URL('./render.js', import.meta.url), 'render');
          return render(template);
        }`,
    },
    {
      name: 'wrapped in lodash once',
      code: `
        import { once } from 'lodash';
        import Piscina from 'piscina';
        export const getPool = once(() => new Piscina({ filename: './task.js' }));`,
    },
    {
      name: 'cached on a context object the caller owns',
      code: `
        import Piscina from 'piscina';
        export function install(app: { locals: { pool?: Piscina } }) {
          app.locals.pool ??= new Piscina({ filename: './jobs.js' });
        }`,
    },
    {
      name: 'a private factory only called to fill a cache',
      code: `
        import Piscina from 'piscina';
        function createPool() {
          return new Piscina({ filename: './encode.js', maxThreads: 2 });
        }
        let pool: Piscina | undefined;
        export function encoder() {
          return (pool ??= createPool());
        }`,
    },
    {
      name: 'a private method that restarts the worker, called only when it is missing',
      code: `
        import { Worker } from 'node:worker_threads';
        export class Supervisor {
          private current: Worker | undefined;
          send(message: unknown) {
            let worker = this.current;
            if (worker === undefined) worker = this.start();
            worker.postMessage(message);
          }
          private start(): Worker {
            const worker = new Worker('./supervised.js');
            worker.once('exit', () => { this.current = undefined; });
            this.current = worker;
            return worker;
          }
        }`,
    },
    {
      name: 'fork at module scope',
      code: `
        const { fork } = require('child_process');
        const child = fork(require.resolve('./queue-consumer.js'));
        child.on('message', (message) => console.log(message));`,
    },
  ],
  invalid: [
    {
      name: 'a Worker per thumbnail request',
      code: `import { Worker } from 'node:worker_threads';
export function makeThumbnail(image: Buffer) {
  const worker = new Worker(new URL('./thumbnail.js', import.meta.url), { workerData: image });
  return new Promise((resolve) => worker.once('message', resolve));
}`,
      errors: [
        {
          messageId: WORKER,
          data: { what: 'new Worker(...)', fn: 'makeThumbnail()' },
          line: 3,
          column: 18,
          endLine: 3,
          endColumn: 95,
        },
      ],
    },
    {
      name: 'namespace import, arrow function',
      code: `
        import * as wt from 'worker_threads';
        export const hash = (data: string) => {
          const worker = new wt.Worker('./hash.js', { workerData: data });
          worker.once('message', (digest) => console.log(digest));
        };`,
      errors: [{ messageId: WORKER, data: { what: 'new wt.Worker(...)', fn: 'hash()' } }],
    },
    {
      name: 'CommonJS destructured require',
      code: `
        const { Worker } = require('node:worker_threads');
        function resize(file, width) {
          const worker = new Worker(__dirname + '/resize.js', { workerData: { file, width } });
          return new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
        }
        module.exports = { resize };`,
      errors: [{ messageId: WORKER, data: { what: 'new Worker(...)', fn: 'resize()' } }],
    },
    {
      name: 'CommonJS namespace require in a class method',
      code: `
        const wt = require('worker_threads');
        class ImageService {
          render(scene) {
            const worker = new wt.Worker('./render.js', { workerData: scene });
            worker.once('message', (image) => this.show(image));
          }
        }
        module.exports = ImageService;`,
      errors: [{ messageId: WORKER, data: { what: 'new wt.Worker(...)', fn: 'ImageService.render()' } }],
    },
    {
      name: 'web Worker per click',
      code: `
        document.querySelector('#hash')!.addEventListener('click', () => {
          const worker = new Worker(new URL('./hash.js', import.meta.url), { type: 'module' });
          worker.postMessage('start');
        });`,
      errors: [{ messageId: WORKER, data: { what: 'new Worker(...)', fn: 'an anonymous function' } }],
    },
    {
      name: 'SharedWorker per call, through globalThis',
      code: `
        export function connectTab() {
          return new globalThis.SharedWorker('./tabs.js').port;
        }`,
      errors: [{ messageId: WORKER, data: { what: 'new globalThis.SharedWorker(...)', fn: 'connectTab()' } }],
    },
    {
      name: 'Piscina per request',
      code: `
        import Piscina from 'piscina';
        export async function handler(req: { body: unknown }) {
          const pool = new Piscina({ filename: './pdf.js' });
          const pdf = await pool.run(req.body);
          await pool.destroy();
          return pdf;
        }`,
      errors: [{ messageId: POOL, data: { what: 'new Piscina(...)', fn: 'handler()' } }],
    },
    {
      name: 'Piscina by name through require',
      code: `
        const { Piscina } = require('piscina');
        exports.convert = async function convert(doc) {
          return new Piscina({ filename: './convert.js' }).run(doc);
        };`,
      errors: [{ messageId: POOL, data: { what: 'new Piscina(...)', fn: 'convert()' } }],
    },
    {
      name: 'Tinypool in a method',
      code: `
        import Tinypool from 'tinypool';
        export const tasks = {
          async lint(files: string[]) {
            const pool = new Tinypool({ filename: './lint-worker.js' });
            return Promise.all(files.map((file) => pool.run(file)));
          },
        };`,
      errors: [{ messageId: POOL, data: { what: 'new Tinypool(...)', fn: 'lint()' } }],
    },
    {
      name: 'workerpool.pool() per call',
      code: `
        import workerpool from 'workerpool';
        export async function fibonacci(n: number) {
          const pool = workerpool.pool();
          try { return await pool.exec((k: number) => k * 2, [n]); } finally { await pool.terminate(); }
        }`,
      errors: [{ messageId: POOL, data: { what: 'workerpool.pool(...)', fn: 'fibonacci()' } }],
    },
    {
      name: 'fork per job',
      code: `
        import { fork } from 'node:child_process';
        export function runJob(job: { id: string }) {
          const child = fork('./jobs/render.js', [job.id]);
          child.send(job);
        }`,
      errors: [{ messageId: PROCESS, data: { what: 'fork(...)', fn: 'runJob()' }, line: 4, column: 25 }],
    },
    {
      name: 'spawn of process.execPath',
      code: `
        import * as cp from 'child_process';
        export function evaluate(source: string) {
          cp.spawn(process.execPath, ['--input-type=module', '-e', source]).unref();
        }`,
      errors: [{ messageId: PROCESS, data: { what: 'cp.spawn(...)', fn: 'evaluate()' } }],
    },
    {
      name: 'execFile of node',
      code: `
        const { execFile } = require('node:child_process');
        function migrate(done) {
          execFile('node', ['scripts/migrate.js'], done);
        }
        module.exports = migrate;`,
      errors: [{ messageId: PROCESS, data: { what: 'execFile(...)', fn: 'migrate()' } }],
    },
    {
      name: "exec('node -e ...') through require(...).exec",
      code: `
        function version(callback) {
          require('child_process').exec('node -e "console.log(process.versions.v8)"', callback);
        }
        module.exports = version;`,
      errors: [{ messageId: PROCESS, data: { what: "require('child_process').exec(...)", fn: 'version()' } }],
    },
    {
      name: 'execSync of node as a statement still starts a process per call',
      code: `
        import { execSync } from 'node:child_process';
        export function seed() {
          execSync('node ./scripts/seed.js', { stdio: 'inherit' });
        }`,
      errors: [{ messageId: PROCESS, data: { what: 'execSync(...)', fn: 'seed()' } }],
    },
    {
      name: 'createSyncFn inside a function',
      code: `
        import { createSyncFn } from 'synckit';
        export function formatSync(code: string) {
          const format = createSyncFn(require.resolve('./format-worker.js'));
          return format(code);
        }`,
      // No worker file on disk to read the exported function from: only the hoisting suggestion.
      errors: [
        {
          messageId: BRIDGE,
          data: { what: 'createSyncFn(...)', fn: 'formatSync()', cost: WORKER_COST },
          suggestions: [
            {
              messageId: 'hoistBridge',
              data: { what: 'createSyncFn(...)', name: 'formatSync2' },
              output: `
        import { createSyncFn } from 'synckit';

        const formatSync2 = createSyncFn(require.resolve('./format-worker.js'));

        export function formatSync(code: string) {
          const format = formatSync2;
          return format(code);
        }`,
            },
          ],
        },
      ],
    },
    {
      name: 'makeSynchronous inside a function',
      code: `
        import makeSynchronous from 'make-synchronous';
        export function readSettings(path: string) {
          return makeSynchronous(async (file: string) => {
            const { readFile } = await import('node:fs/promises');
            return JSON.parse(await readFile(file, 'utf8'));
          })(path);
        }`,
      output: `
import { syncFunction } from '@loop-audit/runtime';

        const readSettingsSync = syncFunction(async (file: string) => {
          const { readFile } = await import('node:fs/promises');
          return JSON.parse(await readFile(file, 'utf8'));
        });

        export function readSettings(path: string) {
          return readSettingsSync(path);
        }`,
      errors: [{ messageId: BRIDGE, data: { what: 'makeSynchronous(...)', fn: 'readSettings()', cost: WORKER_COST } }],
    },
    {
      name: 'make-synchronous/subprocess inside a function',
      code: `
        const makeSynchronous = require('make-synchronous/subprocess');
        function gitBlame(file) {
          const blame = makeSynchronous(async (path) => (await import('./blame.mjs')).blame(path));
          return blame(file);
        }
        module.exports = gitBlame;`,
      // No autofix: the runner's worker would resolve './blame.mjs' from elsewhere than make-synchronous does.
      errors: [{ messageId: BRIDGE, data: { what: 'makeSynchronous(...)', fn: 'gitBlame()', cost: PROCESS_COST } }],
    },
    {
      name: 'MongoClient opened and closed in one call',
      code: `
        import { MongoClient } from 'mongodb';
        export async function countOrders(url: string) {
          const client = new MongoClient(url);
          try {
            await client.connect();
            return await client.db('shop').collection('orders').countDocuments();
          } finally {
            await client.close();
          }
        }`,
      errors: [{ messageId: CLIENT, data: { what: 'new MongoClient(...)', fn: 'countOrders()', closer: 'client.close' } }],
    },
    {
      name: 'pg Pool per request, ended',
      code: `
        import pg from 'pg';
        export async function listUsers() {
          const pool = new pg.Pool();
          const { rows } = await pool.query('select * from users');
          await pool.end();
          return rows;
        }`,
      errors: [{ messageId: CLIENT, data: { what: 'new pg.Pool(...)', fn: 'listUsers()', closer: 'pool.end' } }],
    },
    {
      name: 'redis createClient per call, quit',
      code: `
        const { createClient } = require('redis');
        async function getSession(id) {
          const client = await createClient({ url: process.env.REDIS_URL }).connect();
          const session = await client.get('session:' + id);
          await client.quit();
          return session;
        }
        module.exports = { getSession };`,
      errors: [{ messageId: CLIENT, data: { what: 'createClient(...)', fn: 'getSession()', closer: 'client.quit' } }],
    },
    {
      name: 'PrismaClient per call, $disconnect',
      code: `
        import { PrismaClient } from '@prisma/client';
        export async function findInvoice(id: string) {
          const prisma = new PrismaClient();
          const invoice = await prisma.invoice.findUnique({ where: { id } });
          await prisma.$disconnect();
          return invoice;
        }`,
      errors: [{ messageId: CLIENT, data: { what: 'new PrismaClient(...)', fn: 'findInvoice()', closer: 'prisma.$disconnect' } }],
    },
    {
      name: 'ioredis per call, disconnect',
      code: `
        import Redis from 'ioredis';
        export async function bump(key: string) {
          const redis = new Redis();
          const value = await redis.incr(key);
          redis.disconnect();
          return value;
        }`,
      errors: [{ messageId: CLIENT, data: { what: 'new Redis(...)', fn: 'bump()', closer: 'redis.disconnect' } }],
    },
    {
      name: 'a local "cache" does not cache anything',
      code: `
        import { Worker } from 'node:worker_threads';
        export function compile(source: string) {
          let worker: Worker | undefined;
          if (!worker) worker = new Worker('./compile.js');
          worker.postMessage(source);
        }`,
      errors: [{ messageId: WORKER, data: { what: 'new Worker(...)', fn: 'compile()' } }],
    },
    {
      name: "a per-call caller of the project's own factory builds a worker per call",
      code: `
        import { Worker } from 'node:worker_threads';
        function startIndexer() {
          return new Worker('./index.js');
        }
        export function reindex(files: string[]) {
          const worker = startIndexer();
          worker.postMessage(files);
        }`,
      errors: [{ messageId: WORKER, data: { what: 'startIndexer(...)', fn: 'reindex()' }, line: 7, column: 26 }],
    },
    {
      name: 'a function called twice is not run-once',
      code: `
        import { Worker } from 'node:worker_threads';
        function warmUp() {
          new Worker('./warm.js').unref();
        }
        warmUp();
        warmUp();`,
      errors: [{ messageId: WORKER, data: { what: 'new Worker(...)', fn: 'warmUp()' } }],
    },
    {
      name: 'called once in the source, but inside a module-level loop',
      code: `
        import { Worker } from 'node:worker_threads';
        function compileFile(file: string) {
          new Worker('./compile.js', { workerData: file }).unref();
        }
        for (const file of ['a.ts', 'b.ts']) compileFile(file);`,
      errors: [{ messageId: WORKER, data: { what: 'new Worker(...)', fn: 'compileFile()' } }],
    },
    {
      name: "a factory's caller that builds a pool per call is reported there",
      code: `
        import Piscina from 'piscina';
        export function createPool() {
          return new Piscina({ filename: './encode.js' });
        }
        export async function encode(data: Uint8Array) {
          const pool = createPool();
          return pool.run(data);
        }`,
      errors: [{ messageId: POOL, data: { what: 'createPool(...)', fn: 'encode()' } }],
    },
    {
      name: 'a local read from an option that is never stored back is no cache',
      code: `
        import { Worker } from 'node:worker_threads';
        export function run(options: { worker?: Worker }, job: unknown) {
          let worker = options.worker;
          if (!worker) worker = new Worker('./job.js');
          worker.postMessage(job);
        }`,
      errors: [{ messageId: WORKER, data: { what: 'new Worker(...)', fn: 'run()' } }],
    },
    {
      name: 'dynamic import inside the function',
      code: `
        export async function parse(text: string) {
          const { Worker } = await import('node:worker_threads');
          const worker = new Worker('./parse.js', { workerData: text });
          worker.unref();
        }`,
      errors: [{ messageId: WORKER, data: { what: 'new Worker(...)', fn: 'parse()' } }],
    },
    {
      name: 'cluster.fork per call',
      code: `
        import cluster from 'node:cluster';
        export function scaleUp() {
          cluster.fork().on('exit', () => console.log('worker gone'));
        }`,
      errors: [{ messageId: PROCESS, data: { what: 'cluster.fork(...)', fn: 'scaleUp()' } }],
    },
    {
      name: 'createRunner per call',
      code: `
        import { createRunner } from '@loop-audit/runtime';
        export function renderOnce(page: string) {
          const runner = createRunner({ timeoutMs: 5000 });
          return runner.defineSync(new URL('./render.js', import.meta.url), 'render')(page);
        }`,
      errors: [{ messageId: 'runnerPerCall', data: { what: 'createRunner(...)', fn: 'renderOnce()' } }],
    },
    {
      name: 'new Runner per call',
      code: `
        const { Runner } = require('@loop-audit/runtime');
        module.exports = function handle(job) {
          return new Runner({ timeoutMs: 1000 }).syncFunction(async (j) => j.id)(job);
        };`,
      errors: [{ messageId: 'runnerPerCall', data: { what: 'new Runner(...)', fn: 'handle()' } }],
    },
    {
      name: 'additionalResources: a global and a module export',
      options: [{ additionalResources: ['GpuDevice', '@acme/render#createRenderer'] }],
      code: `
        import { createRenderer } from '@acme/render';
        export function draw(scene: unknown) {
          const device = new GpuDevice();
          return createRenderer(device).draw(scene);
        }`,
      errors: [
        { messageId: 'resourcePerCall', data: { what: 'new GpuDevice(...)', fn: 'draw()' } },
        { messageId: 'resourcePerCall', data: { what: 'createRenderer(...)', fn: 'draw()' } },
      ],
    },
    {
      name: 'an IIFE inside a handler still runs per call',
      code: `
        import { Worker } from 'node:worker_threads';
        export function onUpload(file: string) {
          (() => new Worker('./scan.js', { workerData: file }))();
        }`,
      errors: [{ messageId: WORKER, data: { what: 'new Worker(...)', fn: 'a callback in onUpload()' } }],
    },
  ],
});

typedTester.run('no-loop-per-call (typed)', rule, {
  valid: [
    {
      name: 'typed: module-scope worker',
      filename: TYPED,
      code: `
        import { Worker } from 'node:worker_threads';
        const worker = new Worker('./render.js');
        export function render(scene: string) { worker.postMessage(scene); }`,
    },
    {
      name: 'typed: cached pool',
      filename: TYPED,
      code: `
        import Piscina from 'piscina';
        let pool: Piscina | undefined;
        export function getPool(): Piscina {
          return (pool ??= new Piscina({ filename: './task.js' }));
        }`,
    },
    {
      name: 'typed: execSync of git',
      filename: TYPED,
      code: `
        import { execSync } from 'node:child_process';
        export function branch(): string { return execSync('git branch --show-current').toString().trim(); }`,
    },
  ],
  invalid: [
    {
      name: 'typed: Worker per call',
      filename: TYPED,
      code: `
        import { Worker } from 'node:worker_threads';
        export function render(scene: string) {
          const worker = new Worker('./render.js', { workerData: scene });
          worker.unref();
        }`,
      errors: [{ messageId: WORKER, data: { what: 'new Worker(...)', fn: 'render()' }, line: 4, column: 26 }],
    },
    {
      name: 'typed: createSyncFn per call',
      filename: TYPED,
      code: `
        import { createSyncFn } from 'synckit';
        export function lint(code: string): string {
          const run = createSyncFn<(code: string) => Promise<string>>('./lint-worker.js');
          return run(code);
        }`,
      errors: [
        {
          messageId: BRIDGE,
          data: { what: 'createSyncFn(...)', fn: 'lint()', cost: WORKER_COST },
          suggestions: [
            {
              messageId: 'hoistBridge',
              data: { what: 'createSyncFn(...)', name: 'runSync' },
              output: `
        import { createSyncFn } from 'synckit';

        const runSync = createSyncFn<(code: string) => Promise<string>>('./lint-worker.js');

        export function lint(code: string): string {
          const run = runSync;
          return run(code);
        }`,
            },
          ],
        },
      ],
    },
  ],
});

espreeTester.run('no-loop-per-call (espree)', rule, {
  valid: [
    {
      name: 'espree: module-scope pool',
      code: `
        const Piscina = require('piscina');
        const pool = new Piscina({ filename: __dirname + '/task.js' });
        module.exports = (job) => pool.run(job);`,
    },
    {
      name: 'espree: cached worker',
      code: `
        import { Worker } from 'node:worker_threads';
        let worker;
        export function get() {
          if (worker === undefined) worker = new Worker('./w.js');
          return worker;
        }`,
    },
  ],
  invalid: [
    {
      name: 'espree: worker per call',
      code: `
        const { Worker } = require('worker_threads');
        module.exports = function thumbnail(file) {
          new Worker('./thumb.js', { workerData: file }).unref();
        };`,
      errors: [{ messageId: WORKER, data: { what: 'new Worker(...)', fn: 'thumbnail()' }, line: 4, column: 11 }],
    },
    {
      name: 'espree: node process per call',
      code: `
        import { spawnSync } from 'node:child_process';
        export function check(file) {
          return spawnSync('node', ['--check', file]).status === 0;
        }`,
      errors: [{ messageId: PROCESS, data: { what: 'spawnSync(...)', fn: 'check()' } }],
    },
  ],
});
