/**
 * The logger the receiver writes to. Structurally the engine's Logger, but declared here because
 * the receiver may not import main/engine; hosts pass their prefixed logger in.
 */
export interface ReceiverLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Used when the host passes none: problems still reach stderr, routine events stay quiet. */
export const stderrLogger: ReceiverLogger = {
  info: () => undefined,
  warn: (message) => console.error(`[receiver] ${message}`),
  error: (message) => console.error(`[receiver] ${message}`),
};
