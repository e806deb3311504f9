import { describe, expect, it } from 'vitest';
import { project, read, refusals, run, typecheck } from './helpers.js';
import { BRIDGE, DEASYNC_TYPES, USERS } from './sources.js';

const BASE = { 'types/deasync.d.ts': DEASYNC_TYPES, 'src/lib/bridge.ts': BRIDGE, 'src/data/users.ts': USERS };

/** One file per place a call cannot be awaited; each must be reported with its reason and left as it was. */
const PLACES: Record<string, { source: string; refusal: RegExp }> = {
  constructor: {
    source: `export class Card {
  name: string;
  constructor(id: string) {
    this.name = loadUserSync(id)?.name ?? '';
  }
}`,
    refusal: /^constructor: 'Card\.constructor' stays sync: a constructor cannot be async/,
  },
  getter: {
    source: `export class Badge {
  constructor(private readonly id: string) {}
  get name(): string {
    return loadUserSync(this.id)?.name ?? '';
  }
}`,
    refusal: /^accessor: 'Badge\.name' stays sync: a getter cannot be async/,
  },
  setter: {
    source: `export class Owner {
  label = '';
  set id(id: string) {
    this.label = loadUserSync(id)?.name ?? '';
  }
}`,
    refusal: /^accessor: 'Owner\.id' stays sync: a setter cannot be async/,
  },
  forEach: {
    source: `export function printAll(ids: string[]): void {
  ids.forEach((id) => console.log(loadUserSync(id)));
}`,
    refusal: /^callback: 'the callback of forEach\(…\)' stays sync: Array\.prototype\.forEach ignores the promise/,
  },
  sort: {
    source: `export function byName(ids: string[]): string[] {
  return ids.sort((a, b) => (loadUserSync(a)?.name ?? '').localeCompare(loadUserSync(b)?.name ?? ''));
}`,
    refusal: /^callback: 'the callback of sort\(…\)' stays sync: an Array\.prototype\.sort comparator must return a number/,
  },
  executor: {
    source: `export const pending = new Promise<string>((resolve) => resolve(loadUserSync('a')?.name ?? ''));`,
    refusal: /^executor: 'the callback of new Promise\(…\)' stays sync: a Promise executor must stay synchronous/,
  },
  overload: {
    source: `export function find(id: string): string;
export function find(id: number): string;
export function find(id: string | number): string {
  return loadUserSync(String(id))?.name ?? '';
}`,
    refusal: /^overload: 'find' stays sync: 'find' has overload signatures/,
  },
  field: {
    source: `export class Session {
  user = loadUserSync('current');
}`,
    refusal: /^unawaitable-context: 'the field user' stays sync: a class field initializer cannot await/,
  },
  stored: {
    source: `function first(): string {
  return loadUserSync('first')?.name ?? '';
}

export const table = { first };`,
    refusal: /^value-use: 'first' stays sync: it is used as a value at src\/places\/stored\.ts:\d+/,
  },
  typed: {
    source: `export const nameOf: (id: string) => string = (id) => loadUserSync(id)?.name ?? '';`,
    refusal: /^declared-type: 'nameOf' stays sync: its type `\(id: string\) => string` is declared where it is bound/,
  },
  guard: {
    source: `export function isAda(id: string): id is 'ada' {
  return loadUserSync(id)?.name === 'ADA';
}`,
    refusal: /^type-predicate: 'isAda' stays sync: it is a type guard/,
  },
  generator: {
    source: `export function* names(ids: string[]): Generator<string> {
  for (const id of ids) yield loadUserSync(id)?.name ?? '';
}`,
    refusal: /^generator: 'names' stays sync: a generator would become an async generator/,
  },
};

