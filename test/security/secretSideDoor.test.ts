/**
 * Finding 6: a secret goes only to the endpoint it was entered for, and download credentials and
 * signatures stay out of the database and the job log.
 */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../main/engine/api/dispatch';
import { listenOnLoopback } from '../helpers/loopback';
import { seededRandom } from '../helpers/seededRandom';
import { startEngine, waitForJob } from '../helpers/engineFixture';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A real HTTP server that records the headers of every request and answers with `body`. */
async function recordingServer(body: Buffer = Buffer.alloc(0)) {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(req.method === 'OPTIONS' ? 204 : 200, { 'Tus-Resumable': '1.0.0', 'Tus-Version': '1.0.0', 'Content-Length': body.length });
    res.end(body);
  });
  const l = await listenOnLoopback(server);
  cleanups.push(() => l.close());
  return { url: `http://127.0.0.1:${l.port}`, seen };
}

const SECRET = 'Bearer s3cr3t-value-entered-for-host-a';

describe('secrets do not leave by a side door', () => {
  it('a destination moved to another host keeps no secret; Test connection sends none there', async () => {
    const fixture = startEngine();
    cleanups.push(() => fixture.dispose());
    const e = fixture.engine;
    const a = await recordingServer();
    const b = await recordingServer();
    const saved = await dispatchCommand(e, 'saveDestination', { name: 'lab', kind: 'tus', config: { endpoint: `${a.url}/files/` }, secret: { headerName: 'Authorization', value: SECRET } });
    expect(saved).toMatchObject({ ok: true });
    const id = (saved as { value: { id: string } }).value.id;

    const moved = await dispatchCommand(e, 'saveDestination', { id, name: 'lab', kind: 'tus', config: { endpoint: `${b.url}/files/` } });
    expect(moved).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', details: { field: 'secret', reason: 'endpointChanged' } } });
    // Nothing was lost: the destination still points at A with its secret.
    expect(await dispatchCommand(e, 'listDestinations', {})).toMatchObject({ ok: true, value: expect.arrayContaining([expect.objectContaining({ id, config: expect.objectContaining({ endpoint: `${a.url}/files/` }), hasSecret: true })]) });
    await dispatchCommand(e, 'testDestination', { id });
    expect(a.seen.some((h) => h.authorization === SECRET)).toBe(true);
    expect(b.seen).toEqual([]);

    // Entering the secret again with the new endpoint is how it moves.
    expect(await dispatchCommand(e, 'saveDestination', { id, name: 'lab', kind: 'tus', config: { endpoint: `${b.url}/files/` }, secret: { headerName: 'Authorization', value: 'Bearer for-b' } })).toMatchObject({ ok: true });
    await dispatchCommand(e, 'testDestination', { id });
    expect(b.seen.map((h) => h.authorization)).toContain('Bearer for-b');
    expect(b.seen.some((h) => h.authorization === SECRET)).toBe(false);
  });

  it('download credentials live in the secret store; signatures are redacted in the log', async () => {
    const fixture = startEngine();
    cleanups.push(() => fixture.dispose());
    const rnd = seededRandom(6);
    const body = Buffer.from(Array.from({ length: 200_000 }, () => Math.floor(rnd() * 256)));
    const server = await recordingServer(body);
    const dir = mkdtempSync(join(tmpdir(), 'ferry-sec-dl-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const signature = 'a1b2c3d4e5f6signaturevalue';
    const url = `${server.url}/data.bin?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=${signature}&sig=${signature}x&part=1`;
    const created = await dispatchCommand(fixture.engine, 'createDownloadJob', {
      url,
      dest: join(dir, 'data.bin'),
      headers: { Authorization: SECRET, Cookie: 'session=cookie-secret', 'X-Lab-Key': 'marked-secret', Accept: 'application/octet-stream' },
      secretHeaders: ['X-Lab-Key'],
    });
    expect(created).toMatchObject({ ok: true });
    const id = (created as { value: { id: number } }).value.id;
    const done = await waitForJob(fixture.engine, id, (j) => j.state === 'completed' || j.state === 'failed');
    expect(done.state).toBe('completed');
    // The server got every header: the secrets were used, only stored elsewhere.
    expect(server.seen.at(-1)).toMatchObject({ authorization: SECRET, cookie: 'session=cookie-secret', 'x-lab-key': 'marked-secret', accept: 'application/octet-stream' });
    expect(readFileSync(join(dir, 'data.bin')).equals(body)).toBe(true);

    const secrets = [SECRET, 'cookie-secret', 'marked-secret', signature];
    const jobFiles = readdirSync(fixture.engine.services.logs.paths(id).dir).map((f) => join(fixture.engine.services.logs.paths(id).dir, f));
    const dbFiles = readdirSync(fixture.dataDir).filter((f) => f.startsWith('ferry.db')).map((f) => join(fixture.dataDir, f));
    for (const file of [...jobFiles, ...dbFiles]) {
      const text = readFileSync(file).toString('latin1');
      for (const s of secrets.slice(0, 3)) expect(text.includes(s), `${s} in ${file}`).toBe(false);
    }
    for (const file of jobFiles) expect(readFileSync(file, 'utf8').includes(signature), `signature in ${file}`).toBe(false);
    expect(readFileSync(fixture.engine.services.logs.paths(id).log, 'utf8')).toContain('X-Amz-Signature=%3Credacted%3E');
  });
});
