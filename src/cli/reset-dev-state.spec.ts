import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetDevState } from './reset-dev-state';

describe('resetDevState (npm run reset)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'reset-dev-state-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const folders = () => ({ EMBEDDED_DB_DIR: join(dir, 'pglite'), SANDBOX_STATE_DIR: join(dir, 'sandboxes') });

  it('deletes the embedded database and the sandbox state together, and only them', () => {
    const env = folders();
    mkdirSync(env.EMBEDDED_DB_DIR);
    writeFileSync(join(env.EMBEDDED_DB_DIR, 'PG_VERSION'), '17');
    mkdirSync(env.SANDBOX_STATE_DIR);
    writeFileSync(join(env.SANDBOX_STATE_DIR, 'edulastic.json'), '{}');
    writeFileSync(join(dir, 'keep.txt'), 'not ours');

    expect(resetDevState(env)).toEqual([env.EMBEDDED_DB_DIR, env.SANDBOX_STATE_DIR]);
    expect(existsSync(env.EMBEDDED_DB_DIR)).toBe(false);
    expect(existsSync(env.SANDBOX_STATE_DIR)).toBe(false);
    expect(existsSync(join(dir, 'keep.txt'))).toBe(true);
    // Nothing there yet is fine (a first start with --reset).
    expect(() => resetDevState(env)).not.toThrow();
  });

  it('refuses with DATABASE_URL set (wiping the sandboxes alone would put them out of step), deleting nothing', () => {
    const env = folders();
    mkdirSync(env.SANDBOX_STATE_DIR);
    expect(() => resetDevState({ ...env, DATABASE_URL: 'postgresql://db/app' })).toThrow(/DATABASE_URL/);
    expect(existsSync(env.SANDBOX_STATE_DIR)).toBe(true);
  });

  it('refuses a folder that holds the working directory', () => {
    mkdirSync(folders().SANDBOX_STATE_DIR);
    expect(() => resetDevState({ ...folders(), EMBEDDED_DB_DIR: '.' })).toThrow(/Refusing/);
    expect(() => resetDevState({ ...folders(), EMBEDDED_DB_DIR: '/' })).toThrow(/Refusing/);
    expect(existsSync(folders().SANDBOX_STATE_DIR)).toBe(true);
  });
});
