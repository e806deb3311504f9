/**
 * The legacy app's migration, one textual step at a time: what a team's commits would do. Each
 * step edits files of a checkout in place (exact, single matches, or it throws).
 */
import { edit, read, remove, write } from './support.js';

const RUNNER_BRIDGE = `import { defineSync } from '@loop-audit/runtime';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AsyncFunction = (...args: any[]) => Promise<unknown>;

const exposed = new Map<AsyncFunction, { moduleUrl: string; exportName: string }>();

export function exposeToBridge(moduleUrl: string, functions: Record<string, AsyncFunction>): void {
  for (const [exportName, fn] of Object.entries(functions)) exposed.set(fn, { moduleUrl, exportName });
}

/** Now on loop-audit's one persistent worker (defineSync caches per module and export). */
export function runSync<Args extends unknown[], Result>(fn: (...args: Args) => Promise<Result>, ...args: Args): Result {
  const target = exposed.get(fn);
  if (!target) throw new Error(\`runSync: \${fn.name || 'this function'} was never passed to exposeToBridge\`);
  return defineSync(target.moduleUrl, target.exportName)(...args) as Result;
}
`;

/** Lines move and code is reformatted, but no finding is fixed or added. */
export function moveCode(dir: string): void {
  edit(
    dir,
    'src/repositories/user-repository.ts',
    'export async function saveUser(',
    `/** How many users there are, for the dashboard. */
export async function countUsers(): Promise<number> {
  const data = await load();
  return Object.keys(data.users).length;
}

export async function saveUser(`,
  );
  edit(dir, 'src/repositories/user-repository.ts', '  return runSync(saveUser, user);', '  return runSync(\n    saveUser,\n    user,\n  );');
  // saveOrderSync moves above findOrderSync.
  const saveWrapper = `export function saveOrderSync(order: Order): Order { // expect: no-sync-wrapper
  return runSync(saveOrder, order);
}
`;
  edit(dir, 'src/repositories/order-repository.ts', `\n${saveWrapper}`, '');
  edit(dir, 'src/repositories/order-repository.ts', 'export function findOrderSync(', `${saveWrapper}\nexport function findOrderSync(`);
  edit(dir, 'src/jobs/reminder-job.ts', 'export interface ReminderJobOptions {', `const DAY_MS = 24 * 3600_000;\n\nexport interface ReminderJobOptions {`);
  edit(dir, 'src/jobs/reminder-job.ts', 'olderThanMs = 24 * 3600_000', 'olderThanMs = DAY_MS');
}

/** One sync wrapper goes, another of the same rule arrives in the same file. */
export function swapWrapper(dir: string): void {
  edit(
    dir,
    'src/repositories/order-repository.ts',
    `export function findOrderSync(id: string): Order | undefined { // expect: no-sync-wrapper
  return runSync(findOrder, id);
}
`,
    `export function listOpenOrdersSync(): Order[] { // expect: no-sync-wrapper
  return runSync(listOpenOrders);
}
`,
  );
}

/** Phase 1: no worker per call, no Atomics.wait of our own: the bridge goes through loop-audit's runner. */
export function stabilize(dir: string): void {
  write(dir, 'src/lib/run-sync.ts', RUNNER_BRIDGE);
  remove(dir, 'src/lib/run-sync-worker.mjs');
}

