import type { CommandHandlers, EngineServices } from './engineServices';

type WatchCommandNames = 'listWatchRules' | 'saveWatchRule' | 'deleteWatchRule' | 'setWatchRuleEnabled' | 'watchStatus';

/** Commands for watched folders; the work is the WatchService's. */
export function watchCommands(services: Pick<EngineServices, 'watch'>): Pick<CommandHandlers, WatchCommandNames> {
  return {
    listWatchRules: () => services.watch.list(),
    saveWatchRule: (input) => services.watch.save(input),
    deleteWatchRule: async ({ id }) => {
      await services.watch.delete(id);
      return { id };
    },
    setWatchRuleEnabled: ({ id, enabled }) => services.watch.setEnabled(id, enabled),
    watchStatus: ({ id }) => services.watch.status(id),
  };
}
