import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface AtomicWriteOptions {
  /**
   * Flush the content to disk before the rename (the default). Caches (the scan cache, V8 code
   * caches) skip it: a crash may lose one, and the next run rebuilds it.
   */
  durable?: boolean;
}

/**
 * Writes a whole file or nothing: the content goes to a temporary file beside the target (named
 * after it, so a listing that skips the target skips it too), is flushed, then renamed over the
 * target. A crash or a concurrent reader sees the old file or the new one, never half of each (a
 * baseline half written would silently forgive every finding; a source file half fixed would not
 * parse). The folder is created when missing; an existing file keeps its mode.
 */
export function writeFileAtomic(target: string, content: string | Uint8Array, { durable = true }: AtomicWriteOptions = {}): void {
  const dir = path.dirname(target);
  mkdirSync(dir, { recursive: true });
  const mode = statSync(target, { throwIfNoEntry: false })?.mode;
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', mode === undefined ? 0o666 : mode & 0o7777);
  try {
    try {
      writeFileSync(fd, content);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
