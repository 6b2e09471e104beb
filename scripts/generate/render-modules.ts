/** Renders the TypeScript modules of generated/ from the bundled document. */
import openapiTS, { astToString } from 'openapi-typescript';
import type { OpenAPI3 } from 'openapi-typescript';
import { dereference, hintPlaceholders, listOperations, vendorPagesOf, withoutKeys, type JsonValue, type JsonObject, type OpenApiDocument, type OperationObject, type SourceMap } from './openapi-document.js';

/** Types of every path, operation and schema, from openapi-typescript. */
export async function renderTypes(document: OpenApiDocument): Promise<string> {
  const ast = await openapiTS(document as unknown as OpenAPI3, {
    rootTypes: true,
    // minItems/maxItems become tuple types, so a second group name is a compile-time error.
    arrayLength: true,
    rootTypesNoSchemaPrefix: true,
    silent: true,
  });
  return astToString(ast);
}

function literal(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** Like `literal`, but numeric keys stay numbers, so `keyof typeof table` is a union of number literals. */
function numericKeyedLiteral(value: Record<number, unknown>): string {
  return literal(value).replace(/^(\s*)"(\d+)":/gm, '$1$2:');
}

/**
 * Keys that the runtime checks never read: prose, and the provenance of each rule (`x-source`, shown in the docs,
 * checked by the tests and read from the bundled document by the contract check). Leaving them out keeps the
 * generated tables small.
 */
const proseKeys = new Set(['description', 'example', 'examples', 'title', 'x-source']);

function withoutProse(value: JsonValue): JsonValue {
  return withoutKeys(value, proseKeys);
}

/** The error-code catalogue as a runtime table, plus each operation's own codes. */
export function renderErrorCodes(document: OpenApiDocument): string {
  const catalogue = [...document.components['x-error-codes']].sort((a, b) => a.code - b.code);
  for (const entry of catalogue) {
    for (const template of Object.values(entry.hint ?? {})) {
      const unknown = [...template.matchAll(/\{([^}]*)\}/g)].map((match) => match[1] ?? '').filter((name) => !(hintPlaceholders as readonly string[]).includes(name));
      if (unknown.length > 0) throw new Error(`the hint of ${entry.code} uses unknown placeholders: ${unknown.join(', ')} (known: ${hintPlaceholders.join(', ')})`);
    }
  }
  const known = new Set(catalogue.map((entry) => entry.code));
  const byCode = Object.fromEntries(catalogue.map((entry) => [entry.code, withoutProse(entry as unknown as JsonValue)]));
  const perOperation = Object.fromEntries(
    listOperations(document).map(({ operation }) => {
      const missing = operation['x-error-codes'].filter((code) => !known.has(code));
      if (missing.length > 0) {
        throw new Error(`${operation.operationId} lists codes absent from the catalogue: ${missing.join(', ')}`);
      }
      return [operation.operationId, operation['x-error-codes']];
    }),
  );
  return `
export type ErrorScope = 'operation' | 'public';

/** How a client may react: none, retry with backoff, a longer backoff for rate limits, a new UserSig then one more try, or a wait of a minute. */
export type RetryStrategy = 'none' | 'backoff' | 'rate-limit-backoff' | 're-sign-once' | 'wait-60s';

export interface ErrorCodeInfo {
  readonly code: number;
  readonly scope: ErrorScope;
  readonly meaning: string;
  /** True when the same request may be sent again (with a new \`random\` and signature) after waiting. */
  readonly retryable: boolean;
  readonly strategy: RetryStrategy;
  /** True when the code reports a setting shared by every call of the same app and caller (key, admin, SDKAppID, region, edition): the other calls would get it too. */
  readonly appWide: boolean;
  readonly source: string;
  /**
   * For codes about the UserSig or the app's set-up: the likely cause, as templates with placeholders
   * ({${hintPlaceholders.join('}, {')}}) the client fills from its set-up; \`provider\` when a UserSig provider signs,
   * \`afterReSign\` / \`afterReSignProvider\` when the call already replaced its UserSig once.
   */
  readonly hint?: { readonly text: string; readonly provider?: string; readonly afterReSign?: string; readonly afterReSignProvider?: string };
}

/** Every documented error code, from \`components.x-error-codes\`. */
export const errorCodes = ${numericKeyedLiteral(byCode)} as const satisfies Record<number, ErrorCodeInfo>;

/** A documented error code (unknown codes are plain numbers). */
export type DocumentedErrorCode = keyof typeof errorCodes;

/**
 * The HTTP statuses of a network failure after which the same request may be sent again (\`x-retryable-statuses\`
 * of the network-failure response); the vendor answers every business outcome with 200.
 */
export const retryableHttpStatuses = ${literal(retryableHttpStatuses(document))} as const;

/** The codes each operation documents as its own (\`x-error-codes\`); the public codes apply to every operation. */
export const operationErrorCodes = ${literal(perOperation)} as const;

export type PublicErrorCode = {
  [Code in DocumentedErrorCode]: (typeof errorCodes)[Code]['scope'] extends 'public' ? Code : never;
}[DocumentedErrorCode];
`;
}

