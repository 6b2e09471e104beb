/**
 * The sandbox's `rewrite` fault, over its control API: the call runs for real, then its answer's top-level fields
 * change (another ErrorCode, fields added or removed), as a service that drifted from the document would answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatGroupsClient } from '../../src/client/client.js';
import { parseFaultRequest } from '../../src/sandbox/faults.js';
import { DEVELOPMENT_SECRET_KEY, startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';

let target: RunningSandbox;
beforeAll(async () => {
  target = await startSandbox({ allowFaults: true });
});
afterAll(async () => {
  await target.close();
});

async function schedule(fault: unknown): Promise<Response> {
  return fetch(`${target.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(fault) });
}

describe('the rewrite fault', () => {
  it('runs the call, then answers with the ErrorCode and fields changed', async () => {
    const scheduled = await schedule({ operation: 'del_contact_group', rewrite: { errorCode: 59999, add: { Extra: true }, remove: ['ErrorInfo'] } });
    expect(scheduled.status).toBe(201);
    expect(await scheduled.json()).toMatchObject({ operation: 'delContactGroup', rewrite: { errorCode: 59999, add: { Extra: true }, remove: ['ErrorInfo'] } });
    const client = createChatGroupsClient({ sdkAppId: 1400000000, identifier: 'administrator', secretKey: DEVELOPMENT_SECRET_KEY, baseUrl: target.url, retry: false });
    const { data } = await client.raw.POST('/v4/recentcontact/del_contact_group', { body: { From_Account: 'alice', GroupName: ['hobbies'] } });
    expect(data).toEqual({ GroupItem: [{ GroupName: 'hobbies', GroupId: expect.any(Number) }], ActionStatus: 'OK', ErrorCode: 59999, Extra: true });
    // The call ran for real: the group is gone.
    expect(Object.keys(target.state.snapshot().users['alice']?.groups ?? {})).not.toContain('hobbies');
  });

  it('refuses a rewrite that changes nothing or names an unknown field', () => {
    expect(parseFaultRequest({ rewrite: {} })).toEqual({ ok: false, message: 'rewrite must change something: errorCode, add or remove' });
    expect(parseFaultRequest({ rewrite: { errorcode: 1 } })).toEqual({ ok: false, message: '"rewrite.errorcode" is not a rewrite field (expected errorCode, add, remove)' });
    expect(parseFaultRequest({ rewrite: { remove: 'ErrorInfo' } })).toEqual({ ok: false, message: 'rewrite.remove must be a list of field names' });
    expect(parseFaultRequest({ rewrite: { errorCode: 1 }, drop: true })).toEqual({ ok: false, message: 'choose one of errorCode, httpStatus, drop and rewrite, not drop and rewrite' });
  });
});
