// Upload benchmarks: Ferry against curl, tus-js-client and @aws-sdk/lib-storage, measured in the
// same run against the same servers on 127.0.0.1. `node bench/uploadBench.mjs [--quick]
// [--sections=onegib,rss,s3,small,kill,eight] [--profile-receiver=DIR]`. The built-in receiver runs
// in a `ferry serve` process of its own (the shipped bundle); every client runs in a process of its
// own too, and CPU is read from /proc/<pid>/stat of each.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, openSync, readSync, closeSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload as S3Upload } from '@aws-sdk/lib-storage';
import S3rver from '@20minutes/s3rver';
import * as tus from 'tus-js-client';
import { GiB, MiB, conditions, limit, mbps, middle, procCpu, procRss, randomFile, sparseFile, table, tempDir, timed, verdict } from './lib.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const bench = await import(join(here, '../out/main/bench.js'));
const quick = process.argv.includes('--quick');
/** `--sections=small,s3` runs only those parts: onegib, rss, s3, small, kill, eight. */
const sections_ = process.argv.find((a) => a.startsWith('--sections='))?.slice('--sections='.length).split(',');
const want = (name) => !sections_ || sections_.includes(name);
/** What the app uses for the built-in receiver: the chunk size setting's default. */
const requestBytes = bench.DEFAULT_SETTINGS.chunkSizeMiB * MiB;

