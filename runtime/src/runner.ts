import { isAbsolute } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort, type ResourceLimits } from 'node:worker_threads';
import { RunnerCrashedError, RunnerError, RunnerLoadError, RunnerStoppedError, RunnerTimeoutError } from './errors.js';
import { fromWire, type WireThrown } from './wire.js';
import {
  CALL,
  CONTROL_WORDS,
  CURRENT,
  DEAD,
  LATENCY_BYTES,
  LATENCY_SLOTS,
  LATE_DONE,
  MSG_LOAD_MODULE,
  MSG_LOAD_SOURCE,
  MSG_PING,
  PONGS,
  REPLIES,
  REPLY,
  REPLY_LOAD_FAILED,
  REPLY_OK,
  STATE,
  nextCallId,
  type ExitNotice,
  type WorkerBoot,
} from './protocol.js';
import type { AnyFunction, DrainResult, RunnerHealth, RunnerOptions, SafeSyncFunction, SafeSyncOptions, Spawnable, SpawnOptions, SyncFunction, SyncOptions, TaskInfo, Untyped } from './types.js';
import { WORKER_SOURCE } from './worker-source.js';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
/** How long a timed-out worker gets to prove its event loop still turns before it is replaced. */
const WEDGE_GRACE_MS = 1_000;

/**
 * One function the worker can run. Shared by every `defineSync` of the same export (and every
 * `syncFunction` of the same source), so code that defines its bridge inline, on every call, does
 * not grow the worker's table or re-import anything.
 */
interface Target {
  readonly slot: number;
  readonly load: { readonly url: string; readonly name: string } | { readonly src: string; readonly name: string };
  readonly label: string;
  /** Generation of the worker this function was last defined in. */
  generation: number;
}

interface FnRecord {
  readonly target: Target;
  readonly timeoutMs: number;
}

interface WorkerHandle {
  readonly worker: Worker;
  readonly data: MessagePort;
  readonly ctl: MessagePort;
  readonly words: Int32Array;
  readonly generation: number;
  readonly threadId: number;
  /** Timed-out calls this worker was still running; compare with its LATE_DONE word. */
  abandoned: number;
  retired: boolean;
}

interface TaskRecord {
  readonly name: string;
}

function toModuleUrl(spec: string | URL): string {
  if (typeof spec === 'object' && spec !== null && typeof spec.href === 'string') return spec.href;
  if (typeof spec !== 'string') throw new TypeError(`@loop-audit/runtime: expected a module path or URL, got ${typeof spec}`);
  // Checked before the URL test so a Windows drive letter is not read as a URL scheme.
  if (isAbsolute(spec)) return pathToFileURL(spec).href;
  if (/^[a-z][a-z0-9+.-]+:/i.test(spec)) return spec;
  throw new TypeError(
    `@loop-audit/runtime: '${spec}' is relative, and relative to what is ambiguous. Pass an absolute path or a URL: ` +
      `new URL('${spec}', import.meta.url) in ESM, path.join(__dirname, '${spec}') in CommonJS.`,
  );
}

/** Module helpers bundlers and transpilers put into functions (webpack/ncc, esbuild, Babel, TypeScript's CommonJS output): they exist only in the bundle. */
const BUNDLER_HELPER = /\b(?:__nccwpck_require__|__webpack_require__|__toESM|__require|_interopRequireWildcard|_interopRequireDefault|__importStar|__importDefault)\b/;

function checkTimeout(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) {
    throw new RangeError(`@loop-audit/runtime: timeoutMs must be a positive number or Infinity, got ${String(value)}`);
  }
  return value;
}

function shortLabel(url: string, name: string): string {
  const file = url.startsWith('data:') ? 'data: module' : url.slice(url.lastIndexOf('/') + 1);
  return `${name}() from ${file}`;
}

function callerStack(entry: AnyFunction): string {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, entry);
  const stack = holder.stack ?? '';
  const firstFrame = stack.indexOf('\n');
  return firstFrame === -1 ? '' : stack.slice(firstFrame + 1);
}

function describe(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: typeof error, message: inspect(error, { depth: 2, breakLength: Infinity }) };
}

