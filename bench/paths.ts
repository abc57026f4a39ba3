/**
 * Maps the @external-tests/* aliases (tsconfig.json paths) onto wherever this file runs from: bench/.build after
 * `tsc -p bench/tsconfig.json`, or the repository itself under ts-node. Imported first by every bench process.
 */
import { join } from 'node:path';
import { loadConfig, register } from 'tsconfig-paths';

/** The repository's root (bench/.build/bench when compiled). */
export const repo = join(__dirname, __filename.endsWith('.ts') ? '..' : '../../..');
const config = loadConfig(repo);
if (config.resultType === 'failed') throw new Error(`tsconfig paths: ${config.message}`);
// Compiled: libs/* sit next to bench/ under bench/.build; under ts-node: the repository root.
register({ baseUrl: join(__dirname, '..'), paths: config.paths, addMatchAll: false });
