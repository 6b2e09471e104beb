/** Renders the TypeScript modules of generated/ from the bundled document. */
import openapiTS, { astToString } from 'openapi-typescript';
import type { OpenAPI3 } from 'openapi-typescript';
import { dereference, listOperations, type JsonValue, type OpenApiDocument } from './openapi-document.js';

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
 * Prose keys that the runtime checks never read; leaving them out keeps the generated tables small. `x-source`
 * (where a rule comes from) is read from the bundled document by the contract check, not from the tables.
 */
const proseKeys = new Set(['description', 'example', 'examples', 'title', 'x-source']);

function withoutProse(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(withoutProse);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !proseKeys.has(key))
      .map(([key, item]) => [key, withoutProse(item)]),
  );
}

/** The error-code catalogue as a runtime table, plus each operation's own codes. */
export function renderErrorCodes(document: OpenApiDocument): string {
  const catalogue = [...document.components['x-error-codes']].sort((a, b) => a.code - b.code);
  const known = new Set(catalogue.map((entry) => entry.code));
  const byCode = Object.fromEntries(catalogue.map((entry) => [entry.code, entry]));
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
}

/** Every documented error code, from \`components.x-error-codes\`. */
export const errorCodes = ${numericKeyedLiteral(byCode)} as const satisfies Record<number, ErrorCodeInfo>;

/** A documented error code (unknown codes are plain numbers). */
export type DocumentedErrorCode = keyof typeof errorCodes;

/** The codes each operation documents as its own (\`x-error-codes\`); the public codes apply to every operation. */
export const operationErrorCodes = ${literal(perOperation)} as const;

export type PublicErrorCode = {
  [Code in DocumentedErrorCode]: (typeof errorCodes)[Code]['scope'] extends 'public' ? Code : never;
}[DocumentedErrorCode];
`;
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
          requestSchema: requestSchema as JsonValue,
          // The HTTP 200 answer (success and business failures share it), for checking what the service answers.
          responseSchema: responseSchema === undefined ? null : withoutProse(dereference(responseSchema['application/json']?.schema ?? null, document)),
          queryParameters: queryParameters(document, path),
        },
      ];
    }),
  );
  return `
/** The version of the document this module was generated from. */
export const specVersion = ${literal(document.info.version)};

/** Every operation of the document with the facts the client and the sandbox enforce. */
export const operations = ${literal(operations)} as const;

export type OperationId = keyof typeof operations;
`;
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

/** Region name -> primary and backup base URL, from \`servers\`. */
export function renderRegions(document: OpenApiDocument): string {
  const regions = Object.fromEntries(
    document.servers.map((server) => [
      server['x-region'],
      {
        name: server.description,
        url: server.url,
        backupUrl: server['x-backup-url'] ?? null,
        note: server['x-note'] ?? null,
      },
    ]),
  );
  return `
/** Every documented region: its primary domain and the backup domain for when DNS to the primary one fails. */
export const regions = ${literal(regions)} as const;

export type RegionName = keyof typeof regions;
`;
}
