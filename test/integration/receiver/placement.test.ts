import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finalTree, startReceiverFixture, type ReceiverFixture } from './receiverFixture';
import { create } from './tusHttp';

describe('receiver: filing into folders', () => {
  let fx: ReceiverFixture;
  beforeEach(async () => {
    fx = await startReceiverFixture();
  });
  afterEach(async () => {
    await fx.dispose();
  });

  const send = async (relativePath: string) => {
    const data = randomBytes(1000);
    const answer = await create(fx.receiver.url, { length: data.length, metadata: { relativePath, dataset: 'ds' }, body: data });
    expect(answer.status).toBe(201);
    expect(answer.headers['ferry-stored-as']).toBe(encodeURIComponent(`ds/${relativePath}`));
  };

  it('a dataset folder removed between two uploads is made again, not an error', async () => {
    await send('run/a.bin');
    await fsp.rm(path.join(fx.storageDir, 'ds'), { recursive: true });
    await send('run/b.bin');
    expect(await finalTree(fx.storageDir)).toEqual(['ds/run/b.bin']);
  });
});
