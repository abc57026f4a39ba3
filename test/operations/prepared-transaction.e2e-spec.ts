import { RequestContext, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { isTransactionConflict, loggableError } from '@external-tests/common';
import {
  OrmQueryInPreparedTransactionError,
  preparedTransaction,
  runPrepared,
  SecondConnectionInTransactionError,
  ToolAssignment,
  TransactionRolledBackError,
} from '@external-tests/persistence';
import { createTestApp, TestApp } from '../helpers/test-app';

/**
 * preparedTransaction (a OneRoster PUT's transaction): begin, the work's prepared statements and commit on one
 * pooled connection, without knex's transaction. It must keep every promise em.transactional makes: all or
 * nothing, one connection (the guard refuses a second), its statements counted, errors the ORM's, the connection
 * back in the pool however it ends — and an ORM call inside it fails rather than run outside the transaction.
 */
describe('prepared transactions', () => {
  let t: TestApp;
  let recording: string[] = [];
  const em = (): EntityManager => t.orm.em.fork();

  beforeAll(async () => {
    t = await createTestApp({}, { hooks: { onQuery: (sql) => recording.push(sql) } });
  });
  afterAll(() => t.close());

  // A ledger row with its result (the foreign key), in one statement.
  const INSERT = `with v as (select ?::text id),
                       r as (insert into assessment_results (sourced_id, line_item_sourced_id, student_sourced_id)
                             select id, 'li', id from v returning sourced_id)
                  insert into tool_assignments (result_sourced_id, lesson_sourced_id, student_sourced_id, attempt, state)
                  select sourced_id, ?, 's', 1, 'open' from r`;
  const insert = (trx: EntityManager, id: string) => runPrepared(trx, INSERT, [id, `l-${id}`]);
  const stored = async (...ids: string[]) =>
    (
      await runPrepared<{ id: string }>(
        em(),
        'select result_sourced_id id from tool_assignments where result_sourced_id = any(?) order by 1',
        [ids],
      )
    ).map((r) => r.id);
  const pool = () => (t.orm.em.getKnex().client as { pool: { numUsed(): number; numPendingAcquires(): number } }).pool;

  it('commits its statements together: begin, the statements on one connection, commit, all counted', async () => {
    const [a, b] = [`ptx-${randomUUID()}`, `ptx-${randomUUID()}`];
    recording = [];
    const backends = await preparedTransaction(em(), async (trx) => {
      await insert(trx, a);
      // Uncommitted, yet visible: the same connection.
      expect(await runPrepared(trx, 'select 1 from tool_assignments where result_sourced_id = ?', [a])).toHaveLength(1);
      await insert(trx, b);
      return runPrepared<{ pid: number }>(trx, 'select pg_backend_pid() pid', []);
    });
    const statements = recording;
    expect(statements[0]).toBe('begin');
    expect(statements.at(-1)).toBe('commit');
    expect(statements).toHaveLength(6);
    expect(await stored(a, b)).toEqual([a, b].sort());
    expect(backends).toHaveLength(1);
    expect(pool().numUsed()).toBe(0);
  });

  it('rolls back everything when the work fails, and gives the connection back', async () => {
    const id = `ptx-${randomUUID()}`;
    recording = [];
    await expect(
      preparedTransaction(em(), async (trx) => {
        await insert(trx, id);
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
    expect(recording.at(-1)).toBe('rollback');
    expect(recording.filter((s) => s === 'commit')).toEqual([]);
    expect(await stored(id)).toEqual([]);
    expect(pool().numUsed()).toBe(0);
  });

  it("a failing statement is the ORM's exception, logged by its statement (no values), and nothing stays", async () => {
    const [first, dup] = [`ptx-${randomUUID()}`, `ptx-${randomUUID()}`];
    await insert(em(), dup);
    const failure = await preparedTransaction(em(), async (trx) => {
      await insert(trx, first);
      await insert(trx, dup);
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UniqueConstraintViolationException);
    const logged = loggableError(failure);
    expect(logged).toMatchObject({
      code: '23505',
      statement: expect.stringMatching(/^with v as .* insert into tool_assignments /s),
    });
    expect(JSON.stringify(logged)).not.toContain(dup);
    expect(await stored(first, dup)).toEqual([dup]);
    expect(pool().numUsed()).toBe(0);
  });

  it('is one connection: the transaction guard refuses a second one inside it', async () => {
    const id = `ptx-${randomUUID()}`;
    const failure = await preparedTransaction(em(), async (trx) => {
      await insert(trx, id);
      // Another context's EntityManager would read outside the transaction: it must not get a connection.
      await runPrepared(t.orm.em.fork({ useContext: false, disableContextResolution: true }), 'select 1', []);
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SecondConnectionInTransactionError);
    expect(await stored(id)).toEqual([]);
    expect(pool().numUsed()).toBe(0);
  });

  it('the injected EntityManager joins it, as it joins em.transactional', async () => {
    const id = `ptx-${randomUUID()}`;
    await RequestContext.create(t.orm.em, () =>
      preparedTransaction(t.orm.em, async () => {
        // The global EntityManager, as services hold it, resolves to the transaction's fork.
        expect(t.orm.em.isInTransaction()).toBe(true);
        await insert(t.orm.em, id);
        throw new Error('undo');
      }),
    ).catch(() => undefined);
    expect(await stored(id)).toEqual([]);
  });

  it('an ORM query inside fails instead of running outside the transaction, and rolls it back', async () => {
    const id = `ptx-${randomUUID()}`;
    await expect(
      preparedTransaction(em(), async (trx) => {
        await insert(trx, id);
        await trx.findOne(ToolAssignment, { result: { sourcedId: id } });
      }),
    ).rejects.toThrow(new OrmQueryInPreparedTransactionError().message);
    expect(await stored(id)).toEqual([]);
    expect(pool().numUsed()).toBe(0);
  });

  it('a statement sent after it ended fails: it never runs, and commits, on a connection of its own', async () => {
    const id = `ptx-${randomUUID()}`;
    let kept: EntityManager | undefined;
    await preparedTransaction(em(), (trx) => {
      kept = trx;
      return Promise.resolve();
    });
    await expect(insert(kept!, id)).rejects.toThrow(/finished transaction/);
    expect(await stored(id)).toEqual([]);
  });

  it('a failure the work caught still fails the transaction: the commit that PostgreSQL turns into a rollback is an error', async () => {
    const [id, dup] = [`ptx-${randomUUID()}`, `ptx-${randomUUID()}`];
    await insert(em(), dup);
    await expect(
      preparedTransaction(em(), async (trx) => {
        await insert(trx, id);
        await insert(trx, dup).catch(() => undefined);
        return 'carried on';
      }),
    ).rejects.toBeInstanceOf(TransactionRolledBackError);
    expect(await stored(id)).toEqual([]);
    expect(pool().numUsed()).toBe(0);
  });

  it('inside another prepared transaction it joins it: one begin, one commit, undone together', async () => {
    const [outer, inner] = [`ptx-${randomUUID()}`, `ptx-${randomUUID()}`];
    recording = [];
    await preparedTransaction(em(), async (trx) => {
      await insert(trx, outer);
      await preparedTransaction(trx, (nested) => insert(nested, inner));
    });
    expect(recording.filter((s) => s === 'begin' || s === 'commit')).toEqual(['begin', 'commit']);
    expect(await stored(outer, inner)).toEqual([outer, inner].sort());
    const [a, b] = [`ptx-${randomUUID()}`, `ptx-${randomUUID()}`];
    await expect(
      preparedTransaction(em(), async (trx) => {
        await insert(trx, a);
        await preparedTransaction(trx, async (nested) => {
          await insert(nested, b);
          throw new Error('the inner work failed');
        });
      }),
    ).rejects.toThrow('the inner work failed');
    expect(await stored(a, b)).toEqual([]);
  });

  it("inside another transaction it is that transaction's savepoint: undone with it", async () => {
    const id = `ptx-${randomUUID()}`;
    recording = [];
    await em()
      .transactional(async (outer) => {
        await preparedTransaction(outer, (trx) => insert(trx, id));
        expect(await stored(id)).toEqual([]); // not committed: still the outer transaction's
        throw new Error('undo the outer one');
      })
      .catch(() => undefined);
    expect(recording.some((s) => /^savepoint/.test(s))).toBe(true);
    expect(await stored(id)).toEqual([]);
  });

  /** A statement PostgreSQL fails with `sqlState`, as it fails the loser of a deadlock (40P01). */
  const failWith = (trx: EntityManager, sqlState: string) =>
    runPrepared(trx, `do $$ begin raise exception 'made to fail' using errcode = '${sqlState}'; end $$`, []);

  it('runs the work again after PostgreSQL rolled it back for a deadlock, from a clean transaction', async () => {
    const id = `ptx-${randomUUID()}`;
    const conflicts: [string | undefined, number][] = [];
    let runs = 0;
    recording = [];
    const result = await preparedTransaction(
      em(),
      async (trx) => {
        runs++;
        await insert(trx, id); // the first run's row is gone, or this one would be a duplicate
        if (runs === 1) await failWith(trx, '40P01');
        return 'stored';
      },
      {
        conflictRetries: 2,
        isConflict: isTransactionConflict,
        onConflict: (e, retry) => conflicts.push([(e as { code?: string }).code, retry]),
      },
    );
    expect(result).toBe('stored');
    expect(runs).toBe(2);
    expect(conflicts).toEqual([['40P01', 1]]);
    expect(recording.filter((sql) => ['begin', 'commit', 'rollback'].includes(sql))).toEqual([
      'begin',
      'rollback',
      'begin',
      'commit',
    ]);
    expect(await stored(id)).toEqual([id]);
    expect(pool().numUsed()).toBe(0);
  });

  it('gives up after conflictRetries: the last conflict is the failure, nothing stays', async () => {
    const id = `ptx-${randomUUID()}`;
    let runs = 0;
    const failure = await preparedTransaction(
      em(),
      async (trx) => {
        runs++;
        await insert(trx, id);
        await failWith(trx, '40001');
      },
      { conflictRetries: 2, isConflict: isTransactionConflict },
    ).catch((e: unknown) => e);
    expect((failure as { code?: string }).code).toBe('40001');
    expect(runs).toBe(3);
    expect(await stored(id)).toEqual([]);
  });

  it('runs once for any other failure, and once when it joins another transaction (its owner decides)', async () => {
    let runs = 0;
    const unique = `ptx-${randomUUID()}`;
    await insert(em(), unique);
    await expect(
      preparedTransaction(
        em(),
        async (trx) => {
          runs++;
          await insert(trx, unique);
        },
        { conflictRetries: 2, isConflict: isTransactionConflict },
      ),
    ).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    expect(runs).toBe(1);

    runs = 0;
    const failure = await preparedTransaction(em(), (outer) =>
      preparedTransaction(
        outer,
        async (trx) => {
          runs++;
          await failWith(trx, '40P01');
        },
        { conflictRetries: 2, isConflict: isTransactionConflict },
      ),
    ).catch((e: unknown) => e);
    expect((failure as { code?: string }).code).toBe('40P01');
    expect(runs).toBe(1);
  });

  it('many at once on a small pool all finish, each on its own connection', async () => {
    const ids = Array.from({ length: 24 }, () => `ptx-${randomUUID()}`);
    await Promise.all(ids.map((id) => preparedTransaction(em(), (trx) => insert(trx, id))));
    expect(await stored(...ids)).toEqual([...ids].sort());
    expect(pool().numUsed()).toBe(0);
    expect(pool().numPendingAcquires()).toBe(0);
  });
});
