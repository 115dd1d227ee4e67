import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: more workers only add contention with PostgreSQL.
    maxWorkers: 3,
    projects: [
      { extends: true, test: { name: 'main', include: ['test/**/*.test.ts'], exclude: ['test/ops/**', 'test/e2e/**'], sequence: { groupOrder: 0 } } },
      // Chromium, the server and PostgreSQL share two cores: the browser tests run after the API
      // tests, one file at a time, so a page is not starved while another file hammers the database
      // (under that load a click's result was missed within the 15 s wait, in three tests).
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } } },
      // Whole servers started, killed and restarted, with timings that mean something ("healthy
      // within 10 s after kill -9"): after the rest, one file at a time, on an otherwise idle machine.
      { extends: true, test: { name: 'ops', include: ['test/ops/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 2 } } },
    ],
  },
});
