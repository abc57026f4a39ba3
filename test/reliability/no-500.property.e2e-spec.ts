import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { RequestContext } from '@mikro-orm/core';
import {
  CollectionDef,
  COMPONENT_RESOURCES,
  CLASSES,
  COURSE_COMPONENTS,
  COURSES,
  ENROLLMENTS,
  LINE_ITEMS,
  ORGS,
  RESOURCES,
  RESULTS,
  SeedDocument,
  SeedLoader,
  USERS,
  EXAMPLES,
} from '@external-tests/oneroster';
import { DEFAULT_EDULASTIC_TESTS } from '@external-tests/sandbox';
import { createLesson, createStudent } from '../helpers/fixtures';
import { createTestApp, TestApp } from '../helpers/test-app';

/**
 * No input yields a 500 (issue 10): arbitrary JSON values, strings with control characters and lone surrogates,
 * deep nesting and huge numbers go to every PowerPath endpoint, every OneRoster collection (GET one, GET list with
 * arbitrary filter/sort/fields/limit/offset, PUT, POST, DELETE) and subject tracks. Every answer must be a status
 * the endpoint documents in openapi.json (never 500), errors must be the imsx envelope, and a 4xx must leave every
 * table as it was. Fixed seed and bounded runs, so a failure reproduces and CI stays fast; fast-check prints the
 * shrunk request.
 */
