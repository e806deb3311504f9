import { statSync } from 'node:fs';
import path from 'node:path';

/**
 * Whether `file` is `dir` or inside it (absolute, normalised paths). The directory itself counts:
 * a root or output directory named as such is covered. Names that merely start with two dots
 * (`..generated.ts`) are inside; a sibling sharing a prefix (`lib-old` for `lib`) is not.
 */
export function isUnder(file: string, dir: string): boolean {
  const base = dir.endsWith(path.sep) ? dir.slice(0, -1) : dir;
  return file === base || file.startsWith(base + path.sep);
}

export function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
