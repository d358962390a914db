#!/usr/bin/env node
// The `kqlgate` command. Builds dist/ first when it is missing or stale (e.g. right after `npm ci`).
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, [join(root, 'scripts', 'build-if-needed.mjs')], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
await import('../dist/src/cli/main.js');