/** The one response of \`components.responses\` that lists \`x-retryable-statuses\`, with its source checked. */
function retryableHttpStatuses(document: OpenApiDocument): number[] {
  const responses = Object.entries((document.components['responses'] ?? {}) as Record<string, JsonObject>);
  const listing = responses.filter(([, response]) => response['x-retryable-statuses'] !== undefined);
  const [first, ...more] = listing;
  if (first === undefined || more.length > 0) throw new Error('exactly one of components.responses must list x-retryable-statuses');
  const [name, response] = first;
  const source = (response['x-source'] as SourceMap | undefined)?.['x-retryable-statuses'];
  vendorPagesOf(document, source, `components.responses.${name}.x-source.x-retryable-statuses`);
  if (source === undefined) throw new Error(`components.responses.${name}.x-retryable-statuses needs an x-source`);
  return response['x-retryable-statuses'] as number[];
}

/** Per operation: where it lives, its rate limit, its codes, and its request and answer schemas with the x- limits. */
export function renderOperations(document: OpenApiDocument): string {
  const operations = Object.fromEntries(
    listOperations(document).map(({ path, method, operation }) => {
      const requestSchema = operation.requestBody
        ? withoutProse(dereference(operation.requestBody.content['application/json'].schema, document))
        : null;
      const responseSchema = operation.responses['200']?.['content'] as { [type: string]: { schema: JsonValue } } | undefined;
      return [
        operation.operationId,
        {
          operationId: operation.operationId,
          method,
          path,
          vendorCommand: operation['x-vendor-command'],
          summary: operation.summary,
          rateLimit: operation['x-rate-limit'],
          badRequestErrorCode: operation['x-bad-request-error-code'],
          errorCodes: operation['x-error-codes'],
          alreadyDoneAnswers: alreadyDoneAnswers(document, operation),
          requestSchema: requestSchema as JsonValue,
          // The HTTP 200 answer (success and business failures share it), for checking what the service answers.
          responseSchema: responseSchema === undefined ? null : withoutProse(dereference(responseSchema['application/json']?.schema ?? null, document)),
          queryParameters: queryParameters(document, path),
        },
      ];
    }),
  );
  const limits = document['x-request-limits'];
  if (!Number.isInteger(limits?.maxNestingDepth) || limits?.unknownFields !== 'ignored') {
    throw new Error('x-request-limits must give an integer maxNestingDepth and unknownFields: ignored');
  }
  const requestLimits = { maxNestingDepth: limits.maxNestingDepth, unknownFields: limits.unknownFields };
  const signing = signingParameters(document, Object.values(operations).map((operation) => operation.queryParameters));
  return `
/**
 * The query parameters that sign every request, by what the signer puts in them (\`x-signing-role\` of the
 * parameters and of the UserSig security scheme), in the order of the vendor's sample URL.
 */
export const signingParameters = ${literal(signing.names)} as const;

/** The only value of the \`format\` signing parameter (the request format). */
export const requestFormat = ${literal(signing.format)};

/** The version of the document this module was generated from. */
export const specVersion = ${literal(document.info.version)};

/** Rules for every request body (\`x-request-limits\`): how deeply it may nest, and what happens to undeclared fields. */
export const requestLimits = ${literal(requestLimits)} as const;

/** Every operation of the document with the facts the client and the sandbox enforce. */
export const operations = ${literal(operations)} as const;

export type OperationId = keyof typeof operations;
`;
}

/**
 * The operation's `x-already-done-answers`, checked: every operation must say (an empty list for a read or an
 * idempotent change, with the reason in `x-source`), and each answer must be one of its codes and cite its source.
 */
