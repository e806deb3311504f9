/**
 * The contract between the blocked caller and the runner's worker.
 *
 * Two message channels per worker:
 * - the data channel carries only bare payloads: the argument (or the argument array) of a call
 *   one way, the result (or the flattened error) of the call the caller is waiting for the other
 *   way. Wrapping them in `{ id, kind, value }` envelopes cost about a fifth of a round trip, so
 *   everything that describes a payload travels in shared control words instead.
 * - the control channel carries the rest: function definitions and liveness pings to the worker,
 *   the exit notice from it.
 *
 * Why the control words are never read for the wrong payload:
 * - the caller has at most one call outstanding. It writes CURRENT and CALL before posting the
 *   call and writes them again only for the next call, which it posts after the previous one has replied,
 *   or has timed out *and* the worker has answered a ping (the worker's ping handler first takes
 *   every data message already queued, so the old call has been read by then).
 * - the worker replies on the data channel only if the call is still CURRENT; a call the caller
 *   gave up on (CURRENT cleared) just bumps LATE_DONE, and one abandoned before the worker even
 *   received it is not started at all. A reply racing the timeout was posted before
 *   the worker answered the ping, so the caller finds it there and nothing stale is left over.
 * - REPLIES counts data replies (and the exit notice). The worker writes REPLY, posts, then
 *   bumps, so whenever the caller sees a bump its message is already queued.
 * - STATE flips to DEAD in the worker's `process` 'exit' hook before its last bump, so a caller
 *   never sleeps on a worker that died between two calls.
 */
import type { MessagePort } from 'node:worker_threads';

export const REPLIES = 0;
export const STATE = 1;
export const PONGS = 2;
/** Id of the call the caller is waiting for; 0 once it gave up (timeout) or between calls. */
export const CURRENT = 3;
/** `slot << 1 | single`: the function slot, and 1 when the payload is the single argument itself (0: the argument array). */
export const CALL = 4;
/** `id << 2 | kind` of the reply on the data channel. */
export const REPLY = 5;
export const LATE_DONE = 6;
export const CONTROL_WORDS = 8;

export const ALIVE = 0;
export const DEAD = 1;

/** Control messages to the worker. */
export const MSG_LOAD_MODULE = 1;
export const MSG_LOAD_SOURCE = 2;
export const MSG_PING = 3;

/** REPLY_KIND values. */
export const REPLY_OK = 0;
export const REPLY_THROW = 1;
export const REPLY_LOAD_FAILED = 2;

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
}

export interface PingMessage {
  readonly t: typeof MSG_PING;
}

export type ControlMessage = LoadModuleMessage | LoadSourceMessage | PingMessage;

/** Sent on the control channel from the worker's exit hook. `error` is a flattened WireThrown. */
export interface ExitNotice {
  readonly code: number;
  readonly error: unknown;
}

/**
 * Call latencies are timed by the worker, from taking a call to posting its reply, into a ring
 * that belongs to the runner and outlives worker restarts. Timing in the caller cost two clock
 * reads per call on the blocked thread, and on a shared core every bit of caller work shifts the
 * scheduler towards the slow wake-up path (see docs/benchmarks.md).
 */
export const LATENCY_SLOTS = 1_024;
/** Int32 word 0: samples written so far. Float64 slots from byte 8. */
export const LATENCY_BYTES = 8 + LATENCY_SLOTS * Float64Array.BYTES_PER_ELEMENT;

export interface WorkerBoot {
  readonly control: SharedArrayBuffer;
  readonly latency: SharedArrayBuffer;
  readonly data: MessagePort;
  readonly ctl: MessagePort;
}

/** Call ids share a word with the reply kind, so they wrap at 2^29, skipping 0 ("none"). */
export function nextCallId(id: number): number {
  return id >= 0x1fffffff ? 1 : id + 1;
}
