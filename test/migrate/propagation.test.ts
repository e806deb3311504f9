import { describe, expect, it } from 'vitest';
import { project, read, refusals, run, typecheck } from './helpers.js';
import { BRIDGE, DEASYNC_TYPES, USERS } from './sources.js';

describe('migrate: the async propagation', () => {
  it('rewrites call sites across files, makes their functions async transitively, and deletes the wrappers and the bridge', async () => {
    const dir = project({
      'types/deasync.d.ts': DEASYNC_TYPES,
      'src/lib/bridge.ts': BRIDGE,
      'src/data/users.ts': USERS,
      'src/services/greeter.ts': `import { loadUserSync, type UserRepo } from '../data/users.js';

export function greet(id: string): string {
  const user = loadUserSync(id);
  return user ? \`hi \${user.name}\` : 'nobody';
}

export function nameLength(id: string): number {
  return loadUserSync(id)!.name.length;
}

export function logGreeting(id: string): void {
  console.log(greet(id));
}

export function firstName(id: string): Promise<string> {
  const user = loadUserSync(id);
  return Promise.resolve(user?.name ?? '');
}

export class Directory {
  constructor(private readonly repo: UserRepo) {}

  count(prefix: string): number {
    return this.repo.list(prefix).length;
  }
}
`,
      'src/app/main.ts': `import { logGreeting, nameLength } from '../services/greeter.js';

logGreeting('ada');
export const size = nameLength('ada') ** 2;
`,
    });
    expect(typecheck(dir)).toBe('');
    const result = await run(dir);
    expect(refusals(result)).toEqual([]);
    expect(result.summary).toMatchObject({ wrappersFound: 2, wrappersRemoved: 2, wrappersKept: 0 });

    expect(read(dir, 'src/services/greeter.ts')).toBe(`import { loadUser, type UserRepo } from '../data/users.js';

export async function greet(id: string): Promise<string> {
  const user = await loadUser(id);
  return user ? \`hi \${user.name}\` : 'nobody';
}

export async function nameLength(id: string): Promise<number> {
  return (await loadUser(id))!.name.length;
}

export async function logGreeting(id: string): Promise<void> {
  console.log(await greet(id));
}

export async function firstName(id: string): Promise<string> {
  const user = await loadUser(id);
  return Promise.resolve(user?.name ?? '');
}

export class Directory {
  constructor(private readonly repo: UserRepo) {}

  async count(prefix: string): Promise<number> {
    return (await this.repo.listAsync(prefix)).length;
  }
}
`);
    expect(read(dir, 'src/app/main.ts')).toBe(`import { logGreeting, nameLength } from '../services/greeter.js';

await logGreeting('ada');
export const size = (await nameLength('ada')) ** 2;
`);
    const users = read(dir, 'src/data/users.ts');
    expect(users).not.toContain('loadUserSync');
    expect(users).not.toContain('list(prefix: string)');
    expect(users).not.toContain('runAsync');
    expect(users).toContain('async listAsync(prefix: string)');
    // The helper had no other user: it goes, and its deasync import with it.
    expect(read(dir, 'src/lib/bridge.ts').trim()).toBe('');
    expect(result.changes.map((c) => c.kind)).toEqual(expect.arrayContaining(['wrapper-deleted', 'helper-deleted', 'made-async', 'call-rewritten']));
    expect(result.notes).toContain('exported greet (src/services/greeter.ts:3) is now async: code outside this project that calls it must await it (--keep-public-sync keeps a sync boundary instead)');
    expect(typecheck(dir)).toBe('');
  });

  it('changes an interface member, an abstract method and every implementation together', async () => {
    const dir = project({
      'types/deasync.d.ts': DEASYNC_TYPES,
      'src/lib/bridge.ts': BRIDGE,
      'src/data/users.ts': USERS,
      'src/greeters.ts': `import { loadUserSync } from './data/users.js';

export interface Greeter {
  greet(id: string): string;
}

export class PlainGreeter implements Greeter {
  greet(id: string): string {
    const user = loadUserSync(id);
    return user ? user.name : '?';
  }
}

export class LoudGreeter implements Greeter {
  greet(id: string): string {
    return id.toUpperCase();
  }
}

export function welcome(greeter: Greeter, id: string): string {
  return \`welcome \${greeter.greet(id)}\`;
}

export abstract class Job {
  abstract run(id: string): number;
}

export class CountJob extends Job {
  run(id: string): number {
    return loadUserSync(id)?.name.length ?? 0;
  }
}
`,
    });
    const result = await run(dir);
    expect(refusals(result)).toEqual([]);
    const text = read(dir, 'src/greeters.ts');
    expect(text).toContain('  greet(id: string): Promise<string>;');
    expect(text).toContain('  async greet(id: string): Promise<string> {\n    const user = await loadUser(id);');
    expect(text).toContain('  async greet(id: string): Promise<string> {\n    return id.toUpperCase();');
    expect(text).toContain('export async function welcome(greeter: Greeter, id: string): Promise<string> {\n  return `welcome ${await greeter.greet(id)}`;');
    expect(text).toContain('  abstract run(id: string): Promise<number>;');
    expect(text).toContain('  async run(id: string): Promise<number> {\n    return (await loadUser(id))?.name.length ?? 0;');
    expect(typecheck(dir)).toBe('');
  });

  it('stops at a member whose signature a library declares, or that the language calls by itself, and keeps the wrapper for it', async () => {
    const dir = project({
      'types/deasync.d.ts': DEASYNC_TYPES,
      'types/host.d.ts': `declare module 'host-plugin' {
  export interface Plugin {
    title(): string;
  }
}
`,
      'src/lib/bridge.ts': BRIDGE,
      'src/data/users.ts': USERS,
      'src/label.ts': `import type { Plugin } from 'host-plugin';
import { loadUserSync } from './data/users.js';

export class Label {
  constructor(private readonly id: string) {}

  toString(): string {
    return loadUserSync(this.id)?.name ?? '';
  }
}

export class UserPlugin implements Plugin {
  title(): string {
    return loadUserSync('owner')?.name ?? '';
  }
}
`,
    });
    const result = await run(dir);
    const reasons = refusals(result);
    expect(reasons).toContainEqual(expect.stringMatching(/^library-type: 'Label\.toString' stays sync: the language calls toString\(\) by itself/));
    expect(reasons).toContainEqual(expect.stringMatching(/^library-type: 'UserPlugin\.title' stays sync: .*declared in types\/host\.d\.ts/));
    expect(reasons).toContainEqual(expect.stringMatching(/^kept: 'loadUserSync' is kept: its call at src\/label\.ts:8 is in 'Label\.toString', which stays sync/));
    expect(read(dir, 'src/label.ts')).toContain('return loadUserSync(this.id)?.name');
    expect(read(dir, 'src/data/users.ts')).toContain('export function loadUserSync');
    expect(typecheck(dir)).toBe('');
  });

  it('does not redirect a call made through a type that lacks the sibling', async () => {
    const dir = project({
      'types/deasync.d.ts': DEASYNC_TYPES,
      'src/lib/bridge.ts': BRIDGE,
      'src/data/users.ts': `${USERS.replace('export class UserRepo {', 'export class UserRepo implements Lister {')}
export interface Lister {
  list(prefix: string): { id: string }[];
}
`,
      'src/use.ts': `import type { Lister } from './data/users.js';

export function count(lister: Lister): number {
  return lister.list('a').length;
}
`,
    });
    const result = await run(dir);
    expect(refusals(result)).toContainEqual(expect.stringMatching(/^kept: 'UserRepo\.list' is kept: it is called through `lister` \(Lister\), which has no 'listAsync'/));
    expect(read(dir, 'src/use.ts')).toContain("lister.list('a').length");
    expect(typecheck(dir)).toBe('');
  });
});
