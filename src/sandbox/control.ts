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
import { describeFault, MAX_PENDING_FAULTS, parseFaultRequest, type FaultSchedule } from './faults.js';
import { describeBodyProblem, readJsonBody } from './request-body.js';
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
      return { status: 404, body: { error: `no sandbox endpoint at ${shortened(path)}`, endpoints } };
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
      const reading = readJsonBody(body);
      if (!reading.ok) return { status: 400, body: { error: `the fault request: ${describeBodyProblem(reading)}` } };
      const parsed = parseFaultRequest(reading.value);
      if (!parsed.ok) return { status: 400, body: { error: parsed.message } };
      if (faults.list().length >= MAX_PENDING_FAULTS) {
        return { status: 409, body: { error: `at most ${MAX_PENDING_FAULTS} faults can be pending; DELETE ${CONTROL_PREFIX}faults clears them` } };
      }
      return { status: 201, body: describeFault(faults.add(parsed.spec)) };
    }
    default:
      return notAllowed('GET, POST, DELETE');
  }
}

function notAllowed(allow: string): ControlAnswer {
  return { status: 405, body: { error: `use ${allow}` }, allow };
}

/** A path as shown in an answer: cut when long, so an answer never echoes a huge request line. */
function shortened(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}…` : path;
}
