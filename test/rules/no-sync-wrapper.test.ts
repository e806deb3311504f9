import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/no-sync-wrapper.js';
import { espreeTester, MANY_LINTS_PER_PROCESS, repoRoot, typedFile, typedTester, untypedTester } from '../support/rule-tester.js';

type MessageId = 'syncWrapper' | 'syncWrapperRunner' | 'syncWrapperInline';
// The rule is built against the package's @typescript-eslint/utils, the tester ships its own copy:
// the two RuleModule types are the same shape but not the same declaration.
type TestedRule = Parameters<typeof untypedTester.run<MessageId, [Record<string, unknown>]>>[1];
const tested = rule as unknown as TestedRule;
/** The typed tester resolves file names against the fixture's tsconfig root. */
const TYPED = path.basename(typedFile);

function wrapper(name: string, sibling: string, bridge: string) {
  return { messageId: 'syncWrapper' as const, data: { name, sibling, bridge } };
}
function runnerWrapper(name: string, sibling: string, bridge = '@loop-audit/runtime') {
  return { messageId: 'syncWrapperRunner' as const, data: { name, sibling, bridge } };
}
function inlineWrapper(name: string, bridge: string) {
  return { messageId: 'syncWrapperInline' as const, data: { name, sibling: '<async function>', bridge } };
}

/** The JS twin of the seeds' `_run_async`: block until the promise settles by spinning deasync's loop. */
const RUN_ASYNC = `
import deasync from 'deasync';

function runAsync<T>(promise: Promise<T>): T {
  let settled = false;
  let value: T | undefined;
  let failure: unknown;
  promise.then(
    (result) => { value = result; settled = true; },
    (error) => { failure = error; settled = true; },
  );
  deasync.loopWhile(() => !settled);
  if (failure !== undefined) throw failure;
  return value as T;
}
`;

const RUN_ASYNC_JS = `
function runAsync(promise) {
  let settled = false;
  let value;
  let failure;
  promise.then((result) => { value = result; settled = true; }, (error) => { failure = error; settled = true; });
  deasync.loopWhile(() => !settled);
  if (failure !== undefined) throw failure;
  return value;
}
`;

