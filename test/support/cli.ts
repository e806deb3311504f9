import { main, type CliIo } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `loop-audit <args>` in `cwd`, in-process: the `main` the binary calls, with the binary's io minus
 * colours, and no Node start-up per command. One smoke test per command still runs the real binary.
 */
export async function cliInProcess(cwd: string, args: readonly string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { isTTY: false, write: (s: string) => ((stdout += s), true) },
    stderr: { isTTY: false, write: (s: string) => ((stderr += s), true) },
    env: { ...process.env, NO_COLOR: '1' },
    cwd,
  };
  const code = await main(['node', 'loop-audit', ...args], io);
  return { code, stdout, stderr };
}
