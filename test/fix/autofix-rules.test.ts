import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import noLoopPerCall from '../../rules/no-loop-per-call.js';
import noSyncBridge from '../../rules/no-sync-bridge.js';
import { analyzeFile } from '../../src/core/analyze.js';
import { formatMessage } from '../../src/core/messages.js';
import { espreeTester, typedFile, typedFixtureRoot, typedTester, untypedTester } from '../support/rule-tester.js';

/**
 * The rewrites to loop-audit/runtime as ESLint applies them (RuleTester: one fix pass), in ESM
 * and CommonJS, with CRLF line endings and a byte-order mark, and the cases where a rewrite must
 * not happen. The files live in a real folder: a synckit rewrite reads the worker file, a
 * deasync rewrite of an import reads the imported module (untyped), and how a file names a module
 * depends on its package.json `type`.
 */
const root = mkdtempSync(path.join(tmpdir(), 'loop-audit-autofix-rules-'));
const project: Record<string, string> = {
  'package.json': '{ "type": "module" }',
  'cjs/package.json': '{ "type": "commonjs" }',
  // A synckit worker whose function lives in its own module: that module is what the runner loads.
  'lint.worker.js': "import { runAsWorker } from 'synckit';\nimport { lint } from './lint-impl.js';\n\nrunAsWorker(lint);\n",
  'default.worker.js': "import { runAsWorker } from 'synckit';\nimport lintDefault from './lint-impl.js';\nrunAsWorker(lintDefault);\n",
  // Its function exists only inside the worker file: nothing else can load it.
  'inline.worker.js': "import { runAsWorker } from 'synckit';\nrunAsWorker(async (code) => code.trim());\n",
  'cjs/lint.worker.cjs': "const { runAsWorker } = require('synckit');\nconst { lint } = require('./lint-impl.cjs');\nrunAsWorker(lint);\n",
  'vault.js': 'export async function fetchSecret(name) { return name; }\nexport function readSecret(name, callback) { callback(null, name); }\n',
  'cjs/vault.cjs': 'exports.fetchSecret = async (name) => name;\n',
};
for (const [name, text] of Object.entries(project)) {
  mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
  writeFileSync(path.join(root, name), text);
}
afterAll(() => rmSync(root, { recursive: true, force: true }));
const at = (file: string): string => path.join(root, file);

// @typescript-eslint/rule-tester pins its own copy of @typescript-eslint/utils: same rules, other type identity.
type TestedRule = Parameters<typeof untypedTester.run>[1];
const loopPerCall = noLoopPerCall as unknown as TestedRule;
const syncBridge = noSyncBridge as unknown as TestedRule;
const WORKER_COST = 'each one starts a worker thread that is never shut down';

