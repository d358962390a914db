import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRecordingPage, startAppWithFunctions, type RecordingPage } from '../../utils/browser-app.js';
import { chromiumSkip } from '../../utils/chromium-browser.js';
import type { KqlgateInstance } from '../../utils/kqlgate-instance.js';
import { ingestOrderPlaced, orderPlacedMessage } from '../../utils/order-placed-message.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

const { skip, title } = chromiumSkip('The GraphQL IDE in a real browser');

/** CodeMirror 5 keeps its editor object on its element; the page functions below read and write editors through it. */
interface CodeMirrorElement {
  CodeMirror: { getValue(): string; setValue(value: string): void };
}

/**
 * The browser globals the page functions below use, typed here: the project's tsconfig has no DOM library, and
 * page.evaluate serializes each function, so it cannot share a helper.
 */
interface PageGlobals {
  document: { querySelector(selector: string): CodeMirrorElement | null };
  sessionStorage: { getItem(key: string): string | null };
  localStorage: { length: number };
}

const REVENUE_BY_CHANNEL = `// @expose roles=analyst
// @bind tenantId=claim:tid
.create-or-alter function with (docstring = 'Revenue per sales channel', folder = 'marketing')
RevenueByChannel(tenantId: string) {
    Orders
    | where TenantId == tenantId
    | summarize Revenue = sum(TotalAmount) by Channel
}
`;

describe.skipIf(skip)(title, () => {
  let dir: string;
  let instance: KqlgateInstance;
  let browser: Browser;
  let page: Page;
  let token: string;
  let recording: RecordingPage;

  beforeAll(async () => {
    dir = await tempDir('graphql-ide');
    ({ instance, token } = await startAppWithFunctions(dir, { RevenueByChannel: REVENUE_BY_CHANNEL }));
    // Sent through the real Service Bus SDK; each resolves once ingestion committed it.
    for (const [orderId, totalAmount] of [
      ['o-1', 10],
      ['o-2', 20],
    ] as const) {
      await ingestOrderPlaced(
        instance,
        orderPlacedMessage({ messageId: randomUUID(), orderId, totalAmount, occurredAt: new Date() }),
      );
    }
    recording = await openRecordingPage({ width: 1280, height: 900 });
    ({ browser, page } = recording);
  });
  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
    await removeDir(dir);
  });

  it('should run a query with the entered token and show the function rows in the result pane', async () => {
    await page.goto(`${instance.url}/graphql`);
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
    await page.getByLabel('Token or API key').fill(token);
    await page.getByRole('button', { name: 'Use' }).click();
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
    await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).document
        .querySelector('.graphiql-query-editor .CodeMirror')!
        .CodeMirror.setValue('{ RevenueByChannel { Channel Revenue } }'),
    );
    await page.locator('button.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response .CodeMirror');
    await response.getByText('"RevenueByChannel"').first().waitFor();
    const text = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).document
        .querySelector('.graphiql-response .CodeMirror')!
        .CodeMirror.getValue(),
    );
    expect(text).not.toContain('"errors"');
    const result = JSON.parse(text) as { data: { RevenueByChannel: { Revenue: number }[] } };
    expect(result.data.RevenueByChannel.reduce((sum, row) => sum + row.Revenue, 0)).toBe(30);
    // The token is kept for the tab only, and nothing of the session in localStorage.
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as PageGlobals).sessionStorage.getItem('kqlgate.explorer.credential'),
      ),
    ).toBe(token);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.length)).toBe(0);
    expect(await recording.violations()).toEqual([]);
    expect(recording.consoleErrors).toEqual([]);
  });
});
