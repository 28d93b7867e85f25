import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import { startEngine } from '../../helpers/engineFixture';

describe('settings', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it('changes only the fields a patch names, and keeps them across a restart', async () => {
    const first = startEngine();
    dispose = first.dispose;
    await dispatchCommand(first.engine, 'updateSettings', { concurrency: 7, retentionDays: 90 });
    const after = await dispatchCommand(first.engine, 'updateSettings', { theme: 'dark' });
    expect(after).toMatchObject({ ok: true, value: { theme: 'dark', concurrency: 7, retentionDays: 90 } });
    expect(await dispatchCommand(first.engine, 'updateSettings', { concurrency: 0 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    await first.engine.stop();
    const second = startEngine({ dataDir: first.dataDir });
    dispose = async () => {
      await second.dispose();
    };
    expect(await dispatchCommand(second.engine, 'getSettings', {})).toMatchObject({ ok: true, value: { theme: 'dark', concurrency: 7, retentionDays: 90 } });
  });
});
