/** Lines longer than this are cut into pieces, so one runaway line cannot grow memory without bound. */
export const MAX_LINE_BYTES = 16 * 1024;

/** Colour and cursor escape sequences (CSI and OSC): noise in a text log. */
const ESCAPES = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f]/g;

/**
 * Makes one line of program output safe for a UTF-8 text log: invalid UTF-8 becomes U+FFFD,
 * escape sequences go, other control bytes show as `\xNN`, and of carriage-return overwrites
 * (progress bars) only what a terminal would finally show stays.
 */
export function cleanLine(bytes: Buffer): string {
  let text = bytes.toString('utf8').replace(ESCAPES, '');
  if (text.includes('\r')) text = text.split('\r').filter((s) => s.length > 0).at(-1) ?? '';
  return text.replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Splits a byte stream into lines. Splitting happens on the byte 0x0A, which never occurs inside a
 * multi-byte UTF-8 character, so each line decodes on its own; a last line without a newline is
 * emitted by `end`.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly emit: (line: string) => void,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      this.add(chunk.subarray(start, nl));
      this.flush(false);
      start = nl + 1;
    }
    if (start < chunk.length) this.add(chunk.subarray(start));
  }

  /** Emits what is left (a last line without its newline). */
  end(): void {
    if (this.size > 0) this.flush(false);
  }

  private add(bytes: Buffer): void {
    for (let at = 0; at < bytes.length; ) {
      const take = Math.min(bytes.length - at, this.maxLineBytes - this.size);
      this.parts.push(bytes.subarray(at, at + take));
      this.size += take;
      at += take;
      if (this.size >= this.maxLineBytes) this.flush(true);
    }
  }

  private flush(cut: boolean): void {
    const line = cleanLine(Buffer.concat(this.parts, this.size));
    this.parts = [];
    this.size = 0;
    this.emit(cut ? `${line} […]` : line);
  }
}
