import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  AuthModule,
  AuthModuleAsyncOptions,
  DEFAULT_AUDIENCE,
  DEV_ISSUER,
  RequireScopes,
  Scope,
} from '@external-tests/auth';
import { ImsxExceptionFilter } from '@external-tests/common';

@Controller('host')
class HostController {
  @Get('report')
  @RequireScopes(Scope.PowerPathReadonly)
  report() {
    return { ok: true };
  }
}

/** A host whose ConfigModule supplies the auth options (the dev issuer's client among them). */
function hostModule(auth: Partial<AuthModuleAsyncOptions> = {}) {
  @Module({
    imports: [
      ConfigModule.forRoot({
        isGlobal: true,
        ignoreEnvFile: true,
        load: [() => ({ clientId: 'host-client', clientSecret: 'host-secret' })],
      }),
      AuthModule.forRootAsync({
        inject: [ConfigService],
        devIssuer: true,
        useFactory: (c: ConfigService) => ({
          issuer: DEV_ISSUER,
          audience: DEFAULT_AUDIENCE,
          devIssuer: {
            clientId: c.getOrThrow<string>('clientId'),
            clientSecret: c.getOrThrow<string>('clientSecret'),
            scopes: [Scope.PowerPathReadonly],
            tokenTtlSeconds: 60,
          },
        }),
        ...auth,
      }),
    ],
    controllers: [HostController],
    providers: [{ provide: APP_FILTER, useClass: ImsxExceptionFilter }],
  })
  class HostModule {}
  return HostModule;
}

async function start(module: ReturnType<typeof hostModule>): Promise<INestApplication> {
  const ref = await Test.createTestingModule({ imports: [module] }).compile();
  const app = ref.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

describe('AuthModule.forRootAsync: options from the host ConfigService', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await start(hostModule());
  });
  afterAll(() => app.close());

  it('issues tokens to the configured client and guards the host routes with them', async () => {
    const http = () => request(app.getHttpServer());
    const unauthenticated = await http().get('/host/report').expect(401);
    expect(unauthenticated.body.imsx_codeMajor).toBe('failure');
    await http()
      .post('/oauth2/token')
      .type('form')
      .auth('host-client', 'wrong')
      .send({ grant_type: 'client_credentials' })
      .expect(401);
    const token = await http()
      .post('/oauth2/token')
      .type('form')
      .auth('host-client', 'host-secret')
      .send({ grant_type: 'client_credentials' })
      .expect(200);
    await http()
      .get('/host/report')
      .set('Authorization', `Bearer ${token.body.access_token}`)
      .expect(200, { ok: true });
  });
});

describe('AuthModule.forRootAsync: the issuer is fixed when the module is built', () => {
  it('refuses a factory that returns issuer options the module was not built to serve', async () => {
    await expect(start(hostModule({ devIssuer: false }))).rejects.toThrow(/set devIssuer: true/);
  });

  it('refuses devIssuer: true with a factory that returns no issuer options', async () => {
    await expect(
      start(hostModule({ useFactory: () => ({ issuer: DEV_ISSUER, audience: DEFAULT_AUDIENCE }) })),
    ).rejects.toThrow(/returned no devIssuer options/);
  });
});