// One process 'exit' listener for all runners: a task still pending at exit did not fail, but it
// did not finish either, and that should not pass in silence.
const liveRunners = new Set<WeakRef<Runner>>();
const forget = new FinalizationRegistry<WeakRef<Runner>>((ref) => liveRunners.delete(ref));
let exitHookInstalled = false;
function registerRunner(runner: Runner): WeakRef<Runner> {
  const ref = new WeakRef(runner);
  liveRunners.add(ref);
  forget.register(runner, ref);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      // Element access reaches the private method: it is not part of the public surface.
      for (const weak of liveRunners) weak.deref()?.['warnPendingAtExit']();
    });
  }
  return ref;
}

export class Runner {
  private readonly timeoutMs: number;
  private readonly onTaskError: ((error: unknown, task: TaskInfo) => void | Promise<void>) | undefined;
  private readonly exitOnTaskFailure: boolean;
  private readonly exitGraceMs: number;
  /** Set once an unhandled task failure has started the process's exit. */
  private failed = false;
  /** Set by runMain: it takes over the exit after an unhandled task failure (abort, drain, shut down). */
  private failureExit: (() => void) | undefined;
  private readonly maxRestarts: number;
  private readonly restartWindowMs: number;
  private readonly restartBackoffMs: number;
  private readonly maxRestartBackoffMs: number;
  private readonly resourceLimits: ResourceLimits | undefined;
  private readonly ref: WeakRef<Runner>;

  private current: WorkerHandle | undefined;
  private generation = 0;
  private nextSlot = 0;
  private readonly targets = new Map<string, Target>();
  private lastId = 0;
  private inCall = false;
  private stopping: Promise<DrainResult> | undefined;
  private stopped = false;

  private restartTimes: number[] = [];
  private consecutiveCrashes = 0;
  private lastCrashAt = 0;
  private heldBack = false;

  private restarts = 0;
  private crashes = 0;
  private timeouts = 0;
  private calls = 0;
  private errors = 0;
  private failing = false;
  private lastError: RunnerHealth['lastError'] = null;
  /** Written by the worker (see protocol.ts), kept across restarts. */
  private readonly latency = new SharedArrayBuffer(LATENCY_BYTES);

  private readonly tasks = new Set<TaskRecord>();
  private tasksSpawned = 0;
  private taskFailures = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(options: RunnerOptions = {}) {
    this.timeoutMs = checkTimeout(options.timeoutMs, DEFAULT_TIMEOUT_MS);
    this.onTaskError = options.onTaskError;
    this.exitOnTaskFailure = options.exitOnTaskFailure ?? true;
    this.exitGraceMs = options.exitGraceMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
    this.maxRestarts = options.maxRestarts ?? 5;
    this.restartWindowMs = options.restartWindowMs ?? 60_000;
    this.restartBackoffMs = options.restartBackoffMs ?? 100;
    this.maxRestartBackoffMs = options.maxRestartBackoffMs ?? 5_000;
    this.resourceLimits = options.resourceLimits;
    this.ref = registerRunner(this);
  }

  // ---------------------------------------------------------------- sync bridge

  /**
   * A synchronous function that runs `exportName` of the module in the runner's worker and blocks
   * until it settles. The module is loaded once per worker, on the first call.
   */
  defineSync<F extends AnyFunction = Untyped>(module: string | URL, exportName?: string, options?: SyncOptions): SyncFunction<F>;
  defineSync<F extends AnyFunction = Untyped, D = unknown>(module: string | URL, exportName: string, options: SafeSyncOptions<D>): SafeSyncFunction<F, D>;
  defineSync(module: string | URL, exportName = 'default', options: SyncOptions | SafeSyncOptions<unknown> = {}): AnyFunction {
    const url = toModuleUrl(module);
    if (typeof exportName !== 'string' || exportName === '') throw new TypeError('@loop-audit/runtime: exportName must be a non-empty string');
    return this.bridge(`m ${exportName} ${url}`, { url, name: exportName }, shortLabel(url, exportName), options);
  }

