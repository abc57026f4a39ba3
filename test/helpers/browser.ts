import puppeteer, { Browser } from 'puppeteer-core';

/** Debian's chromium; CI installs it (CHROMIUM_PATH points elsewhere). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * A headless Chromium for browser tests. `--no-sandbox`: CI containers run as root, where Chromium's sandbox
 * cannot start. Each launch gets a throw-away profile, so no authorization persists between tests.
 */
export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}
