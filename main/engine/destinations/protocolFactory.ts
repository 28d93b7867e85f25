import type { DestinationConfig } from '../../../shared/destinations';
import { FerryError } from '../../../shared/errors';
import { FolderProtocol } from '../upload/folderProtocol';
import type { UploadProtocol } from '../upload/protocol';
import { S3Protocol } from '../upload/s3Protocol';
import { TusProtocol } from '../upload/tusProtocol';

const MiB = 1024 * 1024;

/** A destination with everything needed to reach it, secrets included (engine-internal). */
export type ResolvedDestination = DestinationConfig & {
  id: string;
  name: string;
  secret: Record<string, string> | undefined;
  builtinUrl: string | undefined;
  /** The access token the built-in receiver wants while it is shared on the network. */
  builtinToken: string | undefined;
};

/** Turns a saved destination into the protocol that talks to it. */
export function createProtocol(dest: ResolvedDestination, local: { receiverRequestBytes: number; refusePath?: (target: string) => string | undefined }): UploadProtocol {
  switch (dest.kind) {
    case 'receiver':
      if (!dest.builtinUrl) throw new FerryError('UNAVAILABLE', 'the built-in receiver is not running');
      // Streamed from the file, so a long request costs no memory; fewer requests, less overhead.
      return new TusProtocol({
        endpoint: dest.builtinUrl,
        chunkSize: local.receiverRequestBytes,
        ferryReceiver: true,
        ...(dest.builtinToken ? { headers: { Authorization: `Bearer ${dest.builtinToken}` } } : {}),
      });
    case 'tus': {
      const headers = { ...dest.config.headers };
      if (dest.secret?.headerName && dest.secret.value !== undefined) headers[dest.secret.headerName] = dest.secret.value;
      return new TusProtocol({ endpoint: dest.config.endpoint, headers, chunkSize: dest.config.chunkSizeMiB * MiB, parallelParts: dest.config.parallelParts });
    }
    case 's3':
      return new S3Protocol({
        bucket: dest.config.bucket,
        prefix: dest.config.prefix,
        region: dest.config.region,
        ...(dest.config.endpoint ? { endpoint: dest.config.endpoint } : {}),
        forcePathStyle: dest.config.forcePathStyle,
        credentials: { accessKeyId: dest.config.accessKeyId, secretAccessKey: dest.secret?.secretAccessKey ?? '' },
        partSize: dest.config.partSizeMiB * MiB,
        maxParallel: dest.config.parallelParts,
      });
    case 'folder':
      return new FolderProtocol({ root: dest.config.path, ...(local.refusePath ? { refusePath: local.refusePath } : {}) });
  }
}
