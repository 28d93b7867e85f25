import type { Engine } from '../../../../main/engine/engine';
import type { NavigateRequest } from '../../../../shared/contract';
import { openStream } from '../../../../main/engine/api/dispatch';
import { waitForJob } from '../../../helpers/engineFixture';

/** A demo job that runs long enough to be paused and resumed; resolves once it is running. */
export async function runningDemo(engine: Engine, name: string): Promise<number> {
  const job = await engine.commands.createDemoJob({ name, items: 5000, failRate: 0, itemDelayMs: 20, linesPerItem: 1, priority: 'normal' });
  await waitForJob(engine, job.id, (j) => j.state === 'running');
  return job.id;
}

/** What the engine asks the window to show, as the renderer receives it over `app.navigate`. */
export function navigations(engine: Engine): { seen: NavigateRequest[]; close: () => void } {
  const seen: NavigateRequest[] = [];
  const close = openStream(engine, 'app.navigate', {}, (msg) => {
    if ('payload' in msg) seen.push(msg.payload as NavigateRequest);
  });
  return { seen, close };
}

export const stateOf = (engine: Engine, id: number): string => engine.services.jobs.view(id).state;
