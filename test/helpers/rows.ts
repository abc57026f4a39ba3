import { MikroORM } from '@mikro-orm/postgresql';

/** Row counts read with a fresh connection (never the identity map). */
export async function countRows(orm: MikroORM, sql: string, params: unknown[]): Promise<number> {
  const [row] = await orm.em
    .fork()
    .getConnection()
    .execute<{ n: number }[]>(`select count(*)::int n from ${sql}`, params);
  return row.n;
}

export async function assignmentRows(orm: MikroORM, student: string, lesson: string) {
  return {
    results: await countRows(orm, 'assessment_results where student_sourced_id = ?', [student]),
    lineItems: await countRows(orm, 'assessment_line_items where component_resource_sourced_id = ?', [lesson]),
  };
}

/** The flow's result of (student, lesson, attempt), found through the ledger. */
export async function resultRow(orm: MikroORM, student: string, lesson: string, attempt = 1) {
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<Record<string, any>[]>(
      `select ar.* from assessment_results ar join tool_assignments ta on ta.result_sourced_id = ar.sourced_id
     where ta.student_sourced_id = ? and ta.lesson_sourced_id = ? and ta.attempt = ?`,
      [student, lesson, attempt],
    );
  return rows[0];
}

/** The ledger row of a result (tool_assignments). */
export async function ledgerRow(orm: MikroORM, resultSourcedId: string) {
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<Record<string, any>[]>('select * from tool_assignments where result_sourced_id = ?', [resultSourcedId]);
  return rows[0];
}

/** Every ledger row of a student (what we made at the tools for them). */
export async function ledgerRows(orm: MikroORM, student: string) {
  return orm.em
    .fork()
    .getConnection()
    .execute<
      Record<string, any>[]
    >('select * from tool_assignments where student_sourced_id = ? order by lesson_sourced_id, attempt', [student]);
}
