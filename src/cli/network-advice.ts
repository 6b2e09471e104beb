/**
 * What a network failure most likely means for the person running the command, in one sentence: the client's error
 * says what happened to the request ("could not be sent"), this says what to check, named by the setting that
 * chose the host. It reads only the error's reason, status, cause code and (redacted) URL.
 */
import type { NetworkError } from '../errors.js';

/** The setting that names the host (`--base-url`, `TENCENT_CHAT_REGION`…), to blame in the advice. */
export interface AdviceSettings {
  readonly endpointSetting: string;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME']);
const UNREACHABLE_CODES = new Set(['EHOSTUNREACH', 'EHOSTDOWN', 'ENETUNREACH', 'ENETDOWN', 'EADDRNOTAVAIL']);
/** OpenSSL's and Node's names for certificate and handshake failures. */
const TLS_CODE = /CERT|TLS|SSL|EPROTO/;

function where(url: string): { host: string; origin: string; hostname: string } {
  try {
    const parsed = new URL(url);
    return { host: parsed.host, origin: parsed.origin, hostname: parsed.hostname };
  } catch {
    return { host: 'the host', origin: 'the base URL', hostname: 'the host' };
  }
}

/** The messages of the cause chain, outermost first, bounded like the client's own reading of it. */
function causeMessages(error: Error): string[] {
  const messages: string[] = [];
  for (let link = error.cause; link instanceof Error && messages.length < 6; link = link.cause) messages.push(link.message);
  return messages;
}

/**
 * Whether fetch refused the URL's port before connecting: the Fetch standard blocks ports of other protocols (9,
 * 6000, 6667…), which is easy to hit with a local server; it says so only as a "bad port" message.
 */
export function blockedPort(error: NetworkError): boolean {
  return error.reason === 'connection' && causeMessages(error).includes('bad port');
}

/**
 * Whether the failure points at the setting that names the host rather than at bad luck: a name that does not
 * resolve, a refused or blocked connection, a TLS failure, a path the host does not know. (An answer that is not the
 * API's is an UnexpectedAnswerError, judged in bulk/early-stop.ts.) Timeouts, cut connections and 5xx statuses are left out: they also come and go with load.
 */
export function pointsAtSetting(error: NetworkError): boolean {
  const code = error.causeCode;
  switch (error.reason) {
    case 'connection':
      return error.delivery === 'not-sent' || blockedPort(error) || (code !== undefined && TLS_CODE.test(code));
    case 'http-status':
      return error.status === 404 || error.status === 405;
    case 'timeout':
    case 'aborted':
      return false;
  }
}

export function networkAdvice(error: NetworkError, settings: AdviceSettings): string {
  const { host, origin, hostname } = where(error.url);
  const code = error.causeCode;
  const setting = settings.endpointSetting;
  switch (error.reason) {
    case 'timeout':
      return `no answer from ${host} in the time an attempt may take: raise --timeout-ms if the service is slow, or check the network to ${host}`;
    case 'aborted':
      return 'the call was stopped before an answer came';
    case 'http-status': {
      const status = error.status ?? 0;
      if (status === 404 || status === 405) return `${host} does not know the API's path (HTTP ${status}): check that ${setting} points at the Chat API`;
      if (status >= 500) return `the service or a gateway in front of it is failing (HTTP ${status}): try again later`;
      return `${host} refused the request with HTTP ${status}: check ${setting} and any proxy in between`;
    }
    case 'connection':
      if (blockedPort(error)) return `fetch refuses to connect to the port of ${host} (a port the Fetch standard blocks): give the server another port (${setting})`;
      if (code === 'ECONNREFUSED') return `connection refused by ${host}: is the server at ${origin} running? (${setting})`;
      if (code !== undefined && DNS_CODES.has(code)) {
        return `the host name ${hostname} could not be resolved (DNS ${code}): check the region / base URL (${setting}) and this machine's DNS`;
      }
      if (code !== undefined && UNREACHABLE_CODES.has(code)) return `${host} cannot be reached from this machine (${code}): check the network, a firewall or a proxy`;
      if (code !== undefined && TLS_CODE.test(code)) {
        return `TLS error with ${host} (${code}): check that ${setting} is the right https URL (not an http-only server), the machine's clock, and any proxy that intercepts HTTPS`;
      }
      if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return `${host} closed the connection before answering (${code}): try again later`;
      return `the connection to ${host} failed${code === undefined ? '' : ` (${code})`}: check ${setting} and the network`;
  }
}
