import type { Family, RuleId, RuleMeta, Severity, SharedConfig } from '../types.js';
import { noFloatingPromiseMeta } from './no-floating-promise.js';
import { noLoopPerCallMeta } from './no-loop-per-call.js';
import { noSyncBridgeMeta } from './no-sync-bridge.js';
import { noSyncWrapperMeta } from './no-sync-wrapper.js';

/**
 * Every rule's meta, by id. Kept apart from the detectors (which import their own) so that what
 * derives from it — the configuration's defaults, report columns, the plugin's configs — loads
 * without the analysis code: a warm cached scan never loads a detector.
 */
export const RULE_META = {
  'no-loop-per-call': noLoopPerCallMeta,
  'no-sync-bridge': noSyncBridgeMeta,
  'no-sync-wrapper': noSyncWrapperMeta,
  'no-floating-promise': noFloatingPromiseMeta,
} as const satisfies { readonly [Id in RuleId]: RuleMeta<object, string> };

export type RuleMetaOf<Id extends RuleId> = (typeof RULE_META)[Id];
export type MessageIdOf<Id extends RuleId> = RuleMetaOf<Id> extends RuleMeta<object, infer MessageId> ? MessageId : never;
export type OptionsOf<Id extends RuleId> = RuleMetaOf<Id>['defaultOptions'];

/** One rule's meta, typed by its id. (TypeScript cannot tie `RULE_META[id]` to `Id` by itself: an indexed union.) */
export function ruleMeta<Id extends RuleId>(id: Id): RuleMeta<OptionsOf<Id>, MessageIdOf<Id>> {
  return RULE_META[id] as RuleMeta<object, string> as RuleMeta<OptionsOf<Id>, MessageIdOf<Id>>;
}

const RULE_IDS_IN_ORDER = Object.keys(RULE_META) as RuleId[];

function byRule<Value>(value: (id: RuleId) => Value): Readonly<Record<RuleId, Value>> {
  return Object.fromEntries(RULE_IDS_IN_ORDER.map((id) => [id, value(id)])) as Record<RuleId, Value>;
}

export const FAMILY_OF_RULE: Readonly<Record<RuleId, Family>> = byRule((id) => RULE_META[id].family);

/** The rules' entries in one shared config, by rule id. */
export function sharedConfigEntries(config: SharedConfig): Readonly<Record<RuleId, Severity | readonly [Severity, object]>> {
  return byRule((id): Severity | readonly [Severity, object] => RULE_META[id].configs[config]);
}

/** The severities of the plugin's `recommended` config: the scanner and `eslint` with it fail on the same findings. */
export const DEFAULT_SEVERITIES: Readonly<Record<RuleId, Severity>> = byRule((id) => RULE_META[id].configs.recommended);
