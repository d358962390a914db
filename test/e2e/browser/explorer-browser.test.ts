import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRecordingPage, startAppWithFunctions } from '../../utils/browser-app.js';
import { chromiumSkip } from '../../utils/chromium-browser.js';
import type { KqlgateInstance } from '../../utils/kqlgate-instance.js';
import { ingestOrderPlaced, orderPlacedMessage } from '../../utils/order-placed-message.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

const { skip, title } = chromiumSkip('The explorer in a real browser');

/**
 * The browser globals the page functions below use, typed here: the project's tsconfig has no DOM library, and
 * page.evaluate serializes each function, so it cannot share a helper.
 */
interface PageGlobals {
  document: { querySelector(selector: string): { toDataURL(): string } | null };
  sessionStorage: { length: number };
  localStorage: { length: number };
}

/** Screenshots of the chart before and after live data: test artefacts (gitignored). */
const ARTEFACTS = join(import.meta.dirname, '..', '..', '..', 'test-results');

const FUNCTIONS: Record<string, string> = {
  OrdersPerMinute: `// Orders and revenue per minute of the caller's tenant.
//
// @expose roles=analyst cache=30s live=0
// @bind tenantId=claim:tid
// @chart timechart x=Minute y=Orders,Revenue
.create-or-alter function with (docstring = 'Orders and revenue per minute', folder = 'sales')
OrdersPerMinute(tenantId: string, lookback: timespan = 1h) {
    Orders
    | where TenantId == tenantId and OccurredAt >= ago(lookback)
    | summarize Orders = count(), Revenue = sum(TotalAmount) by Minute = bin(OccurredAt, 1m)
    | order by Minute asc
}
`,
  RevenueByChannel: `// @expose roles=analyst
// @bind tenantId=claim:tid
.create-or-alter function with (docstring = 'Revenue per sales channel', folder = 'marketing')
RevenueByChannel(tenantId: string) {
    Orders
    | where TenantId == tenantId
    | summarize Revenue = sum(TotalAmount) by Channel
}
`,
  OperationsOnly: `// @expose roles=operations
.create-or-alter function with (docstring = 'Needs a role the test caller lacks', folder = 'operations')
OperationsOnly() {
    Orders
    | summarize Orders = count()
}
`,
};

/** An order of contoso that happened `minutesAgo` minutes ago, so each lands in its own minute bin. */
const order = (orderId: string, totalAmount: number, minutesAgo: number) =>
  orderPlacedMessage({
    messageId: randomUUID(),
    orderId,
    totalAmount,
    occurredAt: new Date(Date.now() - minutesAgo * 60_000),
  });

