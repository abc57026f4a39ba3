import { AddressInfo, createConnection, createServer, Server, Socket } from 'node:net';
import type { Knex } from '@mikro-orm/postgresql';
import { createLesson, createStudent, uid } from '../helpers/fixtures';
import { answerOf, BUSY_ANSWER } from '../helpers/busy-answer';
import { createTestApp, TestApp } from '../helpers/test-app';
import { onEmbeddedDatabase, workerDatabaseUrl } from '../helpers/test-database';
import { toolState } from '../helpers/tool-state';
import { waitFor } from '../helpers/wait-for';

const ORGS = '/ims/oneroster/rostering/v1p2/orgs';
const ROUTE = '/powerpath/makeExternalTestAssignment';

/**
 * Ends the one backend of this database waiting for a lock (the app's statement `other` holds up), as a failover or
 * a restart of the server would, once it waits.
 */
function terminateLockWaiter(other: Knex.Transaction): Promise<{ cut: boolean }[]> {
  return waitFor(async () => {
    // pg_stat_activity is read once per transaction and kept: without this, a first look taken before the app's
    // statement waits is all `other` would ever see.
    await other.raw('select pg_stat_clear_snapshot()');
    const { rows } = await other.raw<{ rows: { cut: boolean }[] }>(
      `select pg_terminate_backend(pid) cut from pg_stat_activity
       where datname = current_database() and wait_event_type = 'Lock' and pid <> pg_backend_pid()`,
    );
    return rows.length > 0 ? rows : undefined;
  });
}

/**
 * A TCP proxy to PostgreSQL whose `reset()` resets every connection through it (an RST, no goodbye from the server),
 * as a server's host going down or a failover's network cut does; while `refusing`, a new connection is reset as soon
 * as it says something, as a server going down or coming up can (the client reads ECONNRESET while connecting).
 */
