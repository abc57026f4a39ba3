import puppeteer, { type Browser } from 'puppeteer-core';

/** Headless Debian chromium (CHROMIUM_PATH overrides); `--no-sandbox` because CI runs it as root in a container. */
export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}
