#!/usr/bin/env node
// Runs a command while BUSY_LOOPS (default 10) busy-looping node processes keep the CPUs
// saturated (load average ≥ 10 on a 2-CPU machine, as shared CI runners are), then stops exactly
// those processes. The way to check that the test suite holds no wall-clock margins:
//
//   node bench/with-load.mjs npm test
//
// It prints the load average at the start and the end, and exits with the command's exit code.
import { spawn } from 'node:child_process';
import os from 'node:os';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: node bench/with-load.mjs <command> [args...]');
  process.exit(2);
}
const count = Number(process.env.BUSY_LOOPS ?? 10);
const loops = Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
const stopLoops = () => {
  for (const loop of loops) if (loop.exitCode === null && loop.signalCode === null) loop.kill('SIGKILL');
};
process.on('exit', stopLoops);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const load = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
console.error(`with-load: ${count} busy loops started (pids ${loops.map((loop) => loop.pid).join(' ')}); load average ${load()}`);
const child = spawn(command, args, { stdio: 'inherit' });
child.on('close', (code, signal) => {
  console.error(`with-load: ${command} ${args.join(' ')} exited with ${code ?? signal}; load average ${load()}`);
  stopLoops();
  process.exit(code ?? 1);
});