async function resettingProxy(
  target: URL,
): Promise<{ url: string; refusing: boolean; reset(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (proxy.refusing) {
      client.once('data', () => client.resetAndDestroy()).on('error', () => undefined);
      return;
    }
    const upstream = createConnection(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s)).on('error', () => (client.destroy(), upstream.destroy()));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  const proxy = {
    url: url.toString(),
    refusing: false,
    reset: () => sockets.forEach((s) => s.resetAndDestroy()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return proxy;
}

describe('a database that refuses for a moment', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp();
    token = await t.token();
  });
  afterAll(() => t.close());

  /**
   * A new org, named 'Before', with its PUTs by name (a write that takes the org-write lock, then the org's row) and
   * a knex for another transaction on it.
   */
  const newOrg = async (label: string) => {
    const id = uid(label);
    const put = (name: string) =>
      t
        .http()
        .put(`${ORGS}/${id}`)
        .set('Authorization', `Bearer ${token}`)
        .timeout(10_000)
        .send({ org: { sourcedId: id, status: 'active', name, type: 'school' } });
    await put('Before').expect(201);
    return { id, put, knex: t.orm.em.fork().getConnection().getKnex() };
  };

  // The embedded database has one session: nothing ever waits for another transaction there.
  const onPostgres = onEmbeddedDatabase() ? it.skip : it;

  onPostgres(
    'a write PostgreSQL rolls back for a deadlock runs again once the other transaction is through, and succeeds',
    async () => {
      const { id, put, knex } = await newOrg('org-busy');
      const database = `l.database = (select oid from pg_database where datname = current_database())`;
      const heldLock = `select l.classid, l.objid from pg_locks l
        where l.locktype = 'advisory' and l.granted and l.pid <> pg_backend_pid() and ${database}
          and exists (select 1 from pg_locks w where w.pid = l.pid and not w.granted)`;
      const waitingForLock = `select 1 from pg_locks l
        where l.locktype = 'advisory' and not l.granted and l.pid <> pg_backend_pid() and ${database}`;
      /**
       * The request's write waits for a row this transaction holds, itself holding the lock every org write takes
       * first; asking for that lock closes the circle. PostgreSQL checks a waiting session for a deadlock once, a
       * second after it began to wait: asked in time, the request's transaction is the one rolled back, this one gets
       * the lock, and the request's write, run again, waits for it. Asked later (a slow machine), this side's check
       * finds the circle instead and the request goes through at once: then again.
       */
      const deadlockedPut = async (): Promise<Awaited<ReturnType<typeof put>> | undefined> => {
        const other = await knex.transaction();
        try {
          await other.raw('select 1 from orgs where sourced_id = ? for update', [id]);
          const pending = put('After').then((res) => res);
          const held = await waitFor(async () =>
            (await other.raw<{ rows: { classid: number; objid: number }[] }>(heldLock)).rows.at(0),
          );
          try {
            await other.raw('select pg_advisory_xact_lock((?::bigint << 32) | ?::bigint)', [held.classid, held.objid]);
          } catch (e) {
            if ((e as { code?: string }).code !== '40P01') throw e;
            await other.rollback();
            await pending;
            return undefined;
          }
          // Rolled back by the deadlock, the request has not answered: its write runs again, behind this transaction.
          await waitFor(
            async () => (await other.raw<{ rows: unknown[] }>(waitingForLock)).rows.length > 0,
            'the write run again',
          );
          await other.rollback();
          return await pending;
        } finally {
          await other.rollback().catch(() => undefined);
        }
      };
      let answer: Awaited<ReturnType<typeof put>> | undefined;
      for (let tries = 0; !answer && tries < 3; tries++) {
        answer = await deadlockedPut();
        if (!answer) await put('Before').expect(201);
      }
      if (!answer) throw new Error('no deadlock in three tries');

      expect(answer.status).toBe(201);
      const read = await t.http().get(`${ORGS}/${id}`).set('Authorization', `Bearer ${token}`).expect(200);
      expect(read.body.org.name).toBe('After');
    },
    30_000,
  );
  onPostgres(
    'a write that loses every run to a deadlock answers 503 BUSY after three runs, and nothing of it is kept',
    async () => {
      const { id, put, knex } = await newOrg('org-deadlocked');
      // Every update naming the org 'Deadlocked' fails as a deadlock's loser does; a sequence (never rolled back)
      // counts the runs.
      await knex.raw(`create sequence if not exists test_deadlocked_runs`);
      await knex.raw(`create or replace function test_deadlocked() returns trigger language plpgsql as $$
        begin
          if new.name = 'Deadlocked' then
            perform nextval('test_deadlocked_runs');
            raise exception 'deadlock detected (test)' using errcode = '40P01';
          end if;
          return new;
        end $$`);
      await knex.raw(`create or replace trigger test_deadlocked before update on orgs
        for each row execute function test_deadlocked()`);
      const runs = async () =>
        Number((await knex.raw<{ rows: { n: string }[] }>(`select nextval('test_deadlocked_runs') n`)).rows[0].n);
      try {
        const before = await runs();
        expect(answerOf(await put('Deadlocked'))).toEqual(BUSY_ANSWER);
        expect((await runs()) - before - 1).toBe(3);
        const read = await t.http().get(`${ORGS}/${id}`).set('Authorization', `Bearer ${token}`).expect(200);
        expect(read.body.org.name).toBe('Before');
      } finally {
        await knex.raw('drop trigger if exists test_deadlocked on orgs');
      }
      await put('After').expect(201);
    },
    30_000,
  );
  onPostgres(
    'the database lost while recording an assignment the tool made: 503 BUSY, and the retry adopts it at once',
    async () => {
      const student = await createStudent(t.orm);
      const lesson = await createLesson(t.orm);
      const assign = () =>
        t
          .http()
          .post(ROUTE)
          .set('Authorization', `Bearer ${token}`)
          .send({ student: student.sourcedId, lesson: lesson.sourcedId });
      const knex = t.orm.em.fork().getConnection().getKnex();
      const other = await knex.transaction();
      // The tool has made the assignment; before the flow records it, this transaction takes its ledger row, so the
      // record waits, and its connection is then cut (as a failover or a restart of the server would).
      t.recoveryPoints.current = async (point, at) => {
        if (point !== 'assignment.made' || at.studentSourcedId !== student.sourcedId) return;
        t.recoveryPoints.current = undefined;
        await other.raw(
          'select 1 from tool_assignments where lesson_sourced_id = ? and student_sourced_id = ? and attempt = ? for update',
          [lesson.sourcedId, student.sourcedId, at.attempt ?? 1],
        );
      };
      try {
        const pending = assign().then((res) => res);
        expect(await terminateLockWaiter(other)).toEqual([{ cut: true }]);
        await other.rollback();
        const lost = await pending;
        expect(answerOf(lost)).toEqual(BUSY_ANSWER);
      } finally {
        t.recoveryPoints.current = undefined;
        await other.rollback().catch(() => undefined);
      }

      // No waiting out the lease (a 409): the retry resumes the attempt and adopts what the tool made.
      const retried = await assign().expect(200);
      const atTool = await toolState(t.sandboxes).mtAssignments(student.email);
      expect(atTool.map((a) => String(a.id))).toEqual([retried.body.assignmentId]);
    },
    30_000,
  );
  onPostgres(
    'a connection PostgreSQL ends under an ORM statement is never handed to the next request: 503 BUSY, then the next write succeeds at once',
    async () => {
      const { id, put, knex } = await newOrg('org-cut');
      const other = await knex.transaction();
      try {
        await other.raw('select 1 from orgs where sourced_id = ? for update', [id]);
        const pending = put('After').then((res) => res);
        expect(await terminateLockWaiter(other)).toEqual([{ cut: true }]);
        await other.rollback();
        expect(answerOf(await pending)).toEqual(BUSY_ANSWER);
      } finally {
        await other.rollback().catch(() => undefined);
      }
      // At once, on whichever connection the pool hands out first: the one PostgreSQL ended must not be it.
      await put('After').expect(201);
      await put('Again').expect(201);
    },
    30_000,
  );
  onPostgres(
    'a connection reset under a statement (no goodbye from the server: a host down, a network cut) is 503 BUSY, then the next write succeeds',
    async () => {
      const { id, knex } = await newOrg('org-reset');
      const proxy = await resettingProxy(new URL(workerDatabaseUrl()));
      const app = await createTestApp({ DATABASE_URL: proxy.url }, { sandboxes: t.sandboxes });
      const put = async (name: string) =>
        app
          .http()
          .put(`${ORGS}/${id}`)
          .set('Authorization', `Bearer ${await app.token()}`)
          .timeout(10_000)
          .send({ org: { sourcedId: id, status: 'active', name, type: 'school' } });
      const other = await knex.transaction();
      try {
        await other.raw('select 1 from orgs where sourced_id = ? for update', [id]);
        const pending = put('After').then((res) => res);
        // The write waits for the row this transaction holds; then every connection through the proxy is reset.
        await waitFor(async () => {
          await other.raw('select pg_stat_clear_snapshot()');
          const { rows } = await other.raw<{ rows: unknown[] }>(
            `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
          );
          return rows.length > 0 || undefined;
        });
        proxy.reset();
        expect(answerOf(await pending)).toEqual(BUSY_ANSWER);
        await other.rollback();
        // A new connection reset while it opens (pg's own socket error, `read ECONNRESET`): BUSY too, not a 500.
        proxy.refusing = true;
        expect(answerOf(await put('Refused'))).toEqual(BUSY_ANSWER);
        proxy.refusing = false;
        // The pool's reset connections are never handed out again.
        expect((await put('After')).status).toBe(201);
        expect((await put('Again')).status).toBe(201);
      } finally {
        await other.rollback().catch(() => undefined);
        await app.close();
        await proxy.close();
      }
    },
    30_000,
  );
});
