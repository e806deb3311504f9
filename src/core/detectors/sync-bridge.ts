import { bridgeModule, bridgeSites, type BridgeKind, type BridgeSite } from '../bridges.js';
import { defineDetector } from '../detector.js';
import { propertyNameText, type FileFacts } from '../facts.js';
import type { Finding } from '../types.js';
import { deasyncRewrite, runtimeGated } from './runner-fix.js';

export interface NoSyncBridgeOptions {
  /** Allow blocking calls through loop-audit/runtime's defineSync/syncFunction (the cure). */
  allowRunner?: boolean;
}

/** The message for each kind of bridge, and the library named in it. */
const MESSAGE_OF: Readonly<Record<BridgeKind, { messageId: string; library: string }>> = {
  deasync: { messageId: 'loopReentry', library: 'deasync' },
  'deasync-loop': { messageId: 'loopReentry', library: 'deasync' },
  'make-synchronous': { messageId: 'workerBridge', library: 'make-synchronous' },
  'do-sync': { messageId: 'processBridge', library: 'do-sync' },
  synckit: { messageId: 'workerBridge', library: 'synckit' },
  'sync-threads': { messageId: 'workerBridge', library: 'sync-threads' },
  'sync-rpc': { messageId: 'rpcBridge', library: 'sync-rpc' },
  runner: { messageId: 'runnerBridge', library: '@loop-audit/runtime' },
  'atomics-wait': { messageId: 'atomicsWait', library: 'Atomics' },
  'exec-node': { messageId: 'execNode', library: 'child_process' },
  fibers: { messageId: 'fibers', library: 'fibers' },
  'busy-wait': { messageId: 'busyWait', library: '' },
  'receive-message-poll': { messageId: 'receivePoll', library: 'worker_threads' },
  'pseudo-bridge': { messageId: 'pseudoBridge', library: '' },
};

