/** An English noun for a count: `plural(1, 'file')` is "file", `plural(3, 'file')` is "files". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return count === 1 ? singular : pluralForm;
}
