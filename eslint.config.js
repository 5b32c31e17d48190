// Lint: typescript-eslint's recommended rules plus the layer boundaries of docs/architecture.md:
// shared/ imports only yjs, lib0 and zod; server/ and client/ never import each other.
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import svelteParser from 'svelte-eslint-parser';

const restrict = (patterns) => ['error', { patterns }];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'test-results/**'] },
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parser: svelteParser, parserOptions: { parser: tseslint.parser } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['shared/**'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/server/**', '**/client/**'], message: 'shared/ must not import server/ or client/' },
        { group: ['node:*', 'ws', 'better-sqlite3', 'svelte', 'svelte/*', 'konva'], message: 'shared/ is pure: yjs, lib0 and zod only' },
      ]),
    },
  },
  {
    files: ['server/**'],
    rules: { 'no-restricted-imports': restrict([{ group: ['**/client/**'], message: 'server/ must not import client/' }]) },
  },
  {
    files: ['client/**'],
    rules: {
      'no-restricted-imports': restrict([
        { group: ['**/server/**'], message: 'client/ must not import server/' },
        { group: ['node:*', 'ws', 'better-sqlite3'], message: 'client/ runs in the browser' },
      ]),
    },
  },
  {
    files: ['tests/**', 'bench/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
