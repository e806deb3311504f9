import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface OwnPackage {
  name: string;
  version: string;
  /** The repository's web address (`https://github.com/owner/name`), from package.json `repository`. */
  repositoryUrl: string;
}

/** `git+https://host/owner/name.git` or `{ url }` → `https://host/owner/name`. */
function webUrlOf(repository: unknown): string {
  const raw = typeof repository === 'string' ? repository : (repository as { url?: string } | undefined)?.url;
  if (!raw) throw new Error('loop-audit: package.json has no repository url');
  return raw.replace(/^git\+/, '').replace(/\.git$/, '');
}

/** The package's own name, version and repository, found by walking up from this module (src/ or dist/src/). */
function readOwnPackage(): OwnPackage {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string; repository?: unknown };
      if (pkg.name === 'loop-audit' && pkg.version) return { name: pkg.name, version: pkg.version, repositoryUrl: webUrlOf(pkg.repository) };
    } catch (error) {
      if ((error as Error).message.startsWith('loop-audit:')) throw error;
      // keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('loop-audit: cannot find its own package.json');
    dir = parent;
  }
}

export const PACKAGE = readOwnPackage();

/**
 * Where a rule's documentation is read: its page under docs/rules in the repository (the same
 * file ships in the package). The one place every docs link (ESLint's `meta.docs.url`, SARIF's
 * `helpUri`, the pretty report) comes from.
 */
export function ruleDocsUrl(ruleName: string): string {
  return `${PACKAGE.repositoryUrl}/blob/main/docs/rules/${ruleName}.md`;
}
