import { createHash } from 'node:crypto';
import type { FinishResult, OutgoingChunk, SavedTusPart, SavedTusSession, UploadFileInfo, UploadSession } from './protocol';
import type { TusProtocol, TusServerInfo } from './tusProtocol';
import { remoteError } from './transferErrors';
import { createdUrl, encodeTusMetadata, header, numberHeader, unexpected } from './tusWire';

/**
 * tus concatenation: a file larger than one chunk goes as `partial` uploads of one chunk each,
 * several in flight at once, and a `final` upload names them in order once all are complete (the
 * server joins them; the file's metadata, with its SHA-256, goes on the final upload only). Each
 * part is resumable on its own (HEAD, then PATCH from its offset); after a restart the parts the
 * saved state lists as done are checked with HEAD and kept, so only the missing ones are sent.
 */
export class TusConcatSession implements UploadSession {
  readonly chunkSize: number;
  readonly maxParallel: number;
  private readonly parts = new Map<number, SavedTusPart>();
  private finalUrl: URL | null;
  private expiresAt: number | undefined;
  private checksummed: boolean;

  constructor(
    private readonly tus: TusProtocol,
    private readonly info: TusServerInfo,
    private readonly file: UploadFileInfo,
    saved: SavedTusSession | undefined,
    parallel: number,
  ) {
    // A saved part size wins: the parts on the server were cut with it.
    this.chunkSize = saved?.concat?.partSize ?? tus.chunkSize;
    this.maxParallel = parallel;
    this.finalUrl = saved?.url ? new URL(saved.url) : null;
    this.expiresAt = saved?.expiresAt;
    this.checksummed = info.checksum !== undefined;
    for (const part of saved?.concat?.parts ?? []) this.parts.set(part.offset, { ...part });
  }

  private op(what: string): string {
    return `upload(tus ${what} ${this.file.relativePath})`;
  }

  /** The end of the prefix of parts the server confirms complete (HEAD for each saved part). */
  async resumeOffset(signal: AbortSignal): Promise<number> {
    if (this.finalUrl) {
      const answer = await this.head(this.finalUrl, signal);
      if (answer !== 'gone' && answer.offset === this.file.size) return this.file.size;
      this.finalUrl = null;
    }
    for (const part of [...this.parts.values()]) {
      const answer = await this.head(new URL(part.url), signal);
      if (answer === 'gone' || answer.length !== part.length) this.parts.delete(part.offset);
      else part.done = answer.offset === part.length;
    }
    let prefix = 0;
    while (prefix < this.file.size && this.parts.get(prefix)?.done) prefix += this.parts.get(prefix)!.length;
    return prefix;
  }

  hasChunk(offset: number, length: number): boolean {
    const part = this.parts.get(offset);
    return part !== undefined && part.done && part.length === length;
  }

  /** One part: created (with its first bytes when the server takes them), then PATCHed to its end. */
  async sendChunk(chunk: OutgoingChunk, signal: AbortSignal): Promise<void> {
    const length = chunk.bytes.length;
    let part = this.parts.get(chunk.offset);
    let at = 0;
    if (part && part.length === length) {
      const answer = await this.head(new URL(part.url), signal);
      if (answer === 'gone') part = undefined;
      else at = answer.offset;
    } else part = undefined;
    if (!part) {
      const created = await this.createPart(chunk, signal);
      part = { offset: chunk.offset, length, url: created.url.href, done: false };
      this.parts.set(chunk.offset, part);
      at = created.offset;
    }
    for (let conflicts = 0; at < length; ) {
      const answer = await this.patch(new URL(part.url), chunk, at, signal);
      if (answer === 'conflict') {
        if (++conflicts > 3) throw remoteError(`${this.op(`PATCH part at ${chunk.offset}`)}: server answered 409 ${conflicts} times in a row`, { status: 409, retriable: true });
        const head = await this.head(new URL(part.url), signal);
        if (head === 'gone') {
          this.parts.delete(chunk.offset);
          throw remoteError(`${this.op(`part at ${chunk.offset}`)}: the part is gone, sending it again`, { retriable: true });
        }
        at = head.offset;
        continue;
      }
      at = answer;
    }
    part.done = true;
  }

  private async createPart(chunk: OutgoingChunk, signal: AbortSignal): Promise<{ url: URL; offset: number }> {
    const op = this.op(`POST part at ${chunk.offset}`);
    const withBody = this.tus.options.creationWithUpload !== false && this.info.extensions.has('creation-with-upload') && this.info.checksum === undefined;
    const headers: Record<string, string | number> = { 'Upload-Concat': 'partial', 'Upload-Length': chunk.bytes.length };
    if (withBody) {
      headers['Content-Type'] = 'application/offset+octet-stream';
      headers['Content-Length'] = chunk.bytes.length;
    }
    const answer = await this.tus.http.request(op, { method: 'POST', url: this.tus.endpoint, headers: this.tus.headers(headers), ...(withBody ? { body: chunk.body(signal) } : {}), signal });
    if (answer.status !== 201 && answer.status !== 200) throw unexpected(op, answer);
    const url = createdUrl(answer, this.tus.endpoint, op);
    this.noteExpiry(answer);
    const offset = withBody && header(answer.headers, 'upload-offset') !== undefined ? numberHeader(answer, 'Upload-Offset', op) : 0;
    return { url, offset: Math.min(offset, chunk.bytes.length) };
  }

