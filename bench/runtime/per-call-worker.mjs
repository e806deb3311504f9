// A worker per call, the way per-call bridges work: start, run once, reply, exit.
import { workerData } from 'node:worker_threads';
import { echo } from './target.mjs';

const { control, port, value } = workerData;
port.postMessage(await echo(value));
const words = new Int32Array(control);
Atomics.store(words, 0, 1);
Atomics.notify(words, 0);
