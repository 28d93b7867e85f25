import { commands, isCommandName, isStreamName, streams, type StreamMessage, type StreamName } from '../../../shared/contract';
import { FerryError, invalidInput, toWireError, type Envelope } from '../../../shared/errors';
import type { Actor } from '../../../shared/model';
import type { EngineApi } from './engineServices';
import { createLogger } from '../util/logger';

const log = createLogger('api');
const SLOW_COMMAND_MS = 200;

function describeIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/**
 * Runs one command for any host: checks the name, validates the input with the contract's
 * schema, calls the engine and answers an envelope. Nothing thrown escapes. `actor` is who sent
 * it (the desktop window, the web window, or the API, which scripts and the CLI use).
 */
export async function dispatchCommand(engine: EngineApi, name: unknown, input: unknown, actor: Actor = 'api'): Promise<Envelope<unknown>> {
  const started = performance.now();
  try {
    if (!isCommandName(name)) throw new FerryError('NOT_FOUND', `unknown command ${JSON.stringify(String(name).slice(0, 100))}`);
    const parsed = commands[name].input.safeParse(input ?? {});
    if (!parsed.success) throw invalidInput(`${name}: ${describeIssues(parsed.error)}`, { issues: parsed.error.issues.slice(0, 5) });
    const handler = engine.commands[name] as (input: unknown, call: { actor: Actor }) => unknown;
    const value = await handler(parsed.data, { actor });
    const ms = performance.now() - started;
    if (ms > SLOW_COMMAND_MS) log.warn(`slow command ${name}: ${ms.toFixed(0)} ms`);
    return { ok: true, value };
  } catch (err) {
    const wire = toWireError(err);
    if (wire.code === 'INTERNAL') log.error(`command ${String(name)} failed`, err);
    return { ok: false, error: JSON.parse(JSON.stringify(wire)) };
  }
}

/**
 * Opens one stream for any host. Validation and unknown-id errors arrive as an `error` message;
 * the returned function closes the stream and is safe to call twice.
 */
export function openStream(engine: EngineApi, name: unknown, params: unknown, send: (msg: StreamMessage<StreamName>) => void): () => void {
  let closed = false;
  let close: () => void = () => {};
  const fail = (err: unknown) => {
    if (closed) return;
    send({ error: toWireError(err) });
  };
  try {
    if (!isStreamName(name)) throw new FerryError('NOT_FOUND', `unknown stream ${JSON.stringify(String(name).slice(0, 100))}`);
    const parsed = streams[name].params.safeParse(params ?? {});
    if (!parsed.success) throw invalidInput(`${name}: ${describeIssues(parsed.error)}`);
    const handler = engine.streams[name] as (p: unknown, emit: (payload: unknown) => void, fail: (err: unknown) => void) => () => void;
    close = handler(parsed.data, (payload) => {
      if (!closed) send({ payload } as StreamMessage<StreamName>);
    }, fail);
  } catch (err) {
    fail(err);
  }
  return () => {
    if (closed) return;
    closed = true;
    close();
  };
}
