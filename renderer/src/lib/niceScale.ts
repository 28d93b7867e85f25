/** Axis maxima that read well (1, 2, 2.5, 5 × 10ⁿ) and the ticks under them. */
export function niceMax(value: number, floor = 1): number {
  const v = Math.max(value, floor);
  const exp = Math.floor(Math.log10(v));
  const base = 10 ** exp;
  for (const step of [1, 2, 2.5, 5, 10]) if (v <= step * base) return step * base;
  return 10 * base;
}

/** A maximum for counts whose quarter ticks are whole numbers. */
export function niceCountMax(value: number): number {
  return Math.max(4, Math.ceil(niceMax(value, 4) / 4) * 4);
}

export function ticks(max: number, count = 4): number[] {
  return Array.from({ length: count + 1 }, (_, i) => (max * i) / count);
}
