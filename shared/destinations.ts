/** Destinations: where uploads go. Secrets are write-only: they go in, they never come back out. */
import { z } from 'zod';

export const DESTINATION_KINDS = ['receiver', 'tus', 's3', 'folder'] as const;
export type DestinationKind = (typeof DESTINATION_KINDS)[number];

const headerName = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a header name has letters, digits and dashes');
const headerValue = z.string().max(4096).refine((v) => !/[\r\n]/.test(v), 'a header value has no line breaks');
const httpUrl = z
  .string()
  .max(2048)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'use an http:// or https:// address');

export const tusConfig = z.strictObject({
  endpoint: httpUrl,
  /** Headers sent with every request (not secret; a secret header goes in `secret`). */
  headers: z.record(headerName, headerValue).default({}),
  chunkSizeMiB: z.number().int().min(1).max(1024).default(16),
  /** Parts of one file sent at once when the server offers concatenation (1: one upload per file). */
  parallelParts: z.number().int().min(1).max(32).default(4),
});

export const s3Config = z.strictObject({
  endpoint: httpUrl.optional(),
  region: z.string().min(1).max(64).default('us-east-1'),
  bucket: z.string().min(3).max(63).regex(/^[a-z0-9][a-z0-9.-]+[a-z0-9]$/, 'a bucket name is lowercase letters, digits, dots and dashes'),
  prefix: z.string().max(512).default(''),
  accessKeyId: z.string().min(1).max(256),
  forcePathStyle: z.boolean().default(false),
  partSizeMiB: z.number().int().min(5).max(5120).default(16),
  parallelParts: z.number().int().min(1).max(32).default(4),
});

export const folderConfig = z.strictObject({
  path: z.string().min(1).max(4096),
});

export const receiverConfig = z.strictObject({});

/** Input of saveDestination: the config of its kind and, optionally, a new secret. */
export const destinationInput = z.discriminatedUnion('kind', [
  z.strictObject({ id: z.string().max(64).optional(), name: z.string().trim().min(1).max(120), kind: z.literal('tus'), config: tusConfig, secret: z.strictObject({ headerName, value: headerValue }).optional() }),
  z.strictObject({ id: z.string().max(64).optional(), name: z.string().trim().min(1).max(120), kind: z.literal('s3'), config: s3Config, secret: z.strictObject({ secretAccessKey: z.string().min(1).max(256) }).optional() }),
  z.strictObject({ id: z.string().max(64).optional(), name: z.string().trim().min(1).max(120), kind: z.literal('folder'), config: folderConfig }),
]);
export type DestinationInput = z.input<typeof destinationInput>;

export type DestinationConfig =
  | { kind: 'receiver'; config: z.output<typeof receiverConfig> }
  | { kind: 'tus'; config: z.output<typeof tusConfig> }
  | { kind: 's3'; config: z.output<typeof s3Config> }
  | { kind: 'folder'; config: z.output<typeof folderConfig> };

/** What clients see of a destination: its public config and whether a secret is stored. */
export type DestinationView = DestinationConfig & {
  id: string;
  name: string;
  isDefault: boolean;
  hasSecret: boolean;
  /** Where it points, for display (URL, bucket or path). */
  summary: string;
  createdAt: number;
  updatedAt: number;
};

/**
 * Why a connection test failed, as the engine classified it: nothing listening, a name not found,
 * no answer, a TLS handshake that failed, a connection closed without an answer, a server of
 * another kind (a web page, a tus server where S3 was expected, or the reverse), credentials
 * refused, a bucket that is missing, or an answer Ferry did not expect.
 */
export type ConnectionProblem =
  | 'refused'
  | 'dns'
  | 'timeout'
  | 'tls'
  | 'closed'
  | 'not_s3'
  | 'not_tus'
  | 'auth'
  | 'bucket_missing'
  | 'unexpected'
  | 'not_running'
  | 'folder';

/** The answer of a connection test. */
export interface DestinationTest {
  ok: boolean;
  /** What was reached and what answered, in plain words. */
  message: string;
  /** When it failed: what to check (address, port, credentials, TLS…). */
  hint?: string;
  /** When it failed: the kind of failure. */
  problem?: ConnectionProblem;
  latencyMs: number;
  details?: Record<string, unknown>;
}

/** Dataset metadata sent along with an upload (seed 001's fields). */
export const SENSOR_TYPES = ['IDX', 'TIFF', 'TIFF RGB', 'NETCDF', 'HDF5', '4D_NEXUS', 'RGB', 'MAPIR', 'OTHER'] as const;
export type SensorType = (typeof SENSOR_TYPES)[number];

/** How each sensor type reads in a form. */
export const SENSOR_TYPE_LABELS: Record<SensorType, string> = {
  IDX: 'IDX',
  TIFF: 'TIFF',
  'TIFF RGB': 'TIFF (RGB)',
  NETCDF: 'NetCDF',
  HDF5: 'HDF5',
  '4D_NEXUS': '4D NeXus',
  RGB: 'RGB images',
  MAPIR: 'MAPIR',
  OTHER: 'Other',
};

/**
 * Sensor types of Ferry before 0.2 (a list of instruments, not of formats), as the database
 * migration maps them; scripts that still send them are answered with the new value.
 */
export const LEGACY_SENSOR_TYPES: Record<string, SensorType> = {
  camera: 'RGB',
  microscope: 'OTHER',
  spectrometer: 'OTHER',
  lidar: 'OTHER',
  radar: 'OTHER',
  thermal: 'OTHER',
  hyperspectral: 'OTHER',
  sequencer: 'OTHER',
  other: 'OTHER',
};

/** A sensor type as sent: the seed's names in any case (`tiff`), or a legacy name. */
function sensorTypeOf(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const upper = value.trim().toUpperCase();
  return SENSOR_TYPES.find((t) => t === upper) ?? LEGACY_SENSOR_TYPES[value.trim().toLowerCase()] ?? value;
}

export const datasetMetadata = z.strictObject({
  sensorType: z.preprocess(sensorTypeOf, z.enum(SENSOR_TYPES)).default('OTHER'),
  convert: z.boolean().default(false),
  public: z.boolean().default(false),
  team: z.string().max(120).default(''),
  folder: z.string().max(512).default(''),
  description: z.string().max(4000).default(''),
});
export type DatasetMetadata = z.output<typeof datasetMetadata>;
