#!/usr/bin/env node
// `npm start`: builds dist/ when the sources changed (build-if-needed.mjs runs on import), then runs the app in
// this same process — one Node.js start-up instead of two (a `prestart` script would be a process of its own).
import './build-if-needed.mjs';

await import('../dist/src/main.js');
