/**
 * The contract between the blocked caller and the runner's worker.
 *
 * Shared control words (Int32Array over one SharedArrayBuffer per worker):
 * - REPLIES counts messages the worker has put on the reply port. The caller sleeps on it with
 *   `Atomics.wait`; the worker posts first and bumps second, so every bump the caller sees has
 *   its message already queued for `receiveMessageOnPort`.
 * - STATE flips to DEAD in the worker's `process` 'exit' hook, before it bumps REPLIES one last
 *   time. It lets the caller notice a worker that died between two calls without ever posting
 *   into a dead port and waiting for nothing.
 * - PONGS answers a liveness probe sent after a timeout: a worker whose event loop still turns
 *   bumps it at once; a wedged one cannot.
 */
import type { MessagePort } from 'node:worker_threads';

export const REPLIES = 0;
export const STATE = 1;
export const PONGS = 2;
export const CONTROL_WORDS = 4;

export const ALIVE = 0;
export const DEAD = 1;

/** Caller → worker message kinds. */
export const MSG_CALL = 0;
export const MSG_LOAD_MODULE = 1;
export const MSG_LOAD_SOURCE = 2;
export const MSG_PING = 3;

/** Worker → caller reply kinds. */
export const REPLY_OK = 0;
export const REPLY_THROW = 1;
export const REPLY_LOAD_FAILED = 2;
export const REPLY_EXIT = 3;

export interface CallMessage {
  readonly t: typeof MSG_CALL;
  /** Call id: replies are matched on it, so a late reply of a timed-out call is never mistaken. */
  readonly i: number;
  /** Function slot, defined earlier on this worker by a load message. */
  readonly f: number;
  readonly a: unknown[];
}

export interface LoadModuleMessage {
  readonly t: typeof MSG_LOAD_MODULE;
  readonly f: number;
  readonly url: string;
  readonly name: string;
}

export interface LoadSourceMessage {
  readonly t: typeof MSG_LOAD_SOURCE;
  readonly f: number;
  readonly src: string;
  readonly name: string;
}

export interface PingMessage {
  readonly t: typeof MSG_PING;
}

export type ToWorker = CallMessage | LoadModuleMessage | LoadSourceMessage | PingMessage;

export interface Reply {
  /** Call id, or -1 for the exit notice. */
  readonly i: number;
  readonly r: typeof REPLY_OK | typeof REPLY_THROW | typeof REPLY_LOAD_FAILED | typeof REPLY_EXIT;
  /** The result, the flattened error (see errors.ts), or for REPLY_EXIT `{ code, error }`. */
  readonly v: unknown;
}

export interface WorkerBoot {
  readonly control: SharedArrayBuffer;
  readonly port: MessagePort;
}
