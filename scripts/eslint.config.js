// ESLint flat config. It lives in scripts/ to keep the top level to the files
// the project layout names; every block is re-based onto the repo root.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = new URL('..', import.meta.url).pathname;

const pureCore = ['src/data/**/*.ts', 'src/ml/**/*.ts', 'src/lib/**/*.ts'];

/** The pure core imports no UI, store, charts or workers (and, outside src/ml, no tf.js). */
function restrictedImports({ tf }) {
  return {
    paths: ['react', 'react-dom', 'zustand', 'recharts'].map((name) => ({ name, message: 'src/data, src/ml and src/lib are pure: no React, no store, no charts.' })),
    patterns: [
      { group: ['**/state/**', '**/components/**', '**/charts/**', '**/workers/**'], message: 'The pure core imports no UI, store or worker code.' },
      ...(tf ? [{ group: ['@tensorflow/*'], message: 'tf.js belongs in src/ml/ and src/workers/ only.' }] : []),
    ],
  };
}

const configs = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'test-results/**', 'playwright-report/**', 'bench-results/**', 'public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser, ...globals.es2022 } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Only workers talk to `self` and `postMessage`.
      'no-restricted-globals': ['error', { name: 'postMessage', message: 'Only src/workers/*.worker.ts may post messages.' }, { name: 'self', message: 'Only src/workers/*.worker.ts may use self.' }],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@tensorflow/*'], message: 'tf.js belongs in src/ml/ and src/workers/ only.' }] },
      ],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ['src/ml/**/*.ts', 'src/workers/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/workers/*.worker.ts'],
    rules: { 'no-restricted-globals': 'off' },
  },
  {
    files: pureCore,
    ignores: ['src/lib/i18n/**'],
    rules: {
      'no-restricted-imports': ['error', restrictedImports({ tf: true })],
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'self', 'postMessage', 'localStorage', 'navigator', 'location', 'indexedDB'].map((name) => ({ name, message: 'src/data and src/ml take plain values: no DOM or worker globals.' })),
      ],
    },
  },
  {
    files: ['src/ml/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', restrictedImports({ tf: false })] },
  },
  {
    files: ['scripts/**/*.{ts,js,mjs}', 'e2e/**/*.ts', 'vite.config.ts', '**/*.test.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: { 'no-restricted-globals': 'off' },
  },
);

export default configs.map((config) => ({ ...config, basePath: root }));
