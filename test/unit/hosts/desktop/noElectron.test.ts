import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = 'main/hosts/desktop';

/**
 * main/hosts/desktop holds what the desktop decides, tested in Node; only main/hosts/electron
 * (the glue) may import electron, so a decision never hides where these tests cannot run it.
 */
describe('main/hosts/desktop', () => {
  it('imports no electron, not even its types', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      expect(readFileSync(join(DIR, file), 'utf8'), file).not.toMatch(/(from|import|require\()\s*['"]electron(\/[^'"]*)?['"]/);
    }
  });
});
