// Lint for the whole repository: typescript-eslint with type information for the TypeScript
// (src, test, bench, vitest.config.ts, all in tsconfig.json), plain rules for the few .js/.mjs
// files. Formatting is prettier's job (`npm run format:check`), so no stylistic rules here.
// Every rule turned off or narrowed below says why; add the reason with any new exception.
import js from '@eslint/js';
import { importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'bench/results/', 'test-artifacts/', 'coverage/'] },

  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      // Imports first, one import per module: an export or statement between imports hides them.
      'import-x/first': 'error',
      'import-x/no-duplicates': ['error', { 'prefer-inline': true }],
      // Type-only imports are marked, so the emitted JavaScript never loads a module for a type.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // `_name` marks a parameter a signature must keep (koa middleware, oidc-provider callbacks)
      // and `_` a destructured property dropped on purpose ({ secret: _, ...rest }).
      // Turned off: koa's Next is typed `() => Promise<any>`, so every middleware's `return next()`
      // trips it. The rest of the no-unsafe family still catches `any` flowing out of untyped values.
      '@typescript-eslint/no-unsafe-return': 'off',
      // Turned off: async functions without await are deliberate here. They implement Promise-returning
      // ports (the lowdb store behind the same interface as PostgreSQL, token caches, koa middleware),
      // and `async` turns a synchronous throw into a rejection the caller already handles.
      '@typescript-eslint/require-await': 'off',
      // Narrowed: a `let` read by a closure before its one assignment (a late-bound provider host,
      // the listener's drain) cannot become a const where it is declared.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // URLSearchParams turns into its query string in a template, as the default allows for lib's
      // URLSearchParams; ours comes from @types/node (the project has no DOM lib).
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allow: [
            { from: 'lib', name: ['Error', 'URL', 'URLSearchParams'] },
            { from: 'package', package: 'url', name: 'URLSearchParams' },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },

  // Tests read JSON.parse results and vitest's asymmetric matchers (expect.any(String), typed any),
  // and the browser suites reach into the page through `document: any` (no DOM lib in this project):
  // a wrong shape fails the assertion, so the no-unsafe-* rules would only add casts.
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },

  // Node scripts and this file: not in tsconfig.json, so no type information.
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  // The two page scripts run in the browser as classic scripts (ES5, no modules, no build step).
  {
    files: ['src/web/views/*.js'],
    languageOptions: { sourceType: 'script', globals: globals.browser },
    rules: {
      // Written as ES5 (var, function): `catch (error)` needs its binding, even when unused.
      '@typescript-eslint/no-unused-vars': ['error', { caughtErrors: 'none' }],
    },
  },
);
