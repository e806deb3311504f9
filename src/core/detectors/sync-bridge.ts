import { bridgeHelpers } from '../bridge-helpers.js';
import { bridgeModule, bridgeSites, localBridgeCall, type BridgeKind, type BridgeSite } from '../bridges.js';
import { defineDetector } from '../detector.js';
import { noSyncBridgeMeta, type NoSyncBridgeMessageId } from '../meta/no-sync-bridge.js';
import { propertyNameText, skipOuterExpressions, type FileFacts } from '../facts.js';
import { localFunction } from '../local-modules.js';
import type { Finding, TS } from '../types.js';
import { deasyncRewrite, runtimeGated } from '../fixes/runner-rewrite.js';

/** The message for each kind of bridge, and the library named in it. */
const MESSAGE_OF: Readonly<Record<BridgeKind, { messageId: NoSyncBridgeMessageId; library: string }>> = {
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
  'sync-message-port': { messageId: 'workerBridge', library: 'sync-message-port' },
  'pseudo-bridge': { messageId: 'pseudoBridge', library: '' },
  'process-wait': { messageId: 'processWait', library: 'child_process' },
  'local-bridge': { messageId: 'localBridge', library: '' },
};

export const noSyncBridge = defineDetector({
  meta: noSyncBridgeMeta,
  detect(facts, options) {
    const findings: Finding<NoSyncBridgeMessageId>[] = [];
    const sites = bridgeSites(facts);
    for (const site of sites) {
      if (site.kind === 'runner' && options.allowRunner !== false) continue;
      findings.push(findingOf(facts, site));
    }
    // Calls of the project's own bridges in other files. A bridge helper (handed the promise it
    // blocks on) is no-sync-wrapper's: its callers are the wrappers that rule reports.
    const known = new Set(sites.map((site) => site.node));
    const ts = facts.ts;
    const visit = (node: TS.Node): void => {
      if (ts.isCallExpression(node) && !known.has(node)) {
        const local = localBridgeCall(facts, node);
        if (local && !(handsOverAsyncWork(facts, node) && bridgeHelpers(local.bridge.facts).byFunction.has(local.bridge.fn))) findings.push(findingOf(facts, local.site));
      }
      ts.forEachChild(node, visit);
    };
    visit(facts.sourceFile);
    return findings.sort((a, b) => a.start - b.start);
  },
});

/** The call hands the bridge its async work: a function or a promise (`runSync(loadOrder, id)`, `runAsync(p)`). */
function handsOverAsyncWork(facts: FileFacts, call: TS.CallExpression): boolean {
  const ts = facts.ts;
  return call.arguments.some((argument) => {
    const expr = skipOuterExpressions(ts, argument);
    if (ts.isArrowFunction(expr) || ts.isFunctionExpression(expr)) return true;
    if ((ts.isIdentifier(expr) || ts.isPropertyAccessExpression(expr)) && localFunction(facts, expr)) return true;
    if ((ts.isIdentifier(expr) || ts.isPropertyAccessExpression(expr)) && facts.imports.has(ts.isIdentifier(expr) ? expr.text : '')) return true;
    return facts.isPromiseValued(expr);
  });
}

function findingOf(facts: FileFacts, site: BridgeSite): Finding<NoSyncBridgeMessageId> {
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
  else if (site.kind === 'process-wait') data = { what: site.label, where };
  else if (site.kind === 'local-bridge') data = { bridge: site.label, where, via: site.via ?? 'a bridge' };
  else data = { bridge: site.label, library, where };
  if (site.factory && site.kind === 'deasync' && facts.ts.isCallExpression(site.node) && facts.refersTo(site.node.expression, 'deasync')) {
    const proposed = deasyncRewrite(facts, site.node);
    const rewrite = { ...runtimeGated(facts, proposed), closure: proposed.closure, shared: proposed.shared };
    return {
      ruleId: 'no-sync-bridge',
      messageId: rewrite.closure ? 'deasyncClosure' : rewrite.shared ? 'deasyncSharedState' : 'deasyncFactory',
      data: rewrite.closure ? { ...data, fn: rewrite.closure } : rewrite.shared ? { ...data, ...rewrite.shared } : data,
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
