/**
 * The code samples of an operation (Redoc's `x-codeSamples`): a curl call and a call through this package's client,
 * generated from the operationId and the request example, so a new operation gets its samples without any edit here.
 */
import { dereference, isJsonObject, type JsonObject, type JsonValue, type OpenApiDocument, type OperationRef, type ServerEntry } from '../openapi-document.js';

/** One entry of Redoc's `x-codeSamples`. */
export interface CodeSample {
  lang: string;
  label: string;
  source: string;
}

/** Placeholder credentials shown in the samples (the vendor's own sample SDKAppID and admin account). */
export const SAMPLE_SDK_APP_ID = 1400000000;
export const SAMPLE_IDENTIFIER = 'administrator';
/** The five signing query parameters; `$USERSIG` and `$RANDOM` are expanded by the shell. */
export const SIGNING_QUERY = `sdkappid=${SAMPLE_SDK_APP_ID}&identifier=${SAMPLE_IDENTIFIER}&usersig=$USERSIG&random=$RANDOM&contenttype=json`;
/** The region the TypeScript sample passes to the client. */
export const SAMPLE_REGION = 'singapore';

/** The fields every response carries; whatever else a success response has is the operation's payload. */
const ENVELOPE_FIELDS = new Set(['ActionStatus', 'ErrorCode', 'ErrorInfo', 'ErrorDisplay']);

/** The package name the TypeScript sample imports. */
export const PACKAGE_NAME = 'tencent-chat-groups';

/** The JSON media type object of an operation's request body, with `$ref`s resolved. */
function requestMediaType(document: OpenApiDocument, operation: OperationRef['operation']): JsonObject | undefined {
  const body = operation.requestBody as JsonValue | undefined;
  if (body === undefined) return undefined;
  const resolved = dereference(body, document);
  const media = isJsonObject(resolved) && isJsonObject(resolved['content']) ? resolved['content']['application/json'] : undefined;
  return isJsonObject(media) ? media : undefined;
}

/**
 * The request example shown in the samples: the one named `vendor-sample`, else the first named example, else the
 * media type's single `example`. Undefined when the operation has none.
 */
export function requestExample(document: OpenApiDocument, operation: OperationRef['operation']): JsonValue | undefined {
  const media = requestMediaType(document, operation);
  if (!media) return undefined;
  const examples = media['examples'];
  if (isJsonObject(examples)) {
    const chosen = examples['vendor-sample'] ?? Object.values(examples)[0];
    if (isJsonObject(chosen) && 'value' in chosen) return chosen['value'];
  }
  return 'example' in media ? media['example'] : undefined;
}

/**
 * The payload field a success response adds to the envelope (for example `GroupItem`), read from the 200
 * response's success example, else from its schema. Undefined when the operation answers with the envelope only.
 */
export function successPayloadField(document: OpenApiDocument, operation: OperationRef['operation']): string | undefined {
  const response = operation.responses['200'];
  if (!response) return undefined;
  const resolved = dereference(response, document);
  const content = isJsonObject(resolved) ? resolved['content'] : undefined;
  const media = isJsonObject(content) ? content['application/json'] : undefined;
  if (!isJsonObject(media)) return undefined;
  const examples = isJsonObject(media['examples']) ? Object.entries(media['examples']) : [];
  const success = examples
    .map(([name, example]) => ({ name, value: isJsonObject(example) ? example['value'] : undefined }))
    .filter((entry): entry is { name: string; value: JsonObject } => isJsonObject(entry.value) && entry.value['ErrorCode'] === 0)
    .sort((a, b) => Number(b.name === 'success') - Number(a.name === 'success'))[0];
  const fromExample = success && Object.keys(success.value).find((key) => !ENVELOPE_FIELDS.has(key));
  if (fromExample) return fromExample;
  return schemaPropertyNames(media['schema']).find((key) => !ENVELOPE_FIELDS.has(key));
}

/** Property names of an (already dereferenced) object schema, following `allOf`. */
function schemaPropertyNames(schema: JsonValue | undefined): string[] {
  if (!isJsonObject(schema)) return [];
  const own = isJsonObject(schema['properties']) ? Object.keys(schema['properties']) : [];
  const inherited = Array.isArray(schema['allOf']) ? schema['allOf'].flatMap((part) => schemaPropertyNames(part)) : [];
  return [...inherited, ...own];
}