const SEED = Number(process.env.NO_500_SEED ?? 20261129);
const RUNS = Number(process.env.NO_500_RUNS ?? 25);
const OPENAPI = JSON.parse(readFileSync(join(__dirname, '..', '..', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
};
const COLLECTIONS: CollectionDef<any>[] = [
  USERS,
  ORGS,
  COURSES,
  CLASSES,
  ENROLLMENTS,
  COURSE_COMPONENTS,
  COMPONENT_RESOURCES,
  RESOURCES,
  LINE_ITEMS,
  RESULTS,
];
const IMSX_KEYS = ['imsx_codeMajor', 'imsx_severity', 'imsx_description', 'imsx_CodeMinor', 'imsx_error_details'];

// ---- hostile values

const controlChars = fc.string({
  unit: fc.constantFrom(
    '\u0000',
    '\u0001',
    '\u0008',
    '\u001b',
    '\u001f',
    '\u007f',
    '\u0085',
    '\u2028',
    '\u202e',
    '\ufeff',
    '\ud800',
    '\udfff',
    'a',
    '%',
    '_',
    "'",
    '"',
    '\\',
    ',',
    ' ',
  ),
  maxLength: 12,
});
/** The strings that once broke something: NUL, lone surrogates, LIKE wildcards, quotes, numbers in disguise. */
const nastyString = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00',
  '%',
  '_%_',
  "O'Brien",
  '\\',
  '1e20',
  '0x10',
  '-1',
  'NaN',
  'Infinity',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'x'.repeat(300),
  '9223372036854775808',
  'null',
  'true',
  '[]',
  '{}',
  '🙂',
  'é',
);
const hostileString = fc.oneof(
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 2, arbitrary: controlChars },
  { weight: 3, arbitrary: nastyString },
);
const hugeNumber = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(1e308, -1e308, 2 ** 63, -(2 ** 63), 2 ** 53 + 2, 1e20, 2 ** 31, -1, 0, -0, 5e-324, 0.5, 100.0000001),
);
const leaf = fc.oneof(hostileString, hugeNumber, fc.boolean(), fc.constant(null));
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: leaf },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(leaf, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, leaf, { maxKeys: 4 }) },
);
/** Raw bodies JSON.stringify cannot produce: deep nesting, broken JSON, a lone surrogate escape, a huge literal. */
const rawBody = fc.oneof(
  fc.integer({ min: 60, max: 5000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  fc.integer({ min: 60, max: 5000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.constantFrom(
    '{',
    '',
    'null',
    '"x"',
    '[1,2',
    '{"a":1e999999}',
    '{"student":"\\ud800","lesson":"\\u0000"}',
    '{"__proto__":{"x":1}}',
    '{"constructor":{"prototype":{}}}',
    '1e400',
    '\u0000',
  ),
);

/** What replaces a field: mostly the values that once broke something, else any string, number or JSON. */
const breaker = fc.constantFrom(
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00',
  '9223372036854775808',
  '1e20',
  '%',
  '__proto__',
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: breaker },
  { weight: 2, arbitrary: hostileString },
  { weight: 2, arbitrary: anyJson },
  { weight: 1, arbitrary: hugeNumber },
);

/**
 * A valid request with one thing spoiled — a field replaced by a hostile value, a field removed, an unknown field
 * added — so every run gets past the other checks and reaches as deep into the flow as the spoiled field allows.
 */
const spoiled = <T extends Record<string, unknown>>(
  base: fc.Arbitrary<T>,
  extraKeys: string[] = [],
): fc.Arbitrary<Record<string, unknown>> =>
  base.chain((b) => {
    const keys = [...Object.keys(b), ...extraKeys];
    return fc.oneof(
      { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...keys), hostileValue).map(([k, v]) => ({ ...b, [k]: v })) },
      {
        weight: 1,
        arbitrary: fc
          .constantFrom(...Object.keys(b))
          .map((k) => Object.fromEntries(Object.entries(b).filter(([x]) => x !== k))),
      },
      { weight: 1, arbitrary: fc.tuple(hostileString, hostileValue).map(([k, v]) => ({ ...b, [k]: v })) },
      { weight: 1, arbitrary: fc.constant(b) },
    );
  });

/** A JSON body, or raw text. */
type Body = { json: unknown } | { raw: string };
const asBody = (json: fc.Arbitrary<unknown>): fc.Arbitrary<Body> =>
  fc.oneof(
    { weight: 5, arbitrary: json.map((j) => ({ json: j })) },
    { weight: 1, arbitrary: rawBody.map((raw) => ({ raw })) },
  );

/** A query string with hostile names, values, percent-escapes and repeated parameters, built by hand. */
const queryValue = fc.oneof(
  { weight: 4, arbitrary: hostileString.map(encode) },
  { weight: 1, arbitrary: hugeNumber.map((n) => encode(String(n))) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('%00', '%ED%A0%80', '%FF', '%', '%zz', '%2525', '0x10', '1e3', '+5', '-0', ''),
  },
);
function encode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80'; // a lone surrogate, as the UTF-8 bytes a client could still send
  }
}
/** Query text for an object of values (strings encoded, other JSON stringified), plus repeated or odd parameters. */
const queryOf = (params: fc.Arbitrary<Record<string, unknown>>) =>
  fc
    .tuple(
      params,
      fc.oneof(
        { weight: 3, arbitrary: fc.constant([]) },
        {
          weight: 1,
          arbitrary: fc.array(
            fc.tuple(
              fc.constantFrom('student', 'lesson', 'limit', 'offset', 'subject', 'junk', '__proto__', 'a[b]'),
              queryValue,
            ),
            { maxLength: 2 },
          ),
        },
      ),
    )
    .map(([known, extra]) =>
      [
        ...Object.entries(known).map(
          ([k, v]) => `${encode(k)}=${typeof v === 'string' ? encode(v) : encode(JSON.stringify(v) ?? '')}`,
        ),
        ...extra.map(([k, v]) => `${encode(k)}=${v}`),
      ].join('&'),
    );
/** Raw query values as a client may send them (invalid escapes included). */
const queryString = (params: Record<string, fc.Arbitrary<string>>) =>
  fc
    .tuple(
      fc.record(params, { requiredKeys: [] }),
      fc.array(fc.tuple(fc.constantFrom(...Object.keys(params), 'junk', '__proto__', 'a[b]'), queryValue), {
        maxLength: 2,
      }),
    )
    .map(([known, extra]) => [...Object.entries(known), ...extra].map(([k, v]) => `${encode(k)}=${v}`).join('&'));

