import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { destinationInput } from '../../../shared/destinations';
import { fieldMessages, plainIssue } from '../../../shared/plainIssue';
import { settingsSchema } from '../../../shared/settings';

/** The issues the contract's own schema raises for `input`. */
const issuesOf = (schema: z.ZodType, input: unknown) => {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error('expected the input to be refused');
  return parsed.error.issues;
};

describe('contract issues in plain words', () => {
  it('names the field and says what it needs, instead of zod\'s own text', () => {
    const short = issuesOf(z.string().min(3), 'ab')[0]!;
    expect(short.message).toMatch(/^Too small/);
    expect(plainIssue(short, 'Name')).toBe('Name needs at least 3 characters');
    expect(plainIssue(issuesOf(z.string().min(1), '')[0]!, 'Name')).toBe('Name is needed');
    expect(plainIssue(issuesOf(z.string().max(5), 'abcdefg')[0]!, 'Team')).toBe('Team can have at most 5 characters');
    expect(plainIssue(issuesOf(z.number().int().min(1), 0)[0]!, 'Jobs at once')).toBe('Jobs at once must be at least 1');
    expect(plainIssue(issuesOf(z.number().max(64), 65)[0]!, 'Jobs at once')).toBe('Jobs at once can be at most 64');
    expect(plainIssue(issuesOf(z.number().int(), 2.5)[0]!, 'Port')).toBe('Port must be a whole number');
    expect(plainIssue(issuesOf(z.number(), Number.NaN)[0]!, 'Part size (MiB)')).toBe('Part size must be a number');
    expect(plainIssue(issuesOf(z.string(), undefined)[0]!, 'Access key ID')).toBe('Access key ID is needed');
    expect(plainIssue(issuesOf(z.string().url(), 'not an address')[0]!, 'Endpoint')).toBe('Endpoint must be a full address, such as https://example.org/');
    expect(plainIssue(issuesOf(z.array(z.string()).min(1), [])[0]!, 'Events')).toBe('Events needs at least one entry');
    expect(plainIssue(issuesOf(z.enum(['fail', 'warn']), 'x')[0]!, 'When a source file changes')).toBe('When a source file changes must be one of: fail, warn');
  });

  it('keeps a message the schema wrote for people, as a sentence', () => {
    const issue = issuesOf(z.string().regex(/^[a-z]+$/, 'a bucket name is lowercase letters'), 'ABC')[0]!;
    expect(plainIssue(issue, 'Bucket')).toBe('A bucket name is lowercase letters');
  });

  it('maps every issue of a real form input to its field, first issue first', () => {
    const issues = issuesOf(destinationInput, {
      name: 'Archive',
      kind: 's3',
      config: { bucket: 'ab', accessKeyId: '', partSizeMiB: 2 },
    });
    const labels: Record<string, string> = { 'config.bucket': 'Bucket', 'config.accessKeyId': 'Access key ID', 'config.partSizeMiB': 'Part size (MiB)' };
    const messages = fieldMessages(issues, (key) => labels[key] ?? key);
    expect(messages['config.bucket']).toBe('Bucket needs at least 3 characters');
    expect(messages['config.accessKeyId']).toBe('Access key ID is needed');
    expect(messages['config.partSizeMiB']).toBe('Part size must be at least 5');
    // Works on the copies an INVALID_INPUT carries across the wire as well.
    const wired = JSON.parse(JSON.stringify(issuesOf(settingsSchema.partial(), { concurrency: 0 })));
    expect(fieldMessages(wired, () => 'Jobs at once')).toEqual({ concurrency: 'Jobs at once must be at least 1' });
  });
});
