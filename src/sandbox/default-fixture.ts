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
      // get_list's field names: a group conversation's chat group is `GroupId` there.
      recent: [
        { Type: 1, To_Account: 'bob', MsgTime: 1_700_000_300, TopFlag: 1 },
        { Type: 2, GroupId: '@TGS#2ABC', MsgTime: 1_700_000_200 },
        { Type: 1, To_Account: 'carol', MsgTime: 1_700_000_100 },
        { Type: 2, GroupId: '@TGS#2CLIMB', MsgTime: 1_700_000_000 },
      ],
    },
    bob: {
      groups: {
        friends: [
          { Type: 1, To_Account: 'alice' },
          { Type: 1, To_Account: 'carol' },
        ],
        项目: [{ Type: 2, ToGroupId: '@TGS#2ABC' }],
      },
      recent: [{ Type: 1, To_Account: 'alice', MsgTime: 1_700_000_300 }],
    },
    // A user with no groups and an empty conversation list: every delete for carol answers 51009.
    carol: { groups: {} },
    administrator: { groups: {} },
  },
};
