/**
 * Preloaded (`-r`) into the servers `npm run bench:instructions` counts, which run with `--expose-gc`: SIGUSR2 runs a
 * full collection and says so on stderr. The harness collects before each counted window, so each window starts
 * from the same heap and a collection of what earlier windows left does not land in some windows and not others.
 * (Imported by the harness too, for the line it waits for; there `gc` is not exposed and nothing is installed.)
 */
export const GC_DONE = 'bench: full collection done';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc)
  process.on('SIGUSR2', () => {
    gc();
    process.stderr.write(`${GC_DONE}\n`);
  });
