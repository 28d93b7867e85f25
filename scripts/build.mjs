// Builds main, preload and renderer with electron-vite (no Electron binary needed).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cli = require.resolve('electron-vite/bin/electron-vite.js');
const res = spawnSync(process.execPath, [cli, 'build', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(res.status ?? 1);
