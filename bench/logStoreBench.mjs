// Log store benchmarks: throughput against the seed's open-append-close per line, and follower
// latency at a steady 10 k lines/s. `node bench/logStoreBench.mjs [--quick]` after a build.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { conditions, limit, quantile, table, tempDir, verdict } from './lib.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const { LogStore, followLog } = await import(join(here, '../out/main/engine.js'));
const quick = process.argv.includes('--quick');
const LINES = quick ? 100_000 : 1_000_000;
const FOLLOWERS = 3;
/** Both writers give the event loop a turn this often, so followers run alongside. */
const YIELD_EVERY = 1000;
// Messages are made before the clock starts (a pool, reused in turn, keeps the heap small): the
// benchmark is of storing and delivering them, the same bytes on both sides.
const POOL = 10_000;
const pool = Array.from({ length: POOL }, (_, i) => `[ ${i + 1} / ${LINES} ] Processing 'item_${String(i + 1).padStart(7, '0')}'... OK`);
const message = (i) => pool[i % POOL];
/** The same timestamp prefix as Ferry's, so both sides write identical bytes. */
let stampMs = -1;
let stampText = '';
const stamp = () => {
  const now = Date.now();
  if (now !== stampMs) {
    stampMs = now;
    stampText = new Date(now).toISOString() + ' ';
  }
  return stampText;
};

/** Ferry: the buffered writer, three followers on the same job, until all three have every byte. */
async function ferry(dir) {
  const store = new LogStore(dir, { capBytes: null });
  let finished = false;
  const received = [];
  const w = store.writer(1);
  const started = performance.now();
  const followers = Array.from({ length: FOLLOWERS }, (_, k) => new Promise((resolve, reject) => {
    received[k] = 0;
    const stop = followLog(store, 1, 0, () => finished, (c) => {
      // Counted by the offsets the follower moves through, as the seed's followers count the bytes
      // they read; that the text is exactly the file's bytes is the log store tests' job.
      received[k] += c.nextOffset - c.offset;
      if (c.eof) {
        stop();
        resolve();
      }
    }, reject);
  }));
  for (let i = 0; i < LINES; i++) {
    w.line(message(i));
    if (i % YIELD_EVERY === 0) await yieldToLoop();
  }
  finished = true;
  store.finish(1);
  await Promise.all(followers);
  const ms = performance.now() - started;
  const size = readFileSync(store.paths(1).log).length;
  store.close();
  if (received.some((n) => n !== size)) throw new Error(`ferry: followers got ${received} of ${size} bytes`);
  return { ms, size };
}

/**
 * The seed: for every line it finds the job's file in its folder (makedirs, then a glob over the
 * folder for `*_<endpoint>_<id>.running`), opens it for append, writes, flushes and closes it
 * (`locate: false` leaves out the lookup: open-append-close alone). Each follower keeps the file
 * open, reads 4 KiB at a time and sleeps 100 ms when it finds nothing new.
 */
async function seed(dir, locate) {
  const folder = join(dir, 'jobs', 'testrouter2', 'streaming01');
  mkdirSync(folder, { recursive: true });
  const name = '2025-11-26_14-20-30_streaming01_42.running';
  const path = join(folder, name);
  closeSync(openSync(path, 'w'));
  const pattern = /^.*_streaming01_42\.running$/;
  const find = () => {
    mkdirSync(folder, { recursive: true });
    return join(folder, readdirSync(folder).find((f) => pattern.test(f)));
  };
  let finished = false;
  const started = performance.now();
  const follow = async () => {
    const handle = await open(path, 'r');
    const buf = Buffer.alloc(4096);
    let pos = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, pos);
      pos += bytesRead;
      if (bytesRead > 0) continue;
      if (!finished) {
        await sleep(100);
        continue;
      }
      // Finished: one final read of whatever is left.
      for (let n = 1; n > 0; pos += n) n = (await handle.read(buf, 0, buf.length, pos)).bytesRead;
      await handle.close();
      return pos;
    }
  };
  const followers = Array.from({ length: FOLLOWERS }, follow);
  for (let i = 0; i < LINES; i++) {
    const fd = openSync(locate ? find() : path, 'a');
    writeSync(fd, `${stamp()}${message(i)}\n`);
    closeSync(fd);
    if (i % YIELD_EVERY === 0) await yieldToLoop();
  }
  finished = true;
  const got = await Promise.all(followers);
  const ms = performance.now() - started;
  const size = readFileSync(path).length;
  if (got.some((n) => n !== size)) throw new Error(`seed: followers got ${got} of ${size} bytes`);
  return { ms, size };
}

