import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/core/analyze.js';
import { diskModuleFacts } from '../../src/core/module-facts.js';
import { formatMessage } from '../../src/core/messages.js';
import type { Finding } from '../../src/core/types.js';
import { applyFixPass } from '../../src/fix/apply.js';
import { repoRoot } from './helpers.js';

/**
 * Item 4 of issue 11: a deasync'd function moves into the runner's worker only when it provably
 * shares no module state with the calling thread. The case (findUser reads a module-level
 * Map that saveUser fills) must stay a suggestion that says why, and running that suggestion shows
 * the behaviour change it would have been.
 */
const root = mkdtempSync(path.join(tmpdir(), 'loop-audit-module-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(file: string, text: string): string {
  const full = path.join(root, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, text);
  return full;
}
write('package.json', '{ "type": "module", "private": true }\n');

function bridgeFindings(file: string): Finding[] {
  const text = readFileSync(file, 'utf8');
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  return analyzeFile({ ts, sourceFile, moduleFacts: diskModuleFacts(ts) }, { 'no-loop-per-call': false, 'no-sync-wrapper': false, 'no-floating-promise': false }).filter((f) =>
    f.messageId.startsWith('deasync'),
  );
}

/** One deasync call of an exported async function declared in the same file, before `fn`. */
function sameFile(name: string, prelude: string, body: string, extra = ''): string {
  return write(`${name}.ts`, `import deasync from 'deasync';\n${prelude}\nexport async function target(id: string) {\n${body}\n}\n${extra}\nexport const targetSync = deasync(target);\n`);
}

describe('which functions may move into the worker', () => {
  it("the issue's case: findUser reads the Map saveUser fills: no autofix, a suggestion, and a message that says why", () => {
    write(
      'users.ts',
      'const users = new Map<string, { id: string }>();\nexport async function saveUser(user: { id: string }) {\n  users.set(user.id, user);\n}\nexport async function findUser(id: string) {\n  return users.get(id);\n}\n',
    );
    const app = write(
      'app.ts',
      "import deasync from 'deasync';\nimport { callbackify } from 'node:util';\nimport { findUser } from './users.js';\n\nexport const findUserSync = deasync(callbackify(findUser));\n",
    );
    const [finding] = bridgeFindings(app);
    expect(finding!.fix).toBeUndefined();
    expect(finding!.messageId).toBe('deasyncSharedState');
    expect(formatMessage(finding!)).toContain('because findUser reads `users`');
    expect(formatMessage(finding!)).toContain('reads `users`, a module-level `const` holding `new Map()`, which the worker has its own copy of');
    expect(finding!.suggestions?.map((s) => s.messageId)).toEqual(['defineSyncSharedState']);
  });

  const cases: [string, string, string, string, RegExp | undefined][] = [
    ['a module-level let', 'let counter = 0;', '  counter++;\n  return id;', '', /reads `counter`, a module-level `let`/],
    ['a module-level var read', 'var prefix = "u-";', '  return prefix + id;', '', /reads `prefix`, a module-level `var`/],
    ['a cache object', 'const cache: Record<string, string> = {};', '  return cache[id];', '', /`cache`, a module-level `const` holding an object/],
    ['the result of a call', 'const db = Object.create(null);', '  return db[id];', '', /what `Object.create\(\)` returned/],
    ['state behind a helper it calls', 'const seen = new Set<string>();\nfunction remember(id: string) { seen.add(id); }', '  remember(id);\n  return id;', '', /reads `seen`.*\(through `remember`\)/],
    ['this', '', '  return (this as unknown as { id: string }).id + id;', '', /uses `this`/],
    ['the global object', '', '  return (globalThis as Record<string, unknown>)[id];', '', /uses `globalThis`/],
    [
      'a class with a static field',
      'class Registry { static items: string[] = []; static has(id: string) { return Registry.items.includes(id); } }',
      '  return Registry.has(id);',
      '',
      /the class `Registry`, whose static fields/,
    ],
    [
      'its parameters, locals, literal constants, frozen tables, packages and pure helpers only',
      "import { createHash } from 'node:crypto';\nconst SALT = 'pepper';\nconst TABLE = { a: 1, b: 2 } as const;\nconst LIMITS = Object.freeze([1, 2, 3]);\nenum Kind { A, B }\nfunction hash(text: string) { return createHash('sha256').update(SALT + text).digest('hex'); }",
      '  const local = new Map<string, number>();\n  local.set(id, TABLE.a + (LIMITS[0] ?? 0) + Kind.B);\n  return hash(id) + local.size;',
      '',
      undefined,
    ],
  ];
  for (const [label, prelude, body, extra, expected] of cases) {
    it(`${expected ? 'shared' : 'not shared'}: ${label}`, () => {
      const [finding] = bridgeFindings(sameFile(label.replace(/\W+/g, '-'), prelude, body, extra));
      if (expected) {
        expect(finding!.fix).toBeUndefined();
        expect(finding!.messageId).toBe('deasyncSharedState');
        expect(formatMessage(finding!)).toMatch(expected);
      } else {
        expect(finding!.messageId).toBe('deasyncFactory');
        expect(finding!.fix).toBeDefined();
      }
    });
  }

  it('follows imports into the project: imported state is shared, an imported pure function is not', () => {
    write('lib/state.ts', 'export const sessions = new Map<string, string>();\nexport const VERSION = 3;\n');
    write('lib/pure.ts', "import { VERSION } from './state.js';\nexport function label(id: string) { return `${id}@${VERSION}`; }\n");
    write('lib/index.ts', "export { label } from './pure.js';\nexport { sessions as store } from './state.js';\n");
    const stateful = sameFile('imported-state', "import { store } from './lib/index.js';", '  return store.get(id);');
    expect(formatMessage(bridgeFindings(stateful)[0]!)).toMatch(/`store` from '\.\/lib\/index\.js' \(`sessions`\), a module-level `const` holding `new Map\(\)`/);
    const pure = sameFile('imported-pure', "import { label } from './lib/index.js';", '  return label(id);');
    expect(bridgeFindings(pure)[0]!.fix).toBeDefined();
  });
});

describe('running it', () => {
  it("the suggestion, applied to the issue's case, shows the change it would make: the worker's Map is empty", () => {
    const dir = path.join(root, 'run');
    mkdirSync(path.join(dir, 'node_modules/@loop-audit'), { recursive: true });
    symlinkSync(path.join(repoRoot, 'runtime'), path.join(dir, 'node_modules/@loop-audit/runtime'));
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
    writeFileSync(
      path.join(dir, 'users.mjs'),
      'const users = new Map();\nexport async function saveUser(user) {\n  users.set(user.id, user);\n}\nexport async function findUser(id) {\n  return users.get(id);\n}\n',
    );
    const appFile = path.join(dir, 'app.mjs');
    const app =
      "import deasync from 'deasync';\nimport { callbackify } from 'node:util';\nimport { findUser, saveUser } from './users.mjs';\n\nexport const findUserSync = deasync(callbackify(findUser));\nawait saveUser({ id: 'u1' });\nconsole.log(JSON.stringify(findUserSync('u1') ?? null));\n";
    writeFileSync(appFile, app);
    const [finding] = bridgeFindings(appFile);
    expect(finding!.messageId).toBe('deasyncSharedState');
    const suggested = applyFixPass(app, [{ ...finding!, fix: finding!.suggestions![0]!.edits }]).output;
    expect(suggested).not.toContain('deasync');
    writeFileSync(appFile, suggested);
    const run = spawnSync(process.execPath, [appFile], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    // In this thread the Map holds u1; in the worker it is empty: exactly why this is not an autofix.
    expect(run.stdout.trim()).toBe('null');
  });
});
