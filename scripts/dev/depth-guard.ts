/**
 * A thin front for Prism in `npm start`: Prism (5.14.2) overflows its own stack on a deeply nested JSON body and
 * dies, so this front answers a body nested deeper than the document's `x-request-limits.maxNestingDepth` itself, as
 * the sandbox would (HTTP 200, the operation's bad-request code, the same sentence), and forwards everything else
 * unchanged. While Prism is down (between a crash and its restart) a call gets 502, the documented network failure.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { operations } from '../../generated/operations.js';
import { failure, failureBody } from '../../src/sandbox/envelope.js';
import { isDocumentedErrorCode } from '../../src/sandbox/codes.js';
import { describeBodyProblem, readJsonBody } from '../../src/sandbox/request-body.js';
import { MAX_BODY_BYTES } from '../../src/sandbox/server.js';

export interface DepthGuard {
  readonly url: string;
  close(): Promise<void>;
}

const badRequestCodeByPath = new Map<string, number>(Object.values(operations).map((operation) => [operation.path, operation.badRequestErrorCode]));

export async function startDepthGuard(options: { readonly upstream: string; readonly port?: number }): Promise<DepthGuard> {
  const upstream = new URL(options.upstream);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the sandbox's own limit the body is not kept (the sandbox refuses it as too large either way).
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const badRequestCode = badRequestCodeByPath.get(path);
      if (badRequestCode !== undefined && size <= MAX_BODY_BYTES && isDocumentedErrorCode(badRequestCode)) {
        const reading = readJsonBody(body);
        if (!reading.ok && reading.problem === 'too-deep') {
          const text = failureBody(failure(badRequestCode, describeBodyProblem(reading)));
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
          res.end(text);
          return;
        }
      }
      forward(req, body, res);
    });
  });

  function forward(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
    delete headers['transfer-encoding'];
    const outgoing = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (response) => {
      res.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(res);
    });
    outgoing.on('error', () => {
      if (res.headersSent) return void res.destroy();
      const text = '502 Prism is not running (it is being restarted); try again\n';
      res.writeHead(502, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
    outgoing.end(body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