function dropWrappers(dir: string, file: string): void {
  const text = read(dir, file);
  const next = text
    .replace(/\n(?:\/\/[^\n]*\n|\/\*\*[^\n]*\*\/\n)*export function \w+Sync\([^]*?\n}\n/g, '')
    .replace(/\nexposeToBridge\([^\n]*\n/, '\n')
    .replace(/import \{ exposeToBridge, runSync \} from '\.\.\/lib\/run-sync\.js';\n/, '');
  if (next === text) throw new Error(`${file}: no wrapper to drop`);
  write(dir, file, next);
}

/** Phases 2 and 3: repositories and services async only; callers above await. */
export function asyncDataAndServices(dir: string): void {
  dropWrappers(dir, 'src/repositories/user-repository.ts');
  dropWrappers(dir, 'src/repositories/order-repository.ts');
  dropWrappers(dir, 'src/services/report-service.ts');
  const service = 'src/services/order-service.ts';
  let text = read(dir, service);
  text = text
    .replace(
      "import { findOrderSync, listOrdersForUserSync, saveOrderSync } from '../repositories/order-repository.js';",
      "import { findOrder, listOrdersForUser, saveOrder } from '../repositories/order-repository.js';",
    )
    .replace("import { findUserSync } from '../repositories/user-repository.js';", "import { findUser } from '../repositories/user-repository.js';")
    .replace(/export function (\w+)\(([^)]*)\): Order \{/g, 'export async function $1($2): Promise<Order> {')
    .replace(/findUserSync\(/g, 'await findUser(')
    .replace(/findOrderSync\(/g, 'await findOrder(')
    .replace(/listOrdersForUserSync\(userId\)/g, '(await listOrdersForUser(userId))')
    .replace(/saveOrderSync\(/g, 'await saveOrder(');
  write(dir, service, text);
  // The callers follow: commander handlers become async under parseAsync, the route handler awaits.
  const program = 'src/cli/program.ts';
  write(
    dir,
    program,
    read(dir, program)
      .replace("import { saveUserSync } from '../repositories/user-repository.js';", "import { saveUser } from '../repositories/user-repository.js';")
      .replace("import { monthlySpendSync } from '../services/report-service.js';", "import { monthlySpend } from '../services/report-service.js';")
      .replace(/\.action\(\(/g, '.action(async (')
      .replace('saveUserSync(', 'await saveUser(')
      .replace(/= (placeOrder|payOrder)\(/g, '= await $1(')
      .replace('      cancelOrder(orderId);', '      await cancelOrder(orderId);')
      .replace('monthlySpendSync(', 'await monthlySpend('),
  );
  edit(dir, 'src/cli/main.ts', 'buildProgram().parse();', 'await buildProgram().parseAsync();');
  const route = 'src/routes/orders-route.ts';
  write(
    dir,
    route,
    read(dir, route)
      .replace("import { findOrderSync, listOrdersForUserSync } from '../repositories/order-repository.js';", "import { findOrder, listOrdersForUser } from '../repositories/order-repository.js';")
      .replace('export function handleOrders(req: IncomingMessage, res: ServerResponse): void {', 'export async function handleOrders(req: IncomingMessage, res: ServerResponse): Promise<void> {')
      .replace('findOrderSync(', 'await findOrder(')
      .replace('listOrdersForUserSync(forUser[1]!)', 'await listOrdersForUser(forUser[1]!)'),
  );
  edit(dir, 'test/services.test.ts', '    payOrder(paid.id);', '    await payOrder(paid.id);');
}

/** Phases 4 to 6: handlers route their promises' errors somewhere, the bridge and deasync are gone. */
export function finish(dir: string): void {
  edit(
    dir,
    'src/routes/orders-route.ts',
    "server.on('request', async (req, res) => { // expect: no-floating-promise",
    "server.on('request', (req, res) => {\n    respond(req, res).catch((error: unknown) => send(res, 500, { error: String(error) }));\n  });\n  async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {",
  );
  edit(dir, 'src/routes/orders-route.ts', '    send(res, 200, await monthlySpend(report[1]!, report[2]!));\n  });', '    send(res, 200, await monthlySpend(report[1]!, report[2]!));\n  }');
  edit(dir, 'src/jobs/reminder-job.ts', 'const timer = setInterval(async () => { // expect: no-floating-promise', 'const tick = async (): Promise<void> => {');
  edit(
    dir,
    'src/jobs/reminder-job.ts',
    '  }, intervalMs);',
    "  };\n  const timer = setInterval(() => {\n    tick().catch((error: unknown) => console.error('reminder job failed', error));\n  }, intervalMs);",
  );
  edit(
    dir,
    'src/jobs/receipt-job.ts',
    "events.on('order-paid', async (order) => { // expect: no-floating-promise",
    "events.on('order-paid', (order) => {\n    mail(order).catch((error: unknown) => console.error('receipt failed', error));\n  });\n  async function mail(order: Order): Promise<void> {",
  );
  edit(dir, 'src/jobs/receipt-job.ts', '  });\n  return () =>', '  }\n  return () =>');
  edit(dir, 'src/jobs/receipt-job.ts', "import { orderTotal } from '../domain.js';", "import { orderTotal, type Order } from '../domain.js';");
  remove(dir, 'src/lib/run-sync.ts');
  const pkg = JSON.parse(read(dir, 'package.json')) as { dependencies: Record<string, string> };
  delete pkg.dependencies.deasync;
  write(dir, 'package.json', `${JSON.stringify(pkg, null, 2)}\n`);
}
