import { CredentialCipher, parseCredentialKeys } from '@external-tests/common';
import { DEFAULT_EDULASTIC_TESTS, DEFAULT_MASTERY_TRACK_TESTS } from '@external-tests/sandbox';
import { DEV_CREDENTIALS_KEY } from '../../src/config/validate-env';
import { createLesson, createStudent } from '../helpers/fixtures';
import { assignmentRows, ledgerRow, resultRow } from '../helpers/rows';
import { sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';
import { expectMatchesSchema, powerPathResponseValidator } from '../helpers/upstream-schema';

const ROUTE = '/powerpath/makeExternalTestAssignment';
const okSchema = () => powerPathResponseValidator('/powerpath/makeExternalTestAssignment', 'post', '200');
const cipher = new CredentialCipher(parseCredentialKeys(DEV_CREDENTIALS_KEY)[0]);
const eduTest = DEFAULT_EDULASTIC_TESTS[0].id;
const mtTest = DEFAULT_MASTERY_TRACK_TESTS.find((t) => t.supported !== false)!;
const mtUnsupported = DEFAULT_MASTERY_TRACK_TESTS.find((t) => t.supported === false)!;

describe('POST /powerpath/makeExternalTestAssignment', () => {
  let t: TestApp;
  let token: string;
  const mt = () => sandboxControl(t.sandboxes, 'masteryTrack');
  const edu = () => sandboxControl(t.sandboxes, 'edulastic');
  const assign = (body: unknown, bearer = token) =>
    t
      .http()
      .post(ROUTE)
      .set('Authorization', `Bearer ${bearer}`)
      .send(body as object);

  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());
  /** The ledger as a request leaves it when it dies after the tool call and before recording the answer. */
  const loseAnswer = (student: string) =>
    t.orm.em
      .fork()
      .getConnection()
      .execute(
        `update tool_assignments set state = 'pending', called = true, external_id = null, class_id = null, lease_token = null, lease_until = now() - interval '1 second'
         where student_sourced_id = ?`,
        [student],
      );
  afterEach(async () => {
    await mt().clearFaults();
    await edu().clearFaults();
  });

  describe('MasteryTrack', () => {
    it('assigns by subject + grade, stores the assignment and answers per the upstream schema', async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm, {
        toolProvider: 'mastery-track',
        lessonType: 'test-out',
        subject: 'Math',
        grades: ['4'],
      });
      const before = await mt().count('POST', '/delivery/assignments/assign');

      const res = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);

      expectMatchesSchema(okSchema(), res.body);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        toolProvider: 'mastery-track',
        lessonType: 'test-out',
        attempt: 1,
        assignmentId: expect.stringMatching(/^\d+$/),
        classId: '',
        testUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/assignment\/\d+$/),
        testId: res.body.assignmentId,
      });
      expect(res.body.credentials).toBeUndefined();
      expect(await mt().count('POST', '/delivery/assignments/assign')).toBe(before + 1);

      const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
      expect(row).toMatchObject({ attempt: 1, score_status: 'not submitted' });
      expect(await ledgerRow(t.orm, row.sourced_id)).toMatchObject({
        state: 'assigned',
        tool: 'mastery-track',
        account: 'default',
        external_id: res.body.assignmentId,
        test_title: expect.stringContaining('Math G4'),
        lease_token: null,
      });
      expect(row.metadata).toMatchObject({
        attempt: 1,
        toolProvider: 'mastery-track',
        assignmentId: res.body.assignmentId,
        testUrl: res.body.testUrl,
        skipCourseEnrollment: false,
      });
    });

    it('assigns the requested testId and records skipCourseEnrollment', async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm, {
        toolProvider: 'mastery-track',
        lessonType: 'placement',
        lessonTypeOnComponentResource: true,
      });

      const res = await assign({
        student: student.sourcedId,
        lesson: lesson.sourcedId,
        testId: mtTest.timeback_id,
        skipCourseEnrollment: true,
      }).expect(200);

      expectMatchesSchema(okSchema(), res.body);
      expect(res.body).toMatchObject({ lessonType: 'placement', testId: mtTest.timeback_id });
      const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
      expect(row.metadata).toMatchObject({ skipCourseEnrollment: true, testId: mtTest.timeback_id });
    });

    it('returns the stored assignment on a repeat call without a second vendor call', async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm);
      const first = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      const calls = await mt().count('POST', '/delivery/assignments/assign');

      const again = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);

      expect(again.body).toEqual(first.body);
      expect(await mt().count('POST', '/delivery/assignments/assign')).toBe(calls);
      expect(await assignmentRows(t.orm, student.sourcedId, lesson.sourcedId)).toEqual({ results: 1, lineItems: 1 });
    });

    it('adopts the assignment MasteryTrack already has (409 ASSIGNMENT_EXISTS) when the answer was lost', async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm);
      const first = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      // Rewind the ledger to "asked the tool, died before recording the answer", lease over.
      await loseAnswer(student.sourcedId);

      const res = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);

      expect(res.body.assignmentId).toBe(first.body.assignmentId);
      const assigns = (await mt().calls()).filter((c) => c.path === '/delivery/assignments/assign');
      expect(assigns.at(-1)?.status).toBe(409);
      const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
      expect(row.metadata.assignmentId).toBe(first.body.assignmentId);
      expect(await ledgerRow(t.orm, row.sourced_id)).toMatchObject({
        state: 'assigned',
        external_id: first.body.assignmentId,
      });
    });
  });

  describe('Edulastic', () => {
    it('signs the student up, assigns the test and returns credentials stored encrypted', async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm, {
        toolProvider: 'edulastic',
        lessonType: 'unit-test',
        vendorId: eduTest,
      });

      const res = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);

      expectMatchesSchema(okSchema(), res.body);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        toolProvider: 'edulastic',
        lessonType: 'unit-test',
        attempt: 1,
        credentials: { email: student.email, password: expect.any(String) },
        assignmentId: expect.stringMatching(/^[0-9a-f]{24}$/),
        classId: expect.stringMatching(/^[0-9a-f]{24}$/),
        testUrl: `${t.sandboxes.edulastic.url}/assignments/embed/${eduTest}`,
        testId: eduTest,
      });
      expect(res.body.credentials.password.length).toBeGreaterThanOrEqual(16);

      const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
      expect(row.metadata).toMatchObject({
        assignmentId: res.body.assignmentId,
        classId: res.body.classId,
        toolProvider: 'edulastic',
      });
      expect(JSON.stringify(row)).not.toContain(res.body.credentials.password);
      // The password lives once, sealed, in the student's login of the ledger.
      const [login] = await t.orm.em
        .fork()
        .getConnection()
        .execute('select * from tool_logins where student_sourced_id = ?', [student.sourcedId]);
      expect(login).toMatchObject({ tool: 'edulastic', account: 'default', state: 'ready', lease_token: null });
      expect(JSON.stringify(login)).not.toContain(res.body.credentials.password);
      expect(cipher.openJson(login.credentials_sealed, `edulastic:${student.sourcedId}`)).toEqual(res.body.credentials);
    });

    it('reuses the lesson class and the student login for the next lesson and on repeat calls', async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: eduTest });
      const first = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      const calls = (await edu().calls()).length;

      const again = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      expect(again.body).toEqual(first.body);
      expect((await edu().calls()).length).toBe(calls);

      const other = await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: DEFAULT_EDULASTIC_TESTS[1].id });
      const second = await assign({ student: student.sourcedId, lesson: other.sourcedId }).expect(200);
      expect(second.body.credentials).toEqual(first.body.credentials);
      expect(second.body.classId).not.toBe(first.body.classId);
    });

    it("adopts the assignment Edulastic already has in the attempt's class when the answer was lost", async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: eduTest });
      const first = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      await loseAnswer(student.sourcedId);
      const before = (await edu().calls()).length;

      const res = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);

      expect(res.body).toEqual(first.body);
      const calls = (await edu().calls()).slice(before);
      expect(calls.filter((c) => c.path === '/api/assignments/v2/assign').map((c) => c.status)).toEqual([409]);
      // The class and the login were recorded: neither is made again.
      expect(calls.filter((c) => c.path === '/api/group' || c.path === '/api/enrollment/user')).toEqual([]);
    });
  });

  describe('bad input changes nothing', () => {
    const expectImsx = (body: Record<string, any>, status: number, text: RegExp) => {
      expect(Object.keys(body).sort()).toEqual(
        expect.arrayContaining(['imsx_CodeMinor', 'imsx_codeMajor', 'imsx_description', 'imsx_severity']),
      );
      expectMatchesSchema(
        powerPathResponseValidator('/powerpath/makeExternalTestAssignment', 'post', String(status)),
        body,
      );
      expect(body.imsx_codeMajor).toBe('failure');
      expect(body.imsx_description).toMatch(text);
      expect(JSON.stringify(body)).not.toMatch(/at \w+ \(|\.ts:\d+/);
    };

    it.each([
      ['missing lesson', { student: 's' }, /lesson/],
      ['student of the wrong type', { student: 42, lesson: 'l' }, /student must be a string/],
      ['unknown field', { student: 's', lesson: 'l', extra: 1 }, /property extra should not exist/],
      [
        'a constructor field',
        JSON.parse('{"student":"s","lesson":"l","constructor":{"x":1}}'),
        /property constructor should not exist/,
      ],
      [
        'a __proto__ field',
        JSON.parse('{"student":"s","lesson":"l","__proto__":{"x":1}}'),
        /property __proto__ should not exist/,
      ],
      [
        'non-boolean skipCourseEnrollment',
        { student: 's', lesson: 'l', skipCourseEnrollment: 'yes' },
        /skipCourseEnrollment must be a boolean/,
      ],
      [
        'empty applicationName',
        { student: 's', lesson: 'l', applicationName: '' },
        /applicationName should not be empty/,
      ],
    ])('400 for %s', async (_name, body, text) => {
      const res = await assign(body).expect(400);
      expectImsx(res.body, 400, text);
      expect(res.body.imsx_error_details?.length).toBeGreaterThan(0);
    });

    it('422 for a disabled student (enabledUser false), nothing made at either tool; an earlier assignment still answers', async () => {
      const calls = async () => (await mt().calls()).length + (await edu().calls()).length;
      const before = await calls();
      for (const lesson of [
        await createLesson(t.orm),
        await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: eduTest }),
      ]) {
        const student = await createStudent(t.orm, { enabledUser: false });
        const res = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(422);
        expectImsx(
          res.body,
          422,
          /^Student '.+' is disabled \(enabledUser is false\): no test is assigned to a disabled account$/,
        );
        expect(await assignmentRows(t.orm, student.sourcedId, lesson.sourcedId)).toEqual({ results: 0, lineItems: 0 });
      }
      expect(await calls()).toBe(before);
      // Disabled after its assignment: the repeat call answers what was made (nothing new is asked of the tool).
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm);
      const made = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      await t.orm.em
        .fork()
        .getConnection()
        .execute('update users set enabled_user = false where sourced_id = ?', [student.sourcedId]);
      expect((await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200)).body).toEqual(
        made.body,
      );
    });

    it('400 naming a value of the wrong type once, by its type', async () => {
      const res = await assign({ student: 42, lesson: ['l'] }).expect(400);
      expectImsx(res.body, 400, /^student must be a string; lesson must be a string$/);
      expect(res.body.imsx_error_details).toEqual([
        { code: 'INVALID_REQUEST', field: 'student', message: 'student must be a string' },
        { code: 'INVALID_REQUEST', field: 'lesson', message: 'lesson must be a string' },
      ]);
    });

    it('400 naming a missing field once, whatever rules it has', async () => {
      const res = await assign({ student: 's' }).expect(400);
      expectImsx(res.body, 400, /^lesson is required$/);
      expect(res.body.imsx_error_details).toEqual([
        expect.objectContaining({ field: 'lesson', message: 'lesson is required' }),
      ]);
    });

    it('415 for a body that is not JSON (text/plain, XML, a form), changing nothing', async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm);
      const body = JSON.stringify({ student: student.sourcedId, lesson: lesson.sourcedId });
      const form = `student=${student.sourcedId}&lesson=${lesson.sourcedId}`;
      // A form is OAuth's (the token endpoint), not this route's: curl -d without a Content-Type sends one.
      for (const [type, sent] of [
        ['text/plain', body],
        ['application/xml', body],
        ['application/vnd.api+json', body],
        ['application/x-www-form-urlencoded', form],
        ['application/x-www-form-urlencoded', body],
      ]) {
        const res = await t
          .http()
          .post(ROUTE)
          .set('Authorization', `Bearer ${token}`)
          .set('Content-Type', type)
          .send(sent);
        expect(res.status).toBe(415);
        // PowerPath's contract lists no 415: the body is our imsx envelope, as for every error.
        expect(res.body).toMatchObject({ imsx_codeMajor: 'failure', imsx_severity: 'error' });
        // One wording for every type but JSON, saying what to send.
        expect(res.body.imsx_description).toBe('Unsupported media type: send the body as application/json');
      }
      // Bytes without a Content-Type: the same answer.
      const untyped = await fetch(`${t.baseUrl}${ROUTE}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
        body: new TextEncoder().encode(body),
      });
      expect(untyped.headers.get('content-type')).toMatch(/^application\/json/);
      expect([untyped.status, ((await untyped.json()) as { imsx_description: string }).imsx_description]).toEqual([
        415,
        'Unsupported media type: send the body as application/json',
      ]);
      expect(await assignmentRows(t.orm, student.sourcedId, lesson.sourcedId)).toEqual({ results: 0, lineItems: 0 });
      // A form to a path that does not exist is still a 404, not a word about the media type.
      const lost = await t
        .http()
        .post('/oauth2/nowhere')
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send('grant_type=client_credentials');
      expect(lost.status).toBe(404);
      // However large (past the body limit) and whatever its type: an unknown path's body is not read.
      const big = await t
        .http()
        .post('/nowhere/at/all')
        .set('Content-Type', 'application/octet-stream')
        .send(Buffer.alloc(200 * 1024));
      expect(big.status).toBe(404);
      // An empty body names no type worth refusing: it is no body, and the missing fields are named.
      for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
        const empty = await t
          .http()
          .post(ROUTE)
          .set('Authorization', `Bearer ${token}`)
          .set('Content-Type', type)
          .send('');
        expect([empty.status, empty.body.imsx_description]).toEqual([400, 'student is required; lesson is required']);
      }
    });

    it('415 for JSON that would be misread in the charset it names; UTF-8, or ASCII in a charset extending it, is read', async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm);
      const body = JSON.stringify({ student: student.sourcedId, lesson: lesson.sourcedId });
      for (const [charset, bytes] of [
        ['utf-16le', Buffer.from(body, 'utf16le')],
        ['utf-16', Buffer.from(body, 'utf16le')],
        ['latin1', Buffer.from(body.replace('}', ',"applicationName":"é"}'), 'latin1')],
        ['"iso-8859-1"', Buffer.from(body.replace('}', ',"applicationName":"é"}'), 'latin1')],
      ] as const) {
        const res = await t
          .http()
          .post(ROUTE)
          .set('Authorization', `Bearer ${token}`)
          .set('Content-Type', `application/json; charset=${charset}`)
          // The bytes as they are (superagent would send a Buffer as JSON of its own).
          .serialize((b: unknown) => b as string)
          .send(bytes);
        expect([charset, res.status, res.body.imsx_description]).toEqual([
          charset,
          415,
          'Unsupported charset: send the body in UTF-8',
        ]);
      }
      expect(await assignmentRows(t.orm, student.sourcedId, lesson.sourcedId)).toEqual({ results: 0, lineItems: 0 });
      const form = await t
        .http()
        .post('/oauth2/token')
        .set('Content-Type', 'application/x-www-form-urlencoded; charset=utf-16')
        .send('grant_type=client_credentials');
      expect(form.status).toBe(415);
      for (const charset of ['UTF-8', 'utf8', '"utf-8"', 'us-ascii', 'ISO-8859-1']) {
        await t
          .http()
          .post(ROUTE)
          .set('Authorization', `Bearer ${token}`)
          .set('Content-Type', `application/json; charset=${charset}`)
          .send(body)
          .expect(200);
      }
    });

    it('400 for malformed JSON', async () => {
      const res = await t
        .http()
        .post(ROUTE)
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .send('{"student":');
      expect(res.status).toBe(400);
      expectImsx(res.body, 400, /./);
    });

    it('404 for an unknown student or lesson', async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm);
      expectImsx(
        (await assign({ student: 'nobody', lesson: lesson.sourcedId }).expect(404)).body,
        404,
        /student 'nobody' not found/,
      );
      expectImsx(
        (await assign({ student: student.sourcedId, lesson: 'nothing' }).expect(404)).body,
        404,
        /lesson 'nothing' not found/,
      );
      expect(await assignmentRows(t.orm, student.sourcedId, lesson.sourcedId)).toEqual({ results: 0, lineItems: 0 });
    });

    const unprocessable: [string, () => Promise<{ student: string; lesson: string; extra?: object }>, RegExp][] = [
      [
        'a user who is not a student',
        async () => ({
          student: (
            await createStudent(t.orm, {
              role: 'teacher',
              roles: [{ roleType: 'primary', role: 'teacher', org: { sourcedId: 'o' } }],
            })
          ).sourcedId,
          lesson: (await createLesson(t.orm)).sourcedId,
        }),
        /is not a student/,
      ],
      [
        'a student without email',
        async () => ({
          student: (await createStudent(t.orm, { email: null })).sourcedId,
          lesson: (await createLesson(t.orm)).sourcedId,
        }),
        /has no email/,
      ],
      [
        'a lesson that is not an external test',
        async () => ({
          student: (await createStudent(t.orm)).sourcedId,
          lesson: (await createLesson(t.orm, { lessonType: 'quiz' })).sourcedId,
        }),
        /not an external test-out, placement or unit-test/,
      ],
      [
        'an unsupported toolProvider',
        async () => ({
          student: (await createStudent(t.orm)).sourcedId,
          lesson: (await createLesson(t.orm, { toolProvider: 'khan-academy' })).sourcedId,
        }),
        /Unsupported toolProvider 'khan-academy'/,
      ],
      [
        'MasteryTrack without subject',
        async () => ({
          student: (await createStudent(t.orm)).sourcedId,
          lesson: (await createLesson(t.orm, { resourceMetadata: { subject: undefined } })).sourcedId,
        }),
        /need resource.metadata.subject/,
      ],
      [
        'MasteryTrack without grade',
        async () => ({
          student: (await createStudent(t.orm)).sourcedId,
          lesson: (await createLesson(t.orm, { grades: [] })).sourcedId,
        }),
        /need resource.metadata.grades/,
      ],
      [
        'Edulastic without vendorId',
        async () => ({
          student: (await createStudent(t.orm)).sourcedId,
          lesson: (await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: null })).sourcedId,
        }),
        /need the test id in resource.vendorId/,
      ],
      [
        'an unknown applicationName',
        async () => ({
          student: (await createStudent(t.orm)).sourcedId,
          lesson: (await createLesson(t.orm)).sourcedId,
          extra: { applicationName: 'no-such-app' },
        }),
        /Unknown applicationName 'no-such-app'/,
      ],
      [
        'a test MasteryTrack does not know',
        async () => ({
          student: (await createStudent(t.orm)).sourcedId,
          lesson: (await createLesson(t.orm)).sourcedId,
          extra: { testId: '_000000000000000000000000' },
        }),
        /MasteryTrack rejected the assignment: TEST_NOT_FOUND/,
      ],
      [
        'a test MasteryTrack does not support',
        async () => ({
          student: (await createStudent(t.orm)).sourcedId,
          lesson: (await createLesson(t.orm)).sourcedId,
          extra: { testId: mtUnsupported.timeback_id },
        }),
        /TEST_NOT_SUPPORTED/,
      ],
      [
        'a test Edulastic does not know',
        async () => ({
          student: (await createStudent(t.orm)).sourcedId,
          lesson: (await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: 'ffffffffffffffffffffffff' }))
            .sourcedId,
        }),
        /Edulastic rejected the assignment: Test not found/,
      ],
    ];

    it.each(unprocessable)('422 for %s', async (_name, arrange, text) => {
      const { student, lesson, extra } = await arrange();
      const res = await assign({ student, lesson, ...extra }).expect(422);
      expectImsx(res.body, 422, text);
      expect(await assignmentRows(t.orm, student, lesson)).toEqual({ results: 0, lineItems: 0 });
    });

    it('502 when MasteryTrack answers 500: the attempt stays pending (the tool may have made it) and a retry finishes it once', async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm);
      await mt().fault({ method: 'POST', path: '/delivery/assignments/assign', status: 500, times: 10 });
      const res = await assign({ student: student.sourcedId, lesson: lesson.sourcedId });
      expect(res.status).toBe(502);
      expect(res.body).toMatchObject({
        imsx_codeMajor: 'failure',
        imsx_description: expect.stringMatching(/MasteryTrack/),
      });
      const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
      expect(await ledgerRow(t.orm, row.sourced_id)).toMatchObject({
        state: 'pending',
        lease_token: null,
        external_id: null,
      });

      await mt().clearFaults();
      const retried = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      expect((await resultRow(t.orm, student.sourcedId, lesson.sourcedId)).sourced_id).toBe(row.sourced_id);
      expect((await ledgerRow(t.orm, row.sourced_id)).external_id).toBe(retried.body.assignmentId);
      expect(await assignmentRows(t.orm, student.sourcedId, lesson.sourcedId)).toEqual({ results: 1, lineItems: 1 });
    });

    it('503 (with Retry-After) when MasteryTrack is overloaded: the tool did nothing, so nothing is kept', async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm);
      await mt().fault({ method: 'POST', path: '/delivery/assignments/assign', status: 503, times: 10 });
      const res = await assign({ student: student.sourcedId, lesson: lesson.sourcedId });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({
        imsx_codeMajor: 'failure',
        imsx_description: expect.stringMatching(/unavailable/),
      });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(await assignmentRows(t.orm, student.sourcedId, lesson.sourcedId)).toEqual({ results: 0, lineItems: 0 });
    });

    it('504 when Edulastic does not answer in time; the retry adopts what the tool made meanwhile, once', async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: eduTest });
      await edu().fault({ method: 'POST', path: '/api/assignments/v2/assign', delayMs: 2500, times: 3 });
      const res = await assign({ student: student.sourcedId, lesson: lesson.sourcedId });
      expect(res.status).toBe(504);
      expect(res.body.imsx_description).toMatch(/did not answer in time/);
      const row = await resultRow(t.orm, student.sourcedId, lesson.sourcedId);
      expect(await ledgerRow(t.orm, row.sourced_id)).toMatchObject({ state: 'pending', lease_token: null });

      await edu().clearFaults();
      const retried = await assign({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      expect((await ledgerRow(t.orm, row.sourced_id)).external_id).toBe(retried.body.assignmentId);
    });
  });

  describe('auth', () => {
    it('401 with WWW-Authenticate without a token or with a bad one', async () => {
      const none = await t.http().post(ROUTE).send({ student: 's', lesson: 'l' }).expect(401);
      expect(none.headers['www-authenticate']).toBe('Bearer');
      expect(none.body.imsx_CodeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue).toBe('unauthorisedrequest');
      const bad = await assign({ student: 's', lesson: 'l' }, 'not.a.jwt').expect(401);
      expect(bad.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });

    it('403 with insufficient_scope for a token without the powerpath scope', async () => {
      const readOnly = await t.token('https://purl.imsglobal.org/spec/or/v1p1/scope/roster.readonly');
      const res = await assign({ student: 's', lesson: 'l' }, readOnly).expect(403);
      expect(res.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
      expect(res.body.imsx_CodeMinor.imsx_codeMinorField[0].imsx_codeMinorFieldValue).toBe('forbidden');
    });
  });
});
