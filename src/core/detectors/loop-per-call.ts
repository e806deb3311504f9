import { defineDetector } from '../detector.js';

export interface NoLoopPerCallOptions {
  /** Extra constructors or factories (`module#export` or a global name) that build a per-call resource. */
  additionalResources?: string[];
}

export const noLoopPerCall = defineDetector<NoLoopPerCallOptions>({
  meta: {
    id: 'no-loop-per-call',
    family: 'loop-per-call',
    description: 'Disallow building a worker, process, pool or client inside a function that runs per call',
    type: 'problem',
    messages: {
      workerPerCall: '{{what}} is created on every call of {{fn}}: hoist it to module scope or a cached singleton, or use loop-audit/runtime.',
    },
    defaultOptions: { additionalResources: [] },
    optionsSchema: {
      type: 'object',
      properties: { additionalResources: { type: 'array', items: { type: 'string' } } },
      additionalProperties: false,
    },
    usesTypeInformation: false,
  },
  detect() {
    return [];
  },
});
