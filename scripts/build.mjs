// Builds main, preload and renderer with electron-vite (no Electron binary needed).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'node_modules/electron-vite/bin/electron-vite.js');
const res = spawnSync(process.execPath, [cli, 'build', ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(res.status ?? 1);
