/**
 * Finding 2: command jobs are the user's decision at the host. No API call turns them on, and a
 * job is checked again when it starts, so a retry after they were turned off runs nothing.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../main/engine/api/dispatch';
import { LOCAL_CONFIG_FILE } from '../../main/engine/kinds/commandJobsGate';
import { Instance } from '../acceptance/support/instance';
import { startEngine, waitForJob } from '../helpers/engineFixture';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function engine(options: { allowCommandJobs?: boolean } = {}) {
  const fixture = startEngine(options);
  cleanups.push(() => fixture.dispose());
  return fixture;
}

/** A program whose every run leaves one line in a file of its own. */
function counter(exit = 0): { args: string[]; runs(): number } {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-sec-cmd-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'runs');
  return { args: ['-c', `echo run >> ${file}; exit ${exit}`], runs: () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0) };
}

describe('command jobs are not a setting an API client can take', () => {
  it('refuses updateSettings {allowCommandJobs} and createCommandJob, and runs nothing', async () => {
    const { engine: e } = engine();
    const prog = counter();
    expect(await dispatchCommand(e, 'updateSettings', { allowCommandJobs: true })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await dispatchCommand(e, 'createCommandJob', { program: '/bin/sh', args: prog.args })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    // Without a native dialog (the web host) a client cannot ask its way in either.
    expect(await dispatchCommand(e, 'requestCommandJobs', {})).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await dispatchCommand(e, 'capabilities', {})).toMatchObject({ ok: true, value: { commandJobs: false, askCommandJobs: false } });
    expect(prog.runs()).toBe(0);
  });

  it('checks again at every start: a retry after the user withdrew permission runs nothing', async () => {
    const { engine: e, dataDir } = engine();
    writeFileSync(join(dataDir, LOCAL_CONFIG_FILE), JSON.stringify({ allowCommandJobs: true }));
    const prog = counter(3);
    const created = await dispatchCommand(e, 'createCommandJob', { program: '/bin/sh', args: prog.args });
    expect(created).toMatchObject({ ok: true });
    const id = (created as { value: { id: number } }).value.id;
    await waitForJob(e, id, (j) => j.state === 'failed' || j.state === 'completed');
    expect(prog.runs()).toBe(1);

    writeFileSync(join(dataDir, LOCAL_CONFIG_FILE), JSON.stringify({ allowCommandJobs: false }));
    expect(await dispatchCommand(e, 'retryJob', { id })).toMatchObject({ ok: true });
    const again = await waitForJob(e, id, (j) => j.state === 'failed' && j.attempts > 1);
    expect(again.error ?? '').toMatch(/command jobs are off/);
    expect(prog.runs()).toBe(1);
  });

  it('ferry serve (the shipped bundle) runs them only with --allow-command-jobs', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-sec-serve-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const off = new Instance(dataDir);
    await off.start();
    cleanups.push(async () => void (await off.stop()));
    await expect(off.call('createCommandJob', { program: '/bin/true' } as never)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(off.call('updateSettings', { allowCommandJobs: true } as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await off.stop();
    const on = new Instance(dataDir, ['--allow-command-jobs']);
    await on.start();
    cleanups.push(async () => void (await on.stop()));
    expect(await on.call('createCommandJob', { program: '/bin/true' } as never)).toMatchObject({ kind: 'command' });
  });
});
