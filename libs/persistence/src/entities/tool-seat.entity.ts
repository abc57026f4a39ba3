import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** Refuses a student the seat's tool user when another student's seat has it (ToolSeat.toolUser). */
export const SEAT_TOOL_USER_UNIQUE = 'tool_seats_tool_user_unique';

/**
 * One request at a time may ask a tool for a student's assignments (tools whose "already exists" answer does not
 * say which attempt it was made for: MasteryTrack). The holder is the attempt calling; its lease expires if the
 * request dies. With calls serialized, an assignment the tool shows that nobody recorded can only come from an
 * attempt whose call never recorded its answer (`tool_assignments.called`).
 */
@Entity({ tableName: 'tool_seats' })
// The seat is given back by its holder, in the statement that records the answer: without an index that statement
// read every student's seat. Partial, so it holds only the seats held now.
@Index({
  name: 'tool_seats_holder_index',
  expression: 'create index "tool_seats_holder_index" on "tool_seats" ("holder") where "holder" is not null',
})
// A tool knows a student by email (MasteryTrack by nothing else, Edulastic by its login): one student's per account.
@Unique({ name: SEAT_TOOL_USER_UNIQUE, properties: ['tool', 'account', 'toolUser'] })
export class ToolSeat {
  @PrimaryKey({ type: 'text' })
  tool!: string;

  @PrimaryKey({ type: 'text' })
  account!: string;

  @PrimaryKey({ type: 'text' })
  studentSourcedId!: string;

  @Property({ type: 'uuid', nullable: true })
  leaseToken?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  leaseUntil?: Date | null;

  /**
   * The student as the tool knows them (the email, lower-cased), written by every take: two students with one email
   * would be one user at the tool, whose "already exists" answers and write-backs could not be told apart.
   */
  @Property({ type: 'text', nullable: true })
  toolUser?: string | null;

  /** The result of the attempt whose request holds the seat. */
  @Property({ type: 'text', nullable: true })
  holder?: string | null;

  /**
   * Bumped by every take: a claim that read the student's tests from a snapshot older than its take trusts them only
   * if nobody took the seat in between (AttemptLedgerRepository.claim).
   */
  @Property({ type: 'integer', default: 0 })
  gen: number = 0;
}
