import type { RuleSelection } from '../core/analyze.js';
import type { Finding, RuleId } from '../core/types.js';
import { detectFloating } from './detectors/floating.js';
import { detectLoopPerCall } from './detectors/loop-per-call.js';
import { detectSyncBridge } from './detectors/sync-bridge.js';
import { detectSyncWrapper } from './detectors/sync-wrapper.js';
import type { PythonContext } from './semantics.js';

/** One detector per rule family, as for TypeScript; each takes the rule's own options. */
export const PYTHON_DETECTORS: { readonly [Id in RuleId]: (ctx: PythonContext, options: any) => Finding[] } = {
  'no-loop-per-call': detectLoopPerCall,
  'no-sync-bridge': detectSyncBridge,
  'no-sync-wrapper': detectSyncWrapper,
  'no-floating-promise': detectFloating,
};

/** The options each rule has by default (the TypeScript rules' defaults that mean something for Python). */
const DEFAULTS: { readonly [Id in RuleId]: object } = {
  'no-loop-per-call': { additionalResources: [] },
  'no-sync-bridge': { allowRunner: true },
  'no-sync-wrapper': { bridgeHelpers: [], allowRunner: false },
  'no-floating-promise': { allowForKnownSafeCalls: [], checkCallbacks: true },
};

/** Runs the selected rules (all by default) on one Python file, findings in source order. */
export function analyzePython(ctx: PythonContext, rules: RuleSelection = {}): Finding[] {
  const findings: Finding[] = [];
  for (const ruleId of Object.keys(PYTHON_DETECTORS) as RuleId[]) {
    const options = rules[ruleId];
    if (options === false) continue;
    findings.push(...PYTHON_DETECTORS[ruleId](ctx, { ...DEFAULTS[ruleId], ...options }));
  }
  return findings.sort((a, b) => a.start - b.start || a.end - b.end || a.ruleId.localeCompare(b.ruleId));
}
