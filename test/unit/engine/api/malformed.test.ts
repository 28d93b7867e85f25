import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandNames, streamNames, type StreamMessage, type StreamName } from '../../../../shared/contract';
import { ERROR_CODES } from '../../../../shared/errors';
import { dispatchCommand, openStream } from '../../../../main/engine/api/dispatch';
import { startEngine, waitForJob } from '../../../helpers/engineFixture';

const HUGE = 'x'.repeat(2_000_000);
/** Inputs no command accepts: wrong types, unknown fields, huge strings, deep nesting. */
const MALFORMED: unknown[] = [
  42,
  'createDemoJob',
  [],
  [{ id: 1 }],
  true,
  { __proto__: { id: 1 }, polluted: true },
  { unknownField: HUGE },
  { id: { nested: { deeper: [1, 2, 3] } } },
];

/** Job commands with an id, and bad values for their fields. */
const ID_COMMANDS = ['getJob', 'pauseJob', 'resumeJob', 'cancelJob', 'stopAfterCurrent', 'retryJob', 'deleteJob'] as const;
const BAD_IDS: unknown[] = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, '1', null, HUGE];

describe('every command given malformed input answers a typed error, and the engine keeps running', () => {
  let f: ReturnType<typeof startEngine>;
  beforeAll(() => {
    f = startEngine();
  });
  afterAll(async () => {
    await f.dispose();
  });

  it('rejects malformed input to every command of the contract with INVALID_INPUT', async () => {
    for (const name of commandNames) {
      for (const input of MALFORMED) {
        const res = await dispatchCommand(f.engine, name, input);
        expect(res, `${name}(${JSON.stringify(input)?.slice(0, 60)})`).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      }
    }
  });

  it('rejects bad ids, negative pages, huge strings and out-of-range numbers of job commands', async () => {
    for (const name of ID_COMMANDS) {
      for (const id of BAD_IDS) {
        expect(await dispatchCommand(f.engine, name, { id })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      }
      expect(await dispatchCommand(f.engine, name, { id: 987_654 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    const bad: [string, unknown][] = [
      ['listJobs', { offset: -1 }],
      ['listJobs', { limit: 0 }],
      ['listJobs', { limit: 501 }],
      ['listJobs', { state: ['exploded'] }],
      ['listJobs', { sort: 'DROP TABLE jobs' }],
      ['listJobs', { text: HUGE }],
      ['listJobs', { createdFrom: -5 }],
      ['readLog', { id: 1, offset: -1 }],
      ['readLog', { id: 1, maxBytes: 1e12 }],
      ['listEvents', { id: 1, since: -3 }],
      ['setPriority', { id: 1, priority: 'urgent' }],
      ['createDemoJob', { items: -1 }],
      ['createDemoJob', { name: HUGE }],
      ['bulkAction', { action: 'explode' }],
      ['bulkAction', { action: 'cancel', ids: [] }],
      ['searchJobs', { text: '' }],
      ['searchJobs', { text: HUGE }],
      ['exportJobs', { format: 'xml' }],
      ['exportJobs', { format: 'csv', path: 'not/absolute' }],
      ['pruneJobs', { olderThanDays: -1 }],
      ['jobStats', { from: 'yesterday' }],
      ['setQueuePaused', { paused: 'yes' }],
    ];
    for (const [name, input] of bad) {
      expect(await dispatchCommand(f.engine, name, input), `${name} ${JSON.stringify(input).slice(0, 80)}`).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT' },
      });
    }
    for (const name of ['readLog', 'listEvents', 'setPriority'] as const) {
      const input = name === 'setPriority' ? { id: 424_242, priority: 'low' } : { id: 424_242 };
      expect(await dispatchCommand(f.engine, name, input)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    }
    expect(await dispatchCommand(f.engine, 'bulkAction', { action: 'cancel', ids: [424_242] })).toMatchObject({
      ok: true,
      value: { affected: [], skipped: [{ id: 424_242 }] },
    });
  });

  it('answers bad stream parameters with an error message, never a throw', () => {
    for (const name of [...streamNames, 'no.such.stream'] as StreamName[]) {
      for (const params of [42, { id: -1 }, { id: 987_654 }, { bogus: HUGE }]) {
        const got: StreamMessage<StreamName>[] = [];
        const close = openStream(f.engine, name, params, (m) => got.push(m));
        close();
        close();
        for (const m of got) if ('error' in m) expect(ERROR_CODES).toContain(m.error.code);
        if (name === 'job.log' || name === 'job.events' || name === ('no.such.stream' as StreamName)) expect(got[0]).toHaveProperty('error');
      }
    }
  });

  it('still answers and runs jobs after all that', async () => {
    expect(await dispatchCommand(f.engine, 'health', {})).toMatchObject({ ok: true, value: { ok: true } });
    const created = await dispatchCommand(f.engine, 'createDemoJob', { items: 3, failRate: 0, itemDelayMs: 0 });
    expect(created.ok).toBe(true);
    const id = (created as { value: { id: number } }).value.id;
    await waitForJob(f.engine, id, (j) => j.state === 'completed');
  });
});
