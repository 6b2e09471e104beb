/**
 * A fleet of `chat-groups` bulk runs: the real program as child processes, sharding one users file with --shard K/N
 * and sharing the rate limit through a real redis-server with --redis, against a rate-limited sandbox (the referee).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../src/cli/bulk/shard.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { runCli, sandboxEnv } from '../support/cli-process.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { fixtureFor } from '../support/bulk-fixture.js';

const LIMIT = 20;
const USERS = Array.from({ length: 60 }, (_, index) => `fleet-${index}`);
let dir: string;
let sandbox: RunningSandbox;
let redis: RedisServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-fleet-'));
  [sandbox, redis] = await Promise.all([startSandbox({ fixture: fixtureFor(USERS), rateLimit: LIMIT }), startRedisServer()]);
  await writeFile(join(dir, 'users.txt'), `${USERS.join('\n')}\n`);
});
afterAll(async () => {
  await Promise.all([sandbox?.close(), redis?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

function results(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function shardArgs(index: number, results: string): string[] {
  return ['delete-group', '--group', 'work', '--users-file', join(dir, 'users.txt'), '--results', results, '--shard', `${index}/3`, '--rate', String(LIMIT)];
}

describe('chat-groups bulk runs as a fleet', () => {
  it('splits one users file among three shards sharing the rate limit through Redis: every user once, no 60007', { timeout: 60_000 }, async () => {
    const env = { ...sandboxEnv(sandbox.url), TENCENT_CHAT_REDIS_URL: redis.url };
    const files = [1, 2, 3].map((index) => join(dir, `shard-${index}.ndjson`));
    const runs = await Promise.all([1, 2, 3].map((index) => runCli(shardArgs(index, files[index - 1] as string), env)));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const seen = new Map<string, number>();
    files.forEach((file, index) => {
      const lines = results(file);
      expect(lines[0]).toMatchObject({ type: 'run', shard: `${index + 1}/3` });
      for (const line of lines.filter((candidate) => candidate['type'] === 'result')) {
        const user = line['user'] as string;
        expect(shardOf(user, 3)).toBe(index + 1);
        expect(line['outcome']).toBe('ok');
        seen.set(user, (seen.get(user) ?? 0) + 1);
      }
    });
    expect([...seen.keys()].sort()).toEqual([...USERS].sort());
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    expect(runs[0]?.stdout).toMatch(/delete-group \(shard 1\/3\): \d+ users of this shard \(\d+ of the list belong to other shards\)/);
    // The URL is never printed (it may hold a password).
    for (const run of runs) expect(run.stdout + run.stderr).not.toContain(redis.url);
  });

  it('refuses to resume a results file of another shard, naming the flag', async () => {
    const file = join(dir, 'shard-1.ndjson');
    const run = await runCli(shardArgs(2, file), sandboxEnv(sandbox.url));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('holds results of shard 1/3, not of shard 2/3; each shard resumes from its own --results file');
  });

  it.each(['0/4', '5/4', 'a/b', '4'])('refuses --shard %s as a settings error naming the flag', async (value) => {
    const run = await runCli(
      ['delete-group', '--group', 'work', '--users-file', join(dir, 'users.txt'), '--results', join(dir, 'bad.ndjson'), '--shard', value],
      sandboxEnv(sandbox.url),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--shard must be K/N with 1 <= K <= N');
  });

  it('refuses a Redis URL of another scheme without repeating it', async () => {
    const run = await runCli(['delete-group', '--group', 'work', '--user', 'fleet-0', '--redis', 'http://user:s3cret@127.0.0.1:1'], sandboxEnv(sandbox.url));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--redis must be a redis:// or rediss:// URL');
    expect(run.stderr).not.toContain('s3cret');
  });
});
