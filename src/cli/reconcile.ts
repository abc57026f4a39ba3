/**
 * `npm run reconcile`: finishes (or releases) assignments left in `assigning` by crashed requests whose lease
 * has expired. Safe to run from cron on any instance, any number of times: it goes through the normal flow,
 * which adopts the tool's existing assignment instead of creating a second one.
 */
import { RequestContext } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { NestFactory } from '@nestjs/core';
import { AssignmentService, IdempotencyReaper } from '@app/assignments';
import { AppModule } from '../app.module';

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(), { logger: ['error', 'warn'] });
  try {
    const em = app.get(MikroORM).em;
    const outcome = await RequestContext.create(em, () => app.get(AssignmentService).reconcile());
    const reaped = await app.get(IdempotencyReaper).reap();
    console.log(`Reconciled: ${outcome.completed} completed, ${outcome.released} released, ${outcome.failed} failed (tool unavailable); ${reaped} idempotency record(s) reaped`);
    if (outcome.failed > 0) process.exitCode = 1;
  } finally {
    await app.close();
  }
}

main().catch((e: unknown) => {
  console.error(`Reconciliation failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