untypedTester.run('no-sync-wrapper', tested, {
  valid: [
    {
      name: 'migrated: the repository method is async and awaits its sibling',
      code: `
        export class AppointmentRepository {
          async listForUserAsync(userId: string) { return [] as string[]; }
          async listForUser(userId: string) { return await this.listForUserAsync(userId); }
        }`,
    },
    {
      name: 'migrated: the service awaits the async repository method',
      code: `
        import { AppointmentRepository } from './appointment-repository.js';
        export class CalendarArchiveService {
          constructor(private readonly repository: AppointmentRepository) {}
          async archiveAppointments(userId: string) {
            const appointments = await this.repository.listForUserAsync(userId);
            return appointments.length;
          }
        }`,
    },
    {
      name: 'the bridge helper itself is no-sync-bridge territory, not a wrapper',
      code: `${RUN_ASYNC}
        export { runAsync };`,
    },
    {
      name: 'a helper that hands its promise on to another helper is a helper, not a wrapper',
      code: `${RUN_ASYNC}
        export function runWithTimeout<T>(promise: Promise<T>) { return runAsync(promise); }`,
    },
    {
      name: 'logging besides forwarding: not a pure wrapper',
      code: `${RUN_ASYNC}
        const logger = { debug(message: string) {} };
        export class TeamRepository {
          async listAsync() { return [] as string[]; }
          list() {
            logger.debug('TeamRepository.list');
            return runAsync(this.listAsync());
          }
        }`,
    },
    {
      name: 'error handling around the bridge: not a pure wrapper',
      code: `${RUN_ASYNC}
        export class TeamRepository {
          async listAsync() { return [] as string[]; }
          list() {
            try {
              return runAsync(this.listAsync());
            } catch {
              return [];
            }
          }
        }`,
    },
    {
      name: 'the bridged result is mapped: the wrapper does work of its own',
      code: `${RUN_ASYNC}
        export class UserRepository {
          async listAsync() { return [{ id: '1', name: 'Ada' }]; }
          names() { return runAsync(this.listAsync()).map((user) => user.name); }
        }`,
    },
    {
      name: 'a .then() chain handed to the bridge is not a bare sibling',
      code: `${RUN_ASYNC}
        export class UserRepository {
          async listAsync() { return [{ id: '1', name: 'Ada' }]; }
          names() { return runAsync(this.listAsync().then((users) => users.map((u) => u.name))); }
        }`,
    },
    {
      name: 'Promise.all of several siblings: orchestration, not forwarding',
      code: `${RUN_ASYNC}
        export class Dashboard {
          async usersAsync() { return 1; }
          async roomsAsync() { return 2; }
          counts() { return runAsync(Promise.all([this.usersAsync(), this.roomsAsync()])); }
        }`,
    },
    {
      name: 'a bridge helper applied to something that is no async sibling (a global)',
      code: `${RUN_ASYNC}
        export function parseSettings(text: string) { return runAsync(JSON.parse(text)); }`,
    },
    {
      name: "deasync of an inline callback function is the bridge's plumbing (no-sync-bridge reports it)",
      code: `
        import deasync from 'deasync';
        export const sleepSync = deasync((ms: number, done: () => void) => { setTimeout(done, ms); });`,
    },
    {
      name: 'deasync.sleep alone blocks, but wraps no sibling',
      code: `
        import deasync from 'deasync';
        export function pause() { deasync.sleep(100); }`,
    },
    {
      name: 'synckit createSyncFn(path): the async side lives in a worker file, no sibling here',
      code: `
        import { createSyncFn } from 'synckit';
        const formatSync = createSyncFn(require.resolve('./format-worker.js'));
        export function format(code: string) { return formatSync(code); }`,
    },
    {
      name: 'a sync caller of an imported wrapper is a caller (a later phase), not a wrapper',
      code: `
        import { readConfigSync } from './config.js';
        export function loadConfig(path: string) { return readConfigSync(path); }`,
    },
    {
      name: 'handing a promise to a queue is not a sync bridge',
      code: `
        const queue = { add(task: Promise<unknown>) {} };
        export class Mailer {
          async sendAsync(to: string) {}
          send(to: string) { queue.add(this.sendAsync(to)); }
        }`,
    },
    {
      name: 'an anonymous callback that bridges is not a named wrapper',
      code: `${RUN_ASYNC}
        export class UserRepository {
          async getAsync(id: string) { return { id }; }
          getMany(ids: string[]) { return ids.map((id) => runAsync(this.getAsync(id))); }
        }`,
    },
    {
      name: 'a constructor that blocks is not a wrapper (no-sync-bridge concerns)',
      code: `${RUN_ASYNC}
        export class Connection {
          async connectAsync() {}
          constructor() { runAsync(this.connectAsync()); }
        }`,
    },
    {
      name: 'an async function is never a sync wrapper',
      code: `${RUN_ASYNC}
        export class TeamRepository {
          async listAsync() { return [] as string[]; }
          async list() { return runAsync(this.listAsync()); }
        }`,
    },
    {
      name: 'a function declared to return a promise just forwards the promise',
      code: `
        export class TeamRepository {
          async listAsync() { return [] as string[]; }
          list(): Promise<string[]> { return this.listAsync(); }
        }`,
    },
    {
      name: 'execSync of git is no bridge at all',
      code: `
        import { execSync } from 'node:child_process';
        export function gitHead() { return execSync('git rev-parse HEAD').toString().trim(); }`,
    },
    {
      name: 'a sync sleep on Atomics.wait and its caller wrap no async sibling',
      code: `
        function sleep(ms: number) { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); }
        export function pause() { sleep(100); }`,
    },
    {
      name: "another object's run() is not the helper class's run(): only a known async sibling counts",
      code: `
        import deasync from 'deasync';
        class AsyncRunner {
          run<T>(promise: Promise<T>): T {
            let done = false;
            let value: T | undefined;
            promise.then((v) => { value = v; done = true; }, () => { done = true; });
            deasync.loopWhile(() => !done);
            return value as T;
          }
        }
        export const runner = new AsyncRunner();
        export class Reports {
          constructor(private readonly db: { run(sql: string): unknown }) {}
          query(sql: string) { return this.db.run(this.buildSql(sql)); }
          buildSql(sql: string) { return sql.trim(); }
        }`,
    },
    {
      name: 'spawn() of the runner tracks a background task; it does not block',
      code: `
        import { spawn } from '@loop-audit/runtime';
        export class Sync {
          async syncAsync() {}
          sync() { spawn(this.syncAsync()); }
        }`,
    },
    {
      name: 'holding a runner is not wrapping anything',
      code: `
        import { getRunner } from '@loop-audit/runtime';
        const runner = getRunner();
        export function health() { return runner.health(); }`,
    },
    {
      name: 'blocking then doing other work: two statements that are not `const r = ...; return r`',
      code: `${RUN_ASYNC}
        const cache = new Map<string, string>();
        export class Settings {
          async warmAsync() {}
          get(key: string) {
            runAsync(this.warmAsync());
            return cache.get(key);
          }
        }`,
    },
    {
      name: 'deasync of a plain sync function wraps no async sibling',
      code: `
        import deasync from 'deasync';
        function parse(text: string) { return JSON.parse(text); }
        export const parseSync = deasync(parse);`,
    },
    {
      name: 'make-synchronous of a sync inline function wraps no async sibling',
      code: `
        import makeSynchronous from 'make-synchronous';
        export const add = makeSynchronous((a: number, b: number) => a + b);`,
    },
    {
      name: 'allowRunner: wrappers that already go through the runner are tolerated',
      options: [{ allowRunner: true }],
      code: `
        import { defineSync } from '@loop-audit/runtime';
        export const listEventsSync = defineSync(new URL('./graph.js', import.meta.url), 'listEvents');`,
    },
    {
      name: 'an unknown package helper is not a bridge unless the options name it',
      code: `
        import { runSync } from '@acme/sync-utils';
        import { fetchFlagsAsync } from '@acme/flags';
        export function loadFlags() { return runSync(fetchFlagsAsync()); }`,
    },
    {
      name: 'a worker helper called by method name: the async sibling is not visible here',
      code: `
        import { Worker, MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
        const { port1, port2 } = new MessageChannel();
        const signal = new Int32Array(new SharedArrayBuffer(4));
        const worker = new Worker(new URL('./graph-worker.js', import.meta.url), { workerData: { port: port2, signal }, transferList: [port2] });
        function callWorker(method: string, args: unknown[]) {
          Atomics.store(signal, 0, 0);
          worker.postMessage({ method, args });
          Atomics.wait(signal, 0, 0);
          return receiveMessageOnPort(port1)?.message;
        }
        export function listEvents(userId: string) { return callWorker('listEvents', [userId]); }`,
    },
    {
      name: 'untyped: an interface method is not known to be async without types',
      code: `
        import deasync from 'deasync';
        interface CalendarApi { listEvents(userId: string): Promise<string[]>; }
        const runSync = deasync((promise: Promise<unknown>, done: (error: unknown, value?: unknown) => void) => {
          promise.then((value) => done(null, value), done);
        });
        export class CalendarRepository {
          constructor(private readonly api: CalendarApi) {}
          listEvents(userId: string) { return runSync(this.api.listEvents(userId)); }
        }`,
    },
    {
      name: 'a generator is not a wrapper',
      code: `${RUN_ASYNC}
        export class Pages {
          async nextAsync() { return 1; }
          *pages() { yield runAsync(this.nextAsync()); }
        }`,
    },
  ],
  invalid: [
    {
      name: 'seed twin: a repository whose sync methods wrap async siblings through a local runAsync (_run_async)',
      code: `${RUN_ASYNC}
        export class AppointmentRepository {
          async listForUserAsync(start?: Date, end?: Date) { return [] as string[]; }
          async getByIdAsync(id: string) { return id; }
          async addAsync(appointment: string) {}
          async deleteAsync(id: string) { return true; }

          listForUser(start?: Date, end?: Date): string[] {
            return runAsync(this.listForUserAsync(start, end));
          }
          getById(id: string) {
            return runAsync(this.getByIdAsync(id)) as string;
          }
          add(appointment: string): void {
            runAsync(this.addAsync(appointment));
          }
          delete(id: string) {
            const deleted = runAsync(this.deleteAsync(id));
            return deleted;
          }
        }`,
      errors: [
        { ...wrapper('AppointmentRepository.listForUser', 'listForUserAsync', "'runAsync'"), line: 23, column: 11, endLine: 23, endColumn: 22 },
        wrapper('AppointmentRepository.getById', 'getByIdAsync', "'runAsync'"),
        wrapper('AppointmentRepository.add', 'addAsync', "'runAsync'"),
        wrapper('AppointmentRepository.delete', 'deleteAsync', "'runAsync'"),
      ],
    },
    {
      name: 'object-literal store: a method wrapping its async sibling',
      code: `${RUN_ASYNC}
        export const calendarStore = {
          async fetchEventsAsync(calendarId: string) { return [calendarId]; },
          fetchEvents(calendarId: string) { return runAsync(this.fetchEventsAsync(calendarId)); },
        };`,
      errors: [wrapper('fetchEvents', 'fetchEventsAsync', "'runAsync'")],
    },
    {
      name: 'an arrow wrapper bound to a const',
      code: `${RUN_ASYNC}
        async function getUserAsync(id: string) { return { id }; }
        export const getUser = (id: string) => runAsync(getUserAsync(id));`,
      errors: [{ ...wrapper('getUser', 'getUserAsync', "'runAsync'"), line: 18, column: 22, endColumn: 29 }],
    },
    {
      name: 'CommonJS: exports.x = function forwarding through a helper on destructured loopWhile',
      code: `
        const { loopWhile } = require('deasync');
        function runBlocking(promise) {
          let done = false, result;
          promise.then((value) => { result = value; done = true; });
          loopWhile(() => !done);
          return result;
        }
        async function fetchInvoiceAsync(id) { return { id }; }
        exports.loadInvoice = function (id) { return runBlocking(fetchInvoiceAsync(id)); };`,
      errors: [{ ...wrapper('exports.loadInvoice', 'fetchInvoiceAsync', "'runBlocking'"), line: 10, column: 9, endColumn: 28 }],
    },
    {
      name: 'const readSync = deasync(readAsync) over a callback-style sibling',
      code: `
        import deasync from 'deasync';
        import { readFile } from 'node:fs';
        function readAsync(path: string, callback: (error: Error | null, text?: string) => void) {
          readFile(path, 'utf8', callback);
        }
        export const readSync = deasync(readAsync);`,
      errors: [{ ...wrapper('readSync', 'readAsync', 'deasync'), line: 7, column: 22, endColumn: 30 }],
    },
    {
      name: 'const loadSync = makeSynchronous(load) over an async function',
      code: `
        import makeSynchronous from 'make-synchronous';
        async function loadManifest(url: string) {
          const response = await fetch(url);
          return response.json();
        }
        export const loadManifestSync = makeSynchronous(loadManifest);`,
      errors: [wrapper('loadManifestSync', 'loadManifest', 'make-synchronous')],
    },
    {
      name: 'make-synchronous over an inline async function',
      code: `
        import makeSynchronous from 'make-synchronous';
        export const fetchJsonSync = makeSynchronous(async (url: string) => {
          const response = await fetch(url);
          return response.json();
        });`,
      errors: [inlineWrapper('fetchJsonSync', 'make-synchronous')],
    },
    {
      name: 'this.save = deasync(callbackify(this.saveAsync.bind(this))) in a constructor',
      code: `
        import deasync from 'deasync';
        import { callbackify } from 'node:util';
        export class DraftStore {
          save: (draft: string) => void;
          constructor() {
            this.save = deasync(callbackify(this.saveAsync.bind(this)));
          }
          async saveAsync(draft: string) {}
        }`,
      errors: [{ ...wrapper('this.save', 'saveAsync', 'deasync'), line: 7, column: 13, endColumn: 22 }],
    },
    {
      name: 'a static class field bound to make-synchronous',
      code: `
        import makeSynchronous from 'make-synchronous';
        async function parseFeedAsync(url: string) { return url; }
        export class FeedReader {
          static parseSync = makeSynchronous(parseFeedAsync);
        }`,
      errors: [wrapper('parseSync', 'parseFeedAsync', 'make-synchronous')],
    },
    {
      name: 'deasync(this.fetchPage.bind(this))(...args): a callback-style method sibling',
      code: `
        import deasync from 'deasync';
        export class Crawler {
          fetchPage(url: string, callback: (error: Error | null, html?: string) => void) {
            setTimeout(() => callback(null, url), 10);
          }
          fetch(...args: [string]) {
            return deasync(this.fetchPage.bind(this))(...args);
          }
        }`,
      errors: [wrapper('Crawler.fetch', 'fetchPage', 'deasync')],
    },
    {
      name: 'a local binding of deasync(fs.readFile): wraps a Node callback API',
      code: `
        import fs from 'node:fs';
        import deasync from 'deasync';
        export function readSettings(file: string) {
          const readFileSync = deasync(fs.readFile);
          return readFileSync(file, 'utf8');
        }`,
      errors: [wrapper('readFileSync', 'fs.readFile', 'deasync')],
    },
    {
      name: 'deasync-promise over an async sibling from a package',
      code: `
        import deasyncPromise from 'deasync-promise';
        import { fetchTokenAsync } from 'oauth-client';
        export function getToken() { return deasyncPromise(fetchTokenAsync()); }`,
      errors: [wrapper('getToken', 'fetchTokenAsync', 'deasync')],
    },
    {
      name: "runner: getRunner().defineSync(url, 'getUser')(id) is still a wrapper, with its own message",
      code: `
        import { getRunner } from '@loop-audit/runtime';
        export class UserDirectory {
          getUser(id: string) {
            return getRunner().defineSync(new URL('./users.js', import.meta.url), 'getUser')(id);
          }
        }`,
      errors: [runnerWrapper('UserDirectory.getUser', 'getUser')],
    },
    {
      name: 'runner: a module-level defineSync binding',
      code: `
        import { defineSync } from '@loop-audit/runtime';
        export const listEventsSync = defineSync(new URL('./graph.js', import.meta.url), 'listEvents');
        export const loadDefaultSync = defineSync('./load.js');`,
      errors: [runnerWrapper('listEventsSync', 'listEvents'), runnerWrapper('loadDefaultSync', 'default')],
    },
    {
      name: 'runner: syncFunction on a created runner over an async function',
      code: `
        import { createRunner } from '@loop-audit/runtime';
        const runner = createRunner();
        async function hashPasswordAsync(password: string) { return password.length; }
        export const hashPasswordSync = runner.syncFunction(hashPasswordAsync);`,
      errors: [runnerWrapper('hashPasswordSync', 'hashPasswordAsync')],
    },
    {
      name: 'a getter and a setter wrapping async siblings',
      code: `${RUN_ASYNC}
        export class Preferences {
          async loadSettingsAsync() { return { theme: 'dark' }; }
          async saveThemeAsync(theme: string) {}
          get settings() { return runAsync(this.loadSettingsAsync()); }
          set theme(value: string) { runAsync(this.saveThemeAsync(value)); }
        }`,
      errors: [wrapper('Preferences.settings', 'loadSettingsAsync', "'runAsync'"), wrapper('Preferences.theme', 'saveThemeAsync', "'runAsync'")],
    },
    {
      name: 'a helper that forwards to another helper is a helper too (the seeds’ run_async over AsyncRunner)',
      code: `
        import deasync from 'deasync';
        function runBlocking<T>(promise: Promise<T>, timeoutMs: number): T {
          let done = false;
          let value: T | undefined;
          const timer = setTimeout(() => { done = true; }, timeoutMs);
          promise.then((v) => { value = v; done = true; clearTimeout(timer); }, () => { done = true; });
          deasync.loopWhile(() => !done);
          return value as T;
        }
        function runAsync<T>(promise: Promise<T>): T { return runBlocking(promise, 30_000); }
        export class TeamRepository {
          async listTeamsAsync() { return ['core']; }
          listTeams() { return runAsync(this.listTeamsAsync()); }
        }`,
      errors: [wrapper('TeamRepository.listTeams', 'listTeamsAsync', "'runAsync'")],
    },
    {
      name: 'a helper class with a run(promise) method, reached through an instance',
      code: `
        import deasync from 'deasync';
        class AsyncRunner {
          run<T>(promise: Promise<T>): T {
            let done = false;
            let value: T | undefined;
            promise.then((v) => { value = v; done = true; }, () => { done = true; });
            deasync.loopWhile(() => !done);
            return value as T;
          }
        }
        const runner = new AsyncRunner();
        async function listRoomsAsync() { return ['A1']; }
        export function listRooms() { return runner.run(listRoomsAsync()); }`,
      errors: [wrapper('listRooms', 'listRoomsAsync', "'run'")],
    },
    {
      name: 'a wrapper over the broken pseudo-bridge helper is still a wrapper',
      code: `
        function unwrap<T>(promise: Promise<T>): T | undefined {
          let result: T | undefined;
          promise.then((value) => { result = value; });
          return result;
        }
        async function fetchCurrentUserAsync() { return { id: 'me' }; }
        export function currentUser() { return unwrap(fetchCurrentUserAsync()); }`,
      errors: [wrapper('currentUser', 'fetchCurrentUserAsync', "'unwrap'")],
    },
    {
      name: "the seeds' naming: listForUser over aListForUser (alist_for_user) on another object",
      code: `
        import deasync from 'deasync';
        const runSync = deasync((promise: Promise<unknown>, done: (error: unknown, value?: unknown) => void) => {
          promise.then((value) => done(null, value), done);
        });
        export class GraphAppointmentRepository {
          constructor(private readonly graph: { aListForUser(userId: string): Promise<string[]> }) {}
          listForUser(userId: string) { return runSync(this.graph.aListForUser(userId)); }
        }`,
      errors: [wrapper('GraphAppointmentRepository.listForUser', 'graph.aListForUser', 'deasync')],
    },
    {
      name: "an SDK call handed to the helper's promise parameter is a promise by the helper's contract",
      code: `${RUN_ASYNC}
        export class GraphCalendar {
          constructor(private readonly client: { api(path: string): { get(): Promise<unknown> } }) {}
          getEvents(userId: string) { return runAsync(this.client.api('/users/' + userId + '/events').get()); }
        }`,
      errors: [wrapper('GraphCalendar.getEvents', 'get', "'runAsync'")],
    },
    {
      name: 'type arguments, assertions and extra bridge arguments do not hide the forwarding',
      code: `
        import deasync from 'deasync';
        function runAsync<T>(promise: Promise<T>, timeoutMs = 30_000): T {
          let done = false;
          let value: T | undefined;
          promise.then((v) => { value = v; done = true; }, () => { done = true; });
          deasync.loopWhile(() => !done);
          return value as T;
        }
        type Room = { id: string };
        export class RoomRepository {
          async listRoomsAsync(): Promise<Room[]> { return []; }
          listRooms(): Room[] { return runAsync<Room[]>(this.listRoomsAsync(), 5_000) as Room[]; }
        }`,
      errors: [wrapper('RoomRepository.listRooms', 'listRoomsAsync', "'runAsync'")],
    },
    {
      name: 'export default function wrapping an async sibling',
      code: `${RUN_ASYNC}
        async function loadAsync(id: string) { return { id }; }
        export default function (id: string) { return runAsync(loadAsync(id)); }`,
      errors: [{ ...wrapper('default', 'loadAsync', "'runAsync'"), line: 18, column: 24, endColumn: 45 }],
    },
    {
      name: 'a static factory wrapping its async twin',
      code: `${RUN_ASYNC}
        export class Session {
          static async fromIdAsync(id: string) { return new Session(); }
          static fromId(id: string) { return runAsync(Session.fromIdAsync(id)); }
        }`,
      errors: [wrapper('Session.fromId', 'Session.fromIdAsync', "'runAsync'")],
    },
    {
      name: 'bridgeHelpers option: a package helper named by the project',
      options: [{ bridgeHelpers: ['runSync'] }],
      code: `
        import { runSync } from '@acme/sync-utils';
        import { fetchFlagsAsync } from '@acme/flags';
        export function loadFlags() { return runSync(fetchFlagsAsync()); }`,
      errors: [wrapper('loadFlags', 'fetchFlagsAsync', "'runSync'")],
    },
    {
      name: 'runSync(fn, ...args): a helper that ships the function to a worker and sleeps in Atomics.wait',
      code: `
        import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
        function runSync<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): R {
          const signal = new Int32Array(new SharedArrayBuffer(4));
          const { port1, port2 } = new MessageChannel();
          const worker = new Worker(new URL('./bridge-worker.js', import.meta.url), { workerData: { signal, port: port2, name: fn.name, args }, transferList: [port2] });
          worker.unref();
          Atomics.wait(signal, 0, 0);
          return receiveMessageOnPort(port1)?.message as R;
        }
        export async function findOrder(id: string) { return { id }; }
        export function findOrderSync(id: string) { return runSync(findOrder, id); }`,
      errors: [wrapper('findOrderSync', 'findOrder', "'runSync'")],
    },
    {
      name: 'class-field arrows and module.exports members as wrappers',
      code: `${RUN_ASYNC}
        export class InvoiceRepository {
          async findAsync(id: string) { return { id }; }
          find = (id: string) => runAsync(this.findAsync(id));
        }
        async function sendReminderAsync(invoiceId: string) {}
        module.exports.sendReminder = function sendReminder(invoiceId: string) { runAsync(sendReminderAsync(invoiceId)); };`,
      errors: [
        { ...wrapper('find', 'findAsync', "'runAsync'"), line: 19, column: 11, endColumn: 15 },
        { ...wrapper('module.exports.sendReminder', 'sendReminderAsync', "'runAsync'"), line: 22, column: 9 },
      ],
    },
    {
      name: 'a class whose many methods are wrappers: one report each, methods doing work are left alone',
      code: `${RUN_ASYNC}
        export class MSGraphCalendarRepository {
          async listCalendarsAsync() { return ['work']; }
          async getCalendarAsync(id: string) { return id; }
          async createEventAsync(calendarId: string, subject: string) { return subject; }
          async deleteEventAsync(id: string) {}
          listCalendars() { return runAsync(this.listCalendarsAsync()); }
          getCalendar(id: string) { return runAsync(this.getCalendarAsync(id)); }
          createEvent(calendarId: string, subject: string) { return runAsync(this.createEventAsync(calendarId, subject)); }
          deleteEvent(id: string) { runAsync(this.deleteEventAsync(id)); }
          countCalendars() { return this.listCalendars().length; }
        }`,
      errors: [
        wrapper('MSGraphCalendarRepository.listCalendars', 'listCalendarsAsync', "'runAsync'"),
        wrapper('MSGraphCalendarRepository.getCalendar', 'getCalendarAsync', "'runAsync'"),
        wrapper('MSGraphCalendarRepository.createEvent', 'createEventAsync', "'runAsync'"),
        wrapper('MSGraphCalendarRepository.deleteEvent', 'deleteEventAsync', "'runAsync'"),
      ],
    },
  ],
});

