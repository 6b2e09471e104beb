/**
 * The rules of the bundled document that are this project's inference rather than the vendor's word, read from the
 * `x-source` entries (`{ <rule>: { inferred: "<reason>", probe?: "<probe id>", notProbed?: "<why>" } }`) on the
 * objects that hold them. The contract check reports each of them: held, contradicted or not probed.
 */
import document from '../../generated/openapi.json' with { type: 'json' };
import type { OperationId } from '../../generated/operations.js';

export interface InferredRule {
  /** JSON pointer, in generated/openapi.json, of the object whose `x-source` names the rule. */
  readonly pointer: string;
  /** The keyword or extension that holds the rule there. */
  readonly rule: string;
  /** Why the document says so. */
  readonly reason: string;
  /** The probe that tests it against a live app, when one can do so safely. */
  readonly probe?: string;
  /** Why no probe can test it safely. */
  readonly notProbed?: string;
  /** The operation that holds it, for a rule under `paths`. */
  readonly operationId?: OperationId;
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/**
 * Why a rule the document names no probe for goes unprobed, when the document does not say: most inferred rules
 * are bounds and shapes that the answer checks already hold every answer to, or examples written for the document.
 */
function unprobedReason(pointer: string): string {
  if (pointer.startsWith('/components/examples/')) return 'an example written for the document: it illustrates a shape, which every answer is checked against';
  if (pointer.startsWith('/components/x-error-codes/')) return "a code's meaning: provoking it safely on a live app is not possible";
  return 'no probe is written for it; every answer is still checked against the schemas and codes it belongs to';
}

/** Every inferred rule of the document, in document order. */
export function inferredRules(bundled: unknown = document): InferredRule[] {
  const rules: InferredRule[] = [];
  const visit = (node: unknown, pointer: string, operationId: OperationId | undefined): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, `${pointer}/${index}`, operationId));
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const object = node as Record<string, unknown>;
    const ownOperation = typeof object['operationId'] === 'string' && pointer.startsWith('/paths/') ? (object['operationId'] as OperationId) : operationId;
    const sources = object['x-source'];
    if (typeof sources === 'object' && sources !== null) {
      for (const [rule, source] of Object.entries(sources as Record<string, Record<string, unknown>>)) {
        const reason = source['inferred'];
        if (typeof reason !== 'string') continue;
        const probe = typeof source['probe'] === 'string' ? source['probe'] : undefined;
        const notProbed = typeof source['notProbed'] === 'string' ? source['notProbed'] : probe === undefined ? unprobedReason(pointer) : undefined;
        rules.push({
          pointer,
          rule,
          reason,
          ...(probe === undefined ? {} : { probe }),
          ...(notProbed === undefined ? {} : { notProbed }),
          ...(ownOperation === undefined ? {} : { operationId: ownOperation }),
        });
      }
    }
    for (const [key, value] of Object.entries(object)) {
      if (key !== 'x-source') visit(value, `${pointer}/${escapePointer(key)}`, ownOperation);
    }
  };
  visit(bundled, '', undefined);
  return rules;
}

/** The pointer of an operation's object in the bundled document. */
export function operationPointer(path: string): string {
  return `/paths/${escapePointer(path)}/post`;
}
