/**
 * Ordering by handshake, not by clock: a call of math.mjs's `holdUntilOpen(gate.buffer, value)`
 * stays pending in the worker until `open()`, however slow or busy the machine is.
 */
export class Gate {
  /** Word 0: open; word 1: the held call has started in the worker. */
  readonly buffer = new SharedArrayBuffer(8);
  private readonly words = new Int32Array(this.buffer);

  open(): void {
    Atomics.store(this.words, 0, 1);
    Atomics.notify(this.words, 0);
  }

  get started(): boolean {
    return Atomics.load(this.words, 1) === 1;
  }
}

/**
 * Waits for a condition the runtime reaches through an event (a reply, an exit), checking it
 * between turns of the event loop. The deadline only turns a hang into a failure; it is no margin
 * any passing run comes near.
 */
export async function until(condition: () => boolean, what: string, deadlineMs = 120_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
