/**
 * `npm run reconcile`: resumes assignments left pending by requests that died (crash, timeout) once their lease
 * is over, withdraws assignments noted on finished attempts, and reaps idempotency records. Safe to run from cron on any instance, any number of times: it goes
 * through the normal flow, which adopts what the tool made instead of making it again. Without DATABASE_URL it
 * works on a running `npm start` (its embedded database and sandboxes).
 */
import { RequestContext } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { NestFactory } from '@nestjs/core';
import { AssignmentReconciler, IdempotencyReaper } from '@external-tests/assignments';
import { AppModule } from '../app.module';
import { devStackEnv } from './dev-stack-env';

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(devStackEnv(process.env)), {
    logger: ['error', 'warn'],
  });
  try {
    const em = app.get(MikroORM).em;
    const outcome = await RequestContext.create(em, () => app.get(AssignmentReconciler).reconcile());
    const reaped = await app.get(IdempotencyReaper).reap();
    console.log(
      `Reconciled: ${outcome.completed} completed, ${outcome.givenUp} given up (refused: not retried, kept for a late write-back), ${outcome.failed} failed (tool unavailable); ${outcome.withdrawn} assignment(s) of finished attempts withdrawn; ${reaped} idempotency record(s) reaped`,
    );
    if (outcome.failed > 0) process.exitCode = 1;
  } finally {
    await app.close();
  }
}

main().catch((e: unknown) => {
  console.error(`Reconciliation failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
