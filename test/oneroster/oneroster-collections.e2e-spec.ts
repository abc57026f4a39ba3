import { Scope } from '@external-tests/auth';
import {
  COLLECTIONS,
  EXAMPLES,
  specComponentSchemas,
  successResponse,
  validateRequest,
} from '@external-tests/oneroster';
import { DEFAULT_EDULASTIC_TESTS } from '@external-tests/sandbox';
import { createStudent, uid } from '../helpers/fixtures';
import { createTestApp, TestApp } from '../helpers/test-app';
import { expectMatchesSchema, oneRosterResponseValidator } from '../helpers/upstream-schema';

const R = '/ims/oneroster/rostering/v1p2';
const G = '/ims/oneroster/gradebook/v1p2';

interface Case {
  name: string;
  path: string;
  /** Paths as the upstream spec writes them. */
  specList: string;
  specOne: string;
  singular: string;
  plural: string;
  putStatus: number;
  bare?: boolean;
  body: (id: string) => Record<string, unknown>;
  /** A reference to an object that does not exist (→ 422), when the collection has references. */
  dangling?: (id: string) => Record<string, unknown>;
}

describe('OneRoster 1.2 collections', () => {
  let t: TestApp;
  let token: string;
  const ids = {
    org: uid('org'),
    student: uid('student'),
    teacher: uid('teacher'),
    course: uid('course'),
    cls: uid('class'),
    component: uid('unit'),
    resource: uid('resource'),
    lesson: uid('lesson'),
    lineItem: uid('li'),
  };

  const cases: Case[] = [
    {
      name: 'orgs',
      path: `${R}/orgs`,
      specList: `${R}/orgs/`,
      specOne: `${R}/orgs/{sourcedId}`,
      singular: 'org',
      plural: 'orgs',
      putStatus: 201,
      body: (id) => ({ sourcedId: id, status: 'active', name: 'North School', type: 'school', identifier: 'NS-1' }),
    },
    {
      name: 'users',
      path: `${R}/users`,
      specList: `${R}/users/`,
      specOne: `${R}/users/{sourcedId}`,
      singular: 'user',
      plural: 'users',
      putStatus: 200,
      body: (id) => ({
        sourcedId: id,
        status: 'active',
        enabledUser: true,
        givenName: 'Ada',
        familyName: 'Lovelace',
        // Within the 254 characters of an email, for the longest ids too.
        email: `${id.slice(0, 200)}@example.org`,
        roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: ids.org } }],
        grades: ['3'],
        agents: [{ sourcedId: ids.teacher }],
        primaryOrg: { sourcedId: ids.org },
      }),
    },
    {
      name: 'courses',
      path: `${R}/courses`,
      specList: `${R}/courses/`,
      specOne: `${R}/courses/{sourcedId}`,
      singular: 'course',
      plural: 'courses',
      putStatus: 200,
      body: (id) => ({
        sourcedId: id,
        status: 'active',
        title: 'Math 4',
        courseCode: 'M4',
        grades: ['4'],
        subjects: ['Math'],
        org: { sourcedId: ids.org },
      }),
    },
    {
      name: 'classes',
      path: `${R}/classes`,
      specList: `${R}/classes/`,
      specOne: `${R}/classes/{sourcedId}`,
      singular: 'class',
      plural: 'classes',
      putStatus: 200,
      bare: true,
      body: () => ({
        status: 'active',
        title: 'Math 4 A',
        classCode: 'M4A',
        classType: 'scheduled',
        location: null,
        course: { sourcedId: ids.course },
        org: { sourcedId: ids.org },
        terms: [{ sourcedId: 'term-1' }],
      }),
      dangling: () => ({ status: 'active', title: 'x', course: { sourcedId: 'no-such-course' } }),
    },
    {
      name: 'enrollments',
      path: `${R}/enrollments`,
      specList: `${R}/enrollments/`,
      specOne: `${R}/enrollments/{sourcedId}`,
      singular: 'enrollment',
      plural: 'enrollments',
      putStatus: 201,
      body: () => ({
        status: 'active',
        role: 'student',
        primary: true,
        user: { sourcedId: ids.student },
        class: { sourcedId: ids.cls },
      }),
      dangling: () => ({
        status: 'active',
        role: 'student',
        user: { sourcedId: 'no-such-user' },
        class: { sourcedId: ids.cls },
      }),
    },
    {
      name: 'course components',
      path: `${R}/courses/components`,
      specList: `${R}/courses/components`,
      specOne: `${R}/courses/components/{sourcedId}`,
      singular: 'courseComponent',
      plural: 'courseComponents',
      putStatus: 200,
      body: (id) => ({
        sourcedId: id,
        status: 'active',
        title: 'Unit 1',
        course: { sourcedId: ids.course },
        sortOrder: 1,
      }),
      dangling: (id) => ({ sourcedId: id, status: 'active', title: 'Unit 1', course: { sourcedId: 'no-such-course' } }),
    },
    {
      name: 'resources',
      path: '/ims/oneroster/resources/v1p2/resources',
      specList: '/ims/oneroster/resources/v1p2/resources/',
      specOne: '/ims/oneroster/resources/v1p2/resources/{sourcedId}',
      singular: 'resource',
      plural: 'resources',
      putStatus: 200,
      body: () => ({
        title: 'Edulastic unit test',
        vendorResourceId: 'edu-1',
        vendorId: DEFAULT_EDULASTIC_TESTS[0].id,
        importance: 'primary',
        metadata: { toolProvider: 'edulastic', lessonType: 'unit-test', subject: 'Math', grades: ['4'] },
      }),
    },
    {
      name: 'component resources',
      path: `${R}/courses/component-resources`,
      specList: `${R}/courses/component-resources`,
      specOne: `${R}/courses/component-resources/{sourcedId}`,
      singular: 'componentResource',
      plural: 'componentResources',
      putStatus: 200,
      body: (id) => ({
        sourcedId: id,
        status: 'active',
        title: 'Unit test',
        courseComponent: { sourcedId: ids.component },
        resource: { sourcedId: ids.resource },
        sortOrder: 1,
        lessonType: 'unit-test',
      }),
      dangling: (id) => ({
        sourcedId: id,
        status: 'active',
        title: 'x',
        courseComponent: { sourcedId: ids.component },
        resource: { sourcedId: 'no-such-resource' },
      }),
    },
    {
      name: 'assessment line items',
      path: `${G}/assessmentLineItems`,
      specList: `${G}/assessmentLineItems/`,
      specOne: `${G}/assessmentLineItems/{sourcedId}`,
      singular: 'assessmentLineItem',
      plural: 'assessmentLineItems',
      putStatus: 201,
      body: (id) => ({
        sourcedId: id,
        status: 'active',
        title: 'Unit test score',
        resultValueMin: 0,
        resultValueMax: 100,
      }),
      dangling: (id) => ({
        sourcedId: id,
        status: 'active',
        title: 'x',
        componentResource: { sourcedId: 'no-such-lesson' },
      }),
    },
    {
      name: 'assessment results',
      path: `${G}/assessmentResults`,
      specList: `${G}/assessmentResults/`,
      specOne: `${G}/assessmentResults/{sourcedId}`,
      singular: 'assessmentResult',
      plural: 'assessmentResults',
      putStatus: 201,
      body: (id) => ({
        sourcedId: id,
        status: 'active',
        assessmentLineItem: { sourcedId: ids.lineItem },
        student: { sourcedId: ids.student },
        score: 75,
        scoreDate: '2026-11-01T10:00:00.000Z',
        scoreStatus: 'partially graded',
        metadata: { source: 'test' },
      }),
      dangling: (id) => ({
        sourcedId: id,
        status: 'active',
        assessmentLineItem: { sourcedId: 'no-such-li' },
        student: { sourcedId: ids.student },
        scoreDate: '2026-11-01T10:00:00.000Z',
        scoreStatus: 'submitted',
      }),
    },
  ];

  const put = (c: Case, id: string, body = c.body(id), bearer = token) =>
    t
      .http()
      .put(`${c.path}/${encodeURIComponent(id)}`)
      .set('Authorization', `Bearer ${bearer}`)
      .send({ [c.singular]: body });
  const get = (path: string, bearer = token) => t.http().get(path).set('Authorization', `Bearer ${bearer}`);

  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token();
    // The objects the cases reference, created through the same endpoints.
    const byName = (n: string) => cases.find((c) => c.name === n)!;
    await put(byName('orgs'), ids.org).expect(201);
    await put(byName('users'), ids.teacher).expect(200);
    await put(byName('users'), ids.student).expect(200);
    await put(byName('courses'), ids.course).expect(200);
    await put(byName('classes'), ids.cls).expect(200);
    await put(byName('course components'), ids.component).expect(200);
    await put(byName('resources'), ids.resource).expect(200);
    await put(byName('component resources'), ids.lesson).expect(200);
    await put(byName('assessment line items'), ids.lineItem).expect(201);
  });
  afterAll(() => t.close());

  describe.each(cases)('$name', (c) => {
    it('PUT creates, GET one and GET list return it, all matching the upstream schemas', async () => {
      const id = uid(c.singular);
      const created = await put(c, id).expect(c.putStatus);
      expectMatchesSchema(oneRosterResponseValidator(c.specOne, 'put', String(c.putStatus)), created.body);
      const object = c.bare ? created.body : created.body[c.singular];
      expect(object.sourcedId).toBe(id);

      const one = await get(`${c.path}/${id}`).expect(200);
      expectMatchesSchema(oneRosterResponseValidator(c.specOne, 'get', '200'), one.body);
      expect(one.body[c.singular]).toEqual(object);

      const list = await get(`${c.path}?filter=${encodeURIComponent(`sourcedId='${id}'`)}`).expect(200);
      expectMatchesSchema(oneRosterResponseValidator(c.specList, 'get', '200'), list.body);
      expect(list.body[c.plural]).toEqual([object]);
      expect(list.body).toMatchObject({ totalCount: 1, pageCount: 1, pageNumber: 1, offset: 0, limit: 100 });
      expect(list.headers['x-total-count']).toBe('1');
    });

    it('concurrent PUTs creating one new object all succeed: one creates it, the others find it and replace it', async () => {
      const id = uid(c.singular);
      const answers = await Promise.all(Array.from({ length: 6 }, () => put(c, id)));
      expect(answers.map((r) => [r.status, r.body.imsx_description])).toEqual(
        answers.map(() => [c.putStatus, undefined]),
      );
      const object = (await get(`${c.path}/${id}`).expect(200)).body[c.singular];
      for (const r of answers) expect(c.bare ? r.body : r.body[c.singular]).toEqual(object);
    });

    it('PUT is idempotent: the same body twice leaves the same object and timestamp', async () => {
      const id = uid(c.singular);
      await put(c, id).expect(c.putStatus);
      const first = (await get(`${c.path}/${id}`).expect(200)).body;
      await put(c, id).expect(c.putStatus);
      expect((await get(`${c.path}/${id}`).expect(200)).body).toEqual(first);
    });

    it('POST creates with the supplied sourcedId or allocates one; a duplicate is 422 (the spec lists no 409)', async () => {
      const id = uid(c.singular);
      const res = await t
        .http()
        .post(c.path)
        .set('Authorization', `Bearer ${token}`)
        .send({ [c.singular]: { ...c.body(id), sourcedId: id } })
        .expect(201);
      expectMatchesSchema(oneRosterResponseValidator(c.specList, 'post', '201'), res.body);
      expect(res.body.sourcedIdPairs).toEqual({ suppliedSourcedId: id, allocatedSourcedId: id });
      await get(`${c.path}/${id}`).expect(200);
      const dup = await t
        .http()
        .post(c.path)
        .set('Authorization', `Bearer ${token}`)
        .send({ [c.singular]: { ...c.body(id), sourcedId: id } });
      expect(dup.status).toBe(422);
      expect(dup.body.imsx_description).toBe(`${c.singular} '${id}' already exists; use PUT to replace it`);
    });

    it('DELETE marks the object tobedeleted (204); unknown objects are 404', async () => {
      const id = uid(c.singular);
      await put(c, id).expect(c.putStatus);
      await t.http().delete(`${c.path}/${id}`).set('Authorization', `Bearer ${token}`).expect(204);
      expect((await get(`${c.path}/${id}`).expect(200)).body[c.singular].status).toBe('tobedeleted');
      const missing = await get(`${c.path}/nothing-here`).expect(404);
      expectMatchesSchema(oneRosterResponseValidator(c.specOne, 'get', '404'), missing.body);
      await t.http().delete(`${c.path}/nothing-here`).set('Authorization', `Bearer ${token}`).expect(404);
    });

    it('a body that violates the upstream schema is 400 naming the field, and nothing is stored', async () => {
      const id = uid(c.singular);
      const res = await put(c, id, { ...c.body(id), status: 'archived' }).expect(400);
      expect(res.body.imsx_description).toMatch(/status must be one of active, tobedeleted/);
      expect(res.body.imsx_error_details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: `${c.singular}.status` })]),
      );
      await get(`${c.path}/${id}`).expect(404);
      const unwrapped = await t
        .http()
        .put(`${c.path}/${id}`)
        .set('Authorization', `Bearer ${token}`)
        .send(c.body(id))
        .expect(400);
      expect(unwrapped.body.imsx_description).toMatch(new RegExp(`${c.singular} is required`));
    });

    if (c.dangling) {
      it('a reference to a missing object is 422 naming it, and nothing is stored', async () => {
        const id = uid(c.singular);
        const res = await put(c, id, c.dangling!(id)).expect(422);
        expect(res.body.imsx_description).toMatch(/does not exist/);
        await get(`${c.path}/${id}`).expect(404);
      });
    }

    it('needs the area scopes: read-only tokens cannot write, other areas cannot read', async () => {
      const area = c.path.includes('/gradebook/')
        ? 'gradebook'
        : c.path.includes('/resources/')
          ? 'resource'
          : 'roster';
      const readOnly = await t.token(`https://purl.imsglobal.org/spec/or/v1p1/scope/${area}.readonly`);
      await get(`${c.path}/nothing`, readOnly).expect(404);
      const denied = await put(c, uid(c.singular), undefined, readOnly).expect(403);
      expect(denied.headers['www-authenticate']).toMatch(/insufficient_scope/);
      const otherArea = await t.token(area === 'gradebook' ? Scope.RosterReadonly : Scope.GradebookReadonly);
      await get(c.path, otherArea).expect(403);
      await t.http().get(c.path).expect(401);
    });
  });

  describe('list parameters', () => {
    it('pages with limit/offset, sorts with sort/orderBy and selects fields', async () => {
      const prefix = uid('page');
      const users = cases.find((c) => c.name === 'users')!;
      for (const n of ['c', 'a', 'b', 'e', 'd'])
        await put(users, `${prefix}-${n}`, { ...users.body(`${prefix}-${n}`), givenName: n.toUpperCase() }).expect(200);
      const filter = encodeURIComponent(`sourcedId~'${prefix}'`);
      const page = await get(
        `${R}/users?filter=${filter}&sort=givenName&orderBy=desc&limit=2&offset=1&fields=sourcedId,givenName`,
      ).expect(200);
      expect(page.body.users).toEqual([
        { sourcedId: `${prefix}-d`, givenName: 'D' },
        { sourcedId: `${prefix}-c`, givenName: 'C' },
      ]);
      expect(page.body).toMatchObject({ totalCount: 5, pageCount: 3, pageNumber: 1, offset: 1, limit: 2 });
      const searched = await get(`${R}/users?search=${encodeURIComponent(`${prefix}-a@`)}`).expect(200);
      expect(searched.body.users.map((u: { sourcedId: string }) => u.sourcedId)).toEqual([`${prefix}-a`]);
    });

    it('searches every collection (upstream names enrollments and results too): a part of its fields, any case', async () => {
      const byName = (n: string) => cases.find((c) => c.name === n)!;
      const enrollment = uid('enrollment');
      const result = uid('result');
      await put(byName('enrollments'), enrollment).expect(201);
      await put(byName('assessment results'), result).expect(201);
      // Enrollments and results have no names: their student's id finds them, in any case, as the filter does.
      const term = encodeURIComponent(ids.student.toUpperCase());
      const idsOf = (list: { sourcedId: string }[]) => list.map((o) => o.sourcedId).sort();
      for (const [path, plural, field, made] of [
        [`${R}/enrollments`, 'enrollments', 'user.sourcedId', enrollment],
        [`${G}/assessmentResults`, 'assessmentResults', 'student.sourcedId', result],
      ]) {
        const searched = idsOf((await get(`${path}?search=${term}`).expect(200)).body[plural]);
        const filter = encodeURIComponent(`${field}='${ids.student}'`);
        const filtered = idsOf((await get(`${path}?filter=${filter}`).expect(200)).body[plural]);
        expect(searched).toContain(made);
        expect(searched).toEqual(filtered);
      }
      // Lessons and units by a part of their title.
      const lessons = await get(`${R}/courses/component-resources?search=${encodeURIComponent('unit TEST')}`).expect(
        200,
      );
      expect(lessons.body.componentResources.map((l: { sourcedId: string }) => l.sourcedId)).toContain(ids.lesson);
      // A word nothing holds finds nothing, on every collection.
      for (const c of cases) {
        const none = await get(`${c.path}?search=${uid('nothing-holds')}`).expect(200);
        expect([c.name, none.body.totalCount]).toEqual([c.name, 0]);
      }
    });

    it("filters and sorts by every top-level scalar of a collection's upstream object (the README's promise)", async () => {
      type Prop = { type?: string | string[]; format?: string; enum?: string[]; $ref?: string };
      const schemas = specComponentSchemas() as Record<string, { properties?: Record<string, Prop> }>;
      const deref = (s: Prop | undefined) =>
        (s?.$ref ? schemas[s.$ref.split('/').pop()!] : s) as { properties?: Record<string, Prop> };
      // Documented exceptions: level is an object in some feeds (jsonb here); a password is never stored.
      const unfilterable = new Set(['level', 'password', 'metadata']);
      const refused: string[] = [];
      for (const def of COLLECTIONS) {
        const wrapper = deref(successResponse(def.specOnePath, 'get').schema);
        const props = deref(wrapper.properties?.[def.singular]).properties ?? {};
        for (const [name, p] of Object.entries(props)) {
          const types = ([] as string[]).concat(p.type ?? []).filter((x) => x !== 'null');
          if (
            unfilterable.has(name) ||
            types.length !== 1 ||
            !['string', 'number', 'integer', 'boolean'].includes(types[0])
          )
            continue;
          const value =
            p.format === 'date-time' || p.format === 'date'
              ? '2020-01-01'
              : (p.enum?.[0] ?? (types[0] === 'string' ? 'x' : types[0] === 'boolean' ? 'true' : '1'));
          const filter = await get(`${def.path}?filter=${encodeURIComponent(`${name}='${value}'`)}&limit=1`);
          const sort = await get(`${def.path}?sort=${name}&limit=1`);
          if (filter.status !== 200 || sort.status !== 200)
            refused.push(`${def.plural}.${name}: ${filter.body.imsx_description ?? sort.body.imsx_description}`);
        }
      }
      expect(refused).toEqual([]);
      // And what is filtered by is kept: a course's gradingScheme was dropped on write.
      const courses = cases.find((c) => c.name === 'courses')!;
      const course = uid('course');
      await put(courses, course, { ...courses.body(course), gradingScheme: 'letter' }).expect(200);
      const found = await get(`${R}/courses?filter=${encodeURIComponent(`gradingScheme='letter'`)}`).expect(200);
      expect(found.body.courses).toContainEqual(
        expect.objectContaining({ sourcedId: course, gradingScheme: 'letter' }),
      );
    });

    it('filters a number field by a decimal number, and refuses what is not one', async () => {
      const components = cases.find((c) => c.name === 'course components')!;
      const component = uid('component');
      await put(components, component, { ...components.body(component), sortOrder: 16 }).expect(200);
      const filtered = (value: string) =>
        get(`${components.path}?filter=${encodeURIComponent(`sortOrder='${value}' AND sourcedId='${component}'`)}`);
      for (const value of ['16', '16.0', '-0.5']) {
        const res = await filtered(value).expect(200);
        expect(res.body.courseComponents.map((c: { sourcedId: string }) => c.sourcedId)).toEqual(
          value === '-0.5' ? [] : [component],
        );
      }
      // Number() would read these as 16.
      for (const value of [' 16', '16 ', '0x10', '1.6e1', '+16', '']) {
        const res = await filtered(value).expect(400);
        expect(res.body.imsx_description).toBe('filter value for sortOrder must be a number');
      }
    });

    it.each([
      ['limit=0', /limit must be an integer from 1 to 3000/],
      ['limit=3001', /limit must be an integer from 1 to 3000/],
      ['offset=-1', /offset must be an integer/],
      ['sort=password', /Unknown sort field 'password'/],
      ['orderBy=up', /orderBy must be asc or desc/],
      ['fields=sourcedId,secret', /Unknown fields: secret/],
      [`filter=${encodeURIComponent("nope='1'")}`, /Unknown filter field 'nope'/],
      [`filter=${encodeURIComponent("givenName='unterminated")}`, /Invalid filter/],
      [`filter=${encodeURIComponent("dateLastModified>'yesterday'")}`, /must be a date/],
      // A day that does not exist is not rolled over into the next month.
      [`filter=${encodeURIComponent("dateLastModified>'2026-02-31'")}`, /must be a date/],
      [`filter=${encodeURIComponent("dateLastModified>'2026-04-31T00:00:00Z'")}`, /must be a date/],
      // Only ISO 8601: what Date would take besides (and roll over) is refused.
      [`filter=${encodeURIComponent("dateLastModified>'Feb 31 2026'")}`, /must be a date \(ISO 8601/],
      [`filter=${encodeURIComponent("dateLastModified>'2026/02/31'")}`, /must be a date/],
      [`filter=${encodeURIComponent("dateLastModified>'2026-2-3'")}`, /must be a date/],
    ])('400 for %s', async (query, text) => {
      const res = await get(`${R}/users?${query}`).expect(400);
      expect(res.body.imsx_codeMajor).toBe('failure');
      expect(res.body.imsx_description).toMatch(text);
    });
  });

  it('400 for a sourcedId longer than 255 characters (PowerPath could never name the object), by PUT or POST', async () => {
    const users = cases.find((c) => c.name === 'users')!;
    const long = `u-${'x'.repeat(254)}`;
    const byPut = await put(users, long).expect(400);
    expect(byPut.body.imsx_error_details).toEqual([
      expect.objectContaining({ field: 'user.sourcedId', message: 'user.sourcedId must be at most 255 characters' }),
    ]);
    const byPost = await t
      .http()
      .post(users.path)
      .set('Authorization', `Bearer ${token}`)
      .send({ user: users.body(long) })
      .expect(400);
    expect(byPost.body.imsx_description).toBe('user.sourcedId must be at most 255 characters');
    await get(`${R}/users/${long}`).expect(404);
    // At the limit, the student is made and PowerPath can name it.
    const longest = long.slice(0, 255);
    await put(users, longest).expect(200);
    const attempts = await get(`/powerpath/getAttempts?student=${longest}&lesson=no-such-lesson`);
    expect([attempts.status, attempts.body.imsx_description]).toEqual([404, "lesson 'no-such-lesson' not found"]);
    // Characters, as PowerPath's parameters count them: 255 outside the Basic Multilingual Plane (510 UTF-16 units) are
    // the limit on both sides, and one more is over it on both.
    const astral = `u-${'\u{1D465}'.repeat(253)}`;
    expect([...astral].length).toBe(255);
    const made = await put(users, astral, { ...users.body(astral), email: 'astral@example.org' });
    expect([made.status, made.body.imsx_description]).toEqual([200, undefined]);
    const named = await get(`/powerpath/getAttempts?student=${encodeURIComponent(astral)}&lesson=no-such-lesson`);
    expect([named.status, named.body.imsx_description]).toEqual([404, "lesson 'no-such-lesson' not found"]);
    const tooLong = await put(users, `${astral}x`, { ...users.body(`${astral}x`), email: 'astral@example.org' });
    expect(tooLong.body.imsx_description).toBe('user.sourcedId must be at most 255 characters');
    const over = await get(`/powerpath/getAttempts?student=${encodeURIComponent(`${astral}x`)}&lesson=no-such-lesson`);
    expect(over.status).toBe(400);
  });

  it('422 for an org whose parent chain would come back to it, also when two writes would close it at once', async () => {
    const orgs = cases.find((c) => c.name === 'orgs')!;
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((n) => uid(`org-${n}`));
    const under = (id: string, parent?: string) => ({
      ...orgs.body(id),
      ...(parent ? { parent: { sourcedId: parent } } : {}),
    });
    await put(orgs, a, under(a)).expect(201);
    await put(orgs, b, under(b, a)).expect(201);
    await put(orgs, c, under(c, b)).expect(201);
    const cycle = await put(orgs, a, under(a, c)).expect(422);
    expect(cycle.body.imsx_error_details).toEqual([expect.objectContaining({ field: 'org.parent' })]);
    await put(orgs, a, under(a, a)).expect(422);
    const self = await t
      .http()
      .post(orgs.path)
      .set('Authorization', `Bearer ${token}`)
      .send({ org: under(d, d) });
    expect([self.status, self.body.imsx_error_details?.[0]?.field]).toEqual([422, 'org.parent']);
    expect((await get(`${R}/orgs/${a}`).expect(200)).body.org.parent).toBeUndefined();
    // Two writes that would each close half of a cycle: one of them is refused.
    await put(orgs, e, under(e)).expect(201);
    const both = await Promise.all([put(orgs, e, under(e, a)), put(orgs, a, under(a, e))]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 422]);
  });

  it("an org's children are the orgs naming it as their parent, on every read and on its PUT's answer", async () => {
    const orgs = cases.find((c) => c.name === 'orgs')!;
    const [district, s1, s2, other] = ['district', 'school-1', 'school-2', 'other'].map((n) => uid(`org-${n}`));
    const under = (id: string, parent?: string) => ({
      ...orgs.body(id),
      ...(parent ? { parent: { sourcedId: parent } } : {}),
    });
    const childIds = (org: { children: { sourcedId: string; type: string; href: string }[] }) =>
      org.children.map((c) => c.sourcedId);
    const modified = async (id: string) =>
      Date.parse((await get(`${R}/orgs/${id}`).expect(200)).body.org.dateLastModified as string);
    const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
    expect((await put(orgs, district, under(district)).expect(201)).body.org.children).toEqual([]);
    const made = await modified(district);
    await tick();
    await put(orgs, s2, under(s2, district)).expect(201);
    await put(orgs, s1, under(s1, district)).expect(201);
    await put(orgs, other, under(other)).expect(201);
    // Its answer changed, so its dateLastModified did (a delta read by dateLastModified sees it).
    const withChildren = await modified(district);
    expect(withChildren).toBeGreaterThan(made);

    const one = (await get(`${R}/orgs/${district}`).expect(200)).body.org;
    expect(one.children).toEqual(
      [s1, s2].sort().map((id) => ({ sourcedId: id, type: 'org', href: expect.stringMatching(`/orgs/${id}$`) })),
    );
    const page = await get(`${R}/orgs?filter=${encodeURIComponent(`name='North School'`)}&limit=1000`).expect(200);
    const listed = new Map(page.body.orgs.map((o: { sourcedId: string }) => [o.sourcedId, o]));
    expect(childIds(listed.get(district) as never)).toEqual([s1, s2].sort());
    expect(childIds(listed.get(s1) as never)).toEqual([]);
    expect(childIds(listed.get(other) as never)).toEqual([]);
    // A child that moves, or is marked tobedeleted, is where its parent says (it still names that parent).
    const otherMade = await modified(other);
    await tick();
    await put(orgs, s2, under(s2, other)).expect(201);
    expect(await modified(district)).toBeGreaterThan(withChildren);
    expect(await modified(other)).toBeGreaterThan(otherMade);
    // A write that leaves the parent as it is moves neither.
    const moved = await modified(other);
    await tick();
    await put(orgs, s2, { ...under(s2, other), name: 'Renamed' }).expect(201);
    expect(await modified(other)).toBe(moved);
    expect(childIds((await put(orgs, district, under(district)).expect(201)).body.org)).toEqual([s1]);
    await t.http().delete(`${R}/orgs/${s1}`).set('Authorization', `Bearer ${token}`).expect(204);
    expect(childIds((await get(`${R}/orgs/${district}`).expect(200)).body.org)).toEqual([s1]);
    expect(childIds((await get(`${R}/orgs/${other}`).expect(200)).body.org)).toEqual([s2]);
    // A projection keeps children when it names them, and leaves them out when it does not.
    expect((await get(`${R}/orgs/${other}?fields=sourcedId,children`).expect(200)).body.org).toEqual({
      sourcedId: other,
      children: [expect.objectContaining({ sourcedId: s2 })],
    });
    expect((await get(`${R}/orgs/${other}?fields=sourcedId`).expect(200)).body.org).toEqual({ sourcedId: other });
  });

  it("an enrollment's primary is 'false' when the body leaves it out (the spec's default)", async () => {
    const enrollments = cases.find((c) => c.name === 'enrollments')!;
    const id = uid('enrollment');
    const { primary: _omitted, ...body } = enrollments.body(id);
    await put(enrollments, id, body).expect(201);
    expect((await get(`${R}/enrollments/${id}`).expect(200)).body.enrollment.primary).toBe('false');
  });

  it("400 for a user's email with whitespace around it (a tool would take it for another student's); nor can any other writer store one", async () => {
    const users = cases.find((c) => c.name === 'users')!;
    const id = uid('user');
    const res = await put(users, id, { ...users.body(id), email: ' ada@example.org\u00a0' }).expect(400);
    expect(res.body.imsx_error_details).toEqual([expect.objectContaining({ field: 'user.email' })]);
    await get(`${R}/users/${id}`).expect(404);
    await expect(createStudent(t.orm, { email: 'ada@example.org\n' })).rejects.toThrow(/users_email_trimmed/);
  });

  it('400 for an email longer than 254 characters (no mail system takes one; a long random one broke its index: 500)', async () => {
    const users = cases.find((c) => c.name === 'users')!;
    const id = uid('user');
    const local = (n: number) =>
      Array.from({ length: n }, (_, i) => 'abcdefghijklmnopqrstuvwxyz0123456789'[(i * 7919) % 36]).join('');
    const longest = `${local(254 - '@ex.org'.length)}@ex.org`;
    for (const email of [`${local(8000)}@ex.org`, `a${longest}`]) {
      const res = await put(users, id, { ...users.body(id), email }).expect(400);
      expect(res.body.imsx_error_details).toEqual([expect.objectContaining({ field: 'user.email' })]);
    }
    await get(`${R}/users/${id}`).expect(404);
    await put(users, id, { ...users.body(id), email: longest }).expect(users.putStatus);
  });

  describe('assessment line items', () => {
    it('422 for a range no result could lie in (resultValueMin above resultValueMax, or above its default 100); nor can any other writer store one', async () => {
      const lineItems = cases.find((c) => c.name === 'assessment line items')!;
      const id = uid('line-item');
      const range = (min: number | undefined, max: number | undefined) => {
        const { resultValueMin: _min, resultValueMax: _max, ...body } = lineItems.body(id);
        return {
          ...body,
          ...(min === undefined ? {} : { resultValueMin: min }),
          ...(max === undefined ? {} : { resultValueMax: max }),
        };
      };
      for (const [min, max, description] of [
        [10, 5, 'assessmentLineItem.resultValueMin (10) must not exceed resultValueMax (5)'],
        [150, undefined, 'assessmentLineItem.resultValueMin (150) must not exceed resultValueMax (100, its default)'],
        [undefined, -1, 'assessmentLineItem.resultValueMin (0, its default) must not exceed resultValueMax (-1)'],
      ] as const) {
        const res = await put(lineItems, id, range(min, max)).expect(422);
        expect([res.body.imsx_description, res.body.imsx_error_details]).toEqual([
          description,
          [expect.objectContaining({ field: 'assessmentLineItem.resultValueMin' })],
        ]);
      }
      await get(`${G}/assessmentLineItems/${id}`).expect(404);
      // One point is a range; a stored line item keeps its range when a write would empty it.
      await put(lineItems, id, range(5, 5)).expect(201);
      await put(lineItems, id, range(6, 5)).expect(422);
      expect((await get(`${G}/assessmentLineItems/${id}`).expect(200)).body.assessmentLineItem).toEqual(
        expect.objectContaining({ resultValueMin: 5, resultValueMax: 5 }),
      );
      await expect(
        t.orm.em
          .fork()
          .getConnection()
          .execute(
            `update assessment_line_items set result_value_min = 101, result_value_max = null where sourced_id = ?`,
            [id],
          ),
      ).rejects.toThrow(/assessment_line_items_result_range/);
    });
  });

  describe('assessment results', () => {
    it('422 for a scoreDate more than a day ahead (it would pin the result against every later delivery)', async () => {
      const results = cases.find((c) => c.name === 'assessment results')!;
      const id = uid('result');
      const ahead = (ms: number) => ({ ...results.body(id), scoreDate: new Date(Date.now() + ms).toISOString() });
      const far = await put(results, id, ahead(366 * 24 * 3600_000)).expect(422);
      expect(far.body.imsx_error_details).toEqual([expect.objectContaining({ field: 'assessmentResult.scoreDate' })]);
      await put(results, id, { ...ahead(0), scoreDate: '9999-12-31T23:59:59.999Z' }).expect(422);
      await get(`${G}/assessmentResults/${id}`).expect(404);
      // A clock off by a time zone is fine, and a later delivery at the same status still applies after it.
      await put(results, id, ahead(10 * 3600_000)).expect(201);
      await put(results, id, { ...ahead(11 * 3600_000), score: 80 }).expect(201);
      expect((await get(`${G}/assessmentResults/${id}`).expect(200)).body.assessmentResult.score).toBe(80);
    });
  });

  describe('subject tracks (EduBridge)', () => {
    const putTrack = (body: object) =>
      t.http().put('/edubridge/subject-track/').set('Authorization', `Bearer ${token}`).send(body);
    it('upserts by (org, subject, grade) and lists them', async () => {
      const subject = uid('Subject');
      const first = await putTrack({ subject, grade: '4', courseId: ids.course }).expect(200);
      expect(first.body.subjectTrack).toMatchObject({ subject, grade: '4', courseId: ids.course, orgSourcedId: null });
      // As stored (to the microsecond: two writes may share a millisecond).
      const modifiedAt = async (id: string) =>
        (
          await t.orm.em
            .fork()
            .getConnection()
            .execute<{ at: string }[]>('select date_last_modified::text at from subject_tracks where id = ?', [id])
        )[0].at;
      const firstModified = await modifiedAt(first.body.subjectTrack.id);
      const second = await putTrack({ subject: subject.toLowerCase(), grade: '4', courseId: ids.course }).expect(200);
      expect(second.body.subjectTrack.id).toBe(first.body.subjectTrack.id);
      // The subject's spelling changed (a delta read by dateLastModified sees it); the same body again changes nothing.
      expect(second.body.subjectTrack.subject).toBe(subject.toLowerCase());
      const secondModified = await modifiedAt(first.body.subjectTrack.id);
      expect(secondModified).not.toBe(firstModified);
      const same = await putTrack({ subject: subject.toLowerCase(), grade: '4', courseId: ids.course }).expect(200);
      expect(same.body.subjectTrack.dateLastModified).toBe(second.body.subjectTrack.dateLastModified);
      expect(await modifiedAt(first.body.subjectTrack.id)).toBe(secondModified);
      const list = await get(`/edubridge/subject-track/?subject=${subject}`).expect(200);
      expect(list.body.subjectTracks).toHaveLength(1);
      expect(list.headers['x-total-count']).toBe('1');
      // Not a OneRoster list: a OneRoster parameter is refused, not ignored (every track would be answered).
      const filtered = await get(`/edubridge/subject-track/?filter=${encodeURIComponent(`subject='${subject}'`)}`);
      expect(filtered.status).toBe(400);
      expect(filtered.body.imsx_description).toBe(
        "Unknown query parameter 'filter'; allowed: subject, grade, orgSourcedId, limit, offset",
      );
    });

    it('stores the subject trimmed and the grade as finalization looks it up; a list filter is spelled the same', async () => {
      const subject = uid('Subject');
      const first = await putTrack({ subject: ` ${subject}\t`, grade: ' 05 ', courseId: ids.course }).expect(200);
      expect(first.body.subjectTrack).toMatchObject({ subject, grade: '5' });
      // Another spelling of that grade is the same track.
      const again = await putTrack({ subject, grade: '5', courseId: ids.course }).expect(200);
      expect(again.body.subjectTrack.id).toBe(first.body.subjectTrack.id);
      const kindergarten = await putTrack({ subject, grade: 'kg', courseId: ids.course }).expect(200);
      expect(kindergarten.body.subjectTrack.grade).toBe('0');
      const listed = async (q: string) =>
        (await get(`/edubridge/subject-track/?${q}`).expect(200)).body.subjectTracks.map((x: { id: string }) => x.id);
      expect(await listed(`subject=${encodeURIComponent(` ${subject} `)}&grade=005`)).toEqual([
        first.body.subjectTrack.id,
      ]);
      expect(await listed(`subject=${subject}&grade=K`)).toEqual([kindergarten.body.subjectTrack.id]);
      // A blank filter is refused, not dropped (every track would be answered).
      for (const q of ['subject=%20', 'grade=%20%09', 'orgSourcedId=%20'])
        await get(`/edubridge/subject-track/?${q}`).expect(400);
      // Only blanks is no subject.
      expect((await putTrack({ subject: '   ', grade: '4', courseId: ids.course }).expect(400)).body).toMatchObject({
        imsx_error_details: [expect.objectContaining({ field: 'subject' })],
      });
    });

    it('400 for a bad body, 422 for an unknown course or org', async () => {
      await putTrack({ subject: 'Math' }).expect(400);
      const res = await putTrack({ subject: 'Math', grade: '4', courseId: 'nope' }).expect(422);
      expect(res.body.imsx_description).toMatch(/courseId 'nope' does not exist/);
      // A deleted course or org is no target either.
      const deleted = uid('course');
      await t.orm.em
        .fork()
        .getConnection()
        .execute(`insert into courses (sourced_id, title, status) values (?, 'Gone', 'tobedeleted')`, [deleted]);
      await putTrack({ subject: 'Math', grade: '4', courseId: deleted }).expect(422);
      const org = await putTrack({
        subject: 'Math',
        grade: '4',
        courseId: ids.course,
        orgSourcedId: 'no-such-org',
      }).expect(422);
      expect(org.body.imsx_error_details).toEqual([
        expect.objectContaining({
          field: 'orgSourcedId',
          message: "orgSourcedId 'no-such-org' does not exist or is deleted",
        }),
      ]);
      // null, as a GET answers it, is the global track, as an omitted org is.
      const global = await putTrack({
        subject: uid('Subj'),
        grade: '4',
        courseId: ids.course,
        orgSourcedId: null,
      }).expect(200);
      expect(global.body.subjectTrack.orgSourcedId).toBeNull();
    });
  });

  it('never shows test credentials in gradebook responses', async () => {
    await t
      .http()
      .put('/edubridge/subject-track/')
      .set('Authorization', `Bearer ${token}`)
      .send({ subject: 'Math', grade: '5', courseId: ids.course });
    const assigned = await t
      .http()
      .post('/powerpath/makeExternalTestAssignment')
      .set('Authorization', `Bearer ${token}`)
      .send({ student: ids.student, lesson: ids.lesson })
      .expect(200);
    const password = assigned.body.credentials.password as string;
    const results = await get(
      `${G}/assessmentResults?filter=${encodeURIComponent(`student.sourcedId='${ids.student}'`)}`,
    ).expect(200);
    expect(results.body.assessmentResults.length).toBeGreaterThan(0);
    expectMatchesSchema(oneRosterResponseValidator(`${G}/assessmentResults/`, 'get', '200'), results.body);
    expect(JSON.stringify(results.body)).not.toContain(password);
    expect(JSON.stringify(results.body)).not.toMatch(/credential/i);
  });
});

describe('OneRoster Swagger examples', () => {
  it('every PUT/POST example is valid against the upstream request schema', () => {
    // Validated with the same spec-driven validator the endpoints use.
    for (const def of COLLECTIONS) {
      expect({
        [def.singular]: validateRequest(def.specOnePath, 'put', { [def.singular]: EXAMPLES[def.singular] }),
      }).toEqual({ [def.singular]: [] });
    }
  });
});
