/** How the renderer is connected to the engine, as the reconnecting banner shows it. */
export type ConnectionState = 'connecting' | 'online' | 'reconnecting' | 'unauthorized';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Failed attempts since the connection was last up. */
  attempt: number;
  /** When the next attempt starts (epoch ms), while reconnecting. */
  retryAt: number | null;
}

export type ConnectionListener = (status: ConnectionStatus) => void;

export const ONLINE: ConnectionStatus = { state: 'online', attempt: 0, retryAt: null };
