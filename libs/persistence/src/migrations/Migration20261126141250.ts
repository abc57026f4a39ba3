import { Migration } from '@mikro-orm/migrations';

export class Migration20261126141250 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "idempotency_keys" add column "lock_token" uuid null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "idempotency_keys" drop column "lock_token";`);
  }
}
