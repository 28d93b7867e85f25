import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

/**
 * One build for every part: the engine hosts (desktop entry and the headless `serve` entry),
 * the sandboxed preload as a single CommonJS bundle, and the renderer.
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve('main/hosts/electron/main.ts'),
          serve: resolve('main/hosts/web/serve.ts'),
          engine: resolve('main/engine/index.ts'),
          cli: resolve('main/cli/ferry.ts'),
          // Not part of the app: the benchmarks' handle on the built engine.
          bench: resolve('bench/entry.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require anything: bundle everything into one CommonJS file.
      externalizeDeps: { exclude: ['zod'] },
      rollupOptions: {
        input: { index: resolve('preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      // FERRY_NO_MINIFY=1 keeps function names, for a CPU profile (bench/rendererPerf.mjs --profile).
      minify: process.env.FERRY_NO_MINIFY !== '1',
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
  },
});
