import { describe, expect, it } from 'vitest';
import { project, read, refusals, run, typecheck } from './helpers.js';
import { BRIDGE, DEASYNC_TYPES, USERS } from './sources.js';

const BASE = { 'types/deasync.d.ts': DEASYNC_TYPES, 'src/lib/bridge.ts': BRIDGE, 'src/data/users.ts': USERS };

describe('migrate: entry points', () => {
  it('commander: the action turns async and the program is parsed with an awaited parseAsync', async () => {
    const dir = project(
      {
        ...BASE,
        'src/cli/program.ts': `import { Command } from 'commander';
import { loadUserSync } from '../data/users.js';

export function buildProgram(print: (line: string) => void): Command {
  const program = new Command('users');
  program
    .command('show')
    .argument('<id>')
    .action((id: string) => {
      print(loadUserSync(id)?.name ?? 'none');
    });
  return program;
}
`,
        'src/cli/main.ts': `import { buildProgram } from './program.js';

buildProgram((line) => console.log(line)).parse();
`,
      },
      { link: ['commander'] },
    );
    const result = await run(dir);
    expect(refusals(result)).toEqual([]);
    expect(read(dir, 'src/cli/program.ts')).toContain(`    .action(async (id: string) => {
      print((await loadUser(id))?.name ?? 'none');
    });`);
    expect(read(dir, 'src/cli/main.ts')).toBe(`import { buildProgram } from './program.js';

await buildProgram((line) => console.log(line)).parseAsync();
`);
    expect(result.changes.find((c) => c.kind === 'entry-point')?.message).toBe("the action of command 'show' is async (a commander action: the program is parsed with parseAsync)");
    expect(typecheck(dir)).toBe('');
  });

  it('commander in CommonJS: the top level cannot await, so runMain runs parseAsync', async () => {
    const dir = project(
      {
        ...BASE,
        'src/cli.ts': `import { Command } from 'commander';
import { loadUserSync } from './data/users.js';

const program = new Command();
program.command('show <id>').action((id: string) => {
  console.log(loadUserSync(id)?.name);
});
program.parse(process.argv);
`,
      },
      { link: ['commander'], packageJson: { type: 'commonjs' } },
    );
    const result = await run(dir);
    expect(refusals(result)).toEqual([]);
    const text = read(dir, 'src/cli.ts');
    expect(text).toContain("import { runMain } from '@loop-audit/runtime';");
    expect(text).toContain('runMain(() => program.parseAsync(process.argv));');
    expect(text).toContain("program.command('show <id>').action(async (id: string) => {\n  console.log((await loadUser(id))?.name);");
  });

  it('vitest and node:test bodies turn async; throw assertions take the promise', async () => {
    const dir = project(
      {
        ...BASE,
        'test/users.test.ts': `import { describe, expect, it } from 'vitest';
import { loadUserSync } from '../src/data/users.js';

describe('users', () => {
  it('loads', () => {
    expect(loadUserSync('ada')?.name).toBe('ADA');
    expect(() => loadUserSync('')).toThrow(/empty/);
  });
});
`,
        'test/node.test.ts': `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadUserSync } from '../src/data/users.js';

test('loads', () => {
  assert.equal(loadUserSync('bob')?.name, 'BOB');
  assert.throws(() => loadUserSync(''), /empty/);
});
`,
        'types/jest-globals.d.ts': `declare function test(name: string, body: () => void | Promise<void>): void;\n`,
        'test/globals.test.ts': `import { loadUserSync } from '../src/data/users.js';

test('jest-style globals', () => {
  if (loadUserSync('c')?.name !== 'C') throw new Error('no C');
});
`,
      },
      { link: ['vitest'] },
    );
    const result = await run(dir);
    expect(refusals(result)).toEqual([]);
    expect(read(dir, 'test/globals.test.ts')).toContain("test('jest-style globals', async () => {\n  if ((await loadUser('c'))?.name !== 'C') throw new Error('no C');");
    expect(read(dir, 'test/users.test.ts')).toContain(`  it('loads', async () => {
    expect((await loadUser('ada'))?.name).toBe('ADA');
    await expect(loadUser('')).rejects.toThrow(/empty/);
  });`);
    expect(read(dir, 'test/node.test.ts')).toContain(`test('loads', async () => {
  assert.equal((await loadUser('bob'))?.name, 'BOB');
  await assert.rejects(loadUser(''), /empty/);
});`);
    expect(typecheck(dir)).toBe('');
  });

  it('node:http: the handler answers 500 when it fails and hands its error to spawn()', async () => {
    const dir = project({
      ...BASE,
      'src/server.ts': `import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { loadUserSync } from './data/users.js';

export const server = createServer((req, res) => {
  const user = loadUserSync(req.url ?? '');
  res.end(user?.name ?? 'none');
});

function health(req: IncomingMessage, res: ServerResponse): void {
  res.end(loadUserSync('health')?.name);
}

export const probe = createServer(health);
`,
    });
    const result = await run(dir);
    expect(refusals(result)).toEqual([]);
    const text = read(dir, 'src/server.ts');
    expect(text).toContain("import { spawn } from '@loop-audit/runtime';");
    expect(text).toContain(`export const server = createServer((req, res) => {
  spawn(async () => {
    try {
      const user = await loadUser(req.url ?? '');
      res.end(user?.name ?? 'none');
    } catch (error) {
      if (!res.headersSent) res.statusCode = 500;
      if (!res.writableEnded) res.end();
      throw error;
    }
  }, { name: 'server.ts: request' });
});`);
    expect(text).toContain("async function health(req: IncomingMessage, res: ServerResponse): Promise<void> {\n  res.end((await loadUser('health'))?.name);");
    expect(text).toContain(
      "export const probe = createServer((req, res) => { spawn(async () => { try { await health(req, res); } catch (error) { if (!res.headersSent) res.statusCode = 500; if (!res.writableEnded) res.end(); throw error; } }, { name: 'server.ts: request' }); });",
    );
  });

  it('express 4 handlers pass their rejection to next(); express 5, fastify and koa handlers just turn async', async () => {
    const handlers = (lib: string) => `import { loadUserSync } from '../data/users.js';
${lib}
`;
    const dir = project(
      {
        ...BASE,
        'src/web/express-app.ts': handlers(`import express from 'express';

const app = express();
app.get('/users/:id', (req, res) => {
  res.json(loadUserSync(req.params.id));
});`),
        'src/web/fastify-app.ts': handlers(`import Fastify from 'fastify';

const app = Fastify();
app.get('/users/:id', (request) => {
  return loadUserSync(String(request.params));
});`),
        'src/web/koa-app.ts': handlers(`import Koa from 'koa';

const app = new Koa();
app.use((ctx) => {
  ctx.body = loadUserSync(ctx.path);
});`),
        'types/web.d.ts': `declare module 'express' { const express: any; export default express; }
declare module 'fastify' { const fastify: any; export default fastify; }
declare module 'koa' { const Koa: any; export default Koa; }
`,
      },
      { packageJson: { dependencies: { express: '^4.21.0' } } },
    );
    const result = await run(dir);
    expect(refusals(result)).toEqual([]);
    expect(read(dir, 'src/web/express-app.ts')).toContain(`app.get('/users/:id', async (req, res, next) => {
  try {
    res.json(await loadUser(req.params.id));
  } catch (error) {
    next(error);
  }
});`);
    expect(read(dir, 'src/web/fastify-app.ts')).toContain(`app.get('/users/:id', async (request) => {
  return await loadUser(String(request.params));
});`);
    expect(read(dir, 'src/web/koa-app.ts')).toContain(`app.use(async (ctx) => {
  ctx.body = await loadUser(ctx.path);
});`);

    const five = project(
      {
        ...BASE,
        'src/web/express-app.ts': handlers(`import express from 'express';

const app = express();
app.get('/users/:id', (req, res) => {
  res.json(loadUserSync(req.params.id));
});`),
        'types/web.d.ts': `declare module 'express' { const express: any; export default express; }\n`,
      },
      { packageJson: { dependencies: { express: '^5.1.0' } } },
    );
    await run(five);
    expect(read(five, 'src/web/express-app.ts')).toContain(`app.get('/users/:id', async (req, res) => {
  res.json(await loadUser(req.params.id));
});`);
  });

  it('a promise callback turns async where it is', async () => {
    const dir = project({
      ...BASE,
      'src/chain.ts': `import { loadUserSync } from './data/users.js';

export const name = Promise.resolve('ada').then((id) => loadUserSync(id)?.name);
`,
    });
    const result = await run(dir);
    expect(refusals(result)).toEqual([]);
    expect(read(dir, 'src/chain.ts')).toContain("Promise.resolve('ada').then(async (id) => (await loadUser(id))?.name);");
    expect(typecheck(dir)).toBe('');
  });
});
