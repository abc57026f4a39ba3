import { ComponentResource, CourseComponent, Resource } from '@external-tests/persistence';
import { DEFAULT_EDULASTIC_TESTS } from '@external-tests/sandbox';
import { authoredCounts, createCourse, lessonsOfCourse, storedLesson } from '../helpers/authoring';
import { createStudent, uid } from '../helpers/fixtures';
import { createTestApp, TestApp } from '../helpers/test-app';
import { expectMatchesSchema, powerPathResponseValidator } from '../helpers/upstream-schema';

const PP = '/powerpath';
const TEST_OUT = 'createExternalTestOut';
const PLACEMENT = 'createExternalPlacementTest';
type Op = typeof TEST_OUT | typeof PLACEMENT;
const eduTest = DEFAULT_EDULASTIC_TESTS[0].id;
const okSchema = (op: Op) => powerPathResponseValidator(`${PP}/${op}`, 'post', '200');

const testOut = (courseId: string, o: Record<string, unknown> = {}) => ({
  lessonType: 'test-out',
  courseId,
  toolProvider: 'mastery-track',
  grades: ['4'],
  xp: 50,
  ...o,
});
const placement = (courseId: string, o: Record<string, unknown> = {}) => ({
  lessonType: 'placement',
  courseId,
  toolProvider: 'edulastic',
  vendorId: eduTest,
  grades: ['4'],
  ...o,
});

