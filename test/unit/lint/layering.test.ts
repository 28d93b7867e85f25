import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-globals').map((m) => m.message);
}

describe('layering lint rule', () => {
  it('refuses electron in the engine and in shared/', async () => {
    expect(await importErrors('main/engine/jobs/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
    expect(await importErrors('shared/x.ts', "import { ipcRenderer } from 'electron';\nexport const a = ipcRenderer;\n")).toHaveLength(1);
  });

  it('refuses node modules and the DOM in shared/', async () => {
    expect(await importErrors('shared/x.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n")).toHaveLength(1);
    expect(await importErrors('shared/x.ts', "import { join } from 'path';\nexport const a = join;\n")).toHaveLength(1);
    expect(await importErrors('shared/x.ts', 'export const a = document.title;\n')).toHaveLength(1);
  });

  it('refuses main/ in the renderer', async () => {
    expect(await importErrors('renderer/src/x.ts', "import { Engine } from '../../main/engine/engine';\nexport const a = Engine;\n")).toHaveLength(1);
    expect(await importErrors('renderer/src/x.ts', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n")).toHaveLength(1);
  });

  it('allows what the design allows', async () => {
    expect(await importErrors('main/hosts/electron/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([]);
    expect(await importErrors('main/engine/x.ts', "import { readFileSync } from 'node:fs';\nimport { commands } from '../../shared/contract';\nexport const a = [readFileSync, commands];\n")).toEqual([]);
    expect(await importErrors('renderer/src/x.ts', "import { commands } from '../../shared/contract';\nexport const a = commands;\n")).toEqual([]);
  });
});
