/**
 * The engine's one entry: hosts, the CLI and the benchmarks import only this module (the built
 * bundle `out/main/engine.js` is it, so benchmarks drive exactly the code that ships).
 */
export { Engine, ENGINE_VERSION } from './engine';
export type { EngineOptions } from './engineOptions';
export { dispatchCommand, openStream } from './api/dispatch';
export { openDatabase, closeDatabase } from './db/database';
export { JobsRepo, type JobRow } from './db/jobsRepo';
export { LogStore } from './logs/logStore';
export { followEvents, followLog } from './logs/followers';
export { demoRunner } from './kinds/demoRunner';
export { lockDataDir, type DataDirLock } from './db/dataDirLock';
export type { ReceiverPort } from './destinations/receiverPort';
export { HEADLESS_HOST, type HostServices, type StagingArea } from './hostServices';
export { FileSecretStore, type SecretCodec } from './secrets/secretStore';
export { bulkAction } from './jobs/bulkActions';
export { createLogger } from './util/logger';
export { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './util/privateFiles';
