/**
 * `ferry logs -f`: a job's log followed through the versioned API (`GET /api/v1/jobs/{id}/log
 * ?follow=1`), which answers the file's bytes from an offset and ends when the job does. A dropped
 * connection (an instance restarting, say) is reopened at the byte reached, in the epoch the
 * instance named, so nothing is printed twice or skipped.
 */
import http from 'node:http';
import { backoffDelay, type BackoffPolicy } from '../../shared/backoff';
import { fromWireError } from '../../shared/errors';
import { REST_PREFIX } from '../../shared/restApi';
import { readBody } from '../util/readBody';
import { CliError, EXIT } from './cliError';
import type { Output } from './commands';
import type { Instance } from './instance';

/** Reconnects in a row without a byte between them before giving up. */
const RECONNECTS = 5;
const BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 4000 };

type Once = { outcome: 'end' | 'dropped'; connected: boolean; bytes: number };

export async function followLog(locate: () => Instance, id: number, out: Output): Promise<void> {
  let offset = 0;
  let epoch: number | undefined;
  let everConnected = false;
  for (let failures = 0; ; ) {
    const instance = locate();
    const query = new URLSearchParams({ follow: '1', offset: String(offset) });
    if (epoch !== undefined) query.set('epoch', String(epoch));
    const once = await followOnce(instance, `/jobs/${id}/log?${query}`, out, (e) => (epoch = e));
    offset += once.bytes;
    if (once.outcome === 'end') return;
    if (once.connected) everConnected = true;
    else if (!everConnected) {
      throw new CliError(EXIT.noInstance, `Ferry (pid ${instance.pid}) does not answer at ${instance.origin}. The instance file ${instance.file} looks stale; start Ferry again.`);
    }
    if (once.bytes > 0) failures = 0;
    if (++failures > RECONNECTS) throw new CliError(EXIT.server, `the log of job ${id}: the connection to Ferry at ${instance.origin} was lost`);
    await new Promise((r) => setTimeout(r, backoffDelay(failures, BACKOFF)));
  }
}

function followOnce(instance: Instance, path: string, out: Output, onEpoch: (epoch: number) => void): Promise<Once> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let connected = false;
    let bytes = 0;
    const req = http.get(`${instance.origin}${REST_PREFIX}${path}`, { agent: false, headers: { Authorization: `Bearer ${instance.token}` } });
    const settle = (result: 'end' | 'dropped' | Error) => {
      if (settled) return;
      settled = true;
      req.destroy();
      if (result instanceof Error) reject(result);
      else resolve({ outcome: result, connected, bytes });
    };
    req.on('error', () => settle('dropped'));
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        void readBody(res).then(
          (body) => {
            if (res.statusCode === 401) return settle(new CliError(EXIT.noInstance, `Ferry at ${instance.origin} refused the token of ${instance.file}; the file is stale.`));
            let wire: unknown;
            try {
              wire = JSON.parse(body.toString('utf8'));
            } catch {
              wire = { code: 'INTERNAL', message: `${path}: HTTP ${res.statusCode}` };
            }
            settle(fromWireError(wire));
          },
          () => settle('dropped'),
        );
        return;
      }
      connected = true;
      const epoch = Number(res.headers['x-ferry-log-epoch']);
      if (Number.isInteger(epoch)) onEpoch(epoch);
      // The decoder keeps a character split between two chunks whole; offsets count bytes.
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        bytes += Buffer.byteLength(text);
        // A slow terminal holds the connection back instead of piling the log up in memory.
        if (out.write(text) === false && out.once) {
          res.pause();
          out.once('drain', () => res.resume());
        }
      });
      // Only a response that arrived whole means the job ended; a cut one is resumed.
      res.on('end', () => settle(res.complete ? 'end' : 'dropped'));
      res.on('close', () => settle(res.complete ? 'end' : 'dropped'));
    });
  });
}
