/// <reference lib="dom" />
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildDocsInfo, renderStaticHtml } from '@dvt/docs-site';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from './docs-browser.js';
import { syntheticManifest } from './docs-synthetic.js';
import { tempDir } from './helpers.js';

const skip = browserSkipReason();

describe.skipIf(skip)(`the docs site on a 5,000-node project${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let browser: Browser | undefined;
  afterAll(async () => browser?.close());

  it('draws the whole graph and answers a search in under a second', async () => {
    const manifest = syntheticManifest(100);
    const layoutStarted = performance.now();
    const dvt = buildDocsInfo({
      manifest,
      engines: { dev: { type: 'duckdb', displayName: 'DuckDB', color: '#FFF000' }, pg: { type: 'postgres', displayName: 'PostgreSQL', color: '#336791' } },
      defaultTarget: 'dev',
      paths: {},
    });
    const layoutSeconds = (performance.now() - layoutStarted) / 1000;
    const file = join(tempDir(), 'static_index.html');
    writeFileSync(file, renderStaticHtml({ manifest, catalog: { nodes: {}, sources: {} }, dvt }));

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    await page.goto(`${pathToFileURL(file).href}#!/graph?select=`);
    await page.waitForFunction(() => window.dvtDocs?.lastGraph !== undefined);
    const load = await page.evaluate(() => ({ readyAt: window.dvtDocs!.readyAt, graph: window.dvtDocs!.lastGraph!, nodes: window.dvtDocs!.graph.nodeCount }));
    expect(load.nodes).toBe(5000);

    const search = await page.evaluate(async () => {
      const input = document.querySelector<HTMLInputElement>('input.search')!;
      const started = performance.now();
      input.value = 'mart_42_7';
      input.dispatchEvent(new Event('input'));
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      return { ms: performance.now() - started, first: document.querySelector('.suggestions a')?.getAttribute('data-unique-id') };
    });
    expect(search.first).toBe('model.big.mart_42_7');

    const frame = await page.evaluate(async () => {
      window.dvtDocs!.graph.zoom(1.5);
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      return window.dvtDocs!.graph.lastDrawMs;
    });
    console.log(
      `5,000 nodes: layout at generate ${layoutSeconds.toFixed(1)}s; page ready (load, parse, first graph) ${load.readyAt.toFixed(0)}ms; ` +
        `graph selection+draw ${load.graph.ms.toFixed(0)}ms (${load.graph.edges} edges); search ${search.ms.toFixed(0)}ms; zoom frame ${frame.toFixed(0)}ms`,
    );
    expect(load.readyAt).toBeLessThan(1000);
    expect(search.ms).toBeLessThan(1000);
    expect(frame).toBeLessThan(250);
  }, 300_000);
});
