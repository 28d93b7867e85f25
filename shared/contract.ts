/**
 * The one contract between the engine and every client (renderer over IPC or WebSocket, CLI).
 * Commands are request/response with a runtime schema for their input; streams are named
 * subscriptions opened with parameters and closed with the function `subscribe` returns.
 *
 * Each domain declares its commands and streams in its own file under contract/; this index
 * assembles them into the one table that the dispatcher, the hosts and the clients use. How the
 * table travels (IPC channels, WebSocket frames) is in wire.ts.
 */
import type { z } from 'zod';
import type { Envelope, WireError } from './errors';
import { automationCommands } from './contract/automation';
import { destinationCommands } from './contract/destinations';
import { fileCommands } from './contract/files';
import { hostCommands, hostStreams } from './contract/host';
import { jobCommands, jobStreams } from './contract/jobs';
import { logCommands, logStreams } from './contract/logs';
import { settingsCommands, settingsStreams } from './contract/settings';
import { statusCommands, statusStreams } from './contract/status';
import { transferCommands } from './contract/transfers';
import { watchCommands, watchStreams } from './contract/watch';

export * from './contract/automation';
export * from './contract/destinations';
export * from './contract/files';
export * from './contract/host';
export * from './contract/jobs';
export * from './contract/logs';
export * from './contract/settings';
export * from './contract/status';
export * from './contract/transfers';
export * from './contract/watch';
export { jobId } from './contract/define';

/** Every command, by name (each domain's names are its own: test/unit/shared/contract.test.ts checks it). */
export const commands = {
  ...jobCommands,
  ...logCommands,
  ...statusCommands,
  ...destinationCommands,
  ...transferCommands,
  ...fileCommands,
  ...hostCommands,
  ...settingsCommands,
  ...watchCommands,
  ...automationCommands,
} as const;

/** Every stream, by name. */
export const streams = {
  ...jobStreams,
  ...logStreams,
  ...statusStreams,
  ...hostStreams,
  ...settingsStreams,
  ...watchStreams,
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandInput<K extends CommandName> = z.input<Commands[K]['input']>;
export type CommandParsed<K extends CommandName> = z.output<Commands[K]['input']>;
export type CommandResult<K extends CommandName> = Commands[K]['result'];

export type Streams = typeof streams;
export type StreamName = keyof Streams;
export type StreamParams<K extends StreamName> = z.input<Streams[K]['params']>;
export type StreamParsed<K extends StreamName> = z.output<Streams[K]['params']>;
export type StreamPayload<K extends StreamName> = Streams[K]['payload'];

export const commandNames = Object.keys(commands) as CommandName[];
export const streamNames = Object.keys(streams) as StreamName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(commands, name);
}
export function isStreamName(name: unknown): name is StreamName {
  return typeof name === 'string' && Object.hasOwn(streams, name);
}

/** The typed API the renderer and CLI use; errors are thrown as FerryError. */
export type FerryApi = {
  [K in CommandName]: (input: CommandInput<K>) => Promise<CommandResult<K>>;
} & {
  subscribe<K extends StreamName>(
    name: K,
    params: StreamParams<K>,
    onPayload: (payload: StreamPayload<K>) => void,
    onError?: (error: Error) => void,
  ): () => void;
};

/** What a host exposes before errors are rebuilt: one function per command, answering envelopes. */
export type FerryBridge = {
  [K in CommandName]: (input: CommandInput<K>) => Promise<Envelope<CommandResult<K>>>;
} & {
  subscribe<K extends StreamName>(
    name: K,
    params: StreamParams<K>,
    onMessage: (message: StreamMessage<K>) => void,
  ): () => void;
};

/** One message of an open stream: a payload, or the error that closed it. */
export type StreamMessage<K extends StreamName> =
  | { payload: StreamPayload<K> }
  | { error: WireError };
