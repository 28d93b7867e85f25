// Watched folders under load: a tree of 100 000 files in 1 000 folders, watched
//   ferry-native   Ferry's chokidar watcher (folders only; files from listings and folder events)
//   chokidar-all   chokidar as usually used (a watch on every file and folder), for comparison
//   ferry-polling  Ferry's polling walker (what network folders get), 10 s interval
//   ferry-service  the whole WatchService (stability, batching, ledger in SQLite) with jobs recorded
//                  instead of run: first scan of a new rule, then a restart over the same ledger
// Each variant runs in its own process so memory figures do not mix. Figures: time to ready, RSS,
// inotify watches and open descriptors, CPU over an idle period, latency to see a new file.
//
//   node bench/watchBench.mjs [--files 100000] [--folders 1000] [--idle 30] [--only ferry-native,...]
//
// The TypeScript sources are bundled on the fly with rolldown (vite's bundler, already installed)
// into node_modules/.cache, so the figures are of the code in the tree, not of a stale build.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const VARIANTS = ['ferry-native', 'chokidar-all', 'ferry-polling', 'ferry-service'];
const LATENCY_SAMPLES = 20;

const { values: args } = parseArgs({
  options: {
    files: { type: 'string', default: '100000' },
    folders: { type: 'string', default: '1000' },
    idle: { type: 'string', default: '30' },
    only: { type: 'string', default: VARIANTS.join(',') },
    child: { type: 'string' },
    tree: { type: 'string' },
    bundle: { type: 'string' },
  },
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();
const mb = (bytes) => Math.round(bytes / 1024 / 1024);
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** inotify watches held by this process (Linux), from /proc/self/fdinfo. */
function inotifyWatches() {
  if (process.platform !== 'linux') return null;
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) !== 'anon_inode:inotify') continue;
      n += readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').split('\n').filter((l) => l.startsWith('inotify wd:')).length;
    } catch {
      // the descriptor closed while we looked
    }
  }
  return n;
}
const openFds = () => (process.platform === 'linux' ? readdirSync('/proc/self/fd').length : null);

async function bundle() {
  const { build } = await import(join(ROOT, 'node_modules/rolldown/dist/index.mjs'));
  const dir = join(ROOT, 'node_modules/.cache/ferry-watch-bench');
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'entry.ts');
  const src = (p) => JSON.stringify(join(ROOT, p));
  writeFileSync(
    entry,
    [
      `export { ChokidarTree } from ${src('main/engine/watch/chokidarTree')};`,
      `export { PollingTree } from ${src('main/engine/watch/pollingTree')};`,
      `export { filterFor } from ${src('main/engine/watch/ruleFilter')};`,
      `export { WatchService } from ${src('main/engine/watch/watchService')};`,
      `export { openDatabase } from ${src('main/engine/db/database')};`,
      `export { ItemsRepo } from ${src('main/engine/db/itemsRepo')};`,
      `export { watchRuleInput } from ${src('shared/watch')};`,
    ].join('\n'),
  );
  const file = join(dir, 'watch.mjs');
  await build({ input: entry, platform: 'node', external: [/^[^./]/], output: { file, format: 'esm' }, logLevel: 'warn' });
  return file;
}