// ---- child modes (peak RSS, kill -9) --------------------------------------------------------
if (process.argv[2] === 'rss-child') {
  const [, , , endpoint, file] = process.argv;
  const protocol = new bench.TusProtocol({ endpoint, chunkSize: requestBytes, ferryReceiver: true });
  await bench.uploadFile({ protocol, path: file, relativePath: `rss/${Date.now()}.bin`, metadata: { dataset: 'rss' }, signal: new AbortController().signal });
  console.log(JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }));
  process.exit(0);
}
// One upload by one client in a process of its own; prints the wall time and the CPU (user +
// system, from /proc/self/stat) of the upload alone, without Node's start-up.
if (process.argv[2] === 'client-child') {
  const [, , , client, endpoint, file, name] = process.argv;
  const size = (await import('node:fs')).statSync(file).size;
  const before = procCpu();
  const started = performance.now();
  if (client === 'ferry') {
    const protocol = new bench.TusProtocol({ endpoint, chunkSize: requestBytes, ferryReceiver: true });
    await bench.uploadFile({ protocol, path: file, relativePath: `${name}.bin`, metadata: { dataset: 'bench' }, signal: new AbortController().signal });
  } else if (client === 'tus') {
    await new Promise((resolve, reject) => {
      const upload = new tus.Upload(createReadStream(file), {
        endpoint,
        uploadSize: size,
        metadata: { dataset: 'bench', relativePath: `${name}.bin`, filename: `${name}.bin` },
        retryDelays: [0, 1000, 3000],
        onError: reject,
        onSuccess: resolve,
      });
      upload.start();
    });
  } else if (client === 'sha256') {
    // The hash floor: one bare SHA-256 pass over the file, read 4 MiB at a time.
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(4 * MiB);
    const fd = openSync(file, 'r');
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
    closeSync(fd);
    hash.digest('hex');
  } else throw new Error(`unknown client ${client}`);
  const ms = performance.now() - started;
  console.log(JSON.stringify({ ms, cpuMs: procCpu().ms - before.ms, maxRssKiB: process.resourceUsage().maxRSS }));
  process.exit(0);
}
// The Node floor of a receiver: a bare HTTP server that hashes each request body with SHA-256 and
// writes it to a file, nothing else (no tus, no records). Prints its port; runs until killed.
if (process.argv[2] === 'bare-receiver') {
  const { createServer: createHttpServer } = await import('node:http');
  const { createWriteStream } = await import('node:fs');
  const [, , , dir] = process.argv;
  let n = 0;
  const server = createHttpServer((req, res) => {
    if (req.url === '/read') {
      // Only reads the body: what Node's socket and HTTP parser cost alone.
      req.resume();
      req.on('end', () => res.writeHead(204).end());
      return;
    }
    const hash = createHash('sha256');
    const out = createWriteStream(join(dir, `bare-${++n}.bin`), { highWaterMark: 4 * MiB });
    req.on('data', (chunk) => hash.update(chunk));
    req.pipe(out);
    out.on('finish', () => {
      res.writeHead(204, { 'X-Sha256': hash.digest('hex') });
      res.end();
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
  await new Promise(() => {});
}
// A whole dataset job (scan, SHA-256, upload, manifest) of the paths given, to the receiver, by an
// engine in a process of its own with the default settings; prints wall time, CPU and peak RSS.
if (process.argv[2] === 'dataset-child') {
  const [, , , dataDir, endpoint, ...paths] = process.argv;
  const engine = new bench.Engine({ dataDir, receiverUrl: endpoint });
  engine.start();
  const before = procCpu();
  const started = performance.now();
  const job = await bench.dispatchCommand(engine, 'createUpload', { paths, name: `dataset-${Date.now()}` });
  const done = await new Promise((resolve) => engine.onJobFinished((j) => j.id === job.value.id && resolve(j)));
  const ms = performance.now() - started;
  const cpuMs = procCpu().ms - before.ms;
  if (done.state !== 'completed') throw new Error(`dataset job ended ${done.state}: ${JSON.stringify(done.error)}`);
  await engine.stop();
  console.log(JSON.stringify({ ms, cpuMs, maxRssKiB: process.resourceUsage().maxRSS }));
  process.exit(0);
}
if (process.argv[2] === 'engine-child') {
  const [, , , dataDir, endpoint, file] = process.argv;
  const engine = new bench.Engine({ dataDir });
  engine.start();
  if (file) {
    const dest = await bench.dispatchCommand(engine, 'saveDestination', { name: 'proxy', kind: 'tus', config: { endpoint, chunkSizeMiB: 16 } });
    const job = await bench.dispatchCommand(engine, 'createUpload', { paths: [file], destinationId: dest.value.id, name: 'kill9' });
    console.log(JSON.stringify({ job: job.value.id }));
  }
  engine.onJobFinished((j) => {
    console.log(JSON.stringify({ finished: j.state }));
    void engine.stop().then(() => process.exit(0));
  });
  await new Promise(() => {});
}

/** Runs a program without blocking the event loop (the servers live in this process). */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

const results = [];
const sections = [];
const { dir, cleanup } = tempDir('upload');
const self = fileURLToPath(import.meta.url);
const startConditions = await conditions();
console.log(`conditions at start: ${startConditions}`);
// The receiver runs in a `ferry serve` process of its own (the shipped bundle, default settings),
// so no client shares its event loop or its CPU account with it.
const profileDir = process.argv.find((a) => a.startsWith('--profile-receiver='))?.slice('--profile-receiver='.length);
const serveDir = join(dir, 'serve');
const receivedDir = join(serveDir, 'received');
const receiverProcess = spawn(
  process.execPath,
  [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), join(here, '../out/main/serve.js'), '--data-dir', serveDir],
  { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FERRY_PORT: '0' } },
);
const endpoint = await new Promise((resolve, reject) => {
  let out = '';
  const onData = (d) => {
    out += d;
    const m = /Ferry is serving at (\S+)\n/.exec(out);
    if (!m) return;
    receiverProcess.stdout.off('data', onData);
    receiverProcess.stdout.resume();
    const web = new URL(m[1]);
    fetch(new URL('/api/call/getReceiver', web), { method: 'POST', headers: { Authorization: `Bearer ${web.searchParams.get('token')}`, 'Content-Type': 'application/json' }, body: '{}' })
      .then((r) => r.json())
      .then((r) => (r.ok && r.value.url ? resolve(r.value.url) : reject(new Error(`no receiver: ${JSON.stringify(r)}`))), reject);
  };
  receiverProcess.stdout.on('data', onData);
  receiverProcess.once('exit', (code) => reject(new Error(`ferry serve exited with ${code}`)));
});
/** The receiver's CPU so far (ms, user + system). */
const receiverCpu = () => procCpu(receiverProcess.pid).ms;
const receiverSystem = () => procCpu(receiverProcess.pid).systemMs;
let seq = 0;
const meta = (name) => ({ dataset: 'bench', relativePath: `${name}-${++seq}.bin`, filename: `${name}-${seq}.bin` });
const b64 = (s) => Buffer.from(s).toString('base64');

async function viaCurl(file, size) {
  const m = meta('curl');
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(size), 'Upload-Metadata': Object.entries(m).map(([k, v]) => `${k} ${b64(v)}`).join(',') },
  });
  const url = new URL(res.headers.get('location'), endpoint).toString();
  // Asynchronous, so the event loop keeps serving (s3rver and the kill -9 proxy live here).
  const r = await run('curl', ['-sS', '-f', '-X', 'PATCH', '-T', file, '-H', 'Tus-Resumable: 1.0.0', '-H', 'Upload-Offset: 0', '-H', 'Content-Type: application/offset+octet-stream', '-H', 'Expect:', url]);
  if (r.status !== 0) throw new Error(`curl failed: ${r.stderr}`);
}

