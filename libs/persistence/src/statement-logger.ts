import type { LogContext, Logger, LoggerNamespace } from '@mikro-orm/core';

/**
 * Hands each statement's SQL, as sent (`?` placeholders, no parameters), to `onStatement`. MikroORM's own logger
 * formats and colours every statement first and, when query logging is on, rewrites the placeholders too: work
 * the benchmark would otherwise charge to the app. Other namespaces are off (`isEnabled` is false), so MikroORM
 * prepares nothing for them.
 */
export class StatementLogger implements Logger {
  constructor(private readonly onStatement: (sql: string) => void) {}

  logQuery(context: LogContext): void {
    if (context.query) this.onStatement(context.query);
  }

  isEnabled(_namespace: LoggerNamespace): boolean {
    return false;
  }

  log(): void {}
  error(): void {}
  warn(): void {}
  setDebugMode(): void {}
}
