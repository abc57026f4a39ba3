import { uid } from '../helpers/fixtures';
import { createTestApp, TestApp } from '../helpers/test-app';
import { countRows } from '../helpers/rows';
import { expectMatchesSchema, oneRosterResponseValidator } from '../helpers/upstream-schema';

/**
 * Issue 12: what the community TimeBack SDK and a spec-driven client send must work. One describe per finding;
 * each test failed before the fix.
 */
const R = '/ims/oneroster/rostering/v1p2';
const G = '/ims/oneroster/gradebook/v1p2';
const RES = '/ims/oneroster/resources/v1p2/resources';

describe('OneRoster for real clients (issue 12)', () => {
  let t: TestApp;
  let token: string;
  const ids = {
    org: uid('org'),
    orglessCourse: uid('course'),
    course: uid('course'),
    cls: uid('class'),
    student: uid('student'),
    component: uid('unit'),
    resource: uid('resource'),
    lesson: uid('lesson'),
    lineItem: uid('li'),
  };
  const auth = () => ({ Authorization: `Bearer ${token}` });
  const put = (path: string, wrapper: string, body: Record<string, unknown>) =>
    t
      .http()
      .put(path)
      .set(auth())
      .send({ [wrapper]: body });
  const get = (path: string) => t.http().get(path).set(auth());

  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token();
    const arrange = async (path: string, wrapper: string, body: Record<string, unknown>) => {
      const res = await put(path, wrapper, body);
      if (res.status >= 300) throw new Error(`arrange ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    };
    await arrange(`${R}/orgs/${ids.org}`, 'org', { name: 'North', type: 'school' });
    await arrange(`${R}/courses/${ids.course}`, 'course', {
      status: 'active',
      title: 'Math 4',
      org: { sourcedId: ids.org },
    });
    // A course whose org is not known here: stored directly, as an older import would have left it.
    await t.orm.em
      .fork()
      .getConnection()
      .execute('insert into courses (sourced_id, title) values (?, ?)', [ids.orglessCourse, 'No org']);
    await arrange(`${R}/classes/${ids.cls}`, 'class', {
      title: 'Math 4 A',
      course: { sourcedId: ids.course },
      org: { sourcedId: ids.org },
    });
    await arrange(`${R}/users/${ids.student}`, 'user', {
      enabledUser: true,
      givenName: 'Ada',
      familyName: 'Lovelace',
      roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: ids.org } }],
    });
    await arrange(`${R}/courses/components/${ids.component}`, 'courseComponent', {
      status: 'active',
      title: 'Unit 1',
      course: { sourcedId: ids.course },
    });
    await arrange(`${RES}/${ids.resource}`, 'resource', { title: 'A test', vendorResourceId: 'v-1' });
    await arrange(`${R}/courses/component-resources/${ids.lesson}`, 'componentResource', {
      sourcedId: ids.lesson,
      status: 'active',
      title: 'L',
      courseComponent: { sourcedId: ids.component },
      resource: { sourcedId: ids.resource },
    });
    await arrange(`${G}/assessmentLineItems/${ids.lineItem}`, 'assessmentLineItem', {
      status: 'active',
      title: 'Score',
    });
  });
  afterAll(() => t.close());

  describe('1. fields on single-object GETs', () => {
    it('selects the named fields, as on lists', async () => {
      const res = await get(`${R}/courses/${ids.course}?fields=sourcedId,title`).expect(200);
      expect(res.body).toEqual({ course: { sourcedId: ids.course, title: 'Math 4' } });
      const spaced = await get(`${R}/classes/${ids.cls}?fields=${encodeURIComponent('title, school')}`).expect(200);
      expect(Object.keys(spaced.body.class).sort()).toEqual(['school', 'title']);
      // A list that names no field is no selection (objects with no field would be no answer).
      const none = await get(`${R}/courses/${ids.course}?fields=${encodeURIComponent(', ,')}`).expect(200);
      expect(none.body.course).toEqual((await get(`${R}/courses/${ids.course}`).expect(200)).body.course);
      expect(none.body.course).toMatchObject({ sourcedId: ids.course, title: 'Math 4' });
    });

    it.each([
      ['an unknown field', 'fields=sourcedId,secret', /Unknown fields: secret/],
      ['a repeated parameter', 'fields=sourcedId&fields=title', /fields must be given once/],
    ])('400 for %s, with the imsx envelope', async (_name, query, text) => {
      const res = await get(`${R}/courses/${ids.course}?${query}`).expect(400);
      expectMatchesSchema(oneRosterResponseValidator(`${R}/courses/{sourcedId}`, 'get', '400'), res.body);
      expect(res.body.imsx_description).toMatch(text);
      expect(res.body.imsx_error_details).toEqual([expect.objectContaining({ field: 'fields' })]);
    });
  });

  describe('2. every reference a body carries must exist', () => {
    const missing = 'no-such-object';
    /** A valid body per collection (references to existing objects), and each reference a client may send. */
    const cases: {
      path: string;
      wrapper: string;
      body: () => Record<string, unknown>;
      refs: [string, (b: Record<string, any>) => void][];
    }[] = [
      {
        path: `${R}/users`,
        wrapper: 'user',
        body: () => ({
          enabledUser: true,
          givenName: 'G',
          familyName: 'F',
          roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: ids.org } }],
          primaryOrg: { sourcedId: ids.org },
          agents: [{ sourcedId: ids.student }],
        }),
        refs: [
          ['user.roles[0].org', (b) => (b.roles[0].org.sourcedId = missing)],
          ['user.primaryOrg', (b) => (b.primaryOrg.sourcedId = missing)],
          ['user.agents[0]', (b) => (b.agents[0].sourcedId = missing)],
        ],
      },
      {
        path: `${R}/orgs`,
        wrapper: 'org',
        body: () => ({ name: 'N', type: 'school', parent: { sourcedId: ids.org } }),
        refs: [['org.parent', (b) => (b.parent.sourcedId = missing)]],
      },
      {
        path: `${R}/courses`,
        wrapper: 'course',
        body: () => ({ status: 'active', title: 'T', org: { sourcedId: ids.org } }),
        refs: [['course.org', (b) => (b.org.sourcedId = missing)]],
      },
      {
        path: `${R}/classes`,
        wrapper: 'class',
        body: () => ({ title: 'T', course: { sourcedId: ids.course }, org: { sourcedId: ids.org }, terms: [] }),
        refs: [
          ['class.course', (b) => (b.course.sourcedId = missing)],
          ['class.org', (b) => (b.org.sourcedId = missing)],
          ['class.school', (b) => (b.school = { sourcedId: missing })],
        ],
      },
      {
        path: `${R}/enrollments`,
        wrapper: 'enrollment',
        body: () => ({
          role: 'student',
          user: { sourcedId: ids.student },
          class: { sourcedId: ids.cls },
          school: { sourcedId: ids.org },
        }),
        refs: [
          ['enrollment.user', (b) => (b.user.sourcedId = missing)],
          ['enrollment.class', (b) => (b.class.sourcedId = missing)],
          ['enrollment.school', (b) => (b.school.sourcedId = missing)],
        ],
      },
      {
        path: `${R}/courses/components`,
        wrapper: 'courseComponent',
        body: () => ({
          status: 'active',
          title: 'U',
          course: { sourcedId: ids.course },
          parent: { sourcedId: ids.component },
        }),
        refs: [
          ['courseComponent.course', (b) => (b.course.sourcedId = missing)],
          ['courseComponent.parent', (b) => (b.parent.sourcedId = missing)],
          [
            'courseComponent.courseComponent',
            (b) => {
              delete b.parent;
              b.courseComponent = { sourcedId: missing };
            },
          ],
        ],
      },
      {
        path: `${R}/courses/component-resources`,
        wrapper: 'componentResource',
        body: () => ({
          status: 'active',
          title: 'L',
          courseComponent: { sourcedId: ids.component },
          resource: { sourcedId: ids.resource },
        }),
        refs: [
          ['componentResource.courseComponent', (b) => (b.courseComponent.sourcedId = missing)],
          ['componentResource.resource', (b) => (b.resource.sourcedId = missing)],
        ],
      },
      {
        path: `${G}/assessmentLineItems`,
        wrapper: 'assessmentLineItem',
        body: () => ({
          status: 'active',
          title: 'S',
          class: { sourcedId: ids.cls },
          parentAssessmentLineItem: { sourcedId: ids.lineItem },
          component: { sourcedId: ids.component },
          componentResource: { sourcedId: ids.lesson },
        }),
        refs: [
          ['assessmentLineItem.class', (b) => (b.class.sourcedId = missing)],
          ['assessmentLineItem.parentAssessmentLineItem', (b) => (b.parentAssessmentLineItem.sourcedId = missing)],
          ['assessmentLineItem.component', (b) => (b.component.sourcedId = missing)],
          ['assessmentLineItem.componentResource', (b) => (b.componentResource.sourcedId = missing)],
        ],
      },
      {
        path: `${G}/assessmentResults`,
        wrapper: 'assessmentResult',
        body: () => ({
          status: 'active',
          assessmentLineItem: { sourcedId: ids.lineItem },
          student: { sourcedId: ids.student },
          scoreDate: '2026-11-01T10:00:00.000Z',
          scoreStatus: 'submitted',
        }),
        refs: [
          ['assessmentResult.assessmentLineItem', (b) => (b.assessmentLineItem.sourcedId = missing)],
          ['assessmentResult.student', (b) => (b.student.sourcedId = missing)],
        ],
      },
    ];
    const table = cases.flatMap((c) => c.refs.map(([field, spoil]) => ({ ...c, field, spoil })));

    it.each(table)(
      '$field: a missing object is 422 naming the field, and nothing is stored',
      async ({ path, wrapper, body, field, spoil }) => {
        const id = uid(wrapper);
        // The untouched body is accepted (so the 422 below is about the one reference).
        const valid = await t
          .http()
          .post(path)
          .set(auth())
          .send({ [wrapper]: { ...body(), sourcedId: uid(wrapper) } });
        expect(valid.status).toBe(201);
        const spoilt = { ...structuredClone(body()), sourcedId: id };
        spoil(spoilt);
        const res = await put(`${path}/${id}`, wrapper, spoilt).expect(422);
        expectMatchesSchema(oneRosterResponseValidator(`${path}/{sourcedId}`, 'put', '422'), res.body);
        expect(res.body.imsx_description).toBe(`${field} '${missing}' does not exist`);
        expect(res.body.imsx_error_details).toEqual([
          { code: 'INVALID_DATA', field, message: `${field} '${missing}' does not exist` },
        ]);
        await get(`${path}/${id}`).expect(404);
        const posted = await t
          .http()
          .post(path)
          .set(auth())
          .send({ [wrapper]: spoilt })
          .expect(422);
        expect(posted.body.imsx_error_details).toEqual([expect.objectContaining({ field })]);
        await get(`${path}/${id}`).expect(404);
      },
    );

    it('names every missing reference at once', async () => {
      const res = await put(`${G}/assessmentLineItems/${uid('li')}`, 'assessmentLineItem', {
        status: 'active',
        title: 'S',
        class: { sourcedId: 'gone-1' },
        componentResource: { sourcedId: 'gone-2' },
      }).expect(422);
      expect(res.body.imsx_error_details.map((d: { field: string }) => d.field).sort()).toEqual([
        'assessmentLineItem.class',
        'assessmentLineItem.componentResource',
      ]);
    });

    it('a reference to the object being written is not missing', async () => {
      const id = uid('user');
      await put(`${R}/users/${id}`, 'user', {
        enabledUser: true,
        givenName: 'Self',
        familyName: 'Ref',
        roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: ids.org } }],
        agents: [{ sourcedId: id }],
      }).expect(200);
    });
  });

  describe('6. class writes derive what can be derived, else 422 naming the field and why', () => {
    const classes = `${R}/classes`;

    it('an SDK update body (no course, no school, no status) keeps what the class has', async () => {
      const id = uid('class');
      await put(`${classes}/${id}`, 'class', {
        title: 'Before',
        classCode: 'B',
        course: { sourcedId: ids.course },
        org: { sourcedId: ids.org },
      }).expect(200);
      await t.http().delete(`${classes}/${id}`).set(auth()).expect(204);
      // The TimeBack SDK's update body: sourcedId + the fields to change; the spec's PUT class body cannot carry course or org.
      const res = await put(`${classes}/${id}`, 'class', { sourcedId: id, title: 'After' }).expect(200);
      expectMatchesSchema(oneRosterResponseValidator(`${classes}/{sourcedId}`, 'put', '200'), res.body);
      expect(res.body).toMatchObject({
        sourcedId: id,
        title: 'After',
        status: 'tobedeleted',
        course: { sourcedId: ids.course },
        school: { sourcedId: ids.org },
      });
    });

    it('a new class without school takes its course’s org', async () => {
      const id = uid('class');
      const res = await put(`${classes}/${id}`, 'class', {
        title: 'Derived',
        course: { sourcedId: ids.course },
      }).expect(200);
      expect(res.body).toMatchObject({ course: { sourcedId: ids.course }, school: { sourcedId: ids.org } });
    });

    it.each([
      [
        'class.title',
        { course: { sourcedId: ids.course } },
        ['class.title'],
        /^class\.title is required: a class has a title$/,
      ],
      [
        'class.school',
        { title: 'T', course: { sourcedId: ids.orglessCourse } },
        ['class.school'],
        new RegExp(
          `^class\\.school is required: a class belongs to a school \\(given as school or org\\); it is taken from the course’s org, and course '${ids.orglessCourse}' has no org$`,
        ),
      ],
      // Without a course there is no org to take the school from either: both are named.
      [
        'class.course',
        { title: 'No course' },
        ['class.course', 'class.school'],
        /^class\.course is required: a class belongs to a course; class\.school is required: .*the class has no course$/,
      ],
    ])('a new class without what cannot be derived is 422 naming %s', async (_name, body, fields, text) => {
      const id = uid('class');
      const res = await put(`${classes}/${id}`, 'class', body).expect(422);
      expectMatchesSchema(oneRosterResponseValidator(`${classes}/{sourcedId}`, 'put', '422'), res.body);
      expect(res.body.imsx_description).toMatch(text);
      expect(res.body.imsx_error_details.map((d: { field: string }) => d.field)).toEqual(fields);
      expect(await countRows(t.orm, 'classes where sourced_id = ?', [id])).toBe(0);
    });

    it('a new resource without title is 422 naming resource.title; an existing one keeps its title and status', async () => {
      const id = uid('resource');
      const res = await put(`${RES}/${id}`, 'resource', { vendorResourceId: 'v' }).expect(422);
      expect(res.body.imsx_error_details).toEqual([expect.objectContaining({ field: 'resource.title' })]);
      await put(`${RES}/${id}`, 'resource', { title: 'Kept', vendorResourceId: 'v' }).expect(200);
      await t.http().delete(`${RES}/${id}`).set(auth()).expect(204);
      const updated = await put(`${RES}/${id}`, 'resource', { vendorResourceId: 'v2' }).expect(200);
      expect(updated.body.resource).toMatchObject({ title: 'Kept', vendorResourceId: 'v2', status: 'tobedeleted' });
    });
  });

  describe('found by the conformance run (test/conformance)', () => {
    it.each([
      [
        'courses/components',
        'courseComponent',
        () => ({ status: 'active', title: 'U', course: { sourcedId: ids.course } }),
      ],
      [
        'courses/component-resources',
        'componentResource',
        () => ({
          status: 'active',
          title: 'L',
          courseComponent: { sourcedId: ids.component },
          resource: { sourcedId: ids.resource },
        }),
      ],
    ])(
      '%s: a sortOrder the spec allows but an integer cannot hold is 422 naming it (was 500, or silently rounded)',
      async (path, wrapper, body) => {
        for (const sortOrder of [2 ** 31, -(2 ** 31) - 1, 1.5]) {
          const id = uid(wrapper);
          const res = await put(`${R}/${path}/${id}`, wrapper, { ...body(), sourcedId: id, sortOrder }).expect(422);
          expect(res.body.imsx_error_details).toEqual([
            {
              code: 'INVALID_DATA',
              field: `${wrapper}.sortOrder`,
              message: `${wrapper}.sortOrder must be a whole number from -2147483648 to 2147483647: it is stored as an integer`,
            },
          ]);
          await get(`${R}/${path}/${id}`).expect(404);
        }
        const id = uid(wrapper);
        const ok = await put(`${R}/${path}/${id}`, wrapper, {
          ...body(),
          sourcedId: id,
          sortOrder: 2 ** 31 - 1,
        }).expect(200);
        expect(ok.body[wrapper].sortOrder).toBe(2 ** 31 - 1);
      },
    );
  });

  describe('statuses the spec does not list are not answered', () => {
    it('POST of an existing sourcedId is 422 with a reason (the spec lists no 409)', async () => {
      const id = uid('org');
      await t
        .http()
        .post(`${R}/orgs/`)
        .set(auth())
        .send({ org: { sourcedId: id, name: 'N', type: 'school' } })
        .expect(201);
      const dup = await t
        .http()
        .post(`${R}/orgs/`)
        .set(auth())
        .send({ org: { sourcedId: id, name: 'N', type: 'school' } })
        .expect(422);
      expectMatchesSchema(oneRosterResponseValidator(`${R}/orgs/`, 'post', '422'), dup.body);
      expect(dup.body.imsx_description).toBe(`org '${id}' already exists; use PUT to replace it`);
    });
  });
});
