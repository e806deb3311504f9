import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Fixture modules are plain .mjs/.cjs so the runner's worker (and child processes) load them as they are. */
export const fixture = (name: string): URL => new URL(`./fixtures/${name}`, import.meta.url);
export const fixturePath = (name: string): string => fileURLToPath(fixture(name));

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a fixture in a fresh node process. `onStdout` may act on the child (send it a signal).
 * The generous `killAfterMs` only guards the test suite against a hang; it asserts nothing.
 */
export function runNode(script: string, options: { onStdout?: (text: string, child: ReturnType<typeof spawn>) => void; killAfterMs?: number } = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixturePath(script)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      options.onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 50_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
