import { constants } from 'node:os';
import { inspect } from 'node:util';
import type { Runner } from './runner.js';

export interface MainContext {
  /** Aborted when SIGINT/SIGTERM arrives: stop accepting work, close servers. */
  readonly signal: AbortSignal;
  readonly runner: Runner;
}

export interface RunMainOptions {
  /** Runner to drain and shut down. Default: the process-wide default runner. */
  runner?: Runner | undefined;
  /** Budget for draining tasks after a signal or a failure, in ms. Default 10 000. */
  timeoutMs?: number | undefined;
  /** Signals that trigger a graceful stop. Default `['SIGINT', 'SIGTERM']`. */
  signals?: NodeJS.Signals[] | undefined;
}

/**
 * The entry point for CLIs and services. Runs `main`; when it resolves, waits for the tasks it
 * spawned. On SIGINT/SIGTERM: aborts `context.signal`, drains tasks and shuts the runner down
 * (bounded by `timeoutMs`), then exits with 128 + the signal number. If `main` throws, or a
 * spawned task fails with nothing to handle its error (and the runner's `exitOnTaskFailure` is
 * on): prints a clear message, aborts, drains and shuts down the same way, and exits with code 1,
 * whatever handles are open. A second signal exits at once. The returned promise never rejects.
 */
export async function runMainWith(defaultRunner: () => Runner, main: (context: MainContext) => unknown, options: RunMainOptions = {}): Promise<void> {
  const runner = options.runner ?? defaultRunner();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const controller = new AbortController();
  let stopping = false;

  const stop = async (code: number): Promise<never> => {
    await runner.shutdown({ timeoutMs }).then(
      (result) => {
        if (!result.drained) {
          console.error(`@loop-audit/runtime: ${result.pendingTasks} task(s) still running after ${timeoutMs} ms; exiting anyway`);
        }
      },
      (error: unknown) => console.error(`@loop-audit/runtime: shutdown failed: ${inspect(error)}`),
    );
    process.exit(code);
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    const code = 128 + (constants.signals[signal] ?? 0);
    if (stopping) {
      process.exit(code);
    }
    stopping = true;
    controller.abort(new Error(`received ${signal}`));
    void stop(code);
  };
  // Signal handlers do not keep the process alive, so they can stay for the life of a service.
  for (const signal of signals) process.on(signal, onSignal);
  // An unhandled task failure stops the program like a failed main (the runner has reported it).
  // Element access reaches the runner's private hook: it is not part of the public surface.
  runner['failureExit'] = () => {
    if (stopping) return;
    stopping = true;
    controller.abort(new Error('a spawned task failed'));
    void stop(1);
  };

  try {
    await main({ signal: controller.signal, runner });
  } catch (error) {
    if (stopping) return;
    stopping = true;
    console.error(`@loop-audit/runtime: main failed: ${inspect(error)}`);
    process.exitCode = 1;
    await stop(1);
    return;
  }
  if (!stopping) await runner.drain();
}
