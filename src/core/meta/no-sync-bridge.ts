import { defineRuleMeta } from '../types.js';

export interface NoSyncBridgeOptions {
  /** Allow blocking calls through loop-audit/runtime's defineSync/syncFunction (the cure). */
  allowRunner?: boolean;
}

export const noSyncBridgeMeta = defineRuleMeta<NoSyncBridgeOptions>()({
  id: 'no-sync-bridge',
  family: 'sync-bridge',
  description: 'Disallow blocking the caller on async work (deasync, make-synchronous, Atomics.wait, busy waits)',
  type: 'problem',
  messages: {
    deasyncFactory:
      '{{bridge}}(...) {{where}} builds a function that re-enters the event loop on every call: timers, I/O and promise callbacks run in the middle of its synchronous caller (what nest_asyncio does in Python), and nested calls can deadlock. Make the caller async, or use loop-audit/runtime.',
    deasyncClosure:
      "{{bridge}}(...) {{where}} builds a function that re-enters the event loop on every call, around {{fn}}, a closure: it cannot move to loop-audit/runtime's worker, which shares no variables with this code, so there is no autofix. Migrate the callers instead: make them async and await the work (util.promisify turns a callback function into one that returns a promise).",
    deasyncSharedState:
      "{{bridge}}(...) {{where}} builds a function that re-enters the event loop on every call. It is not moved onto @loop-audit/runtime's worker automatically because {{fn}} {{why}}: the worker loads its module anew, so it would not see what this thread holds (a silent change of behaviour). Move that state out of the module (pass it in, or keep it in a store both threads reach), or make the callers async.",
    defineSyncSharedState: "Call {{fn}} through @loop-audit/runtime's worker anyway ({{fn}} {{why}}: the worker has its own copy of that state).",
    runnerWithRuntime: "Move it onto @loop-audit/runtime's runner (this package would then depend on @loop-audit/runtime).",
    exportAndDefineSync: "Export {{fn}} and call it through getRunner().defineSync on loop-audit/runtime's worker (the worker loads this module again, without this thread's state).",
    loopReentry:
      '{{bridge}} {{where}} re-enters the event loop ({{library}}) to wait for async work: other callbacks run in the middle of this synchronous code, and nested waits can deadlock. Await the work instead, or use loop-audit/runtime.',
    processBridge:
      '{{bridge}} {{where}} is a {{library}} bridge: every call blocks this thread while a brand-new node process does the async work (tens of milliseconds each). Await the work, or use loop-audit/runtime, which keeps one worker for the whole process.',
    workerBridge:
      '{{bridge}} {{where}} blocks this thread on a {{library}} worker until the async work settles: nothing else on this event loop runs meanwhile. Await the work where the caller can be async.',
    rpcBridge:
      '{{bridge}} {{where}} blocks this thread on a sync-rpc server process until the async work settles: nothing else on this event loop runs meanwhile. Await the work, or use loop-audit/runtime.',
    runnerBridge:
      "{{bridge}} {{where}} blocks this thread on loop-audit/runtime's worker until the async work settles. The runner is the sanctioned bridge; the option allowRunner is off, so await the work instead.",
    atomicsWait:
      '{{bridge}} {{where}} blocks the main thread: its event loop (I/O, timers, promise callbacks) stops until another thread notifies. Block only inside a worker; on the main thread, await Atomics.waitAsync or a message.',
    execNode:
      '{{bridge}} {{where}} starts a node process and blocks until it exits with its result: a fresh runtime and event loop for one answer. Await the work in this process, or use loop-audit/runtime.',
    fibers: '{{bridge}} {{where}} uses node-fibers to make async code look synchronous: fibers is unmaintained and does not build on current Node. Use async/await.',
    busyWait:
      'This loop {{where}} spins until {{flag}} changes, but only an async callback sets {{flag}}: that callback cannot run while the loop holds the thread, so the loop never ends. Await the promise instead.',
    receivePoll:
      '{{bridge}} polled in a loop {{where}} spins this thread until another thread replies: nothing else on this event loop runs meanwhile. Listen for the message event, or block inside a worker.',
    processWait:
      'This loop {{where}} blocks the thread polling {{what}} until the node process started before it is done: a process and a spinning thread per call, and nothing else on this event loop runs meanwhile. Await the process (its exit or its output) instead.',
    localBridge: "{{bridge}} {{where}} blocks this thread: it is this project's own sync bridge ({{via}}). Await the work where the caller can be async, or use loop-audit/runtime.",
    pseudoBridge:
      'return {{name}} {{where}} returns undefined (or the initial value of {{name}}): {{name}} is only assigned in an async callback, which runs after this function has returned. Return the promise and await it.',
  },
  defaultOptions: { allowRunner: true },
  optionsSchema: {
    type: 'object',
    properties: { allowRunner: { type: 'boolean' } },
    additionalProperties: false,
  },
  fixable: true,
  hasSuggestions: true,
  usesTypeInformation: false,
  configs: { recommended: 'error', strict: 'error', migration: 'error' },
});

export type NoSyncBridgeMessageId = keyof typeof noSyncBridgeMeta.messages;
