#!/usr/bin/env node
// `npm run sync`: rewrites the generated files committed with the app — schema.graphql, openapi.json and the
// compiled SQL of every exposed function under kql/compiled/ (src/contracts/generated-artefacts.ts) — and removes
// compiled SQL of functions that are gone. test/deploy/generated-artefacts.test.ts fails CI when they differ.
// Runs on dist/ (the caller builds first), then `npm run sync --workspaces --if-present` lets packages add theirs.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { generatedArtefacts, COMPILED_SQL_DIR } = await import(
  join(root, 'dist', 'src', 'contracts', 'generated-artefacts.js')
);

const artefacts = await generatedArtefacts(root);
const wanted = new Set(artefacts.map((a) => a.path));
let changed = 0;
for (const { path, content } of artefacts) {
  const file = join(root, path);
  if (existsSync(file) && readFileSync(file, 'utf8') === content) {
    continue;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  console.log(`sync: wrote ${path}`);
  changed++;
}
const compiledDir = join(root, COMPILED_SQL_DIR);
for (const name of existsSync(compiledDir) ? readdirSync(compiledDir) : []) {
  if (!wanted.has(`${COMPILED_SQL_DIR}/${name}`)) {
    rmSync(join(compiledDir, name));
    console.log(`sync: removed ${COMPILED_SQL_DIR}/${name}`);
    changed++;
  }
}
console.log(`sync: ${artefacts.length} generated files, ${changed} changed`);
