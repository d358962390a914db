#!/usr/bin/env node
// `npm run dev`: the local stack of `npm start`, rebuilt and restarted as the sources change. Two watchers that ship
// with what the project already has, no dev dependency:
//   - `tsc -b tsconfig.build.json --watch` rebuilds the changed sources over the project references (the packages,
//     then the app) into dist/ and packages/*/dist/;
//   - Node's watch mode (`node --watch-path=… dist/src/main.js`) restarts the app when that output changes. It sends
//     SIGTERM and waits for the old process to exit — the app closes its parts (ports, worker threads) on SIGTERM, as
//     it does for Ctrl-C — before it starts the new one, so the new one finds its ports free.
// Arguments go to the app (`npm run dev -- --watch` also hot-swaps kql/ without a restart). The explorer's bundle
// (web/) is built by `npm run build` and not watched here.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// Builds dist/ first when the sources changed (it runs on import), so the app starts at once and the first pass of
// the tsc watcher finds nothing to emit (an emit would restart the app straight away).
import './build-if-needed.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = join(root, 'packages');
// The app's own output and each package's (the app imports the packages' dist/ through node_modules/@kqlgate);
// not dist/ as a whole, whose build-info and bench files are no reason to restart.
const watched = [
  join(root, 'dist', 'src'),
  ...readdirSync(packagesDir).map((name) => join(packagesDir, name, 'dist')),
].filter((path) => existsSync(path));

const tsc = spawn(
  process.execPath,
  [
    join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-b',
    join(root, 'tsconfig.build.json'),
    '--watch',
    '--preserveWatchOutput',
  ],
  { cwd: root, stdio: 'inherit' },
);

// In a process group of its own: Ctrl-C in a terminal signals the whole foreground group, and the app would get
// SIGINT twice (from the terminal and forwarded by the watcher), which it takes as "exit now". Here it gets one
// SIGTERM, from the watcher, when this script passes the signal on.
const app = spawn(
  process.execPath,
  [
    // `--watch-path X`, not `--watch-path=X`: Node 20's watcher strips its own options from what the app gets by
    // dropping the argument after each one unless that starts with '-', so a second `--watch-path=…` would reach the
    // app and make it a watcher of its own (a chain of watchers, each restarting the next).
    ...watched.flatMap((path) => ['--watch-path', path]),
    '--watch-preserve-output',
    join(root, 'dist', 'src', 'main.js'),
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit', detached: true },
);

const exited = (child) =>
  new Promise((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolveExit(child.exitCode ?? 1);
      return;
    }
    child.once('exit', (code) => resolveExit(code ?? 1));
  });

let stopping = false;
async function stop(reason) {
  if (stopping) {
    return;
  }
  stopping = true;
  process.stderr.write(`kqlgate dev: ${reason}; stopping the app and the compiler\n`);
  app.kill('SIGTERM');
  tsc.kill('SIGTERM');
  const [appCode] = await Promise.all([exited(app), exited(tsc)]);
  process.exit(appCode);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => void stop(signal));
}
// Either watcher ending on its own (tsc cannot start, the watcher was killed) ends the session: a half that is
// gone would leave the other running stale code, or rebuilding for nobody.
tsc.once('exit', (code) => void stop(`tsc --watch exited (${code})`));
app.once('exit', (code) => void stop(`node --watch exited (${code})`));
