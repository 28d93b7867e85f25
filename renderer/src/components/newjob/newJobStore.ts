/** Which "new job" sheet is open: a download, a command, or none. */
import { create } from 'zustand';

export type NewJobKind = 'download' | 'command';

export const useNewJob = create<{ kind: NewJobKind | null }>()(() => ({ kind: null }));

export const openNewJob = (kind: NewJobKind): void => useNewJob.setState({ kind });
export const closeNewJob = (): void => useNewJob.setState({ kind: null });
