/// <reference lib="dom" />
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from './docs-browser.js';
import { BIN, copyExample, dvt, tempDir } from './helpers.js';

const skip = browserSkipReason();
const FIXTURE = fileURLToPath(new URL('./docs-fixtures/two-engines', import.meta.url));
/** Set to a directory to write the README's screenshots there. */
const SCREENSHOTS = process.env.DVT_DOCS_SCREENSHOTS;

const DUCKDB_COLOUR = [0xff, 0xf0, 0x00];
const POSTGRES_COLOUR = [0x33, 0x67, 0x91];

async function openSite(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => window.dvtDocs?.ready === true);
}

/** The colour drawn at a node's swatch in the lineage graph. */
async function nodeColour(page: Page, uniqueId: string): Promise<number[]> {
  return page.evaluate((id) => {
    const at = window.dvtDocs!.graph.swatchPosition(id);
    if (!at) throw new Error(`${id} is not in the graph`);
    const canvas = document.querySelector<HTMLCanvasElement>('canvas.graph-canvas')!;
    const rect = canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const pixel = canvas.getContext('2d')!.getImageData(Math.round((at.x - rect.left) * dpr), Math.round((at.y - rect.top) * dpr), 1, 1).data;
    return [pixel[0], pixel[1], pixel[2]];
  }, uniqueId);
}

function expectColour(actual: number[], expected: number[]): void {
  actual.forEach((channel, i) => expect(Math.abs(channel - expected[i]), `${actual} vs ${expected}`).toBeLessThanOrEqual(3));
}

async function serve(dir: string): Promise<{ url: string; server: ChildProcess }> {
  const server = spawn(process.execPath, [BIN, 'docs', 'serve', '--port', '0', '--no-browser'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Serving docs at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`docs serve exited with ${code}: ${out}`)));
  });
  return { url, server };
}

