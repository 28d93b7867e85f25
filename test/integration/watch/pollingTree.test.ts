import { appendFileSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FileSig } from '../../../main/engine/watch/fileIndex';
import { PathFilter } from '../../../main/engine/watch/glob';
import { FULL_EVERY, PollingTree } from '../../../main/engine/watch/pollingTree';
import type { TreeEvents } from '../../../main/engine/watch/treeWatcher';
import { makeTmpDir } from '../../helpers/tmpDir';

describe('polling walker', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('finds new files at the next light walk, and files rewritten in place at the next full walk', async () => {
    const tmp = makeTmpDir('ferry-poll');
    cleanups.push(tmp.cleanup);
    const sub = join(tmp.dir, 'sub');
    mkdirSync(sub);
    writeFileSync(join(sub, 'a.bin'), 'first');
    const past = new Date(Date.now() - 60_000);
    utimesSync(sub, past, past); // long settled: light walks trust their times
    utimesSync(tmp.dir, past, past);

    const seen: { path: string; sig: FileSig }[] = [];
    const waiting = new Map<string, () => void>();
    const seenPath = (path: string) => new Promise<void>((r) => waiting.set(path, r));
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    let sawRewrite!: () => void;
    const rewritten = new Promise<void>((r) => (sawRewrite = r));
    const events: TreeEvents = {
      file: (path, sig) => {
        seen.push({ path, sig });
        waiting.get(path)?.();
        if (sig.size > 5) sawRewrite();
      },
      gone: () => undefined,
      ready: () => ready(),
      error: (err) => {
        throw err;
      },
      recovered: () => undefined,
    };
    const tree = new PollingTree({ root: tmp.dir, filter: new PathFilter(['**/*'], []), events }, 20);
    tree.start();
    cleanups.push(() => tree.close());
    await isReady;
    expect(seen.map((s) => s.path)).toEqual([join(sub, 'a.bin')]);

    const before = tree.walkCount;
    appendFileSync(join(sub, 'a.bin'), ' and more');
    utimesSync(sub, past, past);
    await rewritten;
    // Found by a full walk, not by the light ones in between.
    const walks = tree.walkCount - before;
    expect(walks).toBeGreaterThan(1);
    expect(walks).toBeLessThanOrEqual(FULL_EVERY);

    // A new file changes its folder's time: the next light walk finds it.
    const fresh = join(sub, 'fresh.bin');
    const found = seenPath(fresh);
    const at = tree.walkCount;
    writeFileSync(fresh, 'new');
    await found;
    expect(tree.walkCount - at).toBeLessThanOrEqual(2);
  });
});
