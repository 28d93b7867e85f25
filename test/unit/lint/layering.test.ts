import { ESLint, type Linter } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** The rules that carry DESIGN.md's layering (the import allow-lists and the globals). */
const LAYERING_RULES = new Set(['ferry/layering', 'no-restricted-globals', 'no-restricted-properties', 'no-restricted-syntax']);

async function lint(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath });
  const fatal = (result?.messages ?? []).filter((m) => m.fatal);
  if (fatal.length > 0) throw new Error(`probe for ${filePath} does not parse: ${fatal[0]?.message}`);
  return (result?.messages ?? []).filter((m) => m.ruleId !== null && LAYERING_RULES.has(m.ruleId));
}

/** What the layering refuses in a probe linted as if it were `filePath`. */
async function refusals(filePath: string, code: string): Promise<string[]> {
  return (await lint(filePath, code)).map((m) => m.message);
}

/** [file the probe is linted as, a word the refusal must contain, the probe's source] */
type Probe = [string, string, string];

const refused: Probe[] = [
  // Reaching behind the engine's front door to its services.
  ['main/hosts/desktop/x.ts', 'engine.services', "import type { Engine } from '../../engine';\nexport const a = (engine: Engine) => engine.services.repo;\n"],
  ['main/hosts/web/x.ts', 'engine.services', "import type { Engine } from '../../engine';\nexport const a = (engine: Engine) => engine.services.jobs;\n"],
  // Imports a layer's allow-list does not name.
  ['main/hosts/bootstrap.ts', 'electron', "import { app } from 'electron';\nexport const a = app;\n"],
  ['main/cli/x.ts', 'electron', "import { app } from 'electron';\nexport const a = app;\n"],
  ['main/cli/x.ts', 'main/hosts/bootstrap', "import { startServices } from '../hosts/bootstrap';\nexport const a = startServices;\n"],
  ['main/cli/x.ts', 'main/hosts/web/webHost', "import { startWebHost } from '../hosts/web/webHost';\nexport const a = startWebHost;\n"],
  ['main/cli/x.ts', 'renderer/src/store/store', "import { useStore } from '../../renderer/src/store/store';\nexport const a = useStore;\n"],
  ['main/hosts/electron/x.ts', 'renderer/src/store/store', "import { useStore } from '../../../renderer/src/store/store';\nexport const a = useStore;\n"],
  ['main/hosts/electron/x.ts', 'main/receiver/receiver', "import { startReceiver } from '../../receiver/receiver';\nexport const a = startReceiver;\n"],
  ['main/hosts/web/x.ts', 'electron', "import { app } from 'electron';\nexport const a = app;\n"],
  ['main/hosts/web/x.ts', 'main/hosts/electron/window', "import { createWindow } from '../electron/window';\nexport const a = createWindow;\n"],
  ['main/hosts/csp.ts', 'main/engine', "import { Engine } from '../engine';\nexport const a = Engine;\n"],
  ['main/receiver/x.ts', 'main/engine', "import { Engine } from '../engine';\nexport const a = Engine;\n"],
  ['main/receiver/x.ts', 'main/engine/engine', "import { Engine } from '../engine/engine';\nexport const a = Engine;\n"],
  ['main/engine/jobs/x.ts', 'electron', "import { app } from 'electron';\nexport const a = app;\n"],
  ['main/engine/x.ts', 'main/hosts/bootstrap', "import { startServices } from '../hosts/bootstrap';\nexport const a = startServices;\n"],
  ['main/engine/x.ts', 'main/receiver/receiver', "import { startReceiver } from '../receiver/receiver';\nexport const a = startReceiver;\n"],
  ['main/engine/x.ts', 'react', "import { useState } from 'react';\nexport const a = useState;\n"],
  ['shared/x.ts', 'readline', "import { createInterface } from 'readline';\nexport const a = createInterface;\n"],
  ['shared/x.ts', 'node:readline/promises', "import { createInterface } from 'node:readline/promises';\nexport const a = createInterface;\n"],
  ['shared/x.ts', 'path', "import { join } from 'path';\nexport const a = join;\n"],
  ['shared/x.ts', 'electron', "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;\n"],
  ['shared/x.ts', 'electron', "import type { App } from 'electron';\nexport type A = App;\n"],
  ['shared/x.ts', 'main/engine', "import { Engine } from '../main/engine';\nexport const a = Engine;\n"],
  ['shared/x.ts', 'node:fs', "export { readFileSync } from 'node:fs';\n"],
  ['shared/x.ts', 'renderer/src/theme', "export * from '../renderer/src/theme';\n"],
  ['shared/x.ts', 'node:fs', "export type S = import('node:fs').Stats;\n"],
  ['preload/x.ts', 'node:fs', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n"],
  ['preload/x.ts', 'fs', "import { readFileSync } from 'fs';\nexport const a = readFileSync;\n"],
  ['preload/x.ts', 'main/engine', "import { Engine } from '../main/engine';\nexport const a = Engine;\n"],
  ['renderer/src/x.ts', 'main/engine/engine', "import { Engine } from '../../main/engine/engine';\nexport const a = Engine;\n"],
  ['renderer/src/x.ts', 'node:fs', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n"],
  ['renderer/src/x.tsx', 'electron', "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;\n"],
  ['renderer/src/x.ts', 'preload', "import '../../preload/index';\n"],
  // Deep imports into the engine from hosts and the CLI: only main/engine/index.ts is theirs.
  ['main/hosts/bootstrap.ts', 'front door', "import { openDatabase } from '../engine/db/database';\nexport const a = openDatabase;\n"],
  ['main/hosts/web/x.ts', 'front door', "import { Engine } from '../../engine/engine';\nexport const a = Engine;\n"],
  ['main/hosts/electron/x.ts', 'front door', "import { createLogger } from '../../engine/util/logger';\nexport const a = createLogger;\n"],
  ['main/hosts/electron/x.ts', 'front door', "import type { HostServices } from '../../engine/hostServices';\nexport type A = HostServices;\n"],
  ['main/cli/x.ts', 'main/engine', "import { Engine } from '../engine';\nexport const a = Engine;\n"],
  // Ways round the import rules.
  ['shared/x.ts', 'require', "const fs = require('fs');\nexport const a = fs;\n"],
  ['main/engine/x.ts', 'require', "const electron = require('electron');\nexport const a = electron;\n"],
  ['main/hosts/web/x.ts', 'require', "import fs = require('fs');\nexport const a = fs;\n"],
  ['main/cli/x.ts', 'require', "const load = require;\nexport const a = load('electron');\n"],
  ['main/receiver/x.ts', 'require', "export const a = require.resolve('../engine/engine');\n"],
  ['main/engine/x.ts', 'node:module', "import { createRequire } from 'node:module';\nexport const a = createRequire;\n"],
  ['shared/x.ts', 'node:fs', "export const fs = await import('node:fs');\n"],
  ['main/engine/x.ts', 'electron', "export const electron = await import('electron');\n"],
  ['main/receiver/x.ts', 'main/engine/engine', 'export const engine = await import(`../engine/engine`);\n'],
  ['main/hosts/web/x.ts', 'front door', "export const engine = await import('../../engine/engine');\n"],
  ['renderer/src/x.ts', 'string literal', "const name = 'node:fs';\nexport const fs = await import(name);\n"],
  ['shared/x.ts', 'globalThis.process', 'export const p = globalThis.process;\n'],
  ['shared/x.ts', 'globalThis.process', "export const p = globalThis['process'];\n"],
  ['shared/x.ts', 'globalThis.process', 'const { process: p } = globalThis;\nexport const a = p;\n'],
  ['shared/x.ts', 'process', 'export const a = process.env;\n'],
  ['shared/x.ts', 'document', 'export const a = document.title;\n'],
  ['shared/x.ts', 'globalThis.window', 'export const a = globalThis.window;\n'],
  ['renderer/src/x.ts', 'window.process', 'export const p = window.process;\n'],
  ['renderer/src/x.ts', 'globalThis.process', 'export const p = globalThis.process.versions;\n'],
  ['renderer/src/x.ts', 'Buffer', "export const b = Buffer.from('x');\n"],
  // A file in no layer of DESIGN.md is refused rather than left unchecked.
  ['main/hosts/other.ts', 'no layer', 'export const a = 1;\n'],
  ['main/x.ts', 'no layer', 'export const a = 1;\n'],
];

/** One legitimate import (or more) per layer: the rules must not refuse everything either. */
const allowed: [string, string][] = [
  ['shared/x.ts', "import { z } from 'zod';\nimport { commands } from './contract';\nexport const a = [z, commands];\n"],
  ['main/engine/jobs/x.ts', "import { readFileSync } from 'node:fs';\nimport { join } from 'path';\nimport Database from 'better-sqlite3';\nimport { watch } from 'chokidar';\nimport { JobsRepo } from '../db/jobsRepo';\nimport { commands } from '../../../shared/contract';\nexport const a = [readFileSync, join, Database, watch, JobsRepo, commands];\n"],
  ['main/receiver/x.ts', "import { createServer } from 'node:http';\nimport { Server } from '@tus/server';\nimport { FileStore } from '@tus/file-store';\nimport { safePath } from './safePath';\nimport { FerryError } from '../../shared/errors';\nexport const a = [createServer, Server, FileStore, safePath, FerryError];\n"],
  ['main/hosts/bootstrap.ts', "import { join } from 'node:path';\nimport { Engine } from '../engine';\nimport { lockDataDir } from '../engine/index';\nimport { startReceiver } from '../receiver/receiver';\nimport type { FerryError } from '../../shared/errors';\nexport const a = [join, Engine, lockDataDir, startReceiver];\nexport type B = FerryError;\n"],
  ['main/hosts/csp.ts', "import { WS_PROTOCOL } from '../../shared/wire';\nexport const a = WS_PROTOCOL;\n"],
  ['main/hosts/web/x.ts', "import { createServer } from 'node:http';\nimport { WebSocketServer } from 'ws';\nimport { Engine } from '../../engine';\nimport { startServices } from '../bootstrap';\nimport { CSP } from '../csp';\nimport { checkToken } from './requestGuard';\nimport { WS_PROTOCOL } from '../../../shared/wire';\nexport const a = [createServer, WebSocketServer, Engine, startServices, CSP, checkToken, WS_PROTOCOL];\n"],
  ['main/hosts/electron/x.ts', "import { app } from 'electron';\nimport { join } from 'node:path';\nimport { Engine } from '../../engine/index.ts';\nimport { startServices } from '../bootstrap';\nimport { CSP } from '../csp';\nimport { createTray } from './tray';\nimport { formatRate } from '../../../shared/format';\nexport const a = [app, join, Engine, startServices, CSP, createTray, formatRate];\n"],
  ['main/cli/x.ts', "import { createInterface } from 'node:readline';\nimport WebSocket from 'ws';\nimport { defaultDataDir } from '../util/dataDir';\nimport { parseArgs } from './args';\nimport { FerryError } from '../../shared/errors';\nexport const a = [createInterface, WebSocket, defaultDataDir, parseArgs, FerryError];\n"],
  ['preload/x.ts', "import { contextBridge, ipcRenderer } from 'electron';\nimport { commandNames } from '../shared/contract';\nexport const a = [contextBridge, ipcRenderer, commandNames];\n"],
  ['renderer/src/x.tsx', "import { useState } from 'react';\nimport { createRoot } from 'react-dom/client';\nimport { create } from 'zustand';\nimport { useShallow } from 'zustand/react/shallow';\nimport { useVirtualizer } from '@tanstack/react-virtual';\nimport { useStore } from './store/store';\nimport { commands } from '../../shared/contract';\nimport './styles/base.css';\nexport const a = [useState, createRoot, create, useShallow, useVirtualizer, useStore, commands];\nexport const lazy = () => import('./components/stats/StatsView');\n"],
];

describe('layering lint rule (DESIGN.md layers as allow-lists)', () => {
  it.each(refused)('refuses in %s: %s', async (filePath, word, code) => {
    const messages = await refusals(filePath, code);
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.join('\n')).toContain(word);
  });

  it.each(allowed)('allows what %s may import', async (filePath, code) => {
    expect(await refusals(filePath, code)).toEqual([]);
  });
});
