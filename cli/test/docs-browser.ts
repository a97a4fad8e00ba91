import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Debian's chromium: never a browser a test tool downloads. */
export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/**
 * Why browser tests cannot run here, or undefined when they can. With
 * DVT_TEST_REQUIRE_SERVICES=1 a missing browser is a failure, not a skip.
 */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `${CHROMIUM} is missing (apt-get install -y chromium)`;
  if (process.env.DVT_TEST_REQUIRE_SERVICES === '1') throw new Error(`DVT_TEST_REQUIRE_SERVICES=1 but ${reason}`);
  return reason;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}
