import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(__dirname, '..', '..');

/**
 * Starts `count` embedded databases, one process each (embedded-database-process.ts), in parallel: a PGlite
 * instance holds a single database and runs statements one at a time, so workers get their own instance and CPU.
 */
export async function startEmbeddedTestDatabases(count: number): Promise<{ urls: string[]; stop(): Promise<void> }> {
  const children: ChildProcess[] = [];
  const stop = () => Promise.all(children.map(stopChild)).then(() => undefined);
  try {
    const urls = await Promise.all(
      Array.from({ length: count }, () => {
        const child = spawn(
          process.execPath,
          [
            require.resolve('ts-node/dist/bin'),
            '-r',
            'tsconfig-paths/register',
            '--transpile-only',
            'test/helpers/embedded-database-process.ts',
          ],
          { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
        );
        children.push(child);
        return readyUrl(child);
      }),
    );
    return { urls, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function readyUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const url = /^ready (\S+)$/.exec(line)?.[1];
      if (url) resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`embedded test database exited (${code}) before it was ready`)));
    child.once('error', reject);
  });
}

/** Closing stdin asks the process to close its database and exit. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.stdin?.end();
  });
}
