import { defineDetector } from '../detector.js';

export interface NoSyncBridgeOptions {
  /** Allow blocking calls through loop-audit/runtime's defineSync/syncFunction (the cure). */
  allowRunner?: boolean;
}

export const noSyncBridge = defineDetector<NoSyncBridgeOptions>({
  meta: {
    id: 'no-sync-bridge',
    family: 'sync-bridge',
    description: 'Disallow blocking the caller on async work (deasync, make-synchronous, Atomics.wait, busy waits)',
    type: 'problem',
    messages: {
      bridge: '{{what}} blocks the caller on async work.',
    },
    defaultOptions: { allowRunner: true },
    optionsSchema: {
      type: 'object',
      properties: { allowRunner: { type: 'boolean' } },
      additionalProperties: false,
    },
    usesTypeInformation: false,
  },
  detect() {
    return [];
  },
});