  /**
   * Drop-in for `makeSynchronous(fn)`: the function's source is shipped to the runner's worker
   * once, so it must be self-contained (no closure variables; import what it needs inside).
   */
  // Parameters and result as separate type parameters: a generic `fn` keeps its type parameters.
  syncFunction<A extends unknown[], R>(fn: (...args: A) => R, options?: SyncOptions): (...args: A) => Awaited<R>;
  syncFunction<A extends unknown[], R, D>(fn: (...args: A) => R, options: SafeSyncOptions<D>): (...args: A) => Awaited<R> | D;
  syncFunction(fn: AnyFunction, options: SyncOptions | SafeSyncOptions<unknown> = {}): AnyFunction {
    if (typeof fn !== 'function') throw new TypeError('@loop-audit/runtime: syncFunction expects a function');
    const src = Function.prototype.toString.call(fn);
    if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) {
      throw new TypeError('@loop-audit/runtime: syncFunction cannot ship a native or bound function; pass its source function');
    }
    const helper = BUNDLER_HELPER.exec(src);
    if (helper) {
      throw new TypeError(
        `@loop-audit/runtime: syncFunction got a function a bundler or transpiler has rewritten (it calls ${helper[0]}, which does not exist in the worker). ` +
          `Load built-ins with process.getBuiltinModule('node:…') instead of import(), or move the function into a module and use defineSync.`,
      );
    }
    const name = fn.name || 'anonymous';
    return this.bridge(`s ${src}`, { src, name }, `${name}() via syncFunction`, options);
  }

  private bridge(key: string, load: Target['load'], label: string, options: SyncOptions | SafeSyncOptions<unknown>): AnyFunction {
    const timeoutMs = checkTimeout(options.timeoutMs, this.timeoutMs);
    let target = this.targets.get(key);
    if (target === undefined) {
      target = { slot: this.nextSlot++, load, label, generation: 0 };
      this.targets.set(key, target);
    }
    const record: FnRecord = { target, timeoutMs };
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the returned functions keep their own `this` (a caller's receiver) and reach the runner through this alias
    const runner = this;
    // `arguments` rather than rest parameters: the common single-argument call allocates nothing.
    if ('default' in options) {
      const fallback = options.default;
      const safe = function (this: unknown, arg: unknown): unknown {
        try {
          return arguments.length === 1
            ? runner.call(record, arg, true, safe)
            : // eslint-disable-next-line prefer-rest-params -- `arguments` rather than rest parameters: the single-argument call allocates nothing
              runner.call(record, Array.prototype.slice.call(arguments), false, safe);
        } catch {
          return fallback;
        }
      };
      return safe;
    }
    const sync = function (this: unknown, arg: unknown): unknown {
      return arguments.length === 1
        ? runner.call(record, arg, true, sync)
        : // eslint-disable-next-line prefer-rest-params -- `arguments` rather than rest parameters: the single-argument call allocates nothing
          runner.call(record, Array.prototype.slice.call(arguments), false, sync);
    };
    return sync;
  }

  /** The hot path. Protocol and its invariants: protocol.ts. */
  private call(record: FnRecord, payload: unknown, single: boolean, entry: AnyFunction): unknown {
    if (this.stopped) throw this.noteFailure(new RunnerStoppedError(record.target.label), 'call');
    if (this.inCall) {
      // Only reachable from code that runs inside a sync call on this thread: a getter that
      // structured clone invokes on an argument. It would overwrite the call in flight.
      throw new RunnerError(`@loop-audit/runtime: ${record.target.label} was called re-entrantly during another sync call`, 'ERR_RUNNER_REENTRANT');
    }
    this.inCall = true;
    try {
      return this.roundTrip(record, payload, single, entry);
    } finally {
      this.inCall = false;
    }
  }

  private roundTrip(record: FnRecord, payload: unknown, single: boolean, entry: AnyFunction): unknown {
    let handle = this.current;
    if (handle === undefined || Atomics.load(handle.words, STATE) === DEAD) handle = this.startWorker();
    const { data, words } = handle;
    const { target } = record;
    if (target.generation !== handle.generation) {
      handle.ctl.postMessage(
        'url' in target.load ? { t: MSG_LOAD_MODULE, f: target.slot, url: target.load.url, name: target.load.name } : { t: MSG_LOAD_SOURCE, f: target.slot, src: target.load.src },
      );
      target.generation = handle.generation;
    }
    const id = (this.lastId = nextCallId(this.lastId));
    Atomics.store(words, CALL, (target.slot << 1) | (single ? 1 : 0));
    Atomics.store(words, CURRENT, id);
    // Read before posting: the reply to this call bumps the counter past this value.
    let seen = Atomics.load(words, REPLIES);
    try {
      data.postMessage(payload);
    } catch (error) {
      // DataCloneError for arguments that cannot be cloned: nothing was sent.
      Atomics.store(words, CURRENT, 0);
      throw error;
    }
    // No clock reads on this path: the first wait carries the whole timeout, and only a wake-up
    // the protocol does not produce (no reply, no death, no timeout) needs a deadline, which
    // then starts from that moment.
    let wait = record.timeoutMs;
    let deadline = Number.NaN;
    for (;;) {
      // eslint-disable-next-line loop-audit/no-sync-bridge -- the runtime's own bridge: one persistent worker, waited on by design (bounded by the call's timeout)
      const outcome = Atomics.wait(words, REPLIES, seen, wait);
      // Before looking for the reply: a reply posted after this load bumps past it and wakes the next wait.
      seen = Atomics.load(words, REPLIES);
      const m = receiveMessageOnPort(data);
      if (m !== undefined) {
        const reply = Atomics.load(words, REPLY);
        if (reply >>> 2 === id) return this.settle(record, m.message, reply & 3, entry);
      }
      if (Atomics.load(words, STATE) === DEAD) throw this.workerDied(handle, record);
      if (outcome !== 'timed-out') {
        if (Number.isNaN(deadline)) deadline = performance.now() + wait;
        wait = deadline - performance.now();
      }
      // No slices: deaths that skip the worker's exit hook (out of memory, native abort) are
      // invisible from a blocked thread; the deadline plus the liveness probe catch them.
      if (outcome === 'timed-out' || wait <= 0) {
        Atomics.store(words, CURRENT, 0);
        const responsive = this.probe(handle);
        // A reply that raced the deadline was posted before the pong: take it rather than waste it.
        const raced = responsive ? receiveMessageOnPort(data) : undefined;
        const reply = Atomics.load(words, REPLY);
        if (raced !== undefined && reply >>> 2 === id) return this.settle(record, raced.message, reply & 3, entry);
        throw this.timedOut(handle, record, responsive);
      }
    }
  }

  private settle(record: FnRecord, payload: unknown, kind: number, entry: AnyFunction): unknown {
    this.calls++;
    this.consecutiveCrashes = 0;
    this.failing = false;
    if (kind === REPLY_OK) return payload;
    this.errors++;
    if (kind === REPLY_LOAD_FAILED) {
      const cause = fromWire(payload as WireThrown);
      const detail = cause instanceof Error ? cause.message : String(cause);
      const { load, label } = record.target;
      const what = 'url' in load ? `export '${load.name}' of ${load.url}` : `function ${label}`;
      throw this.noteFailure(new RunnerLoadError(what, detail, { cause }), 'load');
    }
    const error = fromWire(payload as WireThrown, callerStack(entry));
    this.lastError = { source: 'call', ...describe(error), at: new Date().toISOString() };
    throw error;
  }

  private noteFailure<E extends Error>(error: E, source: NonNullable<RunnerHealth['lastError']>['source']): E {
    if (source !== 'call' && source !== 'task') this.failing = true;
    this.lastError = { source, name: error.name, message: error.message, at: new Date().toISOString() };
    return error;
  }

  private workerDied(handle: WorkerHandle, record: FnRecord): RunnerCrashedError {
    const notice = receiveMessageOnPort(handle.ctl)?.message as ExitNotice | undefined;
    this.retire(handle, true);
    this.calls++;
    this.errors++;
    const cause = notice?.error === undefined ? undefined : fromWire(notice.error as WireThrown);
    const how =
      notice === undefined
        ? 'died'
        : cause instanceof Error
          ? `crashed (uncaught ${cause.name}: ${cause.message})`
          : cause !== undefined
            ? `crashed (uncaught ${inspect(cause)})`
            : `exited with code ${notice.code}`;
    const error = new RunnerCrashedError(`@loop-audit/runtime: the worker ${how} while running ${record.target.label}; the next call starts a fresh worker`, { cause, exitCode: notice?.code });
    return this.noteFailure(error, 'crash');
  }

  private timedOut(handle: WorkerHandle, record: FnRecord, responsive: boolean): RunnerTimeoutError {
    this.timeouts++;
    this.calls++;
    this.errors++;
    if (responsive) handle.abandoned++;
    else this.retire(handle, true);
    return this.noteFailure(new RunnerTimeoutError(record.target.label, record.timeoutMs, !responsive), 'timeout');
  }

  /** Does the worker's event loop still turn? A wedged (or silently dead) worker cannot answer. */
  private probe(handle: WorkerHandle): boolean {
    const { words } = handle;
    const before = Atomics.load(words, PONGS);
    handle.ctl.postMessage({ t: MSG_PING });
    const deadline = performance.now() + WEDGE_GRACE_MS;
    while (Atomics.load(words, PONGS) === before) {
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.load(words, STATE) === DEAD) return false;
      // eslint-disable-next-line loop-audit/no-sync-bridge -- the runtime's own bridge: one persistent worker, waited on by design (bounded by WEDGE_GRACE_MS)
      Atomics.wait(words, PONGS, before, left);
    }
    return Atomics.load(words, STATE) !== DEAD;
  }

  private startWorker(): WorkerHandle {
    const stale = this.current;
    if (stale !== undefined) this.retire(stale, true);
    if (this.generation > 0) {
      const now = Date.now();
      this.restartTimes = this.restartTimes.filter((t) => now - t < this.restartWindowMs);
      if (this.restartTimes.length >= this.maxRestarts) {
        this.heldBack = true;
        throw this.noteFailure(
          new RunnerCrashedError(
            `@loop-audit/runtime: restart limit reached (${this.maxRestarts} restarts within ${this.restartWindowMs} ms); ` +
              `not restarting the worker until ${new Date(this.restartTimes[0]! + this.restartWindowMs).toISOString()}`,
          ),
          'crash',
        );
      }
      if (this.consecutiveCrashes >= 2) {
        const delay = Math.min(this.restartBackoffMs * 2 ** (this.consecutiveCrashes - 2), this.maxRestartBackoffMs);
        if (now < this.lastCrashAt + delay) {
          this.heldBack = true;
          throw this.noteFailure(
            new RunnerCrashedError(`@loop-audit/runtime: the worker crashed ${this.consecutiveCrashes} times in a row; ` + `backing off ${delay} ms before restarting it`),
            'crash',
          );
        }
      }
      this.restartTimes.push(now);
      this.restarts++;
    }
    this.heldBack = false;
    const control = new SharedArrayBuffer(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT);
    const data = new MessageChannel();
    const ctl = new MessageChannel();
    const boot: WorkerBoot = { control, latency: this.latency, data: data.port2, ctl: ctl.port2 };
    // The worker is one self-contained script held as a string (see scripts/embed-worker.mjs):
    // nothing to locate on disk, so bundling this package cannot separate the two.
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: boot,
      transferList: [data.port2, ctl.port2],
      ...(this.resourceLimits ? { resourceLimits: this.resourceLimits } : {}),
    });
    // A process that is done must exit without calling shutdown().
    worker.unref();
    data.port1.unref();
    ctl.port1.unref();
    const handle: WorkerHandle = {
      worker,
      data: data.port1,
      ctl: ctl.port1,
      words: new Int32Array(control),
      generation: ++this.generation,
      threadId: worker.threadId,
      abandoned: 0,
      retired: false,
    };
    // Without an 'error' listener an uncaught error in the worker would crash this process.
    worker.on('error', (error) => {
      if (!handle.retired) this.noteFailure(error instanceof Error ? error : new Error(String(error)), 'crash');
    });
    // Deaths while no call is waiting surface here; deaths during a call are handled by the call.
    worker.on('exit', () => {
      if (!handle.retired && !this.stopped) {
        this.failing = true;
        this.retire(handle, true);
      }
    });
    this.current = handle;
    return handle;
  }

  private retire(handle: WorkerHandle, failed: boolean): void {
    if (handle.retired) return;
    handle.retired = true;
    if (this.current === handle) this.current = undefined;
    if (failed) {
      this.crashes++;
      this.consecutiveCrashes++;
      this.lastCrashAt = Date.now();
    }
    handle.data.close();
    handle.ctl.close();
    handle.worker.terminate().catch(() => undefined);
  }

  /** An idle death is otherwise only noticed by the next call (or the 'exit' event, later). */
  private poll(): void {
    const handle = this.current;
    if (handle !== undefined && Atomics.load(handle.words, STATE) === DEAD) {
      this.failing = true;
      this.retire(handle, true);
    }
  }

  // ---------------------------------------------------------------- tracked tasks

  /**
   * Track a fire-and-forget task. Its error is reported exactly once (to `onTaskError`, else on
   * stderr, and then `exitOnTaskFailure` applies) and never becomes an unhandled rejection. The
   * returned promise never rejects: it resolves to the task's value, or to `undefined` if the task
   * failed. `undefined` or `null` (what `maybe?.save()` floats) is nothing to track.
   */
  spawn<T = undefined>(task: Spawnable<T>, options: SpawnOptions = {}): Promise<Awaited<T> | undefined> {
    if (task === undefined || task === null) return Promise.resolve(undefined);
    const name = options.name ?? (typeof task === 'function' && task.name ? task.name : 'anonymous task');
    let running: Promise<Awaited<T>>;
    if (typeof task === 'function') {
      try {
        running = Promise.resolve(task());
      } catch (error) {
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the task's own throw, passed on unchanged to whoever handles it
        running = Promise.reject(error);
      }
    } else {
      // Adopts any thenable, as `await` would; a `then` that throws becomes the task's failure.
      running = Promise.resolve(task as PromiseLike<T>);
    }
    const record: TaskRecord = { name };
    this.tasks.add(record);
    this.tasksSpawned++;
    return running.then(
      (value) => {
        this.taskDone(record);
        return value;
      },
      (error: unknown) => {
        this.reportTask(error, record);
        this.taskDone(record);
        return undefined;
      },
    );
  }

  /** Tasks spawned and not yet settled. */
  get pendingTasks(): number {
    return this.tasks.size;
  }

  private taskDone(record: TaskRecord): void {
    this.tasks.delete(record);
    if (this.tasks.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private reportTask(error: unknown, task: TaskInfo): void {
    this.taskFailures++;
    this.lastError = { source: 'task', ...describe(error), at: new Date().toISOString() };
    const handler = this.onTaskError;
    if (handler === undefined) {
      if (toUnhandledRejectionListeners(error)) return;
      console.error(`@loop-audit/runtime: task "${task.name}" failed: ${inspect(error)}`);
      this.unhandledFailure(task);
      return;
    }
    const handlerFailed = (failure: unknown): void => {
      console.error(`@loop-audit/runtime: onTaskError threw while reporting task "${task.name}": ${inspect(failure)}`);
      console.error(`@loop-audit/runtime: the task's own error: ${inspect(error)}`);
      this.unhandledFailure(task);
    };
    try {
      const handled = handler(error, { name: task.name });
      if (handled !== undefined && typeof handled.then === 'function') {
        handled.then(undefined, handlerFailed);
      }
    } catch (failure) {
      handlerFailed(failure);
    }
  }

  /**
   * A task failed and nothing handled its error. The original floating promise would have been
   * an unhandled rejection, which ends a Node process with code 1, so by default this ends it
   * too, but in order: the other tasks get `exitGraceMs` to settle (their failures are reported
   * as well), then the process exits, whatever handles are still open. A failed CLI must not sit
   * there with a file watcher or a server holding it alive.
   */
  private unhandledFailure(task: TaskInfo): void {
    process.exitCode = 1;
    if (!this.exitOnTaskFailure || this.failed) return;
    this.failed = true;
    console.error(`@loop-audit/runtime: exiting with code 1 because task "${task.name}" failed and nothing handled its error ` + `(give the runner an onTaskError to handle task failures)`);
    if (this.failureExit !== undefined) {
      this.failureExit();
      return;
    }
    // eslint-disable-next-line loop-audit/no-floating-promise -- drain() never rejects (it resolves on settle or timeout) and the handler only logs and exits
    void this.drain({ timeoutMs: this.exitGraceMs }).then((result) => {
      if (!result.drained) {
        console.error(`@loop-audit/runtime: ${result.pendingTasks} task(s) still running after ${this.exitGraceMs} ms; exiting anyway`);
      }
      process.exit(1);
    });
  }

  /** Wait until every tracked task (including ones spawned while waiting) has settled, or the timeout passes. */
  drain(options: { timeoutMs?: number | undefined } = {}): Promise<DrainResult> {
    if (this.tasks.size === 0) return Promise.resolve({ drained: true, pendingTasks: 0 });
    const timeoutMs = options.timeoutMs;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const onIdle = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        resolve({ drained: true, pendingTasks: 0 });
      };
      this.idleWaiters.push(onIdle);
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
        // Deliberately ref'd: a drain with a deadline must reach it even if the tasks hold nothing open.
        timer = setTimeout(
          () => {
            const index = this.idleWaiters.indexOf(onIdle);
            if (index !== -1) this.idleWaiters.splice(index, 1);
            resolve({ drained: false, pendingTasks: this.tasks.size });
          },
          Math.max(0, timeoutMs),
        );
      }
    });
  }

  // ---------------------------------------------------------------- lifecycle and health

  /**
   * Drain tasks (up to `timeoutMs`, default 10 s: a stuck task must not keep a process from
   * stopping), then terminate the worker. Sync calls keep working while tasks drain and throw
   * `RunnerStoppedError` afterwards. Idempotent: every call returns the first call's promise.
   */
  shutdown(options: { timeoutMs?: number | undefined } = {}): Promise<DrainResult> {
    this.stopping ??= (async () => {
      const result = await this.drain({ timeoutMs: options.timeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS });
      this.stopped = true;
      const handle = this.current;
      if (handle !== undefined) {
        this.retire(handle, false);
        await handle.worker.terminate();
      }
      liveRunners.delete(this.ref);
      return result;
    })();
    return this.stopping;
  }

  /** JSON-serialisable state, ready to serve as a `GET /health/async` payload. */
  health(): RunnerHealth {
    this.poll();
    const status: RunnerHealth['status'] = this.stopping !== undefined ? 'stopped' : this.failing || this.heldBack ? 'degraded' : 'operational';
    const handle = this.current;
    return {
      healthy: status === 'operational',
      status,
      timestamp: new Date().toISOString(),
      workerThreadId: handle === undefined ? null : handle.threadId,
      pendingCalls: (handle === undefined ? 0 : handle.abandoned - Atomics.load(handle.words, LATE_DONE)) + (this.inCall ? 1 : 0),
      pendingTasks: this.tasks.size,
      restarts: this.restarts,
      crashes: this.crashes,
      timeouts: this.timeouts,
      calls: this.calls,
      errors: this.errors,
      tasksSpawned: this.tasksSpawned,
      taskFailures: this.taskFailures,
      lastError: this.lastError,
      latencyMs: this.latencyPercentiles(),
    };
  }

  private latencyPercentiles(): RunnerHealth['latencyMs'] {
    const n = Math.min(Atomics.load(new Int32Array(this.latency, 0, 1), 0), LATENCY_SLOTS);
    if (n === 0) return null;
    const sorted = new Float64Array(this.latency, 8, LATENCY_SLOTS).slice(0, n).sort();
    const at = (q: number): number => Math.round(sorted[Math.min(n - 1, Math.ceil(q * n) - 1)]! * 1000) / 1000;
    return { p50: at(0.5), p99: at(0.99) };
  }

  /** Called from the process 'exit' hook. */
  private warnPendingAtExit(): void {
    if (this.tasks.size === 0) return;
    const names = [...this.tasks].slice(0, 10).map((t) => `"${t.name}"`);
    const more = this.tasks.size > names.length ? ` and ${this.tasks.size - names.length} more` : '';
    process.stderr.write(`@loop-audit/runtime: process exiting with ${this.tasks.size} spawned task(s) unfinished: ${names.join(', ')}${more}\n`);
  }
}

export function createRunner(options?: RunnerOptions): Runner {
  return new Runner(options);
}

/**
 * The floating promise a task replaced would have reached the program's own
 * `process.on('unhandledRejection')` listeners (an application's error reporter, a test runner),
 * and Node then neither prints nor exits: they decide. The task's failure goes to them the same
 * way, with a promise rejected with it (already handled, so it raises nothing itself).
 */
function toUnhandledRejectionListeners(error: unknown): boolean {
  if (process.listenerCount('unhandledRejection') === 0) return false;
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the task's own error, passed on unchanged as Node would
  const rejected = Promise.reject(error);
  rejected.catch(() => undefined);
  process.emit('unhandledRejection', error, rejected);
  return true;
}
