/**
 * What every command shares: the streams and environment it runs with, the exit codes, and the
 * one decision about colours. A leaf module, so commands and the progress CLI import it without
 * importing each other.
 */

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

export type FailOn = 'error' | 'warn' | 'off';

export interface CliIo {
  stdout: { isTTY?: boolean; write(chunk: string): boolean };
  stderr: { isTTY?: boolean; columns?: number; write(chunk: string): boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** NO_COLOR (any non-empty value) and --no-color turn colours off, and so does anything but a terminal; FORCE_COLOR turns them on. */
export function useColor(option: boolean, toTerminal: boolean, env: NodeJS.ProcessEnv): boolean {
  if (!option) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return toTerminal;
}
