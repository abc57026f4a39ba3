import type { ValidateFunction } from 'ajv';
import { CollectionDef, COLLECTIONS, responseObjectFields } from '@external-tests/oneroster';
import { oneRosterResponseValidator, oneRosterUpstream } from '../helpers/upstream-schema';
import type { Schema } from './schema-arbitrary';

export type Kind = 'list' | 'one' | 'put' | 'post' | 'delete';
type Method = 'get' | 'put' | 'post' | 'delete';

/** One OneRoster operation we serve, with what the upstream spec says about it. */
export interface Operation {
  name: string;
  kind: Kind;
  method: Method;
  def: CollectionDef;
  /** The path as the upstream spec writes it (and real clients send it). */
  specPath: string;
  /** Statuses the spec lists for the operation. */
  statuses: number[];
  /** The upstream request body schema (PUT/POST), its wrapper object, and a validator of whole bodies. */
  body?: { schema: Schema; inner: Schema; validate: ValidateFunction };
  /** Top-level fields of the object a GET returns (what `fields` may name). */
  selectable: string[];
}

const KINDS: [Kind, Method, 'list' | 'one'][] = [
  ['list', 'get', 'list'],
  ['post', 'post', 'list'],
  ['one', 'get', 'one'],
  ['put', 'put', 'one'],
  ['delete', 'delete', 'one'],
];

/** `#/components/…` → the schema, in the upstream document. */
export function resolve(ref: string): Schema {
  const spec = oneRosterUpstream().spec;
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((node: Schema, key) => node[key], spec);
}

const deref = (s: Schema): Schema => (typeof s?.$ref === 'string' ? deref(resolve(s.$ref)) : s);

/** A schema with local refs compiled against the upstream document (registered as `spec`). */
function compile(schema: Schema): ValidateFunction {
  return oneRosterUpstream().ajv.compile(
    JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"spec#/components/')),
  );
}

/** Every OneRoster operation we serve (10 collections × 5), read from the upstream YAML. */
export function servedOperations(): Operation[] {
  const paths = oneRosterUpstream().spec.paths as Record<string, Record<string, Schema>>;
  return COLLECTIONS.flatMap((def) =>
    KINDS.map(([kind, method, at]) => {
      const specPath = at === 'list' ? def.specListPath : def.specOnePath;
      const op = paths[specPath]?.[method];
      if (!op) throw new Error(`The upstream spec has no ${method.toUpperCase()} ${specPath}`);
      const schema = op.requestBody?.content?.['application/json']?.schema as Schema | undefined;
      return {
        name: `${method.toUpperCase()} ${specPath}`,
        kind,
        method,
        def,
        specPath,
        statuses: Object.keys(op.responses).map(Number),
        body: schema
          ? { schema, inner: deref(deref(schema).properties[def.singular]), validate: compile(schema) }
          : undefined,
        selectable: responseObjectFields(def.specOnePath, def.singular),
      };
    }),
  );
}

/**
 * Where a schema holds references (`{sourcedId, …}` objects), as `references` keys: `course`, `roles[].org`,
 * `agents[]`.
 */
export function referencePaths(schema: Schema, path: string[] = []): string[] {
  const node = deref(schema);
  if (path.length > 0 && node.properties?.sourcedId) return [path.join('.').replace(/\.\[\]/g, '[]')];
  if (node.items) return referencePaths(node.items, [...path, '[]']);
  const branches = (node.anyOf ?? node.oneOf ?? []) as Schema[];
  return [
    ...Object.entries((node.properties ?? {}) as Record<string, Schema>).flatMap(([k, s]) =>
      referencePaths(s, [...path, k]),
    ),
    ...branches.flatMap((b) => referencePaths(b, path)),
  ];
}

const partials = new Map<string, ValidateFunction>();

/**
 * The validator of an answer: the upstream response schema for the status. With `fields`, the objects carry only
 * the selected fields, so their `required` list is dropped (everything else is still checked).
 */
export function responseValidator(op: Operation, status: number, fieldsSelected: boolean): ValidateFunction {
  if (!fieldsSelected || status !== 200) return oneRosterResponseValidator(op.specPath, op.method, String(status));
  const key = op.name;
  let validate = partials.get(key);
  if (!validate) {
    const paths = oneRosterUpstream().spec.paths as Record<string, Record<string, Schema>>;
    const outer = structuredClone(
      deref(paths[op.specPath][op.method].responses['200'].content['application/json'].schema),
    );
    const holder = op.kind === 'list' ? outer.properties[op.def.plural] : outer.properties;
    const key2 = op.kind === 'list' ? 'items' : op.def.singular;
    const object = structuredClone(deref(holder[key2]));
    delete object.required;
    holder[key2] = object;
    validate = compile(outer);
    partials.set(key, validate);
  }
  return validate;
}
