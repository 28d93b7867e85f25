import { afterEach, describe, expect, it } from 'vitest';
import { openStream } from '../../../main/engine/api/dispatch';
import type { StreamMessage, StreamName } from '../../../shared/contract';
import { startEngine } from '../../helpers/engineFixture';

describe('app.navigate', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it('keeps a request made while no window listens for the first one that opens the stream, once', async () => {
    const fixture = startEngine();
    dispose = fixture.dispose;
    const { engine } = fixture;
    // A notification clicked while the window is still loading (or was closed, on macOS).
    engine.navigate({ view: 'job', jobId: 7 });
    engine.navigate({ view: 'job', jobId: 8 });

    const first: StreamMessage<StreamName>[] = [];
    const second: StreamMessage<StreamName>[] = [];
    const closeFirst = openStream(engine, 'app.navigate', {}, (m) => first.push(m));
    expect(first).toEqual([{ payload: { view: 'job', jobId: 8 } }]);
    const closeSecond = openStream(engine, 'app.navigate', {}, (m) => second.push(m));
    expect(second).toEqual([]);

    engine.navigate({ view: 'settings' });
    expect(first).toEqual([{ payload: { view: 'job', jobId: 8 } }, { payload: { view: 'settings' } }]);
    expect(second).toEqual([{ payload: { view: 'settings' } }]);
    closeFirst();
    closeSecond();

    // Heard by someone: nothing is kept for the next window.
    const third: StreamMessage<StreamName>[] = [];
    openStream(engine, 'app.navigate', {}, (m) => third.push(m))();
    expect(third).toEqual([]);
  });
});