function alreadyDoneAnswers(document: OpenApiDocument, operation: OperationObject): JsonValue {
  const where = `${operation.operationId}.x-already-done-answers`;
  const answers = operation['x-already-done-answers'];
  if (answers === undefined) throw new Error(`${where} is missing: list the answers an earlier success explains, or [] with the reason`);
  if (answers.length === 0 && operation['x-source']?.['x-already-done-answers']?.inferred === undefined) {
    throw new Error(`${operation.operationId}.x-source.x-already-done-answers must say why no answer is listed`);
  }
  return answers.map((answer) => {
    if (!operation['x-error-codes'].includes(answer.code)) throw new Error(`${where}: ${answer.code} is not in its x-error-codes`);
    const source = answer['x-source']?.['code'];
    vendorPagesOf(document, source, `${where}[${answer.code}]`);
    if (source === undefined || (source.vendor === undefined && source.inferred === undefined)) {
      throw new Error(`${where}[${answer.code}].x-source.code must cite vendor pages or say what is inferred`);
    }
    return { code: answer.code, effect: answer.effect, requestMatches: answer.requestMatches ?? {} };
  });
}

const signingRoles = ['sdkAppId', 'identifier', 'userSig', 'random', 'format'] as const;

/**
 * Role -> query parameter name, from `x-signing-role` on the query parameters and the UserSig security scheme.
 * Every role must be filled exactly once and every operation's query parameters must be signing parameters.
 */
function signingParameters(document: OpenApiDocument, perOperation: JsonValue[]): { names: Record<string, string>; format: string } {
  const named = [
    ...Object.values((document.components['parameters'] ?? {}) as Record<string, JsonObject>),
    ...Object.values((document.components['securitySchemes'] ?? {}) as Record<string, JsonObject>),
  ].filter((item) => item['in'] === 'query' && typeof item['x-signing-role'] === 'string');
  const names: Record<string, string> = {};
  let format: string | undefined;
  for (const role of signingRoles) {
    const matches = named.filter((item) => item['x-signing-role'] === role);
    const [only, ...more] = matches;
    if (only === undefined || more.length > 0) throw new Error(`exactly one query parameter must have x-signing-role ${role}`);
    names[role] = only['name'] as string;
    if (role === 'format') {
      const values = (only['schema'] as JsonObject | undefined)?.['enum'];
      if (!Array.isArray(values) || values.length !== 1 || typeof values[0] !== 'string') throw new Error('the format signing parameter must allow exactly one value (enum)');
      format = values[0];
    }
  }
  const known = new Set(Object.values(names));
  for (const parameters of perOperation as { name: string }[][]) {
    const unknown = parameters.filter((parameter) => !known.has(parameter.name));
    if (unknown.length > 0) throw new Error(`query parameters without x-signing-role: ${unknown.map((parameter) => parameter.name).join(', ')}`);
  }
  return { names, format: format as string };
}

/** The path's query parameters (the signing parameters), dereferenced, with the schema each value must meet. */
function queryParameters(document: OpenApiDocument, path: string): JsonValue {
  const item = document.paths[path];
  const parameters = [...(item?.parameters ?? []), ...((item?.post?.['parameters'] as JsonValue[] | undefined) ?? [])];
  return parameters
    .map((parameter) => dereference(parameter, document) as { [key: string]: JsonValue })
    .filter((parameter) => parameter['in'] === 'query')
    .map((parameter) => ({
      name: parameter['name'] ?? null,
      required: parameter['required'] ?? false,
      schema: withoutProse(parameter['schema'] ?? {}),
    }));
}

/**
 * Region name -> primary and backup base URL, from \`servers\`. A backup URL is the only host besides the primary
 * that receives the UserSig without the caller naming it, so each one must cite the vendor pages that list it.
 */
export function renderRegions(document: OpenApiDocument): string {
  const regions = Object.fromEntries(
    document.servers.map((server) => {
      const backupUrl = server['x-backup-url'];
      const where = `servers[${server['x-region']}].x-source.x-backup-url`;
      const backupVendorPages = backupUrl === undefined ? [] : vendorPagesOf(document, server['x-source']?.['x-backup-url'], where);
      if (backupUrl !== undefined && backupVendorPages.length === 0) {
        throw new Error(`${where} must name the vendor pages that list ${backupUrl}: only hosts the vendor lists get the UserSig`);
      }
      return [
        server['x-region'],
        { name: server.description, url: server.url, backupUrl: backupUrl ?? null, backupVendorPages, note: server['x-note'] ?? null },
      ];
    }),
  );
  return `
/**
 * Every documented region: its primary domain, and the backup domain for when DNS to the primary one fails where a
 * vendor page lists one (\`backupVendorPages\`); \`null\` when none does (the note says why), and then the client fails
 * over only to a backup the caller names.
 */
export const regions = ${literal(regions)} as const;

export type RegionName = keyof typeof regions;
`;
}
