export * from './errors/app-error';
export * from './errors/imsx-envelope';
export * from './errors/imsx-exception.filter';
export * from './crypto/credential-cipher';
export * from './http/vendor-errors';
export * from './http/vendor-http-client';
export * from './swagger/imsx-error.dto';
export * from './events/result-events';
