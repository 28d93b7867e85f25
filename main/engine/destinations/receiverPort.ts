/**
 * What the engine needs of a built-in receiver: a tus server it can start on a port, with or
 * without an access token, and stop. The host hands one in (main/receiver implements it); the
 * engine decides where and how it listens (BuiltInReceiver).
 */
export interface ReceiverPort {
  /** Where the receiver files what it receives (shown to the user, read by verify and delete). */
  readonly dir: string;
  /**
   * Starts listening on `port` (0: any free one), on every interface when `onLan`, else on
   * loopback; with `token`, requests must carry it. Rejects with `details.errno` set to
   * `EADDRINUSE` when the port is taken. Answers the tus endpoint and the port it listens on.
   */
  listen(options: { port: number; onLan: boolean; token?: string }): Promise<{ url: string; port: number }>;
  /** Stops listening; does nothing when it is not. */
  close(): Promise<void>;
}

/** Where the built-in receiver listens now, and the token it wants while shared. */
export interface RunningReceiver {
  url: string;
  dir: string | null;
  port: number | null;
  onLan: boolean;
  token?: string;
}
