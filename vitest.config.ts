import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'runtime/test/**/*.test.ts'],
    // dist/ is built once here, never inside a test file (test/support/global-setup.ts).
    globalSetup: ['test/support/global-setup.ts'],
    // Real worker threads, child processes, npm installs, ESLint and TypeScript programs, on CI
    // machines that run at load 10 on 2 CPUs. These only turn a hang into a failure; no test may
    // depend on finishing within some time (ordering comes from events and handshakes).
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
