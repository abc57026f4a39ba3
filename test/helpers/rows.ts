import { MikroORM } from '@mikro-orm/postgresql';

/** Row counts read with a fresh connection (never the identity map). */
export async function countRows(orm: MikroORM, sql: string, params: unknown[]): Promise<number> {
  const [row] = await orm.em.fork().getConnection().execute<{ n: number }[]>(`select count(*)::int n from ${sql}`, params);
  return row.n;
}

export async function assignmentRows(orm: MikroORM, student: string, lesson: string) {
  return {
    results: await countRows(orm, 'assessment_results where student_sourced_id = ?', [student]),
    lineItems: await countRows(orm, 'assessment_line_items where component_resource_sourced_id = ?', [lesson]),
  };
}

export async function resultRow(orm: MikroORM, student: string, lesson: string, attempt = 1) {
  const rows = await orm.em.fork().getConnection().execute<Record<string, any>[]>(
    `select ar.* from assessment_results ar join assessment_line_items li on li.sourced_id = ar.line_item_sourced_id
     where ar.student_sourced_id = ? and li.component_resource_sourced_id = ? and ar.attempt = ?`,
    [student, lesson, attempt],
  );
  return rows[0];
}
