// A million files: one dataset job of many small files (1 B–2 KiB, differing content, in 1 000
// folders), sent by `ferry serve` run as a process to the built-in receiver and to a folder, while a
// client polls a cheap command. Prints files per second, the served process's peak RSS (VmHWM),
// API latency (p99, max, connection errors), listJobItems pages during the upload, and the
// event-loop delay inside the served process (bench/eventLoopProbe.mjs); with --kill, kills the
// process at about half way, starts it again and counts the files sent twice.
//
// `node bench/millionBench.mjs [--files=100000] [--dest=receiver,folder] [--kill] [--rate=N]`
// after `node scripts/build.mjs`. The source tree is kept in the temp folder for the next run of
// the same size (`--clean` removes it, `--prepare` only makes it); `--rate=` gives the 100 000-file rate the linearity
// target compares with (files/s), when this run is of another size.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conditions, limit, prng, quantile, table, verdict } from './lib.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const FILES = Number(arg('files', '100000'));
const DESTS = arg('dest', 'receiver,folder').split(',');
const KILL = process.argv.includes('--kill');
const BASE_RATE = arg('rate', undefined) === undefined ? undefined : Number(arg('rate'));
const FOLDERS = 1000;
const SERVE = join(here, '../out/main/serve.js');
if (!existsSync(SERVE)) throw new Error(`${SERVE} is missing: run \`node scripts/build.mjs\` first`);

const root = join(tmpdir(), `ferry-bench-million-${FILES}`);
const src = join(root, 'src');
if (process.argv.includes('--clean')) rmSync(root, { recursive: true, force: true });

// ---- disk space: the source (a 4 KiB block per file), one destination's copy, the database --------
const BLOCK = 4096;
const need = FILES * (2 * BLOCK + 1024) + 512 * 1024 * 1024;
const fs = statfsSync(tmpdir());
const free = fs.bavail * fs.bsize + (existsSync(join(root, 'complete')) ? FILES * BLOCK : 0);
if (free < need) {
  console.log(`not enough free disk space in ${tmpdir()}: ${(free / 1e9).toFixed(1)} GB free, ${(need / 1e9).toFixed(1)} GB needed for ${FILES.toLocaleString('en')} files`);
  process.exit(2);
}