function makeTree(files, folders) {
  const root = mkdtempSync(join(tmpdir(), 'ferry-watch-bench-'));
  const per = Math.ceil(files / folders);
  const started = now();
  for (let f = 0, made = 0; f < folders && made < files; f++) {
    // Two levels, like acquisitions grouped by day.
    const dir = join(root, `day-${String(f % 20).padStart(2, '0')}`, `run-${String(f).padStart(4, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < per && made < files; i++, made++) writeFileSync(join(dir, `frame-${String(i).padStart(4, '0')}.raw`), `frame ${f}/${i}\n`);
  }
  return { root, seconds: (now() - started) / 1000 };
}

/** Writes a new file somewhere in the tree and waits until `seen` reports it. */
async function latency(root, waitFor, samples, label) {
  const times = [];
  for (let i = 0; i < samples; i++) {
    const dirs = readdirSync(root).filter((d) => d.startsWith('day-'));
    const day = join(root, dirs[i % dirs.length]);
    const run = readdirSync(day)[i % 7] ?? readdirSync(day)[0];
    const path = join(day, run, `${label}-${i}.raw`);
    const t0 = now();
    const seen = waitFor(path);
    writeFileSync(path, `new ${i}\n`);
    await seen;
    times.push(now() - t0);
    await sleep(50);
  }
  return { median: Math.round(pct(times, 50)), p95: Math.round(pct(times, 95)), max: Math.round(Math.max(...times)) };
}

function waiter() {
  const pending = new Map();
  return {
    wait: (path) => new Promise((resolve) => pending.set(path, resolve)),
    saw: (path) => {
      const r = pending.get(path);
      if (r) {
        pending.delete(path);
        r();
      }
    },
  };
}

/** Memory now, at the peak so far, and what stays after a full collection (children run with --expose-gc). */
function memory() {
  const rssMiB = mb(process.memoryUsage().rss);
  const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  globalThis.gc?.();
  return { rssMiB, peakRssMiB, heapAfterGcMiB: mb(process.memoryUsage().heapUsed) };
}

async function idleCpu(seconds) {
  const c0 = process.cpuUsage();
  await sleep(seconds * 1000);
  const c = process.cpuUsage(c0);
  return Math.round((c.user + c.system) / 1000);
}

const DEFAULT_RULE = (m, root) => m.watchRuleInput.parse({ name: 'bench', path: root });

async function treeVariant(m, root, idleS, polling) {
  const w = waiter();
  let files = 0;
  let errors = 0;
  const t0 = now();
  let readyAt;
  let markReady;
  const ready = new Promise((resolve) => (markReady = resolve));
  const events = {
    file: (path) => {
      files++;
      w.saw(path);
    },
    gone: () => undefined,
    ready: () => {
      readyAt = now();
      markReady();
    },
    error: (err) => {
      errors++;
      console.error(`watcher error: ${err.message}`);
    },
    recovered: () => undefined,
  };
  const options = { root, filter: m.filterFor(DEFAULT_RULE(m, root)), events };
  const tree = polling ? new m.PollingTree(options, 10_000) : new m.ChokidarTree(options);
  tree.start();
  await ready;
  const result = { readyS: (readyAt - t0) / 1000, filesSeen: files, ...memory(), watches: inotifyWatches(), fds: openFds() };
  result.idleCpuMs = await idleCpu(idleS);
  result.latencyMs = await latency(root, w.wait, polling ? 3 : LATENCY_SAMPLES, polling ? 'poll' : 'native');
  result.errors = errors;
  await tree.close();
  return result;
}

async function chokidarAll(root, idleS) {
  const { watch } = await import(join(ROOT, 'node_modules/chokidar/index.js'));
  const w = waiter();
  let files = 0;
  let errors = 0;
  const t0 = now();
  const watcher = watch(root, { ignored: (p) => /(^|\/)\.[^/]*$|\.(tmp|part|ferry-part)$/.test(p), followSymlinks: false, atomic: false });
  watcher.on('add', (path) => {
    files++;
    w.saw(path);
  });
  watcher.on('error', (err) => {
    errors++;
    if (errors < 5) console.error(`chokidar error: ${err.message}`);
  });
  await new Promise((resolve) => watcher.on('ready', resolve));
  const result = { readyS: (now() - t0) / 1000, filesSeen: files, ...memory(), watches: inotifyWatches(), fds: openFds() };
  result.idleCpuMs = await idleCpu(idleS);
  result.latencyMs = await latency(root, w.wait, LATENCY_SAMPLES, 'chokidar');
  result.errors = errors;
  await watcher.close();
  return result;
}

async function serviceVariant(m, root, total) {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-watch-bench-data-'));
  const db = m.openDatabase(join(dataDir, 'ferry.db'));
  const insertJob = db.prepare(`INSERT INTO jobs (kind, name, state, created_at, updated_at) VALUES ('upload', ?, 'queued', ?, ?)`);
  const w = waiter();
  let jobs = 0;
  let filesInJobs = 0;
  const deps = {
    db,
    items: new m.ItemsRepo(db),
    dataDir,
    // Jobs are recorded, not run: this measures the watcher and its ledger, not uploads.
    createUpload: (input) => {
      const id = Number(insertJob.run(input.name ?? 'watched', Date.now(), Date.now()).lastInsertRowid);
      jobs++;
      filesInJobs += input.paths.length;
      for (const p of input.paths) w.saw(p);
      return { id, kind: 'upload' };
    },
    onJobFinished: () => () => undefined,
    resolveDestination: (id) => id ?? 'builtin',
  };
  const untilStatus = (svc, id, pred) =>
    new Promise((resolve) => {
      const stop = svc.subscribe((b) => {
        const s = b.statuses.find((x) => x.id === id);
        if (s && pred(s)) {
          queueMicrotask(stop);
          resolve(s);
        }
      });
    });

  const first = new m.WatchService(deps);
  first.start();
  const t0 = now();
  const rule = await first.save({ ...DEFAULT_RULE(m, root), stabilityMs: 1000, batchMs: 2000, polling: 'never' });
  const readyStatus = untilStatus(first, rule.id, (s) => s.state === 'watching');
  await readyStatus;
  const readyS = (now() - t0) / 1000;
  await untilStatus(first, rule.id, (s) => s.pending === total && s.waiting === 0);
  const allHandedS = (now() - t0) / 1000;
  const firstScan = { readyS, allHandedS, jobs, filesInJobs, ...memory() };
  await first.stop();

  const jobsBefore = jobs;
  const second = new m.WatchService(deps);
  const t1 = now();
  second.start();
  await untilStatus(second, rule.id, (s) => s.state === 'watching' && s.waiting === 0);
  const restart = { readyS: (now() - t1) / 1000, newJobs: jobs - jobsBefore, ...memory() };
  const endToEnd = await latency(root, w.wait, 5, 'service');
  await second.stop();
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { firstScan, restart, endToEndMs: endToEnd, note: 'end-to-end = detect + stabilityMs 1000 + batchMs 2000' };
}

async function child() {
  const m = await import(args.bundle);
  const idleS = Number(args.idle);
  let result;
  if (args.child === 'ferry-native') result = await treeVariant(m, args.tree, idleS, false);
  else if (args.child === 'ferry-polling') result = await treeVariant(m, args.tree, idleS, true);
  else if (args.child === 'chokidar-all') result = await chokidarAll(args.tree, idleS);
  else result = await serviceVariant(m, args.tree, Number(args.files));
  // Files the latency probes wrote are removed so the next variant sees the same tree.
  for (const day of readdirSync(args.tree)) {
    for (const run of readdirSync(join(args.tree, day))) {
      for (const f of readdirSync(join(args.tree, day, run))) if (!f.startsWith('frame-')) rmSync(join(args.tree, day, run, f));
    }
  }
  console.log(`RESULT ${JSON.stringify(result)}`);
  process.exit(0);
}

function runChild(variant, tree, bundleFile) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', variant, '--tree', tree, '--bundle', bundleFile, '--idle', args.idle, '--files', args.files], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, FERRY_LOG_LEVEL: 'warn' },
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`${variant} exited ${code}: ${out.slice(-2000)}`));
      else resolve(JSON.parse(line.slice(7)));
    });
  });
}

async function parent() {
  const files = Number(args.files);
  const folders = Number(args.folders);
  const bundleFile = await bundle();
  const tree = makeTree(files, folders);
  console.log(`tree: ${files} files in ${folders} folders (+20 day folders) at ${tree.root}, written in ${tree.seconds.toFixed(1)} s`);
  console.log(`node ${process.version}, ${process.platform}, idle period ${args.idle} s`);
  try {
    for (const variant of args.only.split(',')) {
      const r = await runChild(variant, tree.root, bundleFile);
      console.log(`\n## ${variant}\n${JSON.stringify(r, null, 2)}`);
    }
  } finally {
    rmSync(tree.root, { recursive: true, force: true });
  }
}

if (args.child) await child();
else await parent();
