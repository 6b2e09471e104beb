/**
 * The data set the sandbox starts with when no fixture is given. The sample calls in the README use it, so
 * changing a name here means changing them too.
 */
import type { Fixture } from './fixture.js';

export const defaultFixture: Fixture = {
  sdkAppId: 1400000000,
  admins: ['administrator'],
  edition: 'ultimate',
  users: {
    alice: {
      groups: {
        work: [
          { Type: 1, To_Account: 'bob' },
          { Type: 2, ToGroupId: '@TGS#2ABC' },
        ],
        family: [{ Type: 1, To_Account: 'carol' }],
        hobbies: [{ Type: 2, ToGroupId: '@TGS#2CLIMB' }],
      },
    },
    bob: {
      groups: {
        friends: [
          { Type: 1, To_Account: 'alice' },
          { Type: 1, To_Account: 'carol' },
        ],
        项目: [{ Type: 2, ToGroupId: '@TGS#2ABC' }],
      },
    },
    // A user with no groups: every delete for carol answers 51009.
    carol: { groups: {} },
    administrator: { groups: {} },
  },
};
