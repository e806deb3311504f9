/** The runtime's public types: what callers pass and get back. */
import type { ResourceLimits } from 'node:worker_threads';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFunction = (...args: any[]) => unknown;
/**
 * The default when no function type is given: results are `any`, so code rewritten by the
 * autofixes type-checks as it did when it awaited the call.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Untyped = (...args: any[]) => any;

/** What a bridged function looks like to its caller: same parameters, the awaited result, no promise. */
export type SyncFunction<F extends AnyFunction> = (...args: Parameters<F>) => Awaited<ReturnType<F>>;

/**
 * Anything with a `then(onFulfilled, onRejected)` method: what `spawn` adopts, like `await`
 * does. Query builders, lazy requests and other promise look-alikes qualify.
 */
export interface Thenable<T> {
  then(onfulfilled: (value: T) => unknown, onrejected: (reason: unknown) => unknown): unknown;
}

/** What `spawn` takes: a promise or thenable, a function that starts the work, or nothing at all (`undefined`/`null`, as an optional call yields). */
export type Spawnable<T> = PromiseLike<T> | Thenable<T> | (() => T | PromiseLike<T>) | null | undefined;
/** The `{ default }` (safe) variant: the default instead of any error or timeout. */
export type SafeSyncFunction<F extends AnyFunction, D> = (...args: Parameters<F>) => Awaited<ReturnType<F>> | D;

export interface SyncOptions {
  /** Per-call timeout for this function. Defaults to the runner's `timeoutMs` (30 s). `Infinity` disables it. */
  timeoutMs?: number | undefined;
}

export interface SafeSyncOptions<D> extends SyncOptions {
  /** Returned instead of throwing on any error or timeout (the error still shows in `health()`). */
  default: D;
}

export interface TaskInfo {
  readonly name: string;
}

export interface SpawnOptions {
  /** Shown in error reports; defaults to the function's name, else "anonymous task". */
  name?: string | undefined;
}

export interface DrainResult {
  /** True when every tracked task settled before the timeout. */
  readonly drained: boolean;
  /** Tasks still running when `drain` returned. */
  readonly pendingTasks: number;
}

export interface RunnerOptions {
  /** Default per-call timeout of bridged functions, in ms. Default 30 000 (the seeds' `run_async`). */
  timeoutMs?: number | undefined;
  /**
   * Receives the error of every failed `spawn`ed task, exactly once, and thereby handles it. If
   * it throws or rejects, the failure counts as unhandled. Default: none, so every task failure
   * is unhandled: its name and stack go to stderr and `exitOnTaskFailure` applies.
   */
  onTaskError?: ((error: unknown, task: TaskInfo) => void | Promise<void>) | undefined;
  /**
   * What an unhandled task failure does after it is reported. `true` (default): the process is
   * failing: `process.exitCode = 1`, the other tasks get `exitGraceMs` to settle, then the process
   * exits with code 1 even if servers, watchers or timers would keep it alive (under `runMain`,
   * `main`'s signal is aborted first, as on SIGTERM). `false`: only `process.exitCode = 1`.
   */
  exitOnTaskFailure?: boolean | undefined;
  /** How long the other tasks may take to settle after an unhandled task failure before the process exits. Default 10 000 ms. */
  exitGraceMs?: number | undefined;
  /** Restarts allowed within `restartWindowMs`; past it calls fail fast with `RunnerCrashedError`. Default 5. */
  maxRestarts?: number | undefined;
  /** Window for `maxRestarts`, in ms. Default 60 000. */
  restartWindowMs?: number | undefined;
  /**
   * After a crash that follows another crash with no successful call in between, the next restart
   * waits this long, doubling each time (calls fail fast meanwhile). Default 100 ms.
   */
  restartBackoffMs?: number | undefined;
  /** Cap of the doubling backoff. Default 5 000 ms. */
  maxRestartBackoffMs?: number | undefined;
  /** V8 heap limits of the worker (see `worker_threads`). Default: Node's. */
  resourceLimits?: ResourceLimits | undefined;
}

export interface RunnerHealth {
  healthy: boolean;
  /** "operational"; "degraded" after a runner failure (crash, timeout, load) until a call succeeds, or while restarts are held back; "stopped" once `shutdown` begins. */
  status: 'operational' | 'degraded' | 'stopped';
  timestamp: string;
  /** `threadId` of the live worker, or null when none is running (not started yet, dead, stopped). */
  workerThreadId: number | null;
  /** Calls the worker is still running: the one in progress plus timed-out calls that have not finished. */
  pendingCalls: number;
  pendingTasks: number;
  /** Workers started after the first one. */
  restarts: number;
  /** Workers that died or were replaced as unresponsive. */
  crashes: number;
  timeouts: number;
  /** Completed sync calls (result or error). */
  calls: number;
  /** Sync calls that threw or returned their default. */
  errors: number;
  tasksSpawned: number;
  taskFailures: number;
  lastError: { source: 'call' | 'timeout' | 'crash' | 'load' | 'task'; name: string; message: string; at: string } | null;
  /** Time the worker spent on each of the last 1 024 answered calls, from taking the call to posting the reply; null before the first. */
  latencyMs: { p50: number; p99: number } | null;
}