typedTester.run('no-sync-wrapper (typed)', tested, {
  valid: [
    {
      name: 'typed: a method returning a plain string is no async sibling, whatever the helper expects',
      filename: TYPED,
      code: `${RUN_ASYNC}
        export class Codec {
          decode(text: string): string { return text; }
          parse(text: string) { return runAsync(this.decode(text) as never); }
        }`,
    },
    {
      name: 'typed: the checker overrules the naming heuristic (compute returns a number)',
      filename: TYPED,
      code: `
        import makeSynchronous from 'make-synchronous';
        declare function compute(n: number): number;
        export const computeSync = makeSynchronous(compute as never);`,
    },
    {
      name: 'typed: a Map lookup handed to a deasync bridge is no sibling',
      filename: TYPED,
      code: `
        import deasync from 'deasync';
        const runSync = deasync((promise: Promise<unknown>, done: (error: unknown, value?: unknown) => void) => {
          promise.then((value) => done(null, value), done);
        });
        export class Cache {
          private readonly entries = new Map<string, string>();
          get(key: string) { return runSync(this.entries.get(key)); }
        }`,
    },
  ],
  invalid: [
    {
      name: 'typed: the sibling is async only by its interface type',
      filename: TYPED,
      code: `
        import deasync from 'deasync';
        interface CalendarApi { listEvents(userId: string): Promise<string[]>; }
        const runSync = deasync((promise: Promise<unknown>, done: (error: unknown, value?: unknown) => void) => {
          promise.then((value) => done(null, value), done);
        });
        export class CalendarRepository {
          constructor(private readonly api: CalendarApi) {}
          listEvents(userId: string) { return runSync(this.api.listEvents(userId)); }
        }`,
      errors: [wrapper('CalendarRepository.listEvents', 'api.listEvents', 'deasync')],
    },
    {
      name: 'typed: make-synchronous over a declared promise-returning function',
      filename: TYPED,
      code: `
        import makeSynchronous from 'make-synchronous';
        declare const fetchRates: (base: string) => Promise<number>;
        export const currentRates = makeSynchronous(fetchRates);`,
      errors: [wrapper('currentRates', 'fetchRates', 'make-synchronous')],
    },
    {
      name: 'typed: a PromiseLike-returning dependency behind a local helper resolved by symbol',
      filename: TYPED,
      code: `${RUN_ASYNC}
        interface AppointmentSource { findById(id: string): PromiseLike<string | undefined>; }
        export class AppointmentRepository {
          constructor(private readonly source: AppointmentSource) {}
          getById(id: string) { return runAsync(Promise.resolve(this.source.findById(id))); }
          findById(id: string) { return runAsync(this.source.findById(id) as Promise<string | undefined>); }
        }`,
      errors: [wrapper('AppointmentRepository.findById', 'source.findById', "'runAsync'")],
    },
    {
      name: 'typed: deasync over a callback-style method known by its type',
      filename: TYPED,
      code: `
        import deasync from 'deasync';
        interface KeyValueStore { read(key: string, callback: (error: Error | null, value?: string) => void): void; }
        export class Settings {
          constructor(private readonly store: KeyValueStore) {}
          readSetting = deasync(this.store.read.bind(this.store));
        }`,
      errors: [wrapper('readSetting', 'store.read', 'deasync')],
    },
  ],
});