function generate() {
  if (existsSync(join(root, 'complete'))) return;
  rmSync(root, { recursive: true, force: true });
  const started = performance.now();
  const random = prng(15);
  const filler = Buffer.alloc(4096);
  for (let i = 0; i < filler.length; i++) filler[i] = Math.floor(random() * 256);
  for (let f = 0; f < FOLDERS; f++) mkdirSync(join(src, `f${String(f).padStart(3, '0')}`), { recursive: true });
  for (let i = 0; i < FILES; i++) {
    const size = 1 + Math.floor(random() * 2048);
    const head = Buffer.from(`${i}\n`);
    // Each file's bytes differ: its number, then filler from a place of its own.
    const body = Buffer.concat([head, filler.subarray(i % 2048, (i % 2048) + size)]).subarray(0, size);
    writeFileSync(join(src, `f${String(i % FOLDERS).padStart(3, '0')}`, `${String(i).padStart(7, '0')}.dat`), body);
  }
  writeFileSync(join(root, 'complete'), `${FILES}\n`);
  console.log(`generated ${FILES.toLocaleString('en')} files in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** `node serve.js` as a user starts it, with the event-loop probe loaded. */
async function serve(dataDir, probe) {
  const child = spawn(process.execPath, ['--import', join(here, 'eventLoopProbe.mjs'), SERVE, '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FERRY_PORT: '0', FERRY_BENCH_PROBE: probe },
  });
  let printed = '';
  child.stderr.on('data', (d) => (printed = (printed + d).slice(-64 * 1024)));
  const exited = new Promise((r) => child.once('exit', r));
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      printed = (printed + d).slice(-64 * 1024);
      const m = /Ferry is serving at (\S+)\n/.exec(printed);
      if (m) resolve(m[1]);
    });
    void exited.then((code) => reject(new Error(`ferry serve exited with ${code}:\n${printed}`)));
  });
  const token = new URL(url).searchParams.get('token');
  const call = async (name, input = {}) => {
    const res = await fetch(new URL(`/api/call/${name}`, url), {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = await res.json();
    if (!body.ok) throw new Error(`${name}: ${body.error.code} ${body.error.message}`);
    return body.value;
  };
  const status = (key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  const cpu = () => {
    const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  };
  const kill9 = async () => {
    child.kill('SIGKILL');
    await exited;
  };
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
  };
  return { call, status, cpu, kill9, stop, pid: child.pid };
}

/**
 * Polls a cheap command one request after another (as a window's status bar does) and, every
 * fifth round, a page of 200 of the job's files at a random place; `until` ends it.
 */
function poller(served, jobId) {
  const cheap = [];
  const pages = [];
  const errors = [];
  let stopped = false;
  const done = (async () => {
    for (let round = 0; !stopped; round++) {
      const t0 = performance.now();
      try {
        if (round % 5 === 4 && jobId()) {
          await served.call('listJobItems', { id: jobId(), offset: Math.floor(Math.random() * FILES * 0.9), limit: 200 });
          pages.push(performance.now() - t0);
        } else {
          await served.call('getStats');
          cheap.push(performance.now() - t0);
        }
      } catch (err) {
        errors.push(`${err.cause?.code ?? err.message}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return { cheap, pages, errors, stop: () => ((stopped = true), done) };
}

/** Every file under `dir`, by its path below it, with its inode and modification time. */
function listing(dir) {
  const out = new Map();
  const walk = (d, rel) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, rel ? `${rel}/${e.name}` : e.name);
      else if (e.isFile()) {
        const s = statSync(p);
        out.set(rel ? `${rel}/${e.name}` : e.name, `${s.ino}:${s.mtimeMs}`);
      }
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return out;
}

const probeWindow = (probe, from, to) => {
  if (!existsSync(probe)) return { max: 0, p99: 0 };
  const rows = readFileSync(probe, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.t >= from && r.t <= to + 250);
  return { max: Math.max(0, ...rows.map((r) => r.maxMs)), p99: quantile(rows.map((r) => r.p99Ms), 0.99) };
};

