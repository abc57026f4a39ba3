import { connect } from 'node:net';
import { Org } from '@external-tests/persistence';
import { DEFAULT_EDULASTIC_TESTS } from '@external-tests/sandbox';
import { createLesson, createStudent, uid } from '../helpers/fixtures';
import { countRows } from '../helpers/rows';
import { sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';

/**
 * Input an attacker chooses, each case once found answering 500 or doing the wrong thing (issue 10, findings 5,
 * 12, 13, 14, 16): every one is a 4xx imsx answer that names the field, and nothing is written.
 */
const PP = '/powerpath';
const OR = '/ims/oneroster/rostering/v1p2';
const TRACKS = '/edubridge/subject-track/';

/** `{"a":{"a":…}}` n levels deep, as raw JSON text (JSON.stringify of such a value would itself overflow). */
const deepJson = (n: number, leaf = '1') => `${'{"a":'.repeat(n)}${leaf}${'}'.repeat(n)}`;
const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

/**
 * The raw answer to raw bytes, once the service has closed the connection. `end`: the client closes its side after
 * them (a request the parser refuses is answered at once; a routed one needs `Connection: close` and the side open).
 */
const exchange = (app: TestApp, bytes: string, end = true) =>
  new Promise<{ status: number; headers: string; body: string }>((resolve, reject) => {
    const { hostname, port } = new URL(app.baseUrl);
    const socket = connect(Number(port), hostname, () => (end ? socket.end(bytes) : socket.write(bytes)));
    let text = '';
    socket.on('data', (d) => (text += d.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, body] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body });
    });
  });

