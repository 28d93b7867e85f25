// Small helpers shared by the benchmarks: temp dirs, timing, files, table printing.
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export function tempDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), `ferry-bench-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A file of `size` bytes of incompressible data that differs in every 4 KiB block, and from every
 * other file this makes: a random 8 MiB block repeated, with the file's own random tag and the
 * block's number stamped at the start of each 4 KiB (no copy is a duplicate, nothing dedupes).
 */
export function randomFile(path, size) {
  const block = randomBytes(8 * MiB);
  const tag = randomBytes(8);
  const fd = openSync(path, 'w');
  for (let written = 0; written < size; ) {
    const n = Math.min(block.length, size - written);
    for (let at = 0; at < n; at += 4096) {
      tag.copy(block, at);
      block.writeDoubleBE(written + at, at + 8);
    }
    writeSync(fd, block, 0, n);
    written += n;
  }
  closeSync(fd);
  return path;
}

/** A sparse file: reads as zeros, costs no disk until written elsewhere. */
export function sparseFile(path, size) {
  const fd = openSync(path, 'w');
  ftruncateSync(fd, size);
  closeSync(fd);
  return path;
}

export async function timed(fn) {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** The median of a list of timings. */
export const middle = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

export const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1000);

/** Prints rows as an aligned table; returns the text for the README. */
export function table(title, header, rows) {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => '| ' + r.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  const text = [`\n${title}`, line(all[0]), '| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |', ...all.slice(1).map(line)].join('\n');
  console.log(text);
  return text;
}

/** One verdict line: the ratio, the target and whether it was met. */
export function verdict(name, ratio, target, higherIsBetter = true) {
  const ok = higherIsBetter ? ratio >= target : ratio <= target;
  const line = `${ok ? 'MET ' : 'MISS'} ${name}: ${ratio.toFixed(2)}× (target ${higherIsBetter ? '≥' : '≤'} ${target}×)`;
  console.log(line);
  return { name, ratio, target, ok, line };
}

/** One verdict line for an absolute figure against its limit (lower is better). */
export function limit(name, value, unit, max) {
  const ok = value <= max;
  const line = `${ok ? 'MET ' : 'MISS'} ${name}: ${value.toFixed(value < 10 ? 2 : 0)} ${unit} (target ≤ ${max} ${unit})`;
  console.log(line);
  return { name, value, unit, target: max, ok, line };
}

/** The value at quantile q (0..1) of numbers, nearest rank. */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * The machine's state when a figure was taken (load average over the CPUs and, on Linux, the
 * share of time something waited for a CPU): absolute timings mean little on a busy machine.
 */
export async function conditions() {
  const { loadavg, cpus } = await import('node:os');
  let pressure = '';
  try {
    const { readFileSync } = await import('node:fs');
    const some = /some avg10=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    if (some) pressure = `, CPU pressure ${some[1]} %`;
  } catch {
    // Not Linux, or no pressure information: the load average has to do.
  }
  return `load ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs${pressure}`;
}

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ; 100 on every Linux we run on). */
const TICKS_PER_S = 100;

/**
 * CPU a process has used so far, from /proc/<pid>/stat: its own user + system time in ms and, as
 * `childrenMs`, that of its children it has waited for (a finished child's whole CPU lands there).
 * Linux only; undefined elsewhere or once the process is gone.
 */
export function procCpu(pid = process.pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) in parentheses: state is field 3.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = (i) => (Number(f[i - 3]) * 1000) / TICKS_PER_S;
    return { ms: ms(14) + ms(15), userMs: ms(14), systemMs: ms(15), childrenMs: ms(16) + ms(17) };
  } catch {
    return undefined;
  }
}

/** Peak and current resident set of a running process (VmHWM, VmRSS), in bytes; Linux only. */
export function procRss(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { peak: kib('VmHWM'), now: kib('VmRSS') };
  } catch {
    return undefined;
  }
}

/** A deterministic generator (mulberry32), so every run of a benchmark makes the same data. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
