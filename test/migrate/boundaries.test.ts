import { describe, expect, it } from 'vitest';
import { project, read, refusals, run, typecheck } from './helpers.js';
import { BRIDGE, DEASYNC_TYPES } from './sources.js';

const USERS = `import { runAsync } from '../lib/bridge.js';

export interface User {
  id: string;
  name: string;
}

const table = new Map<string, User>();

export async function findUser(id: string): Promise<User | undefined> {
  return table.get(id);
}

export async function saveUser(user: User): Promise<void> {
  table.set(user.id, user);
}

export function findUserSync(id: string): User | undefined {
  return runAsync(findUser(id));
}

export function saveUserSync(user: User): void {
  runAsync(saveUser(user));
}
`;

describe('migrate: boundaries where callers cannot be followed', () => {
  it('a route handler stored in an object map: its body awaits inside a tracked task; everything below migrates', async () => {
    const dir = project(
      {
        'types/deasync.d.ts': DEASYNC_TYPES,
        'src/lib/bridge.ts': BRIDGE,
        'src/data/users.ts': USERS,
        'src/services/accounts.ts': `import { findUserSync, saveUserSync, type User } from '../data/users.js';

export function rename(id: string, name: string): User | undefined {
  const user = findUserSync(id);
  if (!user) return undefined;
  saveUserSync({ ...user, name });
  return user;
}
`,
        'src/routes.ts': `import { rename } from './services/accounts.js';

export interface Reply {
  send(body: string): void;
}

export const routes: Record<string, (params: Record<string, string>, reply: Reply) => void> = {
  '/rename': (params, reply) => {
    const user = rename(params.id ?? '', params.name ?? '');
    reply.send(user ? 'ok' : 'missing');
  },
};
`,
      },
      { link: ['@loop-audit/runtime'] },
    );
    const result = await run(dir);
    expect(refusals(result)).toEqual([]);
    expect(read(dir, 'src/services/accounts.ts')).toContain('export async function rename(');
    const routes = read(dir, 'src/routes.ts');
    expect(routes).toContain("import { spawn } from '@loop-audit/runtime';");
    expect(routes).toContain(`  '/rename': (params, reply) => {
    spawn(async () => {
      const user = await rename(params.id ?? '', params.name ?? '');
      reply.send(user ? 'ok' : 'missing');
    }, { name: 'routes: /rename' });
  },`);
    expect(read(dir, 'src/data/users.ts')).not.toContain('Sync');
    expect(typecheck(dir)).toBe('');
  });

  const base = (files: Record<string, string>) =>
    project({ 'types/deasync.d.ts': DEASYNC_TYPES, 'src/lib/bridge.ts': BRIDGE, 'src/data/users.ts': USERS, ...files }, { link: ['@loop-audit/runtime'] });

  it('a function type that accepts a promise (`void | Promise<void>`): the stored function simply becomes async', async () => {
    const dir = base({
      'src/jobs.ts': `import { saveUserSync } from './data/users.js';

export const jobs: Record<string, (id: string) => void | Promise<void>> = {
  touch: (id) => {
    saveUserSync({ id, name: id });
  },
};
`,
    });
    const result = await run(dir);
    expect(refusals(result)).toEqual([]);
    expect(read(dir, 'src/jobs.ts')).toContain(`  touch: async (id) => {
    await saveUser({ id, name: id });
  },`);
    expect(typecheck(dir)).toBe('');
  });

  it('a named handler put in a Map and handed to an unknown API: each stays sync and awaits inside a tracked task', async () => {
    const dir = base({
      'src/bus.ts': `export type Listener = (payload: string) => void;
const listeners = new Map<string, Listener>();
export function subscribe(topic: string, listener: Listener): void {
  listeners.set(topic, listener);
}
export function publish(topic: string, payload: string): void {
  listeners.get(topic)?.(payload);
}
`,
      'src/wiring.ts': `import { subscribe } from './bus.js';
import { findUserSync, saveUserSync } from './data/users.js';

function onCreated(id: string): void {
  saveUserSync({ id, name: id });
}

export const table = new Map<string, (id: string) => void>();
table.set('created', onCreated);

subscribe('renamed', (id) => {
  const user = findUserSync(id);
  if (user) saveUserSync({ ...user, name: user.name.toUpperCase() });
});
`,
    });
    const result = await run(dir);
    expect(refusals(result)).toEqual([]);
    const wiring = read(dir, 'src/wiring.ts');
    expect(wiring).toContain(`function onCreated(id: string): void {
  spawn(async () => {
    await saveUser({ id, name: id });
  }, { name: 'onCreated' });
}`);
    expect(wiring).toContain(`subscribe('renamed', (id) => {
  spawn(async () => {
    const user = await findUser(id);
    if (user) await saveUser({ ...user, name: user.name.toUpperCase() });
  }, { name: 'subscribe renamed' });
});`);
    expect(typecheck(dir)).toBe('');
  });

  it('stays sync, with the reason, when it is also called directly or its result is used', async () => {
    const dir = base({
      'src/direct.ts': `import { findUserSync } from './data/users.js';

export function greet(id: string): void {
  console.log(findUserSync(id)?.name);
}
export const handlers = { greet };
greet('a');
`,
      'src/result.ts': `import { findUserSync } from './data/users.js';

export const lookups: Record<string, (id: string) => string> = {
  name: (id) => findUserSync(id)?.name ?? '',
};
`,
    });
    const result = await run(dir);
    const reasons = refusals(result);
    expect(reasons).toContainEqual(expect.stringMatching(/^value-use: 'greet' stays sync: it is used as a value at src\/direct\.ts:6 .*, and it is also called directly at src\/direct\.ts:7$/));
    expect(reasons).toContainEqual("declared-type: 'name' stays sync: it is stored where its type is declared as `(id: string) => string`, which does not let it return a promise");
    expect(read(dir, 'src/result.ts')).toContain('findUserSync(id)');
    expect(typecheck(dir)).toBe('');
  });

  it('a timer callback and an event listener: what `fix` does to an async callback, done by the migration (spawn inside, crash policy kept)', async () => {
    const dir = base({
      'src/places/timer.ts': `import { findUserSync } from '../data/users.js';

export function later(): void {
  setTimeout(() => console.log(findUserSync('a')), 10);
}
`,
      'src/places/listener.ts': `import { EventEmitter } from 'node:events';
import { findUserSync } from '../data/users.js';

export const bus = new EventEmitter();
bus.on('login', (id: string) => console.log(findUserSync(id)));
`,
    });
    const result = await run(dir);
    expect(refusals(result)).toEqual([]);
    expect(read(dir, 'src/places/timer.ts')).toContain("  setTimeout(() => { spawn(async () => console.log(await findUser('a')), { name: 'setTimeout' }); }, 10);");
    expect(read(dir, 'src/places/listener.ts')).toContain("bus.on('login', (id: string) => { spawn(async () => console.log(await findUser(id)), { name: 'bus.on login' }); });");
    expect(typecheck(dir)).toBe('');
  });
});

