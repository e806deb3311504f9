import type { Detector } from './detector.js';
import { noFloatingPromise } from './detectors/floating-promise.js';
import { noLoopPerCall } from './detectors/loop-per-call.js';
import { noSyncBridge } from './detectors/sync-bridge.js';
import { noSyncWrapper } from './detectors/sync-wrapper.js';
import { withoutDisabled } from './directives.js';
import { FileFacts } from './facts.js';
import { diskModuleFacts } from './module-facts.js';
import type { MessageIdOf, OptionsOf } from './meta/index.js';
import type { AnalysisInput, Finding, RuleId } from './types.js';

export const DETECTORS = {
  'no-loop-per-call': noLoopPerCall,
  'no-sync-bridge': noSyncBridge,
  'no-sync-wrapper': noSyncWrapper,
  'no-floating-promise': noFloatingPromise,
} as const satisfies { readonly [Id in RuleId]: Detector<OptionsOf<Id>, MessageIdOf<Id>> };

/** Rule id → options (merged over the rule's defaults), or `false` to skip the rule. */
export type RuleSelection = Partial<Record<RuleId, object | false>>;

/** Runs one rule's detector on a file. This is what each ESLint rule calls. */
export function analyzeRule<Id extends RuleId>(input: AnalysisInput, ruleId: Id, options?: object): Finding<MessageIdOf<Id>>[] {
  // Each detector takes its own options; the caller's are merged over its defaults, as ESLint does.
  // (TypeScript cannot tie DETECTORS[ruleId] to Id: the detector of `ruleId` reports `ruleId`'s messages.)
  const detector = DETECTORS[ruleId] as Detector as Detector<object, MessageIdOf<Id>>;
  const merged = { ...detector.meta.defaultOptions, ...options };
  // Directives naming loop-audit's rules are ESLint's to apply (analyzeFile does it elsewhere);
  // those naming an equivalent rule of another plugin apply here, for every front alike.
  return withoutDisabled(input.ts, input.sourceFile, detectWithFallback(detector, input, merged), 'equivalents');
}

function detectWithFallback<MessageId extends string>(detector: Detector<object, MessageId>, input: AnalysisInput, merged: object): Finding<MessageId>[] {
  if (!input.checker && !input.types) return detector.detect(FileFacts.of(input), merged);
  try {
    return detector.detect(FileFacts.of(input), merged);
  } catch (error) {
    // TypeScript 6.0's checker can throw from inside its own code (getLocalModuleSpecifier under
    // nodenext without baseUrl/paths). One file's type query must not take the whole lint or scan
    // down: that file is analysed without types instead, as it would be without a program.
    if (!isTypeScriptInternalError(error)) throw error;
    return detector.detect(FileFacts.of({ ...input, checker: undefined, types: undefined, moduleFacts: input.moduleFacts ?? diskModuleFacts(input.ts) }), merged);
  }
}

function isTypeScriptInternalError(error: unknown): boolean {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const firstFrame = stack.split('\n').find((line) => line.trimStart().startsWith('at '));
  return firstFrame !== undefined && /[\\/]typescript(?:\.js|[\\/]lib[\\/])/.test(firstFrame);
}

/**
 * Runs the selected rules (all by default) on a file, findings in source order, without those its
 * inline `eslint-disable` comments turn off (ESLint drops them itself). This is what the scanner,
 * `fix` and `migrate` call.
 */
export function analyzeFile(input: AnalysisInput, rules: RuleSelection = {}): Finding[] {
  const findings: Finding[] = [];
  for (const ruleId of Object.keys(DETECTORS) as RuleId[]) {
    const options = rules[ruleId];
    if (options === false) continue;
    findings.push(...analyzeRule(input, ruleId, options));
  }
  return withoutDisabled(input.ts, input.sourceFile, findings).sort((a, b) => a.start - b.start || a.end - b.end || a.ruleId.localeCompare(b.ruleId));
}
