/**
 * The crash test of bulk runs: 2,000 users, the program killed with SIGKILL partway through, then resumed with the
 * same results file. Afterwards every user has exactly one result line, none was skipped, every group is gone, and
 * the sandbox saw no group deleted twice.
 *
 * A kill at a random moment usually finds a few calls whose deletion the sandbox had made but whose answer the
 * program had not yet recorded; whether it does is luck. The first case makes it certain: a proxy in front of the
 * sandbox passes every request on (so the deletion happens) and, once the results file has 500 lines, withholds
 * the answers; the kill comes when every call in flight is such a call. The second case, a kill at whatever moment,
 * runs 600 users: the run's size adds nothing to what it checks. A smaller run does the same for creates, whose
 * repeat meets "name taken" instead of "no such group".
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, createServer, request, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Fixture, type RunningSandbox } from '../../src/sandbox/index.js';
import { sandboxEnv, startCli, runCli } from '../support/cli-process.js';
import { waitUntil } from '../support/wait.js';
import { countResults, linesOf, type Line } from '../support/results-lines.js';

const CONCURRENCY = 16;


interface HoldingProxy {
  readonly url: string;
  /** From now on, answers are kept back (the requests still reach the sandbox). */
  hold(): void;
  readonly held: number;
  close(): Promise<void>;
}

function startHoldingProxy(target: string): Promise<HoldingProxy> {
  const upstream = new Agent({ keepAlive: true });
  const held: ServerResponse[] = [];
  let holding = false;
  const server: Server = createServer((incoming, outgoing) => {
    // The killed program's connections reset; that is the point of the test, not a failure of the proxy.
    incoming.on('error', () => outgoing.destroy());
    outgoing.on('error', () => undefined);
    const body: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => body.push(chunk));
    incoming.on('end', () => {
      const { host: _host, connection: _connection, ...headers } = incoming.headers;
      const forwarded = request(`${target}${incoming.url ?? '/'}`, { method: incoming.method, headers: headers as IncomingHttpHeaders, agent: upstream }, (answer) => {
        const answerBody: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => answerBody.push(chunk));
        answer.on('end', () => {
          if (holding) {
            held.push(outgoing);
            return;
          }
          outgoing.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json' });
          outgoing.end(Buffer.concat(answerBody));
        });
      });
      // The sandbox closes at the end of the test while answers are still held: a cut upstream only ends that
      // call, as a dropped connection would, and must not surface as an unhandled error.
      forwarded.on('error', () => outgoing.destroy());
      forwarded.end(Buffer.concat(body));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        hold: () => {
          holding = true;
        },
        get held() {
          return held.length;
        },
        close: async () => {
          for (const response of held) response.destroy();
          server.closeAllConnections();
          upstream.destroy();
          await new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}

let dir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-crash-'));
});
afterAll(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  await rm(dir, { recursive: true, force: true });
});




/** Users whose last line is a `start`: their call was under way when the program died. */
function cutOff(lines: readonly Line[]): Set<string> {
  const open = new Set<string>();
  for (const line of lines) {
    if (line.type === 'start') open.add(line.user as string);
    if (line.type === 'result') open.delete(line.user as string);
  }
  return open;
}

