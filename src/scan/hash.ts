import { createHash } from 'node:crypto';

/** Content hash used by the cache: SHA-1 is plenty to tell file versions apart and fast on large inputs. */
export function hashText(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export function hashParts(parts: readonly string[]): string {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}
