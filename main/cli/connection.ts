import http from 'node:http';
import type { CommandInput, CommandName, CommandResult } from '../../shared/contract';
import { HTTP_ROUTES } from '../../shared/wire';
import { fromWireError } from '../../shared/errors';
import { readBody } from '../util/readBody';
import { CliError, EXIT } from './cliError';
import { latestInstance, type Instance } from './instance';

const CALL_TIMEOUT_MS = 60_000;

/** Socket failures that mean nothing listens there any more: the instance file is stale. */
const GONE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH']);

/** Talks to one running instance: commands over HTTP with the bearer token (streams: sseClient, logFollow). */
export class Connection {
  constructor(public instance: Instance) {}

  /**
   * The instance file read again, for a follow that reconnects: an instance that restarted has a
   * new port and token, and the calls after the follow go there too.
   */
  relocate(): Instance {
    this.instance = latestInstance(this.instance);
    return this.instance;
  }

  /** A command of the contract, typed. */
  call<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandResult<K>> {
    return this.callByName(name, input) as Promise<CommandResult<K>>;
  }

  /** Any command by name (ones the instance does not know answer NOT_FOUND "unknown command"). */
  async callByName(name: string, input: unknown): Promise<unknown> {
    const { status, text } = await this.post(HTTP_ROUTES.call(name), JSON.stringify(input ?? {}));
    let envelope: { ok?: boolean; value?: unknown; error?: unknown };
    try {
      envelope = JSON.parse(text) as typeof envelope;
    } catch {
      throw new CliError(EXIT.server, `${name}: the instance answered HTTP ${status} without a JSON envelope`);
    }
    if (envelope.ok === true) return envelope.value;
    throw fromWireError(envelope.error);
  }

  private post(path: string, body: string): Promise<{ status: number; text: string }> {
    const { origin, token, pid, file } = this.instance;
    return new Promise((resolve, reject) => {
      const req = http.request(`${origin}${path}`, {
        method: 'POST',
        agent: false,
        timeout: CALL_TIMEOUT_MS,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer in ${CALL_TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code && GONE.has(err.code)) {
          reject(new CliError(EXIT.noInstance, `Ferry (pid ${pid}) does not answer at ${origin}: ${err.code}. The instance file ${file} looks stale; start Ferry again.`));
        } else reject(new CliError(EXIT.server, `${origin}${path}: ${err.message}`));
      });
      req.on('response', (res) => {
        readBody(res).then(
          (body) => resolve({ status: res.statusCode ?? 0, text: body.toString('utf8') }),
          (err: Error) => reject(new CliError(EXIT.server, `${origin}${path}: ${err.message}`)),
        );
      });
      req.end(body);
    });
  }
}
