/** Reconnect delays: exponential from `baseMs` up to `maxMs`, with ±20 % jitter so tabs do not stampede. */
export function backoffDelay(attempt: number, baseMs = 250, maxMs = 10_000, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  const jitter = 0.8 + random() * 0.4;
  return Math.round(Math.min(maxMs, exp * jitter));
}
