/** Destinations: where uploads go (the built-in receiver, tus servers, S3, folders), saved and tested. */
import { z } from 'zod';
import { destinationInput, type DestinationTest, type DestinationView } from '../destinations';
import { command, destinationId, noInput } from './define';

export const destinationCommands = {
  /** Every destination, the default first; secrets are never included. */
  listDestinations: command<DestinationView[]>()(noInput),
  /** Creates (no id) or edits a destination; a secret given here is stored and never returned. */
  saveDestination: command<DestinationView>()(destinationInput),
  /** Removes a destination and its secret; refused while unfinished jobs use it. */
  deleteDestination: command<{ id: string }>()(z.strictObject({ id: destinationId })),
  /** Makes a destination the default for new uploads. */
  setDefaultDestination: command<DestinationView>()(z.strictObject({ id: destinationId })),
  /** Checks that a destination answers and accepts uploads, without uploading. */
  testDestination: command<DestinationTest>()(z.strictObject({ id: destinationId })),
} as const;
