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

export interface SandboxServerDependencies extends ApiCallDependencies {
  readonly routes: ReadonlyMap<string, Route>;
  readonly faults: FaultSchedule | undefined;
  /** Called with anything a request handler threw (a sandbox bug); the caller still gets 50004. */
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

  const answerApi = (route: Route, call: ApiCall): string => {
    try {
      return answerApiCall(route, call, dependencies);
    } catch (error) {
      onError(error);
      return internalErrorBody;
    }
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
          return sendJson(res, 200, answerApi(route, call));
        case 'rewrite':
          return sendJson(res, 200, rewriteAnswer(answerApi(route, call), effect));
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
  const server = createServer({ insecureHTTPParser: true }, (req, res) => {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const search = queryStart === -1 ? '' : url.slice(queryStart + 1);
    const method = req.method ?? 'GET';

    readBody(req, (body) => {
      if (path.startsWith(CONTROL_PREFIX)) {
        const answer = answerControl(method, path, body, dependencies);
        return sendJson(res, answer.status, JSON.stringify(answer.body), answer.allow);
      }
      const route = routes.get(path);
      if (route === undefined) return sendJson(res, 200, unknownPathBody);
      const call: ApiCall = { method, search, body };
      const fault = faults?.take(route.operationId);
      if (fault !== undefined) return applyFault(fault, route, call, req, res);
      sendJson(res, 200, answerApi(route, call));
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

/** Collects the body; hands over `undefined` when it exceeds MAX_BODY_BYTES (the rest is read and dropped). */
function readBody(req: IncomingMessage, done: (body: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_BODY_BYTES) return done(undefined);
    done(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
  });
}
