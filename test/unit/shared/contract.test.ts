import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandNames, commands, streamNames, streams } from '../../../shared/contract';

const DOMAIN_DIR = join(import.meta.dirname, '../../../shared/contract');

/** Every `xCommands` and `xStreams` table that a file under shared/contract/ exports, with the file's name. */
async function domainTables(suffix: 'Commands' | 'Streams'): Promise<{ file: string; names: string[] }[]> {
  const tables: { file: string; names: string[] }[] = [];
  for (const file of readdirSync(DOMAIN_DIR).filter((f) => f.endsWith('.ts')).sort()) {
    const mod = (await import(join(DOMAIN_DIR, file))) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) {
      if (name.endsWith(suffix) && value && typeof value === 'object') tables.push({ file, names: Object.keys(value) });
    }
  }
  return tables;
}

describe('the contract assembled from its domains', () => {
  it.each(['Commands', 'Streams'] as const)('puts every domain %s in the table once, and nothing else', async (suffix) => {
    const files = new Map<string, string[]>();
    for (const { file, names } of await domainTables(suffix)) for (const name of names) files.set(name, [...(files.get(name) ?? []), file]);
    const declaredTwice = [...files].filter(([, where]) => where.length > 1).map(([name, where]) => `${name}: ${where.join(', ')}`);
    expect(declaredTwice).toEqual([]);
    const assembled = suffix === 'Commands' ? commandNames : streamNames;
    expect([...assembled].sort()).toEqual([...files.keys()].sort());
  });

  it('gives every command an input schema and every stream a parameter schema', () => {
    for (const name of commandNames) expect(typeof commands[name].input.safeParse, name).toBe('function');
    for (const name of streamNames) expect(typeof streams[name].params.safeParse, name).toBe('function');
  });
});
