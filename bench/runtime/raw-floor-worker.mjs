// The raw floor: the least a persistent-worker sync bridge can do. One MessagePort each way,
// one shared counter, an async handler; no ids, no errors, no timeouts, no bookkeeping.
import { workerData } from 'node:worker_threads';
import { echo } from './target.mjs';

const { control, port } = workerData;
const words = new Int32Array(control);

// eslint-disable-next-line loop-audit/no-floating-promise -- the bare minimum a bridge can do is what this floor measures; echo never rejects
port.on('message', async (value) => {
  port.postMessage(await echo(value));
  Atomics.add(words, 0, 1);
  Atomics.notify(words, 0);
});
