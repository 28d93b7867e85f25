import { BATCH_INDEX_HEADER, BATCH_PATH, type BatchAnswer, type BatchIndex } from '../../../shared/receiverBatch';
import type { HttpClient } from './httpClient';
import type { BatchFile, BatchSender, FinishResult } from './protocol';
import { remoteError, retriableStatus, throwIfAborted } from './transferErrors';

export interface ReceiverBatchOptions {
  /** The receiver's tus endpoint; the batch endpoint is `/batch` on the same origin. */
  endpoint: URL;
  http: HttpClient;
  headers: () => Record<string, string | number>;
}

const MiB = 1024 * 1024;

/**
 * Small files to Ferry's built-in receiver, hundreds per request (see shared/receiverBatch.ts). The
 * receiver checks every file's SHA-256 against the one read here, so each is `verified: checksum`.
 */
export class ReceiverBatch implements BatchSender {
  readonly maxFileBytes = MiB;
  readonly maxFiles = 512;
  readonly maxBytes = 8 * MiB;
  private readonly url: URL;

  constructor(private readonly o: ReceiverBatchOptions) {
    this.url = new URL(BATCH_PATH, o.endpoint);
  }

  async send(files: BatchFile[], signal: AbortSignal): Promise<FinishResult[]> {
    const op = `upload(batch of ${files.length} to ${this.url.origin})`;
    throwIfAborted(signal, op);
    const index: BatchIndex = {
      metadata: files[0]?.info.metadata ?? {},
      files: files.map((f) => ({ relativePath: f.info.relativePath, size: f.bytes.length, sha256: f.sha256 })),
    };
    const head = Buffer.from(JSON.stringify(index), 'utf8');
    const length = files.reduce((n, f) => n + f.bytes.length, head.length);
    async function* body(): AsyncGenerator<Buffer> {
      yield head;
      for (const f of files) if (f.bytes.length > 0) yield f.bytes;
    }
    const answer = await this.o.http.request(op, {
      method: 'POST',
      url: this.url,
      headers: { ...this.o.headers(), 'Content-Type': 'application/octet-stream', 'Content-Length': length, [BATCH_INDEX_HEADER]: head.length },
      body: body(),
      signal,
      answerLimit: 256 * 1024 + files.length * 8192,
    });
    if (answer.status !== 200) {
      const excerpt = answer.body.trim().slice(0, 300);
      // 460: bytes changed on the way; sending them again is the cure.
      const retriable = retriableStatus(answer.status) || answer.status === 460;
      throw remoteError(`${op}: receiver answered ${answer.status}${excerpt ? `: ${excerpt}` : ''}`, { status: answer.status, retriable });
    }
    let parsed: BatchAnswer;
    try {
      parsed = JSON.parse(answer.body) as BatchAnswer;
    } catch {
      throw remoteError(`${op}: receiver answered 200 with a body that is not JSON`, { status: 200, retriable: true });
    }
    if (!Array.isArray(parsed.files) || parsed.files.length !== files.length || !parsed.files.every((f) => typeof f?.storedAs === 'string')) {
      throw remoteError(`${op}: receiver answered 200 without a place for each of the ${files.length} files`, { status: 200, retriable: true });
    }
    return parsed.files.map((f) => ({ verified: 'checksum' as const, location: f.storedAs }));
  }
}