espreeTester.run('no-sync-wrapper (espree)', tested, {
  valid: [
    {
      name: 'espree: an async data layer awaited by its callers',
      code: `
        class UserRepository {
          async findAsync(id) { return { id }; }
        }
        async function showUser(repository, id) {
          const user = await repository.findAsync(id);
          return user.id;
        }
        module.exports = { UserRepository, showUser };`,
    },
    {
      name: 'espree: the helper alone',
      code: `
        const deasync = require('deasync');
        ${RUN_ASYNC_JS}
        module.exports = { runAsync };`,
    },
  ],
  invalid: [
    {
      name: 'espree: CommonJS repository with a local deasync helper',
      code: `
        const deasync = require('deasync');
        ${RUN_ASYNC_JS}
        class AppointmentRepository {
          async listAsync(userId) { return [userId]; }
          list(userId) { return runAsync(this.listAsync(userId)); }
        }
        module.exports = { AppointmentRepository };`,
      errors: [wrapper('AppointmentRepository.list', 'listAsync', "'runAsync'")],
    },
    {
      name: 'espree: ESM make-synchronous binding',
      code: `
        import makeSynchronous from 'make-synchronous';
        export async function readConfig(path) {
          const { readFile } = await import('node:fs/promises');
          return JSON.parse(await readFile(path, 'utf8'));
        }
        export const readConfigSync = makeSynchronous(readConfig);`,
      errors: [wrapper('readConfigSync', 'readConfig', 'make-synchronous')],
    },
    {
      name: 'espree: arrow wrappers as module.exports properties',
      code: `
        const deasync = require('deasync');
        ${RUN_ASYNC_JS}
        async function getUserAsync(id) { return { id }; }
        module.exports = { getUser: (id) => runAsync(getUserAsync(id)) };`,
      errors: [wrapper('getUser', 'getUserAsync', "'runAsync'")],
    },
  ],
});

