import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const PACKAGE_BOUNDARY =
  'A package stands on its own: import another package by its name (@kqlgate/…) and only its public entry points, ' +
  'never a file outside this package, and never the kqlgate app.';

/**
 * The package boundary (the compiler enforces it too: a package's tsconfig.build.json has rootDir src). A relative
 * import leaves the package when it climbs more directories than the importing file sits below the package's root,
 * so there is one block per depth: a file at packages/<name>/a/b/x.ts (depth 2) may climb two levels, not three.
 */
const packageBoundary = Array.from({ length: 12 }, (_, depth) => ({
  files: [`packages/*/${'*/'.repeat(depth)}*.{ts,mts,js,mjs}`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: [{ name: 'kqlgate', message: PACKAGE_BOUNDARY }],
        patterns: [
          { group: ['kqlgate/*'], message: PACKAGE_BOUNDARY },
          { regex: `^(\\.\\./){${depth + 1}}`, message: PACKAGE_BOUNDARY },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'data/**', 'coverage/**', 'bench/results/**', '**/*.cjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      curly: ['error', 'all'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    // The app uses a package only through its name and public entry points (its package.json `exports`).
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\./)?(\\.\\./)+packages/',
              message:
                'Import a package by its name (@kqlgate/…) and its public entry points, never its files.',
            },
          ],
        },
      ],
    },
  },
  ...packageBoundary,
  {
    // The browser pages (web/, bundled by Vite): browser globals, type-checked with web/tsconfig.json.
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: [
      '**/*.spec.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      'packages/*/test/**/*.ts',
      'packages/*/bench/**/*.ts',
    ],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  prettier,
);