untypedTester.run('no-loop-per-call autofix', loopPerCall, {
  valid: [],
  invalid: [
    {
      name: 'createSyncFn per call (ESM): defineSync of the module and export the worker runs, hoisted, type argument kept',
      filename: at('lint.ts'),
      code: `import { createSyncFn } from 'synckit';

export function lintSource(code: string): string[] {
  const lint = createSyncFn<(code: string) => Promise<string[]>>(new URL('./lint.worker.js', import.meta.url));
  return lint(code);
}
`,
      output: `import { getRunner } from '@loop-audit/runtime';

const lintSync = getRunner().defineSync<(code: string) => Promise<string[]>>(new URL('./lint-impl.js', import.meta.url), 'lint');

export function lintSource(code: string): string[] {
  const lint = lintSync;
  return lint(code);
}
`,
      errors: [{ messageId: 'syncBridgePerCall', data: { what: 'createSyncFn(...)', fn: 'lintSource()', cost: WORKER_COST } }],
    },
    {
      name: "createSyncFn built and called at once: the worker's default import is the 'default' export; the runtime import is extended",
      filename: at('lint2.ts'),
      code: `import { createSyncFn } from 'synckit';
import { spawn } from '@loop-audit/runtime';

export function lintSource(code: string) {
  return createSyncFn(new URL('./default.worker.js', import.meta.url))(code);
}
`,
      output: `import { spawn, getRunner } from '@loop-audit/runtime';

const lintSourceSync = getRunner().defineSync(new URL('./lint-impl.js', import.meta.url), 'default');

export function lintSource(code: string) {
  return lintSourceSync(code);
}
`,
      errors: [{ messageId: 'syncBridgePerCall', data: { what: 'createSyncFn(...)', fn: 'lintSource()', cost: WORKER_COST } }],
    },
    {
      name: "createSyncFn per call (CommonJS, require.resolve): path.join(__dirname, ...) through require('node:path')",
      filename: at('cjs/lint.cjs'),
      code: `'use strict';
const { createSyncFn } = require('synckit');

function lintSource(code) {
  const lint = createSyncFn(require.resolve('./lint.worker.cjs'));
  return lint(code);
}
module.exports = { lintSource };
`,
      output: `'use strict';
const { getRunner } = require('@loop-audit/runtime');

const lintSync = getRunner().defineSync(require('node:path').join(__dirname, 'lint-impl.cjs'), 'lint');

function lintSource(code) {
  const lint = lintSync;
  return lint(code);
}
module.exports = { lintSource };
`,
      errors: [{ messageId: 'syncBridgePerCall', data: { what: 'createSyncFn(...)', fn: 'lintSource()', cost: WORKER_COST } }],
    },
    {
      name: "createSyncFn per call (CommonJS, path.join): the file's own path binding",
      filename: at('cjs/lint2.js'),
      code: `const path = require('path');
const { createSyncFn } = require('synckit');

module.exports = function lintSource(code) {
  const lint = createSyncFn(path.join(__dirname, 'lint.worker.cjs'));
  return lint(code);
};
`,
      output: `const path = require('path');
const { getRunner } = require('@loop-audit/runtime');

const lintSync = getRunner().defineSync(path.join(__dirname, 'lint-impl.cjs'), 'lint');

module.exports = function lintSource(code) {
  const lint = lintSync;
  return lint(code);
};
`,
      errors: [{ messageId: 'syncBridgePerCall', data: { what: 'createSyncFn(...)', fn: 'lintSource()', cost: WORKER_COST } }],
    },
    {
      name: 'createSyncFn whose worker holds its function inline: no autofix, a suggestion to hoist the call as it is',
      filename: at('lint3.ts'),
      code: `import { createSyncFn } from 'synckit';

export function lintSource(code: string) {
  const lint = createSyncFn(new URL('./inline.worker.js', import.meta.url));
  return lint(code);
}
`,
      errors: [
        {
          messageId: 'syncBridgePerCall',
          data: { what: 'createSyncFn(...)', fn: 'lintSource()', cost: WORKER_COST },
          suggestions: [
            {
              messageId: 'hoistBridge',
              data: { name: 'lintSync', what: 'createSyncFn(...)' },
              output: `import { createSyncFn } from 'synckit';

const lintSync = createSyncFn(new URL('./inline.worker.js', import.meta.url));

export function lintSource(code: string) {
  const lint = lintSync;
  return lint(code);
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'createSyncFn of a parameter: neither rewritable nor hoistable',
      filename: at('lint4.ts'),
      code: `import { createSyncFn } from 'synckit';

export function lintWith(worker: string, code: string) {
  const lint = createSyncFn(worker);
  return lint(code);
}
`,
      errors: [{ messageId: 'syncBridgePerCall', data: { what: 'createSyncFn(...)', fn: 'lintWith()', cost: WORKER_COST } }],
    },
    {
      name: 'createSyncFn with synckit options: no exact runner equivalent, only the hoisting suggestion',
      filename: at('lint5.ts'),
      code: `import { createSyncFn } from 'synckit';

export function lintSource(code: string) {
  const lint = createSyncFn(new URL('./lint.worker.js', import.meta.url), { timeout: 500 });
  return lint(code);
}
`,
      errors: [
        {
          messageId: 'syncBridgePerCall',
          data: { what: 'createSyncFn(...)', fn: 'lintSource()', cost: WORKER_COST },
          suggestions: [
            {
              messageId: 'hoistBridge',
              data: { name: 'lintSync', what: 'createSyncFn(...)' },
              output: `import { createSyncFn } from 'synckit';

const lintSync = createSyncFn(new URL('./lint.worker.js', import.meta.url), { timeout: 500 });

export function lintSource(code: string) {
  const lint = lintSync;
  return lint(code);
}
`,
            },
          ],
        },
      ],
    },
    {
      name: 'makeSynchronous per call in a CRLF file: syncFunction hoisted with CRLF, body re-indented',
      filename: at('hash.ts'),
      code: "import makeSynchronous from 'make-synchronous';\r\n\r\nexport function sha(text: string): string {\r\n  const hash = makeSynchronous(async (value: string) => {\r\n    const { createHash } = await import('node:crypto');\r\n    return createHash('sha256').update(value).digest('hex');\r\n  });\r\n  return hash(text);\r\n}\r\n",
      output:
        "import { syncFunction } from '@loop-audit/runtime';\r\n\r\nconst hashSync = syncFunction(async (value: string) => {\r\n  const { createHash } = await import('node:crypto');\r\n  return createHash('sha256').update(value).digest('hex');\r\n});\r\n\r\nexport function sha(text: string): string {\r\n  const hash = hashSync;\r\n  return hash(text);\r\n}\r\n",
      errors: [{ messageId: 'syncBridgePerCall', data: { what: 'makeSynchronous(...)', fn: 'sha()', cost: WORKER_COST } }],
    },
    {
      name: 'makeSynchronous per call in a file with a byte-order mark, double quotes and no semicolons',
      filename: at('bom.js'),
      code: '﻿import makeSynchronous from "make-synchronous"\n\nexport function upper(text) {\n  return makeSynchronous(async (value) => value.toUpperCase())(text)\n}\n',
      output:
        '﻿import { syncFunction } from "@loop-audit/runtime"\n\nconst upperSync = syncFunction(async (value) => value.toUpperCase())\n\nexport function upper(text) {\n  return upperSync(text)\n}\n',
      errors: [{ messageId: 'syncBridgePerCall', data: { what: 'makeSynchronous(...)', fn: 'upper()', cost: WORKER_COST } }],
    },
    {
      name: 'name clashes: the hoisted const and the runtime import get free names',
      filename: at('clash.ts'),
      code: `import makeSynchronous from 'make-synchronous';
import { syncFunction } from './local-helpers.js';

const upperSync = 1;
export function upper(text: string) {
  const upper = makeSynchronous(async (value: string) => value.toUpperCase());
  return upper(text) + syncFunction(upperSync);
}
`,
      output: `import { syncFunction as loopAuditSyncFunction } from '@loop-audit/runtime';
import { syncFunction } from './local-helpers.js';

const upperSync2 = loopAuditSyncFunction(async (value: string) => value.toUpperCase());

const upperSync = 1;
export function upper(text: string) {
  const upper = upperSync2;
  return upper(text) + syncFunction(upperSync);
}
`,
      errors: [{ messageId: 'syncBridgePerCall', data: { what: 'makeSynchronous(...)', fn: 'upper()', cost: WORKER_COST } }],
    },
    {
      name: 'makeSynchronous of functions that are not self-contained (an import, a module constant, a parameter, this, a type parameter): no fix',
      filename: at('closure.ts'),
      code: `import makeSynchronous from 'make-synchronous';
import { readFile } from 'node:fs/promises';

const prefix = '>';
export function a(file: string) {
  return makeSynchronous(async (f: string) => readFile(f, 'utf8'))(file);
}
export function b(text: string) {
  return makeSynchronous(async (t: string) => prefix + t)(text);
}
export function c(text: string, suffix: string) {
  return makeSynchronous(async (t: string) => t + suffix)(text);
}
export class D {
  tag = 'd';
  run(text: string) {
    return makeSynchronous(async (t: string) => this.tag + t)(text);
  }
}
export function e<T>(value: T) {
  return makeSynchronous(async (v: T) => v)(value);
}
`,
      errors: [
        { messageId: 'syncBridgePerCall', data: { what: 'makeSynchronous(...)', fn: 'a()', cost: WORKER_COST } },
        { messageId: 'syncBridgePerCall', data: { what: 'makeSynchronous(...)', fn: 'b()', cost: WORKER_COST } },
        { messageId: 'syncBridgePerCall', data: { what: 'makeSynchronous(...)', fn: 'c()', cost: WORKER_COST } },
        { messageId: 'syncBridgePerCall', data: { what: 'makeSynchronous(...)', fn: 'D.run()', cost: WORKER_COST } },
        { messageId: 'syncBridgePerCall', data: { what: 'makeSynchronous(...)', fn: 'e()', cost: WORKER_COST } },
      ],
    },
    {
      name: 'makeSynchronous of a named function expression with its own block-scoped locals: self-contained',
      filename: at('self.ts'),
      code: `import makeSynchronous from 'make-synchronous';

export function parse(text: string) {
  return makeSynchronous(async function parseJson(t: string) {
    const json = JSON.parse(t) as { value: number };
    for (let i = 0; i < 1; i++) { const local = i; void local; }
    return json.value;
  })(text);
}
`,
      output: `import { syncFunction } from '@loop-audit/runtime';

const parseSync = syncFunction(async function parseJson(t: string) {
  const json = JSON.parse(t) as { value: number };
  for (let i = 0; i < 1; i++) { const local = i; void local; }
  return json.value;
});

export function parse(text: string) {
  return parseSync(text);
}
`,
      errors: [{ messageId: 'syncBridgePerCall', data: { what: 'makeSynchronous(...)', fn: 'parse()', cost: WORKER_COST } }],
    },
  ],
});

untypedTester.run('no-sync-bridge autofix', syncBridge, {
  valid: [],
  invalid: [
    {
      name: 'deasync(callbackify(fn)) of a relative import: defineSync of that module; callback and bare (untyped) forms are left alone',
      filename: at('secrets.js'),
      code: `import deasync from 'deasync';
import { callbackify } from 'node:util';
import { fetchSecret, readSecret } from './vault.js';

export const fetchSecretSync = deasync(callbackify(fetchSecret));
export const readSecretSync = deasync(readSecret);
export const bareSync = deasync(fetchSecret);
`,
      output: `import { getRunner } from '@loop-audit/runtime';
import deasync from 'deasync';
import { fetchSecret, readSecret } from './vault.js';

export const fetchSecretSync = getRunner().defineSync(new URL('./vault.js', import.meta.url), 'fetchSecret');
export const readSecretSync = deasync(readSecret);
export const bareSync = deasync(fetchSecret);
`,
      errors: [
        { messageId: 'deasyncFactory', data: { bridge: 'deasync', library: 'deasync', where: 'at module scope' } },
        { messageId: 'deasyncFactory', data: { bridge: 'deasync', library: 'deasync', where: 'at module scope' } },
        { messageId: 'deasyncFactory', data: { bridge: 'deasync', library: 'deasync', where: 'at module scope' } },
      ],
    },
    {
      name: 'deasync(util.callbackify(mod.fn)) in CommonJS',
      filename: at('cjs/secrets.cjs'),
      code: `const deasync = require('deasync');
const util = require('util');
const vault = require('./vault.cjs');

module.exports.fetchSecretSync = deasync(util.callbackify(vault.fetchSecret));
`,
      output: `const vault = require('./vault.cjs');
const { getRunner } = require('@loop-audit/runtime');

module.exports.fetchSecretSync = getRunner().defineSync(require('node:path').join(__dirname, 'vault.cjs'), 'fetchSecret');
`,
      errors: [{ messageId: 'deasyncFactory', data: { bridge: 'deasync', library: 'deasync', where: 'at module scope' } }],
    },
    {
      name: "deasync of this file's own async functions: exported → autofix; not exported → a suggestion that exports it; a callback parameter → nothing",
      filename: at('local.ts'),
      code: `import deasync from 'deasync';

export async function load(key: string): Promise<string> {
  return key;
}
async function hidden(key: string) {
  return key;
}
async function hybrid(key: string, done: (e: Error | null, v?: string) => void) {
  done(null, key);
}

export const loadSync = deasync<string>(load);
export const hiddenSync = deasync<string>(hidden);
export const hybridSync = deasync<string>(hybrid);
`,
      output: `import deasync from 'deasync';
import { getRunner } from '@loop-audit/runtime';

export async function load(key: string): Promise<string> {
  return key;
}
async function hidden(key: string) {
  return key;
}
async function hybrid(key: string, done: (e: Error | null, v?: string) => void) {
  done(null, key);
}

export const loadSync = getRunner().defineSync<typeof load>(import.meta.url, 'load');
export const hiddenSync = deasync<string>(hidden);
export const hybridSync = deasync<string>(hybrid);
`,
      errors: [
        { messageId: 'deasyncFactory', data: { bridge: 'deasync', library: 'deasync', where: 'at module scope' } },
        {
          messageId: 'deasyncFactory',
          data: { bridge: 'deasync', library: 'deasync', where: 'at module scope' },
          suggestions: [
            {
              messageId: 'exportAndDefineSync',
              data: { fn: 'hidden' },
              output: `import deasync from 'deasync';
import { getRunner } from '@loop-audit/runtime';

export async function load(key: string): Promise<string> {
  return key;
}
export async function hidden(key: string) {
  return key;
}
async function hybrid(key: string, done: (e: Error | null, v?: string) => void) {
  done(null, key);
}

export const loadSync = deasync<string>(load);
export const hiddenSync = getRunner().defineSync<typeof hidden>(import.meta.url, 'hidden');
export const hybridSync = deasync<string>(hybrid);
`,
            },
          ],
        },
        { messageId: 'deasyncFactory', data: { bridge: 'deasync', library: 'deasync', where: 'at module scope' } },
      ],
    },
    {
      name: "deasync of a CommonJS file's own exported async function: __filename",
      filename: at('cjs/local.js'),
      code: `const deasync = require('deasync');

async function load(key) {
  return key;
}

module.exports = { load, loadSync: deasync(load) };
`,
      output: `const { getRunner } = require('@loop-audit/runtime');

async function load(key) {
  return key;
}

module.exports = { load, loadSync: getRunner().defineSync(__filename, 'load') };
`,
      errors: [{ messageId: 'deasyncFactory', data: { bridge: 'deasync', library: 'deasync', where: 'at module scope' } }],
    },
    {
      name: "deasync of this file's own function when the file runs code at load: no fix (the worker would run it again)",
      filename: at('side.ts'),
      code: `import deasync from 'deasync';

export async function load(key: string) {
  return key;
}
export const loadSync = deasync(load);
console.log(loadSync('boot'));
`,
      errors: [
        { messageId: 'deasyncFactory', data: { bridge: 'deasync', library: 'deasync', where: 'at module scope' } },
        { messageId: 'loopReentry', data: { bridge: 'loadSync', library: 'deasync', where: 'at module scope' } },
      ],
    },
    {
      name: 'deasync of closures: the closure message, no fix',
      filename: at('closure2.ts'),
      code: `import deasync from 'deasync';

export function reader(tenant: string) {
  async function read(name: string) {
    return \`\${tenant}/\${name}\`;
  }
  const readSync = deasync(read);
  return deasync(async (name: string) => name + tenant);
}
`,
      errors: [
        { messageId: 'deasyncClosure', data: { bridge: 'deasync', library: 'deasync', where: 'in reader()', fn: '`read` (declared inside a function)' } },
        { messageId: 'deasyncClosure', data: { bridge: 'deasync', library: 'deasync', where: 'in reader()', fn: 'an inline function' } },
      ],
    },
  ],
});

untypedTester.run('runner rewrites that must wait or decline', loopPerCall, {
  valid: [],
  invalid: [
    {
      name: 'makeSynchronous of a function that imports a relative module or a package: the worker would resolve it elsewhere, no fix',
      filename: at('relative.ts'),
      code: `import makeSynchronous from 'make-synchronous';
export function render(text: string): string {
  const a = makeSynchronous(async (t: string) => (await import('./markdown.js')).render(t));
  const b = makeSynchronous(async (t: string) => (await import('marked')).parse(t));
  return a(text) + b(text);
}
`,
      errors: [
        { messageId: 'syncBridgePerCall', data: { what: 'makeSynchronous(...)', fn: 'render()', cost: WORKER_COST } },
        { messageId: 'syncBridgePerCall', data: { what: 'makeSynchronous(...)', fn: 'render()', cost: WORKER_COST } },
      ],
    },
    {
      name: 'CommonJS: the runtime is required below the code that would use it at load (temporal dead zone): no fix',
      filename: at('cjs/late.js'),
      code: `const makeSynchronous = require('make-synchronous');
function upper(text) {
  return makeSynchronous(async (value) => value.toUpperCase())(text);
}
const { spawn } = require('@loop-audit/runtime');
module.exports = { upper, spawn };
`,
      errors: [{ messageId: 'syncBridgePerCall', data: { what: 'makeSynchronous(...)', fn: 'upper()', cost: WORKER_COST } }],
    },
  ],
});

untypedTester.run('deasync rewrites that must decline', syncBridge, {
  valid: [],
  invalid: [
    {
      name: 'a .ts file that uses __dirname is compiled to CommonJS: import.meta would not exist, so no fix',
      filename: at('compiled-cjs.ts'),
      code: `import deasync from 'deasync';
export const here = __dirname;
export async function load(key: string) {
  return key;
}
export const loadSync = deasync(load);
`,
      errors: [{ messageId: 'deasyncFactory', data: { bridge: 'deasync', library: 'deasync', where: 'at module scope' } }],
    },
  ],
});

typedTester.run('no-sync-bridge autofix (typed)', syncBridge, {
  valid: [],
  invalid: [
    {
      name: "typed: deasync of this file's exported async function",
      filename: path.relative(typedFixtureRoot, typedFile),
      code: `import deasync from 'deasync';
export async function load(key: string): Promise<string> {
  return key;
}
export const loadSync = deasync(load);
`,
      output: `import { getRunner } from '@loop-audit/runtime';
export async function load(key: string): Promise<string> {
  return key;
}
export const loadSync = getRunner().defineSync<typeof load>(import.meta.url, 'load');
`,
      errors: [{ messageId: 'deasyncFactory', data: { bridge: 'deasync', library: 'deasync', where: 'at module scope' } }],
    },
  ],
});

espreeTester.run('no-loop-per-call autofix (espree)', loopPerCall, {
  valid: [],
  invalid: [
    {
      name: 'espree: makeSynchronous per call in plain JavaScript',
      code: `import makeSynchronous from 'make-synchronous';
export function slug(title) {
  const toSlug = makeSynchronous(async (text) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-'));
  return toSlug(title);
}
`,
      output: `import { syncFunction } from '@loop-audit/runtime';

const toSlugSync = syncFunction(async (text) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-'));

export function slug(title) {
  const toSlug = toSlugSync;
  return toSlug(title);
}
`,
      errors: [{ messageId: 'syncBridgePerCall', data: { what: 'makeSynchronous(...)', fn: 'slug()', cost: WORKER_COST } }],
    },
  ],
});

describe('messages where there is no autofix', () => {
  const findingsOf = (code: string, fileName = at('messages.ts')) =>
    analyzeFile({ ts, sourceFile: ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true) }, { 'no-loop-per-call': false, 'no-sync-wrapper': false, 'no-floating-promise': false });

  it('deasync of a closure says why it cannot move and what to do instead', () => {
    const [finding] = findingsOf("import deasync from 'deasync';\nexport function f(t: string) { return deasync(async (n: string) => n + t); }\n");
    expect(finding!.fix).toBeUndefined();
    expect(formatMessage(finding!)).toBe(
      "deasync(...) in f() builds a function that re-enters the event loop on every call, around an inline function, a closure: it cannot move to loop-audit/runtime's worker, which shares no variables with this code, so there is no autofix. Migrate the callers instead: make them async and await the work (util.promisify turns a callback function into one that returns a promise).",
    );
  });

  it('deasync.loopWhile and Atomics.wait on the main thread: no fix, a message naming the call, where it blocks and the way out', () => {
    const findings = findingsOf(
      "import deasync from 'deasync';\nexport function wait(p: Promise<void>) {\n  let done = false;\n  p.then(() => { done = true; });\n  deasync.loopWhile(() => !done);\n}\nexport function sleep(ms: number) {\n  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);\n}\n",
    );
    expect(findings.map((f) => [f.messageId, f.fix, f.suggestions])).toEqual([
      ['loopReentry', undefined, undefined],
      ['atomicsWait', undefined, undefined],
    ]);
    expect(formatMessage(findings[0]!)).toBe(
      'deasync.loopWhile in wait() re-enters the event loop (deasync) to wait for async work: other callbacks run in the middle of this synchronous code, and nested waits can deadlock. Await the work instead, or use loop-audit/runtime.',
    );
    expect(formatMessage(findings[1]!)).toBe(
      'Atomics.wait in sleep() blocks the main thread: its event loop (I/O, timers, promise callbacks) stops until another thread notifies. Block only inside a worker; on the main thread, await Atomics.waitAsync or a message.',
    );
  });
});
