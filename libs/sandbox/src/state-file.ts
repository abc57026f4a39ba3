import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A store whose state can be written out and read back (the dev stack keeps it across restarts). */
export interface SnapshotStore<S> {
  snapshot(): S;
  restore(snapshot: S): void;
}

/**
 * One sandbox's state as a JSON file: read once at start, rewritten whole (temporary file + rename, so a crash
 * never leaves half a file) after every request that may have changed it, and on close.
 */
export class StateFile<S> {
  constructor(
    readonly path: string,
    private readonly store: SnapshotStore<S>,
  ) {}

  /** Restores the store from the file; false when there is no file (a fresh start). */
  load(): boolean {
    if (!existsSync(this.path)) return false;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (e) {
      throw new Error(
        `Sandbox state ${this.path} is unreadable (${e instanceof Error ? e.message : String(e)}); delete it or run npm run reset`,
      );
    }
    const { version, state } = (parsed ?? {}) as { version?: unknown; state?: S };
    if (version !== STATE_VERSION || state === undefined) {
      throw new Error(`Sandbox state ${this.path} has an unknown format; delete it or run npm run reset`);
    }
    this.store.restore(state);
    return true;
  }

  save(): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ version: STATE_VERSION, state: this.store.snapshot() }));
    renameSync(temporary, this.path);
  }
}

const STATE_VERSION = 1;

export interface SandboxState {
  /** True when the store was restored from its file. */
  restored: boolean;
  /** Writes the state out; absent for in-memory sandboxes. Never throws (a failed write is reported on stderr). */
  save?: () => void;
}

/** A sandbox's state file when one is configured: read now, then saved by whoever calls `save`. */
export function openSandboxState<S>(path: string | undefined, store: SnapshotStore<S>): SandboxState {
  if (path === undefined) return { restored: false };
  const file = new StateFile(path, store);
  return {
    restored: file.load(),
    save: () => {
      try {
        file.save();
      } catch (e) {
        process.stderr.write(`Could not save sandbox state ${path}: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    },
  };
}
