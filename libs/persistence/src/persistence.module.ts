import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { DynamicModule, Module } from '@nestjs/common';
import { MigrationRunner } from './migration-runner';
import { ormOptions, PERSISTENCE_OPTIONS, PersistenceOptions } from './orm-options';
import { REPOSITORIES } from './repositories';

export interface PersistenceModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: unknown[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useFactory: (...args: any[]) => PersistenceOptions | Promise<PersistenceOptions>;
}

/**
 * MikroORM with our entities, migrations and repositories (all SQL that names our tables lives in them); the
 * caller only says which PostgreSQL to use. Global, so every feature module injects the repositories.
 */
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceOptions): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [MikroOrmModule.forRoot(ormOptions(options))],
      providers: [{ provide: PERSISTENCE_OPTIONS, useValue: options }, MigrationRunner, ...REPOSITORIES],
      exports: REPOSITORIES,
    };
  }

  static forRootAsync(options: PersistenceModuleAsyncOptions): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        ...(options.imports ?? []),
        MikroOrmModule.forRootAsync({
          imports: options.imports,
          inject: options.inject as never[],
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          useFactory: async (...args: any[]) => ormOptions(await options.useFactory(...args)),
          driver: PostgreSqlDriver,
        }),
      ],
      providers: [
        { provide: PERSISTENCE_OPTIONS, useFactory: options.useFactory, inject: (options.inject ?? []) as never[] },
        MigrationRunner,
        ...REPOSITORIES,
      ],
      exports: REPOSITORIES,
    };
  }
}