describe('POST /powerpath/createExternalTestOut and /powerpath/createExternalPlacementTest', () => {
  let t: TestApp;
  let token: string;
  const post = (op: Op, body: unknown, bearer: string | null = token) => {
    const req = t.http().post(`${PP}/${op}`);
    return (bearer ? req.set('Authorization', `Bearer ${bearer}`) : req).send(body as object);
  };
  const assign = (student: string, lesson: string) =>
    t.http().post(`${PP}/makeExternalTestAssignment`).set('Authorization', `Bearer ${token}`).send({ student, lesson });

  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());

  describe('create, for both tools, assignable at once', () => {
    it('MasteryTrack test-out: unit, resource and lesson as the assignment flow reads them; subject from the course', async () => {
      const course = await createCourse(t.orm, { subjects: ['Math', 'Reading'] });
      const body = testOut(course, {
        launchUrl: 'https://masterytrack.ai/launch',
        description: 'End of course test',
        lessonTitle: 'Math 4 test-out',
        unitTitle: 'Tests',
      });

      const res = await post(TEST_OUT, body).expect(200);

      expectMatchesSchema(okSchema(TEST_OUT), res.body);
      expect(res.body).toEqual({
        lessonType: 'test-out',
        lessonId: expect.any(String),
        courseComponentId: expect.any(String),
        resourceId: expect.any(String),
        launchUrl: 'https://masterytrack.ai/launch',
        toolProvider: 'mastery-track',
        grades: ['4'],
      });
      const stored = await storedLesson(t.orm, res.body.lessonId);
      expect(stored?.cr).toMatchObject({
        status: 'active',
        title: 'Math 4 test-out',
        lesson_type: 'test-out',
        course_component_sourced_id: res.body.courseComponentId,
        resource_sourced_id: res.body.resourceId,
      });
      expect(stored?.cc).toMatchObject({ status: 'active', title: 'Tests', course_sourced_id: course });
      expect(stored?.r).toMatchObject({
        status: 'active',
        title: 'Math 4 test-out',
        vendor_id: null,
        vendor_resource_id: res.body.resourceId,
      });
      expect(stored?.r.metadata).toEqual({
        lessonType: 'test-out',
        toolProvider: 'mastery-track',
        subject: 'Math',
        grades: ['4'],
        xp: 50,
        launchUrl: 'https://masterytrack.ai/launch',
        description: 'End of course test',
      });

      const student = await createStudent(t.orm);
      const assigned = await assign(student.sourcedId, res.body.lessonId).expect(200);
      expect(assigned.body).toMatchObject({ toolProvider: 'mastery-track', lessonType: 'test-out', attempt: 1 });
    });

    it('Edulastic placement: vendorId on the resource column and metadata, courseIdOnFail; assignable at once with credentials', async () => {
      const course = await createCourse(t.orm);
      const fallback = await createCourse(t.orm);

      const res = await post(PLACEMENT, placement(course, { courseIdOnFail: fallback, xp: 10 })).expect(200);

      expectMatchesSchema(okSchema(PLACEMENT), res.body);
      expect(res.body).toEqual({
        lessonType: 'placement',
        lessonId: expect.any(String),
        courseComponentId: expect.any(String),
        resourceId: expect.any(String),
        toolProvider: 'edulastic',
        vendorId: eduTest,
        courseIdOnFail: fallback,
        grades: ['4'],
      });
      const stored = await storedLesson(t.orm, res.body.lessonId);
      expect(stored?.cr).toMatchObject({ lesson_type: 'placement', title: 'Math 4 placement (grade 4)' });
      expect(stored?.cc.title).toBe('Math 4 placement (grade 4)');
      expect(stored?.r).toMatchObject({ vendor_id: eduTest, vendor_resource_id: eduTest });
      expect(stored?.r.metadata).toEqual({
        lessonType: 'placement',
        toolProvider: 'edulastic',
        subject: 'Math',
        grades: ['4'],
        vendorId: eduTest,
        courseIdOnFail: fallback,
        xp: 10,
      });

      const student = await createStudent(t.orm);
      const assigned = await assign(student.sourcedId, res.body.lessonId).expect(200);
      expect(assigned.body).toMatchObject({
        toolProvider: 'edulastic',
        lessonType: 'placement',
        testId: eduTest,
        credentials: { email: student.email },
      });
    });

    it('MasteryTrack placement and Edulastic test-out, each through the other endpoint (both take either input)', async () => {
      const course = await createCourse(t.orm);
      const p = await post(
        TEST_OUT,
        placement(course, { toolProvider: 'mastery-track', vendorId: undefined, grades: ['3'] }),
      ).expect(200);
      expectMatchesSchema(okSchema(TEST_OUT), p.body);
      expect(p.body).toMatchObject({
        lessonType: 'placement',
        toolProvider: 'mastery-track',
        courseIdOnFail: null,
        grades: ['3'],
      });
      const o = await post(PLACEMENT, testOut(course, { toolProvider: 'edulastic', vendorId: eduTest })).expect(200);
      expectMatchesSchema(okSchema(PLACEMENT), o.body);
      expect(o.body).toMatchObject({ lessonType: 'test-out', toolProvider: 'edulastic', vendorId: eduTest });
      expect(o.body.courseIdOnFail).toBeUndefined();

      const student = await createStudent(t.orm);
      expect((await assign(student.sourcedId, p.body.lessonId).expect(200)).body).toMatchObject({
        toolProvider: 'mastery-track',
        lessonType: 'placement',
      });
      expect((await assign(student.sourcedId, o.body.lessonId).expect(200)).body).toMatchObject({
        toolProvider: 'edulastic',
        lessonType: 'test-out',
      });
      expect(await lessonsOfCourse(t.orm, course)).toEqual([p.body.lessonId, o.body.lessonId].sort());
    });

    it('puts the lesson in a given unit of the course and titles it with unitTitle', async () => {
      const course = await createCourse(t.orm);
      const unit = uid('unit');
      const em = t.orm.em.fork();
      em.create(CourseComponent, { sourcedId: unit, title: 'Assessments', courseSourcedId: course });
      await em.flush();

      const res = await post(
        TEST_OUT,
        testOut(course, { courseComponentSourcedId: unit, unitTitle: 'End of course' }),
      ).expect(200);

      expect(res.body.courseComponentId).toBe(unit);
      expect((await storedLesson(t.orm, res.body.lessonId))?.cc).toMatchObject({
        sourced_id: unit,
        title: 'End of course',
      });
    });
  });

  describe('update in place', () => {
    it('the same course updates the test-out: same ids, fields as the body says, titles kept, no new objects', async () => {
      const course = await createCourse(t.orm);
      const first = await post(
        TEST_OUT,
        testOut(course, { lessonTitle: 'Final', launchUrl: 'https://a.example/x', description: 'v1' }),
      ).expect(200);
      const counts = await authoredCounts(t.orm);

      const second = await post(
        TEST_OUT,
        testOut(course, { toolProvider: 'mastery-track', grades: ['5'], xp: 80 }),
      ).expect(200);

      expectMatchesSchema(okSchema(TEST_OUT), second.body);
      expect(second.body).toEqual({ ...first.body, grades: ['5'], launchUrl: undefined });
      expect(await authoredCounts(t.orm)).toEqual(counts);
      const stored = await storedLesson(t.orm, first.body.lessonId);
      expect(stored?.cr.title).toBe('Final');
      expect(stored?.r.title).toBe('Final');
      expect(stored?.r.metadata).toEqual({
        lessonType: 'test-out',
        toolProvider: 'mastery-track',
        subject: 'Math',
        grades: ['5'],
        xp: 80,
      });
    });

    it('a placement is per grade: another grade is another lesson, the same grade updates it (courseIdOnFail removed when left out)', async () => {
      const course = await createCourse(t.orm);
      const fallback = await createCourse(t.orm);
      const g4 = await post(PLACEMENT, placement(course, { courseIdOnFail: fallback })).expect(200);
      const g3 = await post(PLACEMENT, placement(course, { grades: ['3'] })).expect(200);
      expect(g3.body.lessonId).not.toBe(g4.body.lessonId);

      const again = await post(
        PLACEMENT,
        placement(course, { grades: ['4', '5'], lessonTitle: 'Grade 4 placement' }),
      ).expect(200);

      expect(again.body).toMatchObject({
        lessonId: g4.body.lessonId,
        resourceId: g4.body.resourceId,
        courseComponentId: g4.body.courseComponentId,
        courseIdOnFail: null,
      });
      const stored = await storedLesson(t.orm, g4.body.lessonId);
      expect(stored?.r.metadata.courseIdOnFail).toBeUndefined();
      expect(stored?.r.metadata.grades).toEqual(['4', '5']);
      expect(stored?.cr.title).toBe('Grade 4 placement');
      expect(await lessonsOfCourse(t.orm, course)).toHaveLength(2);
    });

    it('moves the lesson to a given unit on update, keeping its ids', async () => {
      const course = await createCourse(t.orm);
      const first = await post(TEST_OUT, testOut(course)).expect(200);
      const unit = uid('unit');
      const em = t.orm.em.fork();
      em.create(CourseComponent, { sourcedId: unit, title: 'Assessments', courseSourcedId: course });
      await em.flush();

      const moved = await post(TEST_OUT, testOut(course, { courseComponentSourcedId: unit })).expect(200);

      expect(moved.body).toMatchObject({
        lessonId: first.body.lessonId,
        resourceId: first.body.resourceId,
        courseComponentId: unit,
      });
      const kept = await post(TEST_OUT, testOut(course)).expect(200);
      expect(kept.body.courseComponentId).toBe(unit);
    });

    it('takes over the test-out the course already has (made through OneRoster), keeping metadata it does not own', async () => {
      const course = await createCourse(t.orm);
      const [unit, resource, lesson] = [uid('unit'), uid('res'), uid('lesson')];
      const em = t.orm.em.fork();
      em.create(CourseComponent, { sourcedId: unit, title: 'Unit', courseSourcedId: course });
      em.create(Resource, {
        sourcedId: resource,
        title: 'Old test-out',
        vendorResourceId: 'mt-old',
        metadata: {
          toolProvider: 'mastery-track',
          lessonType: 'test-out',
          subject: 'Math',
          grades: ['4'],
          owner: 'curriculum-team',
        },
      });
      em.create(ComponentResource, {
        sourcedId: lesson,
        title: 'Old test-out',
        courseComponentSourcedId: unit,
        resourceSourcedId: resource,
      });
      await em.flush();

      const res = await post(TEST_OUT, testOut(course, { xp: 5 })).expect(200);

      expect(res.body).toMatchObject({ lessonId: lesson, resourceId: resource, courseComponentId: unit });
      const stored = await storedLesson(t.orm, lesson);
      expect(stored?.r).toMatchObject({ vendor_resource_id: 'mt-old', title: 'Old test-out' });
      expect(stored?.r.metadata).toMatchObject({ owner: 'curriculum-team', xp: 5, lessonType: 'test-out' });
      expect(await lessonsOfCourse(t.orm, course)).toEqual([lesson]);
    });

    it('revives a lesson deleted through OneRoster with the same ids', async () => {
      const course = await createCourse(t.orm);
      const first = await post(TEST_OUT, testOut(course)).expect(200);
      const rostering = '/ims/oneroster/rostering/v1p2/courses/component-resources';
      await t.http().delete(`${rostering}/${first.body.lessonId}`).set('Authorization', `Bearer ${token}`).expect(204);
      await t
        .http()
        .delete(`/ims/oneroster/resources/v1p2/resources/${first.body.resourceId}`)
        .set('Authorization', `Bearer ${token}`)
        .expect(204);

      const again = await post(TEST_OUT, testOut(course)).expect(200);

      expect(again.body).toEqual(first.body);
      const stored = await storedLesson(t.orm, first.body.lessonId);
      expect([stored?.cr.status, stored?.r.status, stored?.cc.status]).toEqual(['active', 'active', 'active']);
    });
  });

  describe('parallel calls end with one lesson', () => {
    it('20 parallel calls for one test-out and one placement grade, through both endpoints: one lesson each, same ids', async () => {
      const course = await createCourse(t.orm);
      const before = await authoredCounts(t.orm);
      const calls = Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? post(i % 4 === 0 ? TEST_OUT : PLACEMENT, testOut(course, { xp: i }))
          : post(i % 4 === 1 ? PLACEMENT : TEST_OUT, placement(course)),
      );

      const answers = await Promise.all(calls);

      expect(answers.map((r) => r.status)).toEqual(Array(20).fill(200));
      const ids = (type: string) =>
        new Set(
          answers
            .filter((r) => r.body.lessonType === type)
            .map((r) => `${r.body.lessonId} ${r.body.resourceId} ${r.body.courseComponentId}`),
        );
      expect(ids('test-out').size).toBe(1);
      expect(ids('placement').size).toBe(1);
      expect(await lessonsOfCourse(t.orm, course)).toHaveLength(2);
      const after = await authoredCounts(t.orm);
      expect(after).toEqual({
        units: before.units + 2,
        resources: before.resources + 2,
        lessons: before.lessons + 2,
        targets: before.targets + 2,
      });
    });

    it('parallel updates apply one after the other: a lesson moved to another course through OneRoster comes back in one new unit', async () => {
      const course = await createCourse(t.orm);
      const first = await post(TEST_OUT, testOut(course)).expect(200);
      const elsewhere = (await post(TEST_OUT, testOut(await createCourse(t.orm))).expect(200)).body.courseComponentId;
      await t
        .http()
        .put(`/ims/oneroster/rostering/v1p2/courses/component-resources/${first.body.lessonId}`)
        .set('Authorization', `Bearer ${token}`)
        .send({
          componentResource: {
            sourcedId: first.body.lessonId,
            status: 'active',
            title: 'Moved',
            courseComponent: { sourcedId: elsewhere },
            resource: { sourcedId: first.body.resourceId },
            sortOrder: 0,
          },
        })
        .expect(200);
      const before = await authoredCounts(t.orm);

      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => post(TEST_OUT, testOut(course, { xp: i }))),
      );

      expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
      const units = new Set(answers.map((r) => r.body.courseComponentId));
      expect(units.size).toBe(1);
      expect(units.has(first.body.courseComponentId)).toBe(false);
      expect(await authoredCounts(t.orm)).toEqual({ ...before, units: before.units + 1 });
      expect((await storedLesson(t.orm, first.body.lessonId))?.cc.course_sourced_id).toBe(course);
    });

    it('parallel calls naming different tools: the first one wins, every other tool is 422, one lesson', async () => {
      const course = await createCourse(t.orm);
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          post(TEST_OUT, testOut(course, i % 2 ? { toolProvider: 'edulastic', vendorId: eduTest } : {})),
        ),
      );

      const ok = answers.filter((r) => r.status === 200);
      const refused = answers.filter((r) => r.status !== 200);
      expect(ok.length).toBeGreaterThan(0);
      expect(new Set(ok.map((r) => r.body.toolProvider)).size).toBe(1);
      expect(refused.every((r) => r.status === 422 && r.body.imsx_error_details[0].field === 'toolProvider')).toBe(
        true,
      );
      const [lesson] = await lessonsOfCourse(t.orm, course);
      expect(await lessonsOfCourse(t.orm, course)).toHaveLength(1);
      expect((await storedLesson(t.orm, lesson))?.r.metadata.toolProvider).toBe(ok[0].body.toolProvider);
    });
  });

  describe('failures answer with the imsx envelope and write nothing', () => {
    let counts: Awaited<ReturnType<typeof authoredCounts>>;
    beforeEach(async () => (counts = await authoredCounts(t.orm)));
    afterEach(async () => expect(await authoredCounts(t.orm)).toEqual(counts));

    const imsx = () => ({
      imsx_codeMajor: 'failure',
      imsx_severity: 'error',
      imsx_description: expect.any(String),
      imsx_CodeMinor: expect.any(Object),
    });

    it('404: the course does not exist, is deleted, or belongs to another org (same answer as a missing one)', async () => {
      const missing = await post(TEST_OUT, testOut('no-such-course')).expect(404);
      expect(missing.body).toMatchObject(imsx());
      expect(missing.body.imsx_description).toBe("course 'no-such-course' not found");
      expectMatchesSchema(powerPathResponseValidator(`${PP}/${TEST_OUT}`, 'post', '404'), missing.body);
      const deleted = await createCourse(t.orm, { status: 'tobedeleted' });
      await post(PLACEMENT, placement(deleted)).expect(404);

      const other = await createCourse(t.orm);
      const orgToken = await t.token(undefined, { org: uid('org') });
      const hidden = await post(PLACEMENT, placement(other), orgToken).expect(404);
      expect(hidden.body.imsx_description).toBe(`course '${other}' not found`);
    });

    it('404: a non-null courseIdOnFail names a course that does not exist (or of another org), named in the answer', async () => {
      const org = uid('org');
      const course = await createCourse(t.orm, { org });
      const res = await post(PLACEMENT, placement(course, { courseIdOnFail: 'no-such-course' })).expect(404);
      expect(res.body.imsx_description).toBe("courseIdOnFail: course 'no-such-course' not found");
      expect(res.body.imsx_error_details).toEqual([
        { code: expect.any(String), field: 'courseIdOnFail', value: 'no-such-course' },
      ]);
      const elsewhere = await createCourse(t.orm);
      await post(PLACEMENT, placement(course, { courseIdOnFail: elsewhere }), await t.token(undefined, { org })).expect(
        404,
      );
    });

    it('404 / 422: courseComponentSourcedId unknown, or a unit of another course', async () => {
      const course = await createCourse(t.orm);
      const res = await post(TEST_OUT, testOut(course, { courseComponentSourcedId: 'no-such-unit' })).expect(404);
      expect(res.body.imsx_error_details).toEqual([
        { code: expect.any(String), field: 'courseComponentSourcedId', value: 'no-such-unit' },
      ]);
      const other = await createCourse(t.orm);
      const unit = (await post(TEST_OUT, testOut(other)).expect(200)).body.courseComponentId;
      counts = await authoredCounts(t.orm);
      const foreign = await post(TEST_OUT, testOut(course, { courseComponentSourcedId: unit })).expect(422);
      expect(foreign.body.imsx_description).toMatch(/belongs to course/);
    });

    it("404: courseComponentSourcedId names another org's unit, for a token of one org (as a missing one: no course told)", async () => {
      const org = uid('org');
      const course = await createCourse(t.orm, { org });
      const sibling = await createCourse(t.orm, { org });
      const theirs = await createCourse(t.orm, { org: uid('org') });
      const theirUnit = (await post(TEST_OUT, testOut(theirs)).expect(200)).body.courseComponentId;
      const ourUnit = (await post(TEST_OUT, testOut(sibling)).expect(200)).body.courseComponentId;
      counts = await authoredCounts(t.orm);
      const orgToken = await t.token(undefined, { org });
      const hidden = await post(TEST_OUT, testOut(course, { courseComponentSourcedId: theirUnit }), orgToken).expect(
        404,
      );
      expect(hidden.body.imsx_description).toBe(`Course component '${theirUnit}' not found`);
      expect(JSON.stringify(hidden.body)).not.toContain(theirs);
      // A unit of another course of the caller's own org is still named as such.
      const own = await post(TEST_OUT, testOut(course, { courseComponentSourcedId: ourUnit }), orgToken).expect(422);
      expect(own.body.imsx_description).toMatch(/belongs to course/);
    });

    it('422: the existing test-out (or placement of the same grade) has another toolProvider; another grade is fine', async () => {
      const course = await createCourse(t.orm);
      const existing = await post(TEST_OUT, testOut(course)).expect(200);
      await post(PLACEMENT, placement(course)).expect(200);
      counts = await authoredCounts(t.orm);

      const res = await post(TEST_OUT, testOut(course, { toolProvider: 'edulastic', vendorId: eduTest })).expect(422);
      expect(res.body).toMatchObject(imsx());
      expect(res.body.imsx_description).toContain(
        `uses toolProvider 'mastery-track': update its Resource '${existing.body.resourceId}'`,
      );
      expect(res.body.imsx_error_details[0].field).toBe('toolProvider');
      expectMatchesSchema(powerPathResponseValidator(`${PP}/${TEST_OUT}`, 'post', '422'), res.body);
      await post(PLACEMENT, placement(course, { toolProvider: 'mastery-track', vendorId: undefined })).expect(422);
      expect((await storedLesson(t.orm, existing.body.lessonId))?.r.metadata.toolProvider).toBe('mastery-track');

      await post(
        PLACEMENT,
        placement(course, { toolProvider: 'mastery-track', vendorId: undefined, grades: ['5'] }),
      ).expect(200);
      counts = await authoredCounts(t.orm);
    });

    it('422: a MasteryTrack lesson in a course without subjects, naming the missing subject', async () => {
      const course = await createCourse(t.orm, { subjects: [] });
      const res = await post(TEST_OUT, testOut(course)).expect(422);
      expect(res.body.imsx_description).toMatch(/need resource\.metadata\.subject/);
      expect(res.body.imsx_description).toContain(
        `takes the subject from the course's subjects (course '${course}' has none)`,
      );
      // Edulastic picks its test by vendorId: no subject needed.
      await post(TEST_OUT, testOut(course, { toolProvider: 'edulastic', vendorId: eduTest })).expect(200);
      counts = await authoredCounts(t.orm);
    });

    it('422: lessons the tool could not assign (Edulastic without vendorId, MasteryTrack grade outside K–12, placement without grade)', async () => {
      const course = await createCourse(t.orm);
      const edu = await post(PLACEMENT, placement(course, { vendorId: undefined })).expect(422);
      expect(edu.body.imsx_description).toMatch(/Edulastic lessons need the test id/);
      const mt = await post(TEST_OUT, testOut(course, { grades: ['13'] })).expect(422);
      expect(mt.body.imsx_description).toMatch(/grade from K to 12/);
      const noGrade = await post(PLACEMENT, placement(course, { grades: [] })).expect(422);
      expect(noGrade.body.imsx_error_details[0].field).toBe('grades');
    });

    it.each([
      ['an unknown field', (c: string) => testOut(c, { extra: 1 }), 'property extra should not exist'],
      [
        'courseIdOnFail on a test-out (not in its input)',
        (c: string) => testOut(c, { courseIdOnFail: null }),
        'property courseIdOnFail should not exist',
      ],
      ['a test-out without xp', (c: string) => testOut(c, { xp: undefined }), 'xp is required'],
      [
        'a lessonType neither input has',
        (c: string) => testOut(c, { lessonType: 'unit-test' }),
        'lessonType must be one of',
      ],
      [
        'no lessonType',
        (c: string) => testOut(c, { lessonType: undefined }),
        'lessonType is required: lessonType must be one of',
      ],
      ['an unknown tool', (c: string) => testOut(c, { toolProvider: 'qti' }), 'toolProvider must be one of'],
      [
        'a javascript: launchUrl',
        (c: string) => testOut(c, { launchUrl: 'javascript:alert(document.cookie)' }),
        'launchUrl must be an absolute http or https URL',
      ],
      [
        'a relative launchUrl',
        (c: string) => placement(c, { launchUrl: '/assessment/1' }),
        'launchUrl must be an absolute http or https URL',
      ],
      [
        'a launchUrl with a user and password (students would see it)',
        (c: string) => testOut(c, { launchUrl: 'https://user:pass@app.example/test' }),
        'launchUrl must be an absolute http or https URL, without a user or password',
      ],
      [
        'a grade outside the contract',
        (c: string) => placement(c, { grades: ['K'] }),
        'each value in grades must be one of',
      ],
      ['no grades', (c: string) => placement(c, { grades: undefined }), 'grades is required'],
      ['no courseId', () => placement('', { courseId: undefined }), 'courseId is required'],
      [
        'resourceMetadata that is not null',
        (c: string) => placement(c, { resourceMetadata: { a: 1 } }),
        'resourceMetadata must be null',
      ],
      [
        'an empty courseIdOnFail',
        (c: string) => placement(c, { courseIdOnFail: '' }),
        'courseIdOnFail must be a non-empty string',
      ],
    ])('400 naming the field: %s', async (_name, body, message) => {
      const course = await createCourse(t.orm);
      counts = await authoredCounts(t.orm);
      const res = await post(TEST_OUT, body(course)).expect(400);
      expect(res.body).toMatchObject(imsx());
      expect(res.body.imsx_description).toContain(message);
      const field = message.match(/(?:property |each value in )?(\w+)/)![1];
      expect(res.body.imsx_error_details.map((d: { field: string }) => d.field)).toContain(field);
      expectMatchesSchema(powerPathResponseValidator(`${PP}/${TEST_OUT}`, 'post', '400'), res.body);
    });

    it('401 without a token, 403 without the create/put scope', async () => {
      const course = await createCourse(t.orm);
      counts = await authoredCounts(t.orm);
      await post(TEST_OUT, testOut(course), null).expect(401);
      const readOnly = await t.token('https://purl.imsglobal.org/spec/powerpath/v1p1/scope/powerpath.readonly');
      const res = await post(PLACEMENT, placement(course), readOnly).expect(403);
      expect(res.body).toMatchObject(imsx());
    });
  });

  it('an org-restricted token authors lessons in its own org', async () => {
    const org = uid('org');
    const course = await createCourse(t.orm, { org });
    const orgToken = await t.token(undefined, { org });
    const res = await post(TEST_OUT, testOut(course), orgToken).expect(200);
    expect(await lessonsOfCourse(t.orm, course)).toEqual([res.body.lessonId]);
  });
});
