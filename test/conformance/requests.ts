import fc from 'fast-check';
import { dateTime, Schema, schemaArbitrary, text } from './schema-arbitrary';
import { Operation, referencePaths, resolve } from './upstream-operations';

/** What the run may point at: existing sourcedIds per collection, and what an update of one must keep. */
export interface World {
  ids: Record<string, string[]>;
  /** Per sourcedId, members an update must carry unchanged (a result stays the same student and line item). */
  pinned: Record<string, Record<string, unknown>>;
}

export interface Case {
  method: Operation['method'];
  /** The operation's path as the spec writes it; `{sourcedId}` is filled from `id` when sent. */
  path: string;
  /**
   * The object addressed: an existing (or missing) sourcedId, or a new one made when the request is sent, so that
   * fast-check replaying a case while it shrinks never meets an object the first run created.
   */
  id?: { existing: string } | { fresh: string };
  query?: Record<string, string | string[]>;
  body?: unknown;
  auth: 'full' | 'none' | 'other-area';
  /** `success`: 2xx, or a 422 naming only fields the collection needs although the spec does not require them. */
  expect: 'success' | { status: number; field?: string };
}

/**
 * A case a precondition ruled out is `undefined`: the property skips it (fc.pre, bounded by fast-check) where a
 * filter could loop without end on a schema it cannot satisfy.
 */
export type Maybe = Case | undefined;
const when = (arb: fc.Arbitrary<Maybe>, ok: (c: Case) => boolean): fc.Arbitrary<Maybe> =>
  arb.map((c) => (c && ok(c) ? c : undefined));

/** In a body, the sourcedId of `Case.id` (filled when sent, like the path's). */
export const SAME_ID = '{sourcedId}';

/** Tails of any script for new sourcedIds (path encoding is exercised); see `Case.id`. */
const fresh = text(0).map((tail) => ({ fresh: tail }));
/** A sourcedId no object has (no request of the run creates one with this prefix). */
const missingId = text(0).map((tail) => `missing-${tail}`);

/**
 * The collection each reference of a request body points into, by wrapper and where it sits: this run's own reading
 * of the spec, independent of the service's definitions. A reference the spec adds must be placed here or in
 * UNSERVED_REFERENCES (the conformance run checks that).
 */
export const REFERENCES: Record<string, Record<string, string>> = {
  user: { 'roles[].org': 'org', primaryOrg: 'org', 'agents[]': 'user' },
  org: { parent: 'org' },
  course: { org: 'org' },
  class: { course: 'course', org: 'org' },
  enrollment: { user: 'user', class: 'class', school: 'org' },
  courseComponent: { course: 'course', parent: 'courseComponent', courseComponent: 'courseComponent' },
  componentResource: { courseComponent: 'courseComponent', resource: 'resource' },
  assessmentLineItem: {
    class: 'class',
    parentAssessmentLineItem: 'assessmentLineItem',
    component: 'courseComponent',
    componentResource: 'componentResource',
  },
  assessmentResult: { assessmentLineItem: 'assessmentLineItem', student: 'user' },
};

/** References into collections this service does not serve (terms, academic sessions, score scales, …): stored or dropped as given, never checked. */
export const UNSERVED_REFERENCES: Record<string, string[]> = {
  course: ['academicSession', 'schoolYear', 'resources[]'],
  class: ['resources[]', 'terms[]'],
  assessmentLineItem: ['scoreScale'],
  assessmentResult: ['scoreScale'],
};

/** An object of the operation's request schema whose references all name existing objects. */
function validObject(op: Operation, world: World): fc.Arbitrary<Record<string, unknown>> {
  const refs = REFERENCES[op.def.singular] ?? {};
  return schemaArbitrary(op.body!.inner, {
    resolve,
    override: (path) => {
      const target = refs[path.join('.').replace(/\.\[\]/g, '[]')];
      return target ? fc.constantFrom(...world.ids[target]).map((sourcedId) => ({ sourcedId })) : undefined;
    },
  }) as fc.Arbitrary<Record<string, unknown>>;
}

