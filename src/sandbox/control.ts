/**
 * The sandbox's own API, under a path prefix the vendor never uses (every vendor path starts with /v4/). It answers
 * with ordinary HTTP statuses and plain JSON, not the vendor envelope, so it can never be mistaken for the service.
 *
 *   GET    /__sandbox/state       users and groups as they are now (read-only)
 *   GET    /__sandbox/deletions   every delete so far and which groups were deleted more than once (read-only)
 *   GET    /__sandbox/faults      pending faults            } only when started with
 *   POST   /__sandbox/faults      schedule a fault          } allowFaults / --allow-faults
 *   DELETE /__sandbox/faults      drop every pending fault  }
 */
import { describeFault, parseFaultRequest, type FaultSchedule } from './faults.js';
import type { SandboxState } from './state.js';

export const CONTROL_PREFIX = '/__sandbox/';

export interface ControlAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly allow?: string;
}

export interface ControlDependencies {
  readonly state: SandboxState;
  /** Undefined when fault injection is not allowed. */
  readonly faults: FaultSchedule | undefined;
}

const endpoints = ['GET /__sandbox/state', 'GET /__sandbox/deletions', 'GET|POST|DELETE /__sandbox/faults'];

export function answerControl(method: string, path: string, body: Buffer | undefined, { state, faults }: ControlDependencies): ControlAnswer {
  switch (path) {
    case `${CONTROL_PREFIX}state`:
      return method === 'GET' ? { status: 200, body: state.snapshot() } : notAllowed('GET');
    case `${CONTROL_PREFIX}deletions`:
      return method === 'GET' ? { status: 200, body: state.deletionReport() } : notAllowed('GET');
    case `${CONTROL_PREFIX}faults`:
      return answerFaults(method, body, faults);
    default:
      return { status: 404, body: { error: `no sandbox endpoint at ${path}`, endpoints } };
  }
}

function answerFaults(method: string, body: Buffer | undefined, faults: FaultSchedule | undefined): ControlAnswer {
  if (faults === undefined) {
    return { status: 403, body: { error: 'fault injection is off; start the sandbox with --allow-faults (allowFaults: true) to use it' } };
  }
  switch (method) {
    case 'GET':
      return { status: 200, body: { faults: faults.list().map(describeFault) } };
    case 'DELETE':
      return { status: 200, body: { cleared: faults.clear() } };
    case 'POST': {
      if (body === undefined) return { status: 413, body: { error: 'the fault request is too large' } };
      let request: unknown;
      try {
        request = JSON.parse(body.toString('utf8'));
      } catch {
        return { status: 400, body: { error: 'the fault request is not JSON' } };
      }
      const parsed = parseFaultRequest(request);
      if (!parsed.ok) return { status: 400, body: { error: parsed.message } };
      return { status: 201, body: describeFault(faults.add(parsed.spec)) };
    }
    default:
      return notAllowed('GET, POST, DELETE');
  }
}

function notAllowed(allow: string): ControlAnswer {
  return { status: 405, body: { error: `use ${allow}` }, allow };
}
