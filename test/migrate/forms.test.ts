import { describe, expect, it } from 'vitest';
import { project, read, refusals, run, typecheck } from './helpers.js';
import { BRIDGE, DEASYNC_TYPES, USERS } from './sources.js';

const BASE = { 'types/deasync.d.ts': DEASYNC_TYPES, 'src/lib/bridge.ts': BRIDGE, 'src/data/users.ts': USERS };

describe('migrate: the shapes a wrapper takes', () => {
  it('bindings of a bridge factory and of the runner, a class-field arrow, an object property, an export list', async () => {
    const dir = project({
      ...BASE,
      'types/deasync.d.ts': `declare module 'deasync' {
  interface Deasync {
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => R;
    loopWhile(condition: () => boolean): void;
  }
  const deasync: Deasync;
  export default deasync;
}
`,
      'types/runtime.d.ts': `declare module '@loop-audit/runtime' {
  export function defineSync<F extends (...args: any[]) => any>(module: string | URL, exportName?: string): (...args: Parameters<F>) => Awaited<ReturnType<F>>;
}
`,
      'src/data/files.ts': `import deasync from 'deasync';
import { defineSync } from '@loop-audit/runtime';
import type { countLines } from './lines.js';

export async function readText(name: string): Promise<string> {
  return name;
}

export const readTextSync = deasync(readText);

const countLinesSync = defineSync<typeof countLines>(new URL('./lines.js', import.meta.url), 'countLines');

export { countLinesSync };
`,
      'src/data/lines.ts': `export async function countLines(text: string): Promise<number> {
  return text.split('\\n').length;
}
`,
      'src/data/cache.ts': `import { runAsync } from '../lib/bridge.js';

export class Cache {
  async fetchAsync(key: string): Promise<string> {
    return key;
  }

  fetch = (key: string): string => runAsync(this.fetchAsync(key));
}

export const store = {
  async getAsync(key: string): Promise<number> {
    return key.length;
  },
  get(key: string): number {
    return runAsync(this.getAsync(key));
  },
  size: 1,
};
`,
      'src/use.ts': `import { Cache, store } from './data/cache.js';
import { countLinesSync, readTextSync } from './data/files.js';

export function summary(cache: Cache): string {
  return \`\${readTextSync('a')} \${countLinesSync('x')} \${cache.fetch('k')} \${store.get('k')}\`;
}
`,
    });
    const result = await run(dir);
    expect(refusals(result)).toEqual([]);
    expect(result.summary).toMatchObject({ wrappersFound: 6, wrappersRemoved: 6 });
    expect(read(dir, 'src/use.ts')).toBe(`import { Cache, store } from './data/cache.js';
import { readText } from './data/files.js';
import { countLines } from './data/lines.js';

export async function summary(cache: Cache): Promise<string> {
  return \`\${await readText('a')} \${await countLines('x')} \${await cache.fetchAsync('k')} \${await store.getAsync('k')}\`;
}
`);
    expect(read(dir, 'src/data/files.ts')).toBe(`export async function readText(name: string): Promise<string> {
  return name;
}
`);
    expect(read(dir, 'src/data/cache.ts')).toBe(`export class Cache {
  async fetchAsync(key: string): Promise<string> {
    return key;
  }
}

export const store = {
  async getAsync(key: string): Promise<number> {
    return key.length;
  },
  size: 1,
};
`);
    expect(typecheck(dir)).toBe('');
  });

  it('--keep-public-sync keeps an exported wrapper as the marked boundary, on the runner', async () => {
    const dir = project({
      ...BASE,
      'src/use.ts': `import { loadUserSync } from './data/users.js';

export async function show(id: string): Promise<void> {
  console.log(loadUserSync(id));
}
`,
    });
    const result = await run(dir, { keepPublicSync: true, phase: 'data-layer' });
    const users = read(dir, 'src/data/users.ts');
    expect(users).toContain(`/** The sync double. */
/** @deprecated sync boundary kept by loop-audit migrate --keep-public-sync */
export function loadUserSync(id: string): User | undefined {
  return defineSync<typeof loadUser>(import.meta.url, 'loadUser')(id);
}`);
    expect(read(dir, 'src/use.ts')).toContain('console.log(await loadUser(id));');
    expect(result.changes.filter((c) => c.kind === 'public-boundary')).toHaveLength(1);
  });
});
