import type { Finding, RuleId } from '../core/types.js';

/**
 * The Python frontend's messages, per rule. The rule ids, families, severities and options are
 * the TypeScript rules' own; the texts name Python's mechanisms (event loops, coroutines, tasks).
 * Where a message means the same in both languages it has the same id and text (`syncWrapper`).
 */
export const PYTHON_MESSAGES: { readonly [Id in RuleId]: Readonly<Record<string, string>> } = {
  'no-loop-per-call': {
    loopPerCall:
      "{{what}} creates a new event loop and closes it again on every call of {{fn}}: anything bound to a loop (clients, sessions, locks, tasks) breaks with 'Event loop is closed', and every call pays for a loop. Await the coroutine instead (the caller becomes async), or hand it to one persistent loop running on its own thread.",
    loopInCoroutine: "{{what}} runs inside the coroutine {{fn}}, on a thread whose event loop is already running: it raises 'cannot be called from a running event loop'. Await the coroutine instead.",
    newLoopPerCall:
      "{{what}} builds a new event loop on every call of {{fn}} and runs work to completion on it: anything bound to a loop (clients, sessions, locks, tasks) breaks when the next call brings another loop ('Event loop is closed'). Await the work instead (the caller becomes async), or hand it to one persistent loop running on its own thread.",
    clientPerCall:
      '{{what}} is opened in {{fn}} and closed by {{closer}} before the call ends: every call pays for new connections (and an async client is bound to whichever loop runs the call). Create the client once and share it.',
    executorPerCall: '{{what}} starts a new pool of threads or processes on every call of {{fn}} ({{purpose}}): create it once, at module scope or as a cached singleton, and reuse it.',
    resourcePerCall: '{{what}} is built on every call of {{fn}} (additionalResources lists it as something to create once): hoist it to module scope or a cached singleton.',
  },
  'no-sync-bridge': {
    nestAsyncio:
      "{{bridge}} {{where}} patches asyncio so that run_until_complete can re-enter a loop that is already running: other tasks run in the middle of synchronous code, nested waits can deadlock, and loop-bound clients fail with 'Event loop is closed'. Await the work instead, or run it on one persistent loop thread.",
    runUntilComplete:
      "{{bridge}} {{where}} blocks on this thread's own event loop: called from async code it raises 'This event loop is already running' (or, under nest_asyncio, re-enters it). Await the work instead, or hand it to one persistent loop on another thread.",
    privateLoop:
      "{{bridge}} {{where}} runs a private event loop on the calling thread until the work is done: it fails when that thread already runs a loop ('Cannot run the event loop while another loop is running'), and clients bound to one loop break on another. Await the work instead, or hand it to one persistent loop on another thread.",
    threadsafeDeadlock:
      "{{bridge}} {{where}} schedules the coroutine on this thread's own event loop and then blocks this thread until it finishes: the loop cannot run while its thread waits, so this deadlocks (or times out). Await the coroutine; run_coroutine_threadsafe is for handing work to a loop on another thread.",
    asyncToSyncPerCall:
      '{{bridge}}(...) {{where}} builds a sync bridge on every call of {{fn}}: each call blocks this thread while the coroutine runs on an event loop of its own or of another thread. Await the coroutine instead (the caller becomes async), or build the bridge once.',
    busyWait:
      "This loop {{where}} polls {{future}}.done() with time.sleep: the thread sleeps in steps instead of waiting, and when the future belongs to this thread's event loop, the loop never gets to run it, so the wait never ends. Await it, or block once with .result(timeout).",
    runnerBridge:
      '{{bridge}} {{where}} blocks this thread on a persistent event loop in another thread until the coroutine finishes. That runner is the sanctioned bridge; the option allowRunner is off, so await the work instead.',
  },
  'no-sync-wrapper': {
    syncWrapper: "'{{name}}' is a sync wrapper: it only blocks on its async sibling '{{sibling}}' through {{bridge}}. Make its callers await '{{sibling}}' and delete it.",
    syncWrapperRunner:
      "'{{name}}' is a sync wrapper over its async sibling '{{sibling}}' through {{bridge}}. It already goes through a persistent loop runner (one event loop on its own thread), so it is safe meanwhile, but it is migration debt: make its callers await '{{sibling}}' and delete it.",
    syncWrapperInline: "'{{name}}' is a sync wrapper: it only blocks on an inline async function through {{bridge}}. Give that function a name, make the callers await it and delete '{{name}}'.",
  },
  'no-floating-promise': {
    droppedTask:
      'The task from {{what}} is dropped {{where}}: the event loop keeps only a weak reference to it, so it can be garbage-collected before it finishes, and its exception is never retrieved. Keep a reference (a set plus add_done_callback(set.discard), or a TaskGroup) or await it.',
    droppedTaskCallback:
      "{{what}} creates a task in a callback handed to {{dropper}} {{where}}, which ignores the callback's result: the task is dropped, can be garbage-collected before it finishes, and its exception is never retrieved. Keep a reference to it (a set plus add_done_callback(set.discard)).",
    coroutineNotAwaited:
      "{{what}} creates a coroutine {{where}} that nothing awaits: it never runs (Python only warns 'coroutine ... was never awaited'). Await it, or schedule it with asyncio.create_task and keep the task.",
    gatherNotAwaited: '{{what}} is not awaited {{where}}: its awaitables are scheduled but nothing waits for them, and their exceptions are never retrieved. Await it.',
    asyncCallback:
      '{{callback}} is a coroutine function handed to {{dropper}} {{where}}, which calls it without awaiting: every call creates a coroutine that never runs. Hand over a sync function that schedules it on the loop (and keeps the task), or use an async-aware API.',
  },
};

/** Renders a Python finding's message: `{{ name }}` placeholders filled from data, as ESLint does. */
export function formatPythonMessage(finding: Pick<Finding, 'ruleId' | 'messageId' | 'data'>): string {
  const template = PYTHON_MESSAGES[finding.ruleId][finding.messageId];
  if (template === undefined) throw new Error(`loop-audit: rule ${finding.ruleId} has no Python message '${finding.messageId}'`);
  return template.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (whole, key: string) => {
    const value = finding.data?.[key];
    return value === undefined ? whole : String(value);
  });
}
