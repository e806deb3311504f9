/**
 * The runner's persistent worker: one event loop that stays up for the life of the process and
 * runs every bridged async function, so no caller ever creates, closes or re-enters a loop.
 */
import { workerData } from 'node:worker_threads';
import { toWire } from './errors.js';
import {
  DEAD,
  MSG_CALL,
  MSG_LOAD_MODULE,
  MSG_LOAD_SOURCE,
  MSG_PING,
  PONGS,
  REPLIES,
  REPLY_EXIT,
  REPLY_LOAD_FAILED,
  REPLY_OK,
  REPLY_THROW,
  STATE,
  type CallMessage,
  type ToWorker,
  type WorkerBoot,
} from './protocol.js';

type AnyFn = (...args: unknown[]) => unknown;

/** A slot is the function itself once loaded, a promise while loading, or the load failure. */
type Slot = AnyFn | Promise<AnyFn> | { readonly failed: unknown };

const { control, port } = workerData as WorkerBoot;
const words = new Int32Array(control);
const slots: Slot[] = [];

function wake(): void {
  Atomics.add(words, REPLIES, 1);
  Atomics.notify(words, REPLIES);
}

function replyOk(id: number, value: unknown): void {
  try {
    port.postMessage({ i: id, r: REPLY_OK, v: value });
  } catch (error) {
    // Not structured-cloneable (a function, a class instance with private state, ...).
    replyThrow(id, new TypeError(`result could not be sent back to the caller: ${(error as Error).message}`, { cause: error }));
    return;
  }
  wake();
}

function replyThrow(id: number, error: unknown): void {
  port.postMessage({ i: id, r: REPLY_THROW, v: toWire(error) });
  wake();
}

function replyLoadFailed(id: number, failure: unknown): void {
  port.postMessage({ i: id, r: REPLY_LOAD_FAILED, v: toWire(failure) });
  wake();
}

function invoke(fn: AnyFn, msg: CallMessage): void {
  let out: unknown;
  try {
    out = fn(...msg.a);
  } catch (error) {
    replyThrow(msg.i, error);
    return;
  }
  // Plain values are answered in the same turn; only real thenables pay for a microtask hop.
  if (out !== null && (typeof out === 'object' || typeof out === 'function') && typeof (out as PromiseLike<unknown>).then === 'function') {
    (out as PromiseLike<unknown>).then(
      (value) => replyOk(msg.i, value),
      (error: unknown) => replyThrow(msg.i, error),
    );
  } else {
    replyOk(msg.i, out);
  }
}

function call(msg: CallMessage): void {
  const slot = slots[msg.f];
  if (typeof slot === 'function') {
    invoke(slot, msg);
  } else if (slot instanceof Promise) {
    slot.then(
      (fn) => invoke(fn, msg),
      (failure: unknown) => replyLoadFailed(msg.i, failure),
    );
  } else if (slot !== undefined) {
    replyLoadFailed(msg.i, slot.failed);
  } else {
    replyLoadFailed(msg.i, new Error(`function slot ${msg.f} was never defined in this worker`));
  }
}

function settleSlot(index: number, loading: Promise<AnyFn>): void {
  slots[index] = loading;
  loading.then(
    (fn) => {
      slots[index] = fn;
    },
    (failure: unknown) => {
      slots[index] = { failed: failure };
    },
  );
}

async function loadExport(url: string, name: string): Promise<AnyFn> {
  const mod = (await import(url)) as Record<string, unknown>;
  let value = mod[name];
  // CommonJS modules whose exports cjs-module-lexer cannot see only appear on `default`.
  const fallback = mod.default;
  if (value === undefined && ((typeof fallback === 'object' && fallback !== null) || typeof fallback === 'function')) {
    value = (fallback as Record<string, unknown>)[name];
  }
  if (typeof value !== 'function') {
    const found = Object.keys(mod).join(', ') || 'none';
    throw new Error(
      value === undefined ? `no export named '${name}' (exports: ${found})` : `export '${name}' is a ${typeof value}, not a function`,
    );
  }
  return value as AnyFn;
}

async function compileSource(src: string): Promise<AnyFn> {
  // Indirect eval: global scope, nothing of this module leaks into the shipped function.
  const indirectEval = eval;
  let value: unknown;
  try {
    value = indirectEval(`(${src})`);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    // Method shorthand (`async load(x) { ... }`) is only valid inside an object literal.
    const holder = indirectEval(`({${src}})`) as Record<string, unknown>;
    value = Object.values(holder)[0];
  }
  if (typeof value !== 'function') throw new TypeError(`source did not evaluate to a function`);
  return value as AnyFn;
}

let crash: unknown;
let crashed = false;
process.on('uncaughtExceptionMonitor', (error) => {
  crash = error;
  crashed = true;
});

// Runs on process.exit(), on an uncaught error or unhandled rejection, and on a normal end: the
// caller may be blocked in Atomics.wait and cannot see this thread's 'exit' event, so say it here.
process.on('exit', (code) => {
  try {
    port.postMessage({ i: -1, r: REPLY_EXIT, v: { code, error: crashed ? toWire(crash) : undefined } });
  } catch {
    // The port can already be closed during teardown; the state word below still tells.
  }
  Atomics.store(words, STATE, DEAD);
  wake();
});

port.on('message', (msg: ToWorker) => {
  switch (msg.t) {
    case MSG_CALL:
      call(msg);
      break;
    case MSG_LOAD_MODULE:
      settleSlot(msg.f, loadExport(msg.url, msg.name));
      break;
    case MSG_LOAD_SOURCE:
      settleSlot(msg.f, compileSource(msg.src));
      break;
    case MSG_PING:
      Atomics.add(words, PONGS, 1);
      Atomics.notify(words, PONGS);
      break;
  }
});
