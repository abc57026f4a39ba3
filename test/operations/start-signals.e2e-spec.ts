import { setTimeout as sleep } from 'node:timers/promises';
import { devStackWorkspace } from '../helpers/dev-stack-workspace';
import { spawnEntry } from '../helpers/spawned-app';

/**
 * `npm start` in a terminal: Ctrl-C sends SIGINT to the process group, and npm forwards its own, so the service gets
 * two at once. The second must not end it before the stack has closed (once, it did: Node's default action, the
 * database left unclosed and nothing said).
 */
describe("npm start: Ctrl-C (two SIGINTs, the terminal's and npm's) closes everything, then says so", () => {
  const workspace = devStackWorkspace('start');

  it('exits 0 after "Stopped.", with its ports closed', async () => {
    const env = await workspace.env();
    const { child, output, exited } = spawnEntry('src/cli/start.ts', env);
    for (let i = 0; i < 240 && !output().includes('is running at'); i++) await sleep(250);
    expect(output()).toContain(`is running at http://127.0.0.1:${env.PORT}`);

    child.kill('SIGINT');
    // npm's comes a moment later, while the stack closes (sent together, the two would arrive as one).
    await sleep(2);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output().trimEnd().endsWith('Stopped.')).toBe(true);
    await expect(fetch(`http://127.0.0.1:${env.PORT}/health/live`)).rejects.toThrow();
  }, 90_000);
});