const declares = (op: Operation, prop: string) => Object.hasOwn(op.body?.inner.properties ?? {}, prop);
const requires = (op: Operation, prop: string) => ((op.body?.inner.required ?? []) as string[]).includes(prop);

/** A valid PUT or POST: a new object, or (PUT) a replacement of an existing one. */
function validWrite(op: Operation, world: World): fc.Arbitrary<Maybe> {
  const existing = fc.constantFrom(...world.ids[op.def.singular]).map((id) => ({ existing: id }));
  // PUT creates or replaces; POST creates, with a supplied sourcedId or one the server allocates.
  const target = op.kind === 'put' ? fc.oneof(fresh, existing) : fc.option(fresh, { nil: undefined });
  const cases = fc.tuple(target, validObject(op, world), fc.boolean()).map(([id, generated, sendId]): Case => {
    const object: Record<string, unknown> = {
      ...generated,
      ...(id && 'existing' in id ? world.pinned[id.existing] : {}),
    };
    delete object.sourcedId;
    if (id && declares(op, 'sourcedId') && (sendId || requires(op, 'sourcedId'))) object.sourcedId = SAME_ID;
    return {
      method: op.method,
      path: op.specPath,
      id,
      body: { [op.def.singular]: object },
      auth: 'full',
      expect: 'success',
    };
  });
  return when(cases, (c) => op.body!.validate(c.body));
}

/** A filter over the collection's filterable fields, typed values, joined by AND / OR. */
function filterOf(op: Operation): fc.Arbitrary<string> {
  const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;
  const condition = fc.constantFrom(...Object.keys(op.def.fields)).chain((field) => {
    const type = op.def.fields[field].type;
    const value: fc.Arbitrary<string> =
      type === 'number'
        ? fc.integer().map(String)
        : type === 'date'
          ? dateTime
          : type === 'boolean'
            ? fc.constantFrom('true', 'false')
            : text(0);
    const ops =
      type === 'string'
        ? ['=', '!=', '>', '>=', '<', '<=', '~']
        : type === 'boolean'
          ? ['=', '!=']
          : ['=', '!=', '>', '>=', '<', '<='];
    return fc.oneof(
      fc.tuple(fc.constantFrom(...ops), value).map(([o, v]) => `${field}${o}${quote(v)}`),
      fc
        .array(
          value.filter((v) => !v.includes(',') && v.trim() !== ''),
          { minLength: 1, maxLength: 3 },
        )
        .map((vs) => `${field}@${quote(vs.join(','))}`),
    );
  });
  return fc
    .array(fc.tuple(fc.constantFrom(' AND ', ' OR '), condition), { minLength: 1, maxLength: 3 })
    .map((parts) => parts.map(([join, c], i) => (i === 0 ? c : join + c)).join(''));
}

const fieldsOf = (op: Operation) => fc.subarray(op.selectable, { minLength: 1 }).map((f) => f.join(','));

/** Valid requests of any kind: what a conforming client may send. */
export function validCases(op: Operation, world: World): fc.Arbitrary<Maybe> {
  const pool = world.ids[op.def.singular];
  switch (op.kind) {
    case 'list':
      return fc
        .record(
          {
            limit: fc.integer({ min: 1, max: 3000 }).map(String),
            offset: fc.nat(1_000_000).map(String),
            sort: fc.constantFrom(...Object.keys(op.def.fields)),
            orderBy: fc.constantFrom('asc', 'desc'),
            filter: filterOf(op),
            fields: fieldsOf(op),
            search: text(0),
          },
          { requiredKeys: [] },
        )
        .map((query): Case => ({ method: 'get', path: op.specPath, query, auth: 'full', expect: 'success' }));
    case 'one':
      return fc.tuple(fc.constantFrom(...pool), fc.option(fieldsOf(op), { nil: undefined })).map(
        ([id, fields]): Case => ({
          method: 'get',
          path: op.specPath,
          id: { existing: id },
          query: fields ? { fields } : {},
          auth: 'full',
          expect: { status: 200 },
        }),
      );
    case 'delete':
      return fc.constantFrom(...pool).map(
        (id): Case => ({
          method: 'delete',
          path: op.specPath,
          id: { existing: id },
          auth: 'full',
          expect: { status: 204 },
        }),
      );
    default:
      return validWrite(op, world);
  }
}