/** Lines carry the time they were written; followers note when they got them. */
async function latency(dir, rate, seconds) {
  const store = new LogStore(dir, { capBytes: null });
  let finished = false;
  const samples = [];
  const origin = performance.timeOrigin;
  const w = store.writer(2);
  const followers = Array.from({ length: FOLLOWERS }, () => new Promise((resolve, reject) => {
    let rest = '';
    const stop = followLog(store, 2, 0, () => finished, (c) => {
      const now = performance.now();
      const text = rest + c.text;
      const cut = text.lastIndexOf('\n') + 1;
      rest = text.slice(cut);
      for (const l of text.slice(0, cut).split('\n')) {
        const m = / t=([\d.]+)$/.exec(l);
        if (m) samples.push(now - (Number(m[1]) - origin));
      }
      if (c.eof) {
        stop();
        resolve();
      }
    }, reject);
  }));
  const started = performance.now();
  let written = 0;
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; written < due; written++) w.line(`latency probe ${written} t=${(origin + performance.now()).toFixed(3)}`);
    await sleep(1);
  }
  finished = true;
  store.finish(2);
  await Promise.all(followers);
  store.close();
  return { lines: written, p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), max: quantile(samples, 1), count: samples.length };
}

const results = [];
console.log(`conditions at start: ${await conditions()}`);
const t = tempDir('logs');
try {
  const ours = await ferry(join(t.dir, 'ferry'));
  const theirs = await seed(join(t.dir, 'seed'), true);
  const bare = await seed(join(t.dir, 'bare'), false);
  const row = (name, r) => [name, `${(r.ms / 1000).toFixed(2)} s`, Math.round(LINES / (r.ms / 1000)).toLocaleString('en'), (r.ms / ours.ms).toFixed(1) + '×'];
  table(`${LINES.toLocaleString('en')} lines appended and delivered to ${FOLLOWERS} followers (${(ours.size / 2 ** 20).toFixed(0)} MiB)`, ['writer', 'time', 'lines/s', 'it ÷ Ferry'], [
    row('Ferry LogStore (buffered, followers woken by flushes)', ours),
    row("seed (per line: find the file, open-append-close; 4 KiB polling tails)", theirs),
    row('seed without the lookup (open-append-close only)', bare),
  ]);
  results.push(verdict('log store vs seed, 1 M lines to 3 followers', theirs.ms / ours.ms, 20));
  console.log(`     (vs open-append-close alone: ${(bare.ms / ours.ms).toFixed(1)}×)`);
  const lat = await latency(t.dir, 10_000, quick ? 3 : 10);
  table(`Follower latency at 10 k lines/s, ${FOLLOWERS} followers (${lat.count.toLocaleString('en')} samples)`, ['p50', 'p99', 'max'], [
    [`${lat.p50.toFixed(1)} ms`, `${lat.p99.toFixed(1)} ms`, `${lat.max.toFixed(1)} ms`],
  ]);
  results.push(limit('follower latency p99 at 10 k lines/s', lat.p99, 'ms', 50));
} finally {
  t.cleanup();
}
console.log(`conditions at end: ${await conditions()}`);
console.log(JSON.stringify({ bench: 'logStore', results }));
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
