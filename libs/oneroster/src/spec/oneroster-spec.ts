import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats';
import { MAX_REPORTED_PROBLEMS } from '@external-tests/common';
import SPEC from './oneroster-spec.extract.json';

type Schema = Record<string, unknown>;
type Operation = {
  operationId?: string;
  summary?: string;
  requestBody?: { content: { 'application/json': { schema: Schema } } };
  responses: Record<string, { content?: { 'application/json'?: { schema?: Schema } } }>;
};

const spec = SPEC as unknown as { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
/**
 * RFC 3339 allows what no timestamp column stores: a leap second (23:59:60, which Date cannot read either) and the
 * year 0000 (PostgreSQL has no year zero). Refused as any other malformed date-time, rather than failing the write.
 */
const rfc3339DateTime = fullFormats['date-time'] as { validate: (s: string) => boolean };
ajv.addFormat('date-time', {
  type: 'string',
  validate: (s: string) => rfc3339DateTime.validate(s) && !s.startsWith('0000') && Number.isFinite(Date.parse(s)),
});
/**
 * An email is also at most 254 characters (RFC 5321's longest path): a longer one is no address a mail system or a
 * tool takes, and past a few thousand bytes its index entry would not fit (a 500 instead of the 400).
 */
const fullEmail = fullFormats.email as RegExp;
ajv.addFormat('email', { type: 'string', validate: (s: string) => s.length <= 254 && fullEmail.test(s) });
ajv.addSchema({ $id: 'oneroster', components: spec.components });
const validators = new Map<string, ValidateFunction>();

/** The upstream OneRoster operation (`path` as the spec writes it, e.g. `/ims/…/users/{sourcedId}`). */
export function specOperation(path: string, method: string): Operation {
  const op = spec.paths[path]?.[method];
  if (!op) throw new Error(`The OneRoster spec has no ${method.toUpperCase()} ${path}`);
  return op;
}

/** Rewrites the spec's local $refs so a schema can be compiled apart from its document. */
function detach(schema: Schema): Schema {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"oneroster#/components/')) as Schema;
}

export function requestSchema(path: string, method: string): Schema {
  const schema = specOperation(path, method).requestBody?.content['application/json'].schema;
  if (!schema) throw new Error(`No request body for ${method.toUpperCase()} ${path}`);
  return schema;
}

/** The first 2xx status the spec gives the operation, and its body schema if any. */
export function successResponse(path: string, method: string): { status: number; schema?: Schema } {
  const [status, res] = Object.entries(specOperation(path, method).responses).find(([s]) => s.startsWith('2'))!;
  return { status: Number(status), schema: res.content?.['application/json']?.schema };
}

export interface SchemaProblem {
  field: string;
  message: string;
}

function requestValidator(path: string, method: string): ValidateFunction {
  const key = `${method} ${path}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(detach(requestSchema(path, method)));
    validators.set(key, validate);
  }
  return validate;
}

/** Validates a request body against the upstream schema; returns every problem with its JSON path. */
export function validateRequest(path: string, method: string, body: unknown): SchemaProblem[] {
  const validate = requestValidator(path, method);
  return validate(body) ? [] : (validate.errors ?? []).map(describe);
}

/**
 * validateRequest for an answer: the first MAX_REPORTED_PROBLEMS problems described, and how many there are. Describing
 * is most of the cost of a body with tens of thousands of problems (an array of 33,000 empty objects: 99,000, 0.5 s
 * described, 0.1 s not), and an answer names only the first ones (AppError.problems).
 */
export function requestProblems(path: string, method: string, body: unknown): { named: SchemaProblem[]; total: number } {
  const validate = requestValidator(path, method);
  if (validate(body)) return { named: [], total: 0 };
  const errors = validate.errors ?? [];
  return { named: errors.slice(0, MAX_REPORTED_PROBLEMS).map(describe), total: errors.length };
}

function describe(e: ErrorObject): SchemaProblem {
  const base = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const field = e.keyword === 'required' ? [base, (e.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.') : base || '(body)';
  const message =
    e.keyword === 'required'
      ? `${field} is required`
      : e.keyword === 'enum'
        ? `${field} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`
        : `${field} ${e.message ?? 'is invalid'}`;
  return { field, message };
}

/** Every component schema of the spec, for the OpenAPI document. */
export function specComponentSchemas(): Record<string, Schema> {
  return spec.components.schemas;
}

/** Top-level fields of the object a GET returns under `wrapper` (what `fields=` may select). */
export function responseObjectFields(path: string, wrapper: string): string[] {
  const deref = (s: Schema | undefined): Schema | undefined => {
    const r = s?.$ref;
    return typeof r === 'string' ? deref(spec.components.schemas[r.split('/').pop()!]) : s;
  };
  const outer = deref(successResponse(path, 'get').schema) as { properties?: Record<string, Schema> } | undefined;
  const inner = deref(outer?.properties?.[wrapper]) as { properties?: Record<string, Schema> } | undefined;
  return Object.keys(inner?.properties ?? {});
}
