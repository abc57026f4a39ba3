import { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { refuseDeepJson } from '@external-tests/common';
import { Env } from './config/env.schema';
import { QuietStartupLogger } from './config/quiet-startup-logger';
import { trustedProxies } from './config/trusted-proxies';
import { setupSwagger } from './swagger';

export const BODY_LIMIT = '100kb';

/** HTTP settings outside the DI pipeline, shared by main.ts, the CLI and the tests. */
export function configureApp(app: INestApplication, o: { shutdownHooks?: boolean } = {}): void {
  const express = app as NestExpressApplication;
  const config = app.get(ConfigService<Env, true>);
  express.useLogger(new QuietStartupLogger(app.get(Logger)));
  // Depth is checked on the raw bytes, before parsing: deep nesting would overflow the stack of whatever walks it.
  express.useBodyParser('json', { limit: BODY_LIMIT, verify: refuseDeepJson() });
  express.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
  express.disable('x-powered-by');
  // X-Forwarded-For is believed only from the proxies named in TRUSTED_PROXIES (default none): anyone else could
  // pick their own address, and with it their own rate-limit bucket.
  const proxies = trustedProxies(config.get('TRUSTED_PROXIES', { infer: true }));
  express.set('trust proxy', proxies.length > 0 ? proxies : false);
  // Swagger UI needs inline scripts/styles; everything else gets helmet's defaults.
  app.use(helmet({ contentSecurityPolicy: false }));
  // SIGTERM: stop accepting, finish in-flight requests, close the pool (the dev stack handles signals itself).
  if (o.shutdownHooks !== false) app.enableShutdownHooks();
  setupSwagger(
    app,
    config.get('AUTH_DEV_ISSUER', { infer: true }) ? config.get('AUTH_DEV_CLIENT_ID', { infer: true }) : undefined,
  );
}
