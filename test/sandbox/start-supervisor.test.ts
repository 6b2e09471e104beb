/**
 * `npm start`'s guard rails around Prism: a supervisor that notices a Prism that died, says so and restarts it on the
 * same port (or gives up after too many restarts), and a front that keeps bodies nested too deep for Prism away from it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { operations, requestLimits } from '../../generated/operations.js';
import { startDepthGuard, type DepthGuard } from '../../scripts/dev/depth-guard.js';
import { startPrism, type PrismServer } from '../../scripts/dev/prism.js';
import { supervise, type ChildServer, type Supervised } from '../../scripts/dev/supervisor.js';

const path = operations.delContactGroup.path;
const query = 'sdkappid=1400000000&identifier=administrator&usersig=x&random=1&contenttype=json';

async function post(url: string, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}${path}?${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, text: await response.text() };
}

describe('the Prism supervisor with the guard in front', () => {
  // One supervised Prism behind one guard for both tests (a Prism takes a second and a half of CPU to start): the
  // guard's test runs first and checks Prism never restarted, then the other kills Prism.
  const lines: string[] = [];
  let current: PrismServer | undefined;
  let prism: Supervised;
  let guard: DepthGuard;
  const valid = JSON.stringify({ From_Account: 'alice', GroupName: ['work'] });

  beforeAll(async () => {
    prism = await supervise({
      name: 'contract mock',
      start: async (port) => (current = await startPrism({ mode: 'mock', port })),
      log: (line) => lines.push(line),
      onGiveUp: (reason) => lines.push(`gave up: ${reason}`),
    });
    guard = await startDepthGuard({ upstream: prism.url });
  }, 60_000);
  afterAll(async () => {
    await guard?.close();
    await prism?.stop();
  });

  it('answers a body nested deeper than the limit itself, with the bad-request code, so Prism never sees it', async () => {
    const deep = `{"From_Account":"alice","GroupName":["work"],"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const answer = await post(guard.url, deep);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: operations.delContactGroup.badRequestErrorCode });
    expect(answer.text).toContain(`maxNestingDepth is ${requestLimits.maxNestingDepth}`);
    expect((await post(guard.url, valid)).status).toBe(200);
    expect(prism.restarts).toBe(0);
    expect(lines).toEqual([]);
  });

  it('reports a Prism that was killed, restarts it on the same port, and the guard URL answers again', { timeout: 90_000 }, async () => {
    expect((await post(guard.url, valid)).status).toBe(200);
    const restarted = prism.nextStart();
    const first = current;
    process.kill(first?.pid as number, 'SIGKILL');
    await restarted;
    expect(lines).toContain(`[contract mock] exited on SIGKILL; restarting it on ${prism.url}`);
    expect(lines).toContain(`[contract mock] restarted on ${prism.url}`);
    expect(current).not.toBe(first);
    expect(prism.restarts).toBe(1);
    expect((await post(guard.url, valid)).status).toBe(200);
  });
});

describe('the supervisor', () => {
  /** A child that ends as soon as it starts. */
  function dyingChild(): ChildServer {
    return { url: 'http://127.0.0.1:9', exited: Promise.resolve({ code: 1, signal: null }), stop: async () => {} };
  }

  it('gives up, says why and calls onGiveUp when the child exits more often than the restart bound allows', async () => {
    const lines: string[] = [];
    const reasons: string[] = [];
    let starts = 0;
    const supervised = await supervise({
      name: 'validating proxy',
      start: async () => {
        starts++;
        return dyingChild();
      },
      maxRestarts: 3,
      windowMs: 60_000,
      clock: () => 1000,
      log: (line) => lines.push(line),
      onGiveUp: (reason) => reasons.push(reason),
    });
    await vi.waitFor(() => expect(reasons).toHaveLength(1));
    expect(starts).toBe(4);
    expect(reasons[0]).toBe('exited with code 1, after 3 restarts within 60 s');
    expect(lines.at(-1)).toBe('[validating proxy] exited with code 1, after 3 restarts within 60 s; giving up');
    await expect(supervised.nextStart()).rejects.toThrow();
  });

  it('gives up when a restart fails', async () => {
    const reasons: string[] = [];
    let starts = 0;
    await supervise({
      name: 'contract mock',
      start: async () => {
        if (starts++ > 0) throw new Error('Prism exited (code 1) before listening:\nlog');
        return dyingChild();
      },
      log: () => {},
      onGiveUp: (reason) => reasons.push(reason),
    });
    await vi.waitFor(() => expect(reasons).toEqual(['exited with code 1 and could not be restarted: Prism exited (code 1) before listening:']));
  });
});
