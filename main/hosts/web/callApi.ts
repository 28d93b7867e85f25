/**
 * `POST /api/call/<command>`: one contract command with a JSON body, answered with its envelope.
 * The window's HTTP fallback and the CLI use it; both hosts that serve the API answer it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalidInput, toWireError } from '../../../shared/errors';
import { dispatchCommand, type Engine } from '../../engine/index';
import { readBody } from '../../util/readBody';
import { isJsonBody } from './requestGuard';
import { statusFor } from './restApi';

const MAX_BODY = 1024 * 1024;

export async function handleCall(engine: Engine, req: IncomingMessage, res: ServerResponse, name: string, headers: Record<string, string>): Promise<void> {
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  if (req.method !== 'POST') return send(405, { ok: false, error: { code: 'INVALID_INPUT', message: 'use POST' } });
  if (!isJsonBody(req)) return send(415, { ok: false, error: { code: 'INVALID_INPUT', message: 'the body must be sent as Content-Type: application/json' } });
  let input: unknown;
  try {
    input = JSON.parse((await readBody(req, { maxBytes: MAX_BODY, tooLarge: (max) => invalidInput(`body larger than ${max} bytes`) })).toString('utf8') || '{}');
  } catch (err) {
    return send(400, { ok: false, error: toWireError(err instanceof SyntaxError ? invalidInput(`body is not JSON: ${err.message}`) : err) });
  }
  const envelope = await dispatchCommand(engine, name, input);
  return send(envelope.ok ? 200 : statusFor(envelope.error.code), envelope);
}