function viaTusJs(file, size, name = 'tusjs') {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(createReadStream(file), {
      endpoint,
      uploadSize: size,
      metadata: meta(name),
      retryDelays: [0, 1000, 3000],
      onError: reject,
      onSuccess: resolve,
    });
    upload.start();
  });
}

const ferryTus = new bench.TusProtocol({ endpoint, chunkSize: requestBytes, ferryReceiver: true });
const viaFerry = (file, name = 'ferry', protocol = ferryTus) =>
  bench.uploadFile({ protocol, path: file, relativePath: meta(name).relativePath, metadata: { dataset: 'bench' }, signal: new AbortController().signal });

// ---- 1 GiB to the built-in receiver ---------------------------------------------------------
/** Removes the earlier uploads' files and writes dirty pages back, so no upload pays for another's. */
const settle = () => {
  rmSync(join(receivedDir, 'bench'), { recursive: true, force: true });
  spawnSync('sync');
};
/** Runs one client's upload in a process of its own: wall ms, the client's CPU ms and the receiver's. */
async function measured(client, file, size) {
  settle();
  const name = `${client}-${++seq}`;
  const receiverBefore = receiverCpu();
  const systemBefore = receiverSystem();
  let result;
  if (client === 'bare' || client === 'bare-read') {
    // curl to the bare Node receiver: its process's CPU is the "receiver" column of this row.
    const bare = await bareReceiver();
    const before = procCpu(bare.pid).ms;
    const beforeSystem = procCpu(bare.pid).systemMs;
    const childrenBefore = procCpu().childrenMs;
    const started = performance.now();
    const r = await run('curl', ['-sS', '-f', '-X', 'PATCH', '-T', file, '-H', 'Expect:', `http://127.0.0.1:${bare.port}/${client === 'bare-read' ? 'read' : ''}`]);
    if (r.status !== 0) throw new Error(`curl to the bare receiver failed: ${r.stderr}`);
    const ms = performance.now() - started;
    rmSync(bare.dir, { recursive: true, force: true });
    mkdirSync(bare.dir, { recursive: true });
    return { ms, cpuMs: procCpu().childrenMs - childrenBefore, receiverMs: procCpu(bare.pid).ms - before, receiverSystemMs: procCpu(bare.pid).systemMs - beforeSystem };
  }
  if (client === 'curl') {
    const childrenBefore = procCpu().childrenMs;
    const started = performance.now();
    await viaCurl(file, size);
    // curl has been waited for, so its whole CPU is in this process's children's account.
    result = { ms: performance.now() - started, cpuMs: procCpu().childrenMs - childrenBefore };
  } else {
    const r = await run(process.execPath, [self, 'client-child', client, endpoint, file, name]);
    if (r.status !== 0) throw new Error(`${client} failed: ${r.stderr}`);
    result = JSON.parse(r.stdout.trim().split('\n').pop());
  }
  return { ...result, receiverMs: receiverCpu() - receiverBefore, receiverSystemMs: receiverSystem() - systemBefore };
}
const perGiB = (ms, size) => ms / 1000 / (size / GiB);
let bareProcess;
/** The bare Node receiver, started once (a process of its own, like the real one). */
async function bareReceiver() {
  if (bareProcess) return bareProcess;
  const bareDir = join(dir, 'bare');
  mkdirSync(bareDir, { recursive: true });
  const child = spawn(process.execPath, [self, 'bare-receiver', bareDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => resolve(JSON.parse(String(d)).port));
    child.once('exit', (code) => reject(new Error(`bare receiver exited with ${code}`)));
  });
  bareProcess = { pid: child.pid, port, dir: bareDir, child };
  return bareProcess;
}
if (want('onegib')) {
  const size = quick ? 256 * MiB : GiB;
  const file = randomFile(join(dir, 'big.bin'), size);
  const runs = quick ? 1 : 3;
  await measured('ferry', file, size); // warm-up: page cache, receiver's JIT
  // Clients take turns, so that drift of the machine hits all alike; the bare SHA-256 pass of the
  // same file runs in every round too, as the hash floor.
  const clients = ['curl', 'tus', 'ferry', 'sha256', 'bare', 'bare-read'];
  const got = Object.fromEntries(clients.map((c) => [c, []]));
  for (let i = 0; i < runs; i++) for (const c of clients) got[c].push(await measured(c, file, size));
  const med = (c, key) => middle(got[c].map((r) => r[key]));
  const label = {
    curl: 'curl, one PATCH',
    tus: 'tus-js-client (Node)',
    ferry: `Ferry (${requestBytes / MiB} MiB requests streamed in 4 MiB pieces, SHA-256 while reading)`,
    sha256: 'bare SHA-256 pass of the file (the hash floor; no upload)',
    bare: 'curl to a bare Node receiver (HTTP + SHA-256 + file write, nothing else)',
    'bare-read': 'curl to a bare Node receiver that only reads the body (Node\'s socket + HTTP floor)',
  };
  const ferryMs = med('ferry', 'ms');
  sections.push(
    table(
      `${size / MiB} MiB to the built-in receiver (\`ferry serve\`, SHA-256 checked at finish; each client in its own process; median of ${runs}; CPU = user + system from /proc/<pid>/stat, s per GiB)`,
      ['client', 'MB/s', 'Ferry ÷ it', 'client CPU s/GiB', 'receiver CPU s/GiB', 'of which system', 'all runs: receiver s/GiB'],
      clients.map((c) => [
        label[c],
        c === 'sha256' ? '' : mbps(size, med(c, 'ms')).toFixed(0),
        c === 'sha256' ? '' : (med(c, 'ms') / ferryMs).toFixed(2),
        perGiB(med(c, 'cpuMs'), size).toFixed(2),
        c === 'sha256' ? '' : perGiB(med(c, 'receiverMs'), size).toFixed(2),
        c === 'sha256' ? '' : perGiB(med(c, 'receiverSystemMs'), size).toFixed(2),
        c === 'sha256' ? '' : got[c].map((r) => perGiB(r.receiverMs, size).toFixed(2)).join(' / '),
      ]),
    ),
  );
  const receiverAll = middle(['curl', 'tus', 'ferry'].flatMap((c) => got[c].map((r) => r.receiverMs)));
  const floor = med('curl', 'cpuMs') + med('sha256', 'cpuMs');
  results.push(
    verdict('1 GiB vs curl', med('curl', 'ms') / ferryMs, 0.95),
    verdict('1 GiB vs tus-js-client', med('tus', 'ms') / ferryMs, 1.4),
    limit('receiver CPU per GiB, one 1 GiB upload (median over every client)', perGiB(receiverAll, size), 's', 1.3),
    verdict("Ferry's client CPU ÷ (curl's + the bare SHA-256's)", med('ferry', 'cpuMs') / floor, 1.1, false),
  );
  const bareLine = `the built-in receiver's CPU ÷ the bare Node receiver's (same curl, same bytes): ${(perGiB(med('curl', 'receiverMs'), size) / perGiB(med('bare', 'receiverMs'), size)).toFixed(2)}× (${perGiB(med('curl', 'receiverMs'), size).toFixed(2)} vs ${perGiB(med('bare', 'receiverMs'), size).toFixed(2)} s per GiB)`;
  const readFloor = perGiB(med('bare-read', 'receiverMs'), size);
  const floorLine = `the receiver's floor in Node: reading the body ${readFloor.toFixed(2)} + the bare SHA-256 ${perGiB(med('sha256', 'cpuMs'), size).toFixed(2)} = ${(readFloor + perGiB(med('sha256', 'cpuMs'), size)).toFixed(2)} s per GiB before any file write; the built-in receiver (curl) ${perGiB(med('curl', 'receiverMs'), size).toFixed(2)}`;
  console.log(bareLine);
  console.log(floorLine);
  results.push({ line: bareLine }, { line: floorLine });
}