/** The servers an operation is called on: its own, its path's, else the document's. */
function serversOf(document: OpenApiDocument, ref: OperationRef): ServerEntry[] {
  const own = ref.operation['servers'];
  if (Array.isArray(own) && own.length > 0) return own as ServerEntry[];
  const pathServers = ref.pathItem['servers'];
  if (Array.isArray(pathServers) && pathServers.length > 0) return pathServers as ServerEntry[];
  return document.servers;
}

/** Quotes text for a POSIX shell inside single quotes. */
function shellSingleQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * A curl call: the method to `serverUrl + path` with the five signing query parameters, the JSON content type and
 * the body as pretty JSON. The URL is double-quoted so the shell fills in `$USERSIG` and `$RANDOM`.
 */
export function curlSample(input: { serverUrl: string; path: string; method?: string; body: JsonValue | undefined }): string {
  const url = `${input.serverUrl.replace(/\/+$/, '')}${input.path}?${SIGNING_QUERY}`;
  const body = JSON.stringify(input.body ?? {}, null, 2);
  return [
    `# USERSIG: a UserSig generated for "${SAMPLE_IDENTIFIER}"; RANDOM: the shell's random number`,
    `curl -X ${(input.method ?? 'post').toUpperCase()} "${url}" \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${shellSingleQuote(body)}`,
  ].join('\n');
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function tsString(text: string): string {
  const escaped = JSON.stringify(text).slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'");
  return `'${escaped}'`;
}

/** Writes a JSON value as a TypeScript literal (unquoted keys where possible, single-quoted strings). */
export function toTypeScriptLiteral(value: JsonValue, indent = ''): string {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? tsString(value) : String(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item) => toTypeScriptLiteral(item, inner));
    const oneLine = `[${items.join(', ')}]`;
    if (!items.some((item) => item.includes('\n')) && oneLine.length <= 60) return oneLine;
    return `[\n${items.map((item) => `${inner}${item},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const lines = entries.map(
    ([key, item]) => `${inner}${IDENTIFIER.test(key) ? key : tsString(key)}: ${toTypeScriptLiteral(item, inner)},`,
  );
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** A call of the operation through this package's client, named by its operationId. */
export function typeScriptSample(input: { operationId: string; body: JsonValue | undefined; payloadField?: string | undefined }): string {
  const field = input.payloadField;
  const data = !field ? 'result.data' : IDENTIFIER.test(field) ? `result.data.${field}` : `result.data[${tsString(field)}]`;
  return [
    `import { createChatGroupsClient } from '${PACKAGE_NAME}';`,
    ``,
    `const chat = createChatGroupsClient({`,
    `  sdkAppId: ${SAMPLE_SDK_APP_ID},`,
    `  identifier: '${SAMPLE_IDENTIFIER}',`,
    `  secretKey: process.env.TENCENT_CHAT_SECRET_KEY!,`,
    `  region: '${SAMPLE_REGION}',`,
    `});`,
    ``,
    `const result = await chat.${input.operationId}(${toTypeScriptLiteral(input.body ?? {})});`,
    `if (result.ok) {`,
    `  console.log(${data}, result.random);`,
    `} else {`,
    `  console.error(result.error.code, result.error.meaning, result.error.retryable);`,
    `}`,
  ].join('\n');
}

/** The `x-codeSamples` of one operation: curl first, then TypeScript. */
export function codeSamplesFor(document: OpenApiDocument, ref: OperationRef): CodeSample[] {
  const body = requestExample(document, ref.operation);
  const serverUrl = serversOf(document, ref)[0]?.url ?? 'https://console.tim.qq.com';
  return [
    { lang: 'curl', label: 'curl', source: curlSample({ serverUrl, path: ref.path, method: ref.method, body }) },
    {
      lang: 'TypeScript',
      label: 'TypeScript',
      source: typeScriptSample({
        operationId: ref.operation.operationId,
        body,
        payloadField: successPayloadField(document, ref.operation),
      }),
    },
  ];
}

