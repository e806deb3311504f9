import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { isUnder } from '../util/paths.js';

export class UnsafeWriteError extends Error {
  override name = 'UnsafeWriteError';
}

/**
 * Where a fix may write `file`: inside the project root once every link is resolved, and not
 * through a symlink (rewriting a link's target would change a file the user did not point at).
 */
export function resolveWritableTarget(root: string, file: string): string {
  const realRoot = realpathSync(root);
  const target = path.resolve(root, file);
  if (!isUnder(target, path.resolve(root))) throw new UnsafeWriteError(`refusing to write ${target}: outside the project root ${root}`);
  let stat;
  try {
    stat = lstatSync(target);
  } catch {
    throw new UnsafeWriteError(`refusing to write ${target}: it does not exist`);
  }
  if (stat.isSymbolicLink()) throw new UnsafeWriteError(`refusing to write ${target}: it is a symbolic link`);
  if (!stat.isFile()) throw new UnsafeWriteError(`refusing to write ${target}: not a regular file`);
  const realDir = realpathSync(path.dirname(target));
  if (!isUnder(realDir, realRoot)) throw new UnsafeWriteError(`refusing to write ${target}: its folder resolves outside the project root`);
  return path.join(realDir, path.basename(target));
}

/** The change as a unified diff with project-relative `a/` and `b/` names, as git prints it. */
export function unifiedDiff(relativeFile: string, before: string, after: string): string {
  const name = relativeFile.split(path.sep).join('/');
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
}
