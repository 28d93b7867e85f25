// Loaded into the served process by millionBench (`node --import`): every 250 ms it appends the
// longest and the 99th-percentile event-loop delay of that interval to FERRY_BENCH_PROBE, so the
// benchmark can tell which stretch of a job blocked the loop, and a kill -9 loses at most 250 ms.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const out = process.env.FERRY_BENCH_PROBE;
if (out) {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const timer = setInterval(() => {
    appendFileSync(out, `${JSON.stringify({ t: Date.now(), maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6 })}\n`);
    h.reset();
  }, 250);
  timer.unref();
}
