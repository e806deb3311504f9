import { defineRuleMeta } from '../types.js';

export interface NoSyncWrapperOptions {
  /**
   * Names of sync bridge helpers the analysis cannot see into (from a package, or a module it
   * cannot resolve): `runSync(this.loadAsync())` is a sync wrapper when `runSync` is listed.
   */
  bridgeHelpers?: string[];
  /** Don't report wrappers that already go through loop-audit/runtime's runner (an interim phase). */
  allowRunner?: boolean;
}

export const noSyncWrapperMeta = defineRuleMeta<NoSyncWrapperOptions>()({
  id: 'no-sync-wrapper',
  family: 'sync-wrapper',
  description: 'Report sync functions whose body only blocks on an async sibling through a sync bridge',
  type: 'suggestion',
  messages: {
    syncWrapper: "'{{name}}' is a sync wrapper: it only blocks on its async sibling '{{sibling}}' through {{bridge}}. Make its callers await '{{sibling}}' and delete it.",
    syncWrapperRunner:
      "'{{name}}' is a sync wrapper over its async sibling '{{sibling}}' through {{bridge}}. It already goes through the loop-audit runner, so it is safe meanwhile, but it is migration debt: make its callers await '{{sibling}}' and delete it.",
    syncWrapperInline: "'{{name}}' is a sync wrapper: it only blocks on an inline async function through {{bridge}}. Give that function a name, make the callers await it and delete '{{name}}'.",
  },
  defaultOptions: { bridgeHelpers: [], allowRunner: false },
  optionsSchema: {
    type: 'object',
    properties: {
      bridgeHelpers: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
      allowRunner: { type: 'boolean' },
    },
    additionalProperties: false,
  },
  usesTypeInformation: true,
  // Migration debt, not a bug by itself: visible in `recommended`, blocking in `strict`.
  configs: { recommended: 'warn', strict: 'error', migration: 'warn' },
});

export type NoSyncWrapperMessageId = keyof typeof noSyncWrapperMeta.messages;
