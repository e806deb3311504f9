import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';

export class UnsafeWriteError extends Error {
  override name = 'UnsafeWriteError';
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Where a fix may write `file`: inside the project root once every link is resolved, and not
 * through a symlink (rewriting a link's target would change a file the user did not point at).
 */
export function resolveWritableTarget(root: string, file: string): string {
  const realRoot = realpathSync(root);
  const target = path.resolve(root, file);
  if (!isInside(target, path.resolve(root))) throw new UnsafeWriteError(`refusing to write ${target}: outside the project root ${root}`);
  let stat;
  try {
    stat = lstatSync(target);
  } catch {
    throw new UnsafeWriteError(`refusing to write ${target}: it does not exist`);
  }
  if (stat.isSymbolicLink()) throw new UnsafeWriteError(`refusing to write ${target}: it is a symbolic link`);
  if (!stat.isFile()) throw new UnsafeWriteError(`refusing to write ${target}: not a regular file`);
  const realDir = realpathSync(path.dirname(target));
  if (!isInside(realDir, realRoot)) throw new UnsafeWriteError(`refusing to write ${target}: its folder resolves outside the project root`);
  return path.join(realDir, path.basename(target));
}

/**
 * Replaces a file's content atomically: a temporary file beside it, flushed, then renamed over
 * it. A crash leaves either the old file or the new one, never half of each. Keeps the mode.
 */
export function writeFileAtomic(target: string, content: string): void {
  const { mode } = statSync(target);
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.loop-audit.tmp`);
  const fd = openSync(temp, 'wx', mode & 0o7777);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  try {
    renameSync(temp, target);
  } catch (error) {
    unlinkSync(temp);
    throw error;
  }
}

/** The change as a unified diff with project-relative `a/` and `b/` names, as git prints it. */
export function unifiedDiff(relativeFile: string, before: string, after: string): string {
  const name = relativeFile.split(path.sep).join('/');
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
}