/** The collection's Swagger example with something spoiled; `freshId` gives it a new sourcedId (POST creates). */
const mutatedExample = (singular: string, freshId = false): fc.Arbitrary<unknown> => {
  const example = EXAMPLES[singular];
  if (freshId) return fc.uuid().chain((id) => mutatedOf(singular, { ...example, sourcedId: `prop-${id}` }));
  return mutatedOf(singular, example);
};
const mutatedOf = (singular: string, example: Record<string, unknown>): fc.Arbitrary<unknown> => {
  return fc.oneof(
    { weight: 6, arbitrary: spoiled(fc.constant(example), ['metadata']).map((o) => ({ [singular]: o })) },
    // A hostile value (or key) in metadata, which the schemas let through to the database as it is.
    {
      weight: 3,
      arbitrary: hostileValue.map((v) => ({
        [singular]: { ...example, metadata: { note: v, [typeof v === 'string' ? v : (JSON.stringify(v) ?? '')]: 1 } },
      })),
    },
    { weight: 1, arbitrary: anyJson.map((v) => ({ [singular]: v })) },
    { weight: 1, arbitrary: anyJson },
  );
};

// ---- the app, its fixtures and what "nothing changed" means

describe('no input yields a 500 (property)', () => {
  let t: TestApp;
  let auth: string;
  let tables: string[];
  const fixtures = { students: [] as string[], lessons: [] as string[] };

  /** One checksum per table: any insert, update or delete changes it. */
  const snapshot = async (): Promise<Record<string, string>> => {
    const sql = tables
      .map((tb) => `select '${tb}' t, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) h from "${tb}" x`)
      .join(' union all ');
    const rows = await t.orm.em.fork().getConnection().execute<{ t: string; h: string }[]>(sql);
    return Object.fromEntries(rows.map((r) => [r.t, r.h]));
  };

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000' });
    auth = `Bearer ${await t.token()}`;
    const rows = await t.orm.em
      .fork()
      .getConnection()
      .execute<
        { table_name: string }[]
      >("select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'mikro_orm%' order by 1");
    tables = rows.map((r) => r.table_name);
    // The demo data: the objects the OneRoster examples refer to, and students and lessons of both tools.
    const demo = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'demo.json'), 'utf8')) as SeedDocument;
    await RequestContext.create(t.orm.em, () => t.app.get(SeedLoader).load(demo));
    fixtures.students.push(...(demo.users ?? []).map((u) => String(u.sourcedId)));
    fixtures.lessons.push(...(demo.componentResources ?? []).map((c) => String(c.sourcedId)));
    fixtures.students.push(
      (await createStudent(t.orm)).sourcedId,
      (await createStudent(t.orm, { email: null, sourcedId: 'prop-no-email' })).sourcedId,
    );
    fixtures.lessons.push(
      (await createLesson(t.orm)).sourcedId,
      (await createLesson(t.orm, { lessonType: 'placement' })).sourcedId,
      (await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: DEFAULT_EDULASTIC_TESTS[0].id })).sourcedId,
      (await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: null })).sourcedId,
    );
  }, 60_000);
  afterAll(() => t?.close());

  /** Sends one request and checks the answer against the endpoint's documented statuses. */
  async function check(method: string, template: string, path: string, body?: Body): Promise<void> {
    const documented = Object.keys(OPENAPI.paths[template]?.[method.toLowerCase()]?.responses ?? {});
    expect(documented.length).toBeGreaterThan(0);
    const before = await snapshot();
    let req = t.http()[method.toLowerCase() as 'get' | 'put' | 'post' | 'delete'](path).set('Authorization', auth);
    if (body)
      req = req
        .set('Content-Type', 'application/json')
        .send('raw' in body ? body.raw : (JSON.stringify(body.json) ?? 'null'));
    const res: Response = await req;
    const where = `${method} ${path.slice(0, 300)} ${body ? JSON.stringify(body).slice(0, 300) : ''} → ${res.status} ${res.text.slice(0, 300)}`;
    if (process.env.NO_500_TRACE) process.stdout.write(`${where}\n`);
    if (res.status === 500 || !documented.includes(String(res.status)))
      throw new Error(`undocumented or 500: ${where}`);
    if (res.status >= 400) {
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      if (
        res.body.imsx_codeMajor !== 'failure' ||
        typeof res.body.imsx_description !== 'string' ||
        !Object.keys(res.body).every((k) => IMSX_KEYS.includes(k))
      ) {
        throw new Error(`not the imsx envelope: ${where}`);
      }
    }
    if (res.status >= 400 && res.status < 500) {
      const after = await snapshot();
      const changed = tables.filter((tb) => before[tb] !== after[tb]);
      if (changed.length > 0) throw new Error(`rows changed on ${res.status} (${changed.join(', ')}): ${where}`);
    }
  }
  const run = (arb: fc.Arbitrary<() => Promise<void>>) =>
    fc.assert(
      fc.asyncProperty(arb, (send) => send()),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );

  // ---- PowerPath

  const validStudentLesson = () =>
    fc.record({ student: fc.constantFrom(...fixtures.students), lesson: fc.constantFrom(...fixtures.lessons) });

  it.each(['makeExternalTestAssignment', 'createNewAttempt', 'resetAttempt'])('POST /powerpath/%s', async (op) => {
    const extra = op === 'makeExternalTestAssignment' ? ['applicationName', 'testId', 'skipCourseEnrollment'] : [];
    const body = asBody(
      fc.oneof({ weight: 5, arbitrary: spoiled(validStudentLesson(), extra) }, { weight: 1, arbitrary: anyJson }),
    );
    await run(body.map((b) => () => check('POST', `/powerpath/${op}`, `/powerpath/${op}`, b)));
  });

  it.each(['importExternalTestAssignmentResults', 'getAssessmentProgress', 'getAttempts'])(
    'GET /powerpath/%s',
    async (op) => {
      const extra = op === 'getAttempts' ? [] : op === 'getAssessmentProgress' ? ['attempt'] : ['applicationName'];
      const query = fc.oneof(
        { weight: 4, arbitrary: queryOf(spoiled(validStudentLesson(), extra)) },
        {
          weight: 1,
          arbitrary: queryString({
            student: queryValue,
            lesson: queryValue,
            attempt: fc.constantFrom('1', '0x10', '1e20', '2147483648', '-1', '1.5'),
          }),
        },
      );
      await run(query.map((q) => () => check('GET', `/powerpath/${op}`, `/powerpath/${op}?${q}`)));
    },
  );

  // ---- OneRoster

  const filterText = (def: CollectionDef<any>) => {
    const field = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...Object.keys(def.fields)) },
      { weight: 1, arbitrary: hostileString },
    );
    const op = fc.constantFrom('=', '!=', '>', '>=', '<', '<=', '~', '@', '==', '');
    const value = fc.oneof(
      hostileString,
      hugeNumber.map(String),
      fc.constantFrom('true', 'false', 'null', '2024-01-01', 'a,b,,c'),
    );
    const cond = fc
      .tuple(field, op, value, fc.boolean())
      .map(([f, o, v, quoted]) => `${f}${o}${quoted ? `'${v.replace(/'/g, "''")}'` : v}`);
    return fc.oneof(
      {
        weight: 3,
        arbitrary: fc
          .array(fc.tuple(cond, fc.constantFrom(' AND ', ' OR ', ' and ', ' XOR ', '')), { minLength: 1, maxLength: 4 })
          .map((cs) => cs.map(([c, j]) => c + j).join('')),
      },
      { weight: 1, arbitrary: hostileString },
    );
  };

  describe.each(COLLECTIONS.map((def) => [def.plural, def] as const))('%s', (_name, def) => {
    const one = `${def.specOnePath}`;
    const list = def.specListPath.replace(/\/$/, '');
    const idArb = fc.oneof(
      fc.constantFrom(EXAMPLES[def.singular].sourcedId as string, 'no-such-id'),
      hostileString.filter((s) => s.length > 0).map(encode),
      queryValue.filter((s) => s.length > 0),
    );

    it('GET list with arbitrary filter, sort, orderBy, fields, limit, offset, search', async () => {
      const query = queryString({
        filter: filterText(def).map(encode),
        sort: fc.oneof(fc.constantFrom(...Object.keys(def.fields)), hostileString).map(encode),
        orderBy: fc.oneof(fc.constantFrom('asc', 'desc'), hostileString).map(encode),
        fields: fc.oneof(fc.constantFrom('sourcedId', 'sourcedId,status', 'metadata'), hostileString).map(encode),
        limit: fc.oneof(
          fc.constantFrom('1', '3000', '3001', '0', '0x10', '1e3', '-1', '9223372036854775808'),
          queryValue,
        ),
        offset: fc.oneof(fc.constantFrom('0', '1e20', '9007199254740992', '-1', '5'), queryValue),
        search: queryValue,
      });
      await run(query.map((q) => () => check('GET', list, `${def.path}?${q}`)));
    });

    it('GET one with an arbitrary sourcedId', async () => {
      await run(idArb.map((id) => () => check('GET', one, `${def.path}/${id}`)));
    });

    it('PUT with an arbitrary sourcedId and body', async () => {
      // Mostly the body's own sourcedId in the path (a mismatch stops at the first check), sometimes anything.
      const ownId = (b: Body) => {
        const id =
          'json' in b
            ? (b.json as Record<string, Record<string, unknown>> | null)?.[def.singular]?.sourcedId
            : undefined;
        return typeof id === 'string' && id !== '' ? encode(id) : undefined;
      };
      const put = fc.tuple(asBody(mutatedExample(def.singular)), idArb, fc.integer({ min: 0, max: 3 }));
      await run(
        put.map(
          ([b, id, dice]) =>
            () =>
              check('PUT', one, `${def.path}/${(dice > 0 && ownId(b)) || id}`, b),
        ),
      );
    });

    it('POST with an arbitrary body', async () => {
      await run(asBody(mutatedExample(def.singular, true)).map((b) => () => check('POST', list, def.path, b)));
    });

    it('DELETE with an arbitrary (non-fixture) sourcedId', async () => {
      const id = fc.oneof(
        hostileString.filter((s) => s.length > 0).map(encode),
        queryValue.filter((s) => s.length > 0),
        fc.constant('no-such-id'),
      );
      await run(id.map((i) => () => check('DELETE', one, `${def.path}/${i}`)));
    });
  });

  // ---- subject tracks

  it('GET /edubridge/subject-track with arbitrary parameters', async () => {
    const query = fc.oneof(
      queryOf(
        spoiled(fc.constant({ subject: 'Math', grade: '4', orgSourcedId: 'org-demo', limit: '10', offset: '0' })),
      ),
      queryString({
        subject: queryValue,
        grade: queryValue,
        orgSourcedId: queryValue,
        limit: queryValue,
        offset: fc.oneof(fc.constantFrom('1e20', '9223372036854775808'), queryValue),
      }),
    );
    await run(query.map((q) => () => check('GET', '/edubridge/subject-track', `/edubridge/subject-track/?${q}`)));
  });

  it('PUT /edubridge/subject-track with arbitrary bodies', async () => {
    const body = asBody(
      fc.oneof(
        {
          weight: 4,
          arbitrary: spoiled(
            fc.constant({ subject: 'Math', grade: '4', courseId: 'course-math-4', orgSourcedId: 'org-demo' }),
          ),
        },
        { weight: 1, arbitrary: anyJson },
      ),
    );
    await run(body.map((b) => () => check('PUT', '/edubridge/subject-track', '/edubridge/subject-track/', b)));
  });
});
