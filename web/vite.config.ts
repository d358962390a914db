import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const web = fileURLToPath(new URL('.', import.meta.url));

/**
 * The browser pages the gateway serves, built into dist/web/<page>/index.html with their hashed files in
 * dist/web/assets/ (served under /ui/assets/, see src/modules/explorer). Everything is bundled: the pages load
 * nothing from another origin and contain no inline script, so the gateway's CSP can be `script-src 'self'`.
 */
export default defineConfig({
  root: web,
  base: '/ui/',
  // Preact's automatic JSX runtime (the oxc transformer also reads web/tsconfig.json).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // No inlined data: URLs (the CSP allows none), no module-preload polyfill (an inline helper).
    assetsInlineLimit: 0,
    // GraphiQL (React, CodeMirror, graphql-js) is one ~1 MB script, loaded once by the IDE page and then cached.
    chunkSizeWarningLimit: 1500,
    modulePreload: { polyfill: false },
    rollupOptions: {
      // GraphiQL's dependencies mark modules "use client" for React server components; a browser bundle has no
      // server side, so the directive means nothing here and the warning about dropping it is noise.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') {
          warn(warning);
        }
      },
      input: {
        explorer: fileURLToPath(new URL('explorer/index.html', import.meta.url)),
        graphiql: fileURLToPath(new URL('graphiql/index.html', import.meta.url)),
      },
    },
  },
});
