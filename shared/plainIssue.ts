/**
 * A contract (zod) issue in plain words for the field it belongs to: "Name needs at least 3
 * characters" instead of "Too small: expected string to have >=3 characters". Messages the schema
 * wrote itself ("a bucket name is lowercase letters…") are kept, as a sentence. Works on live zod
 * issues and on the copies an INVALID_INPUT error carries in its details.
 */
import { plural } from './plural';

/** What Ferry reads of a zod issue (the fields zod 4 puts on each code). */
export interface IssueLike {
  code?: string;
  message?: string;
  path?: readonly PropertyKey[];
  origin?: string;
  expected?: string;
  format?: string;
  minimum?: number | bigint | string;
  maximum?: number | bigint | string;
  inclusive?: boolean;
  values?: readonly unknown[];
  divisor?: number;
}

/** Zod's own English messages; anything else was written for people by the schema. */
const ZOD_DEFAULT = /^(Invalid input|Invalid option|Invalid (string|number|key|element|value|URL|email|date|union|type|format)\b|Too (small|big):|Unrecognized key|Required$|Expected |Number must|String must|Array must)/;

const sentence = (s: string): string => {
  const t = s.trim();
  if (!t) return t;
  return t[0]!.toUpperCase() + t.slice(1);
};

/** "3 characters", "1 entry". */
const counted = (n: number, one: string, many: string): string => `${n} ${plural(n, one, many)}`;

/** "Name", "bucket" → the subject of the sentence, capitalised. */
const subject = (label: string): string => sentence(label.replace(/\s*\((optional|MiB|minutes?|seconds?)\)\s*$/i, '').replace(/,\s*(minutes?|seconds?)\s*(\(optional\))?$/i, ''));

/** One issue of `label`'s field in plain words. */
export function plainIssue(issue: IssueLike, label: string): string {
  const who = subject(label);
  const message = issue.message ?? '';
  if (message && !ZOD_DEFAULT.test(message)) return sentence(message);
  const n = (v: IssueLike['minimum']): number => Number(v);
  switch (issue.code) {
    case 'too_small': {
      const min = n(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? `${who} is needed` : `${who} needs at least ${counted(min, 'character', 'characters')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return min <= 1 ? `${who} needs at least one entry` : `${who} needs at least ${counted(min, 'entry', 'entries')}`;
      return issue.inclusive === false ? `${who} must be more than ${min}` : `${who} must be at least ${min}`;
    }
    case 'too_big': {
      const max = n(issue.maximum);
      if (issue.origin === 'string') return `${who} can have at most ${counted(max, 'character', 'characters')}`;
      if (issue.origin === 'array' || issue.origin === 'set') return `${who} can have at most ${counted(max, 'entry', 'entries')}`;
      return issue.inclusive === false ? `${who} must be less than ${max}` : `${who} can be at most ${max}`;
    }
    case 'invalid_type': {
      if (/received undefined/.test(message)) return `${who} is needed`;
      if (issue.expected === 'int' || issue.expected === 'integer') return `${who} must be a whole number`;
      if (issue.expected === 'number' || issue.expected === 'bigint') return `${who} must be a number`;
      if (issue.expected === 'boolean') return `${who} must be on or off`;
      return `${who} is needed`;
    }
    case 'invalid_format': {
      if (issue.format === 'url') return `${who} must be a full address, such as https://example.org/`;
      if (issue.format === 'email') return `${who} must be an email address`;
      if (issue.format === 'regex') return `${who} has characters that are not allowed here`;
      return `${who} is not in the expected form`;
    }
    case 'invalid_value':
      return issue.values && issue.values.length > 0 && issue.values.length <= 6 ? `${who} must be one of: ${issue.values.map(String).join(', ')}` : `${who} has a value Ferry does not know`;
    case 'not_multiple_of':
      return `${who} must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return `${who} has settings Ferry does not know`;
    default:
      return `${who} is not valid`;
  }
}

/** The path of an issue as a form keys its fields: `config.bucket`, `bandwidthSchedule.0.from`. */
export const issueKey = (issue: IssueLike): string => (issue.path ?? []).map(String).join('.');

/**
 * Field → plain message for a list of issues (the first issue of each field wins). `labelOf`
 * names a field by its key; `keyOf` maps an issue's path to the form's own field key.
 */
export function fieldMessages(issues: readonly IssueLike[], labelOf: (key: string) => string, keyOf: (key: string) => string = (k) => k): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const key = keyOf(issueKey(issue));
    if (!(key in out)) out[key] = plainIssue(issue, labelOf(key));
  }
  return out;
}
