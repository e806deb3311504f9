import { defineRuleMeta } from '../types.js';

export interface NoFloatingPromiseOptions {
  /** Whether `void promise` counts as handled (default true; the `strict` config turns it off). */
  allowVoid?: boolean;
  /**
   * Calls whose promise may float, and droppers whose callbacks may be async: a written name
   * (`describe`, `describe.only`, `bus.on`; a bare name also covers its members) or an import
   * `module#export` (`node:test#test`, `node:test#default` for the default export).
   * Setting it replaces the default list.
   */
  allowForKnownSafeCalls?: string[];
  /** Type names (typed mode) whose values may float: `allowForKnownSafePromises: ['PendingLog']`. */
  allowForKnownSafePromises?: string[];
  /** Also report async functions handed to callers that drop their promise (default true). */
  checkCallbacks?: boolean;
  /**
   * Report every thenable, not only promises and thenables whose `then` returns a thenable
   * (default false, as typescript-eslint's `checkThenables`): a framework's reply whose `then`
   * returns void, or a type branded safe to float (`__linterBrands`), floats harmlessly.
   */
  checkThenables?: boolean;
}

/**
 * node:test's `test`/`describe`/`it` return promises that the runner itself tracks, so a
 * top-level `test('...', async () => {})` is not a floating promise. loop-audit/runtime's
 * `spawn` tracks its task, reports the task's error once, and returns a promise that never rejects;
 * `runMain`'s promise never rejects either (a failure ends the process with code 1).
 */
export const DEFAULT_KNOWN_SAFE_CALLS: readonly string[] = [
  'loop-audit/runtime#spawn',
  'loop-audit/runtime#runMain',
  'node:test#default',
  'node:test#test',
  'node:test#describe',
  'node:test#it',
  'node:test#suite',
  'node:test#only',
  'node:test#skip',
  'node:test#todo',
];

export const noFloatingPromiseMeta = defineRuleMeta<NoFloatingPromiseOptions>()({
  id: 'no-floating-promise',
  family: 'floating-promise',
  description: 'Require promises and async callbacks to be awaited, returned or handled',
  type: 'problem',
  messages: {
    floating: 'The promise from {{what}} floats {{where}}: nothing awaits, returns or handles it, so a rejection is lost or crashes the process.',
    floatingThenable: 'The thenable from {{what}} floats {{where}}: nothing awaits, returns or handles it, so its failure is lost.',
    floatingThen: '{{what}} has no rejection handler {{where}}: an error in the chain is lost or crashes the process. Await it, return it, or end it with `.catch(...)`.',
    nonFunctionHandler: 'The rejection handler of {{what}} {{where}} is not a function, so it is ignored and the rejection stays unhandled.',
    promiseArray: 'The array of promises from {{what}} floats {{where}}: nothing awaits them, so their rejections are lost. Await `Promise.all(...)` of it.',
    voided: '`void` discards the promise from {{what}} {{where}}, but its rejection is still lost (allowVoid is off). Await it, return it, or handle it.',
    asyncCallback: '{{callback}} is handed to {{dropper}} {{where}}, which ignores the promise it returns: a rejection is lost or crashes the process.',
    asyncExecutor: 'Async Promise executor {{where}}: an error thrown after its first `await` does not reject the new promise; it floats as an unhandled rejection.',
    addAwait: 'Await it.',
    addVoid: 'Mark it as deliberately detached with `void` (a rejection stays unhandled).',
    awaitAll: 'Await them all with `await Promise.all(...)`.',
    spawnWithRuntime: 'Track it with `spawn()` from @loop-audit/runtime (this package would then depend on @loop-audit/runtime).',
    spawnIfListenerDropped:
      "Wrap it with `spawn()` from @loop-audit/runtime, if this emitter ignores what its listener returns (without types that is unknown: some, like Probot's `app.on`, await their handlers).",
  },
  defaultOptions: { allowVoid: true, allowForKnownSafeCalls: [...DEFAULT_KNOWN_SAFE_CALLS], allowForKnownSafePromises: [], checkCallbacks: true, checkThenables: false },
  optionsSchema: {
    type: 'object',
    properties: {
      allowVoid: { type: 'boolean', description: 'Whether `void promise` counts as handled.' },
      allowForKnownSafeCalls: {
        type: 'array',
        items: { type: 'string' },
        description: 'Callees whose promise may float, or droppers whose callbacks may be async: a written name (`describe`, `bus.on`) or `module#export`.',
      },
      allowForKnownSafePromises: { type: 'array', items: { type: 'string' }, description: 'Type names whose values may float (typed mode).' },
      checkCallbacks: { type: 'boolean', description: 'Also report async functions handed to callers that drop their promise.' },
      checkThenables: { type: 'boolean', description: 'Report every thenable, not only promises and thenables whose `then` returns a thenable.' },
    },
    additionalProperties: false,
  },
  hasSuggestions: true,
  fixable: true,
  usesTypeInformation: true,
  // `strict` follows the seeds' lesson: a task dropped with `void` loses its error just the same.
  // Mid-migration (`migration`), stabilising comes first: floating promises are reported, not blocking.
  configs: { recommended: 'error', strict: ['error', { allowVoid: false }], migration: 'warn' },
});

export type NoFloatingPromiseMessageId = keyof typeof noFloatingPromiseMeta.messages;
