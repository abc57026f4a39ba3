/** Each Jest worker gets its own database cloned from a migrated template (see global-setup.ts). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
export const TEMPLATE_DATABASE = 'eta_test_template';

export function workerDatabaseName(worker: string | number): string {
  return `eta_test_w${worker}`;
}

export function databaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export function workerDatabaseUrl(): string {
  return databaseUrl(workerDatabaseName(process.env.JEST_WORKER_ID ?? '1'));
}
