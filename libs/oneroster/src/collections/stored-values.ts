import type { EntityClass, EntityKey } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { runPrepared } from '@external-tests/persistence';

/**
 * Some properties of one stored object (null when there is none), in one prepared statement. The rules run inside a
 * PUT's preparedTransaction, where the ORM's own queries cannot: they read what they need through this.
 */
export async function storedValues<T extends { sourcedId: string }, K extends keyof T & string>(
  em: EntityManager,
  entity: EntityClass<T>,
  sourcedId: string,
  props: readonly K[],
): Promise<Pick<T, K> | null> {
  const meta = em.getMetadata().get<T>(entity.name);
  const column = (prop: string) => `"${meta.properties[prop as EntityKey<T>].fieldNames[0]}"`;
  const rows = await runPrepared<Pick<T, K>>(
    em,
    `select ${props.map((p) => `${column(p)} "${p}"`).join(', ')} from "${meta.tableName}" where ${column('sourcedId')} = ?`,
    [sourcedId],
  );
  return rows[0] ?? null;
}
