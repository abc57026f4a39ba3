import { MikroORM } from '@mikro-orm/postgresql';
import { randomBytes } from 'node:crypto';
import { canonicalGrade } from '@external-tests/common';
import { MIGRATIONS, ormOptions } from '@external-tests/persistence';
import { workerDatabaseUrl } from '../helpers/test-database';

/** Migrations that change what stored rows mean: applied to rows written before them, in a schema of its own. */
describe('migrations over existing data', () => {
  const schemas: { name: string; orm: MikroORM }[] = [];
  /** A schema of its own, migrated up to (not including) `migration`. */
  async function before(migration: string) {
    const name = `mig_${randomBytes(4).toString('hex')}`;
    const orm = await MikroORM.init(ormOptions({ clientUrl: workerDatabaseUrl(), poolMax: 2, schema: name }));
    schemas.push({ name, orm });
    await orm.migrator.up({ to: MIGRATIONS[MIGRATIONS.findIndex((m) => m.name === migration) - 1].name });
    const sql = <T extends object>(text: string, params: unknown[] = []) =>
      orm.em.getConnection().execute<T[]>(text, params);
    return { schema: name, sql, upAll: () => orm.migrator.up(), downTo: (to: string) => orm.migrator.down({ to }) };
  }

  afterAll(async () => {
    for (const { name, orm } of schemas) {
      await orm.em
        .getConnection()
        .execute(`drop schema if exists ${name} cascade`)
        .catch(() => undefined);
      await orm.close(true);
    }
  });

  it("gives enrollments stored without primary the spec's default, false, and then refuses none", async () => {
    const { schema, sql, upAll } = await before('Migration20261201120000');
    const insert = (id: string, primary: boolean | null) =>
      sql(
        `insert into ${schema}.enrollments (sourced_id, role, "primary", user_sourced_id, class_sourced_id) values (?, 'student', ?, 'u', 'c')`,
        [id, primary],
      );
    await insert('enr-null', null);
    await insert('enr-true', true);

    await upAll();

    const rows = await sql<{ sourced_id: string; primary: boolean }>(
      `select sourced_id, "primary" from ${schema}.enrollments order by sourced_id`,
    );
    expect(rows).toEqual([
      { sourced_id: 'enr-null', primary: false },
      { sourced_id: 'enr-true', primary: true },
    ]);
    await expect(insert('enr-null-again', null)).rejects.toThrow(/not-null|null value/);
    await sql(
      `insert into ${schema}.enrollments (sourced_id, role, user_sourced_id, class_sourced_id) values ('enr-omitted', 'student', 'u', 'c')`,
    );
    expect(await sql(`select "primary" from ${schema}.enrollments where sourced_id = 'enr-omitted'`)).toEqual([
      { primary: false },
    ]);
  });

  it('puts attempts the old reconciliation reopened back to pending, given up; no other attempt changes; down reopens them', async () => {
    const { schema, sql, upAll, downTo } = await before('Migration20261202000000');
    const insert = (result: string, state: string, called: boolean) =>
      sql(
        `insert into ${schema}.tool_assignments (result_sourced_id, lesson_sourced_id, student_sourced_id, attempt, tool, state, called)
         values (?, 'l', ?, 1, 'mastery-track', ?, ?)`,
        [result, result, state, called],
      );
    await insert('reopened', 'open', true);
    await insert('opened', 'open', false);
    await insert('pending', 'pending', true);
    await insert('assigned', 'assigned', false);

    await upAll();

    const rows = await sql<{ result_sourced_id: string; state: string; called: boolean; given_up: boolean }>(
      `select result_sourced_id, state, called, given_up_at is not null given_up from ${schema}.tool_assignments order by result_sourced_id`,
    );
    expect(rows).toEqual([
      { result_sourced_id: 'assigned', state: 'assigned', called: false, given_up: false },
      { result_sourced_id: 'opened', state: 'open', called: false, given_up: false },
      { result_sourced_id: 'pending', state: 'pending', called: true, given_up: false },
      { result_sourced_id: 'reopened', state: 'pending', called: true, given_up: true },
    ]);

    // Down one migration at a time (umzug's `to` is included): first the index alone, then the column.
    const index = () =>
      sql(`select indexname from pg_indexes where schemaname = ? and indexname = 'tool_assignments_stuck_index'`, [
        schema,
      ]);
    const column = () =>
      sql(
        `select column_name from information_schema.columns where table_schema = ? and table_name = 'tool_assignments' and column_name = 'given_up_at'`,
        [schema],
      );
    expect(await index()).toHaveLength(1);
    await downTo('Migration20261202120000');
    expect(await index()).toEqual([]);
    expect(await column()).toHaveLength(1);
    // The given-up attempt is open again, as the old code left it.
    await downTo('Migration20261202000000');
    expect(await column()).toEqual([]);
    expect(
      await sql(`select result_sourced_id, state, called from ${schema}.tool_assignments order by result_sourced_id`),
    ).toEqual([
      { result_sourced_id: 'assigned', state: 'assigned', called: false },
      { result_sourced_id: 'opened', state: 'open', called: false },
      { result_sourced_id: 'pending', state: 'pending', called: true },
      { result_sourced_id: 'reopened', state: 'open', called: true },
    ]);
  });

  it('trims stored emails and what the ledger keyed by them (a seat only where its trimmed key is free), then refuses an untrimmed email', async () => {
    const { schema, sql, upAll } = await before('Migration20261204080000');
    const user = (id: string, email: string | null) =>
      sql(
        `insert into ${schema}.users (sourced_id, given_name, family_name, email, date_last_modified)
         values (?, 'A', 'B', ?, '2026-01-01T00:00:00Z')`,
        [id, email],
      );
    await user('spaced', '\u00a0 Spaced@Example.org\t\n');
    await user('clean', 'clean@example.org');
    await user('none', null);
    const seat = (student: string, toolUser: string) =>
      sql(
        `insert into ${schema}.tool_seats (tool, account, student_sourced_id, tool_user) values ('mastery-track', 'default', ?, ?)`,
        [student, toolUser],
      );
    await seat('spaced', ' spaced@example.org ');
    // Two seats the tool sees as one user: the one whose key is taken keeps its old key.
    await seat('taken-a', 'taken@example.org');
    await seat('taken-b', ' taken@example.org');
    // Two untrimmed seats of one trimmed key: one of them is re-keyed.
    await seat('pair-a', ' pair@example.org');
    await seat('pair-b', 'pair@example.org ');
    await sql(
      `insert into ${schema}.tool_logins (tool, account, student_sourced_id, external_user_id, credentials_sealed, tool_user)
       values ('edulastic', 'default', 'spaced', 'u1', 'sealed', ' spaced@example.org ')`,
    );

    await upAll();

    expect(
      await sql(
        `select sourced_id, email, date_last_modified > '2026-01-02' modified from ${schema}.users order by sourced_id`,
      ),
    ).toEqual([
      { sourced_id: 'clean', email: 'clean@example.org', modified: false },
      { sourced_id: 'none', email: null, modified: false },
      { sourced_id: 'spaced', email: 'Spaced@Example.org', modified: true },
    ]);
    expect(
      await sql(`select student_sourced_id, tool_user from ${schema}.tool_seats order by student_sourced_id`),
    ).toEqual([
      { student_sourced_id: 'pair-a', tool_user: 'pair@example.org' },
      { student_sourced_id: 'pair-b', tool_user: 'pair@example.org ' },
      { student_sourced_id: 'spaced', tool_user: 'spaced@example.org' },
      { student_sourced_id: 'taken-a', tool_user: 'taken@example.org' },
      { student_sourced_id: 'taken-b', tool_user: ' taken@example.org' },
    ]);
    expect(await sql(`select tool_user from ${schema}.tool_logins`)).toEqual([{ tool_user: 'spaced@example.org' }]);
    await expect(user('late', 'late@example.org ')).rejects.toThrow(/users_email_trimmed/);
  });

  it("trims in SQL exactly what JavaScript's trim does, for every code point of the basic plane", async () => {
    const { sql, upAll } = await before('Migration20261204080000');
    await upAll();
    // chr() refuses 0 and the surrogates; trim() has no code point past the basic plane.
    const inSql = await sql<{ c: number }>(
      `select c from generate_series(1, 65535) c where c not between 55296 and 57343 and trimmed_email(chr(c) || 'x' || chr(c)) = 'x' order by c`,
    );
    const inJs = [];
    for (let c = 1; c <= 0xffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const ch = String.fromCharCode(c);
      if (`${ch}x${ch}`.trim() === 'x') inJs.push(c);
    }
    expect(inSql.map((r) => r.c)).toEqual(inJs);
    expect(inJs.length).toBeGreaterThan(20);
  });

  it("makes a ledger row's result a foreign key: validated where every row has its result, for new rows only over one that lost it", async () => {
    const constraint = (schema: string) =>
      `select convalidated from pg_constraint c join pg_namespace n on n.oid = c.connamespace
       where n.nspname = '${schema}' and c.conname = 'tool_assignments_result_sourced_id_foreign'`;
    const ledgerRow = (schema: string, id: string) =>
      `insert into ${schema}.tool_assignments (result_sourced_id, lesson_sourced_id, student_sourced_id, attempt, state)
       values ('${id}', 'l-${id}', 's', 1, 'open')`;
    const result = (schema: string, id: string) =>
      `insert into ${schema}.assessment_results (sourced_id, line_item_sourced_id, student_sourced_id) values ('${id}', 'li', 's')`;

    const clean = await before('Migration20261204090000');
    await clean.sql(result(clean.schema, 'r1'));
    await clean.sql(ledgerRow(clean.schema, 'r1'));
    await clean.upAll();
    expect(await clean.sql(constraint(clean.schema))).toEqual([{ convalidated: true }]);
    await expect(clean.sql(`delete from ${clean.schema}.assessment_results where sourced_id = 'r1'`)).rejects.toThrow(
      /tool_assignments_result_sourced_id_foreign/,
    );
    await expect(clean.sql(ledgerRow(clean.schema, 'r2'))).rejects.toThrow(
      /tool_assignments_result_sourced_id_foreign/,
    );

    const orphaned = await before('Migration20261204090000');
    await orphaned.sql(ledgerRow(orphaned.schema, 'lost'));
    await orphaned.upAll();
    expect(await orphaned.sql(constraint(orphaned.schema))).toEqual([{ convalidated: false }]);
    expect(await orphaned.sql(`select result_sourced_id from ${orphaned.schema}.tool_assignments`)).toEqual([
      { result_sourced_id: 'lost' },
    ]);
    await expect(orphaned.sql(ledgerRow(orphaned.schema, 'r3'))).rejects.toThrow(
      /tool_assignments_result_sourced_id_foreign/,
    );
  });

  it("records the email a MasteryTrack assignment was made for as its tool user: its seat's, else its student's now; nothing else changes", async () => {
    const { schema, sql, upAll } = await before('Migration20261204110000');
    await sql(
      `insert into ${schema}.users (sourced_id, given_name, family_name, email, date_last_modified)
       values ('moved', 'A', 'B', 'Now@Example.org', now()), ('seatless', 'A', 'B', 'Only@Example.org', now())`,
    );
    // The seat still names the email of the student's last take; the student has another one since.
    await sql(
      `insert into ${schema}.tool_seats (tool, account, student_sourced_id, tool_user)
       values ('mastery-track', 'default', 'moved', 'then@example.org')`,
    );
    const row = async (id: string, student: string, tool: string, state: string, toolUser: string | null) => {
      await sql(
        `insert into ${schema}.assessment_results (sourced_id, line_item_sourced_id, student_sourced_id) values (?, ?, ?)`,
        [id, `li-${id}`, student],
      );
      await sql(
        `insert into ${schema}.tool_assignments (result_sourced_id, lesson_sourced_id, student_sourced_id, attempt, tool, account, state, tool_user_id)
         values (?, ?, ?, 1, ?, 'default', ?, ?)`,
        [id, `l-${id}`, student, tool, state, toolUser],
      );
    };
    await row('by-seat', 'moved', 'mastery-track', 'assigned', null);
    await row('by-user', 'seatless', 'mastery-track', 'assigned', null);
    await row('recorded', 'moved', 'mastery-track', 'assigned', 'kept@example.org');
    await row('unanswered', 'moved', 'mastery-track', 'pending', null);
    await row('edulastic', 'moved', 'edulastic', 'assigned', null);

    await upAll();

    expect(
      await sql(`select result_sourced_id, tool_user_id from ${schema}.tool_assignments order by result_sourced_id`),
    ).toEqual([
      { result_sourced_id: 'by-seat', tool_user_id: 'then@example.org' },
      { result_sourced_id: 'by-user', tool_user_id: 'only@example.org' },
      { result_sourced_id: 'edulastic', tool_user_id: null },
      { result_sourced_id: 'recorded', tool_user_id: 'kept@example.org' },
      { result_sourced_id: 'unanswered', tool_user_id: null },
    ]);
  });

  it("makes a line item's range one results can lie in: validated where every stored one is, for new writes only over one that is not", async () => {
    const constraint = (schema: string) =>
      `select convalidated from pg_constraint c join pg_namespace n on n.oid = c.connamespace
       where n.nspname = '${schema}' and c.conname = 'assessment_line_items_result_range'`;
    const lineItem = (schema: string, id: string, min: number | null, max: number | null) =>
      `insert into ${schema}.assessment_line_items (sourced_id, title, result_value_min, result_value_max)
       values ('${id}', 't', ${min}, ${max})`;

    const clean = await before('Migration20261204120000');
    await clean.sql(lineItem(clean.schema, 'both', 0, 10));
    await clean.sql(lineItem(clean.schema, 'defaults', null, null));
    await clean.upAll();
    expect(await clean.sql(constraint(clean.schema))).toEqual([{ convalidated: true }]);
    await expect(clean.sql(lineItem(clean.schema, 'empty', 10, 5))).rejects.toThrow(
      /assessment_line_items_result_range/,
    );
    await expect(clean.sql(lineItem(clean.schema, 'above-default', 101, null))).rejects.toThrow(
      /assessment_line_items_result_range/,
    );

    const empty = await before('Migration20261204120000');
    await empty.sql(lineItem(empty.schema, 'empty', 10, 5));
    await empty.upAll();
    expect(await empty.sql(constraint(empty.schema))).toEqual([{ convalidated: false }]);
    expect(await empty.sql(`select sourced_id from ${empty.schema}.assessment_line_items`)).toEqual([
      { sourced_id: 'empty' },
    ]);
    await expect(empty.sql(lineItem(empty.schema, 'new', 3, 2))).rejects.toThrow(/assessment_line_items_result_range/);
    // It can still be deleted (OneRoster's DELETE sets its status), and deleted, it no longer keeps the check from holding.
    await empty.sql(
      `update ${empty.schema}.assessment_line_items set status = 'tobedeleted' where sourced_id = 'empty'`,
    );
    await empty.sql(
      `alter table ${empty.schema}.assessment_line_items validate constraint assessment_line_items_result_range`,
    );
  });

  it('spells stored subject tracks as finalization looks them up (trimmed subject, canonical grade), one per key', async () => {
    const { schema, sql, upAll } = await before('Migration20261205000000');
    const course = 'course-a';
    await sql(`insert into ${schema}.courses (sourced_id, title) values (?, 'A')`, [course]);
    const track = (subject: string, grade: string, modified: string) =>
      sql(
        `insert into ${schema}.subject_tracks (subject, grade, course_sourced_id, date_last_modified) values (?, ?, ?, ?)`,
        [subject, grade, course, modified],
      );
    const grades = ['04', ' 7 ', 'kg', 'pK ', '-01', '-0', '3.5', '0012345678901234567890', 'Other'];
    for (const [i, g] of grades.entries()) await track(`Subject ${i}`, g, '2026-01-01T00:00:00Z');
    await track('\u00a0Math\t', '5', '2026-01-01T00:00:00Z');
    // One key three times: the one spelled so keeps it; the others keep their spellings.
    await track('Science', '6', '2026-01-01T00:00:00Z');
    await track(' Science', '06', '2026-03-01T00:00:00Z');
    await track('Science ', '006', '2026-02-01T00:00:00Z');
    // Two spellings of one key, none canonical: the latest takes it.
    await track('Art', '02', '2026-01-01T00:00:00Z');
    await track('Art ', '2', '2026-02-01T00:00:00Z');

    await upAll();

    const rows = await sql<{ subject: string; grade: string }>(
      `select subject, grade from ${schema}.subject_tracks order by subject, grade`,
    );
    expect(rows).toEqual(
      [
        ...grades.map((g, i) => ({ subject: `Subject ${i}`, grade: canonicalGrade(g) })),
        { subject: 'Math', grade: '5' },
        { subject: 'Science', grade: '6' },
        { subject: ' Science', grade: '06' },
        { subject: 'Science ', grade: '006' },
        { subject: 'Art', grade: '02' },
        { subject: 'Art', grade: '2' },
      ].sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.grade < b.grade ? -1 : 1)),
    );
  });
});
