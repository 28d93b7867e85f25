// Renderer performance under load: 10,000 jobs in the table and one job logging ~20,000 lines a
// second in the detail panel (its Log tab open), while the table is scrolled. Counts the main thread's long tasks
// (PerformanceObserver 'longtask') over ~10 s and fails when any exceeds 50 ms.
//
//   node scripts/build.mjs && node bench/rendererPerf.mjs [--jobs 10000] [--seconds 10] [--lines-per-item 30] [--profile] [--trace]
//
// --profile samples the page's main thread (CDP Profiler) while it measures and prints, for every
// stretch of over 50 ms without an idle sample, the functions that took its time (self time), and
// writes the whole profile to $TMPDIR/ferry-renderer.cpuprofile (open it in Chromium's DevTools).
// Function names need a bundle built without minifying: FERRY_NO_MINIFY=1 node scripts/build.mjs.
// --trace records Chromium's performance trace ($TMPDIR/ferry-renderer-trace.json, for DevTools'
// Performance panel) and prints what each task over 50 ms spent its time on (script, style,
// layout, paint), with the size of each style recalculation and layout, and the task's CPU time
// beside its duration: on a busy machine a task lasts longer than the CPU it gets.
//
// Not part of `npm test` or `npm run bench`: it needs Debian's Chromium (/usr/bin/chromium).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '10' },
    budget: { type: 'string', default: '50' },
    // A demo item writes this many lines plus one; at ~650 items a second, 30 makes ~20,000 lines/s (it varies with the machine's load: the figure measured is printed).
    'lines-per-item': { type: 'string', default: '30' },
    profile: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
  },
});
const JOBS = Number(values.jobs);
const SECONDS = Number(values.seconds);
const BUDGET_MS = Number(values.budget);
const LINES_PER_ITEM = Number(values['lines-per-item']);
const PROFILE = values.profile;
const TRACE = values.trace;
const PROFILE_FILE = join(tmpdir(), 'ferry-renderer.cpuprofile');
const TRACE_FILE = join(tmpdir(), 'ferry-renderer-trace.json');
const CHROMIUM = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium';

const log = (...args) => console.log(`[rendererPerf]`, ...args);

/** CPU seconds the whole machine has spent busy since boot (/proc/stat: all but idle and iowait). */
function cpuSeconds() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const busy = fields.reduce((a, b) => a + b, 0) - fields[3] - fields[4];
  return busy / 100;
}

function serve(dataDir) {
  const child = spawn(process.execPath, ['out/main/serve.js', '--data-dir', dataDir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FERRY_LOG_LEVEL: 'warn' },
  });
  let output = '';
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ferry serve printed no URL in 20 s:\n${output}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const m = /Ferry is serving at (\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`ferry serve exited with ${code}:\n${output}`)));
  });
  return { child, url };
}

/**
 * Stretches of a CPU profile over `minMs` without an idle sample (the long tasks, near enough), each
 * with the functions that took most of its time (self time) and the stack under the top one.
 */
function busyStretches(profile, minMs) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
  const idle = (n) => n.callFrame.functionName === '(idle)' || n.callFrame.functionName === '(program)';
  const out = [];
  let t = profile.startTime;
  let stretch = null;
  const close = () => {
    if (stretch && (stretch.end - stretch.start) / 1000 > minMs) {
      const top = [...stretch.self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
      const stacks = [...stretch.stacks.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
      out.push(`busy ${((stretch.end - stretch.start) / 1000).toFixed(0)} ms at ${((stretch.start - profile.startTime) / 1e6).toFixed(2)} s: ` + top.map(([k, us]) => `${k} ${(us / 1000).toFixed(1)} ms`).join('; '));
      for (const [k, us] of stacks) out.push(`    ${(us / 1000).toFixed(1)} ms in ${k}`);
    }
    stretch = null;
  };
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    const node = nodes.get(profile.samples[i]);
    if (idle(node)) {
      close();
      continue;
    }
    if (!stretch) stretch = { start: t - dt, end: t, self: new Map(), stacks: new Map() };
    const next = profile.timeDeltas[i + 1] ?? 0;
    stretch.end = t + next;
    stretch.self.set(name(node), (stretch.self.get(name(node)) ?? 0) + next);
    // The stack, innermost first, five frames deep.
    const stack = [];
    for (let id = node.id; id !== undefined && stack.length < 6; id = parent.get(id)) {
      const f = nodes.get(id);
      if (f.callFrame.functionName !== '(root)') stack.push(name(f));
    }
    const key = stack.join(' < ');
    stretch.stacks.set(key, (stretch.stacks.get(key) ?? 0) + next);
  }
  close();
  return out.length ? out : [`no stretch over ${minMs} ms without an idle sample`];
}

