import { MikroORM } from '@mikro-orm/postgresql';
import { HttpServer, INestApplication, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { AssignmentsModule } from '@external-tests/assignments';
import { CredentialCipher, ImsxExceptionFilter, ResultEventsModule } from '@external-tests/common';
import { MIGRATIONS, PersistenceModule } from '@external-tests/persistence';
import { ProviderModule } from '@external-tests/providers';
import { startSandboxes } from '@external-tests/sandbox';
import { createLesson, createStudent } from '../helpers/fixtures';
import { workerDatabaseUrl } from '../helpers/test-database';

/**
 * Another Nest service imports the libraries (no AppModule): its own config, its own auth (none here), and
 * still serves makeExternalTestAssignment against the tools, on either HTTP platform (Nest's default, Express, or
 * Fastify, which this service runs on).
 */
describe.each<[string, () => HttpServer | undefined]>([
  ['Express', () => undefined],
  ['Fastify', () => new FastifyAdapter()],
])('importing the modules into another Nest app on %s', (_platform, adapter) => {
  // Our tables in a schema of their own, beside the worker database's public ones.
  const schema = `host_${randomBytes(4).toString('hex')}`;
  let app: INestApplication;
  let sandboxes: Awaited<ReturnType<typeof startSandboxes>>;

  beforeAll(async () => {
    sandboxes = await startSandboxes({
      masteryTrack: { apiKey: 'k', integratorEmails: ['svc@example.org'] },
      edulastic: { accounts: [{ username: 'teacher@example.org', password: 'pw' }] },
    });

    @Module({
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [
            () => ({
              db: workerDatabaseUrl(),
              mt: sandboxes.masteryTrack.url,
              edu: `${sandboxes.edulastic.url}/api`,
              eduApp: sandboxes.edulastic.url,
            }),
          ],
        }),
        PersistenceModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (c: ConfigService) => ({ clientUrl: c.getOrThrow('db'), poolMax: 3, schema }),
        }),
        ResultEventsModule,
        AssignmentsModule.forRootAsync({
          imports: [
            ProviderModule.forRootAsync({
              inject: [ConfigService],
              useFactory: (c: ConfigService) => ({
                masteryTrack: {
                  baseUrl: c.getOrThrow('mt'),
                  accounts: { default: { apiKey: 'k', email: 'svc@example.org' } },
                  testUrlHosts: [new URL(c.getOrThrow<string>('mt')).host],
                  writeBackClients: [],
                },
                edulastic: {
                  baseUrl: c.getOrThrow('edu'),
                  appUrl: c.getOrThrow('eduApp'),
                  accounts: { default: { username: 'teacher@example.org', password: 'pw' } },
                },
                http: { attemptTimeoutMs: 2000, totalDeadlineMs: 5000, maxAttempts: 2, maxConcurrency: 8 },
              }),
            }),
          ],
          useFactory: () => ({
            cipher: new CredentialCipher({ id: 'host', key: randomBytes(32) }),
            leaseSeconds: 30,
            idempotencyRetentionHours: 24,
          }),
        }),
      ],
      providers: [{ provide: APP_FILTER, useClass: ImsxExceptionFilter }],
    })
    class HostModule {}

    const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
    const platform = adapter();
    app = platform ? moduleRef.createNestApplication(platform) : moduleRef.createNestApplication();
    await app.init();
    await (app.getHttpAdapter().getInstance() as { ready?: () => Promise<unknown> }).ready?.();
  });
  afterAll(async () => {
    await app?.get(MikroORM).em.getConnection().execute(`drop schema ${schema} cascade`);
    await app?.close();
    await sandboxes.close();
  });

  it('serves the endpoint with the host app’s configuration', async () => {
    const orm = app.get<MikroORM>(MikroORM);
    const student = await createStudent(orm);
    const lesson = await createLesson(orm, { toolProvider: 'edulastic', vendorId: '65a1f0c2e4b0a1b2c3d4e501' });
    const res = await request(app.getHttpServer())
      .post('/powerpath/makeExternalTestAssignment')
      .send({ student: student.sourcedId, lesson: lesson.sourcedId })
      .expect(200);
    expect(res.body).toMatchObject({ toolProvider: 'edulastic', attempt: 1, credentials: { email: student.email } });
    const missing = await request(app.getHttpServer())
      .post('/powerpath/makeExternalTestAssignment')
      .send({ student: 'nobody', lesson: lesson.sourcedId })
      .expect(404);
    expect(missing.body.imsx_codeMajor).toBe('failure');
    const inSchema = await orm.em
      .getConnection()
      .execute<
        { sourced_id: string }[]
      >(`select sourced_id from ${schema}.users union all select name from ${schema}.mikro_orm_migrations`);
    expect(inSchema.map((r) => r.sourced_id)).toEqual([student.sourcedId, ...MIGRATIONS.map((m) => m.name)]);
  });

  it('replays an Idempotency-Key and answers a malformed body with the imsx envelope', async () => {
    const orm = app.get<MikroORM>(MikroORM);
    const student = await createStudent(orm);
    const lesson = await createLesson(orm, { toolProvider: 'edulastic', vendorId: '65a1f0c2e4b0a1b2c3d4e501' });
    const key = `host-${randomBytes(6).toString('hex')}`;
    const send = () =>
      request(app.getHttpServer())
        .post('/powerpath/makeExternalTestAssignment')
        .set('Idempotency-Key', key)
        .send({ student: student.sourcedId, lesson: lesson.sourcedId });
    const first = await send().expect(200);
    const again = await send().expect(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const malformed = await request(app.getHttpServer())
      .post('/powerpath/makeExternalTestAssignment')
      .set('content-type', 'application/json')
      .send('{"student":')
      .expect(400);
    expect(malformed.body.imsx_codeMajor).toBe('failure');
  });
});
