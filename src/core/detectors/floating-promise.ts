import { defineDetector } from '../detector.js';

export interface NoFloatingPromiseOptions {
  allowVoid?: boolean;
  /** Callee names whose promise may float (test frameworks' `describe`, `it`, `test`). */
  allowForKnownSafeCalls?: string[];
}

export const noFloatingPromise = defineDetector<NoFloatingPromiseOptions>({
  meta: {
    id: 'no-floating-promise',
    family: 'floating-promise',
    description: 'Require promises and async callbacks to be awaited, returned or handled',
    type: 'problem',
    messages: {
      floating: 'This promise is neither awaited, returned nor handled: its rejection is lost.',
    },
    defaultOptions: { allowVoid: true, allowForKnownSafeCalls: [] },
    optionsSchema: {
      type: 'object',
      properties: {
        allowVoid: { type: 'boolean' },
        allowForKnownSafeCalls: { type: 'array', items: { type: 'string' } },
      },
      additionalProperties: false,
    },
    hasSuggestions: true,
    usesTypeInformation: true,
  },
  detect() {
    return [];
  },
});
