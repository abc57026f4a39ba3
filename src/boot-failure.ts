import { isTransientDatabaseError } from '@external-tests/common';

/** Where DATABASE_URL points, without its credentials. */
function databaseAddress(url: string | undefined): string {
  try {
    const u = new URL(url ?? '');
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/** What a start that failed says: the configuration's own message, the database it could not reach, or the error. */
export function bootFailureMessage(e: unknown, env: Record<string, string | undefined> = process.env): string {
  const error = e instanceof Error ? e : new Error(String(e));
  // validateEnv's message names every bad variable, one a line, never their values.
  if (error.message.startsWith('Invalid configuration')) return error.message.replace(/\n\s*/g, ' ');
  const first = error.message.split('\n')[0];
  if (isTransientDatabaseError(error)) {
    return `The database at ${databaseAddress(env.DATABASE_URL)} (DATABASE_URL) could not be reached: ${first}`;
  }
  return `The service could not start: ${error.name}: ${first}`;
}

/**
 * A start that failed ends the process with one JSON line on stderr, shaped like the pino entries (level 60, fatal),
 * and exit code 1: an unhandled rejection printed Node's dump of the error, with its stack and a source line.
 */
export function exitOnBootFailure(e: unknown): never {
  process.stderr.write(
    JSON.stringify({
      level: 60,
      time: Date.now(),
      pid: process.pid,
      context: 'Bootstrap',
      msg: bootFailureMessage(e),
    }) + '\n',
  );
  process.exit(1);
}
