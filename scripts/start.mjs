// `npm start`: builds, then runs the desktop app. Where the Electron binary is not installed (it
// is downloaded from GitHub at install time, which some machines cannot reach), it says so and
// runs the same engine and renderer in the browser through the web host instead.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (res.status !== 0) process.exit(res.status ?? 1);
}

function electronBinary() {
  try {
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * better-sqlite3 is a native addon: node_modules holds the build for Node (tests, web host). The
 * desktop app needs one for Electron's ABI, built once into .electron-native/ so that `npm test`
 * and `npm start` work in either order.
 */
function ensureElectronAddon() {
  const version = require('electron/package.json').version;
  const dir = join(root, '.electron-native');
  const target = join(dir, 'better_sqlite3.node');
  const stamp = join(dir, 'electron-version');
  if (existsSync(target) && existsSync(stamp) && readFileSync(stamp, 'utf8') === version) return;
  console.log(`Building better-sqlite3 for Electron ${version} (once)...`);
  const work = join(dir, 'build');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'node_modules'), { recursive: true });
  cpSync(join(root, 'node_modules/better-sqlite3'), join(work, 'node_modules/better-sqlite3'), { recursive: true });
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'native', version: '1.0.0', dependencies: { 'better-sqlite3': '*' } }));
  const rebuild = join(root, 'node_modules/@electron/rebuild/lib/cli.js');
  run(process.execPath, [rebuild, '--version', version, '--module-dir', work, '--only', 'better-sqlite3', '--force']);
  cpSync(join(work, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), target);
  writeFileSync(stamp, version);
}

run(process.execPath, [join(root, 'scripts/build.mjs')]);
const electron = electronBinary();
if (electron) {
  ensureElectronAddon();
  const child = spawn(electron, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(
    '\nThe Electron binary is not installed on this machine (npm could not download it),\n' +
      'so Ferry starts its web host instead: open the URL below in your browser.\n',
  );
  const child = spawn(process.execPath, [join(root, 'out/main/serve.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
}
