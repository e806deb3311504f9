import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Real worker threads, child processes, ESLint and TypeScript programs: give them room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts', 'runtime/test/**/*.test.ts'] } },
      // The scanner answers type questions with TypeScript 7 wherever it loads the project (the
      // default `auto`): its tests run once more with the TypeScript 6 backend, so both pass them.
      // (`npm run test:typescript7` runs the whole suite with TypeScript 7 forced.)
      {
        extends: true,
        test: {
          name: 'typescript6',
          include: ['test/scan/**/*.test.ts', 'test/cli/**/*.test.ts'],
          // Those pick their backends themselves.
          exclude: ['test/scan/type-backend.test.ts'],
          env: { LOOP_AUDIT_TYPE_BACKEND: 'typescript6' },
        },
      },
    ],
  },
});
