import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../../shared/model';
import { makeTmpDir, type TmpDir } from '../../helpers/tmpDir';
import { bundleForNode } from './fixtures/bundle';

const JOBS = 20;
const ITEMS = 150;
const MAX_KILLS = 12;

/** Every line a demo job's human log may hold; a torn line matches none of them. */
const LINE_PATTERNS = [
  /^# (Ferry job \d+: .+|Kind: \w+|Created: [\d\-T:.Z]+|Monitor: (local API off|http:\/\/\S+))$/,
  /^$/,
  /^<\/?(header_json|footer_json|log)>$/,
  /^<log attempt="\d+">$/,
  /^[{}]$/,
  /^ {2}"[\w]+": .*[^,]$|^ {2}"[\w]+": .*,$/,
  /^ {4}.*$/,
  /^ {2}}$|^ {2}},?$/,
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\[ +\d+ \/ \d+ \] Processing 'item_\d+'\.\.\.| {2}item_\d+: step \d+ of \d+| {2}OK\.| {2}FAIL: simulated error on 'item_\d+'|Resuming at item \d+ of \d+|Done: \d+ processed, \d+ failed of \d+|-- .+)$/,
];

interface Run {
  child: ChildProcess;
  exited: Promise<number | null>;
  messages: AsyncIterator<Record<string, unknown>>;
}

function startChild(script: string, dataDir: string): Run {
  const child = spawn(process.execPath, [script, dataDir], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FERRY_LOG_LEVEL: 'error' } });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const messages: AsyncIterator<Record<string, unknown>> = {
    next: async () => {
      const r = await lines.next();
      return r.done ? { done: true, value: undefined } : { done: false, value: JSON.parse(r.value) as Record<string, unknown> };
    },
  };
  return { child, exited, messages };
}

describe('crash safety: the engine killed with SIGKILL while 20 jobs run', () => {
  let script: string;
  let tmp: TmpDir;
  beforeAll(async () => {
    script = await bundleForNode(join(__dirname, 'fixtures', 'crashChild.ts'), 'crashChild');
    tmp = makeTmpDir('ferry-crash');
  }, 60_000);
  afterAll(async () => {
    await tmp.cleanup();
    rmSync(join(script, '..'), { recursive: true, force: true });
  });

  it('finishes every job exactly once, with whole log lines and a sound database', async () => {
    const seed = Number(process.env.FERRY_SEED ?? Math.floor(Math.random() * 1000));
    let random = seed;
    const nextRandom = () => (random = (random * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let kills = 0;
    for (;;) {
      const run = startChild(script, tmp.dir);
      // Kill after a random number of change batches: a random moment tied to the engine's own
      // activity (creation, starts, progress, completions), never a fixed sleep.
      const killAfter = kills < MAX_KILLS ? 1 + Math.floor(nextRandom() * 12) : Infinity;
      let batches = 0;
      let finished = false;
      for (let m = await run.messages.next(); !m.done; m = await run.messages.next()) {
        if (m.value.allDone) finished = true;
        if (m.value.changed && ++batches >= killAfter) {
          run.child.kill('SIGKILL');
          kills++;
          break;
        }
      }
      const code = await run.exited;
      if (finished && code === 0) break;
      expect(kills, `the child ended without finishing (exit ${code}), seed ${seed}`).toBeGreaterThan(0);
    }
    expect(kills).toBeGreaterThan(0);

    const db = new Database(join(tmp.dir, 'ferry.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = db.prepare('SELECT id, state, result, done, processed, sealed FROM jobs ORDER BY id').all() as {
        id: number;
        state: string;
        result: string;
        done: number;
        processed: number;
        sealed: number;
      }[];
      expect(rows).toHaveLength(JOBS);
      for (const row of rows) {
        const where = `job ${row.id} (seed ${seed}, ${kills} kills)`;
        expect(row, where).toMatchObject({ state: 'completed', result: 'success', done: ITEMS, processed: ITEMS, sealed: 1 });
        const dir = join(tmp.dir, 'jobs', String(row.id));
        const log = readFileSync(join(dir, 'job.log'), 'utf8');
        expect(log.endsWith('</footer_json>\n'), where).toBe(true);
        expect(log.match(/<footer_json>/g), where).toHaveLength(1);
        for (const line of log.slice(0, -1).split('\n')) {
          expect(LINE_PATTERNS.some((p) => p.test(line)), `${where}: torn or unknown line ${JSON.stringify(line)}`).toBe(true);
        }
        // Every item was processed, possibly again after a kill, but every one of them at least once.
        for (let i = 1; i <= ITEMS; i++) expect(log, where).toContain(`Processing 'item_${String(i).padStart(3, '0')}'`);
        const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as JobEvent);
        expect(events.map((e) => e.seq), where).toEqual(events.map((_, i) => i + 1));
        const completed = events.findIndex((e) => e.type === 'completed');
        expect(events.filter((e) => e.type === 'completed'), where).toHaveLength(1);
        expect(events.slice(completed + 1).some((e) => e.type === 'started'), `${where}: ran again after completing`).toBe(false);
      }
    } finally {
      db.close();
    }
  }, 120_000);
});
