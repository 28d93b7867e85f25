import type { CommandHandlers, Engine } from '../engine';

type WatchCommandNames = 'listWatchRules' | 'saveWatchRule' | 'deleteWatchRule' | 'setWatchRuleEnabled' | 'watchStatus';

/** Commands for watched folders; the work is the WatchService's. */
export function watchCommands(engine: Engine): Pick<CommandHandlers, WatchCommandNames> {
  return {
    listWatchRules: () => engine.watch.list(),
    saveWatchRule: (input) => engine.watch.save(input),
    deleteWatchRule: async ({ id }) => {
      await engine.watch.delete(id);
      return { id };
    },
    setWatchRuleEnabled: ({ id, enabled }) => engine.watch.setEnabled(id, enabled),
    watchStatus: ({ id }) => engine.watch.status(id),
  };
}
