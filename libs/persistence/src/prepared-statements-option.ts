import { MikroORM } from '@mikro-orm/postgresql';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { PersistenceOptions } from './orm-options';
import { PERSISTENCE_OPTIONS } from './persistence.module-definition';
import { usePreparedStatements } from './prepared-statement';

/** Applies PersistenceOptions.preparedStatements to this module's ORM (see usePreparedStatements). */
@Injectable()
export class PreparedStatementsOption implements OnModuleInit {
  constructor(
    private readonly orm: MikroORM,
    @Inject(PERSISTENCE_OPTIONS) private readonly options: PersistenceOptions,
  ) {}

  onModuleInit(): void {
    usePreparedStatements(this.orm.config, this.options.preparedStatements ?? true);
  }
}
