/**
 * The desktop packaging config, checked the way electron-builder reads it: against its own JSON
 * schema, and with its own file matcher for what goes into (and stays out of) the package.
 */
import { existsSync, readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { FileMatcher } from 'app-builder-lib/out/fileMatcher';
import type { Configuration } from 'app-builder-lib';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';

const root = process.cwd();
const CONFIG_FILE = join(root, 'electron-builder.yml');
const SCHEMA_FILE = join(root, 'node_modules/app-builder-lib/scheme.json');
const SOURCE_DIRS = ['main', 'renderer', 'shared', 'preload', 'test', 'bench', 'scripts'];
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

type TargetList = string | Array<string | { target: string }> | { target: string } | null | undefined;

function readConfig(): Configuration {
  return load(readFileSync(CONFIG_FILE, 'utf8')) as Configuration;
}

/** "configuration.nsis.oneClick: must be boolean" for each schema error. */
function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty: string }).additionalProperty)})` : '';
    return `configuration${e.instancePath.replaceAll('/', '.')}: ${e.message ?? e.keyword}${extra}`;
  });
}

function targetNames(targets: TargetList): string[] {
  if (!targets) return [];
  const list = Array.isArray(targets) ? targets : [targets];
  return list.map((t) => (typeof t === 'string' ? t : t.target));
}

/** A predicate for "does electron-builder take this project file", built by electron-builder's matcher. */
function matcher(patterns: string[] | string | null | undefined): (path: string) => boolean {
  const filter = new FileMatcher(root, root, (p) => p, patterns).createFilter();
  const fileStat = { isDirectory: () => false } as Stats;
  return (path) => filter(resolve(root, path), existsSync(resolve(root, path)) ? statSync(resolve(root, path)) : fileStat) as boolean;
}

function filesUnder(dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(root, join(d.parentPath, d.name)));
}

function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE), `${file} is a PNG`).toBe(true);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('electron-builder.yml', () => {
  let validate: ValidateFunction;
  let config: Configuration;

  beforeAll(() => {
    // strict: false because electron-builder's schema uses its own `typeof` keyword; no type
    // coercion, so a quoted "true" is caught here even though electron-builder would coerce it.
    const ajv = new Ajv({ allErrors: true, strict: false });
    validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
    config = readConfig();
  });

  it("matches electron-builder's own schema", () => {
    const ok = validate(config);
    expect(describeErrors(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check rejects an unknown key or a wrong type (so the check above can fail)', () => {
    const typo = { ...readConfig(), appID: 'dev.ferry.app' };
    expect(validate(typo)).toBe(false);
    expect(describeErrors(validate.errors)).toContain('configuration: must NOT have additional properties (appID)');

    const nestedTypo = { ...readConfig(), nsis: { ...readConfig().nsis, oneclick: false } };
    expect(validate(nestedTypo)).toBe(false);
    expect(describeErrors(validate.errors)).toContain('configuration.nsis: must NOT have additional properties (oneclick)');

    const wrongType = { ...readConfig(), nsis: { ...readConfig().nsis, oneClick: 'no' } };
    expect(validate(wrongType)).toBe(false);
    expect(describeErrors(validate.errors).join('\n')).toMatch(/configuration\.nsis\.oneClick: must be boolean/);

    const wrongShape = { ...readConfig(), asarUnpack: { pattern: '**/*.node' } };
    expect(validate(wrongShape)).toBe(false);
  });

  it('names the app: a reverse-DNS appId and the productName package.json uses', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { productName: string };
    expect(config.appId).toMatch(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/i);
    expect(config.productName).toBe('Ferry');
    expect(config.productName).toBe(pkg.productName);
  });

  it('builds AppImage and deb for Linux, dmg for macOS, nsis for Windows', () => {
    expect(targetNames(config.linux?.target as TargetList)).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(targetNames(config.mac?.target as TargetList)).toContain('dmg');
    expect(targetNames(config.win?.target as TargetList)).toContain('nsis');
  });

  it('keeps better-sqlite3 (its native addon and the JS that loads it) outside the asar', () => {
    const unpacked = matcher(config.asarUnpack);
    const addon = filesUnder('node_modules/better-sqlite3').filter((f) => !f.includes('/deps/') && !f.includes('/src/'));
    expect(addon).toContain('node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    expect(addon.filter((f) => !unpacked(f))).toEqual([]);
    // Only the addon: unpacking everything would defeat the archive.
    expect(unpacked('node_modules/zod/package.json')).toBe(false);
    expect(unpacked('out/main/index.js')).toBe(false);
  });

  it('has every configured icon on disk, as a PNG large enough for each platform', () => {
    const icons = [config.icon, config.linux?.icon, config.mac?.icon, config.win?.icon].filter((p): p is string => typeof p === 'string');
    expect(icons.length).toBeGreaterThanOrEqual(3);
    for (const icon of new Set(icons)) {
      const file = resolve(root, icon);
      expect(existsSync(file), `${icon} exists`).toBe(true);
      // macOS needs 512 × 512 to make its icns; Windows' ico takes up to 256.
      const { width, height } = pngSize(file);
      expect(width, `${icon} width`).toBeGreaterThanOrEqual(512);
      expect(height, `${icon} height`).toBe(width);
    }
    expect(existsSync(resolve(root, config.directories?.buildResources ?? 'build'))).toBe(true);
  });

  it('packages the built app (out/) and the icons it loads at run time, and no sources', () => {
    const packaged = matcher(config.files as string[]);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
    for (const built of [pkg.main, 'out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'out/renderer/assets/index.js', 'package.json']) {
      expect(packaged(built), `${built} is packaged`).toBe(true);
    }
    expect(packaged('out/main/index.js.map')).toBe(false);
    // The window and the tray load these from the app path, so they must be inside the package.
    const runtimeAssets = filesUnder('resources');
    expect(runtimeAssets).toEqual(expect.arrayContaining(['resources/icon.png', 'resources/tray.png', 'resources/trayTemplate.png']));
    expect(runtimeAssets.filter((f) => !packaged(f))).toEqual([]);

    const sources = SOURCE_DIRS.flatMap(filesUnder);
    expect(sources.length).toBeGreaterThan(100);
    expect(sources.filter(packaged)).toEqual([]);
    for (const other of ['electron-builder.yml', 'tsconfig.json', 'electron.vite.config.ts', 'package-lock.json', '.electron-native/better_sqlite3.node']) {
      expect(packaged(other), `${other} stays out`).toBe(false);
    }
  });
});