  /** PATCHes the part from `at`; resolves its new offset, or 'conflict' (409: ask the server). */
  private async patch(url: URL, chunk: OutgoingChunk, at: number, signal: AbortSignal): Promise<number | 'conflict'> {
    const op = this.op(`PATCH part at ${chunk.offset}+${at}`);
    const headers: Record<string, string | number> = {
      'Upload-Offset': at,
      'Content-Type': 'application/offset+octet-stream',
      'Content-Length': chunk.bytes.length - at,
    };
    if (this.info.checksum) {
      const digest = this.info.checksum === 'sha256' && at === 0 ? chunk.sha256() : createHash(this.info.checksum).update(chunk.bytes.subarray(at)).digest();
      headers['Upload-Checksum'] = `${this.info.checksum} ${digest.toString('base64')}`;
    }
    const answer = await this.tus.http.request(op, { method: 'PATCH', url, headers: this.tus.headers(headers), body: chunk.body(signal, at), signal });
    if (answer.status === 409) return 'conflict';
    if (answer.status === 404 || answer.status === 410) {
      this.parts.delete(chunk.offset);
      throw remoteError(`${op}: the part is gone (${answer.status}), sending it again`, { status: answer.status, retriable: true });
    }
    if (answer.status === 460) throw remoteError(`${op}: server answered 460, checksum mismatch; the part's bytes were discarded`, { status: 460, retriable: true });
    if (answer.status !== 204 && answer.status !== 200) throw unexpected(op, answer);
    const next = numberHeader(answer, 'Upload-Offset', op);
    if (next <= at || next > chunk.bytes.length) {
      throw remoteError(`${op}: server answered Upload-Offset ${next} after ${chunk.bytes.length - at} bytes sent from ${at}`, { status: answer.status, retriable: next <= at });
    }
    this.noteExpiry(answer);
    return next;
  }

  private async head(url: URL, signal: AbortSignal): Promise<{ offset: number; length: number | undefined } | 'gone'> {
    const op = this.op(`HEAD ${url.pathname}`);
    const answer = await this.tus.http.request(op, { method: 'HEAD', url, headers: this.tus.headers({ 'Cache-Control': 'no-store' }), signal });
    if (answer.status === 404 || answer.status === 410) return 'gone';
    if (answer.status !== 200 && answer.status !== 204) throw unexpected(op, answer);
    const length = header(answer.headers, 'upload-length') === undefined ? undefined : numberHeader(answer, 'Upload-Length', op);
    return { offset: numberHeader(answer, 'Upload-Offset', op), length };
  }

  /** The final upload: the parts in file order, with the file's metadata and SHA-256. */
  async finish(sha256: string, signal: AbortSignal): Promise<FinishResult> {
    const ordered = [...this.parts.values()].sort((a, b) => a.offset - b.offset);
    let expected = 0;
    for (const part of ordered) {
      if (part.offset !== expected || !part.done) break;
      expected += part.length;
    }
    if (expected !== this.file.size) {
      throw remoteError(`${this.op('finish')}: parts cover ${expected} of ${this.file.size} bytes`, { retriable: true, restart: true });
    }
    if (!this.finalUrl) {
      const op = this.op('POST final');
      const metadata = { ...this.file.metadata, filename: this.file.name, relativePath: this.file.relativePath, sha256 };
      const answer = await this.tus.http.request(op, {
        method: 'POST',
        url: this.tus.endpoint,
        headers: this.tus.headers({ 'Upload-Concat': `final;${ordered.map((p) => new URL(p.url).pathname).join(' ')}`, 'Upload-Metadata': encodeTusMetadata(metadata) }),
        signal,
      });
      if (answer.status === 404 || answer.status === 410) {
        // A part expired between its upload and the join: send what is missing again.
        for (const part of ordered) part.done = false;
        throw remoteError(`${op}: server answered ${answer.status}, a part is gone`, { status: answer.status, retriable: true, restart: true });
      }
      if (answer.status !== 201 && answer.status !== 200) throw unexpected(op, answer);
      this.finalUrl = createdUrl(answer, this.tus.endpoint, op);
      this.noteExpiry(answer);
    }
    const joined = await this.head(this.finalUrl, signal);
    if (joined === 'gone' || joined.offset !== this.file.size) {
      throw remoteError(`${this.op('finish')}: the joined upload holds ${joined === 'gone' ? 'nothing' : joined.offset} of ${this.file.size} bytes`, { retriable: true });
    }
    return { verified: this.checksummed ? 'checksum' : 'size', location: this.finalUrl.href };
  }

  async abort(signal: AbortSignal): Promise<void> {
    await this.tus.discard(this.saved(), signal);
    this.parts.clear();
    this.finalUrl = null;
  }

  private noteExpiry(answer: { headers: Record<string, string | string[] | undefined> }): void {
    const expires = header(answer.headers, 'upload-expires');
    const at = expires ? Date.parse(expires) : NaN;
    if (Number.isFinite(at)) this.expiresAt = this.expiresAt === undefined ? at : Math.min(this.expiresAt, at);
  }

  saved(): SavedTusSession {
    return {
      protocol: 'tus',
      url: this.finalUrl?.href ?? null,
      ...(this.expiresAt !== undefined ? { expiresAt: this.expiresAt } : {}),
      concat: { partSize: this.chunkSize, parts: [...this.parts.values()].sort((a, b) => a.offset - b.offset).map((p) => ({ ...p })) },
    };
  }
}
