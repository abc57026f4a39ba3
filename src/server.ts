import './tracing';
import { NestFactory } from '@nestjs/core';
import { ConfigService } from '@nestjs/config';
import { AppModule } from './app.module';
import { exitOnBootFailure } from './boot-failure';
import { configureApp, createHttpAdapter } from './configure-app';
import { Env } from './config/env.schema';

/**
 * One production server (src/main.ts loads it, in each worker when clustered): configuration from the environment,
 * no sandboxes, no embedded database. Tracing is the first import, so it instruments what loads after it.
 */
async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule.forRoot(), createHttpAdapter(), {
    bufferLogs: true,
    bodyParser: false,
    // A module that fails to start rejects (exitOnBootFailure says why) rather than aborting the process.
    abortOnError: false,
  });
  configureApp(app);
  const config = app.get(ConfigService<Env, true>);
  await app.listen(config.get('PORT', { infer: true }), config.get('HOST', { infer: true }));
}

bootstrap().catch(exitOnBootFailure);
