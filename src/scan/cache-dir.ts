import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';

/** The default cache folder's name (`<cwd>/.loop-audit-cache`). */
export const DEFAULT_CACHE_DIR = '.loop-audit-cache';

const GITIGNORE = '# loop-audit cache: safe to delete, never to commit\n*\n';

/**
 * Creates the cache directory and makes `git add -A` pass it by: a `.gitignore` of `*` inside it,
 * written when loop-audit created the directory or the directory is the default one (a folder the
 * user named and made for the cache is theirs to ignore or not).
 */
export function ensureCacheDir(dir: string): void {
  const existed = existsSync(dir);
  mkdirSync(dir, { recursive: true });
  if (existed && path.basename(dir) !== DEFAULT_CACHE_DIR) return;
  const ignore = path.join(dir, '.gitignore');
  if (existsSync(ignore)) return;
  try {
    writeFileAtomic(ignore, GITIGNORE, { durable: false });
  } catch {
    // Only a convenience: a read-only directory still gets its cache.
  }
}
