import type { CommandHandlers, EngineServices } from './engineServices';

type DestinationCommandNames = 'listDestinations' | 'saveDestination' | 'deleteDestination' | 'setDefaultDestination' | 'testDestination';

/** Commands for destinations; the work is the DestinationService's. */
export function destinationCommands(services: Pick<EngineServices, 'destinations'>): Pick<CommandHandlers, DestinationCommandNames> {
  const { destinations } = services;
  return {
    listDestinations: () => destinations.list(),
    saveDestination: (input) => destinations.save(input),
    deleteDestination: ({ id }) => {
      destinations.delete(id);
      return { id };
    },
    setDefaultDestination: ({ id }) => destinations.setDefault(id),
    testDestination: ({ id }) => destinations.test(id),
  };
}
