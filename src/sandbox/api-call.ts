/**
 * The order of checks every vendor operation goes through, from the HTTP method to the handler. Each step answers
 * with the first failure it finds; docs/sandbox.md lists the same steps with their codes. HTTP plumbing and
 * faults live in server.ts, so this module only turns a request into the JSON body of an HTTP 200 answer.
 */
import type { OperationId } from '../../generated/operations.js';
import { declaredPart, validateRequest, type Violation } from '../validate.js';
import { gatewayCodes, isDocumentedErrorCode } from './codes.js';
import { failure, failureBody, successBody, type Failure } from './envelope.js';
import type { OperationHandler, PageSizes, RequestBody } from './operations/handler.js';
import { describeBodyProblem, readJsonBody } from './request-body.js';
import type { Route } from './operations/index.js';
import type { RateRefuser } from './rate-refuser.js';
import { checkCaller, checkSigningParameters } from './signing-check.js';
import type { SandboxState } from './state.js';
import type { UserSigVerifier } from './usersig-verifier.js';

export interface ApiCall {
  readonly method: string;
  /** The query string without `?`. */
  readonly search: string;
  /** Undefined when the body was larger than the sandbox reads. */
  readonly body: Buffer | undefined;
}

export interface ApiCallDependencies {
  readonly state: SandboxState;
  readonly verifier: UserSigVerifier;
  /** Per operation; absent when rate limiting is off. */
  readonly refusers: ReadonlyMap<OperationId, RateRefuser> | undefined;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  readonly pageSizes: PageSizes;
}

export const unknownPathBody = failureBody(failure(gatewayCodes.unknownPath, 'The requested resource is wrong: no REST API has this path.'));

export function answerApiCall(route: Route, call: ApiCall, dependencies: ApiCallDependencies): string {
  const outcome = run(route, call, dependencies);
  return outcome.ok ? successBody(outcome.data) : failureBody(outcome.failure);
}

type Outcome = { readonly ok: false; readonly failure: Failure } | { readonly ok: true; readonly data: Readonly<Record<string, unknown>> };

function run(route: Route, call: ApiCall, { state, verifier, refusers, clock, pageSizes }: ApiCallDependencies): Outcome {
  if (call.method !== route.method) {
    return { ok: false, failure: failure(gatewayCodes.methodNotPost, `The HTTP request could not be parsed: ${call.method} is not allowed, the REST API takes ${route.method} only.`) };
  }
  if (call.body === undefined) {
    return { ok: false, failure: failure(gatewayCodes.bodyTooLarge, 'The HTTP request could not be parsed: the body is too large.') };
  }

  const query = new URLSearchParams(call.search);
  const signingFailure = checkSigningParameters(route.operationId, query, state);
  if (signingFailure !== undefined) return { ok: false, failure: signingFailure };

  const now = clock();
  const refuser = refusers?.get(route.operationId);
  if (refuser !== undefined && !refuser.tryAcquire(now)) {
    return {
      ok: false,
      failure: failure(
        gatewayCodes.rateLimited,
        `The REST API call rate limit is exceeded: ${route.vendorCommand} takes at most ${refuser.limit} call${refuser.limit === 1 ? '' : 's'} in any ${refuser.windowMs} ms.`,
      ),
    };
  }

  const callerFailure = checkCaller(query, state, verifier, Math.floor(now / 1000));
  if (callerFailure !== undefined) return { ok: false, failure: callerFailure };

  const reading = readJsonBody(call.body);
  if (!reading.ok) {
    const code = reading.problem === 'too-deep' ? route.badRequestErrorCode : gatewayCodes.bodyNotJson;
    if (!isDocumentedErrorCode(code)) throw new Error(`the spec assigns error code ${code}, which is not in the catalogue`);
    return { ok: false, failure: failure(code, describeBodyProblem(reading)) };
  }

  const violations = validateRequest(route.operationId, reading.value);
  if (violations.length > 0) return { ok: false, failure: violationFailure(violations, route.badRequestErrorCode) };
  // Undeclared fields are ignored (x-request-limits.unknownFields): the handler never sees, stores or echoes them.
  const body = declaredPart(route.operationId, reading.value);

  const handler = route.handler as OperationHandler<OperationId>;
  if (handler.needsConversationGroups && state.edition === 'standard') {
    return { ok: false, failure: failure(gatewayCodes.editionLacksConversationGroups) };
  }
  return handler.handle(body as RequestBody<OperationId>, { state, now: Math.floor(now / 1000), pageSizes });
}

/**
 * Shape problems (the operation's bad-request code) are reported together and ahead of field-specific codes such
 * as 51011: a specific code tells the caller the rest of the request was fine.
 */
function violationFailure(violations: readonly Violation[], badRequestErrorCode: number): Failure {
  const general = violations.filter((violation) => violation.errorCode === badRequestErrorCode);
  const reported = general.length > 0 ? general : violations.slice(0, 1);
  const code = reported[0]?.errorCode ?? badRequestErrorCode;
  if (!isDocumentedErrorCode(code)) throw new Error(`the spec assigns error code ${code}, which is not in the catalogue`);
  return failure(code, `${reported.map((violation) => violation.message).join('; ')}.`);
}
