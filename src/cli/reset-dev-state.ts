import { rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';

/**
 * `npm run reset`: what `npm start` keeps between runs — the embedded database and the sandboxes' state — is
 * deleted together, so the next start is a fresh one with both sides in step. With DATABASE_URL set, that database
 * is not ours to wipe, and wiping only the sandboxes would put them out of step with it: refused.
 */
export function resetDevState(env: {
  DATABASE_URL?: string;
  EMBEDDED_DB_DIR: string;
  SANDBOX_STATE_DIR: string;
}): string[] {
  if (env.DATABASE_URL) {
    throw new Error(
      'npm run reset wipes the embedded database and the sandbox state; with DATABASE_URL set, reset that database ' +
        `yourself and delete ${env.SANDBOX_STATE_DIR}`,
    );
  }
  const dirs = [resolve(env.EMBEDDED_DB_DIR), resolve(env.SANDBOX_STATE_DIR)];
  for (const dir of dirs) {
    // A folder that holds the working directory (".", "..", "/") is never data of ours.
    if (!relative(dir, process.cwd()).startsWith('..')) throw new Error(`Refusing to delete ${dir}`);
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  return dirs;
}
