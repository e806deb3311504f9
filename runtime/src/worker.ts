/**
 * The runner's persistent worker: one event loop that stays up for the life of the process and
 * runs every bridged async function, so no caller ever creates, closes or re-enters a loop.
 * The wire protocol is described in protocol.ts.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { toWire } from './wire.js';
import {
  CALL,
  CURRENT,
  DEAD,
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
  REPLY_THROW,
  STATE,
  type ControlMessage,
  type WorkerBoot,
} from './protocol.js';

type AnyFn = (...args: unknown[]) => unknown;

/** A slot is the function itself once loaded, a promise while loading, or the load failure. */
type Slot = AnyFn | Promise<AnyFn> | { readonly failed: unknown };

const { control, latency, data, ctl } = workerData as WorkerBoot;
const words = new Int32Array(control);
const latencyCount = new Int32Array(latency, 0, 1);
const latencies = new Float64Array(latency, 8, LATENCY_SLOTS);
const slots: Slot[] = [];

function reply(id: number, kind: number, payload: unknown, taken: number): void {
  if (Atomics.load(words, CURRENT) !== id) {
    // The caller timed out and moved on; nobody is waiting for this.
    Atomics.add(words, LATE_DONE, 1);
    return;
  }
  Atomics.store(words, REPLY, (id << 2) | kind);
  data.postMessage(payload);
  Atomics.add(words, REPLIES, 1);
  Atomics.notify(words, REPLIES);
  // After the caller is woken, so timing costs it nothing.
  const n = Atomics.load(latencyCount, 0);
  latencies[n & (LATENCY_SLOTS - 1)] = performance.now() - taken;
  // Past 2^30 samples, fold back while keeping the ring position and the "ring is full" meaning.
  Atomics.store(latencyCount, 0, n + 1 < 0x40000000 ? n + 1 : LATENCY_SLOTS + ((n + 1) & (LATENCY_SLOTS - 1)));
}

function replyOk(id: number, value: unknown, taken: number): void {
  try {
    reply(id, REPLY_OK, value, taken);
  } catch (error) {
    // Not structured-cloneable (a function, a class instance with private state, ...).
    reply(id, REPLY_THROW, toWire(new TypeError(`the result could not be sent to the caller: ${(error as Error).message}`)), taken);
  }
}

function replyThrow(id: number, error: unknown, taken: number): void {
  reply(id, REPLY_THROW, toWire(error), taken);
}

function invoke(fn: AnyFn, id: number, single: boolean, payload: unknown, taken: number): void {
  let out: unknown;
  try {
    out = single ? fn(payload) : fn(...(payload as unknown[]));
  } catch (error) {
    replyThrow(id, error, taken);
    return;
  }
  // Plain values are answered in the same turn; only real thenables pay for a microtask hop.
  if (out !== null && (typeof out === 'object' || typeof out === 'function') && typeof (out as PromiseLike<unknown>).then === 'function') {
    (out as PromiseLike<unknown>).then(
      (value) => replyOk(id, value, taken),
      (error: unknown) => replyThrow(id, error, taken),
    );
  } else {
    replyOk(id, out, taken);
  }
}

function onCall(payload: unknown): void {
  const taken = performance.now();
  const id = Atomics.load(words, CURRENT);
  if (id === 0) {
    // The caller timed out before this call even reached the worker: do not start it late.
    Atomics.add(words, LATE_DONE, 1);
    return;
  }
  const call = Atomics.load(words, CALL);
  const slotIndex = call >>> 1;
  const single = (call & 1) === 1;
  let slot = slots[slotIndex];
  if (slot === undefined) {
    // Its definition was posted on the control channel just before this call.
    drainControl();
    slot = slots[slotIndex];
  }
  if (typeof slot === 'function') {
    invoke(slot, id, single, payload, taken);
  } else if (slot instanceof Promise) {
    slot.then(
      (fn) => invoke(fn, id, single, payload, taken),
      (failure: unknown) => reply(id, REPLY_LOAD_FAILED, toWire(failure), taken),
    );
  } else if (slot !== undefined) {
    reply(id, REPLY_LOAD_FAILED, toWire(slot.failed), taken);
  } else {
    reply(id, REPLY_LOAD_FAILED, toWire(new Error(`function slot ${slotIndex} was never defined in this worker`)), taken);
  }
}

function drainControl(): void {
  for (let m = receiveMessageOnPort(ctl); m !== undefined; m = receiveMessageOnPort(ctl)) onControl(m.message as ControlMessage);
}

function onControl(msg: ControlMessage): void {
  switch (msg.t) {
    case MSG_LOAD_MODULE:
      define(msg.f, loadExport(msg.url, msg.name));
      break;
    case MSG_LOAD_SOURCE:
      define(msg.f, compileSource(msg.src));
      break;
    case MSG_PING:
      // Take every call already sent before answering: once the caller sees the pong, the
      // control words of a timed-out call have been read and may be reused.
      for (let m = receiveMessageOnPort(data); m !== undefined; m = receiveMessageOnPort(data)) onCall(m.message);
      Atomics.add(words, PONGS, 1);
      Atomics.notify(words, PONGS);
      break;
  }
}

function define(index: number, loading: Promise<AnyFn>): void {
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
    throw new Error(value === undefined ? `no export named '${name}' (exports: ${found})` : `export '${name}' is a ${typeof value}, not a function`);
  }
  return value as AnyFn;
}

// eslint-disable-next-line @typescript-eslint/require-await -- async so that a source that does not compile becomes a rejected definition, reported to each call, not a throw in the message handler
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
  if (typeof value !== 'function') throw new TypeError('the source did not evaluate to a function');
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
    ctl.postMessage({ code, error: crashed ? toWire(crash) : undefined });
  } catch {
    // The port can already be closed during teardown; the state word below still tells.
  }
  Atomics.store(words, STATE, DEAD);
  Atomics.add(words, REPLIES, 1);
  Atomics.notify(words, REPLIES);
});

data.on('message', onCall);
ctl.on('message', onControl);
