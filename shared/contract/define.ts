/**
 * How a command or a stream of the contract is declared, and the input fields that several
 * domains share. Each domain file (jobs.ts, transfers.ts, ...) declares its own table with these.
 */
import { z } from 'zod';
import { PRIORITIES } from '../model';

/** Declares a command by its (phantom) result type, then its input schema. */
export const command =
  <R>() =>
  <I extends z.ZodType>(input: I): { input: I; result: R } => ({ input, result: undefined as unknown as R });
/** Declares a stream by its (phantom) payload type, then its parameter schema. */
export const stream =
  <T>() =>
  <P extends z.ZodType>(params: P): { params: P; payload: T } => ({ params, payload: undefined as unknown as T });

/** The longest name (of a job) or search text a command takes. */
export const MAX_NAME = 200;

export const jobId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const priority = z.enum(PRIORITIES);
export const idInput = z.strictObject({ id: jobId });
export const destinationId = z.string().min(1).max(64);
export const localPath = z.string().min(1).max(4096);
export const noInput = z.strictObject({});
