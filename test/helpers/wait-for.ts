/**
 * Polls until `read` gives a value other than undefined (or false), and returns it: what a test waits for in another
 * process or connection (a row, a call in flight, a waiting backend). Never a fixed sleep: a loaded host may take its
 * time, and a test that waits a fixed time passes for weeks and then fails.
 */
export async function waitFor<T>(
  read: () => T | undefined | false | Promise<T | undefined | false>,
  what = 'the state waited for',
  timeoutMs = 5_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
