/**
 * @loop-audit/runtime: one persistent worker thread that runs async work for sync callers, plus
 * tracked fire-and-forget tasks and a graceful entry point. No dependencies beyond Node.
 *
 * The module-level functions act on the process-wide default runner, created on first use; the
 * worker itself only starts on the first sync call. Keep this module graph free of top-level
 * await: CommonJS callers load it with require(esm).
 */
import { runMainWith, type MainContext, type RunMainOptions } from './main.js';
import { Runner, createRunner } from './runner.js';
import type { SpawnOptions, Spawnable } from './types.js';

export { RunnerCrashedError, RunnerError, RunnerLoadError, RunnerStoppedError, RunnerTimeoutError } from './errors.js';
export { Runner, createRunner } from './runner.js';
export type { DrainResult, RunnerHealth, RunnerOptions, SafeSyncFunction, SafeSyncOptions, SpawnOptions, Spawnable, SyncFunction, SyncOptions, TaskInfo, Thenable } from './types.js';
export type { MainContext, RunMainOptions } from './main.js';

let defaultRunner: Runner | undefined;

/** The process-wide default runner (default options), created on first use. */
export function getRunner(): Runner {
  return (defaultRunner ??= createRunner());
}

/** `getRunner().defineSync(...)`. */
export const defineSync: Runner['defineSync'] = ((...args: Parameters<Runner['defineSync']>) => getRunner().defineSync(...args)) as Runner['defineSync'];

/** `getRunner().syncFunction(...)`. */
export const syncFunction: Runner['syncFunction'] = (...args: Parameters<Runner['syncFunction']>) => getRunner().syncFunction(...args);

/** `getRunner().spawn(...)`. */
export function spawn<T = undefined>(task: Spawnable<T>, options?: SpawnOptions): Promise<Awaited<T> | undefined> {
  return getRunner().spawn(task, options);
}

/** `getRunner().drain(...)`. */
export function drain(options?: { timeoutMs?: number | undefined }): ReturnType<Runner['drain']> {
  return getRunner().drain(options);
}

/** Run `main` as the program: see `RunMainOptions`. Uses the default runner unless given one. */
export function runMain(main: (context: MainContext) => unknown, options?: RunMainOptions): Promise<void> {
  return runMainWith(getRunner, main, options);
}
