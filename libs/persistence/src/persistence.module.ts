import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { DynamicModule, Module } from '@nestjs/common';
import { MigrationRunner } from './migration-runner';
import { ormOptions } from './orm-options';
import {
  ConfigurablePersistenceModule,
  PERSISTENCE_MODULE_ASYNC_OPTIONS,
  PERSISTENCE_MODULE_OPTIONS,
} from './persistence.module-definition';
import { REPOSITORIES } from './repositories';
import { PreparedStatementsOption } from './prepared-statements-option';
import { TransactionConnectionGuard } from './transaction-connection-guard';

/**
 * MikroORM with our entities, migrations and repositories (all SQL that names our tables lives in them); the
 * caller only says which PostgreSQL to use. Global, so every feature module injects the repositories.
 */
@Module({
  providers: [TransactionConnectionGuard, PreparedStatementsOption, MigrationRunner, ...REPOSITORIES],
  exports: REPOSITORIES,
})
export class PersistenceModule extends ConfigurablePersistenceModule {
  static forRoot(options: typeof PERSISTENCE_MODULE_OPTIONS): DynamicModule {
    const module = super.forRoot(options);
    return {
      ...module,
      global: true,
      imports: [
        ...(module.imports ?? []),
        MikroOrmModule.forRoot({
          ...ormOptions(options),
          registerRequestContext: options.registerRequestContext ?? true,
        }),
      ],
    };
  }

  static forRootAsync(options: typeof PERSISTENCE_MODULE_ASYNC_OPTIONS): DynamicModule {
    const module = super.forRootAsync(options);
    const factory = options.useFactory!;
    const orm = MikroOrmModule.forRootAsync({
      imports: options.imports,
      inject: options.inject as never[],
      useFactory: async (...args: unknown[]) => ormOptions(await factory(...(args as never[]))),
      driver: PostgreSqlDriver,
    });
    return { ...module, global: true, imports: [...(module.imports ?? []), orm] };
  }
}
