/**
 * The wire format that carries a thrown value from the worker back to the blocked caller.
 *
 * Structured clone alone is not enough for errors: it drops custom names (a `ValidationError`
 * arrives as a plain `Error`), own properties such as `code` or `status`, and on older V8s the
 * `cause`. Callers branch on exactly those, so the worker flattens errors into plain data and the
 * caller rebuilds them. The worker imports only this module and protocol.ts.
 */

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
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string' && typeof (value as { stack?: unknown }).stack === 'string';
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
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- any thrown value is described as best String() can; a throwing toString falls back
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
    error = new AggregateError(
      wire.errors.map((e) => fromWire(e)),
      wire.message,
    );
  } else {
    const Ctor = BUILTIN_ERRORS[wire.name] ?? Error;
    error = new Ctor(wire.message);
  }
  if (error.name !== wire.name) {
    Object.defineProperty(error, 'name', { value: wire.name, writable: true, configurable: true, enumerable: false });
  }
  const stack = wire.stack ?? `${wire.name}: ${wire.message}`;
  Object.defineProperty(error, 'stack', {
    value: callerStack ? `${stack}\n    at <@loop-audit/runtime sync call>\n${callerStack}` : stack,
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
