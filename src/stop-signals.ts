/**
 * The signals that mean "stop": each process drains and closes on them (the app's shutdown hooks, the cluster
 * primary passing them on, `npm start`'s dev stack). Nest's default would also stop on SIGUSR2 and the rest of its
 * list; those keep Node's meaning, so an operator's `--heapsnapshot-signal` or `--report-signal` does not end a live
 * instance.
 */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const satisfies readonly NodeJS.Signals[];
