import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores, two files at a time. A browser file (tests/e2e, startBrowserSuite) spends much of
    // its time waiting on pages, the server and round clocks, so a second file beside it uses the
    // idle core; more than two would only queue on the CPU. Browser tests get 90 s each from their
    // suite, because two at once run several times slower than alone. Vitest runs the slowest
    // files (by its last results) first, so the browser files overlap the short integration ones.
    maxWorkers: 2,
  },
});
