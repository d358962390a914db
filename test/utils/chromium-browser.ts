import { existsSync } from 'node:fs';

/** Debian's chromium (`apt-get install chromium`); playwright-core downloads no browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];

/**
 * Whether a browser test may skip: CI must run it (.ci/run installs chromium), so only a local run without
 * chromium skips, with a title that says why.
 */
export function chromiumSkip(title: string): { skip: boolean; title: string } {
  const skip = !existsSync(CHROMIUM) && !process.env.CI;
  return {
    skip,
    title: skip ? `${title} — SKIPPED: ${CHROMIUM} is absent (apt-get install -y chromium)` : title,
  };
}
