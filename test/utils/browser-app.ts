import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DevSigningKeyStore } from '../../src/modules/auth/dev-signing-key.store.js';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium-browser.js';
import { startKqlgateInstance, type KqlgateInstance } from './kqlgate-instance.js';

/** The browser globals the page functions below use (the project's tsconfig has no DOM library). */
interface RecorderGlobals {
  cspViolations: string[];
  document: {
    addEventListener(
      type: 'securitypolicyviolation',
      listener: (event: { violatedDirective: string; blockedURI: string }) => void,
    ): void;
  };
}

/**
 * The whole app on the repository's tables with only `functions` (name → .kql text) in its catalog, callers seeing
 * only what they may call, ready to answer; and a dev token of an analyst of tenant contoso.
 */
export async function startAppWithFunctions(
  dir: string,
  functions: Readonly<Record<string, string>>,
): Promise<{ instance: KqlgateInstance; token: string }> {
  const kqlDir = join(dir, 'kql');
  const repoKql = join(import.meta.dirname, '..', '..', 'kql');
  await cp(join(repoKql, 'tables'), join(kqlDir, 'tables'), { recursive: true });
  await cp(join(repoKql, 'ingestion-routes.json'), join(kqlDir, 'ingestion-routes.json'));
  await mkdir(join(kqlDir, 'functions'));
  for (const [name, text] of Object.entries(functions)) {
    await writeFile(join(kqlDir, 'functions', `${name}.kql`), text);
  }
  const instance = await startKqlgateInstance({ KQL_DIR: kqlDir, FUNCTION_VISIBILITY: 'callable' });
  const token = await new DevSigningKeyStore(instance.dataDir).sign({
    subject: 'analyst-1',
    roles: ['analyst'],
    claims: { tid: 'contoso' },
  });
  for (let attempt = 0; attempt < 120; attempt += 1) {
    if ((await fetch(`${instance.url}/health/ready`)).status === 200) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { instance, token };
}

export interface RecordingPage {
  browser: Browser;
  page: Page;
  /** Console errors and uncaught exceptions of the page, as they happen. */
  consoleErrors: string[];
  /** The page's CSP violations, recorded by a listener installed before any of its scripts runs. */
  violations: () => Promise<string[]>;
}

/** Chromium with one page that records its console errors and CSP violations. */
export async function openRecordingPage(viewport: { width: number; height: number }): Promise<RecordingPage> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      consoleErrors.push(message.text());
    }
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.addInitScript(() => {
    const page = globalThis as unknown as RecorderGlobals;
    page.cspViolations = [];
    page.document.addEventListener('securitypolicyviolation', (event) => {
      page.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return {
    browser,
    page,
    consoleErrors,
    violations: () => page.evaluate(() => (globalThis as unknown as RecorderGlobals).cspViolations),
  };
}
