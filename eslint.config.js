// Lint, including the layering rules of DESIGN.md: a wrong import fails CI.
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'stream', 'stream/*', 'url', 'util', 'events', 'worker_threads', 'zlib', 'buffer', 'timers', 'timers/*'];
const electron = { group: ['electron', 'electron/*'], message: 'Only main/hosts/electron and preload/ may import electron.' };
const nodeLibs = ['better-sqlite3', 'ws', 'chokidar', '@tus/*', '@aws-sdk/*'];

/** The layering of DESIGN.md, one entry per layer: the files and what they must not import. */
export const layers = [
  {
    files: ['shared/**/*.ts'],
    patterns: [
      electron,
      { group: NODE_BUILTINS, message: 'shared/ runs everywhere: no Node modules.' },
      { group: nodeLibs, message: 'shared/ runs everywhere: no Node libraries.' },
      { group: ['react', 'react-dom', 'react-dom/*', 'zustand', 'zustand/*'], message: 'shared/ has no UI.' },
      { group: ['**/main/**', '**/renderer/**', '**/preload/**', '../main/*', '../renderer/*', '../preload/*'], message: 'shared/ imports nothing of the other layers.' },
    ],
    globals: { forbidDom: true },
  },
  {
    files: ['main/engine/**/*.ts', 'main/receiver/**/*.ts'],
    patterns: [electron, { group: ['**/hosts/**', '**/renderer/**', '**/preload/**'], message: 'The engine does not know its hosts or the renderer.' }],
  },
  {
    files: ['main/hosts/web/**/*.ts'],
    patterns: [electron, { group: ['**/renderer/**', '**/preload/**'], message: 'Hosts reach the renderer only through the contract.' }],
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    patterns: [
      electron,
      { group: NODE_BUILTINS, message: 'The renderer is a sandboxed web page: no Node modules.' },
      { group: nodeLibs, message: 'The renderer is a sandboxed web page: no Node libraries.' },
      { group: ['**/main/**', '**/preload/**'], message: 'The renderer reaches the engine only through window.ferry (the contract).' },
    ],
  },
  {
    files: ['preload/**/*.ts'],
    patterns: [{ group: ['**/main/**', '**/renderer/**'], message: 'The preload imports only shared/ and electron.' }],
  },
];

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.electron-native/**', 'test-results/**', 'playwright-report/**', 'test/fixtures/lint/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  ...layers.map((layer) => ({
    files: layer.files,
    rules: {
      'no-restricted-imports': ['error', { patterns: layer.patterns }],
      ...(layer.globals?.forbidDom
        ? { 'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'localStorage', 'process', 'Buffer', '__dirname'] }
        : {}),
    },
  })),
);
