export * from './entities';
export * from './repositories';
export * from './orm-options';
export * from './persistence.module';
export * from './embedded-database';
export * from './migration-runner';
