import fc from 'fast-check';

export type Schema = Record<string, any>;

export interface SchemaArbitraryOptions {
  /** Resolves a local `$ref` (`#/components/schemas/X`). */
  resolve(ref: string): Schema;
  /** Replaces the generator at a path (e.g. references → existing objects); `undefined` = generate from the schema. */
  override?(path: string[], schema: Schema): fc.Arbitrary<unknown> | undefined;
}

/** Printable text of any script (no control characters: NUL and friends are another suite's business). */
export const text = (minLength = 0) => fc.string({ unit: 'grapheme', minLength, maxLength: Math.max(minLength, 12) });

/** Dates PostgreSQL and the `date-time` format can both hold. */
export const dateTime = fc
  .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

function stringOf(schema: Schema): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'date-time':
      return dateTime;
    case 'email':
      return fc.emailAddress({ size: 'small' });
    case 'uri':
      return fc.webUrl({ size: 'small' });
  }
  if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern));
  return text(schema.minLength ?? 0);
}

/** Small whole numbers mostly, then anything JSON can carry within the bounds (the spec sets few). */
function numberOf(schema: Schema, integer: boolean): fc.Arbitrary<number> {
  const min: number = schema.minimum ?? -Number.MAX_VALUE;
  const max: number = schema.maximum ?? Number.MAX_VALUE;
  const small = fc.integer({ min: Math.max(Math.ceil(min), -1000), max: Math.min(Math.floor(max), 1000) });
  const whole = fc.integer({
    min: Math.max(Math.ceil(min), Number.MIN_SAFE_INTEGER),
    max: Math.min(Math.floor(max), Number.MAX_SAFE_INTEGER),
  });
  const any = fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  return fc.oneof(
    { weight: 3, arbitrary: small },
    { weight: 1, arbitrary: whole },
    { weight: integer ? 0 : 1, arbitrary: any },
  );
}

/**
 * A fast-check arbitrary of JSON values valid against an upstream (OpenAPI 3.1 / JSON Schema 2020-12) schema:
 * `$ref`, `const`, `enum`, `anyOf`/`oneOf`, type lists with `null`, objects (required keys always, optional ones
 * sometimes), arrays (≤ 3 items), strings by format or pattern, numbers within their bounds. Callers filter the
 * result through the schema's validator, so the few constructs it approximates (`oneOf` exclusivity) stay exact.
 */
export function schemaArbitrary(schema: Schema, o: SchemaArbitraryOptions, path: string[] = []): fc.Arbitrary<unknown> {
  const custom = o.override?.(path, schema);
  if (custom) return custom;
  if (typeof schema.$ref === 'string') return schemaArbitrary(o.resolve(schema.$ref), o, path);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const branches = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (branches) return fc.oneof(...branches.map((b) => schemaArbitrary(b, o, path)));
  const types: string[] = Array.isArray(schema.type)
    ? schema.type
    : schema.type
      ? [schema.type]
      : schema.properties
        ? ['object']
        : [];
  if (types.length === 0) return fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(...types.map((type) => ofType(type, schema, o, path)));
}

function ofType(type: string, schema: Schema, o: SchemaArbitraryOptions, path: string[]): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return numberOf(schema, true);
    case 'number':
      return numberOf(schema, false);
    case 'string':
      return stringOf(schema);
    case 'array':
      return fc.array(schemaArbitrary(schema.items ?? {}, o, [...path, '[]']), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(3, schema.minItems ?? 0),
      });
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      if (Object.keys(properties).length === 0) {
        // Free-form objects (metadata): a few JSON members.
        return fc.dictionary(text(1), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
      }
      const model = Object.fromEntries(
        Object.entries(properties).map(([k, s]) => [k, schemaArbitrary(s, o, [...path, k])]),
      );
      return fc.record(model, { requiredKeys: (schema.required ?? []) as never[] });
    }
    default:
      throw new Error(`schemaArbitrary: unsupported type '${type}' at ${path.join('.')}`);
  }
}
