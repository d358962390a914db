#!/usr/bin/env node
// `npm run sync`: rewrites the generated files committed with the app — schema.graphql, openapi.json, the example
// TypeScript client in examples/typescript-client/ and the compiled SQL of every exposed function under
// kql/compiled/ (src/contracts/generated-artefacts.ts) — and removes files of generated directories it no longer
// writes (the compiled SQL of functions that are gone). test/deploy/generated-artefacts.test.ts fails CI when they differ.
// Runs on dist/ (the caller builds first), then `npm run sync --workspaces --if-present` lets packages add theirs.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { generatedArtefacts, GENERATED_DIRS } = await import(
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
for (const generatedDir of GENERATED_DIRS) {
  const dir = join(root, generatedDir);
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    if (!wanted.has(`${generatedDir}/${name}`)) {
      rmSync(join(dir, name));
      console.log(`sync: removed ${generatedDir}/${name}`);
      changed++;
    }
  }
}
console.log(`sync: ${artefacts.length} generated files, ${changed} changed`);
