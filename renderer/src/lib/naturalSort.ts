/** File names as people count: `frame_2` before `frame_10`, case ignored (a collator made once). */
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export const naturalCompare = (a: string, b: string): number => collator.compare(a, b);
