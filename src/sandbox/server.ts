/**
 * The HTTP side of the sandbox: reads each request, sends it to the control API or to the operation's checks,
 * applies scheduled faults, writes the answer, and shuts down gracefully. Keep-alive is left on (the vendor advises
 * persistent connections), and the per-request path does no work beyond what the answer needs.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { answerApiCall, unknownPathBody, type ApiCall, type ApiCallDependencies } from './api-call.js';
import { answerControl, CONTROL_PREFIX } from './control.js';
import { failure, failureBody } from './envelope.js';
import { rewriteAnswer, type Fault, type FaultSchedule } from './faults.js';
import type { Route } from './operations/index.js';

/** Real request bodies are well under a kilobyte; the vendor documents no limit, this only bounds memory. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * How long a client may take, so every request is answered or its connection closed in bounded time (Node's own
 * default lets a request trickle in for 300 s). The vendor's own timeout is 3 s; these leave room for a slow client.
 */
export interface SandboxTimeouts {
  /** From the connection (or the previous answer) to the end of the request headers. Default 10 000 ms. */
  readonly headersMs: number;
  /** From the end of the headers to the end of the body; a body still arriving then is answered 408 and its connection closed. Default 10 000 ms. */
  readonly bodyMs: number;
  /** The whole request, headers and body (Node's `requestTimeout`, answered 408 by Node). Default 30 000 ms. */
  readonly requestMs: number;
  /** How long an idle keep-alive connection stays open after an answer. Default 5 000 ms. */
  readonly keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: SandboxTimeouts = { headersMs: 10_000, bodyMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 };

/** Fills in defaults and checks the values; throws naming the setting and the rule. */
export function resolveTimeouts(timeouts: Partial<SandboxTimeouts> = {}): SandboxTimeouts {
  const resolved = { ...DEFAULT_TIMEOUTS, ...timeouts };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 1 || value > 3_600_000) {
      throw new Error(`timeouts.${name} must be an integer number of milliseconds from 1 to 3600000, got ${String(value)}`);
    }
  }
  // Node refuses a header deadline beyond the whole-request deadline.
  if (resolved.headersMs > resolved.requestMs) {
    throw new Error(`timeouts.headersMs (${resolved.headersMs}) must not exceed timeouts.requestMs (${resolved.requestMs})`);
  }
  return resolved;
}

export interface SandboxServerDependencies extends ApiCallDependencies {
  readonly routes: ReadonlyMap<string, Route>;
  readonly faults: FaultSchedule | undefined;
  readonly timeouts: SandboxTimeouts;
  /**
   * Called with anything a request handler threw (a sandbox bug). The caller gets 50004 when the state is unchanged;
   * when the call had already changed the state, its connection is closed instead: a retryable code would invite a
   * second change, and an unanswered call is what a client already treats as an unclear outcome.
   */
  readonly onError: (error: unknown) => void;
}

export interface SandboxServer {
  readonly server: Server;
  /** Stops accepting, lets calls in flight finish (up to `graceMs`), then closes every connection. */
  close(graceMs: number): Promise<void>;
}

const internalErrorBody = failureBody(failure(50004));

