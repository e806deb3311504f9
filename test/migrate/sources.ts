/** Sources the migrate tests build their small projects from. */

/** The seeds' `_run_async`: a deasync busy loop until the promise settles. */
export const BRIDGE = `import deasync from 'deasync';

export function runAsync<T>(promise: Promise<T>): T {
  let done = false;
  let value: T | undefined;
  promise.then(
    (v) => {
      value = v;
      done = true;
    },
    () => {
      done = true;
    },
  );
  deasync.loopWhile(() => !done);
  return value as T;
}
`;

export const DEASYNC_TYPES = `declare module 'deasync' {
  const deasync: { loopWhile(condition: () => boolean): void };
  export default deasync;
}
`;

export const USERS = `import { runAsync } from '../lib/bridge.js';

export interface User {
  id: string;
  name: string;
}

export async function loadUser(id: string): Promise<User | undefined> {
  return { id, name: id.toUpperCase() };
}

/** The sync double. */
export function loadUserSync(id: string): User | undefined {
  return runAsync(loadUser(id));
}

export class UserRepo {
  async listAsync(prefix: string): Promise<User[]> {
    return [{ id: prefix, name: prefix }];
  }

  list(prefix: string): User[] {
    return runAsync(this.listAsync(prefix));
  }
}
`;
