/** Bandwidth as people type it (a number and a unit) and as the engine keeps it (bytes per second). */
export const BANDWIDTH_UNITS = [
  { unit: 'kB/s', factor: 1000 },
  { unit: 'MB/s', factor: 1_000_000 },
  { unit: 'Mbit/s', factor: 125_000 },
] as const;
export type BandwidthUnit = (typeof BANDWIDTH_UNITS)[number]['unit'];

export interface BandwidthValue {
  amount: string;
  unit: BandwidthUnit;
}

const factorOf = (unit: BandwidthUnit): number => BANDWIDTH_UNITS.find((u) => u.unit === unit)?.factor ?? 1;

/** The unit that shows a rate without a long tail of digits. */
export function fromBytesPerSecond(bps: number): BandwidthValue {
  if (bps >= 1_000_000 && bps % 100_000 === 0) return { amount: String(bps / 1_000_000), unit: 'MB/s' };
  if (bps >= 125_000 && bps % 125_000 === 0) return { amount: String(bps / 125_000), unit: 'Mbit/s' };
  return { amount: String(Math.round(bps / 100) / 10), unit: 'kB/s' };
}

/** Bytes per second, or NaN when the amount is not a number. */
export function toBytesPerSecond(value: BandwidthValue): number {
  const n = Number(value.amount);
  if (value.amount.trim() === '' || !Number.isFinite(n)) return Number.NaN;
  return Math.round(n * factorOf(value.unit));
}
