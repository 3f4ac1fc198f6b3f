// Launches Debian's Chromium through playwright-core; never downloads a browser.
import {existsSync} from 'node:fs';
import {chromium} from 'playwright-core';

const CANDIDATES = ['/usr/lib/chromium/chromium-headless-shell', '/usr/bin/chromium'];

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export function chromiumPath() {
  const path = [process.env.SEGOPS_CHROMIUM, ...CANDIDATES].find((p) => p && existsSync(p));
  if (!path) {
    throw new Error(
      `no Chromium at ${CANDIDATES.join(' or ')}: apt-get install -y chromium chromium-headless-shell`,
    );
  }
  return path;
}

export function launchChromium() {
  return chromium.launch({executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true});
}
