import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { DynamicModule, Module } from '@nestjs/common';
import { MigrationRunner } from './migration-runner';
import { ormOptions, PERSISTENCE_OPTIONS, PersistenceOptions } from './orm-options';

export interface PersistenceModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: unknown[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  useFactory: (...args: any[]) => PersistenceOptions | Promise<PersistenceOptions>;
}

/** MikroORM with our entities and migrations; the caller only says which PostgreSQL to use. */
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceOptions): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [MikroOrmModule.forRoot(ormOptions(options))],
      providers: [{ provide: PERSISTENCE_OPTIONS, useValue: options }, MigrationRunner],
    };
  }

  static forRootAsync(options: PersistenceModuleAsyncOptions): DynamicModule {
    return {
      module: PersistenceModule,
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
      ],
    };
  }
}
