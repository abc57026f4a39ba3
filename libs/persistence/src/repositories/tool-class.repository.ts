import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { runPrepared } from '../prepared-statement';
import { randomUUID } from 'node:crypto';
import { CLASS_COLUMNS, toClassRecord, ToolClassRecord } from './tool-object-rows';

/** The purpose of a tool class: one per (tool, account, lesson, attempt, cohort). */
export interface ClassPurpose {
  tool: string;
  account: string;
  lessonSourcedId: string;
  attempt: number;
  /** `''` for the class the attempt's students share; a student's sourcedId for a class of its own (ToolClass.cohort). */
  cohort: string;
}

const PURPOSE = 'tool = ? and account = ? and lesson_sourced_id = ? and attempt = ? and cohort = ?';
const purposeParams = (p: ClassPurpose) => [p.tool, p.account, p.lessonSourcedId, p.attempt, p.cohort];

/** The class row after an attempt to lease it: ours to create (`leaseToken`), created already, or busy. */
export type ClassLease =
  | { kind: 'created'; record: ToolClassRecord }
  | { kind: 'leased'; record: ToolClassRecord; leaseToken: string; resumed: boolean }
  | { kind: 'busy'; record: ToolClassRecord };

/** Tool classes (tool_classes): intent recorded before the tool makes one, its id right after. */
@Injectable()
export class ToolClassRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Records the intent to create the class and leases it to this request, or takes over an intent whose
   * request is gone (`resumed`: the class may exist at the tool already). One statement.
   */
  async lease(p: ClassPurpose, leaseSeconds: number): Promise<ClassLease> {
    const token = randomUUID();
    // Always updates on conflict (keeping the row as it is unless it can be leased), so the row comes back even
    // when a concurrent request made it an instant ago: a plain select would not see it from this snapshot.
    const leasable = `tc.state = 'creating' and (tc.lease_until is null or tc.lease_until < now())`;
    const [row] = await runPrepared<Record<string, unknown> & { mine: boolean; inserted: boolean }>(
      this.em,
      `insert into tool_classes as tc (tool, account, lesson_sourced_id, attempt, cohort, state, ref, lease_token, lease_until)
       values (?, ?, ?, ?, ?, 'creating', ?, ?, now() + make_interval(secs => ?))
       on conflict (tool, account, lesson_sourced_id, attempt, cohort) do update set
         lease_token = case when ${leasable} then excluded.lease_token else tc.lease_token end,
         lease_until = case when ${leasable} then excluded.lease_until else tc.lease_until end
       returning ${CLASS_COLUMNS}, tc.lease_token = ? mine, (xmax = 0) inserted`,
      [...purposeParams(p), randomUUID(), token, leaseSeconds, token],
    );
    const record = toClassRecord(row);
    if (row.mine) return { kind: 'leased', record, leaseToken: token, resumed: !row.inserted };
    return record.state === 'created' ? { kind: 'created', record } : { kind: 'busy', record };
  }

  /** The class the tool made, recorded under the lease. False if the lease was lost. */
  async recordCreated(
    p: ClassPurpose,
    leaseToken: string,
    externalId: string,
    classCode: string | null,
  ): Promise<boolean> {
    const rows = await runPrepared<{ n: number }>(
      this.em,
      `update tool_classes set state = 'created', external_id = ?, class_code = ?, lease_token = null, lease_until = null
       where ${PURPOSE} and lease_token = ?
       returning 1 n`,
      [externalId, classCode, ...purposeParams(p), leaseToken],
    );
    return rows.length === 1;
  }

  /** Lets go of the lease after a failure; the intent (and its ref) stays for the next request. */
  async releaseLease(p: ClassPurpose, leaseToken: string): Promise<void> {
    await runPrepared(
      this.em,
      `update tool_classes set lease_token = null, lease_until = null
       where ${PURPOSE} and lease_token = ?`,
      [...purposeParams(p), leaseToken],
    );
  }
}