/** The tasks of a Chromium trace's renderer main thread over `minMs`, and what they were made of. */
function longTaskParts(trace, minMs) {
  const events = trace.traceEvents ?? trace;
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const mine = events.filter((e) => e.pid === main?.pid && e.tid === main?.tid && e.ph === 'X');
  const tasks = mine.filter((e) => e.name === 'RunTask' && e.dur > minMs * 1000);
  const out = [];
  let cpuOver = 0;
  for (const task of tasks) {
    const inner = mine.filter((e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= task.ts + task.dur);
    const parts = new Map();
    for (const e of inner) {
      if (!['FunctionCall', 'EventDispatch', 'TimerFire', 'FireAnimationFrame', 'UpdateLayoutTree', 'Layout', 'Paint', 'PrePaint', 'Layerize', 'ParseHTML', 'v8.run', 'MajorGC', 'MinorGC', 'V8.GC_SCAVENGER', 'ScrollLayer', 'HitTest', 'UpdateLayer', 'IntersectionObserverController::computeIntersections', 'ResizeObserverController::NotifyObservers'].includes(e.name)) continue;
      let label = e.name;
      if (e.name === 'Layout') label += ` (${e.args?.beginData?.dirtyObjects}/${e.args?.beginData?.totalObjects} objects, ${e.args?.beginData?.partialLayout ? 'partial' : 'full'})`;
      if (e.name === 'UpdateLayoutTree') label += ` (${e.args?.elementCount} elements)`;
      if (e.name === 'FunctionCall') label += ` ${e.args?.data?.functionName || ''} ${String(e.args?.data?.url ?? '').split('/').pop()}:${e.args?.data?.lineNumber ?? ''}`;
      const [us, cpu, n] = parts.get(label) ?? [0, 0, 0];
      parts.set(label, [us + e.dur, cpu + (e.tdur ?? 0), n + 1]);
    }
    const top = [...parts.entries()].sort((a, b) => b[1][0] - a[1][0]).slice(0, 8);
    const ms = (us) => (us / 1000).toFixed(1);
    // dur is the time the task took, tdur the CPU time its thread had: on a machine shared with
    // other work the two part (the thread waited for a CPU).
    out.push(`task ${ms(task.dur)} ms (CPU ${ms(task.tdur ?? 0)} ms): ${top.map(([k, [us, cpu, n]]) => `${k} ${ms(us)} ms (CPU ${ms(cpu)})${n > 1 ? ` ×${n}` : ''}`).join('; ')}`);
    cpuOver += (task.tdur ?? 0) > minMs * 1000 ? 1 : 0;
  }
  out.push(`${tasks.length} tasks over ${minMs} ms; ${cpuOver} of them with over ${minMs} ms of CPU time on the page's thread`);
  return out;
}

function client(url) {
  const token = new URL(url).searchParams.get('token');
  return async (name, input = {}) => {
    const res = await fetch(new URL(`/api/call/${name}`, url), {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = await res.json();
    if (!body.ok) throw new Error(`${name}: ${body.error?.code} ${body.error?.message}`);
    return body.value;
  };
}

async function createJobs(call, count, parallel = 32) {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await call('createDemoJob', { items: 1, itemDelayMs: 0, failRate: 0, name: `Bench job ${i + 1}` });
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

const dataDir = mkdtempSync(join(tmpdir(), 'ferry-renderer-perf-'));
const { child, url: urlPromise } = serve(dataDir);
let browser;
let exitCode = 1;
try {
  const url = await urlPromise;
  const call = client(url);
  // updateSettings is given every setting: a partial patch would reset the others to defaults.
  await call('updateSettings', { ...(await call('getSettings')), concurrency: 32 });
  const t0 = Date.now();
  await createJobs(call, JOBS);
  log(`created ${JOBS} jobs in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // linesPerItem + 1 lines per item at ~700 items/s, for longer than we measure.
  const firehose = await call('createDemoJob', { name: 'Firehose', items: 200_000, itemDelayMs: 1, linesPerItem: LINES_PER_ITEM, failRate: 0, priority: 'high' });

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  const loadStart = Date.now();
  await page.goto(url);
  await page.getByTestId('connection-state').filter({ hasText: 'Connected' }).waitFor();
  await page.getByTestId(`job-row-${firehose.id}`).waitFor();
  log(`page ready in ${Date.now() - loadStart} ms`);
  const loadTasks = await page.evaluate(
    () =>
      new Promise((resolve) => {
        // Long tasks of the page load itself (parsing the bundle, the first render), for the record.
        new PerformanceObserver((list, observer) => {
          observer.disconnect();
          resolve(list.getEntries().map((e) => Math.round(e.duration)));
        }).observe({ type: 'longtask', buffered: true });
        setTimeout(() => resolve([]), 500);
      }),
  );

  // Every kind of call the loop below makes, once before measuring: Playwright evaluates its own
  // helper script in the page at its first locator call of a kind (a task of 15–50 ms on this
  // machine), which is the driver's work, not the page's.
  const table = page.getByTestId('job-list');
  const box = await table.boundingBox();
  const linesAt = async () => Number(await page.getByTestId('log-tail').getAttribute('data-line-count'));
  await table.getAttribute('role');
  await table.evaluate((el) => el.scrollTop);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);

  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ at: Math.round(e.startTime), ms: Math.round(e.duration) });
    }).observe({ type: 'longtask', buffered: false });
    // Frame gaps, as a second view on smoothness.
    window.__frames = [];
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (!window.__stopFrames) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });

  await page.getByTestId(`job-row-${firehose.id}`).click();
  await page.getByTestId('log-tail').and(page.locator('[data-status="live"]')).waitFor();
  if (TRACE) await browser.startTracing(page, { path: TRACE_FILE, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'v8.execute'] });
  let cdp;
  if (PROFILE) {
    cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  const linesBefore = await linesAt();
  const start = Date.now();
  const startInPage = await page.evaluate(() => performance.now());
  const cpuBefore = cpuSeconds();
  const loadBefore = loadavg();
  let jumpedAt = null;
  const end = start + SECONDS * 1000;
  let wheels = 0;
  let jumped = false;
  while (Date.now() < end) {
    if (!jumped && Date.now() - start > (SECONDS * 1000) / 2) {
      // Halfway: the scroll bar dragged to the bottom. The rows there show as placeholders while
      // every page up to them loads.
      jumped = true;
      jumpedAt = await table.evaluate((el) => {
        el.scrollTo(0, el.scrollHeight);
        return performance.now();
      });
      continue;
    }
    // Scroll through the table (pages load as their rows come into view); back the other way now and then.
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const down = jumped ? -600 : 600;
    await page.mouse.wheel(0, wheels % 40 === 39 ? -6 * down : down);
    wheels += 1;
    await page.waitForTimeout(100);
  }

  const result = await page.evaluate(() => {
    window.__stopFrames = true;
    const frames = window.__frames.slice(1).sort((a, b) => a - b);
    return { tasks: window.__longTasks, frames };
  });
  if (TRACE) log(`trace: ${TRACE_FILE}`);
  if (TRACE) for (const line of longTaskParts(JSON.parse((await browser.stopTracing()).toString()), BUDGET_MS)) log(line);
  if (cdp) {
    const { profile } = await cdp.send('Profiler.stop');
    writeFileSync(PROFILE_FILE, JSON.stringify(profile));
    log(`CPU profile: ${PROFILE_FILE}`);
    for (const line of busyStretches(profile, BUDGET_MS)) log(line);
  }
  const lines = await linesAt();
  const rate = Math.round((lines - linesBefore) / ((Date.now() - start) / 1000));
  const rendered = await page.locator('[data-testid^="job-row-"]').count();
  const loaded = await page.getByTestId('job-count').textContent();

  const longest = result.tasks.reduce((m, t) => Math.max(m, t.ms), 0);
  const p = (q) => result.frames[Math.min(result.frames.length - 1, Math.floor(q * result.frames.length))] ?? 0;
  log(`table: ${loaded}, ${rendered} rows in the DOM; log: ${lines.toLocaleString('en-US')} lines received, ${rate.toLocaleString('en-US')} lines/s while measured`);
  log(`scrolled ${wheels} times over ${SECONDS} s, with one drag of the scroll bar to the end (every page loaded)`);
  log(`page load long tasks: ${loadTasks.length ? loadTasks.join(', ') + ' ms' : 'none'} (not counted)`);
  log(`frames: ${result.frames.length}, median ${p(0.5).toFixed(1)} ms, p95 ${p(0.95).toFixed(1)} ms, worst ${p(1).toFixed(1)} ms`);
  // When each long task began, from the start of the measure, and whether it came within a second
  // after the drag of the scroll bar: the two kinds of moment the page has most to do.
  const when = (t) => `${t.ms} ms at ${((t.at - startInPage) / 1000).toFixed(2)} s${jumpedAt !== null && t.at >= jumpedAt - 50 && t.at < jumpedAt + 1000 ? ' (after the drag)' : ''}`;
  log(`long tasks: ${result.tasks.length}, longest ${longest} ms${result.tasks.length ? ` (${result.tasks.map(when).join(', ')})` : ''}`);
  log(`machine: load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} at the start, ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end, on ${cpus().length} CPUs; CPU time of the whole machine while measured ${(cpuSeconds() - cpuBefore).toFixed(1)} s in ${SECONDS} s`);
  exitCode = longest > BUDGET_MS ? 1 : 0;
  log(exitCode === 0 ? `OK: no long task over ${BUDGET_MS} ms` : `FAIL: a long task took ${longest} ms (budget ${BUDGET_MS} ms)`);
} catch (err) {
  console.error('[rendererPerf] failed:', err);
  exitCode = 2;
} finally {
  await browser?.close();
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