describe('migrate: what it refuses, and why', () => {
  it('leaves every call it cannot await as it was, says why, and keeps the wrapper for them', async () => {
    const files: Record<string, string> = { ...BASE };
    for (const [name, place] of Object.entries(PLACES)) files[`src/places/${name}.ts`] = `import { loadUserSync } from '../data/users.js';\n\n${place.source}\n`;
    files['test/suite.test.ts'] = `import { describe, expect, it } from 'vitest';
import { loadUserSync } from '../src/data/users.js';

describe('collected', () => {
  const preset = loadUserSync('preset');
  it('uses done', (done) => {
    expect(loadUserSync('a')).toBeDefined();
    done();
  });
  it('does not throw', () => {
    expect(() => loadUserSync('b')).not.toThrow();
    expect(preset).toBeDefined();
  });
});
`;
    files['src/places/fine.ts'] = `import { loadUserSync } from '../data/users.js';

export function fine(id: string): string {
  return loadUserSync(id)?.name ?? '';
}
`;
    const dir = project(files, { link: ['vitest'] });
    const before = Object.fromEntries(Object.keys(PLACES).map((name) => [name, read(dir, `src/places/${name}.ts`)]));
    // Vitest 4 types a test's first parameter as its context, so the `done` test does not type-check to begin with.
    const diagnostics = typecheck(dir);
    const result = await run(dir);
    const reasons = refusals(result);
    for (const [name, place] of Object.entries(PLACES)) {
      expect(reasons, name).toContainEqual(expect.stringMatching(place.refusal));
      expect(read(dir, `src/places/${name}.ts`), name).toBe(before[name]);
    }
    expect(reasons).toContainEqual(expect.stringMatching(/^describe: 'the callback of describe\(…\)' stays sync: `describe` collects tests synchronously/));
    expect(reasons).toContainEqual(expect.stringMatching(/^done-callback: 'the test 'uses done'' stays sync: the test body takes a `done` callback/));
    expect(reasons).toContainEqual(expect.stringMatching(/^callback: 'the callback of expect\(…\)' stays sync: this `expect\(\(\) => …\)` assertion calls the function and checks it synchronously/));
    // The wrapper stays for the calls left behind, and says where they are.
    expect(reasons).toContainEqual(
      expect.stringMatching(/^kept: 'loadUserSync' is kept: its call at src\/places\/constructor\.ts:6 is in 'Card\.constructor', which stays sync \(a constructor cannot be async/),
    );
    expect(read(dir, 'src/data/users.ts')).toContain('export function loadUserSync(');
    // Calls in places that can await are migrated all the same.
    expect(read(dir, 'src/places/fine.ts')).toContain("export async function fine(id: string): Promise<string> {\n  return (await loadUser(id))?.name ?? '';");
    expect(read(dir, 'src/places/fine.ts')).toContain("import { loadUser } from '../data/users.js';");
    expect(result.summary.wrappersKept).toBe(1);
    expect(typecheck(dir)).toBe(diagnostics);
  });

  it('the top level of a CommonJS module cannot await', async () => {
    const dir = project(
      {
        ...BASE,
        'src/boot.ts': `import { loadUserSync } from './data/users.js';

export const owner = loadUserSync('owner');
`,
      },
      { packageJson: { type: 'commonjs' } },
    );
    const result = await run(dir);
    expect(refusals(result)).toContainEqual(expect.stringMatching(/^top-level: 'the top level of src\/boot\.ts' stays sync: the top level of a CommonJS module or script cannot await/));
    expect(read(dir, 'src/boot.ts')).toContain("export const owner = loadUserSync('owner');");
  });

  it('wrappers whose calls cannot be pointed at the sibling are kept with the reason', async () => {
    const dir = project({
      ...BASE,
      'src/data/secret.ts': `import { runAsync } from '../lib/bridge.js';

async function load(id: string): Promise<string> {
  return id;
}

export function loadSync(id: string): string {
  return runAsync(load(id));
}

export function loadFirstSync(): string {
  return runAsync(load('first'));
}
`,
      'src/use.ts': `import { loadFirstSync, loadSync } from './data/secret.js';

export function both(): string {
  return loadSync('a') + loadFirstSync();
}
`,
    });
    const result = await run(dir);
    const reasons = refusals(result);
    expect(reasons).toContainEqual(expect.stringMatching(/^kept: 'loadSync' is kept: its sibling 'load' is not exported \(src\/use\.ts:4\)/));
    expect(reasons).toContainEqual(expect.stringMatching(/^parameters: 'loadFirstSync' is kept: 'loadFirstSync' does not pass its parameters to 'load' unchanged and in order/));
    expect(read(dir, 'src/use.ts')).toContain("return loadSync('a') + loadFirstSync();");
    // The two wrappers of users.ts have no callers here: they simply go.
    expect(result.summary).toMatchObject({ wrappersFound: 4, wrappersRemoved: 2, wrappersKept: 2 });
  });

  it('a commander action whose program cannot be traced to its parse() stays sync; an inline sibling has no name to await', async () => {
    const dir = project(
      {
        ...BASE,
        'types/make-synchronous.d.ts': `declare module 'make-synchronous' {
  export default function makeSynchronous<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => R;
}
`,
        'src/cli/register.ts': `import type { Command } from 'commander';
import { loadUserSync } from '../data/users.js';

export function register(program: Command): void {
  program.command('show').action(() => {
    console.log(loadUserSync('a'));
  });
}
`,
        'src/data/remote.ts': `import makeSynchronous from 'make-synchronous';

export const fetchTitleSync = makeSynchronous(async (url: string) => url.toUpperCase());
`,
      },
      { link: ['commander'] },
    );
    const result = await run(dir);
    const reasons = refusals(result);
    expect(reasons).toContainEqual(expect.stringMatching(/^program: 'the commander program' stays sync: its action handlers cannot become async: the program is the parameter `program`/));
    expect(reasons).toContainEqual(expect.stringMatching(/^kept: 'loadUserSync' is kept: its call at src\/cli\/register\.ts:6 is in 'the action of command 'show''/));
    expect(reasons).toContainEqual(expect.stringMatching(/^sibling: 'fetchTitleSync' is kept: 'fetchTitleSync' blocks on an inline async function: give that function a name/));
    expect(read(dir, 'src/cli/register.ts')).toContain("console.log(loadUserSync('a'));");
    expect(typecheck(dir)).toBe('');
  });

  it('stabilize: a wrapper over a method cannot move onto the runner', async () => {
    const dir = project({ ...BASE });
    const result = await run(dir, { phase: 'stabilize' });
    expect(result.mode).toBe('runner');
    expect(refusals(result)).toContainEqual(
      expect.stringMatching(/^runner: 'UserRepo\.list' stays on its bridge: its sibling 'listAsync' is a method, and an instance cannot cross into the runner's worker/),
    );
    expect(read(dir, 'src/data/users.ts')).toContain('return runAsync(this.listAsync(prefix));');
    // The function wrapper moves, so the helper stays for the method wrapper only.
    expect(read(dir, 'src/data/users.ts')).toContain("return defineSync<typeof loadUser>(import.meta.url, 'loadUser')(id);");
    expect(read(dir, 'src/lib/bridge.ts')).toContain('export function runAsync');
  });

  it('a wrapper or bridge that an ESLint rule needs stays, and the report names the rule and the chain of calls up to it', async () => {
    const dir = project(
      {
        'types/deasync.d.ts': DEASYNC_TYPES,
        'src/lib/bridge.ts': BRIDGE,
        'src/data/settings.ts': `import { runAsync } from '../lib/bridge.js';

export async function readSetting(key: string): Promise<string> {
  return key.toUpperCase();
}

export function readSettingSync(key: string): string {
  return runAsync(readSetting(key));
}
`,
        'src/util/spell.ts': `import { createSyncFn } from 'synckit';

const check = createSyncFn<(word: string) => Promise<boolean>>(new URL('./spell-worker.js', import.meta.url).pathname);

export function isKnownWord(word: string): boolean {
  return check(word);
}
`,
        'src/util/define.ts': `import type { Rule } from 'eslint';

export function defineRule(name: string, rule: Rule.RuleModule): Rule.RuleModule & { name: string } {
  return { ...rule, name };
}
`,
        // A rule object handed to a helper that names it; the bridge is three calls below a listener.
        'src/rules/spelling.ts': `import { isKnownWord } from '../util/spell.js';
import { defineRule } from '../util/define.js';

function unknownWords(text: string): string[] {
  return text.split(/\\s+/).filter((word) => word && !isKnownWord(word));
}

export default defineRule('spelling', {
  meta: { type: 'suggestion', schema: [] },
  create(context) {
    return {
      Literal(node) {
        if (typeof node.value !== 'string') return;
        for (const word of unknownWords(node.value)) context.report({ node, message: \`unknown word \${word}\` });
      },
    };
  },
});
`,
        // A typed rule whose create() calls a sync wrapper migrate would otherwise remove.
        'src/rules/prefix.ts': `import type { Rule } from 'eslint';
import { readSettingSync } from '../data/settings.js';

const rule: Rule.RuleModule = {
  meta: { type: 'suggestion', schema: [] },
  create(context) {
    const prefix = readSettingSync('prefix');
    return {
      Identifier(node) {
        if (!node.name.startsWith(prefix)) context.report({ node, message: 'no prefix' });
      },
    };
  },
};
export default rule;
`,
        // An untyped rule object whose listener has a computed name and blocks itself.
        'src/rules/layout.ts': `import { createSyncFn } from 'synckit';

let format: ((code: string) => string) | undefined;

export default {
  meta: { type: 'layout', schema: [] },
  create(context: { sourceCode: { text: string; ast: { type: string } }; report(descriptor: { message: string; loc: { line: number; column: number } }): void }) {
    format ??= createSyncFn(new URL('./format-worker.js', import.meta.url).pathname);
    return {
      [context.sourceCode.ast.type || 'Program']() {
        if (format!(context.sourceCode.text) !== context.sourceCode.text) context.report({ message: 'not formatted', loc: { line: 1, column: 0 } });
      },
    };
  },
};
`,
      },
      { link: ['eslint', 'synckit'] },
    );
    const diagnostics = typecheck(dir);
    const result = await run(dir);
    expect(result.diff).toBe('');
    expect(refusals(result)).toEqual([
      "kept: 'readSettingSync' is kept: its call at src/rules/prefix.ts:7 is in 'create', which stays sync (it is the create() of the ESLint rule 'prefix': ESLint calls it synchronously and drops a returned promise (there are no async rules))",
      "library-type: 'create' stays sync: it is the create() of the ESLint rule 'prefix': ESLint calls it synchronously and drops a returned promise (there are no async rules)",
    ]);
    const left = Object.fromEntries(result.unhandled.map((u) => [`${u.file}:${u.line}`, u]));
    expect(Object.keys(left).sort()).toEqual(['src/lib/bridge.ts:15', 'src/rules/layout.ts:11', 'src/util/spell.ts:6']);
    expect(left['src/lib/bridge.ts:15']!.reason).toMatch(
      /^it runs inside the ESLint rule 'prefix' \(runAsync\(\) \(src\/lib\/bridge\.ts:3\) ← readSettingSync\(\) \(src\/data\/settings\.ts:7\) ← create\(\) \(src\/rules\/prefix\.ts:6\)\): ESLint calls a rule's create\(\) and its listeners synchronously/,
    );
    expect(left['src/util/spell.ts:6']!.reason).toMatch(
      /^it runs inside the ESLint rule 'spelling' \(isKnownWord\(\) \(src\/util\/spell\.ts:5\) ← an anonymous function \(src\/rules\/spelling\.ts:5\) ← unknownWords\(\) \(src\/rules\/spelling\.ts:4\) ← Literal\(\) \(src\/rules\/spelling\.ts:12\) ← create of rule 'spelling' \(src\/rules\/spelling\.ts:10\)\)/,
    );
    expect(left['src/rules/layout.ts:11']!.reason).toMatch(
      /^it runs inside the ESLint rule 'layout' \(\[context\.sourceCode\.ast\.type \|\| 'Program'\]\(\) \(src\/rules\/layout\.ts:10\) ← create of rule 'layout'/,
    );
    for (const item of result.unhandled) expect(item.todo).toMatch(/^nothing for migrate to do: keep the bridge/);
    expect(typecheck(dir)).toBe(diagnostics);
  });
});
