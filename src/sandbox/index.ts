/**
 * A local stand-in for the Tencent Cloud Chat REST API's conversation-group operations, with state, signing,
 * rate limits and fault injection. `startSandbox` is for tests and benchmarks in-process; the `sandbox` CLI
 * command wraps it.
 */
import type { AddressInfo } from 'node:net';
import { operations, type OperationId } from '../../generated/operations.js';
import { defaultFixture } from './default-fixture.js';
import { DEVELOPMENT_SECRET_KEY } from './development-key.js';
import { FaultSchedule } from './faults.js';
import { parseFixture, type Fixture } from './fixture.js';
import type { PageSizes } from './operations/handler.js';
import { buildRoutes } from './operations/index.js';
import { resolvePageSizes } from './page-sizes.js';
import { RateRefuser } from './rate-refuser.js';
import { createSandboxServer, resolveTimeouts, type SandboxTimeouts } from './server.js';
import { DEFAULT_MAX_STATE_BYTES, SandboxState } from './state.js';
import { UserSigVerifier } from './usersig-verifier.js';

export { gatewayCodes } from './codes.js';
export { CONTROL_PREFIX } from './control.js';
export { DEVELOPMENT_SECRET_KEY } from './development-key.js';
export { defaultFixture } from './default-fixture.js';
export { FixtureError, loadFixtureFile, parseFixture, type Fixture, type RecentContact } from './fixture.js';
export type { PageSizes } from './operations/handler.js';
export { DEFAULT_PAGE_SIZES } from './page-sizes.js';
export type { DeletionRecord, DeletionReport, SandboxState, StateSnapshot } from './state.js';
export type { FaultSchedule } from './faults.js';
export { DEFAULT_TIMEOUTS, MAX_BODY_BYTES, type SandboxTimeouts } from './server.js';
export { DEFAULT_MAX_STATE_BYTES } from './state.js';
export { maxNestingDepth } from './request-body.js';

export interface SandboxOptions {
  /** The app, admins, edition, users and groups to start with (checked like a fixture file); default: the built-in example set. */
  readonly fixture?: Fixture;
  /** The app's secret key for verifying UserSigs; default: the public DEVELOPMENT_SECRET_KEY. */
  readonly secretKey?: string;
  /** Default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** Default 0: a free port, read it back from `port` / `url`. */
  readonly port?: number;
  /**
   * Calls per API per window: a number applies to every API (window: the spec's `perSeconds`), `'off'` disables the
   * limit. Default: each operation's documented limit (`x-rate-limit`, 200 per second).
   */
  readonly rateLimit?: number | 'off';
  /** Enables the fault-injection control API (off by default so a shared sandbox cannot be sabotaged by accident). */
  readonly allowFaults?: boolean;
  /** Milliseconds since the epoch, for UserSig expiry, rate windows and data timestamps; injectable for tests. Default `Date.now`. */
  readonly clock?: () => number;
  /**
   * Items per page of get_contact_group and get_list (the vendor documents no page size). Default 100 each; small
   * values let a test page through a small data set.
   */
  readonly pageSizes?: Partial<PageSizes>;
  /**
   * How long a client may take to send a request, so no connection is held open by a slow or stalled client (see
   * SandboxTimeouts; defaults: headers 10 s, body 10 s, whole request 30 s, idle keep-alive 5 s).
   */
  readonly timeouts?: Partial<SandboxTimeouts>;
  /**
   * The bound on the sandbox's data, as an estimate of its memory in bytes (group names remembered, deleted ones
   * included; conversations in groups; marks). A change that could exceed it is refused before it changes anything,
   * with 51008 (per item, or for the whole call when a group cannot be created or renamed). Default 64 MiB.
   */
  readonly maxStateBytes?: number;
  /** How long `close()` lets calls in flight finish before cutting connections. Default 5000 ms. */
  readonly shutdownGraceMs?: number;
  /** Receives errors thrown while answering (sandbox bugs); default: written to stderr. */
  readonly onError?: (error: unknown) => void;
}

export interface RunningSandbox {
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Live state, for in-process inspection (the same data as GET /__sandbox/state and /__sandbox/deletions). */
  readonly state: SandboxState;
  /** The fault schedule when faults are allowed. */
  readonly faults: FaultSchedule | undefined;
  readonly usesDevelopmentKey: boolean;
  /** The limit in force for each operation; empty when rate limiting is off. */
  readonly rateLimits: readonly { readonly operationId: OperationId; readonly calls: number; readonly windowMs: number }[];
  /** The page sizes in force. */
  readonly pageSizes: PageSizes;
  /** Graceful: stops accepting, finishes calls in flight, closes keep-alive connections. */
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const fixture = parseFixture(options.fixture ?? defaultFixture, 'the fixture option');
  const secretKey = options.secretKey ?? DEVELOPMENT_SECRET_KEY;
  if (secretKey.length === 0) throw new Error('the secret key must not be empty');
  const clock = options.clock ?? Date.now;
  const pageSizes = resolvePageSizes(options.pageSizes);
  const timeouts = resolveTimeouts(options.timeouts);
  const maxStateBytes = options.maxStateBytes ?? DEFAULT_MAX_STATE_BYTES;
  if (!Number.isSafeInteger(maxStateBytes) || maxStateBytes < 1) throw new Error(`maxStateBytes must be a positive integer, got ${String(maxStateBytes)}`);
  const state = new SandboxState(fixture, Math.floor(clock() / 1000), maxStateBytes);
  const faults = options.allowFaults === true ? new FaultSchedule() : undefined;
  const refusers = buildRefusers(options.rateLimit);
  const host = options.host ?? '127.0.0.1';

  const { server, close } = createSandboxServer({
    state,
    verifier: new UserSigVerifier(secretKey),
    refusers,
    clock,
    pageSizes,
    routes: buildRoutes(),
    faults,
    timeouts,
    onError: options.onError ?? ((error) => console.error('sandbox: error while answering a request:', error)),
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | undefined;

  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    state,
    faults,
    usesDevelopmentKey: secretKey === DEVELOPMENT_SECRET_KEY,
    rateLimits: [...(refusers ?? [])].map(([operationId, refuser]) => ({ operationId, calls: refuser.limit, windowMs: refuser.windowMs })),
    pageSizes,
    close: () => (closed ??= close(options.shutdownGraceMs ?? 5000)),
  };
}

function buildRefusers(rateLimit: number | 'off' | undefined): Map<OperationId, RateRefuser> | undefined {
  if (rateLimit === 'off') return undefined;
  const refusers = new Map<OperationId, RateRefuser>();
  for (const operationId of Object.keys(operations) as OperationId[]) {
    const documented = operations[operationId].rateLimit;
    refusers.set(operationId, new RateRefuser(rateLimit ?? documented.calls, documented.perSeconds * 1000));
  }
  return refusers;
}