describe('a bulk run killed with SIGKILL and resumed', () => {
  it.concurrent.each([
    // name, withhold the answers at the kill, users, results before the kill
    ['2,000 users, with answers withheld at the kill, so calls in flight had deleted their groups', true, 2000, 500],
    ['600 users, at whatever moment it has 150 results', false, 600, 150],
  ] as const)(
    '%s',
    async (_name, withhold, userCount, killAfterResults) => {
      const tag = withhold ? 'held' : 'plain';
      const users = Array.from({ length: userCount }, (_, index) => `${tag}-${index}`);
      const fixture: Fixture = {
        sdkAppId: 1400000000,
        admins: ['administrator'],
        edition: 'ultimate',
        users: { administrator: { groups: {} }, ...Object.fromEntries(users.map((user) => [user, { groups: { work: [{ Type: 1, To_Account: 'administrator' }] } }])) },
      };
      const sandbox: RunningSandbox = await startSandbox({ fixture, rateLimit: 'off' });
      cleanups.push(() => sandbox.close());
      const proxy = await startHoldingProxy(sandbox.url);
      cleanups.push(() => proxy.close());

      const usersFile = join(dir, `${tag}-users.txt`);
      const results = join(dir, `${tag}-results.ndjson`);
      await writeFile(usersFile, `${users.join('\n')}\n`);
      const args = ['delete-group', '--group', 'work', '--users-file', usersFile, '--results', results, '--rate', '100000', '--concurrency', String(CONCURRENCY), '--progress-interval', '60'];

      const first = startCli(args, sandboxEnv(withhold ? proxy.url : sandbox.url));
      await waitUntil(() => countResults(results) >= killAfterResults, 20_000, `${killAfterResults} result lines`);
      if (withhold) {
        proxy.hold();
        await waitUntil(() => proxy.held >= CONCURRENCY, 10_000, 'every call in flight to be held');
      }
      first.child.kill('SIGKILL');
      const killed = await first.done;
      expect(killed.signal).toBe('SIGKILL');

      const atKill = linesOf(results);
      const interrupted = cutOff(atKill);
      const recordedAtKill = atKill.filter((line) => line.type === 'result').length;
      expect(recordedAtKill).toBeGreaterThanOrEqual(killAfterResults);
      expect(recordedAtKill).toBeLessThan(userCount);
      if (withhold) expect(interrupted.size).toBe(CONCURRENCY);
      // The sandbox deleted the groups of users whose result was never written.
      const deletedUnrecorded = [...interrupted].filter((user) => sandbox.state.snapshot().users[user]?.groups['work'] === undefined);
      if (withhold) expect(deletedUnrecorded).toHaveLength(CONCURRENCY);

      const resumed = await runCli(args, sandboxEnv(sandbox.url));
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toContain(`${recordedAtKill.toLocaleString('en-US')} finished in earlier runs (skipped); ${(userCount - recordedAtKill).toLocaleString('en-US')} run now`);

      const lines = linesOf(results);
      const finals = lines.filter((line) => line.type === 'result');
      // Every user exactly one final line: none skipped, none run twice.
      const byUser = new Map<string, Line[]>();
      for (const line of finals) byUser.set(line.user as string, [...(byUser.get(line.user as string) ?? []), line]);
      expect(byUser.size).toBe(userCount);
      expect(finals).toHaveLength(userCount);
      // The users deleted by the killed run answered 51009 on resume: recorded as possibly done earlier, not failed.
      const earlier = finals.filter((line) => line.outcome === 'possibly-done-earlier');
      expect(earlier.map((line) => line.user).sort()).toEqual([...deletedUnrecorded].sort());
      for (const line of earlier) expect(line).toMatchObject({ done: true, ok: false, code: 51009 });
      expect(finals.filter((line) => line.outcome !== 'ok' && line.outcome !== 'possibly-done-earlier')).toEqual([]);
      expect(resumed.stdout).toMatch(/\n {2}ok +[\d,]+ +[\d,]+\n/);

      // The sandbox's own record: every group deleted exactly once, every user's group gone. Only the cut-off users'
      // groups were asked for twice (the second time answered 51009).
      const report = sandbox.state.deletionReport();
      expect(report.totalDeletions).toBe(userCount);
      expect(report.groups.filter((record) => record.deletions > 1)).toEqual([]);
      expect(report.deletedTwice.map((record) => record.user).sort()).toEqual([...deletedUnrecorded].sort());
      const snapshot = sandbox.state.snapshot();
      expect(users.filter((user) => snapshot.users[user]?.groups['work'] !== undefined)).toEqual([]);
    },
    60_000,
  );
});

describe('a bulk create killed with SIGKILL and resumed', () => {
  it('records the users whose cut-off call had created the group as possibly done earlier, not as failed', async () => {
    const users = Array.from({ length: 120 }, (_, index) => `create-${index}`);
    const fixture: Fixture = {
      sdkAppId: 1400000000,
      admins: ['administrator'],
      edition: 'ultimate',
      users: { administrator: { groups: {} }, ...Object.fromEntries(users.map((user) => [user, { groups: {} }])) },
    };
    const sandbox: RunningSandbox = await startSandbox({ fixture, rateLimit: 'off' });
    cleanups.push(() => sandbox.close());
    const proxy = await startHoldingProxy(sandbox.url);
    cleanups.push(() => proxy.close());

    const usersFile = join(dir, 'create-users.txt');
    const results = join(dir, 'create-results.ndjson');
    await writeFile(usersFile, `${users.join('\n')}\n`);
    const args = ['create-group', '--group', 'work', '--contact', 'user:administrator', '--users-file', usersFile, '--results', results, '--rate', '100000', '--concurrency', '8', '--progress-interval', '60'];

    const first = startCli(args, sandboxEnv(proxy.url));
    await waitUntil(() => countResults(results) >= 20, 20_000, '20 result lines');
    proxy.hold();
    await waitUntil(() => proxy.held >= 8, 10_000, 'every call in flight to be held');
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const interrupted = cutOff(linesOf(results));
    expect(interrupted.size).toBe(8);
    // The held calls reached the sandbox: their groups exist although no result says so.
    for (const user of interrupted) expect(sandbox.state.snapshot().users[user]?.groups['work']).toBeDefined();

    const resumed = await runCli(args, sandboxEnv(sandbox.url));
    expect(resumed.code).toBe(0);
    const finals = linesOf(results).filter((line) => line.type === 'result');
    expect(new Set(finals.map((line) => line.user)).size).toBe(users.length);
    expect(finals).toHaveLength(users.length);
    const earlier = finals.filter((line) => line.outcome === 'possibly-done-earlier');
    expect(earlier.map((line) => line.user).sort()).toEqual([...interrupted].sort());
    for (const line of earlier) expect(line).toMatchObject({ done: true, ok: false, code: 50002, effect: expect.stringContaining('created') as unknown });
    expect(finals.filter((line) => line.outcome !== 'ok' && line.outcome !== 'possibly-done-earlier')).toEqual([]);
  }, 60_000);
});
