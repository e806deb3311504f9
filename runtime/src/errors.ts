/** The errors the runner itself raises; `code` identifies them across realms. */

/** Base class of every error the runner itself raises (as opposed to errors thrown by your code). */
export class RunnerError extends Error {
  /** Stable machine-readable code, usable across realms where `instanceof` is not. */
  readonly code: string;

  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
RunnerError.prototype.name = 'RunnerError';

/** A bridged call did not settle within its `timeoutMs`. */
export class RunnerTimeoutError extends RunnerError {
  readonly timeoutMs: number;
  readonly callName: string;
  /** True when the worker was unresponsive after the timeout and has been replaced. */
  readonly workerReplaced: boolean;

  constructor(callName: string, timeoutMs: number, workerReplaced: boolean) {
    super(
      `@loop-audit/runtime: ${callName} did not settle within ${timeoutMs} ms` + (workerReplaced ? '; the worker was unresponsive and has been replaced' : '; its late result will be discarded'),
      'ERR_RUNNER_TIMEOUT',
    );
    this.timeoutMs = timeoutMs;
    this.callName = callName;
    this.workerReplaced = workerReplaced;
  }
}
RunnerTimeoutError.prototype.name = 'RunnerTimeoutError';

/**
 * The worker died (uncaught error, `process.exit`, out of memory), or it is not being restarted
 * right now because it keeps dying (backoff / restart limit). `cause` holds the worker's own error
 * when there was one.
 */
export class RunnerCrashedError extends RunnerError {
  /** Exit code reported by the worker, when it got as far as reporting one. */
  readonly exitCode: number | undefined;

  constructor(message: string, options?: { cause?: unknown; exitCode?: number | undefined }) {
    super(message, 'ERR_RUNNER_CRASHED', options);
    this.exitCode = options?.exitCode;
  }
}
RunnerCrashedError.prototype.name = 'RunnerCrashedError';

/** The runner has been shut down; no further sync calls are accepted. */
export class RunnerStoppedError extends RunnerError {
  constructor(callName: string) {
    super(`@loop-audit/runtime: ${callName} called after the runner was shut down`, 'ERR_RUNNER_STOPPED');
  }
}
RunnerStoppedError.prototype.name = 'RunnerStoppedError';

/**
 * The module or function to run could not be loaded in the worker (missing file, syntax error,
 * top-level throw, missing export). Not transient: retrying will not help.
 */
export class RunnerLoadError extends RunnerError {
  readonly target: string;

  constructor(target: string, detail: string, options?: { cause?: unknown }) {
    super(`@loop-audit/runtime: could not load ${target}: ${detail}`, 'ERR_RUNNER_LOAD', options);
    this.target = target;
  }
}
RunnerLoadError.prototype.name = 'RunnerLoadError';
