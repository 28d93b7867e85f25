/**
 * Turns on the event loop for runners. A runner that works between checkpoints without awaiting
 * real I/O would starve timers, IPC and the other jobs; so after SLICE_MS of work a checkpoint
 * waits for a turn. Turns are handed out first come, first served, one per loop iteration, which
 * bounds the runners' share of each iteration (event-loop delay) and keeps them fair.
 */
export const SLICE_MS = 4;

const waiting: (() => void)[] = [];
let scheduled = false;

function grantNext(): void {
  scheduled = false;
  waiting.shift()?.();
  if (waiting.length > 0) schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(grantNext);
}

/** Resolves at the runner's next turn. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    schedule();
  });
}
