import { randomUUID } from 'node:crypto';
import { IdempotencyKeyRepository } from '@external-tests/persistence';
import { DEFAULT_EDULASTIC_TESTS } from '@external-tests/sandbox';
import { IdempotencyReaper } from '@external-tests/assignments';
import { createLesson, createStudent } from '../helpers/fixtures';
import { countRows } from '../helpers/rows';
import { delayMasteryTrackAssign, sandboxControl } from '../helpers/sandbox-control';
import { createTestApp, TestApp } from '../helpers/test-app';
import { waitFor } from '../helpers/wait-for';

const ROUTE = '/powerpath/makeExternalTestAssignment';

describe('Idempotency-Key', () => {
  let t: TestApp;
  let token: string;
  const post = (body: object, key?: string | string[]) => {
    const r = t.http().post(ROUTE).set('Authorization', `Bearer ${token}`);
    // An array goes out as one header line per value (superagent hands it to Node's setHeader as is).
    return (key === undefined ? r : r.set('Idempotency-Key', key as string)).send(body);
  };
  const assigns = async () => sandboxControl(t.sandboxes, 'masteryTrack').count('POST', '/delivery/assignments/assign');

  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());
  afterEach(() => sandboxControl(t.sandboxes, 'masteryTrack').clearFaults());

  /** A new assignment with a fresh key whose tool call takes 800 ms, once its key is recorded: the key is in flight. */
  const startSlowAssignment = async () => {
    const body = { student: (await createStudent(t.orm)).sourcedId, lesson: (await createLesson(t.orm)).sourcedId };
    const key = randomUUID();
    await delayMasteryTrackAssign(t.sandboxes, 800);
    const slow = post(body, key).then((r) => r);
    await waitFor(
      async () => (await countRows(t.orm, "idempotency_keys where key = ? and state = 'in_flight'", [key])) > 0,
      'the key recorded in flight',
    );
    return { body, key, slow };
  };

  it('replays the first answer for the same key and body, with Idempotent-Replayed, and calls the tool once', async () => {
    const body = { student: (await createStudent(t.orm)).sourcedId, lesson: (await createLesson(t.orm)).sourcedId };
    const key = `"${randomUUID()}"`; // sf-string form
    const before = await assigns();
    const first = await post(body, key).expect(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post(body, key).expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['cache-control']).toBe('no-store');
    expect(again.body).toEqual(first.body);
    expect(await assigns()).toBe(before + 1);
  });

  it('stores replayed credentials encrypted', async () => {
    const student = await createStudent(t.orm);
    const lesson = await createLesson(t.orm, { toolProvider: 'edulastic', vendorId: DEFAULT_EDULASTIC_TESTS[0].id });
    const key = randomUUID();
    const first = await post({ student: student.sourcedId, lesson: lesson.sourcedId }, key).expect(200);
    const [row] = await t.orm.em.fork().getConnection().execute('select * from idempotency_keys where key = ?', [key]);
    expect(row.state).toBe('done');
    expect(JSON.stringify(row)).not.toContain(first.body.credentials.password);
    const again = await post({ student: student.sourcedId, lesson: lesson.sourcedId }, key).expect(200);
    expect(again.body.credentials).toEqual(first.body.credentials);
  });

  it('422 when the same key comes with a different body, and nothing is called', async () => {
    const student = await createStudent(t.orm);
    const key = randomUUID();
    await post({ student: student.sourcedId, lesson: (await createLesson(t.orm)).sourcedId }, key).expect(200);
    const calls = await assigns();
    const other = await post({ student: student.sourcedId, lesson: (await createLesson(t.orm)).sourcedId }, key).expect(
      422,
    );
    expect(other.body.imsx_description).toMatch(/already used with a different request/);
    expect(await assigns()).toBe(calls);
  });

  it('409 with Retry-After while the first request with the key is still running', async () => {
    const { body, key, slow } = await startSlowAssignment();
    const busy = await post(body, key).expect(409);
    expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(busy.body.imsx_description).toMatch(/still in progress/);
    expect((await slow).status).toBe(200);
    expect((await post(body, key).expect(200)).headers['idempotent-replayed']).toBe('true');
  });

  it('validates before it looks at the key: an invalid body is a 400 even while its key is in flight, and takes nothing', async () => {
    const { body, key, slow } = await startSlowAssignment();
    const record = () => t.orm.em.fork().getConnection().execute('select * from idempotency_keys where key = ?', [key]);
    const running = await record();
    expect(running).toHaveLength(1);
    const invalid = await post({ student: body.student }, key).expect(400);
    expect(invalid.body.imsx_description).toMatch(/lesson/);
    expect(await record()).toEqual(running);
    expect((await slow).status).toBe(200);
    expect((await post(body, key).expect(200)).headers['idempotent-replayed']).toBe('true');
  });

  it('replays a final error (404) but frees the key after a validation error (400)', async () => {
    const key = randomUUID();
    const student = (await createStudent(t.orm)).sourcedId;
    const missing = await post({ student, lesson: 'no-such-lesson' }, key).expect(404);
    const replay = await post({ student, lesson: 'no-such-lesson' }, key).expect(404);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(missing.body);
    expect(missing.body.imsx_error_details[0].code).toBe('NOT_FOUND');

    const key2 = randomUUID();
    await post({ student }, key2).expect(400);
    await post({ student, lesson: (await createLesson(t.orm)).sourcedId }, key2).expect(200);
  });

  it('replays a stored tool refusal with its domain code', async () => {
    const key = randomUUID();
    const body = {
      student: (await createStudent(t.orm)).sourcedId,
      lesson: (await createLesson(t.orm)).sourcedId,
      testId: '_000000000000000000000000',
    };
    const refused = await post(body, key).expect(422);
    const replay = await post(body, key).expect(422);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(refused.body);
    expect(replay.body.imsx_error_details).toEqual([
      expect.objectContaining({ code: 'TOOL_REFUSED', vendorCode: 'TEST_NOT_FOUND' }),
    ]);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['with spaces', 'two words'],
    ['with a control character', 'a\tb'],
  ])('400 for a malformed key (%s)', async (_name, key) => {
    const res = await post({ student: 's', lesson: 'l' }, key).expect(400);
    expect(res.body.imsx_description).toMatch(/Idempotency-Key/);
  });

  it('400 for a key sent twice, saying so (Node joins the two headers into one value)', async () => {
    const res = await post({ student: 's', lesson: 'l' }, ['key-one', '"key-two"']).expect(400);
    expect(res.body.imsx_description).toBe('Send a single Idempotency-Key header');
  });

  it('works on createNewAttempt too', async () => {
    const body = { student: (await createStudent(t.orm)).sourcedId, lesson: (await createLesson(t.orm)).sourcedId };
    const key = randomUUID();
    const send = () =>
      t
        .http()
        .post('/powerpath/createNewAttempt')
        .set('Authorization', `Bearer ${token}`)
        .set('Idempotency-Key', key)
        .send(body);
    const first = await send().expect(200);
    const again = await send().expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await countRows(t.orm, 'assessment_results where student_sourced_id = ?', [body.student])).toBe(1);
  });

  it('a request whose lock expired can no longer release or finish the record of the request that took it over', async () => {
    const keys = new IdempotencyKeyRepository(t.orm.em.fork());
    const key = randomUUID();
    const first = await keys.claim('c', key, 'print', 0); // lock expires at once
    await new Promise((r) => setTimeout(r, 20));
    const second = await keys.claim('c', key, 'print', 60);
    expect(first.claimed).toBe(true);
    expect(second.claimed).toBe(true);
    if (!first.claimed || !second.claimed) return;
    await keys.release('c', key, first.lockToken);
    await keys.finish('c', key, first.lockToken, 200, 'first');
    await keys.finish('c', key, second.lockToken, 200, 'second');
    expect(await keys.claim('c', key, 'print', 60)).toEqual({
      claimed: false,
      record: { fingerprint: 'print', state: 'done', lockSeconds: null, responseStatus: 200, responseSealed: 'second' },
    });
  });

  it('reaps records older than the retention window', async () => {
    const em = t.orm.em.fork();
    await em
      .getConnection()
      .execute(
        "insert into idempotency_keys (client_id, key, fingerprint, state, created_at) values ('c', ?, 'f', 'done', now() - interval '25 hours')",
        [randomUUID()],
      );
    const fresh = randomUUID();
    await em
      .getConnection()
      .execute("insert into idempotency_keys (client_id, key, fingerprint, state) values ('c', ?, 'f', 'done')", [
        fresh,
      ]);
    expect(await t.app.get(IdempotencyReaper).reap()).toBeGreaterThanOrEqual(1);
    expect(await countRows(t.orm, "idempotency_keys where created_at < now() - interval '24 hours'", [])).toBe(0);
    expect(await countRows(t.orm, 'idempotency_keys where key = ?', [fresh])).toBe(1);
  });

  it('reaps in batches, each statement short, until none is left', async () => {
    const em = t.orm.em.fork();
    const client = `c-${randomUUID()}`;
    for (let i = 0; i < 7; i++) {
      await em
        .getConnection()
        .execute(
          "insert into idempotency_keys (client_id, key, fingerprint, state, created_at) values (?, ?, 'f', 'done', now() - interval '25 hours')",
          [client, randomUUID()],
        );
    }
    // 3 + 3 + 1: the last, short batch ends the run.
    expect(await new IdempotencyKeyRepository(t.orm.em.fork()).reap(24, 3)).toBeGreaterThanOrEqual(7);
    expect(await countRows(t.orm, 'idempotency_keys where client_id = ?', [client])).toBe(0);
  });
});