describe('migrate: names that lie after the migration', () => {
  const base = (files: Record<string, string>) =>
    project({ 'types/deasync.d.ts': DEASYNC_TYPES, 'src/lib/bridge.ts': BRIDGE, 'src/data/users.ts': USERS, ...files }, { link: ['@loop-audit/runtime'] });

  it('an async pass-through wrapper (`return await sibling(id)`) goes; its callers call the sibling, across files', async () => {
    const dir = base({
      'src/data/profiles.ts': `import { findUser, type User } from './users.js';

/** Left over from an earlier migration. */
export async function findProfileSync(id: string): Promise<User | undefined> {
  return await findUser(id);
}
`,
      'src/app.ts': `import { findProfileSync } from './data/profiles.js';

export async function show(id: string): Promise<string> {
  const user = await findProfileSync(id);
  return user?.name ?? '';
}

export function later(id: string): Promise<void> {
  return findProfileSync(id).then((user) => console.log(user));
}
`,
    });
    const result = await run(dir);
    expect(refusals(result)).toEqual([]);
    expect(read(dir, 'src/data/profiles.ts')).not.toContain('findProfileSync');
    const app = read(dir, 'src/app.ts');
    expect(app).toContain("import { findUser } from './data/users.js';");
    expect(app).toContain('const user = await findUser(id);');
    expect(app).toContain('return findUser(id).then((user) => console.log(user));');
    expect(typecheck(dir)).toBe('');
  });

  it('a `…Sync` function that became async loses the suffix everywhere (declaration, imports, aliased imports, calls); --keep-names keeps it', async () => {
    const files = {
      'src/services/profile.ts': `import { findUserSync } from '../data/users.js';

export function loadProfileSync(id: string): string {
  return findUserSync(id)?.name ?? 'nobody';
}
`,
      'src/app.ts': `import { loadProfileSync } from './services/profile.js';
import { loadProfileSync as load } from './services/profile.js';

export async function page(id: string): Promise<string> {
  return loadProfileSync(id) + load(id);
}
`,
    };
    const dir = base(files);
    await run(dir);
    expect(read(dir, 'src/services/profile.ts')).toContain('export async function loadProfile(id: string): Promise<string> {');
    const app = read(dir, 'src/app.ts');
    expect(app).toContain("import { loadProfile } from './services/profile.js';");
    expect(app).toContain("import { loadProfile as load } from './services/profile.js';");
    expect(app).toContain('return await loadProfile(id) + await load(id);');
    expect(typecheck(dir)).toBe('');

    const kept = base(files);
    await run(kept, { keepNames: true });
    expect(read(kept, 'src/services/profile.ts')).toContain('export async function loadProfileSync(id: string): Promise<string> {');
    expect(typecheck(kept)).toBe('');
  });
});