describe.skipIf(skip)(title, () => {
  let dir: string;
  let instance: KqlgateInstance;
  let browser: Browser;
  let page: Page;
  let token: string;
  let consoleErrors: string[];

  /** The page's CSP violations, recorded by a listener installed before any of its scripts runs. */
  let violations: () => Promise<string[]>;
  /** The chart's pixels, to tell that it was redrawn with other data. */
  const chartPixels = (): Promise<string> =>
    page.evaluate(() =>
      (globalThis as unknown as PageGlobals).document.querySelector('figure.chart canvas')!.toDataURL(),
    );

  beforeAll(async () => {
    dir = await tempDir('explorer');
    ({ instance, token } = await startAppWithFunctions(dir, FUNCTIONS));
    // Sent through the real Service Bus SDK; each resolves once ingestion committed it.
    await ingestOrderPlaced(instance, order('o-1', 10, 3));
    await ingestOrderPlaced(instance, order('o-2', 20, 2));
    await mkdir(ARTEFACTS, { recursive: true });
    const recording = await openRecordingPage({ width: 1280, height: 1000 });
    ({ browser, page, consoleErrors, violations } = recording);
  });
  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
    await removeDir(dir);
  });

  it('should list only the functions a token may call, grouped by folder and searchable', async () => {
    await page.goto(`${instance.url}/`);
    // Without credentials nothing is callable: the list is empty and says how to fix it.
    await page.getByText('No function is callable with this credential').waitFor();
    await page.getByLabel('Token or API key').fill(token);
    await page.getByRole('button', { name: 'Use' }).click();
    const nav = page.getByRole('navigation', { name: 'Functions' });
    await nav.getByRole('button', { name: 'OrdersPerMinute' }).waitFor();
    expect(await nav.getByRole('heading').allTextContents()).toEqual(['marketing', 'sales']);
    expect(await nav.getByRole('button').allTextContents()).toEqual(['RevenueByChannel', 'OrdersPerMinute']);
    await page.getByLabel('Search functions').fill('per minute');
    expect(await nav.getByRole('button').allTextContents()).toEqual(['OrdersPerMinute']);
    // Keyboard only: Enter in the search box opens the first match.
    await page.getByLabel('Search functions').press('Enter');
    await page.getByRole('heading', { name: 'OrdersPerMinute', level: 1 }).waitFor();
    // The token is kept for the tab only.
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.length)).toBe(1);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.length)).toBe(0);
  });

  it('should show the docstring, access, cache and cost, and the API error for a bad value', async () => {
    const panel = page.locator('section.function');
    expect(await panel.locator('.summary').textContent()).toBe('Orders and revenue per minute');
    expect(await panel.locator('dl.facts').innerText()).toMatch(
      /Access\s+roles analyst\s+Cache\s+30s\s+Cost\s+1 rate-limit point per call[\s\S]*tenantId ← claim tid[\s\S]*@chart timechart x=Minute y=Orders,Revenue/,
    );
    await page.getByLabel('lookback').fill('soon');
    await page.getByRole('button', { name: 'Run' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/\(400 QUERY_INVALID_PARAMETERS\)[\s\S]*lookback: /);
  });

  it('should run a function and show its rows as a table and a time series chart', async () => {
    await page.getByLabel('lookback').fill('1h');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.locator('figure.chart canvas').waitFor();
    expect(await page.locator('figure.chart figcaption').textContent()).toBe(
      'Time series of Orders, Revenue by Minute: 2 points',
    );
    expect(await page.locator('.table-wrap thead th').allInnerTexts()).toEqual([
      'Minute datetime',
      'Orders long',
      'Revenue real',
    ]);
    expect(await page.locator('.table-wrap tbody tr').count()).toBe(2);
    await page.getByRole('button', { name: 'curl' }).click();
    expect(await page.getByLabel('curl snippet').textContent()).toBe(
      `curl -H "Authorization: Bearer $KQLGATE_TOKEN" '${instance.url}/api/v1/functions/OrdersPerMinute?lookback=1h'`,
    );
    await page.getByRole('button', { name: 'typed client call' }).click();
    expect(await page.getByLabel('typed client call snippet').textContent()).toContain(
      'await client.ordersPerMinute({ lookback: "1h" });',
    );
    await page.screenshot({ path: join(ARTEFACTS, 'explorer-chart-before-live.png'), fullPage: true });
  });

  it('should move the chart when ingestion lands data while live is on', async () => {
    const before = await chartPixels();
    await page.getByRole('switch', { name: /Live/ }).check();
    await page.getByText('live · 1 update received').waitFor();
    await ingestOrderPlaced(instance, order('o-3', 35, 1));
    await ingestOrderPlaced(instance, order('o-4', 5, 0));
    await page.locator('figure.chart figcaption', { hasText: ': 4 points' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('.live .status').textContent()).toMatch(/^live · \d+ updates received$/);
    expect(await page.locator('.table-wrap tbody tr').count()).toBe(4);
    expect(await chartPixels()).not.toBe(before);
    await page.screenshot({ path: join(ARTEFACTS, 'explorer-chart-after-live.png'), fullPage: true });
    await page.getByRole('switch', { name: /Live/ }).uncheck();
  });

  it('should draw bars for a string column with numbers, with no CSP violation or console error anywhere', async () => {
    await page.getByLabel('Search functions').fill('');
    await page
      .getByRole('navigation', { name: 'Functions' })
      .getByRole('button', { name: 'RevenueByChannel' })
      .click();
    await page.getByRole('button', { name: 'Run' }).click();
    await page
      .locator('figure.chart figcaption', { hasText: 'Bars of Revenue by Channel: 1 point' })
      .waitFor();
    expect(await violations()).toEqual([]);
    // Chromium logs the network error of the 400 the second test provoked; nothing else may reach the console.
    expect(consoleErrors).toEqual([
      'Failed to load resource: the server responded with a status of 400 (Bad Request)',
    ]);
  });
});
