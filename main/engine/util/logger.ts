/** The app's own diagnostic log (separate from job logs): one prefixed logger per module. */
export interface Logger {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function threshold(): number {
  const env = (process.env.FERRY_LOG_LEVEL ?? 'info').toLowerCase() as Level;
  return ORDER[env] ?? ORDER.info;
}

export function createLogger(prefix: string): Logger {
  const emit = (level: Level, message: string, rest: unknown[]) => {
    if (ORDER[level] < threshold()) return;
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${prefix}] ${message}`;
    if (level === 'error' || level === 'warn') console.error(line, ...rest);
    else console.log(line, ...rest);
  };
  return {
    debug: (m, ...r) => emit('debug', m, r),
    info: (m, ...r) => emit('info', m, r),
    warn: (m, ...r) => emit('warn', m, r),
    error: (m, ...r) => emit('error', m, r),
  };
}
