/**
 * Reads a rejected fetch: was it a timeout, the caller's abort or a connection failure, and did the request provably
 * never leave (DNS or connect failure), which makes it safe to send to the backup host at once.
 */
import type { Delivery, NetworkFailureReason } from '../errors.js';

export interface RejectionFacts {
  readonly reason: NetworkFailureReason;
  readonly delivery: Delivery;
  /** The first string `code` in the cause chain, e.g. `ENOTFOUND`. */
  readonly causeCode: string | undefined;
}

/**
 * Failures before any byte of the request was written: name resolution, the TCP connect, and the TLS handshake (a
 * hijacked DNS answer typically shows up as a certificate error, which is what the backup domains are for).
 */
const NOT_SENT_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NODATA',
  'EAI_NONAME',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const NOT_SENT_SYSCALLS = new Set(['getaddrinfo', 'connect']);

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

function errorName(value: unknown): string | undefined {
  const name = field(value, 'name');
  return typeof name === 'string' ? name : undefined;
}

/** The cause chain, outermost first, bounded so a cyclic chain cannot loop. */
function chain(thrown: unknown): unknown[] {
  const links: unknown[] = [];
  for (let link = thrown; typeof link === 'object' && link !== null && links.length < 6; link = field(link, 'cause')) {
    links.push(link);
  }
  return links;
}

export function classifyRejection(thrown: unknown, signal: AbortSignal): RejectionFacts {
  const links = chain(thrown);
  const codes = links.map((link) => field(link, 'code')).filter((code): code is string => typeof code === 'string');
  const causeCode = codes[0];
  if (signal.aborted) {
    // The attempt's own signal fires for both the per-attempt timeout and the caller's abort; its reason tells which.
    return { reason: errorName(signal.reason) === 'TimeoutError' ? 'timeout' : 'aborted', delivery: 'unknown', causeCode };
  }
  const notSent =
    codes.some((code) => NOT_SENT_CODES.has(code)) ||
    links.some((link) => {
      const syscall = field(link, 'syscall');
      return typeof syscall === 'string' && NOT_SENT_SYSCALLS.has(syscall);
    });
  if (notSent) return { reason: 'connection', delivery: 'not-sent', causeCode };
  // Node's fetch reports its header and body timeouts as UND_ERR_*_TIMEOUT, sockets as ETIMEDOUT.
  if (links.some((link) => errorName(link) === 'TimeoutError') || codes.some((code) => /TIMEOUT|TIMEDOUT/.test(code))) {
    return { reason: 'timeout', delivery: 'unknown', causeCode };
  }
  if (errorName(thrown) === 'AbortError') return { reason: 'aborted', delivery: 'unknown', causeCode };
  return { reason: 'connection', delivery: 'unknown', causeCode };
}