// Helpers imported from relative modules: read from disk without a program, through the checker with one.
const fixtureRoot = path.join(repoRoot, 'fixtures/sync-wrapper');
const SERVICE = 'src/services/calendar-archive-service.ts';
const serviceFile = path.join(fixtureRoot, SERVICE);

untypedTester.run('no-sync-wrapper (helpers in other modules, untyped)', tested, {
  valid: [
    {
      name: 'a helper name imported from a module that does not exist is not known to bridge',
      filename: serviceFile,
      code: `
        import { runBlocking } from '../utilities/no-such-module.js';
        export class ReportService {
          async buildAsync(day: string) { return day; }
          build(day: string) { return runBlocking(this.buildAsync(day)); }
        }`,
    },
    {
      name: 'an imported function that is no bridge helper',
      filename: serviceFile,
      code: `
        import { appointmentFromGraph } from '../models/appointment.js';
        export class ReportService {
          async loadAsync(day: string) { return { id: day, subject: null, start: { dateTime: day, timeZone: 'UTC' }, end: { dateTime: day, timeZone: 'UTC' } }; }
          load(day: string) { return appointmentFromGraph('me', this.loadAsync(day) as never); }
        }`,
    },
  ],
  invalid: [
    {
      name: "a named import of the shared runner module's runBlocking",
      filename: serviceFile,
      code: `
        import { runBlocking } from '../utilities/async-runner.js';
        export class ReportService {
          async buildAsync(day: string) { return day; }
          build(day: string) { return runBlocking(this.buildAsync(day)); }
        }`,
      errors: [wrapper('ReportService.build', 'buildAsync', "'runBlocking'")],
    },
    {
      name: 'a namespace import of the shared runner module',
      filename: serviceFile,
      code: `
        import * as asyncRunner from '../utilities/async-runner.js';
        export function exportDay(day: string) { return asyncRunner.runBlocking(exportDayAsync(day)); }
        async function exportDayAsync(day: string) { return day.length; }`,
      errors: [wrapper('exportDay', 'exportDayAsync', "'runBlocking'")],
    },
  ],
});

const fixtureTester = new RuleTester({
  languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: fixtureRoot, ...MANY_LINTS_PER_PROCESS } },
});

fixtureTester.run('no-sync-wrapper (helpers in other modules, typed)', tested, {
  valid: [],
  invalid: [
    {
      name: "typed: the service's wrapper over runBlocking, resolved through the checker's symbol",
      filename: SERVICE,
      code: readFileSync(serviceFile, 'utf8'),
      errors: [{ ...wrapper('CalendarArchiveService.archiveDay', 'archiveDayAsync', "'runBlocking'"), line: 34 }],
    },
  ],
});
