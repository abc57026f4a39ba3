import { Migration } from '@mikro-orm/migrations';

export class Migration20261126131000 extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "idempotency_keys" ("client_id" text not null, "key" text not null, "fingerprint" text not null, "state" text check ("state" in ('in_flight', 'done')) not null, "locked_until" timestamptz null, "response_status" int null, "response_sealed" text null, "created_at" timestamptz not null default now(), constraint "idempotency_keys_pkey" primary key ("client_id", "key"));`,
    );
    this.addSql(`create index "idempotency_keys_created_at_index" on "idempotency_keys" ("created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "idempotency_keys" cascade;`);
  }
}
