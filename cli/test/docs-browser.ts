/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** What the docs page exposes as `window.dvtDocs` (the parts the browser tests read). */
declare global {
  interface Window {
    dvtDocs?: {
      ready: true;
      readyAt: number;
      lastGraph?: { nodes: number; edges: number; ms: number };
      graph: {
        nodeCount: number;
        drawnIds: string[];
        lastDrawMs: number;
        zoom(factor: number): void;
        swatchPosition(id: string): { x: number; y: number } | undefined;
      };
      model: { data: { dvt: { paths: Record<string, string> } } };
    };
  }
}

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
