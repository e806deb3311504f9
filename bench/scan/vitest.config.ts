import { defineConfig } from 'vitest/config';

// `npm run bench:parity`: the two type backends on the benchmark's code bases (downloads them on
// first use). Not part of `npm test`, whose time is bounded (issue 14); `npm run bench` checks
// the reports alike too, on every run.
export default defineConfig({
  test: {
    include: ['bench/scan/**/*.test.ts'],
    testTimeout: 1_200_000,
    hookTimeout: 1_200_000,
    pool: 'forks',
  },
});
