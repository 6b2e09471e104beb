import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
    // Servers (Prism, the sandbox) start on free ports per test file; starting them takes a second or two.
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Type-level assertions (test/**/*.test-d.ts) are checked by tsc as part of `npm test`.
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
  },
});