export function createSandboxServer(dependencies: SandboxServerDependencies): SandboxServer {
  const { routes, faults, onError } = dependencies;
  const delayed = new Set<NodeJS.Timeout>();
  let closing = false;

  const sendJson = (res: ServerResponse, status: number, body: string, allow?: string): void => {
    if (res.destroyed) return;
    // A flat header list: cheaper than an object, and this runs for every call.
    const headers = ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(body))];
    // Once closing, keep-alive connections end after their answer instead of waiting for the next request.
    if (closing) headers.push('connection', 'close');
    if (allow !== undefined) headers.push('allow', allow);
    res.writeHead(status, headers);
    res.end(body);
  };

  /** The answer body, or undefined when the call failed after changing the state (see `onError`). */
  const answerApi = (route: Route, call: ApiCall): string | undefined => {
    const revision = dependencies.state.revision;
    try {
      return answerApiCall(route, call, dependencies);
    } catch (error) {
      onError(error);
      return dependencies.state.revision === revision ? internalErrorBody : undefined;
    }
  };

  const answerApiOrClose = (route: Route, call: ApiCall, req: IncomingMessage, res: ServerResponse): void => {
    const body = answerApi(route, call);
    if (body === undefined) req.socket.destroy();
    else sendJson(res, 200, body);
  };

  const answerControlSafely = (method: string, path: string, body: Buffer | undefined, res: ServerResponse): void => {
    let status: number;
    let text: string;
    let allow: string | undefined;
    try {
      const answer = answerControl(method, path, body, dependencies);
      text = JSON.stringify(answer.body);
      ({ status, allow } = answer);
    } catch (error) {
      onError(error);
      status = 500;
      text = JSON.stringify({ error: 'the sandbox failed to answer this control request; its error was reported on the sandbox\'s stderr' });
    }
    sendJson(res, status, text, allow);
  };

  const applyFault = (fault: Fault, route: Route, call: ApiCall, req: IncomingMessage, res: ServerResponse): void => {
    const act = (): void => {
      const { effect } = fault;
      if (fault.afterProcessing) answerApi(route, call);
      switch (effect.kind) {
        case 'error-code':
          return sendJson(res, 200, failureBody(failure(effect.errorCode)));
        case 'http-status': {
          if (res.destroyed) return;
          const text = `${effect.httpStatus} injected by the sandbox's fault schedule\n`;
          res.writeHead(effect.httpStatus, ['content-type', 'text/plain', 'content-length', String(Buffer.byteLength(text)), ...(closing ? ['connection', 'close'] : [])]);
          res.end(text);
          return;
        }
        case 'drop':
          req.socket.destroy();
          return;
        case 'delay':
          return answerApiOrClose(route, call, req, res);
        case 'rewrite': {
          // A handler that failed after changing state gets its connection closed, as without the fault.
          const body = answerApi(route, call);
          if (body === undefined) {
            req.socket.destroy();
            return;
          }
          return sendJson(res, 200, rewriteAnswer(body, effect));
        }
      }
    };
    if (fault.delayMs === 0) return act();
    const timer = setTimeout(() => {
      delayed.delete(timer);
      act();
    }, fault.delayMs);
    delayed.add(timer);
  };

  // Lenient framing: Prism's proxy forwards a chunked request body with both Transfer-Encoding and Content-Length,
  // which Node's strict parser answers with a bare 400, so no call through the validating proxy would reach the
  // checks. The chunked framing is then used, as RFC 9112 section 6.1 allows; the sandbox listens on loopback.
  const { timeouts } = dependencies;
  const server = createServer(
    {
      insecureHTTPParser: true,
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      // Node checks the header and request deadlines on this interval (30 s by default), so it bounds how late they fire.
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(Math.min(timeouts.headersMs, timeouts.requestMs) / 4))),
    },
    (req, res) => {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const search = queryStart === -1 ? '' : url.slice(queryStart + 1);
    const method = req.method ?? 'GET';

    const answer = (body: Buffer | undefined): void => {
      if (path.startsWith(CONTROL_PREFIX)) return answerControlSafely(method, path, body, res);
      const route = routes.get(path);
      if (route === undefined) return sendJson(res, 200, unknownPathBody);
      const call: ApiCall = { method, search, body };
      const fault = faults?.take(route.operationId);
      if (fault !== undefined) return applyFault(fault, route, call, req, res);
      answerApiOrClose(route, call, req, res);
    };

    // A declared length beyond what the sandbox reads is answered at once (as too large) and the connection closed,
    // instead of reading a body that will be dropped anyway.
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      res.shouldKeepAlive = false;
      return answer(undefined);
    }
    readBody(req, timeouts.bodyMs, answer, () => {
      if (res.headersSent || res.destroyed) return req.socket.destroy();
      const text = `408 the request body did not arrive within ${timeouts.bodyMs} ms\n`;
      res.writeHead(408, ['content-type', 'text/plain', 'content-length', String(Buffer.byteLength(text)), 'connection', 'close']);
      res.end(text, () => req.socket.destroy());
    });
  });

  return {
    server,
    close(graceMs) {
      closing = true;
      return new Promise<void>((resolve) => {
        const deadline = setTimeout(() => {
          for (const timer of delayed) clearTimeout(timer);
          delayed.clear();
          server.closeAllConnections();
        }, graceMs);
        server.close(() => {
          clearTimeout(deadline);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}

/**
 * Collects the body; hands over `undefined` when it exceeds MAX_BODY_BYTES (the rest is read and dropped). Calls
 * `late` instead when the body has not ended within `deadlineMs`.
 */
function readBody(req: IncomingMessage, deadlineMs: number, done: (body: Buffer | undefined) => void, late: () => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const deadline = setTimeout(late, deadlineMs);
  req.once('close', () => clearTimeout(deadline));
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    clearTimeout(deadline);
    if (size > MAX_BODY_BYTES) return done(undefined);
    done(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
  });
}
