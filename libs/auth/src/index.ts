export * from './auth-options';
export * from './auth.module';
export * from './decorators';
export * from './scopes';
export * from './dev-issuer/dev-signing-key';
