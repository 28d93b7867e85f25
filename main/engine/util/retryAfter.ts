/**
 * Reads an HTTP `Retry-After` header (delay in seconds, or an HTTP date) as milliseconds from
 * `now`; undefined when absent or unreadable. Capped, so a hostile or broken server cannot park a
 * retry for days.
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now(), capMs = 60 * 60 * 1000): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Math.min(capMs, Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(capMs, Math.max(0, at - now));
}
