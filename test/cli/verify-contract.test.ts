/**
 * The contract check against the sandbox: everything holds against a service that answers as the document says,
 * and each drift injected through the sandbox's fault API (another ErrorCode, an extra field, a missing field, a
 * changed byte limit, a changed outcome) is reported as contradicted. Every run leaves the users' data as it was.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createChatGroupsClient, type ChatGroupsClient } from '../../src/client/client.js';
import { parseFaultRequest } from '../../src/sandbox/faults.js';
import { DEVELOPMENT_SECRET_KEY, startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import type { Check } from '../../src/verify/checks.js';
import { ContractRun } from '../../src/verify/contract-run.js';
import { probes } from '../../src/verify/probes.js';
import { passed, reportJson, summaryText } from '../../src/verify/report.js';
import { verifyContract, type VerifyContractReport } from '../../src/verify/verify-contract.js';

const sandboxes: RunningSandbox[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((sandbox) => sandbox.close()));
});

async function sandbox(options: { rateLimit?: number } = {}): Promise<RunningSandbox> {
  const started = await startSandbox({ allowFaults: true, ...options });
  sandboxes.push(started);
  return started;
}

function connection(target: RunningSandbox) {
  return { sdkAppId: 1400000000, identifier: 'administrator', secretKey: DEVELOPMENT_SECRET_KEY, baseUrl: target.url } as const;
}

/** Schedules a fault as the control API would (same checks). */
function fault(target: RunningSandbox, request: Record<string, unknown>): void {
  const parsed = parseFaultRequest(request);
  if (!parsed.ok) throw new Error(parsed.message);
  target.faults?.add(parsed.spec);
}

/** A user's groups and marks, without the timestamps a restore moves on. */
function dataOf(target: RunningSandbox, user: string): unknown {
  const snapshot = target.state.snapshot().users[user];
  return {
    groups: snapshot?.groups,
    conversations: snapshot?.conversations.map(({ timestamp: _timestamp, ...rest }) => rest),
    recent: snapshot?.recent,
  };
}

async function check(target: RunningSandbox, options: { users?: readonly [string, string] } = {}): Promise<VerifyContractReport> {
  return verifyContract({ connection: connection(target), users: options.users ?? ['alice', 'bob'], rate: 200 });
}

function contradictions(report: VerifyContractReport): Check[] {
  return report.checks.filter((item) => item.status === 'contradicted');
}

