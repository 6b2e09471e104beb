/**
 * `npm run test:fast`: the inner loop. The same tests as `npm test` minus those that start child processes, Prism,
 * Redis, a browser or a package install; CI always runs the whole suite.
 */
import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from './vitest.config.js';

/**
 * Every file that spawns something (a grep for spawn, Prism, Redis, Chromium, npm pack finds them), and those that
 * wait on real deadlines (slow-client cuts, timeouts, UserSig expiry, the docs build).
 */
const startsProcesses = [
  'test/client/resilience.test.ts',
  'test/client/retry.test.ts',
  'test/client/answers.test.ts',
  'test/sandbox/hostile.test.ts',
  'test/sandbox/fuzz.test.ts',
  'test/docs/**',
  'test/package/**',
  'test/docs/browser.test.ts',
  'test/cli/**',
  'test/client/contract*.test.ts',
  'test/client/shared-limit.test.ts',
  'test/sandbox/command.test.ts',
  'test/sandbox/*scenario*.test.ts',
  'test/sandbox/start-supervisor.test.ts',
  'test/spec/breaking-changes.test.ts',
  'test/spec/document.test.ts',
  'test/spec/rules-from-spec.test.ts',
  'test/spec/vendor-samples.test.ts',
];

export default defineConfig({
  test: {
    ...sharedTestOptions,
    exclude: [...startsProcesses, '**/node_modules/**'],
    // Worker threads start faster than the default child processes; none of these files needs a process of its own.
    pool: 'threads',
  },
});
