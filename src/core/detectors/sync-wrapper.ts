import { defineDetector } from '../detector.js';

export type NoSyncWrapperOptions = Record<string, never>;

export const noSyncWrapper = defineDetector<NoSyncWrapperOptions>({
  meta: {
    id: 'no-sync-wrapper',
    family: 'sync-wrapper',
    description: 'Report sync functions whose body only bridges to an async sibling',
    type: 'suggestion',
    messages: {
      syncWrapper: '{{name}} only wraps {{sibling}} in a sync bridge: call {{sibling}} with await instead.',
    },
    defaultOptions: {},
    optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
    usesTypeInformation: false,
  },
  detect() {
    return [];
  },
});