describe('hostile input', () => {
  let t: TestApp;
  let auth: { Authorization: string };
  let student: string;
  let lesson: string;
  let eduLesson: string;
  const rowCount = () =>
    countRows(
      t.orm,
      '(select 1 from users union all select 1 from assessment_results union all select 1 from assessment_line_items union all select 1 from subject_tracks union all select 1 from idempotency_keys) x',
      [],
    );
  const expectImsx = (res: { status: number; body: Record<string, any> }, status: number, field?: string) => {
    expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { imsx_codeMajor: 'failure' } });
    if (field) expect(res.body.imsx_error_details?.[0]?.field).toBe(field);
  };

  beforeAll(async () => {
    t = await createTestApp();
    auth = { Authorization: `Bearer ${await t.token()}` };
    student = (await createStudent(t.orm)).sourcedId;
    lesson = (await createLesson(t.orm)).sourcedId;
    eduLesson = (await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: DEFAULT_EDULASTIC_TESTS[0].id }))
      .sourcedId;
    // The org the OneRoster bodies' roles refer to (another suite on this worker's database may have made it).
    await t.orm.em.fork().upsert(Org, { sourcedId: 'org-1', name: 'Org 1', type: 'school' });
  });
  afterAll(() => t.close());

  describe('applicationName names an own account only (finding 5)', () => {
    it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
      '%s is 422 "unknown applicationName", no tool call',
      async (name) => {
        const before = await rowCount();
        const calls = async () =>
          (await sandboxControl(t.sandboxes, 'masteryTrack').calls()).length +
          (await sandboxControl(t.sandboxes, 'edulastic').calls()).length;
        const callsBefore = await calls();
        for (const l of [lesson, eduLesson]) {
          const res = await t
            .http()
            .post(`${PP}/makeExternalTestAssignment`)
            .set(auth)
            .send({ student, lesson: l, applicationName: name });
          expectImsx(res, 422, 'applicationName');
          expect(res.body.imsx_description).toMatch(/^Unknown applicationName/);
        }
        expect(await calls()).toBe(callsBefore);
        expect(await rowCount()).toBe(before);
      },
    );
  });

  describe('NUL and lone surrogates are 400 naming the field, at every entry point (finding 12)', () => {
    const NUL = 'a\u0000b';
    const cases: [string, () => any, string][] = [
      [
        'body student',
        () => t.http().post(`${PP}/makeExternalTestAssignment`).send({ student: NUL, lesson }),
        'student',
      ],
      ['body lesson', () => t.http().post(`${PP}/makeExternalTestAssignment`).send({ student, lesson: NUL }), 'lesson'],
      [
        'body applicationName',
        () => t.http().post(`${PP}/makeExternalTestAssignment`).send({ student, lesson, applicationName: NUL }),
        'applicationName',
      ],
      [
        'body testId',
        () => t.http().post(`${PP}/makeExternalTestAssignment`).send({ student, lesson, testId: NUL }),
        'testId',
      ],
      [
        'createNewAttempt body',
        () => t.http().post(`${PP}/createNewAttempt`).send({ student: NUL, lesson }),
        'student',
      ],
      ['query student', () => t.http().get(`${PP}/getAttempts`).query({ student: NUL, lesson }), 'student'],
      [
        'query applicationName',
        () =>
          t.http().get(`${PP}/importExternalTestAssignmentResults`).query({ student, lesson, applicationName: NUL }),
        'applicationName',
      ],
      ['OneRoster path id (GET)', () => t.http().get(`${OR}/users/a%00b`), 'sourcedId'],
      ['OneRoster path id (DELETE)', () => t.http().delete(`${OR}/users/a%00b`), 'sourcedId'],
      ['OneRoster list sort', () => t.http().get(`${OR}/users`).query({ sort: NUL }), 'sort'],
      [
        'OneRoster PUT body (nested metadata)',
        () =>
          t
            .http()
            .put(`${OR}/users/${uid('u')}`)
            .send({ user: { givenName: 'G', familyName: 'F', email: 'x@example.org', metadata: { note: NUL } } }),
        'user.metadata.note',
      ],
      [
        'OneRoster POST body',
        () =>
          t
            .http()
            .post(`${OR}/users`)
            .send({ user: { sourcedId: uid('u'), givenName: NUL } }),
        'user.givenName',
      ],
      [
        'a key of a OneRoster body',
        () =>
          t
            .http()
            .put(`${OR}/users/${uid('u')}`)
            .send({ user: { givenName: 'G', metadata: { [NUL]: 1 } } }),
        'user.metadata',
      ],
      [
        'subject-track PUT body',
        () => t.http().put(TRACKS).send({ subject: NUL, grade: '4', courseId: 'c' }),
        'subject',
      ],
      ['subject-track query', () => t.http().get(TRACKS).query({ subject: NUL }), 'subject'],
      [
        'lone surrogate in a body',
        () =>
          t
            .http()
            .post(`${PP}/makeExternalTestAssignment`)
            .set('Content-Type', 'application/json')
            .send(`{"student":"\\ud800x","lesson":"${lesson}"}`),
        'student',
      ],
      [
        'lone surrogate in OneRoster metadata',
        () =>
          t
            .http()
            .put(`${OR}/users/${uid('u')}`)
            .set('Content-Type', 'application/json')
            .send('{"user":{"givenName":"G","metadata":{"n":"\\udc00"}}}'),
        'user.metadata.n',
      ],
    ];
    it.each(cases)('%s', async (_label, send, field) => {
      const before = await rowCount();
      const res = await send().set(auth);
      expectImsx(res, 400, field);
      expect(res.body.imsx_description).toMatch(new RegExp(`^${field.replace(/[.[\]]/g, '\\$&')}( keys)? must`));
      expect(await rowCount()).toBe(before);
    });
  });

  describe('deep JSON is 400 at the body parser (finding 13)', () => {
    const routes: [string, string, string][] = [
      ['POST', `${PP}/makeExternalTestAssignment`, deepJson(5000)],
      ['POST', `${PP}/createNewAttempt`, deepJson(3000)],
      ['POST', `${PP}/resetAttempt`, deepArray(4000)],
      ['POST', '/oauth2/token', deepJson(5000)],
      ['PUT', `${OR}/users/deep-user`, `{"user":${deepJson(5000)}}`],
      ['POST', `${OR}/users`, `{"user":{"sourcedId":"deep","metadata":${deepArray(3000)}}}`],
      ['PUT', TRACKS, deepJson(5000)],
    ];
    it.each(routes)('%s %s', async (method, path, body) => {
      const before = await rowCount();
      const req = method === 'PUT' ? t.http().put(path) : t.http().post(path);
      const res = await req.set(auth).set('Content-Type', 'application/json').send(body);
      expectImsx(res, 400);
      expect(res.body.imsx_description).toBe('JSON nested deeper than 64 levels');
      expect(await rowCount()).toBe(before);
    });

    it('brackets inside strings do not count, and 30 levels of metadata are fine', async () => {
      const id = uid('u');
      const body = `{"user":{"sourcedId":"${id}","status":"active","enabledUser":true,"givenName":"${'['.repeat(200)}","familyName":"F","roles":[{"roleType":"primary","role":"student","org":{"sourcedId":"org-1"}}],"metadata":${deepJson(30, '"\\\\\\"{"')}}}`;
      const res = await t.http().put(`${OR}/users/${id}`).set(auth).set('Content-Type', 'application/json').send(body);
      expect(res.body.imsx_description).toBeUndefined();
      expect(res.status).toBeLessThan(300);
    });
  });

  it('a query string whose percent-encoding does not decode is a 400, not read as its raw text', async () => {
    for (const query of ['student=%FF&lesson=x', 'student=%&lesson=x', 'student=%ED%A0%80&lesson=x']) {
      const res = await t.http().get(`${PP}/getAttempts?${query}`).set(auth);
      expectImsx(res, 400);
      expect(res.body.imsx_description).toMatch(/query string is malformed/);
    }
    const filter = await t.http().get(`${OR}/users?filter=givenName%3D'%ED%A0%80'`).set(auth);
    expectImsx(filter, 400);
    // Encoded as it should be, the same text is a name like any other (here: one nobody has).
    const named = await t.http().get(`${PP}/getAttempts?student=%25FF&lesson=x`).set(auth).expect(404);
    expect(named.body.imsx_description).toBe("student '%FF' not found");
    const plus = await t.http().get(`${PP}/getAttempts?student=a+b%20c&lesson=x`).set(auth).expect(404);
    expect(plus.body.imsx_description).toBe("student 'a b c' not found");
  });

  describe("what Node's HTTP parser refuses, before there is a request to route", () => {
    const exchangeHere = (bytes: string) => exchange(t, bytes);
    it.each([
      ['a method no parser knows', 'FOO /powerpath/getAttempts HTTP/1.1\r\nHost: x\r\n\r\n', 400],
      [
        'Content-Length and Transfer-Encoding both',
        'POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        400,
      ],
      [
        'headers over the size limit',
        `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`,
        431,
      ],
    ])('%s answers in the imsx envelope', async (_what, bytes, status) => {
      const res = await exchangeHere(bytes);
      expect(res.status).toBe(status);
      expect(res.headers).toContain('content-type: application/json');
      expect(JSON.parse(res.body)).toMatchObject({
        imsx_codeMajor: 'failure',
        imsx_severity: 'error',
        imsx_error_details: [{ code: 'INVALID_REQUEST' }],
      });
    });
  });

  it('a byte order mark before the JSON is ignored (RFC 8259 §8.1 allows it; Windows tools write one)', async () => {
    const id = uid('org');
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(JSON.stringify({ org: { sourcedId: id, status: 'active', name: 'Bom', type: 'school' } })),
    ]);
    const res = await t
      .http()
      .put(`${OR}/orgs/${id}`)
      .set(auth)
      .set('Content-Type', 'application/json')
      .serialize((b: Buffer) => b as unknown as string)
      .send(bytes);
    expect([res.status, res.body.org?.name]).toEqual([201, 'Bom']);
  });

  it('a body that is not well-formed UTF-8 is a 400, not decoded into U+FFFD and stored', async () => {
    const id = uid('org');
    const bytes = Buffer.concat([
      Buffer.from(`{"org":{"sourcedId":"${id}","status":"active","name":"Caf`),
      Buffer.from([0xe9, 0x20, 0xff]),
      Buffer.from('","type":"school"}}'),
    ]);
    for (const type of ['application/json', 'application/json; charset=utf-8']) {
      // serialize: the bytes as they are (superagent would write a Buffer as JSON).
      const res = await t
        .http()
        .put(`${OR}/orgs/${id}`)
        .set(auth)
        .set('Content-Type', type)
        .serialize((b: Buffer) => b as unknown as string)
        .send(bytes);
      expectImsx(res, 400);
      expect(res.body.imsx_description).toBe('The body is not well-formed UTF-8');
    }
    await t.http().get(`${OR}/orgs/${id}`).set(auth).expect(404);
    const named = Buffer.concat([
      Buffer.from(`{"student":"a`),
      Buffer.from([0xff]),
      Buffer.from(`","lesson":"${lesson}"}`),
    ]);
    const res = await t
      .http()
      .post(`${PP}/makeExternalTestAssignment`)
      .set(auth)
      .set('Content-Type', 'application/json')
      .serialize((b: Buffer) => b as unknown as string)
      .send(named);
    expectImsx(res, 400);
  });

  describe('numbers and dates no column stores are 400 naming the field, and nothing is written', () => {
    const G = '/ims/oneroster/gradebook/v1p2';
    // Raw JSON: 1e400 is a literal JSON.parse reads as Infinity (JSON.stringify would write null).
    const putRaw = (path: string, json: string) =>
      t.http().put(path).set(auth).set('Content-Type', 'application/json').send(json);

    it.each([
      ['resultValueMax: 1e400', '"resultValueMax":1e400', 'assessmentLineItem.resultValueMax'],
      ['resultValueMin: -1e400', '"resultValueMin":-1e400', 'assessmentLineItem.resultValueMin'],
    ])('a line item with %s', async (_what, field, named) => {
      const id = uid('li');
      const res = await putRaw(
        `${G}/assessmentLineItems/${id}`,
        `{"assessmentLineItem":{"sourcedId":"${id}","status":"active","title":"x",${field}}}`,
      );
      expectImsx(res, 400, named);
      expect(res.body.imsx_description).toBe(`${named} must be a number within the range of a double`);
      await t.http().get(`${G}/assessmentLineItems/${id}`).set(auth).expect(404);
    });

    it.each([
      [
        'scorePercentile: 1e400',
        '"scoreDate":"2026-11-01T10:00:00Z","scorePercentile":1e400',
        'assessmentResult.scorePercentile',
      ],
      ['a leap second', '"scoreDate":"2016-12-31T23:59:60Z"', 'assessmentResult.scoreDate'],
      ['the year 0000', '"scoreDate":"0000-01-01T00:00:00Z"', 'assessmentResult.scoreDate'],
    ])('a result with %s', async (_what, fields, named) => {
      const li = uid('li');
      await t
        .http()
        .put(`${G}/assessmentLineItems/${li}`)
        .set(auth)
        .send({ assessmentLineItem: { sourcedId: li, status: 'active', title: 'x' } })
        .expect(201);
      const id = uid('result');
      const res = await putRaw(
        `${G}/assessmentResults/${id}`,
        `{"assessmentResult":{"sourcedId":"${id}","status":"active","assessmentLineItem":{"sourcedId":"${li}"},` +
          `"student":{"sourcedId":"${student}"},"scoreStatus":"fully graded","score":5,${fields}}}`,
      );
      expectImsx(res, 400, named);
      await t.http().get(`${G}/assessmentResults/${id}`).set(auth).expect(404);
    });
  });

  describe('a body that breaks thousands of rules gets an answer of a bounded size', () => {
    it('OneRoster: 30,000 roles each missing its fields name the first 20 problems and count the rest', async () => {
      const id = uid('user');
      const roles = Array.from({ length: 30_000 }, () => ({}));
      const body = JSON.stringify({
        user: { sourcedId: id, enabledUser: true, givenName: 'a', familyName: 'b', roles },
      });
      expect(body.length).toBeLessThan(100 * 1024);
      const res = await t.http().put(`${OR}/users/${id}`).set(auth).set('Content-Type', 'application/json').send(body);
      expectImsx(res, 400);
      expect(res.body.imsx_error_details).toHaveLength(20);
      // Three problems a role (its role, roleType and org are required): 90,000, of which 20 are named.
      expect(res.body.imsx_description).toMatch(/; and 89980 more$/);
      expect(JSON.stringify(res.body).length).toBeLessThan(10_000);
      await t.http().get(`${OR}/users/${id}`).set(auth).expect(404);
    });

    it('PowerPath: 60 unknown fields name the first 20 and count the rest', async () => {
      const body: Record<string, unknown> = { student, lesson };
      for (let i = 0; i < 60; i++) body[`k${i}`] = 1;
      const res = await t.http().post(`${PP}/makeExternalTestAssignment`).set(auth).send(body);
      expectImsx(res, 400);
      expect(res.body.imsx_error_details).toHaveLength(20);
      expect(res.body.imsx_description).toMatch(/^property k0 should not exist; .*; and 40 more$/);
    });

    it('PowerPath: no body at all names the missing fields, as an empty one does', async () => {
      const res = await fetch(`${t.baseUrl}${PP}/makeExternalTestAssignment`, {
        method: 'POST',
        headers: auth,
      });
      expect([res.status, ((await res.json()) as { imsx_description: string }).imsx_description]).toEqual([
        400,
        'student is required; lesson is required',
      ]);
    });

    it('an unknown path is a 404 whatever JSON body it carries (not a JSON object, not JSON at all)', async () => {
      for (const body of ['[1,2,3]', '42', '{"unclosed": '])
        expectImsx(
          await t.http().post(`${PP}/noSuchOperation`).set(auth).set('Content-Type', 'application/json').send(body),
          404,
        );
    });

    it('an unknown path is a 404 before its body is read: past the body limit, or with a Content-Type that is not a media type', async () => {
      const big = `{"a":"${'x'.repeat(200 * 1024)}"}`;
      for (const [type, body] of [
        ['application/json', big],
        ['application/x-www-form-urlencoded', `a=${'x'.repeat(200 * 1024)}`],
        ['text/plain', big],
        ['not a media type', '{}'],
        ['application/json; charset', '{}'],
      ]) {
        const res = await t.http().post(`${PP}/noSuchOperation`).set(auth).set('Content-Type', type).send(body);
        expect([type, res.status]).toEqual([type, 404]);
        expectImsx(res, 404);
      }
      // Nor is an encoding it names refused: that body is not read either.
      const gzipped = await t
        .http()
        .post(`${PP}/noSuchOperation`)
        .set(auth)
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .send('{}');
      expectImsx(gzipped, 404);
      // A known path keeps its answers: the body limit, and the refused Content-Type.
      for (const [type, body, status] of [
        ['application/json', big, 413],
        ['not a media type', '{}', 415],
      ] as const)
        expectImsx(
          await t.http().post(`${PP}/makeExternalTestAssignment`).set(auth).set('Content-Type', type).send(body),
          status,
        );
      // Nor does an unknown path skip the checks that say which request this is: two Hosts are still a 400.
      const twoHosts = await exchange(
        t,
        'POST /powerpath/noSuchOperation HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nContent-Length: 0\r\n\r\n',
      );
      expect(twoHosts.status).toBe(400);
    });

    it.each(['[1,2,3]', '[]', '[{"student":"s","lesson":"l"}]', 'null', '"x"', '42', 'true'])(
      'a JSON body that is not an object (%s) is one problem, the body, on PowerPath and OneRoster alike',
      async (body) => {
        const id = uid('org');
        for (const req of [t.http().post(`${PP}/makeExternalTestAssignment`), t.http().put(`${OR}/orgs/${id}`)]) {
          const res = await req.set(auth).set('Content-Type', 'application/json').send(body);
          expectImsx(res, 400, 'body');
          expect(res.body.imsx_description).toBe('body must be a JSON object');
        }
      },
    );

    it('PowerPath: a query parameter given twice is refused as such, as on OneRoster lists', async () => {
      for (const path of ['getAttempts', 'getAssessmentProgress', 'importExternalTestAssignmentResults']) {
        const res = await t.http().get(`${PP}/${path}?student=a&student=b&lesson=${lesson}`).set(auth);
        expectImsx(res, 400, 'student');
        expect([path, res.body.imsx_description]).toEqual([path, 'student must be given once, as text']);
      }
      const listed = await t.http().get(`${OR}/orgs?limit=1&limit=2`).set(auth);
      expect(listed.body.imsx_description).toBe('limit must be given once, as text');
    });

    it('PowerPath: 9,000 unknown fields are refused by their number, before the class-transformer walks them', async () => {
      const body: Record<string, unknown> = { student, lesson };
      for (let i = 0; i < 9_000; i++) body[`k${i}`] = 1;
      const res = await t.http().post(`${PP}/makeExternalTestAssignment`).set(auth).send(body);
      expectImsx(res, 400, 'body');
      expect(res.body.imsx_error_details).toEqual([
        { code: 'INVALID_REQUEST', field: 'body', message: "body has 9002 fields; a request's object has at most 100" },
      ]);
      // A query is a value bound to a request class too.
      const query = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`q${i}`, '1']));
      const read = await t
        .http()
        .get(`${PP}/getAttempts`)
        .set(auth)
        .query({ student, lesson, ...query });
      expectImsx(read, 400, 'query');
      expect(read.body.imsx_description).toBe("query has 152 fields; a request's object has at most 100");
    });
  });

  describe('headers read one way only: Host (hrefs are built from it), Authorization, Content-Type', () => {
    const get = (host: string | undefined, version = '1.1') =>
      exchange(
        t,
        `GET ${OR}/users/nobody HTTP/${version}\r\n${host === undefined ? '' : `Host: ${host}\r\n`}Authorization: ${auth.Authorization}\r\nConnection: close\r\n\r\n`,
        false,
      );

    it.each([
      ['none, on HTTP/1.1', undefined, 'The request has no Host header'],
      ['a path and markup in it', 'evil.example/"><x', 'The Host header is not a host'],
      ['a space in it', 'a b', 'The Host header is not a host'],
      ['a query and a fragment after the port', 'evil.example:1/x?y#', 'The Host header is not a host'],
    ])('%s: 400 in the imsx envelope', async (_what, host, description) => {
      const res = await get(host);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({
        imsx_description: description,
        imsx_error_details: [{ code: 'INVALID_REQUEST' }],
      });
    });

    it.each([
      ['a name and a port', 'school.example:8443'],
      ['an IPv6 literal', '[::1]:3000'],
      ['an IPv4 address', '127.0.0.1'],
    ])('%s is a host (the request goes on to its 404)', async (_what, host) => {
      const res = await get(host);
      expect(res.status).toBe(404);
      expect(res.body).toContain("user 'nobody' not found");
    });

    it.each([
      ['Authorization', (a: string) => `Authorization: ${a}\r\nAuthorization: Bearer garbage\r\n`],
      [
        'Content-Type',
        (a: string) => `Authorization: ${a}\r\nContent-Type: application/json\r\nContent-Type: text/plain\r\n`,
      ],
      ['Host', (a: string) => `Authorization: ${a}\r\nHost: evil.example\r\n`],
    ])(
      'more than one %s header: 400 (Node would keep the first, a proxy might read the last)',
      async (name, headers) => {
        const res = await exchange(
          t,
          `GET ${OR}/users/nobody HTTP/1.1\r\nHost: x\r\n${headers(auth.Authorization)}Connection: close\r\n\r\n`,
          false,
        );
        expect(res.status).toBe(400);
        expect(JSON.parse(res.body)).toMatchObject({
          imsx_description: `The request has more than one ${name} header`,
        });
      },
    );

    it('a Content-Encoding other than identity is a 415: no parser here decodes one, nothing is written', async () => {
      const id = uid('org');
      const org = { org: { sourcedId: id, status: 'active', name: 'Encoded', type: 'school' } };
      for (const encoding of ['gzip', 'br, gzip']) {
        const res = await t.http().put(`${OR}/orgs/${id}`).set(auth).set('Content-Encoding', encoding).send(org);
        expectImsx(res, 415);
        expect(res.body.imsx_description).toBe('Unsupported Content-Encoding: send the body unencoded');
      }
      await t.http().get(`${OR}/orgs/${id}`).set(auth).expect(404);
      await t.http().put(`${OR}/orgs/${id}`).set(auth).set('Content-Encoding', 'identity').send(org).expect(201);
    });

    it('a Content-Type that is not a media type is a 415 saying what to send, nothing is written', async () => {
      const id = uid('org');
      const org = JSON.stringify({ org: { sourcedId: id, status: 'active', name: 'Typed', type: 'school' } });
      for (const type of ['json', 'application/json extra', 'application json', 'application/']) {
        const res = await t.http().put(`${OR}/orgs/${id}`).set(auth).set('Content-Type', type).send(org);
        expectImsx(res, 415);
        expect(res.body.imsx_description).toBe(
          'The Content-Type header is not a media type: send the body as application/json',
        );
      }
      await t.http().get(`${OR}/orgs/${id}`).set(auth).expect(404);
      // A read carries no body: its Content-Type is not looked at.
      await t.http().get(`${OR}/orgs/${id}`).set(auth).set('Content-Type', 'json').expect(404);
      // A DELETE may carry one.
      expectImsx(await t.http().delete(`${OR}/orgs/${id}`).set(auth).set('Content-Type', 'json'), 415);
    });

    it('HTTP/1.0 may leave it out', async () => {
      expect((await get(undefined, '1.0')).status).toBe(404);
    });
  });

  describe('a request too slow to arrive (HTTP_REQUEST_TIMEOUT_MS)', () => {
    let slowApp: TestApp;
    beforeAll(async () => {
      slowApp = await createTestApp({ HTTP_REQUEST_TIMEOUT_MS: '1500' });
    });
    afterAll(() => slowApp.close());

    it('a body that trickles in, sent without a token, is answered 408 in the imsx envelope and its connection closed', async () => {
      const { hostname, port } = new URL(slowApp.baseUrl);
      const started = Date.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), hostname, () =>
          socket.write(
            `POST ${PP}/makeExternalTestAssignment HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`,
          ),
        );
        // A byte every 200 ms: never idle, never done.
        const drip = setInterval(() => socket.writable && socket.write(' '), 200);
        let text = '';
        socket.on('data', (d) => (text += d.toString('utf8')));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearInterval(drip);
          resolve(text);
        });
        setTimeout(() => reject(new Error('still open after 15 s')), 15_000).unref();
      });
      expect(Date.now() - started).toBeLessThan(15_000);
      const [head, body] = answer.split('\r\n\r\n');
      expect(head.split(' ')[1]).toBe('408');
      expect(JSON.parse(body)).toMatchObject({ imsx_description: 'The request took too long to arrive' });
    });
  });

  describe('subject tracks (finding 14) and decimal-only integers (finding 16)', () => {
    // Subjects of this run only (other suites on this worker's database have tracks too): "Zqm…", "Zq_…" and so on.
    const s = uid('Zqm').replace('-', '');
    const [exact, percent, underscore, lookalike] = [
      s,
      `${s}%`,
      `${s.slice(0, 2)}_${s.slice(3)}`,
      `${s.slice(0, 2)}x${s.slice(3)}`,
    ];

    beforeAll(async () => {
      const conn = t.orm.em.fork().getConnection();
      await conn.execute("insert into courses (sourced_id, title) values ('course-pct', 'Pct') on conflict do nothing");
      for (const subject of [exact, percent, underscore, lookalike]) {
        await t.http().put(TRACKS).set(auth).send({ subject, grade: '4', courseId: 'course-pct' }).expect(200);
      }
    });

    it.each([
      ['offset=1e20', { offset: '1e20' }, 'offset'],
      ['offset=9223372036854775808', { offset: '9223372036854775808' }, 'offset'],
      ['limit=0x10', { limit: '0x10' }, 'limit'],
      ['limit=1e1', { limit: '1e1' }, 'limit'],
      ['offset= 5', { offset: ' 5' }, 'offset'],
    ])('subject tracks: %s is 400', async (_label, query, field) => {
      expectImsx(await t.http().get(TRACKS).set(auth).query(query), 400, field);
    });

    it('subject tracks: a repeated subject is 400', async () => {
      expectImsx(await t.http().get(TRACKS).set(auth).query(`subject=${exact}&subject=${lookalike}`), 400, 'subject');
    });

    it('subject tracks: % and _ match themselves only (case-insensitive equality)', async () => {
      const subjects = async (subject: string) =>
        (await t.http().get(TRACKS).set(auth).query({ subject }).expect(200)).body.subjectTracks.map(
          (x: { subject: string }) => x.subject,
        );
      expect(await subjects(percent)).toEqual([percent]);
      expect(await subjects(underscore)).toEqual([underscore]);
      expect(await subjects(exact.toUpperCase())).toEqual([exact]);
      expect(await subjects(`${s.slice(0, 4)}%`)).toEqual([]);
    });

    it.each(['0x10', '1e1', '16.0', '+16', '0b10'])('OneRoster lists: limit=%s is 400', async (limit) => {
      expectImsx(await t.http().get(`${OR}/users`).set(auth).query({ limit }), 400, 'limit');
    });

    it.each(['0x10', '1e1', '+1', '1.0'])('PowerPath getAssessmentProgress: attempt=%s is 400', async (attempt) => {
      expectImsx(
        await t.http().get('/powerpath/getAssessmentProgress').set(auth).query({ student, lesson, attempt }),
        400,
        'attempt',
      );
    });

    it.each(['0', '-1', '-0'])('PowerPath getAssessmentProgress: attempt=%s is 400, below 1', async (attempt) => {
      const res = await t.http().get('/powerpath/getAssessmentProgress').set(auth).query({ student, lesson, attempt });
      expectImsx(res, 400, 'attempt');
      expect(res.body.imsx_description).toBe('attempt must not be less than 1');
    });

    it.each(['2147483648', '99999999999999999999'])(
      'PowerPath getAssessmentProgress: attempt=%s is 400, above the largest attempt number',
      async (attempt) => {
        const res = await t
          .http()
          .get('/powerpath/getAssessmentProgress')
          .set(auth)
          .query({ student, lesson, attempt });
        expectImsx(res, 400, 'attempt');
        expect(res.body.imsx_description).toBe('attempt must not be greater than 2147483647');
      },
    );

    it('OneRoster lists: limit=16 and offset=0 are fine', async () => {
      const res = await t.http().get(`${OR}/users`).set(auth).query({ limit: '16', offset: '0' }).expect(200);
      expect(res.body.limit).toBe(16);
    });
  });
});
