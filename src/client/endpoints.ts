/**
 * The primary base URL and the documented backup of the same region, and which one new attempts go to. The vendor
 * offers the backup domains for when the primary one cannot be resolved or reached (e.g. DNS hijacked by an ISP).
 * After such a failure the client stays on the other host for a while, so that not every call pays for the failure
 * first, and then tries the primary again.
 */
import type { Clock } from './flow/clock.js';

export type EndpointRole = 'primary' | 'backup';

export interface Endpoint {
  readonly baseUrl: string;
  /** `hostname[:port]`, as results and events report it. */
  readonly host: string;
  readonly role: EndpointRole;
}

/** How long new calls keep going to the other host after one was unreachable. */
export const FAILOVER_STICKY_MS = 60_000;

function endpoint(baseUrl: string, role: EndpointRole): Endpoint {
  return { baseUrl, host: new URL(baseUrl).host, role };
}

export class Endpoints {
  readonly primary: Endpoint;
  /** Undefined when there is no backup or failover is turned off. */
  readonly backup: Endpoint | undefined;
  readonly #clock: Clock;
  #preferred: Endpoint;
  #until = Number.NEGATIVE_INFINITY;

  constructor(primaryUrl: string, backupUrl: string | undefined, clock: Clock) {
    this.primary = endpoint(primaryUrl, 'primary');
    this.backup = backupUrl === undefined ? undefined : endpoint(backupUrl, 'backup');
    this.#clock = clock;
    this.#preferred = this.primary;
  }

  /** Where a new call's first attempt goes. */
  current(): Endpoint {
    if (this.#preferred !== this.primary && this.#clock.now() >= this.#until) this.#preferred = this.primary;
    return this.#preferred;
  }

  /** The host to fail over to from `from`, if there is one. */
  alternative(from: Endpoint): Endpoint | undefined {
    if (this.backup === undefined) return undefined;
    return from.role === 'primary' ? this.backup : this.primary;
  }

  /** `from` could not be reached: prefer the other host for a while. */
  markUnreachable(from: Endpoint): void {
    const other = this.alternative(from);
    if (other === undefined) return;
    this.#preferred = other;
    this.#until = this.#clock.now() + FAILOVER_STICKY_MS;
  }
}