describe.skipIf(skip)(`the docs site in chromium${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let browser: Browser;
  let page: Page;
  let example: string;
  let served: { url: string; server: ChildProcess };

  beforeAll(async () => {
    example = copyExample();
    const build = dvt(['build'], { cwd: example });
    expect(build.code, build.output).toBe(0);
    const generate = dvt(['docs', 'generate', '--static'], { cwd: example });
    expect(generate.code, generate.output).toBe(0);
    served = await serve(example);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
    page.on('pageerror', (e) => {
      throw e;
    });
  }, 120_000);

  afterAll(async () => {
    served?.server.kill('SIGTERM');
    await browser?.close();
  });

  it('searches for a model, opens its page with columns and engine, and draws it in its engine colour', async () => {
    await openSite(page, served.url);
    await expect(page.locator('article.overview h1').textContent()).resolves.toBe('jaffle_shop');
    await page.fill('input.search', 'customers');
    const suggestion = page.locator('.suggestions a[data-unique-id="model.jaffle_shop.customers"]');
    await suggestion.waitFor();
    await suggestion.click();
    const article = page.locator('article.node-page[data-unique-id="model.jaffle_shop.customers"]');
    await article.waitFor();
    await expect(article.locator('h1').textContent()).resolves.toBe('customers');
    await expect(article.locator('.engine-badge').textContent()).resolves.toBe('DuckDB · dev');
    await expect(article.locator('dd.engine').textContent()).resolves.toBe('DuckDB');
    await expect(article.locator('tr[data-column="customer_id"] .column-type').textContent()).resolves.toBe('INTEGER');
    await expect(article.locator('tr[data-column="customer_id"] .column-tests').textContent()).resolves.toMatch(/unique.*not_null|not_null.*unique/);
    await expect(article.locator('tr[data-column="lifetime_value"] .column-type').textContent()).resolves.toMatch(/^DECIMAL\(\d+,2\)$/);
    await expect(article.locator('pre.sql .hljs-keyword').first().textContent()).resolves.toMatch(/^(with|select)$/i);
    if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'docs-model-page.png') });

    await article.locator('a', { hasText: 'View lineage' }).click();
    await page.waitForFunction(() => window.dvtDocs?.lastGraph !== undefined && location.hash.startsWith('#!/graph'));
    const drawn = await page.evaluate(() => window.dvtDocs!.graph.nodeCount);
    expect(drawn).toBe(9); // customers and its ancestors: all but order_status_latest
    expectColour(await nodeColour(page, 'model.jaffle_shop.customers'), DUCKDB_COLOUR);
    expectColour(await nodeColour(page, 'seed.jaffle_shop.raw_orders'), DUCKDB_COLOUR);

    // A click on a node opens its page.
    const at = await page.evaluate(() => window.dvtDocs!.graph.swatchPosition('model.jaffle_shop.orders')!);
    await page.mouse.click(at.x + 40, at.y);
    await page.locator('article.node-page[data-unique-id="model.jaffle_shop.orders"]').waitFor();
  });

  it('lists every search result on Enter, with where each matched, and trees by folder and source', async () => {
    await openSite(page, served.url);
    await page.fill('input.search', 'lifetime');
    await page.press('input.search', 'Enter');
    await page.locator('article.search-page').waitFor();
    await expect(page.locator('.search-results li', { hasText: 'customers' }).first().textContent()).resolves.toMatch(/matched .*column:lifetime_value/);
    await page.locator('nav.sidebar summary', { hasText: 'models' }).click();
    await page.locator('nav.sidebar summary', { hasText: 'marts' }).click();
    // Folders fill when opened (the toggle event comes after the click).
    await page.locator('nav.sidebar a', { hasText: /^customers$/ }).waitFor();
    await expect(page.locator('nav.sidebar a', { hasText: /^customers$/ }).count()).resolves.toBe(1);
  });

  it('filters the graph with +model+ and zooms', async () => {
    await openSite(page, `${served.url}#!/graph?select=${encodeURIComponent('stg_orders+1')}`);
    const ids = await page.evaluate(() => window.dvtDocs!.graph.drawnIds.sort());
    expect(ids).toEqual(['model.jaffle_shop.order_status_latest', 'model.jaffle_shop.orders', 'model.jaffle_shop.stg_orders']);
    await openSite(page, `${served.url}#!/graph?select=${encodeURIComponent('1+stg_orders')}`);
    await expect(page.evaluate(() => window.dvtDocs!.graph.drawnIds.sort())).resolves.toEqual(['model.jaffle_shop.stg_orders', 'seed.jaffle_shop.raw_orders']);
    const before = await page.evaluate(() => window.dvtDocs!.graph.swatchPosition('model.jaffle_shop.stg_orders')!);
    await page.mouse.move(700, 400);
    await page.mouse.wheel(0, -400);
    await page.waitForTimeout(100);
    const after = await page.evaluate(() => window.dvtDocs!.graph.swatchPosition('model.jaffle_shop.stg_orders')!);
    expect(after).not.toEqual(before);
  });

  it('colours nodes from two engines and marks the data that moves between them (static file, opened from disk)', async () => {
    const dir = join(tempDir(), 'two-engines');
    cpSync(FIXTURE, dir, { recursive: true });
    const schema = `dvt_docs_${process.pid}_${Date.now().toString(36)}`;
    const env = { DVT_DOCS_PG_SCHEMA: schema };
    const pgDown = await serviceSkipReason(POSTGRES);
    expect(dvt(['seed'], { cwd: dir, env }).code).toBe(0);
    expect(dvt(['run', '-s', 'stg_customers'], { cwd: dir, env }).code).toBe(0);
    let postgres: { query(sql: string): Promise<unknown>; close(): Promise<void> } | undefined;
    if (!pgDown) {
      const { default: adapter } = await import('@dvt/adapter-postgres');
      const logger = { debug() {}, info() {}, warn() {} };
      postgres = await adapter.connect({ host: POSTGRES.host, port: POSTGRES.port, user: 'postgres', dbname: 'test', schema }, { projectDir: dir, logger });
      await postgres.query(`create schema "${schema}"`);
      await postgres.query(`create table "${schema}".accounts (account_id integer, account_name text)`);
      await postgres.query(`comment on table "${schema}".accounts is 'CRM accounts'`);
      await postgres.query(`insert into "${schema}".accounts values (10, 'Acme'), (20, 'Globex')`);
      expect(dvt(['run', '-s', 'pg_accounts'], { cwd: dir, env }).code).toBe(0);
    }
    try {
      const generate = dvt(['docs', 'generate', '--static'], { cwd: dir, env });
      expect(generate.code, generate.output).toBe(0);
      if (pgDown) expect(generate.output).toMatch(/Could not read the catalog of 'pg'/);

      const staticPage = await browser.newPage({ viewport: { width: 1400, height: 850 } });
      await openSite(staticPage, `${pathToFileURL(join(dir, 'target', 'static_index.html')).href}#!/graph?select=`);
      await expect(staticPage.locator('.legend').textContent()).resolves.toMatch(/DuckDB \(dev\).*PostgreSQL \(pg\)/);
      expectColour(await nodeColour(staticPage, 'model.two_engines.stg_customers'), DUCKDB_COLOUR);
      expectColour(await nodeColour(staticPage, 'model.two_engines.customer_accounts'), DUCKDB_COLOUR);
      expectColour(await nodeColour(staticPage, 'model.two_engines.pg_accounts'), POSTGRES_COLOUR);
      expectColour(await nodeColour(staticPage, 'source.two_engines.crm.accounts'), POSTGRES_COLOUR);
      const paths = await staticPage.evaluate(() => window.dvtDocs!.model.data.dvt.paths);
      expect(paths['model.two_engines.customer_accounts']).toBe('federate-target');
      expect(paths['model.two_engines.pg_accounts']).toBe('pushdown');
      if (SCREENSHOTS) await staticPage.screenshot({ path: join(SCREENSHOTS, 'docs-lineage-two-engines.png') });

      // A page of a node on PostgreSQL, from the same file: no server involved.
      await staticPage.evaluate(() => (location.hash = '#!/node/source.two_engines.crm.accounts'));
      const article = staticPage.locator('article.node-page');
      await article.waitFor();
      await expect(article.locator('.engine-badge').textContent()).resolves.toBe('PostgreSQL · pg');
      if (!pgDown) await expect(article.locator('tr[data-column="account_name"] .column-type').textContent()).resolves.toBe('text');
      await expect(article.locator('tr[data-column="account_id"] td').nth(2).textContent()).resolves.toMatch(/joins customers to accounts across engines/);
      await staticPage.locator('nav.sidebar button[data-tab="sources"]').click();
      await staticPage.locator('nav.sidebar summary', { hasText: 'crm' }).click();
      await staticPage.locator('nav.sidebar a', { hasText: 'accounts' }).waitFor();
      await expect(staticPage.locator('nav.sidebar a', { hasText: 'accounts' }).count()).resolves.toBe(1);

      // The federated model's page says how and why its data moves.
      await staticPage.evaluate(() => (location.hash = '#!/node/model.two_engines.customer_accounts'));
      await staticPage.locator('article.node-page[data-unique-id="model.two_engines.customer_accounts"]').waitFor();
      await expect(staticPage.locator('.path-badge').textContent()).resolves.toBe('federated on the target');
      await expect(staticPage.locator('dd.reason').textContent()).resolves.toMatch(/model\.two_engines\.pg_accounts on 'pg'/);

      // Descriptions are markdown, sanitised: markup in them never runs.
      await staticPage.evaluate(() => (location.hash = '#!/node/model.two_engines.pg_accounts'));
      await staticPage.locator('article.node-page[data-unique-id="model.two_engines.pg_accounts"] .markdown img').waitFor({ state: 'attached' });
      await staticPage.waitForTimeout(200);
      await expect(staticPage.evaluate(() => (window as { docsInjected?: boolean }).docsInjected)).resolves.toBeUndefined();
      await expect(staticPage.locator('.markdown img[onerror]').count()).resolves.toBe(0);
      await staticPage.evaluate(() => (location.hash = '#!/overview'));
      await expect(staticPage.locator('article.overview .markdown h1').textContent()).resolves.toBe('Two engines');
      await staticPage.close();
    } finally {
      await postgres?.query(`drop schema if exists "${schema}" cascade`);
      await postgres?.close();
    }
  });

  it('opens the example static file from disk', async () => {
    const staticPage = await browser.newPage();
    await openSite(staticPage, `${pathToFileURL(join(example, 'target', 'static_index.html')).href}#!/node/model.jaffle_shop.orders`);
    await expect(staticPage.locator('article.node-page h1').textContent()).resolves.toBe('orders');
    await expect(staticPage.locator('table.columns tbody tr').count()).resolves.toBeGreaterThan(3);
    await staticPage.close();
  });
});
