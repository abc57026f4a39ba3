export * from './entities';
export * from './repositories';
export * from './orm-options';
export * from './persistence.module';
export {
  PERSISTENCE_OPTIONS,
  PERSISTENCE_MODULE_OPTIONS,
  PERSISTENCE_MODULE_ASYNC_OPTIONS,
} from './persistence.module-definition';
export * from './migration-runner';
export * from './transaction-connection-guard';
export { MIGRATIONS } from './migrations';
export { runPrepared, usePreparedStatements } from './prepared-statement';
export {
  OrmQueryInPreparedTransactionError,
  preparedTransaction,
  type PreparedTransactionOptions,
  TransactionRolledBackError,
} from './prepared-transaction';
