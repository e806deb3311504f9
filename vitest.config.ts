import { defineConfig } from 'vitest/config';

/** The end-to-end tests: real `npm pack` and `npm install` from the registry, real binaries of real installs. */
const E2E = ['test/e2e/**/*.test.ts'];
/**
 * Unit files that replace a module (vi.mock): a mock reaches a module only in a module graph of the
 * file's own, so these run isolated (project `unit-isolated`), the other unit files share one.
 */
const MOCKING = ['test/cli/fix.test.ts'];

export default defineConfig({
  test: {
    // Real worker threads, child processes, npm installs, ESLint and TypeScript programs, on CI
    // machines that run at load 10 on 2 CPUs. These only turn a hang into a failure; no test may
    // depend on finishing within some time (ordering comes from events and handshakes).
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // Both CPUs of a 2-CPU CI machine (vitest's default leaves one idle): the unit files share
    // nothing on disk but read-only fixtures and their own temp dirs, and the e2e files spend most
    // of their time waiting on npm and the binaries they run.
    maxWorkers: 2,
    // `npm test` runs every project; `npm run test:unit` the unit ones, `npm run test:e2e` the e2e one.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts', 'runtime/test/**/*.test.ts'],
          exclude: [...E2E, ...MOCKING],
          // One process per worker for many files, not one per file: TypeScript, ts-morph, ESLint
          // and this repository's modules load once, and parsed default libraries and @types/node
          // are reused (test/support/typecheck.ts). No unit test changes process-wide state.
          isolate: false,
          // dist/ is built once here, never inside a test file (test/support/global-setup.ts).
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'unit-isolated',
          include: MOCKING,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: E2E,
          // The build, then both packages packed once for every test file (test/support/e2e-setup.ts).
          globalSetup: ['test/support/global-setup.ts', 'test/support/e2e-setup.ts'],
        },
      },
    ],
  },
});
