import { defineConfig } from 'vitest/config';

/** What every run shares, `npm test` and `npm run test:fast` alike. */
export const sharedTestOptions = {
  include: ['test/**/*.test.ts'],
  reporters: ['default', './test/support/summary-reporter.ts'],
  // Servers (Prism, the sandbox) start on free ports per test file; starting them takes a second or two.
  testTimeout: 20_000,
  hookTimeout: 30_000,
  // A worker runs file after file in one process and module cache, as no file leaves state behind (each restores
  // its timers, globals and listeners): a fresh process or thread per file cost about half a second of CPU each.
  isolate: false,
};

export default defineConfig({
  test: {
    ...sharedTestOptions,
    // Most files spend part of their time waiting on child processes, servers and timers: more files at once than
    // the machine has cores keeps both cores busy (vitest's default is one worker fewer than the cores). On 2 cores,
    // 3 workers took 100 s and 4 took 106 to 124 s (more processes competing for the same CPU).
    maxWorkers: 3,
    // A folder per run, and the command-line program bundled once for the tests that start it as a child process.
    globalSetup: ['./test/support/global-setup.ts'],
    // Type-level assertions (test/**/*.test-d.ts) are checked by tsc as part of `npm test`.
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