/** Replaces one value in a copy of a valid request's body object. */
const withObject = (c: Case, op: Operation, change: (o: Record<string, unknown>) => void): Case => {
  const object = structuredClone((c.body as Record<string, Record<string, unknown>>)[op.def.singular]);
  change(object);
  return { ...c, body: { [op.def.singular]: object } };
};

/** Sets the reference at `key` (`roles[].org`) to `sourcedId`; returns the field as the client names it, or undefined. */
function plant(object: Record<string, unknown>, key: string, sourcedId: string, field: string): string | undefined {
  const [step, ...rest] = key.split('.');
  const name = step.replace(/\[\]$/, '');
  const array = name !== step;
  if (rest.length === 0) {
    object[name] = array ? [{ sourcedId }] : { sourcedId };
    return array ? `${field}.${name}[0]` : `${field}.${name}`;
  }
  const child = array ? (object[name] as unknown[] | undefined)?.[0] : object[name];
  if (!child || typeof child !== 'object') return undefined;
  return plant(
    child as Record<string, unknown>,
    rest.join('.'),
    sourcedId,
    array ? `${field}.${name}[0]` : `${field}.${name}`,
  );
}

const OTHER_TYPES: unknown[] = [null, true, 7, 2.5, 'text', [], {}, [1], { sourcedId: 1 }];

export interface InvalidKind {
  name: string;
  /** Built once the world exists (the test names are needed before). */
  cases(world: World): fc.Arbitrary<Maybe>;
}

