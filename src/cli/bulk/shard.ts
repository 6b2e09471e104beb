/**
 * Splitting one users file between N processes without coordination: shard K of N takes the users whose stable hash
 * falls in the K-th of N equal parts. The hash is the first four bytes of the SHA-256 of the UserID (UTF-8), read as
 * a big-endian unsigned integer h, and the user belongs to shard floor(h × N / 2^32) + 1. It depends on nothing but
 * the UserID and N, so N processes given the same file cover every user exactly once, whatever the order of the file,
 * and a resumed shard takes the same users again.
 */
import { createHash } from 'node:crypto';

export interface Shard {
  /** From 1 to `count`. */
  readonly index: number;
  readonly count: number;
}

export function shardOf(user: string, count: number): number {
  const hash = createHash('sha256').update(user, 'utf8').digest().readUInt32BE(0);
  return Math.floor((hash * count) / 2 ** 32) + 1;
}

export function inShard(shard: Shard): (user: string) => boolean {
  return (user) => shardOf(user, shard.count) === shard.index;
}

/** `K/N`, as the flag takes it and the results file records it. */
export function shardName(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