describe('verifyContract against the sandbox', () => {
  it('finds every rule held, probes each probed inferred rule, and leaves both users as they were', async () => {
    const target = await sandbox();
    const before = { alice: dataOf(target, 'alice'), bob: dataOf(target, 'bob') };
    const report = await check(target);

    expect(contradictions(report)).toEqual([]);
    expect(report.problems).toEqual([]);
    expect(report.cleanup).toEqual({ complete: true, left: [] });
    expect(passed(report)).toBe(true);
    const inferred = report.checks.filter((item) => item.provenance.kind === 'inferred');
    const byProbe = new Map(inferred.map((item) => [item.provenance.kind === 'inferred' ? item.provenance.probe ?? item.rule : '', item]));
    for (const id of Object.keys(probes).filter((probe) => probe !== 'rate-limit-code')) expect(byProbe.get(id)?.status, id).toBe('held');
    // Going over the rate limit is opt-in.
    expect(byProbe.get('rate-limit-code')).toMatchObject({ status: 'not-probed', evidence: { calls: [] } });
    expect(byProbe.get('rate-limit-code')?.evidence.detail).toContain('--probe-rate-limit');
    // All eight operations were called, and every call carries its random.
    expect(new Set(report.checks.flatMap((item) => (item.operation === undefined ? [] : [item.operation]))).size).toBe(8);
    for (const item of report.checks) for (const call of item.evidence.calls) expect(call.random).toEqual(expect.any(Number));

    expect({ alice: dataOf(target, 'alice'), bob: dataOf(target, 'bob') }).toEqual(before);
    expect(JSON.stringify(target.state.snapshot())).not.toContain(`vc${report.runId}`);
  });

  it('probes byte limits at the boundary with three-byte characters and ASCII', async () => {
    const target = await sandbox();
    const report = await check(target);
    const probe = report.checks.find((item) => item.provenance.kind === 'inferred' && item.provenance.probe === 'group-name-bytes');
    const names = probe?.evidence.calls.map((call) => (call.request['GroupContactItem'] as { GroupName: string }[])[0]?.GroupName ?? '');
    expect(names?.map((name) => Buffer.byteLength(name))).toEqual([64, 65]);
    for (const name of names ?? []) expect(name).toMatch(/群/);
  });

  it('refuses a test user that does not exist and changes nothing', async () => {
    const target = await sandbox();
    const before = target.state.snapshot();
    const report = await check(target, { users: ['alice', 'nobody-here'] });
    expect(report.refused).toMatch(/"nobody-here" cannot be used: get_list answered ErrorCode 50001/);
    expect(report.checks.every((item) => item.operation === 'getRecentContactList')).toBe(true);
    expect(target.state.snapshot()).toEqual(before);
    expect(passed(report)).toBe(false);
  });

  const drifts: readonly { name: string; faults: Record<string, unknown>[]; operation: string; rule: string; detail: RegExp }[] = [
    {
      name: 'an ErrorCode the document does not list for the operation',
      faults: [{ operation: 'get_contact_group', rewrite: { errorCode: 59999 } }],
      operation: 'getContactGroup',
      rule: 'x-error-codes',
      detail: /ErrorCode 59999 is neither/,
    },
    {
      name: 'a field the document lacks',
      faults: [{ operation: 'create_contact_group', rewrite: { add: { GroupLimit: 20 } } }],
      operation: 'createContactGroup',
      rule: 'response schema',
      detail: /GroupLimit is not in the document/,
    },
    {
      name: 'a promised field missing',
      faults: [{ operation: 'search_contact_group', rewrite: { remove: ['ErrorInfo'] } }],
      operation: 'searchContactGroup',
      rule: 'response schema',
      detail: /ErrorInfo is required/,
    },
    {
      name: 'a byte limit that moved (65 bytes accepted)',
      // Creates before the probe's second one: the scenario's, two of duplicate-group-name, one of
      // update-membership-idempotent, and the probe's own at 64 bytes. Delay faults let those pass untouched.
      faults: [{ operation: 'create_contact_group', delayMs: 1, count: 5 }, { operation: 'create_contact_group', rewrite: { errorCode: 0 } }],
      operation: 'createContactGroup',
      rule: 'x-max-bytes',
      detail: /65 bytes: expected ErrorCode 51011, got ErrorCode 0/,
    },
    {
      name: 'a changed outcome of an inferred rule (deleting a missing conversation)',
      faults: [{ operation: 'delete', rewrite: { errorCode: 50002, add: { ErrorInfo: 'no such conversation' } } }],
      operation: 'deleteRecentContact',
      rule: 'x-absent-conversation-succeeds',
      detail: /deleting it answered ErrorCode 50002/,
    },
  ];

  for (const drift of drifts) {
    it(`reports ${drift.name} as contradicted, with the call's random, and still cleans up`, async () => {
      const target = await sandbox();
      const before = dataOf(target, 'alice');
      for (const request of drift.faults) fault(target, request);
      const report = await check(target);
      const found = contradictions(report).find((item) => item.operation === drift.operation && item.rule === drift.rule);
      expect(found?.evidence.detail).toMatch(drift.detail);
      expect(found?.evidence.calls[0]?.random).toEqual(expect.any(Number));
      expect(passed(report)).toBe(false);
      expect(reportJson(report)).toMatchObject({ passed: false });
      expect(summaryText(report)).toContain('CONTRADICTED');
      expect(report.cleanup.complete).toBe(true);
      expect(dataOf(target, 'alice')).toEqual(before);
    });
  }

  it('cleans up after a step fails on the network', async () => {
    const target = await sandbox();
    const before = dataOf(target, 'alice');
    fault(target, { operation: 'update_contact_group', drop: true });
    const report = await check(target);
    expect(report.problems[0]).toMatch(/scenario step 3 \(rename it to vc\w+-renamed\) answered no answer/);
    expect(report.cleanup).toEqual({ complete: true, left: [] });
    expect(dataOf(target, 'alice')).toEqual(before);
    expect(passed(report)).toBe(false);
  });

  it('names exactly what is left when the cleanup cannot finish', async () => {
    const target = await sandbox();
    const report = await verifyContract({
      connection: connection(target),
      users: ['alice', 'bob'],
      rate: 200,
      // Once the scenario has made its group, every delete fails.
      onProgress: (line) => {
        if (line.startsWith('create_contact_group')) fault(target, { operation: 'del_contact_group', errorCode: 50004, count: 1000 });
      },
    });
    expect(report.cleanup.complete).toBe(false);
    const leftNames = report.cleanup.left.map((line) => /the group "([^"]+)" of alice is still there/.exec(line)?.[1]);
    const groupsLeft = Object.keys(target.state.snapshot().users['alice']?.groups ?? {}).filter((name) => name.startsWith(`vc${report.runId}`));
    expect(leftNames.sort()).toEqual(groupsLeft.sort());
    expect(groupsLeft.length).toBeGreaterThan(0);
    expect(summaryText(report)).toContain('Cleanup: INCOMPLETE');
  });

  it('stops between calls when its signal aborts, then cleans up', async () => {
    const target = await sandbox();
    const before = dataOf(target, 'alice');
    const stop = new AbortController();
    const report = await verifyContract({
      connection: connection(target),
      users: ['alice', 'bob'],
      rate: 200,
      signal: stop.signal,
      onProgress: (line) => {
        if (line.startsWith('update_contact_group')) stop.abort();
      },
    });
    expect(report.interrupted).toBe(true);
    expect(report.cleanup.complete).toBe(true);
    expect(dataOf(target, 'alice')).toEqual(before);
  });
});

describe('the rate-limit probe', () => {
  it('goes over the limit only when asked, and finds the documented rate-limit code', async () => {
    const target = await sandbox({ rateLimit: 20 });
    const make = (): ChatGroupsClient => createChatGroupsClient({ ...connection(target), rateLimit: 'off', retry: false });
    const run = new ContractRun({ client: make(), owner: 'alice', peer: 'bob', runId: 'ratetest', secrets: [], unlimitedClient: make });
    const outcome = await probes['rate-limit-code']?.run(run);
    expect(outcome).toMatchObject({ status: 'held' });
    expect(outcome?.detail).toMatch(/first refused call got ErrorCode 60007/);
  });
});
