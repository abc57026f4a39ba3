import { Entity, Enum, Index, Property, Unique } from '@mikro-orm/core';
import { OneRosterBase, SourcedRef } from './one-roster-base.entity';

export type ScoreStatus = 'exempt' | 'fully graded' | 'not submitted' | 'partially graded' | 'submitted';

/** The constraint that gives one student's result one attempt number per line item (a PUT that races on it runs again). */
export const RESULT_ATTEMPT_UNIQUE = 'assessment_results_attempt_unique';

/** One student's result on a line item, one row per attempt (the assignment flow's are in the ledger, ToolAssignment). */
@Entity({ tableName: 'assessment_results' })
@Unique({ name: RESULT_ATTEMPT_UNIQUE, properties: ['lineItemSourcedId', 'studentSourcedId', 'attempt'] })
@Index({ properties: ['studentSourcedId'] })
export class AssessmentResult extends OneRosterBase<'attempt' | 'scoreDate' | 'scoreStatus'> {
  @Property({ type: 'text' })
  lineItemSourcedId!: string;

  @Property({ type: 'text' })
  studentSourcedId!: string;

  /** Mirrored into metadata.attempt for OneRoster readers. */
  @Property({ type: 'integer', default: 1 })
  attempt: number = 1;

  @Property({ type: 'double precision', nullable: true })
  score?: number | null;

  @Property({ type: 'text', nullable: true })
  textScore?: string | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  scoreDate: Date = new Date();

  @Property({ type: 'jsonb', nullable: true })
  scoreScale?: SourcedRef | null;

  @Property({ type: 'double precision', nullable: true })
  scorePercentile?: number | null;

  @Enum({ items: ['exempt', 'fully graded', 'not submitted', 'partially graded', 'submitted'] })
  scoreStatus: ScoreStatus = 'not submitted';

  @Property({ type: 'text', nullable: true })
  comment?: string | null;

  @Property({ type: 'jsonb', nullable: true })
  learningObjectiveSet?: unknown[] | null;

  @Property({ type: 'text', nullable: true })
  inProgress?: string | null;

  @Property({ type: 'text', nullable: true })
  incomplete?: string | null;

  @Property({ type: 'text', nullable: true })
  late?: string | null;

  @Property({ type: 'text', nullable: true })
  missing?: string | null;

  /** Set once, when the attempt is finalized; guards the once-per-attempt enrollment. */
  @Property({ type: 'timestamptz', nullable: true })
  finalizedAt?: Date | null;

  /**
   * Set once the tool's word on a pulled attempt is a submission it has graded, yet not a final one (Edulastic: a
   * question left skipped). The attempt stays unfinalized, but it is over: a new one may start. Never unset (a next
   * attempt may have started on the strength of it); a later final read still finalizes the attempt.
   */
  @Property({ type: 'timestamptz', nullable: true })
  closedAt?: Date | null;
}