// ---- peak RSS: 4 GiB vs 256 MiB -------------------------------------------------------------
if (want('rss')) {
  const rssOf = async (file) => {
    const r = await run(process.execPath, [fileURLToPath(import.meta.url), 'rss-child', endpoint, file]);
    if (r.status !== 0) throw new Error(`rss child failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()).maxRssKiB * 1024;
  };
  const small = await rssOf(sparseFile(join(dir, 'small.sparse'), 256 * MiB));
  const big = await rssOf(sparseFile(join(dir, 'big.sparse'), quick ? GiB : 4 * GiB));
  sections.push(
    table('Peak RSS of a process uploading one file', ['file', 'peak RSS'], [
      ['256 MiB', `${(small / MiB).toFixed(0)} MiB`],
      [quick ? '1 GiB' : '4 GiB', `${(big / MiB).toFixed(0)} MiB`],
    ]),
  );
  results.push(verdict('peak RSS big ÷ 256 MiB', big / small, 1.1, false), verdict('peak RSS big (MB ÷ 200)', big / 1e6 / 200, 1, false));
}

// ---- S3 multipart vs lib-storage ------------------------------------------------------------
if (want('s3')) {
  const s3dir = join(dir, 's3');
  mkdirSync(s3dir);
  const s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3dir, configureBuckets: [{ name: 'bench' }] });
  const { port } = await s3rver.run();
  const s3endpoint = `http://127.0.0.1:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const client = new S3Client({ endpoint: s3endpoint, region: 'us-east-1', forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED' });
  const size = quick ? 64 * MiB : 256 * MiB;
  const file = randomFile(join(dir, 's3.bin'), size);
  const partSize = 16 * MiB;
  const runs = quick ? 1 : 5;
  const s3 = new bench.S3Protocol({ bucket: 'bench', endpoint: s3endpoint, region: 'us-east-1', forcePathStyle: true, credentials, partSize, maxParallel: 4 });
  // The two take turns, so that drift of the machine hits both alike.
  const lib = [];
  const ours = [];
  for (let i = 0; i < runs; i++) {
    lib.push((await timed(() => new S3Upload({ client, params: { Bucket: 'bench', Key: `lib-${i}.bin`, Body: createReadStream(file) }, partSize, queueSize: 4 }).done())).ms);
    ours.push((await timed(() => viaFerry(file, 's3', s3))).ms);
  }
  const libMs = middle(lib);
  const ferryMs = middle(ours);
  sections.push(
    table(`S3 multipart, ${size / MiB} MiB, 16 MiB parts, 4 in flight (s3rver)`, ['client', 'MB/s'], [
      ['@aws-sdk/lib-storage', mbps(size, libMs).toFixed(0)],
      ['Ferry (per-part SHA-256)', mbps(size, ferryMs).toFixed(0)],
    ]),
  );
  results.push(verdict('S3 multipart vs lib-storage', libMs / ferryMs, 1.0));
  client.destroy();
  await s3rver.close();
}

// ---- 10 000 small files ---------------------------------------------------------------------
if (want('small')) {
  const count = quick ? 2000 : 10_000;
  const src = join(dir, 'many');
  mkdirSync(src);
  const block = Buffer.alloc(4096, 7);
  for (let i = 0; i < count; i++) {
    block.writeUInt32BE(i, 0);
    writeFileSync(join(src, `f${String(i).padStart(5, '0')}.bin`), block);
  }
  const files = readdirSync(src).map((n) => join(src, n));
  const pool = async (n, work) => {
    const queue = [...files];
    await Promise.all(Array.from({ length: n }, async () => {
      for (let f = queue.shift(); f; f = queue.shift()) await work(f);
    }));
  };
  const tusMs = (await timed(() => pool(4, (f) => viaTusJs(f, 4096, 'small-tus')))).ms;
  // One whole dataset job (scan, items in SQLite, SHA-256, log, manifest) to a destination.
  const datasetJob = async (destination) => {
    const data = tempDir('many-engine');
    const engine = new bench.Engine({ dataDir: data.dir, receiverUrl: endpoint });
    engine.start();
    let destinationId;
    if (destination) destinationId = (await bench.dispatchCommand(engine, 'saveDestination', destination)).value.id;
    const ms = (
      await timed(async () => {
        const job = await bench.dispatchCommand(engine, 'createUpload', { paths: [src], name: `many-${Date.now()}`, ...(destinationId ? { destinationId } : {}) });
        const done = await new Promise((resolve) => engine.onJobFinished((j) => j.id === job.value.id && resolve(j)));
        if (done.state !== 'completed') throw new Error(`small-file job ended ${done.state}: ${JSON.stringify(done.error)}`);
      })
    ).ms;
    await engine.stop();
    data.cleanup();
    return ms;
  };
  const receiverBefore = receiverCpu();
  const ferryMs = await datasetJob();
  const receiverMsPerFile = (receiverCpu() - receiverBefore) / count;
  results.push(limit(`receiver CPU per file, ${count} × 4 KiB in one dataset job`, receiverMsPerFile, 'ms', 1));
  const rows = [
    ['tus-js-client, 4 in parallel', (count / (tusMs / 1000)).toFixed(0), (tusMs / ferryMs).toFixed(2)],
    [`Ferry dataset job (scan, SHA-256, batches of small files, manifest); receiver CPU ${receiverMsPerFile.toFixed(2)} ms per file`, (count / (ferryMs / 1000)).toFixed(0), '1.00'],
  ];
  results.push(verdict(`${count} × 4 KiB vs tus-js-client`, tusMs / ferryMs, 3));
  // To a folder: a Ferry dataset job to a folder destination against rclone copy.
  const folderDest = tempDir('folder');
  const folderMs = await datasetJob({ name: 'Bench folder', kind: 'folder', config: { path: folderDest.dir } });
  rows.push(['Ferry dataset job to a folder (durable: synced before rename)', (count / (folderMs / 1000)).toFixed(0), '']);
  if (spawnSync('rclone', ['version']).status === 0) {
    spawnSync('sync');
    const rcloneMs = (await timed(() => run('rclone', ['copy', src, join(folderDest.dir, 'rclone'), '--transfers', '4', '--checkers', '8']))).ms;
    rows.push(['rclone copy (no fsync)', (count / (rcloneMs / 1000)).toFixed(0), (rcloneMs / folderMs).toFixed(2)]);
    results.push(verdict(`${count} × 4 KiB to a folder vs rclone copy`, rcloneMs / folderMs, 0.5));
  } else console.log('rclone is not installed: folder comparison skipped');
  folderDest.cleanup();
  sections.push(table(`${count} files of 4 KiB (the built-in receiver; a folder)`, ['client', 'files/s', 'Ferry ÷ it'], rows));
}

// ---- eight 1 GiB files at once ----------------------------------------------------------------
// One dataset job of eight large files (default settings: files in parallel) against one job of
// one such file, each by an engine in a process of its own; turns, twice.
if (want('eight')) {
  const size = quick ? 128 * MiB : GiB;
  const one = join(dir, 'one');
  const eight = join(dir, 'eight');
  mkdirSync(one);
  mkdirSync(eight);
  randomFile(join(one, 'single.bin'), size);
  for (let i = 0; i < 8; i++) randomFile(join(eight, `large-${i}.bin`), size);
  const job = async (folder) => {
    for (const name of readdirSync(receivedDir)) if (name !== '.incoming') rmSync(join(receivedDir, name), { recursive: true, force: true });
    spawnSync('sync');
    const data = tempDir('eight-engine');
    const receiverBefore = receiverCpu();
    // Sampled while it runs: VmHWM is the serve process's peak over its whole life.
    let receiverPeak = 0;
    const sampler = setInterval(() => (receiverPeak = Math.max(receiverPeak, procRss(receiverProcess.pid)?.now ?? 0)), 100);
    const r = await run(process.execPath, [self, 'dataset-child', data.dir, endpoint, folder]);
    clearInterval(sampler);
    data.cleanup();
    if (r.status !== 0) throw new Error(`dataset job failed: ${r.stderr}`);
    return { ...JSON.parse(r.stdout.trim().split('\n').pop()), receiverMs: receiverCpu() - receiverBefore, receiverPeak };
  };
  const runs = quick ? 1 : 2;
  const singles = [];
  const eights = [];
  for (let i = 0; i < runs; i++) {
    singles.push(await job(one));
    eights.push(await job(eight));
  }
  const med = (list, key) => middle(list.map((r) => r[key]));
  const oneMBps = mbps(size, med(singles, 'ms'));
  const eightMBps = mbps(8 * size, med(eights, 'ms'));
  const clientPeak = Math.max(...eights.map((r) => r.maxRssKiB * 1024));
  const receiverPeak = Math.max(...eights.map((r) => r.receiverPeak));
  const row = (name, list, bytes) => [
    name,
    mbps(bytes, med(list, 'ms')).toFixed(0),
    list.map((r) => mbps(bytes, r.ms).toFixed(0)).join(' / '),
    perGiB(med(list, 'cpuMs'), bytes).toFixed(2),
    perGiB(med(list, 'receiverMs'), bytes).toFixed(2),
    `${(Math.max(...list.map((r) => r.maxRssKiB)) / 1024).toFixed(0)} MiB`,
    `${(Math.max(...list.map((r) => r.receiverPeak)) / MiB).toFixed(0)} MiB`,
  ];
  sections.push(
    table(`Dataset jobs to the built-in receiver, ${size / MiB} MiB files, default settings (${bench.DEFAULT_SETTINGS.parallelFiles} files in parallel); median of ${runs}`, ['job', 'MB/s', 'runs', 'client CPU s/GiB', 'receiver CPU s/GiB', 'client peak RSS', 'receiver peak RSS'], [
      row('one file', singles, size),
      row('eight files', eights, 8 * size),
    ]),
  );
  results.push(
    verdict('eight large files at once ÷ one (aggregate MB/s)', eightMBps / oneMBps, 0.9),
    limit('peak RSS of the client, eight large files', clientPeak / 1e6, 'MB', 200),
    limit('peak RSS of the receiver, eight large files', receiverPeak / 1e6, 'MB', 200),
  );
}

// ---- kill -9 mid-upload, then restart -------------------------------------------------------
if (want('kill')) {
  const size = quick ? 256 * MiB : 512 * MiB;
  const file = randomFile(join(dir, 'kill.bin'), size);
  let up = 0;
  let firstByteAfterRestart = 0;
  let restartedAt = 0;
  const target = new URL(endpoint);
  const proxy = createServer((client) => {
    const server = connect(Number(target.port), target.hostname);
    client.on('data', (d) => {
      up += d.length;
      if (restartedAt && !firstByteAfterRestart && d.length > 1024) firstByteAfterRestart = performance.now();
    });
    client.pipe(server).pipe(client);
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
  });
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  const proxied = `http://127.0.0.1:${proxy.address().port}${target.pathname}`;
  const data = tempDir('kill9');
  const first = spawn(process.execPath, [self, 'engine-child', data.dir, proxied, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  while (up < size * 0.45) await new Promise((r) => setTimeout(r, 20));
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  const beforeRestart = up;
  restartedAt = performance.now();
  const second = spawn(process.execPath, [self, 'engine-child', data.dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  second.stdout.on('data', (d) => (out += d));
  await new Promise((r) => second.once('exit', r));
  proxy.close();
  data.cleanup();
  const resent = Math.max(0, up - size);
  sections.push(
    table(`kill -9 at ${(beforeRestart / MiB).toFixed(0)} MiB of ${size / MiB} MiB (16 MiB chunks), then restart`, ['measure', 'value'], [
      ['result after restart', /"finished":"completed"/.test(out) ? 'completed' : `NOT completed: ${out.trim()}`],
      ['bytes sent in all (incl. HTTP headers)', `${(up / MiB).toFixed(1)} MiB`],
      ['bytes sent twice', `${(resent / MiB).toFixed(1)} MiB`],
      ['restart to first resumed byte', `${((firstByteAfterRestart - restartedAt) / 1000).toFixed(2)} s`],
    ]),
  );
  results.push(verdict('bytes re-sent ÷ one chunk', resent / (16 * MiB), 1, false), verdict('seconds to resume ÷ 2 s', (firstByteAfterRestart - restartedAt) / 2000, 1, false));
}

bareProcess?.child.kill('SIGTERM');
receiverProcess.kill('SIGTERM');
await new Promise((r) => receiverProcess.once('exit', r));
cleanup();
console.log(`\nconditions at start: ${startConditions}; at end: ${await conditions()}`);
console.log('\nSummary');
for (const r of results) console.log(r.line);
if (process.env.FERRY_BENCH_OUT) writeFileSync(process.env.FERRY_BENCH_OUT, sections.join('\n') + '\n\n' + results.map((r) => `- ${r.line}`).join('\n') + '\n');
process.exit(0);
