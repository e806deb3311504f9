import { defineRuleMeta } from '../types.js';

export interface NoLoopPerCallOptions {
  /** Extra constructors or factories (`module#export` or a global name) that build a per-call resource. */
  additionalResources?: string[];
}

export const noLoopPerCallMeta = defineRuleMeta<NoLoopPerCallOptions>()({
  id: 'no-loop-per-call',
  family: 'loop-per-call',
  description: 'Disallow building a worker, process, pool or client inside a function that runs per call',
  type: 'problem',
  messages: {
    workerPerCall:
      "{{what}} starts a new worker thread, with its own event loop, on every call of {{fn}}: create it once (module scope or a cached singleton) or run the work on @loop-audit/runtime's shared worker.",
    poolPerCall: '{{what}} builds a whole worker pool on every call of {{fn}}, which defeats the pool: create it once at module scope or as a cached singleton and reuse it.',
    processPerCall: '{{what}} starts a node process (a fresh runtime and event loop) on every call of {{fn}}: keep one long-lived worker or process, or move the work onto loop-audit/runtime.',
    syncBridgePerCall: "{{what}} builds a sync bridge on every call of {{fn}} ({{cost}}): create it once at module scope, or use loop-audit/runtime's defineSync.",
    runnerPerCall: '{{what}} creates a loop-audit/runtime runner (a worker thread) on every call of {{fn}}: use getRunner(), or create one runner at module scope.',
    clientPerCall: '{{what}} is opened in {{fn}} and closed by {{closer}}() before the call ends: every call pays for a new connection. Create the client once and share it.',
    resourcePerCall: '{{what}} is built on every call of {{fn}} (additionalResources lists it as something to create once): hoist it to module scope or a cached singleton.',
    runnerWithRuntime: "Move it onto @loop-audit/runtime's runner (this package would then depend on @loop-audit/runtime).",
    hoistBridge: 'Build the bridge once: hoist {{what}} to a module-level const {{name}} (its worker then starts when the module loads).',
  },
  defaultOptions: { additionalResources: [] },
  optionsSchema: {
    type: 'object',
    properties: { additionalResources: { type: 'array', items: { type: 'string' }, uniqueItems: true } },
    additionalProperties: false,
  },
  fixable: true,
  hasSuggestions: true,
  usesTypeInformation: false,
  configs: { recommended: 'error', strict: 'error', migration: 'error' },
});

export type NoLoopPerCallMessageId = keyof typeof noLoopPerCallMeta.messages;
