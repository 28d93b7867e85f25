import { afterEach, describe, expect, it } from 'vitest';
import { IpcStreams, senderAllowed, type StreamFrame } from '../../../../main/hosts/desktop/ipcStreams';
import { startEngine } from '../../../helpers/engineFixture';

describe('who may talk to the engine over IPC', () => {
  it('only the main frame of the app window, on the app origin', () => {
    const app = { frameUrl: 'ferry://app/index.html', mainFrame: true, appWindow: true };
    expect(senderAllowed(app)).toBe(true);
    expect(senderAllowed({ ...app, mainFrame: false })).toBe(false);
    expect(senderAllowed({ ...app, appWindow: false })).toBe(false);
    expect(senderAllowed({ ...app, frameUrl: null })).toBe(false);
    for (const url of ['http://127.0.0.1:9/', 'ferry://app.evil/index.html', 'ferry://appx/', 'file:///tmp/x.html']) expect(senderAllowed({ ...app, frameUrl: url }), url).toBe(false);
  });
});

describe('engine streams over IPC', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it('delivers by subscription id, replaces a repeated id, and closes everything of a page that goes away', async () => {
    const f = startEngine();
    dispose = f.dispose;
    const streams = new IpcStreams<string>(f.engine);
    const got: StreamFrame[] = [];
    const send = (frame: StreamFrame) => got.push(frame);

    expect(streams.subscribe('page', { subId: 1, name: 'app.navigate' }, send)).toBe(true);
    expect(streams.subscribe('page', { subId: 2, name: 'app.navigate' }, send)).toBe(false);
    f.engine.navigate({ view: 'settings' });
    expect(got.map((g) => g.subId).sort()).toEqual([1, 2]);

    got.length = 0;
    streams.subscribe('page', { subId: 1, name: 'app.navigate' }, send);
    streams.unsubscribe('page', { subId: 2 });
    f.engine.navigate({ view: 'newUpload' });
    expect(got).toEqual([{ subId: 1, msg: { payload: { view: 'newUpload' } } }]);

    got.length = 0;
    streams.dropOwner('page');
    f.engine.navigate({ view: 'settings' });
    expect(got).toEqual([]);
  });

  it('ignores frames without a numeric id and answers an unknown stream with an error', async () => {
    const f = startEngine();
    dispose = f.dispose;
    const streams = new IpcStreams<string>(f.engine);
    const got: StreamFrame[] = [];
    expect(streams.subscribe('page', undefined, (m) => got.push(m))).toBe(false);
    expect(streams.subscribe('page', { subId: '1', name: 'stats' }, (m) => got.push(m))).toBe(false);
    streams.unsubscribe('page', { subId: 'x' });
    expect(got).toEqual([]);
    streams.subscribe('page', { subId: 7, name: 'no.such.stream' }, (m) => got.push(m));
    expect(got).toEqual([{ subId: 7, msg: { error: expect.objectContaining({ code: 'NOT_FOUND' }) } }]);
    streams.closeAll();
  });
});
