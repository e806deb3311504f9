/**
 * Typed runner errors, and the wire format that carries a thrown value from the worker back to
 * the blocked caller.
 *
 * Structured clone alone is not enough for errors: it drops custom names (a `ValidationError`
 * arrives as a plain `Error`), own properties such as `code` or `status`, and on older V8s the
 * `cause`. Callers branch on exactly those, so the worker flattens errors into plain data and the
 * caller rebuilds them.
 */

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
      `loop-audit/runtime: ${callName} did not settle within ${timeoutMs} ms` +
        (workerReplaced
          ? '; the worker was unresponsive and has been replaced'
          : '; its late result will be discarded'),
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

  constructor(message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, 'ERR_RUNNER_CRASHED', options);
    this.exitCode = options?.exitCode;
  }
}
RunnerCrashedError.prototype.name = 'RunnerCrashedError';

/** The runner has been shut down; no further sync calls are accepted. */
export class RunnerStoppedError extends RunnerError {
  constructor(callName: string) {
    super(`loop-audit/runtime: ${callName} called after the runner was shut down`, 'ERR_RUNNER_STOPPED');
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
    super(`loop-audit/runtime: could not load ${target}: ${detail}`, 'ERR_RUNNER_LOAD', options);
    this.target = target;
  }
}
RunnerLoadError.prototype.name = 'RunnerLoadError';

/** A thrown value flattened to data that survives structured clone unchanged. */
export type WireThrown =
  | {
      readonly k: 'error';
      readonly name: string;
      readonly message: string;
      readonly stack: string | undefined;
      readonly cause?: WireThrown;
      readonly errors?: WireThrown[];
      readonly props?: Record<string, unknown>;
    }
  | { readonly k: 'value'; readonly v: unknown };

const MAX_DEPTH = 8;
const SKIPPED_KEYS = new Set(['stack', 'message', 'cause', 'errors']);

function isErrorLike(value: unknown): value is Error {
  if (value instanceof Error) return true;
  // Errors from another realm (vm contexts) fail instanceof but keep the shape.
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string' &&
    typeof (value as { stack?: unknown }).stack === 'string'
  );
}

function cloneable(value: unknown): unknown {
  if (typeof value === 'function' || typeof value === 'symbol') return String(value);
  try {
    return structuredClone(value);
  } catch {
    return String(value);
  }
}

/** Runs in the worker. Never throws. */
export function toWire(value: unknown, seen: Set<unknown> = new Set(), depth = 0): WireThrown {
  if (!isErrorLike(value)) return { k: 'value', v: cloneable(value) };
  if (seen.has(value) || depth >= MAX_DEPTH) {
    return { k: 'error', name: safeString(value.name, 'Error'), message: safeString(value.message, ''), stack: undefined };
  }
  seen.add(value);
  let props: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    if (SKIPPED_KEYS.has(key)) continue;
    props ??= {};
    try {
      props[key] = cloneable((value as unknown as Record<string, unknown>)[key]);
    } catch {
      // A throwing getter: the property is simply not transported.
    }
  }
  const out: {
    k: 'error';
    name: string;
    message: string;
    stack: string | undefined;
    cause?: WireThrown;
    errors?: WireThrown[];
    props?: Record<string, unknown>;
  } = {
    k: 'error',
    name: safeString(value.name, 'Error'),
    message: safeString(value.message, ''),
    stack: typeof value.stack === 'string' ? value.stack : undefined,
  };
  if (props !== undefined) out.props = props;
  if ('cause' in value) out.cause = toWire(value.cause, seen, depth + 1);
  const errors = (value as { errors?: unknown }).errors;
  if (Array.isArray(errors)) out.errors = errors.map((e) => toWire(e, seen, depth + 1));
  return out;
}

function safeString(value: unknown, fallback: string): string {
  try {
    return typeof value === 'string' ? value : value === undefined ? fallback : String(value);
  } catch {
    return fallback;
  }
}

const BUILTIN_ERRORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/**
 * Runs in the caller. `callerStack` (the frames of the sync call site) is appended under a marker
 * line so a stack trace shows both where it failed in the worker and who called it.
 */
export function fromWire(wire: WireThrown, callerStack?: string): unknown {
  if (wire.k === 'value') return wire.v;
  let error: Error;
  if (wire.errors !== undefined) {
    error = new AggregateError(wire.errors.map((e) => fromWire(e)), wire.message);
  } else {
    const Ctor = BUILTIN_ERRORS[wire.name] ?? Error;
    error = new Ctor(wire.message);
  }
  if (error.name !== wire.name) {
    Object.defineProperty(error, 'name', { value: wire.name, writable: true, configurable: true, enumerable: false });
  }
  const stack = wire.stack ?? `${wire.name}: ${wire.message}`;
  Object.defineProperty(error, 'stack', {
    value: callerStack ? `${stack}\n    at <loop-audit/runtime sync call>\n${callerStack}` : stack,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  if (wire.cause !== undefined) {
    Object.defineProperty(error, 'cause', { value: fromWire(wire.cause), writable: true, configurable: true, enumerable: false });
  }
  if (wire.props !== undefined) {
    for (const [key, value] of Object.entries(wire.props)) {
      Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable: true });
    }
  }
  return error;
}
