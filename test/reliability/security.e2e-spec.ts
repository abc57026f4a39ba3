import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { MikroORM } from '@mikro-orm/postgresql';
import { Org } from '@external-tests/persistence';
import { DEFAULT_EDULASTIC_TESTS } from '@external-tests/sandbox';
import { createLesson, createStudent, uid } from '../helpers/fixtures';
import { delayMasteryTrackAssign, sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, DEV_CLIENT, EDU_PASSWORD, MT_API_KEY, TestApp } from '../helpers/test-app';

const ROUTE = '/powerpath/makeExternalTestAssignment';

/** A MasteryTrack lesson whose course belongs to `org` (made here). */
async function lessonInOrg(orm: MikroORM, org: string): Promise<string> {
  const em = orm.em.fork();
  em.create(Org, { sourcedId: org, name: org, type: 'school' });
  await em.flush();
  return (await createLesson(orm, { grades: ['4'], courseOrg: org })).sourcedId;
}

describe('security', () => {
  describe('object-level authorisation (org-restricted tokens)', () => {
    let t: TestApp;
    beforeAll(async () => (t = await createTestApp()));
    afterAll(() => t.close());

    it('acts only on students and lessons of the token org; others look like they do not exist', async () => {
      const [orgA, orgB] = [uid('orgA'), uid('orgB')];
      const lessonA = await lessonInOrg(t.orm, orgA);
      const lessonB = await lessonInOrg(t.orm, orgB);
      const studentA = await createStudent(t.orm, {
        primaryOrgSourcedId: orgA,
        roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: orgA } }],
      });
      const studentB = await createStudent(t.orm, {
        primaryOrgSourcedId: orgB,
        roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: orgB } }],
      });
      const tokenA = await t.token(undefined, { org: orgA });
      const post = (student: string, lesson: string) =>
        t.http().post(ROUTE).set('Authorization', `Bearer ${tokenA}`).send({ student, lesson });

      await post(studentA.sourcedId, lessonA).expect(200);
      const otherStudent = await post(studentB.sourcedId, lessonA).expect(404);
      const missingStudent = await post('no-such-student', lessonA).expect(404);
      expect(otherStudent.body.imsx_description).toBe(`student '${studentB.sourcedId}' not found`);
      expect(Object.keys(otherStudent.body).sort()).toEqual(Object.keys(missingStudent.body).sort());
      await post(studentA.sourcedId, lessonB).expect(404);
      const roster = await t
        .http()
        .get('/ims/oneroster/rostering/v1p2/users')
        .set('Authorization', `Bearer ${tokenA}`)
        .expect(403);
      expect(roster.body.imsx_description).toMatch(/restricted to an org/);
      await t.http().get('/edubridge/subject-track/').set('Authorization', `Bearer ${tokenA}`).expect(403);
      const imported = await t
        .http()
        .get('/powerpath/getAttempts')
        .set('Authorization', `Bearer ${tokenA}`)
        .query({ student: studentB.sourcedId, lesson: lessonB });
      expect(imported.status).toBe(404);
    });
  });

  describe('caching', () => {
    let t: TestApp;
    beforeAll(async () => (t = await createTestApp()));
    afterAll(() => t.close());

    it('no answer may be stored by a browser or a cache: reads, writes and errors carry Cache-Control: no-store', async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm, { grades: ['4'] });
      const auth = `Bearer ${await t.token()}`;
      const query = { student: student.sourcedId, lesson: lesson.sourcedId };
      const answers = [
        await t.http().get('/ims/oneroster/rostering/v1p2/users').set('Authorization', auth).expect(200),
        await t
          .http()
          .get(`/ims/oneroster/rostering/v1p2/users/${student.sourcedId}`)
          .set('Authorization', auth)
          .expect(200),
        await t.http().get('/ims/oneroster/gradebook/v1p2/lineItems/nope').set('Authorization', auth).expect(404),
        await t.http().get('/edubridge/subject-track/').set('Authorization', auth).expect(200),
        await t.http().post(ROUTE).set('Authorization', auth).send(query).expect(200),
        await t.http().get('/powerpath/getAttempts').set('Authorization', auth).query(query).expect(200),
        await t.http().get('/powerpath/getAssessmentProgress').set('Authorization', auth).query(query).expect(200),
        await t.http().get('/ims/oneroster/rostering/v1p2/users').expect(401),
        await t.http().get('/health/live').expect(200),
        // Refused by Fastify before routing (a parameter over maxParamLength): no hook runs for it.
        await t
          .http()
          .get(`/ims/oneroster/rostering/v1p2/users/${'x'.repeat(3000)}`)
          .set('Authorization', auth)
          .expect(400),
      ];
      for (const answer of answers) expect(answer.headers['cache-control']).toBe('no-store');
    });
  });

  describe('abuse limits and headers', () => {
    let t: TestApp;
    beforeAll(async () => (t = await createTestApp({ RATE_LIMIT_PER_MINUTE: '5' })));
    afterAll(() => t.close());

    it('429 with the imsx body and Retry-After past the per-client limit; health is not limited', async () => {
      const token = await t.token();
      const statuses: number[] = [];
      let last: { status: number; headers: Record<string, string>; body: Record<string, unknown> } | undefined;
      for (let i = 0; i < 7; i++) {
        last = await t
          .http()
          .get('/powerpath/getAttempts')
          .set('Authorization', `Bearer ${token}`)
          .query({ student: 'x', lesson: 'y' });
        statuses.push(last.status);
      }
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
      expect(last!.status).toBe(429);
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
      expect(last!.body).toMatchObject({
        imsx_codeMajor: 'failure',
        imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldValue: 'server_busy' }] },
      });
      for (let i = 0; i < 10; i++) await t.http().get('/health/live').expect(200);
    });

    it('413 with the imsx body for an oversized body; helmet headers everywhere', async () => {
      const res = await t
        .http()
        .post(ROUTE)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ student: 'x'.repeat(200_000), lesson: 'l' }));
      expect(res.status).toBe(413);
      expect(res.body.imsx_codeMajor).toBe('failure');
      // helmet's defaults without CSP, on answers of every kind: success, refused, unknown route, too large, Swagger UI.
      const answers = [
        res,
        await t.http().get('/health/live').expect(200),
        // Unauthenticated: 401, or 429 once this block's anonymous limit is spent; refused either way.
        await t
          .http()
          .post(ROUTE)
          .send({})
          .expect((r) => expect([401, 429]).toContain(r.status)),
        await t.http().get('/no/such/route').expect(404),
        await t.http().get('/docs').redirects(1),
      ];
      for (const answer of answers) {
        expect(answer.headers).toMatchObject({
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'SAMEORIGIN',
          'strict-transport-security': 'max-age=31536000; includeSubDomains',
          'referrer-policy': 'no-referrer',
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-resource-policy': 'same-origin',
          'origin-agent-cluster': '?1',
          'x-dns-prefetch-control': 'off',
          'x-download-options': 'noopen',
          'x-permitted-cross-domain-policies': 'none',
          'x-xss-protection': '0',
        });
        expect(answer.headers['x-powered-by']).toBeUndefined();
        expect(answer.headers['content-security-policy']).toBeUndefined();
      }
    });
  });

  describe('logs never carry secrets', () => {
    const lines: string[] = [];
    let t: TestApp;
    beforeAll(async () => {
      const sink = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
      t = await createTestApp({ LOG_LEVEL: 'trace' }, { hooks: { logDestination: sink } });
    });
    afterAll(() => t.close());

    it('at trace level, across success and error paths', async () => {
      const token = await t.token();
      const auth = { Authorization: `Bearer ${token}` };
      const student = await createStudent(t.orm, { givenName: 'Zebulonia', familyName: 'Quaxworthy' });
      const lesson = await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: DEFAULT_EDULASTIC_TESTS[0].id });
      const ok = await t
        .http()
        .post(ROUTE)
        .set(auth)
        .send({ student: student.sourcedId, lesson: lesson.sourcedId })
        .expect(200);
      await t.http().post(ROUTE).set(auth).send({ student: student.sourcedId, lesson: lesson.sourcedId }).expect(200);
      const failing = await createLesson(t.orm);
      await sandboxControl(t.sandboxes, 'masteryTrack').fault({
        path: '/delivery/assignments/assign',
        status: 500,
        times: 5,
      });
      await t.http().post(ROUTE).set(auth).send({ student: student.sourcedId, lesson: failing.sourcedId }).expect(502);
      await t
        .http()
        .post(ROUTE)
        .set({ Authorization: `Bearer ${token}x` })
        .send({})
        .expect(401);
      await t
        .http()
        .post(ROUTE)
        .set(auth)
        .send({ student: 1, lesson: { password: 'nested-secret-value' } })
        .expect(400);
      await t
        .http()
        .post('/oauth2/token')
        .type('form')
        .send({ grant_type: 'client_credentials', client_id: DEV_CLIENT.id, client_secret: 'wrong-secret-value' })
        .expect(401);

      const log = lines.join('');
      expect(lines.length).toBeGreaterThan(5);
      for (const secret of [
        ok.body.credentials.password,
        token,
        token.split('.')[2],
        DEV_CLIENT.secret,
        'wrong-secret-value',
        'nested-secret-value',
        EDU_PASSWORD,
        MT_API_KEY,
      ]) {
        expect(log).not.toContain(secret);
      }
      // Personal data: the student's email (also as the tool login) and names.
      for (const personal of [student.email, ok.body.credentials.email, 'Zebulonia', 'Quaxworthy'])
        expect(log).not.toContain(personal);
      expect(log).not.toMatch(/@example\.org/);
      expect(log).not.toMatch(/Bearer\s+ey/);
      expect(log).not.toMatch(/"credentials":\{/);
    });

    it('a failing statement is logged by its shape, never its values (emails, names)', async () => {
      const token = await t.token();
      const conn = t.orm.em.fork().getConnection();
      const em = t.orm.em.fork();
      const org = uid('org');
      em.create(Org, { sourcedId: org, name: 'Org', type: 'school' });
      await em.flush();
      // The database refuses this row, and says why with the row's own values, as a check or trigger may.
      await conn.execute(`create or replace function eta_refuse_user() returns trigger language plpgsql as $$
        begin if new.family_name = 'Refusable' then raise exception 'refused % % %', new.email, new.given_name, new.family_name; end if; return new; end $$`);
      await conn.execute(
        'create trigger eta_refuse_user before insert or update on users for each row execute function eta_refuse_user()',
      );
      try {
        const id = uid('user');
        const from = lines.length;
        const res = await t
          .http()
          .put(`/ims/oneroster/rostering/v1p2/users/${id}`)
          .set('Authorization', `Bearer ${token}`)
          .send({
            user: {
              sourcedId: id,
              status: 'active',
              enabledUser: true,
              givenName: 'Xanthippe',
              familyName: 'Refusable',
              email: 'xanthippe.private@mail.test',
              roles: [{ roleType: 'primary', role: 'student', org: { sourcedId: org } }],
              metadata: { note: 'personal-note-value' },
            },
          });
        expect(res.status).toBe(500);
        expect(res.text).not.toContain('xanthippe');
        const entry = lines
          .slice(from)
          .map((l) => JSON.parse(l))
          .find((l) => l.msg === 'Unhandled error');
        expect(entry).toBeDefined();
        const text = JSON.stringify(entry);
        for (const value of ['xanthippe.private@mail.test', 'Xanthippe', 'Refusable', 'personal-note-value'])
          expect(text).not.toContain(value);
        expect(entry.error).toMatchObject({
          code: 'P0001',
          statement: expect.stringMatching(/^(insert into|update) "users"/),
        });
        expect(entry.error.statement).toContain('?');
        expect(entry.error.message).toBeUndefined();
        expect(entry.error.frames).toBeUndefined();
      } finally {
        await conn.execute('drop trigger eta_refuse_user on users');
        await conn.execute('drop function eta_refuse_user');
      }
    });
  });

  describe('graceful shutdown', () => {
    /** An app of its own (the test closes it), a token, and an assignment that MasteryTrack holds for 700 ms. */
    const slowAssignment = async () => {
      const t = await createTestApp();
      const token = await t.token();
      const [student, lesson] = [await createStudent(t.orm), await createLesson(t.orm)];
      await delayMasteryTrackAssign(t.sandboxes, 700);
      return { t, token, student, lesson };
    };

    it('finishes an in-flight request before closing', async () => {
      const { t, token, student, lesson } = await slowAssignment();
      const inFlight = t
        .http()
        .post(ROUTE)
        .set('Authorization', `Bearer ${token}`)
        .send({ student: student.sourcedId, lesson: lesson.sourcedId })
        .then((r) => r);
      await sandboxControl(t.sandboxes, 'masteryTrack').untilInFlight('POST', '/delivery/assignments/assign');
      const closing = t.close();
      const res = await inFlight;
      await closing;
      expect(res.status).toBe(200);
      expect(res.body.assignmentId).toBeDefined();
    });

    it('a request arriving while it closes, behind one in flight on the same connection, is 503 in the envelope with Retry-After', async () => {
      const { t, token, student, lesson } = await slowAssignment();
      const { hostname, port } = new URL(t.baseUrl);
      const socket = connect(Number(port), hostname);
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      const ended = new Promise((resolve) => socket.on('close', resolve));
      const body = JSON.stringify({ student: student.sourcedId, lesson: lesson.sourcedId });
      socket.write(
        `POST ${ROUTE} HTTP/1.1\r\nHost: ${t.baseUrl.slice(7)}\r\nAuthorization: Bearer ${token}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      await sandboxControl(t.sandboxes, 'masteryTrack').untilInFlight('POST', '/delivery/assignments/assign');
      const closing = t.close();
      // Kept alive behind the assignment: read once it is answered, by then the server is closing.
      socket.write(`GET /health/live HTTP/1.1\r\nHost: ${t.baseUrl.slice(7)}\r\n\r\n`);
      await ended;
      await closing;
      const [first, second] = received.split(/(?=HTTP\/1\.1 )/);
      expect(first).toMatch(/^HTTP\/1\.1 200 /);
      expect(second).toMatch(/^HTTP\/1\.1 503 /);
      expect(second).toMatch(/\r\nretry-after: 1\r\n/i);
      expect(second).toMatch(/\r\nx-content-type-options: nosniff\r\n/i);
      expect(JSON.parse(second.slice(second.indexOf('\r\n\r\n') + 4))).toMatchObject({
        imsx_codeMajor: 'failure',
        imsx_description: 'The service is stopping; retry after Retry-After seconds',
        imsx_error_details: [{ code: 'BUSY' }],
      });
    });
  });
});