export const noSyncBridge = defineDetector<NoSyncBridgeOptions>({
  meta: {
    id: 'no-sync-bridge',
    family: 'sync-bridge',
    description: 'Disallow blocking the caller on async work (deasync, make-synchronous, Atomics.wait, busy waits)',
    type: 'problem',
    messages: {
      deasyncFactory:
        '{{bridge}}(...) {{where}} builds a function that re-enters the event loop on every call: timers, I/O and promise callbacks run in the middle of its synchronous caller (what nest_asyncio does in Python), and nested calls can deadlock. Make the caller async, or use loop-audit/runtime.',
      deasyncClosure:
        '{{bridge}}(...) {{where}} builds a function that re-enters the event loop on every call, around {{fn}}, a closure: it cannot move to loop-audit/runtime\'s worker, which shares no variables with this code, so there is no autofix. Migrate the callers instead: make them async and await the work (util.promisify turns a callback function into one that returns a promise).',
      runnerWithRuntime: "Move it onto @loop-audit/runtime's runner (this package would then depend on @loop-audit/runtime).",
      exportAndDefineSync:
        'Export {{fn}} and call it through getRunner().defineSync on loop-audit/runtime\'s worker (the worker loads this module again, without this thread\'s state).',
      loopReentry:
        '{{bridge}} {{where}} re-enters the event loop ({{library}}) to wait for async work: other callbacks run in the middle of this synchronous code, and nested waits can deadlock. Await the work instead, or use loop-audit/runtime.',
      processBridge:
        '{{bridge}} {{where}} is a {{library}} bridge: every call blocks this thread while a brand-new node process does the async work (tens of milliseconds each). Await the work, or use loop-audit/runtime, which keeps one worker for the whole process.',
      workerBridge:
        '{{bridge}} {{where}} blocks this thread on a {{library}} worker until the async work settles: nothing else on this event loop runs meanwhile. Await the work where the caller can be async.',
      rpcBridge:
        '{{bridge}} {{where}} blocks this thread on a sync-rpc server process until the async work settles: nothing else on this event loop runs meanwhile. Await the work, or use loop-audit/runtime.',
      runnerBridge:
        '{{bridge}} {{where}} blocks this thread on loop-audit/runtime\'s worker until the async work settles. The runner is the sanctioned bridge; the option allowRunner is off, so await the work instead.',
      atomicsWait:
        '{{bridge}} {{where}} blocks the main thread: its event loop (I/O, timers, promise callbacks) stops until another thread notifies. Block only inside a worker; on the main thread, await Atomics.waitAsync or a message.',
      execNode:
        '{{bridge}} {{where}} starts a node process and blocks until it prints its result: a fresh runtime and event loop for one answer. Await the work in this process, or use loop-audit/runtime.',
      fibers:
        '{{bridge}} {{where}} uses node-fibers to make async code look synchronous: fibers is unmaintained and does not build on current Node. Use async/await.',
      busyWait:
        'This loop {{where}} spins until {{flag}} changes, but only an async callback sets {{flag}}: that callback cannot run while the loop holds the thread, so the loop never ends. Await the promise instead.',
      receivePoll:
        '{{bridge}} polled in a loop {{where}} spins this thread until another thread replies: nothing else on this event loop runs meanwhile. Listen for the message event, or block inside a worker.',
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
  },
  detect(facts, options) {
    const findings: Finding[] = [];
    for (const site of bridgeSites(facts)) {
      if (site.kind === 'runner' && options.allowRunner !== false) continue;
      findings.push(findingOf(facts, site));
    }
    return findings;
  },
});

function findingOf(facts: FileFacts, site: BridgeSite): Finding {
  let { messageId, library } = MESSAGE_OF[site.kind];
  // make-synchronous 2.x keeps a worker per function; its /subprocess entry starts node per call.
  if (site.kind === 'make-synchronous' && facts.ts.isCallExpression(site.node) && bridgeModule(facts, site.node) === 'make-synchronous/subprocess') {
    messageId = 'processBridge';
    library = 'make-synchronous/subprocess';
  }
  const where = describeWhere(facts, site.node);
  let data: Record<string, string>;
  if (site.kind === 'busy-wait') data = { flag: site.label, where };
  else if (site.kind === 'pseudo-bridge') data = { name: site.label, where };
  else data = { bridge: site.label, library, where };
  if (site.factory && site.kind === 'deasync' && facts.ts.isCallExpression(site.node) && facts.refersTo(site.node.expression, 'deasync')) {
    const rewrite = runtimeGated(facts, deasyncRewrite(facts, site.node));
    return {
      ruleId: 'no-sync-bridge',
      messageId: rewrite.closure ? 'deasyncClosure' : 'deasyncFactory',
      data: rewrite.closure ? { ...data, fn: rewrite.closure } : data,
      start: site.start,
      end: site.end,
      ...(rewrite.fix ? { fix: rewrite.fix } : {}),
      ...(rewrite.suggestions ? { suggestions: rewrite.suggestions } : {}),
    };
  }
  return {
    ruleId: 'no-sync-bridge',
    messageId: site.factory ? 'deasyncFactory' : messageId,
    data,
    start: site.start,
    end: site.end,
  };
}

/** `in loadConfig()`, `in an anonymous function`, `at module scope`: where the bridge blocks. */
export function describeWhere(facts: FileFacts, node: BridgeSite['node']): string {
  const ts = facts.ts;
  const fn = facts.enclosingFunction(node);
  // Class fields and static blocks are not functions, but they are not module scope either.
  for (let current = node.parent; current && current !== fn; current = current.parent) {
    const owner = current.parent && (ts.isClassDeclaration(current.parent) || ts.isClassExpression(current.parent)) ? (current.parent.name?.text ?? 'a class') : undefined;
    if (ts.isPropertyDeclaration(current)) return `in the field ${owner ?? 'a class'}.${propertyNameText(ts, current.name) ?? '<computed>'}`;
    if (ts.isClassStaticBlockDeclaration(current)) return `in a static block of ${owner ?? 'a class'}`;
  }
  if (!fn) return 'at module scope';
  const name = facts.functionName(fn);
  return name.startsWith('<') ? 'in an anonymous function' : `in ${name}()`;
}
