// Event-loop delay while 8 demo jobs log at full speed (no delay between items): the engine must
// stay responsive to IPC, timers and followers. `node bench/eventLoopBench.mjs [--quick]`.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { conditions, limit, table, tempDir } from './lib.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const { Engine, dispatchCommand } = await import(join(here, '../out/main/engine.js'));
const quick = process.argv.includes('--quick');
const JOBS = 8;
const SECONDS = quick ? 4 : 10;

const t = tempDir('loop');
const results = [];
console.log(`conditions at start: ${await conditions()}`);
try {
  const engine = new Engine({ dataDir: t.dir, limits: { concurrency: JOBS } });
  engine.start();
  const ids = [];
  for (let i = 0; i < JOBS; i++) {
    const res = await dispatchCommand(engine, 'createDemoJob', { items: 10_000_000, failRate: 0.01, itemDelayMs: 0, linesPerItem: 1, name: `full speed ${i}` });
    ids.push(res.value.id);
  }
  // A follower on every job and a poll of the list, as a window showing them would have.
  const stops = ids.map((id) => engine.streams['job.log']({ id, offset: 0 }, () => {}, () => {}));
  const poll = setInterval(() => void dispatchCommand(engine, 'listJobs', { limit: 100 }), 250);
  await sleep(1000); // warm-up: every job running
  const done0 = ids.reduce((n, id) => n + engine.services.jobs.view(id).done, 0);
  const bytes0 = ids.reduce((n, id) => n + engine.services.logs.logSize(id), 0);
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await sleep(SECONDS * 1000);
  h.disable();
  const items = ids.reduce((n, id) => n + engine.services.jobs.view(id).done, 0) - done0;
  const bytes = ids.reduce((n, id) => n + engine.services.logs.logSize(id), 0) - bytes0;
  clearInterval(poll);
  stops.forEach((s) => s());
  await dispatchCommand(engine, 'bulkAction', { action: 'cancel' });
  await engine.stop();
  const ms = (ns) => ns / 1e6;
  table(`Event-loop delay, ${JOBS} demo jobs at full speed for ${SECONDS} s (a follower on each, the list polled 4×/s)`, ['p50', 'p99', 'max', 'items/s', 'log MB/s'], [
    [`${ms(h.percentile(50)).toFixed(1)} ms`, `${ms(h.percentile(99)).toFixed(1)} ms`, `${ms(h.max).toFixed(1)} ms`, Math.round(items / SECONDS).toLocaleString('en'), (bytes / 1e6 / SECONDS).toFixed(1)],
  ]);
  results.push(limit('event-loop delay p99 with 8 jobs at full speed', ms(h.percentile(99)), 'ms', 20));
} finally {
  t.cleanup();
}
console.log(`conditions at end: ${await conditions()}`);
console.log(JSON.stringify({ bench: 'eventLoop', results }));
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
