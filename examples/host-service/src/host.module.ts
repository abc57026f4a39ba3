import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AssignmentsModule } from '@external-tests/assignments';
import { AuthModule, DEFAULT_AUDIENCE, DEV_ISSUER, Scope } from '@external-tests/auth';
import {
  CredentialCipher,
  ImsxExceptionFilter,
  ResultEventsModule,
  createValidationPipe,
} from '@external-tests/common';
import { OneRosterModule } from '@external-tests/oneroster';
import { PersistenceModule } from '@external-tests/persistence';
import { ProviderModule } from '@external-tests/providers';

/**
 * A host service's composition root: its own ConfigModule and environment names, the packages' modules given
 * plain options, our tables in their own PostgreSQL schema next to the host's, and the packages' error filter
 * and validation pipe registered globally (they make every answer the imsx envelope).
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    PersistenceModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (c: ConfigService) => ({
        clientUrl: c.getOrThrow<string>('DATABASE_URL'),
        schema: c.get<string>('EXTERNAL_TESTS_SCHEMA', 'external_tests'),
        poolMax: 5,
        // A row another session holds costs a request a 503 BUSY after 5 s, rather than a hung request.
        lockTimeoutMs: 5_000,
        // A stalled instance's open transaction stops holding its rows after 10 s.
        idleInTransactionTimeoutMs: 10_000,
        // A statement running past 10 s is cancelled: 503 BUSY, its connection back in the pool.
        statementTimeoutMs: 10_000,
      }),
    }),
    ResultEventsModule,
    // The example signs its own tokens with the packages' development issuer; a real host names its JWKS
    // (jwksUrl, issuer, audience) or leaves AuthModule out and guards the routes itself.
    AuthModule.forRootAsync({
      inject: [ConfigService],
      devIssuer: true,
      useFactory: (c: ConfigService) => ({
        issuer: DEV_ISSUER,
        audience: DEFAULT_AUDIENCE,
        devIssuer: {
          clientId: c.get<string>('HOST_CLIENT_ID', 'host-client'),
          clientSecret: c.get<string>('HOST_CLIENT_SECRET', 'host-secret'),
          scopes: Object.values(Scope),
          tokenTtlSeconds: 600,
        },
      }),
    }),
    AssignmentsModule.forRootAsync({
      imports: [
        ProviderModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (c: ConfigService) => ({
            masteryTrack: {
              baseUrl: c.getOrThrow<string>('MASTERY_TRACK_URL'),
              accounts: {
                default: {
                  apiKey: c.getOrThrow<string>('MASTERY_TRACK_API_KEY'),
                  email: c.getOrThrow<string>('MASTERY_TRACK_EMAIL'),
                },
              },
              testUrlHosts: [new URL(c.getOrThrow<string>('MASTERY_TRACK_URL')).host],
              // MasteryTrack writes results back with this OAuth client; only its write-backs finalize attempts.
              writeBackClients: [c.get<string>('HOST_CLIENT_ID', 'host-client')],
            },
            edulastic: {
              baseUrl: `${c.getOrThrow<string>('EDULASTIC_URL')}/api`,
              appUrl: c.getOrThrow<string>('EDULASTIC_URL'),
              accounts: {
                default: {
                  username: c.getOrThrow<string>('EDULASTIC_USERNAME'),
                  password: c.getOrThrow<string>('EDULASTIC_PASSWORD'),
                },
              },
            },
            http: { attemptTimeoutMs: 2000, totalDeadlineMs: 5000, maxAttempts: 2, maxConcurrency: 8 },
          }),
        }),
      ],
      inject: [ConfigService],
      useFactory: (c: ConfigService) => ({
        // Tool passwords are stored encrypted with this 32-byte key (base64).
        cipher: new CredentialCipher({
          id: 'host',
          key: Buffer.from(c.getOrThrow<string>('CREDENTIAL_KEY'), 'base64'),
        }),
        leaseSeconds: 30,
        idempotencyRetentionHours: 24,
      }),
    }),
    OneRosterModule,
  ],
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: ImsxExceptionFilter },
  ],
})
export class HostModule {}
