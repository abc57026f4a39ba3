/** The app's pino logger (config/logger-options.ts), for what logs outside Nest's Logger: the request scope. */
export const APP_LOGGER = Symbol('APP_LOGGER');
