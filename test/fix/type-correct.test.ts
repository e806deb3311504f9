import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixProject } from '../../src/fix/run.js';
import { repoRoot } from './helpers.js';
import { typeCheck } from '../support/typecheck.js';

/**
 * Item 3 of issue 11: every fix type-checks under the project's own tsconfig, with the options
 * that catch what a careless rewrite leaves behind: `strict`, `noUnusedLocals` (the old bridge
 * imports), `exactOptionalPropertyTypes`, `noUncheckedIndexedAccess`. One project holds every kind
 * of fix; tsc is clean before, and must be clean after `fix --write`, with the runner-backed
 * replacements typed as the functions they bridge (a wrong use of the result is an error, not `any`).
 */
const dir = mkdtempSync(path.join(tmpdir(), 'loop-audit-type-correct-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TSCONFIG = {
  compilerOptions: {
    target: 'es2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    lib: ['es2023'],
    types: ['node'],
    strict: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noImplicitReturns: true,
    noEmit: true,
    skipLibCheck: true,
  },
  include: ['src/**/*.ts', 'types/**/*.d.ts'],
};

const FILES: Record<string, string> = {
  'package.json': `${JSON.stringify({ name: 'typed-app', private: true, type: 'module' }, null, 2)}\n`,
  'tsconfig.json': `${JSON.stringify(TSCONFIG, null, 2)}\n`,
  'types/deasync.d.ts': "declare module 'deasync' {\n  function deasync<T = any>(fn: (...args: any[]) => unknown): (...args: any[]) => T;\n  export default deasync;\n}\n",
  'src/users.ts':
    "export interface User {\n  id: string;\n  name?: string;\n}\n\nexport async function findUser(id: string): Promise<User | undefined> {\n  return id === '' ? undefined : { id };\n}\n",
  // deasync(callbackify(imported)) and deasync(own exported function): both become defineSync<typeof fn>.
  'src/bridge.ts':
    "import deasync from 'deasync';\nimport { callbackify } from 'node:util';\nimport { findUser } from './users.js';\n\nexport async function shout(text: string): Promise<string> {\n  return text.toUpperCase();\n}\n\nexport const findUserSync = deasync(callbackify(findUser));\nexport const shoutSync = deasync<string>(shout);\n",
  'src/names.ts':
    "import { findUserSync, shoutSync } from './bridge.js';\n\nexport function nameOf(id: string): string {\n  const user = findUserSync(id);\n  return shoutSync(user?.name ?? id);\n}\n",
  // synckit per call, with and without a type argument.
  'src/render-impl.ts': 'export async function render(markdown: string, options: { inline?: boolean } = {}): Promise<string> {\n  return options.inline ? markdown : `<p>${markdown}</p>`;\n}\n',
  'src/render.worker.ts': "import { runAsWorker } from 'synckit';\nimport { render } from './render-impl.js';\n\nrunAsWorker(render);\n",
  'src/render.ts':
    "import { createSyncFn } from 'synckit';\n\nexport function renderPage(markdown: string): string {\n  const render = createSyncFn(new URL('./render.worker.js', import.meta.url));\n  return render(markdown);\n}\n",
  // make-synchronous per call.
  'src/digest.ts':
    "import makeSynchronous from 'make-synchronous';\n\nexport function digest(text: string): string {\n  const hash = makeSynchronous(async (value: string) => {\n    const { createHash } = await import('node:crypto');\n    return createHash('sha256').update(value).digest('hex');\n  });\n  return hash(text);\n}\n",
  // Floating promises in sync code: a method that may return undefined, a callback, an entry point.
  'src/jobs.ts':
    "import { EventEmitter } from 'node:events';\n\nexport class Store {\n  private pending: string[] = [];\n  add(item: string): void {\n    this.pending.push(item);\n  }\n  flush(): Promise<number> | undefined {\n    const first = this.pending[0];\n    return first === undefined ? undefined : Promise.resolve(this.pending.length);\n  }\n  tick(): void {\n    this.flush();\n  }\n}\n\nexport function wire(bus: EventEmitter, store: Store): void {\n  bus.on('item', async (item: string) => {\n    store.add(item);\n    await store.flush();\n  });\n}\n",
  'src/main.ts': "import { Store } from './jobs.js';\n\nasync function main(): Promise<void> {\n  new Store().tick();\n}\n\nmain();\n",
};

function link(target: string, at: string): void {
  mkdirSync(path.dirname(path.join(dir, at)), { recursive: true });
  symlinkSync(target, path.join(dir, at));
}

/** `tsc --noEmit -p` in-process: '' when clean, else what tsc prints. */
function tsc(): string {
  const result = typeCheck(path.join(dir, 'tsconfig.json'));
  return result.status === 0 ? '' : result.output;
}

describe('fixes type-check under the strictest options', () => {
  it('tsc is clean before and after fix --write, bridge imports are gone, replacements are typed', async () => {
    for (const [file, text] of Object.entries(FILES)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    link(path.join(repoRoot, 'node_modules/@types/node'), 'node_modules/@types/node');
    link(path.join(repoRoot, 'node_modules/synckit'), 'node_modules/synckit');
    link(path.join(repoRoot, 'node_modules/make-synchronous'), 'node_modules/make-synchronous');
    link(path.join(repoRoot, 'runtime'), 'node_modules/@loop-audit/runtime');
    expect(tsc()).toBe('');

    const result = await fixProject({ cwd: dir, write: true });
    expect(result.files.filter((entry) => entry.error)).toEqual([]);
    const changed = result.files.filter((entry) => entry.written).map((entry) => entry.file);
    expect(changed).toEqual(['src/bridge.ts', 'src/digest.ts', 'src/jobs.ts', 'src/main.ts', 'src/render.ts']);
    expect(tsc()).toBe('');

    const bridge = readFileSync(path.join(dir, 'src/bridge.ts'), 'utf8');
    expect(bridge).not.toMatch(/deasync|callbackify/);
    expect(bridge).toContain("export const findUserSync = getRunner().defineSync<typeof findUser>(new URL('./users.js', import.meta.url), 'findUser');");
    expect(bridge).toContain("export const shoutSync = getRunner().defineSync<typeof shout>(import.meta.url, 'shout');");
    const render = readFileSync(path.join(dir, 'src/render.ts'), 'utf8');
    expect(render).not.toContain('synckit');
    expect(render).toContain("getRunner().defineSync<typeof import('./render-impl.js').render>(new URL('./render-impl.js', import.meta.url), 'render')");
    expect(readFileSync(path.join(dir, 'src/digest.ts'), 'utf8')).not.toContain('make-synchronous');
    expect(readFileSync(path.join(dir, 'src/main.ts'), 'utf8')).toContain('await main();');

    // The replacement is typed as the function: a wrong use of its result is an error now, not `any`.
    writeFileSync(path.join(dir, 'src/misuse.ts'), "import { findUserSync } from './bridge.js';\n\nexport const count: number = findUserSync('a');\n");
    expect(tsc()).toMatch(/src\/misuse\.ts\(3,14\): error TS2322: Type 'User \| undefined' is not assignable to type 'number'/);
    rmSync(path.join(dir, 'src/misuse.ts'));

    const again = await fixProject({ cwd: dir, write: true });
    expect(again.files.filter((entry) => entry.written)).toEqual([]);
  });
});
