/** The data set of the bulk-run tests: users that each have a group `work` holding one conversation. */
import type { Fixture } from '../../src/sandbox/index.js';

/** `prefix-0` … `prefix-(count - 1)`. */
export function range(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
}

/** The built-in app and admin, and `users`, each with the group `work` and, empty, the `emptyGroups`. */
export function fixtureFor(users: readonly string[], emptyGroups: readonly string[] = []): Fixture {
  const groups = { work: [{ Type: 1 as const, To_Account: 'administrator' }], ...Object.fromEntries(emptyGroups.map((name) => [name, []])) };
  return {
    sdkAppId: 1400000000,
    admins: ['administrator'],
    edition: 'ultimate',
    users: {
      administrator: { groups: {} },
      ...Object.fromEntries(users.map((user) => [user, { groups }])),
    },
  };
}