/** Every way a request to the operation can be wrong, each with the answer the spec calls for. */
export function invalidKinds(op: Operation): InvalidKind[] {
  const kinds: InvalidKind[] = [];
  const singular = op.def.singular;
  const bad = (name: string, cases: (valid: fc.Arbitrary<Maybe>, world: World) => fc.Arbitrary<Maybe>) =>
    kinds.push({ name, cases: (world) => cases(validCases(op, world), world) });
  const query = (name: string, field: string, values: fc.Arbitrary<string | string[]>) =>
    bad(`${name} → 400`, (valid) =>
      fc
        .tuple(valid, values)
        .map(([c, v]) => c && { ...c, query: { ...c.query, [field]: v }, expect: { status: 400, field } }),
    );

  bad('no bearer token → 401', (valid) => valid.map((c) => c && { ...c, auth: 'none', expect: { status: 401 } }));
  bad('a token without the area’s scope → 403', (valid) =>
    valid.map((c) => c && { ...c, auth: 'other-area', expect: { status: 403 } }),
  );

  if (op.kind === 'list') {
    query(
      'limit outside 1–3000 or not an integer',
      'limit',
      fc.oneof(fc.constantFrom('0', '3001', '-1', '1.5', 'ten', '1e2x'), fc.integer({ min: 3001 }).map(String)),
    );
    query('offset negative or not an integer', 'offset', fc.constantFrom('-1', '0.5', 'x', '9007199254740993'));
    query(
      'orderBy other than asc or desc',
      'orderBy',
      text(0).filter((v) => v !== 'asc' && v !== 'desc'),
    );
    query(
      'sort by a field the collection does not have',
      'sort',
      text(1).filter((v) => !Object.hasOwn(op.def.fields, v)),
    );
    query(
      'filter that does not parse or names an unknown field',
      'filter',
      fc.oneof(
        text(1).filter((v) => !/^[A-Za-z][\w.]*\s*(=|!=|>=?|<=?|~|@)\s*'/.test(v)),
        fc.constant("nope='1'"),
      ),
    );
  }
  if (op.kind === 'list' || op.kind === 'one') {
    query(
      'fields naming a field the object does not have',
      'fields',
      text(1).filter((v) => v.split(',').some((f) => f.trim() && !op.selectable.includes(f.trim()))),
    );
    query(
      'a parameter given twice',
      'fields',
      fc.tuple(fieldsOf(op), fieldsOf(op)).map(([a, b]) => [a, b]),
    );
  }
  if (op.kind === 'one' || op.kind === 'delete') {
    bad('a sourcedId no object has → 404', (valid) =>
      fc.tuple(valid, missingId).map(([c, id]) => c && { ...c, id: { existing: id }, expect: { status: 404 } }),
    );
  }
  if (op.kind === 'put' || op.kind === 'post') {
    const inner = op.body!.inner;
    const properties = Object.entries((inner.properties ?? {}) as Record<string, Schema>).filter(
      ([, s]) => Object.keys(s).length > 0,
    );
    const invalidBody = (c: Case) => !op.body!.validate(c.body);
    bad('a body without its wrapper → 400', (valid) =>
      valid.map(
        (c) =>
          c && { ...c, body: (c.body as Record<string, unknown>)[singular], expect: { status: 400, field: singular } },
      ),
    );
    bad('a wrapper that is not an object → 400', (valid) =>
      fc
        .tuple(valid, fc.constantFrom<unknown>(null, 'text', 7, [], true))
        .map(([c, v]) => c && { ...c, body: { [singular]: v }, expect: { status: 400, field: singular } }),
    );
    const required = (inner.required ?? []) as string[];
    if (required.length > 0) {
      bad('a required field missing → 400', (valid) =>
        fc.tuple(valid, fc.constantFrom(...required)).map(
          ([c, prop]) =>
            c && {
              ...withObject(c, op, (o) => delete o[prop]),
              expect: { status: 400, field: `${singular}.${prop}` },
            },
        ),
      );
    }
    bad('a field of the wrong type → 400', (valid) =>
      when(
        fc.tuple(valid, fc.constantFrom(...properties.map(([p]) => p)), fc.constantFrom(...OTHER_TYPES)).map(
          ([c, prop, v]) =>
            c && {
              ...withObject(c, op, (o) => (o[prop] = v)),
              expect: { status: 400, field: `${singular}.${prop}` },
            },
        ),
        invalidBody,
      ),
    );
    const enums = properties.filter(([, s]) => Array.isArray(s.enum)).map(([p]) => p);
    if (enums.length > 0) {
      bad('a value outside its enum → 400', (valid) =>
        when(
          fc.tuple(valid, fc.constantFrom(...enums), text(0)).map(
            ([c, prop, v]) =>
              c && {
                ...withObject(c, op, (o) => (o[prop] = v)),
                expect: { status: 400, field: `${singular}.${prop}` },
              },
          ),
          invalidBody,
        ),
      );
    }
    const refs = referencePaths(inner).filter((k) => Object.hasOwn(REFERENCES[singular] ?? {}, k));
    if (refs.length > 0) {
      bad('a reference to an object that does not exist → 422', (valid) =>
        when(
          fc.tuple(valid, fc.constantFrom(...refs), missingId).map(([c, key, id]): Maybe => {
            let field: string | undefined;
            const planted = c && withObject(c, op, (o) => (field = plant(o, key, id, singular)));
            return planted && field ? { ...planted, expect: { status: 422, field } } : undefined;
          }),
          (c) => op.body!.validate(c.body),
        ),
      );
    }
    if (op.kind === 'put' && declares(op, 'sourcedId')) {
      bad('a body sourcedId other than the path’s → 400', (valid) =>
        fc.tuple(valid, missingId).map(
          ([c, other]) =>
            c && {
              ...withObject(c, op, (o) => (o.sourcedId = other)),
              expect: { status: 400, field: `${singular}.sourcedId` },
            },
        ),
      );
    }
    if (op.kind === 'post' && declares(op, 'sourcedId')) {
      bad('a sourcedId that exists already → 422', (valid, world) =>
        fc
          .tuple(valid, fc.constantFrom(...world.ids[singular]))
          .map(([c, id]) => c && { ...withObject(c, op, (o) => (o.sourcedId = id)), expect: { status: 422 } }),
      );
    }
  }
  return kinds;
}
