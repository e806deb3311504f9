import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's own name and version, found by walking up from this module (src/ or dist/src/). */
function readOwnPackage(): { name: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'loop-audit' && pkg.version) return { name: pkg.name, version: pkg.version };
    } catch {
      // keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('loop-audit: cannot find its own package.json');
    dir = parent;
  }
}

export const PACKAGE = readOwnPackage();
