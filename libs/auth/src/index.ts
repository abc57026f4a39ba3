export * from './auth-options';
export * from './auth.module';
export * from './decorators';
export * from './scopes';
