/**
 * The engine's public surface for code that runs the built bundle (`out/main/engine.js`): the
 * benchmarks drive exactly the code that ships through it.
 */
export { Engine, ENGINE_VERSION, type EngineOptions } from './engine';
export { dispatchCommand, openStream } from './api/dispatch';
export { openDatabase, closeDatabase } from './db/database';
export { JobsRepo } from './db/jobsRepo';
export { LogStore } from './logs/logStore';
export { followEvents, followLog } from './logs/followers';
export { demoRunner } from './kinds/demoRunner';
export { lockDataDir, type DataDirLock } from './db/dataDirLock';