async function runOne(kind) {
  const work = join(root, `run-${kind}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const dataDir = join(work, 'data');
  const probe = join(work, 'probe.jsonl');
  let served = await serve(dataDir, probe);
  let destinationId;
  let destRoot;
  if (kind === 'folder') {
    destRoot = join(work, 'out');
    mkdirSync(destRoot);
    destinationId = (await served.call('saveDestination', { name: 'bench folder', kind: 'folder', config: { path: destRoot } })).id;
  } else destRoot = join(dataDir, 'received');
  let id;
  let poll = poller(served, () => id);
  const started = Date.now();
  const job = await served.call('createUpload', { paths: [src], name: `million ${kind}`, ...(destinationId ? { destinationId } : {}) });
  id = job.id;
  let peak = 0;
  let cpu = 0;
  let resent;
  let first;
  const waitFor = async (test) => {
    for (;;) {
      const j = await served.call('getJob', { id });
      if (test(j)) return j;
      if (['failed', 'canceled'].includes(j.state)) throw new Error(`job ${id} ${j.state}: ${j.error}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  if (KILL) {
    await waitFor((j) => j.counts.processed >= FILES / 2);
    cpu += served.cpu();
    peak = Math.max(peak, served.status('VmHWM'));
    await served.kill9();
    await poll.stop();
    first = poll;
    const before = listing(kind === 'folder' ? join(destRoot, `million ${kind}`) : destRoot);
    served = await serve(dataDir, probe);
    poll = poller(served, () => id);
    await waitFor((j) => j.state === 'completed');
    const after = listing(kind === 'folder' ? join(destRoot, `million ${kind}`) : destRoot);
    // Sent again: a file the destination held at the kill that was rewritten, or a second copy.
    let rewritten = 0;
    for (const [rel, sig] of before) if (after.get(rel) !== sig) rewritten++;
    resent = { atKill: before.size, rewritten, extra: Math.max(0, after.size - FILES - 2) };
  } else await waitFor((j) => j.state === 'completed');
  const finished = Date.now();
  cpu += served.cpu();
  peak = Math.max(peak, served.status('VmHWM'));
  await poll.stop();
  const cheap = [...(first?.cheap ?? []), ...poll.cheap];
  const pages = [...(first?.pages ?? []), ...poll.pages];
  const errors = [...(first?.errors ?? []), ...poll.errors];
  const final = await served.call('getJob', { id });
  await served.stop();
  const loop = probeWindow(probe, started, finished);
  rmSync(join(work, 'out'), { recursive: true, force: true });
  rmSync(join(dataDir, 'received'), { recursive: true, force: true });
  const seconds = (finished - started) / 1000;
  return { kind, seconds, rate: FILES / seconds, peak, cpu, cheap, pages, errors, loop, resent, final };
}

console.log(`conditions at start: ${await conditions()}`);
generate();
if (process.argv.includes('--prepare')) process.exit(0);
const results = [];
const rows = [];
for (const kind of DESTS) {
  const r = await runOne(kind);
  if (r.final.counts.processed !== FILES || r.final.counts.failed) console.log(`MISS ${kind}: ${r.final.counts.processed} of ${FILES} files sent, ${r.final.counts.failed} failed`);
  rows.push([
    kind,
    `${r.seconds.toFixed(1)} s`,
    `${Math.round(r.rate).toLocaleString('en')}`,
    `${(r.cpu / (FILES / 1000)).toFixed(2)} ms`,
    `${Math.round(r.peak / 2 ** 20)} MiB`,
    `${quantile(r.cheap, 0.99).toFixed(0)} / ${Math.max(...r.cheap).toFixed(0)} ms`,
    `${quantile(r.pages, 0.95).toFixed(1)} ms`,
    `${r.loop.p99.toFixed(0)} / ${r.loop.max.toFixed(0)} ms`,
    String(r.errors.length),
    r.resent ? `${r.resent.rewritten + r.resent.extra} (of ${r.resent.atKill.toLocaleString('en')} at the kill)` : '-',
  ]);
  const name = `${FILES.toLocaleString('en')} files to ${kind === 'folder' ? 'a folder' : 'the receiver'}`;
  results.push(limit(`${name}: peak RSS`, r.peak / 1e6, 'MB', 300));
  results.push(limit(`${name}: API p99`, quantile(r.cheap, 0.99), 'ms', 50));
  results.push(limit(`${name}: API max`, Math.max(...r.cheap), 'ms', 250));
  results.push(limit(`${name}: connection errors`, r.errors.length, '', 0));
  results.push(limit(`${name}: listJobItems page of 200 p95`, quantile(r.pages, 0.95), 'ms', 10));
  if (r.resent) results.push(limit(`${name}: files sent again after kill -9`, r.resent.rewritten + r.resent.extra, 'files', 512));
  if (BASE_RATE) results.push(verdict(`${name}: files/s vs the 100 000-file rate`, r.rate / BASE_RATE, 0.9));
  if (r.errors.length) console.log(`${kind}: API errors: ${[...new Set(r.errors)].join(', ')}`);
}
table(
  `${FILES.toLocaleString('en')} files of 1 B–2 KiB in ${FOLDERS} folders, one dataset job through \`ferry serve\`${KILL ? ' (kill -9 at half way, restarted)' : ''}`,
  ['destination', 'time', 'files/s', 'CPU per 1 000 files', 'peak RSS', 'API p99 / max', 'page of 200 p95', 'event loop p99 / max', 'API errors', 'sent again'],
  rows,
);
console.log(`conditions at end: ${await conditions()}`);
appendFileSync(join(root, 'results.jsonl'), JSON.stringify({ at: new Date().toISOString(), files: FILES, kill: KILL, rows }) + '\n');
console.log(JSON.stringify({ bench: 'million', results }));
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