describe('migrate: class method wrappers', () => {
  it('list() over listAsync(): callers across files, through an interface, move to listAsync; a subclass override of list() becomes its async override of listAsync', async () => {
    const REPO = `import { runAsync } from '../lib/bridge.js';

export interface Lister {
  list(prefix: string): string[];
  listAsync(prefix: string): Promise<string[]>;
}

export class Repo implements Lister {
  async listAsync(prefix: string): Promise<string[]> {
    return [prefix];
  }

  list(prefix: string): string[] {
    return runAsync(this.listAsync(prefix));
  }
}
`;
    const dir = project({
      'types/deasync.d.ts': DEASYNC_TYPES,
      'src/lib/bridge.ts': BRIDGE,
      'src/data/repo.ts': REPO,
      'src/services/count.ts': `import type { Lister } from '../data/repo.js';

export function count(lister: Lister, prefix: string): number {
  return lister.list(prefix).length;
}
`,
    });
    const result = await run(dir);
    expect(refusals(result)).toEqual([]);
    expect(read(dir, 'src/services/count.ts')).toContain('export async function count(lister: Lister, prefix: string): Promise<number> {\n  return (await lister.listAsync(prefix)).length;');
    expect(read(dir, 'src/data/repo.ts')).not.toContain('list(prefix: string): string[]');
    expect(typecheck(dir)).toBe('');

    const overridden = project({
      'types/deasync.d.ts': DEASYNC_TYPES,
      'src/lib/bridge.ts': BRIDGE,
      'src/data/repo.ts': REPO,
      'src/data/cached.ts': `import { Repo } from './repo.js';

export class CachedRepo extends Repo {
  private readonly cache = new Map<string, string[]>();
  override list(prefix: string): string[] {
    const hit = this.cache.get(prefix);
    if (hit) return hit;
    const fresh = super.list(prefix);
    this.cache.set(prefix, fresh);
    return fresh;
  }
}
`,
      'src/services/count.ts': `import type { Repo } from '../data/repo.js';

export function count(repo: Repo, prefix: string): number {
  return repo.list(prefix).length;
}
`,
    });
    const moved = await run(overridden);
    expect(refusals(moved)).toEqual([]);
    const cached = read(overridden, 'src/data/cached.ts');
    expect(cached).toContain('override async listAsync(prefix: string): Promise<string[]> {');
    expect(cached).toContain('const fresh = await super.listAsync(prefix);');
    expect(read(overridden, 'src/data/repo.ts')).not.toContain('list(prefix: string): string[]');
    expect(read(overridden, 'src/services/count.ts')).toContain('return (await repo.listAsync(prefix)).length;');
    expect(typecheck(overridden)).toBe('');
  });

  it('a hierarchy where each class bridges its own listAsync: every wrapper goes; callers through the subclass and this.list() move too', async () => {
    const dir = project({
      'types/deasync.d.ts': DEASYNC_TYPES,
      'src/lib/bridge.ts': BRIDGE,
      'src/data/base.ts': `import { runAsync } from '../lib/bridge.js';

export abstract class Store {
  abstract keysAsync(): Promise<string[]>;

  keys(): string[] {
    return runAsync(this.keysAsync());
  }

  size(): number {
    return this.keys().length;
  }
}
`,
      'src/data/memory.ts': `import { runAsync } from '../lib/bridge.js';
import { Store } from './base.js';

export class MemoryStore extends Store {
  private readonly items = new Map<string, string>([['a', '1']]);

  async keysAsync(): Promise<string[]> {
    return [...this.items.keys()];
  }

  override keys(): string[] {
    return runAsync(this.keysAsync());
  }
}
`,
      'src/report.ts': `import { MemoryStore } from './data/memory.js';

export function report(store: MemoryStore): string {
  return \`\${store.keys().join(',')} (\${store.size()})\`;
}
`,
    });
    const result = await run(dir);
    expect(refusals(result)).toEqual([]);
    expect(read(dir, 'src/data/memory.ts')).not.toContain('keys(): string[]');
    expect(read(dir, 'src/data/base.ts')).toContain('async size(): Promise<number> {\n    return (await this.keysAsync()).length;');
    expect(read(dir, 'src/report.ts')).toContain('(await store.keysAsync()).join');
    expect(read(dir, 'src/report.ts')).toContain('await store.size()');
    expect(typecheck(dir)).toBe('');
  });

  it("an override that cannot become the sibling's override keeps the wrapper, with the reason", async () => {
    const REPO = `import { runAsync } from '../lib/bridge.js';

export class Repo {
  async listAsync(prefix: string): Promise<string[]> {
    return [prefix];
  }

  list(prefix: string): string[] {
    return runAsync(this.listAsync(prefix));
  }
}
`;
    const dir = project({
      'types/deasync.d.ts': DEASYNC_TYPES,
      'src/lib/bridge.ts': BRIDGE,
      'src/data/repo.ts': REPO,
      'src/data/audited.ts': `import { Repo } from './repo.js';

export class AuditedRepo extends Repo {
  readonly seen: string[] = [];
  override list(prefix: string): string[] {
    this.seen.push(prefix);
    return super.list(prefix);
  }
}
`,
      'src/services/direct.ts': `import type { Repo } from '../data/repo.js';

export async function first(repo: Repo): Promise<string | undefined> {
  return (await repo.listAsync('a'))[0];
}

export function count(repo: Repo): number {
  return repo.list('a').length;
}
`,
    });
    const result = await run(dir);
    expect(refusals(result)).toContainEqual(expect.stringMatching(/^kept: 'Repo\.list' is kept: it is overridden .*'listAsync' is already called at src\/services\/direct\.ts/));
    expect(read(dir, 'src/data/audited.ts')).toContain('override list(prefix: string): string[] {');
    expect(read(dir, 'src/services/direct.ts')).toContain("repo.list('a')");
    expect(typecheck(dir)).toBe('');
  });
});
